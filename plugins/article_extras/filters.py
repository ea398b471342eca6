"""Template filters for what every page repeats, worked out once per build.

An article is listed on the home page, its category, each of its tags, its author, the archives
and its neighbours' pages. Pelican works out `article.url` and `article.summary` afresh at each
read, and stripping the summary's tags cost more than the rest of a listing card; each of the
first two filters remembers its answer on the article or page (a build's contents do not move
or change once read). Each build has contents of its own (the live preview hands each update
fresh copies, made before any page is rendered: build/preview/memory.py), so what is remembered
lasts one build.

`render_once` remembers a macro's HTML: a listing card, shown on several listings, and the site
header, the same on most pages. Once the article pages are written, no page lists articles: the
cards are let go (`forget_rendered`; 12 MB at 5,000 articles) before the feeds and the rest of
the build's end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from jinja2.runtime import Macro
from markupsafe import Markup

from self_promoting_blog.content.html_memo import summary_once

# The types of argument render_once matches by value (and type: Markup("&amp;") is not the str
# "&amp;"); any other argument (an article, a list) it matches by identity.
_BY_VALUE = frozenset({str, Markup, int, bool, float, type(None)})

# Each macro's memo: (match key) -> (HTML, the arguments, held so that no id is reused).
_RENDERED: WeakKeyDictionary[Macro, dict[tuple[Any, ...], tuple[str, tuple[Any, ...]]]] = (
    WeakKeyDictionary())


def _remembered(content: Any, name: str, compute: Callable[[], str]) -> str:
    cached = content.__dict__.get(name)
    if cached is None:
        cached = content.__dict__[name] = compute()
    return cached


def plain_summary(article: Any) -> str:
    """`article.summary|striptags` (Jinja escapes it on output)."""
    return _remembered(article, "_plain_summary",
                       lambda: Markup(summary_once(article)).striptags())


def url_of(content: Any) -> str:
    """`content.url`: the page's path under SITEURL."""
    return _remembered(content, "_url_of", lambda: content.url)


def render_once(macro: Macro, *args: Any) -> str:
    """`macro(*args)`, rendered once per build for the same arguments.

    Only for a macro imported without context, whose HTML then depends on nothing but its
    arguments: the page's own variables (SITEURL...) reach it only as arguments, so a page
    whose SITEURL differs (relative URLs) renders its own. Strings, numbers, booleans and None
    match by type and value, any other argument (an article, the list of categories) by
    identity; the memo holds them, so no id is reused while it lives. It lives as long as the
    macro, which Jinja keeps with the imported template in the build's own environment (a new
    build renders anew), or until `forget_rendered`.
    """
    rendered = _RENDERED.setdefault(macro, {})
    key = tuple((type(arg), arg) if type(arg) in _BY_VALUE else (None, id(arg)) for arg in args)
    if key not in rendered:
        rendered[key] = macro(*args), args  # Markup, with autoescape on
    return rendered[key][0]


def forget_rendered(*_args: Any, **_kwargs: Any) -> None:
    """article_writer_finalized: let go of what render_once remembered (pages still to come
    render their site header once more)."""
    _RENDERED.clear()


FILTERS = {"plain_summary": plain_summary, "url_of": url_of, "render_once": render_once}
