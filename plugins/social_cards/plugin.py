"""social_cards' receivers: request cards as content is read, plan them, publish them at the end."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.contents import Article, Page

from self_promoting_blog.cards.painter import CardPainter
from self_promoting_blog.cards.settings import SettingsError, load_settings
from self_promoting_blog.generator_lists import every_article, every_page
from social_cards.cards import card_for, publish_cards, site_card

logger = logging.getLogger(__name__)

def _plan(generator: Any, contents: list[Any], is_article: bool) -> None:
    settings = load_settings(generator.settings)
    for content in contents:
        content.social_card = card_for(content, settings, is_article) if settings.enabled else None
    if settings.enabled:
        generator.context["social_site_card"] = site_card(settings, generator.settings)


def plan_article_cards(generator: Any) -> None:
    """Decide each article's card early, so social_meta sees it whatever the plugin order."""
    _plan(generator, every_article(generator), is_article=True)


def plan_page_cards(generator: Any) -> None:
    _plan(generator, every_page(generator), is_article=False)


@dataclass
class _Build:
    """The build in progress: its painter (None when cards are off, or not needed yet)."""

    painter: CardPainter | None = None
    generators: list[Any] = field(default_factory=list)


_build = _Build()


def _reset() -> None:
    global _build
    if _build.painter is not None:
        _build.painter.abandon()
    _build = _Build()


def start_build(_pelican: Any) -> None:
    """A new build (livereload and tests run several in one process): drop the last one's."""
    _reset()


def _painter(pelican_settings: Any) -> CardPainter | None:
    if _build.painter is None:
        settings = load_settings(pelican_settings)
        _build.painter = CardPainter(settings) if settings.enabled else None
    return _build.painter


def request_early(content: Any) -> None:
    """Start drawing an article's or page's card as soon as it is read.

    Only a head start: the cards are planned for good once every article is read (a page with
    its own `Image:` may need none; a card requested here and not planned is pruned).
    """
    if not isinstance(content, (Article, Page)) or content.metadata.get("image"):
        return
    if not getattr(content, "title", None):
        return  # content_check reports it
    try:
        painter = _painter(content.settings)
    except SettingsError:
        return  # raised, with its fix, when the cards are planned
    if painter is not None:
        painter.request(card_for(content, painter.settings, isinstance(content, Article)).text)


def keep_generators(generators: list[Any]) -> None:
    _build.generators = generators


def publish(generator: Any, **_writer: Any) -> None:
    """Once the articles are written: wait for the drawing and put the planned cards in the output.

    Every plugin has had its say on which pages keep a card by then (all_generators_finalized),
    and the cards are in place before any `finalized` receiver (feeds reads their sizes).
    """
    painter = _painter(generator.settings)
    if painter is None:
        return
    generators = _build.generators
    contents = chain.from_iterable(every_article(g) + every_page(g) for g in generators)
    planned = [c.social_card for c in contents if getattr(c, "social_card", None) is not None]
    site = generators[0].context.get("social_site_card") if generators else None
    if site is not None:
        planned.append(site)
    cards = list({card.path: card for card in planned}.values())
    stats = publish_cards([(painter.request(card.text), card) for card in cards],
                          Path(generator.output_path), painter)
    _reset()
    logger.info("social_cards: %d cards in %s/ (%d drawn (%d beside the build; waited %.0f ms "
                "for them at the end), %d reused from the cache, %d stale cached cards removed)",
                stats.total, painter.settings.path, stats.drawn, stats.drawn_beside,
                stats.waited_ms, stats.total - stats.drawn, stats.pruned)


def connect() -> None:
    """Connect the receivers (module level, since Pelican holds receivers weakly)."""
    signals.initialized.connect(start_build)
    signals.content_object_init.connect(request_early)
    signals.article_generator_finalized.connect(plan_article_cards)
    signals.page_generator_finalized.connect(plan_page_cards)
    signals.all_generators_finalized.connect(keep_generators)
    signals.article_writer_finalized.connect(publish)
