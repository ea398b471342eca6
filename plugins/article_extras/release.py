"""Let go of an article's HTML once its own page is written: no later page shows it.

Pelican remembers each article's HTML with its intrasite links resolved from the first page
that shows it, the article's own, to the end of the process (self_promoting_blog.content.
html_memo). No later page of this theme shows it: listings show the plain summary
(`plain_summary`, cut here first, while the HTML is at hand, for the articles listings show;
a summary cut later does not keep the HTML it was cut from), and the feeds, written last, work
their articles' HTML out again. A page that does show it again (another theme) works it out
again too: the same HTML, a little later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pelican.contents import Content

from article_extras.filters import plain_summary
from self_promoting_blog.content.html_memo import forget_html, holds_html


def release_content(_path: str, context: Mapping[str, Any]) -> None:
    """content_written: forget the HTML of the article or page this file was written for."""
    for name in ("article", "page"):
        content = context.get(name)
        if not isinstance(content, Content):
            continue
        siteurl = content.get_siteurl()
        if not holds_html(content, siteurl):
            continue  # rendered elsewhere: by the split render's child, or later (live preview)
        if name == "article" and getattr(content, "status", None) == "published":
            # The summary is cut from the HTML: cut it now, not from HTML worked out again.
            plain_summary(content)
        forget_html(content, siteurl)
