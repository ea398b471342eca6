"""A reply's text as HTML: escaped, line breaks kept, and the spans a network marks (or that
read as URLs or, where the network writes mentions as @name, as mentions) made links."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

import regex

from self_promoting_blog.promote.adapters.base import URL_RE

_MENTION = regex.compile(r"(?:^|(?<=[\s(]))@([A-Za-z0-9._]{1,30})(?<!\.)")


def linked_html(text: str, links: Iterable[tuple[int, int, str]]) -> str:
    """`text` as HTML with each (start, end, target) span of it a link to target; a span that
    overlaps one before it stays plain text."""
    out, at = [], 0
    for start, end, target in sorted(links):
        if start < at:
            continue
        out += [escape(text[at:start]), f'<a href="{escape(target)}">{escape(text[start:end])}</a>']
        at = end
    out.append(escape(text[at:]))
    return "<p>" + "".join(out).replace("\n", "<br>") + "</p>"


def text_html(text: str, profile: str | None = None) -> str:
    """Plain `text` as HTML, every URL a link; with `profile`, an @mention links to it + the
    name (e.g. https://www.threads.com/@)."""
    found = [(m.start(), m.end(), m.group()) for m in URL_RE.finditer(text)]
    if profile is not None:
        found += [(m.start(), m.end(), profile + m.group(1)) for m in _MENTION.finditer(text)
                  if not any(s <= m.start() < e for s, e, _ in found)]
    return linked_html(text, found)
