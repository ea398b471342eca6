"""Plan a card per article, page and the site itself, then put them in the output from the cache."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from self_promoting_blog.build.linking import link_or_copy
from self_promoting_blog.cards.painter import CardPainter
from self_promoting_blog.cards.settings import CardsSettings
from self_promoting_blog.cards.spec import HEIGHT, WIDTH, CardText


@dataclass(frozen=True)
class Card:
    """A card planned for one page: where it is written and what it says."""

    path: str  # relative to the output folder, also its URL relative to SITEURL
    text: CardText
    alt: str
    width: int = WIDTH
    height: int = HEIGHT
    type: str = "image/png"

    @property
    def url(self) -> str:
        return self.path


@dataclass(frozen=True)
class CardStats:
    total: int
    drawn: int
    drawn_beside: int  # by worker processes while the build went on
    pruned: int
    waited_ms: float  # the build's wait for the drawing, at its end


def _alt(text: CardText) -> str:
    """Alt text: the card says its title, its footer and the site name; so does the alt."""
    return " · ".join(part for part in (text.title, text.footer, text.site_name) if part)


def _file_name(content: Any) -> str:
    """<slug>.png, or <slug>-<lang>.png for a translation (which shares its slug)."""
    suffix = "" if getattr(content, "in_default_lang", True) else f"-{content.lang}"
    return f"{content.slug}{suffix}.png"


def card_for(content: Any, settings: CardsSettings, is_article: bool) -> Card:
    """The card for an article or page.

    Planned even when the page has its own `Image:`: social_meta keeps the card only when that
    image cannot be shown (an SVG, a missing file) and drops it otherwise.
    """
    footer = ""
    if is_article:
        category = getattr(content, "category", None)
        footer = " · ".join(part for part in (getattr(category, "name", ""),
                                              getattr(content, "locale_date", "")) if part)
    text = CardText(site_name=settings.site_name, title=str(content.title), footer=footer)
    folder = settings.path if is_article else f"{settings.path}/pages"
    return Card(path=f"{folder}/{_file_name(content)}", text=text, alt=_alt(text))


def site_card(settings: CardsSettings, pelican_settings: Mapping[str, Any]) -> Card:
    """The card for listing pages (home, categories, tags, archives): the site and its tagline."""
    title = str(pelican_settings.get("SITESUBTITLE") or pelican_settings.get("SITENAME", ""))
    text = CardText(site_name=settings.site_name, title=title)
    # A folder of its own, so no article slug can collide with it.
    return Card(path=f"{settings.path}/site/home.png", text=text, alt=_alt(text))


def publish_cards(cards: list[tuple[str, Card]], output: Path,
                  painter: CardPainter) -> CardStats:
    """Wait for the cards being drawn, then put every card of this build into the output.

    `cards` pairs each card with its cache key (two pages with the same title share a key).
    Cached cards no page uses any more are removed.
    """
    started = time.perf_counter()
    paint = painter.finish()
    waited_ms = (time.perf_counter() - started) * 1000
    folders: set[Path] = set()
    for key, card in cards:
        target = output / card.path
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        link_or_copy(painter.cache.path(key), target)
    drawn = sum(1 for key, _ in cards if key in paint.drawn)
    beside = sum(1 for key, _ in cards if key in paint.beside)
    used = {key for key, _ in cards}
    return CardStats(len(cards), drawn, beside, painter.cache.prune(used), waited_ms)
