"""Let go of an article's HTML once its own page is written: no later page shows it.

Pelican remembers each article's HTML with its intrasite links resolved (`Content.get_content`,
memoized for the life of the process) from the first page that shows it, the article's own.
Kept, that copy of every article was the largest growth of the build while pages were written
(31 MB at 5,000 articles). No later page of this theme shows it: listings show the plain
summary (`plain_summary`, worked out here first, while the HTML is at hand, for the articles
listings show), and the feeds, written last, work their few articles' HTML out again. A page
that does show it again (another theme) works it out again too: the same HTML, a little later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pelican.contents import Content

from article_extras.filters import plain_summary


def release_content(_path: str, context: Mapping[str, Any]) -> None:
    """content_written: forget the HTML of the article or page this file was written for."""
    for name in ("article", "page"):
        content = context.get(name)
        if not isinstance(content, Content):
            continue
        siteurl = content.get_siteurl()
        if getattr(content, "status", None) == "published" and name == "article":
            # The summary is cut from the HTML: cut it now, not from HTML worked out again.
            plain_summary(content)
        Content.__dict__["get_content"].cache.pop((content, siteurl), None)
