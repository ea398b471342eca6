"""social_cards: a 1200×630 PNG card per article and page.

Sets, for social_meta and the theme:
- ``content.social_card``: a ``cards.Card`` (path, width, height, alt), or None when cards are off;
  social_meta uses it as the preview image, and sets it to None when the page's own `Image:` is a
  picture networks can show (so that card is not drawn, and feeds use the page's image);
- ``context["social_site_card"]``: the card for listing pages (home, category, tag, archives).
Cards are drawn with Pillow, cached by a hash of their inputs under CACHE_PATH, and copied to
SOCIAL_CARDS_PATH in the output; a rebuild with nothing changed draws none.
"""

from __future__ import annotations

import logging
from itertools import chain
from pathlib import Path
from typing import Any

from pelican import signals

from .cards import card_for, site_card, write_cards
from .settings import load_settings

logger = logging.getLogger(__name__)

_ARTICLE_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations",
                  "drafts", "drafts_translations")
_PAGE_LISTS = ("pages", "translations", "hidden_pages", "hidden_translations",
               "draft_pages", "draft_translations")


def _contents(generator: Any, lists: tuple[str, ...]) -> list[Any]:
    return list(chain.from_iterable(getattr(generator, name, []) for name in lists))


def _plan(generator: Any, lists: tuple[str, ...], is_article: bool) -> None:
    settings = load_settings(generator.settings)
    for content in _contents(generator, lists):
        content.social_card = card_for(content, settings, is_article) if settings.enabled else None
    if settings.enabled:
        generator.context["social_site_card"] = site_card(settings, generator.settings)


def plan_article_cards(generator: Any) -> None:
    """Decide each article's card early, so social_meta sees it whatever the plugin order."""
    _plan(generator, _ARTICLE_LISTS, is_article=True)


def plan_page_cards(generator: Any) -> None:
    _plan(generator, _PAGE_LISTS, is_article=False)


def write_all_cards(generators: list[Any]) -> None:
    """Draw what the cache lacks and copy every card into the output."""
    first = generators[0]
    settings = load_settings(first.settings)
    if not settings.enabled:
        return
    contents = chain.from_iterable(_contents(g, _ARTICLE_LISTS + _PAGE_LISTS) for g in generators)
    cards = {c.social_card.path: c.social_card
             for c in contents if getattr(c, "social_card", None) is not None}
    site = first.context.get("social_site_card")
    if site is not None:
        cards[site.path] = site
    stats = write_cards(cards.values(), Path(first.output_path), settings)
    logger.info("social_cards: %d cards in %s/ (%d drawn in %.0f ms, %d reused from the cache, "
                "%d stale cached cards removed)", stats.total, settings.path, stats.drawn,
                stats.draw_ms, stats.total - stats.drawn, stats.pruned)


def register() -> None:
    """Connect the receivers (module level, since Pelican holds receivers weakly)."""
    signals.article_generator_finalized.connect(plan_article_cards)
    signals.page_generator_finalized.connect(plan_page_cards)
    signals.all_generators_finalized.connect(write_all_cards)
