"""article_extras: reading time, related articles and previous/next links on every article.

Sets, for the theme:
- ``article.reading_time``: whole minutes (at least 1), on published articles, drafts,
  hidden articles and translations;
- ``article.related_articles``: up to ARTICLE_EXTRAS_RELATED_COUNT published articles sharing the
  most tags (newest first among equals), never the article itself;
- ``article.prev_article`` / ``article.next_article``: the published article just older / newer,
  or None;
- ``COPYRIGHT_YEARS`` in the template context: the span of published years, computed once here
  because a template doing it would walk every article on every page (quadratic on big sites);
- the ``plain_summary``, ``url_of`` and ``render_once`` filters: an article's summary as plain
  text, a content's URL path and a macro's HTML (a listing card, the site header), worked out
  once per build for the many pages that repeat them (the listing cards until the article pages
  are written).

It also writes the tag, category and author pages in place of Pelican's own methods, which
found each page's articles in date order in time growing with the square of the site's size
(``taxonomy_pages``): the same pages, written the same way. And it lets go of an article's
HTML, which Pelican would keep to the end, once the article's page is written (``release``).
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from pelican import signals

from article_extras.filters import FILTERS, forget_rendered
from article_extras.reading import READING_TIMES
from article_extras.related import link_neighbours, related_by_tags
from article_extras.release import release_content
from article_extras.settings import load_settings
from article_extras.taxonomy_pages import install as install_taxonomy_pages
from article_extras.years import copyright_years
from self_promoting_blog.generator_lists import every_article


def add_filters(generator: Any) -> None:
    generator.env.filters.update(FILTERS)


def add_extras(generator: Any) -> None:
    """Annotate every article once the article generator has read them all."""
    settings = load_settings(generator.settings)
    published = list(generator.articles)
    others = every_article(generator, besides=("articles",))
    READING_TIMES.next_build()
    for article in chain(published, others):
        # _content is the HTML before intrasite links are resolved: reading .content this early
        # would memoize it with {filename} links to pages that are not generated yet.
        article.reading_time = READING_TIMES(article._content, settings.words_per_minute)
    related = related_by_tags(published, settings.related_count)
    for article in published:
        article.related_articles = related[id(article)]
    for article in others:
        article.related_articles = []
        article.prev_article = article.next_article = None
    link_neighbours(published)
    # Runs after plugins/scheduling (earlier in PLUGINS) has marked scheduled articles.
    generator.context["COPYRIGHT_YEARS"] = copyright_years(published)


def register() -> None:
    """Connect the receivers (module level, since Pelican holds receivers weakly)."""
    signals.generator_init.connect(add_filters)
    signals.article_generator_init.connect(install_taxonomy_pages)
    signals.article_generator_finalized.connect(add_extras)
    signals.content_written.connect(release_content)
    signals.article_writer_finalized.connect(forget_rendered)
