"""Plain-text descriptions for meta tags, from `Description:`, `Summary:` or the article body."""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

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


def description(content: Any, limit: int) -> str:
    """The page's description: `Description:`, else `Summary:`, else the start of its body.

    Reads the body before Pelican resolves intrasite links (`_content`), so asking early never
    memoizes the article with unresolved links; only the text matters here.
    """
    meta = content.metadata
    # `Description:` is plain text as written; Summary and the body are HTML after Markdown.
    written = re.sub(r"\s+", " ", str(meta.get("description") or "")).strip()
    for text in (written, plain_text(str(meta.get("summary") or "")),
                 plain_text(str(getattr(content, "_content", "") or ""))):
        if text:
            return shorten(text, limit)
    return ""
