"""Tag, category and author pages written as Pelican writes them, with their `dates` found in
time linear in the site's size.

Pelican's ArticlesGenerator.generate_tags (and _categories, _authors) lists each page's articles
in date order as ``[a for a in self.dates if a in articles]``: a scan of a list for every
article of every tag, which grew with the square of the article count and was the biggest part
of writing a large site's pages. These replacements, set on each articles generator, make the
same write calls with the same arguments (tests/test_article_extras.py compares them with
Pelican's own), and log the same messages when a page cannot be written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from pelican.writers import FileOverwriteFailedError

logger = logging.getLogger("pelican.generators")  # where Pelican logs these messages

# (generator attribute, template and keyword, as the log messages name it)
TAXONOMIES = (("tags", "tag", "Tag"), ("categories", "category", "Category"),
              ("authors", "author", "Author"))


def in_date_order(dates: Sequence[Any], articles: Iterable[Any], position: dict[int, int]
                  ) -> list[Any]:
    """``[a for a in dates if a in articles]`` given each dated article's position in dates
    (articles compare by identity: Pelican's Content defines no equality)."""
    ranks = {position[key] for article in articles if (key := id(article)) in position}
    return [dates[rank] for rank in sorted(ranks)]


def _write_all(generator: Any, attribute: str, keyword: str, label: str,
               write: Callable[..., Any]) -> None:
    template = generator.get_template(keyword)
    dates = generator.dates
    position = {id(article): rank for rank, article in enumerate(dates)}
    groups = getattr(generator, attribute)
    for item, articles in groups.items() if isinstance(groups, dict) else groups:
        try:
            write(item.save_as, template, generator.context, url=item.url, **{keyword: item},
                  articles=articles, dates=in_date_order(dates, articles, position),
                  template_name=keyword, blog=True, page_name=item.page_name,
                  all_articles=generator.articles)
        except FileOverwriteFailedError:
            if item.slug:
                logger.error('Failed to write %s page for "%s".', label, item)
                raise
            logger.info(f'{label} "%s" has an invalid slug; skipping writing {keyword} page...',
                        item, extra={"limit_msg": f"Further {attribute} with invalid slugs."})


def install(generator: Any) -> None:
    """article_generator_init: give this generator the linear tag, category and author pages."""
    tags, categories, authors = (partial(_write_all, generator, *taxonomy)
                                 for taxonomy in TAXONOMIES)
    generator.generate_tags, generator.generate_categories = tags, categories
    generator.generate_authors = authors
