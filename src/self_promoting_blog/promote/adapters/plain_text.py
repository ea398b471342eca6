"""A reply a network gives as plain text, as HTML: escaped, line breaks kept, every URL a link,
and where the network writes mentions as @name, each one a link to that profile."""

from __future__ import annotations

from html import escape

import regex

from self_promoting_blog.promote.adapters.base import URL_RE

_MENTION = regex.compile(r"(?:^|(?<=[\s(]))@([A-Za-z0-9._]{1,30})(?<!\.)")


def text_html(text: str, profile: str | None = None) -> str:
    """`text` as HTML; with `profile`, an @mention links to it + the name (e.g.
    https://www.threads.com/@)."""
    found = [(m.start(), m.end(), m.group()) for m in URL_RE.finditer(text)]
    if profile is not None:
        found += [(m.start(), m.end(), profile + m.group(1)) for m in _MENTION.finditer(text)
                  if not any(s <= m.start() < e for s, e, _ in found)]
    out, at = [], 0
    for start, end, target in sorted(found):
        out += [escape(text[at:start]), f'<a href="{escape(target)}">{escape(text[start:end])}</a>']
        at = end
    out.append(escape(text[at:]))
    return "<p>" + "".join(out).replace("\n", "<br>") + "</p>"
