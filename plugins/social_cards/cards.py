"""Plan a card per article, page and the site itself, then write them through the cache."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import CardCache, card_key
from .draw import HEIGHT, WIDTH, CardText, Fonts, draw_card
from .settings import CardsSettings

logger = logging.getLogger(__name__)


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
    pruned: int
    draw_ms: float


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


def write_cards(cards: Iterable[Card], output: Path, settings: CardsSettings) -> CardStats:
    """Copy each card from the cache into the output, drawing only those not cached yet."""
    fonts = Fonts(settings.font, settings.font_bold)
    cache = CardCache(settings.cache_dir)
    used: set[str] = set()
    drawn, draw_seconds, total = 0, 0.0, 0
    for card in cards:
        key = card_key(card.text, settings.colours, fonts)
        cached = cache.get(key)
        if cached is None:
            started = time.perf_counter()
            cached = cache.put(key, draw_card(card.text, settings.colours, fonts))
            draw_seconds += time.perf_counter() - started
            drawn += 1
        used.add(key)
        target = output / card.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, target)
        total += 1
    return CardStats(total, drawn, cache.prune(used), draw_seconds * 1000)
