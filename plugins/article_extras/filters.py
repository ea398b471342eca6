"""Template filters for what every listing repeats, worked out once per article.

An article is listed on the home page, its category, each of its tags, its author, the archives
and its neighbours' pages. Pelican works out `article.url` and `article.summary` afresh at each
read, and stripping the summary's tags cost more than the rest of a listing card; each filter
remembers its answer on the article (a build's articles do not move or change once read).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup


def _remembered(content: Any, name: str, compute: Callable[[], str]) -> str:
    cached = content.__dict__.get(name)
    if cached is None:
        cached = content.__dict__[name] = compute()
    return cached


def plain_summary(article: Any) -> str:
    """`article.summary|striptags` (Jinja escapes it on output)."""
    return _remembered(article, "_plain_summary", lambda: Markup(article.summary).striptags())


def url_of(content: Any) -> str:
    """`content.url`: the page's path under SITEURL."""
    return _remembered(content, "_url_of", lambda: content.url)


FILTERS = {"plain_summary": plain_summary, "url_of": url_of}
