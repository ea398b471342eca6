"""Every article and every page a Pelican generator holds, whatever its status.

Pelican keeps published, hidden and draft content, and the translations of each, in separate
lists; a plugin that annotates "every article" must walk all of them or the theme meets an
article without the attribute (a draft preview, a translation). One order everywhere: the
published lists first, then hidden, then drafts.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

ARTICLE_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations",
                 "drafts", "drafts_translations")
PAGE_LISTS = ("pages", "translations", "hidden_pages", "hidden_translations",
              "draft_pages", "draft_translations")


def _contents(generator: Any, lists: tuple[str, ...]) -> list[Any]:
    # getattr: a Pelican version (or a test's stand-in generator) may lack some of the lists.
    return list(chain.from_iterable(getattr(generator, name, []) for name in lists))


def every_article(generator: Any, *, besides: tuple[str, ...] = ()) -> list[Any]:
    """The articles of every list in ARTICLE_LISTS, except the lists named in `besides`."""
    return _contents(generator, tuple(name for name in ARTICLE_LISTS if name not in besides))


def every_page(generator: Any) -> list[Any]:
    """The pages of every list in PAGE_LISTS."""
    return _contents(generator, PAGE_LISTS)
