"""Pelican's memo of every article's and page's HTML, and reading it without growing it.

`Content.get_content` (what `.content` reads) remembers the HTML with intrasite links resolved,
keyed by the content and the site URL, for the life of the process. Kept for every article, it
was the largest growth of a build while its pages were written (31 MB at 5,000 articles), for
HTML that only the article's own page and the feeds show: plugins/article_extras lets it go
once the page is written and cuts summaries without keeping it, and plugins/feeds reads it
without keeping it.
"""

from __future__ import annotations

from typing import Any

from pelican.contents import Content

# Pelican's `memoized` keeps its entries in `.cache`. A Pelican without it leaves an empty stand-in:
# nothing is then forgotten (no memory saved), and everything reads the HTML as before.
_MEMO: dict[tuple[Any, str], str] = getattr(Content.__dict__.get("get_content"), "cache", {})


def holds_html(content: Any, siteurl: str) -> bool:
    """Whether the memo holds the content's HTML for this site URL."""
    return (content, siteurl) in _MEMO


def forget_html(content: Any, siteurl: str) -> None:
    """Let go of the content's HTML for this site URL (worked out again if asked again)."""
    _MEMO.pop((content, siteurl), None)


def html_once(content: Any, siteurl: str) -> str:
    """`content.get_content(siteurl)`, leaving the memo as it was."""
    key = (content, siteurl)
    if key in _MEMO:
        return _MEMO[key]
    html: str = content.get_content(siteurl)
    forget_html(content, siteurl)
    return html


def summary_once(content: Any) -> str:
    """`content.summary` (cut from the HTML unless a Summary is given), leaving the memo as it
    was."""
    siteurl = content.get_siteurl()
    held = holds_html(content, siteurl)
    summary: str = content.summary
    if not held:
        forget_html(content, siteurl)
    return summary
