"""Plain-text descriptions for meta tags, from `Description:`, `Summary:` or the article body."""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

from self_promoting_blog.build_memo import BuildMemo

ELLIPSIS = "…"


def plain_text(html: str) -> str:
    """Text of an HTML fragment: tags removed, entities decoded, whitespace collapsed."""
    return re.sub(r"\s+", " ", Markup(html).striptags()).strip()


def shorten(text: str, limit: int) -> str:
    """Cut at the last word boundary that fits, ending with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–—") + ELLIPSIS


def _leading_text(html: str, limit: int) -> str:
    """plain_text of as much of the start of `html` as gives more than `limit` characters.

    A description needs the first sentence or two, not the whole article: the text of a prefix
    is a prefix of the whole text, so `shorten` cuts both at the same place. The prefix never
    ends inside a tag or an entity.
    """
    size = 4 * limit
    while size < len(html):
        head = html[:size]
        for opener, closer in (("<!--", "-->"), ("<", ">"), ("&", ";")):
            cut = head.rfind(opener)
            if cut > head.rfind(closer):
                head = head[:cut]
        text = plain_text(head)
        if len(text) > limit:
            return text
        size *= 2
    return plain_text(html)


def description(content: Any, limit: int) -> str:
    """The page's description: `Description:`, else `Summary:`, else the start of its body.

    Reads the body before Pelican resolves intrasite links (`_content`), so asking early never
    memoizes the article with unresolved links; only the text matters here.
    """
    meta = content.metadata
    # `Description:` is plain text as written; Summary and the body are HTML after Markdown.
    return DESCRIPTIONS(str(meta.get("description") or ""), str(meta.get("summary") or ""),
                        str(getattr(content, "_content", "") or ""), limit)


def _describe(written: str, summary: str, body: str, limit: int) -> str:
    for text in (re.sub(r"\s+", " ", written).strip(), plain_text(summary)):
        if text:
            return shorten(text, limit)
    body = _leading_text(body, limit)
    return shorten(body, limit) if body else ""


# Each build hands the unchanged pages' same text again (see BuildMemo).
DESCRIPTIONS = BuildMemo(_describe)
