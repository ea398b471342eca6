"""Template filters for what every listing repeats, worked out once per article.

An article is listed on the home page, its category, each of its tags, its author, the archives
and its neighbours' pages. Pelican works out `article.url` and `article.summary` afresh at each
read, and stripping the summary's tags cost more than the rest of a listing card; each filter
remembers its answer on the article (a build's articles do not move or change once read).
Each build has articles of its own (the live preview hands each update fresh copies, made before
any page is rendered: build/preview/memory.py), so what is remembered lasts one build.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2.runtime import Macro
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


def render_once(article: Any, macro: Macro, *args: Any) -> str:
    """`macro(article, *args)`, rendered once per article, macro and arguments.

    Only for a macro imported without context (partials/article_bits.html), whose HTML then
    depends on nothing but its arguments: the page's own variables (SITEURL...) reach it only
    as arguments, so a page whose SITEURL differs (relative URLs) renders its own. The memo
    holds the macro itself, so its id is never reused for another while the article lives.
    """
    rendered: dict[tuple[Any, ...], str] = article.__dict__.setdefault("_render_once", {})
    key = (macro, *args)
    if key not in rendered:
        rendered[key] = macro(article, *args)  # Markup, with autoescape on
    return rendered[key]


FILTERS = {"plain_summary": plain_summary, "url_of": url_of, "render_once": render_once}
