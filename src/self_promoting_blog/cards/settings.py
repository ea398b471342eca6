"""social_cards settings: the one place the plugin reads Pelican's settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import ImageColor

from self_promoting_blog.errors import SettingsError

FONTS = Path(__file__).resolve().parent / "fonts"

DEFAULTS: dict[str, Any] = {
    # Draw a card for every article and page that has no `Image:` of its own.
    "SOCIAL_CARDS_ENABLED": True,
    # Folder under the output where cards are written (cards/<slug>.png).
    "SOCIAL_CARDS_PATH": "cards",
    # Colours: any CSS colour Pillow understands ("#0b6b66", "rgb(11,107,102)", "navy").
    # Defaults follow the theme's accent: white on it is 6.3:1, footer 5.3:1, site name 4.9:1.
    "SOCIAL_CARDS_BACKGROUND": "#0b6b66",
    "SOCIAL_CARDS_FOREGROUND": "#ffffff",
    "SOCIAL_CARDS_ACCENT": "#ffdc8f",
    "SOCIAL_CARDS_MUTED": "#d9efec",
    # TrueType/OpenType fonts: regular for the footer, bold for the site name and title.
    "SOCIAL_CARDS_FONT": str(FONTS / "DejaVuSans.ttf"),
    "SOCIAL_CARDS_FONT_BOLD": str(FONTS / "DejaVuSans-Bold.ttf"),
    # Name drawn at the top of every card; None means SITENAME.
    "SOCIAL_CARDS_SITE_NAME": None,
    # Draw missing cards in worker processes beside the build (faster on several cores); False
    # draws them in the build's own process, for less memory (the live preview does).
    "SOCIAL_CARDS_WORKERS": True,
}


@dataclass(frozen=True)
class Colours:
    background: tuple[int, int, int]
    foreground: tuple[int, int, int]
    accent: tuple[int, int, int]
    muted: tuple[int, int, int]


@dataclass(frozen=True)
class CardsSettings:
    enabled: bool
    path: str
    colours: Colours
    font: Path
    font_bold: Path
    site_name: str
    cache_dir: Path
    workers: bool = True


def _colour(settings: Mapping[str, Any], name: str) -> tuple[int, int, int]:
    value = settings.get(name, DEFAULTS[name])
    try:
        return ImageColor.getrgb(str(value))[:3]
    except ValueError:
        raise SettingsError(name, value, f"use a CSS colour such as {DEFAULTS[name]!r} (the "
                            "default)", problem="is not a colour", owner="social_cards") from None


def _font(settings: Mapping[str, Any], name: str) -> Path:
    path = Path(str(settings.get(name) or DEFAULTS[name]))
    if not path.is_file():
        raise SettingsError(name, str(path), "point it at a .ttf/.otf file, or remove the setting "
                            "to use the bundled DejaVu Sans", problem="is not a font file",
                            owner="social_cards")
    return path


def _card_path(settings: Mapping[str, Any]) -> str:
    value = str(settings.get("SOCIAL_CARDS_PATH", DEFAULTS["SOCIAL_CARDS_PATH"])).strip("/")
    if not value or ".." in value.split("/"):
        raise SettingsError("SOCIAL_CARDS_PATH", value, "use e.g. 'cards' (the default)",
                            problem="is not a folder inside the output", owner="social_cards")
    return value


def load_settings(settings: Mapping[str, Any]) -> CardsSettings:
    """Read and validate the SOCIAL_CARDS_* settings, falling back to DEFAULTS."""
    colours = Colours(*(_colour(settings, f"SOCIAL_CARDS_{part}")
                        for part in ("BACKGROUND", "FOREGROUND", "ACCENT", "MUTED")))
    site_name = settings.get("SOCIAL_CARDS_SITE_NAME") or settings.get("SITENAME", "")
    return CardsSettings(
        enabled=bool(settings.get("SOCIAL_CARDS_ENABLED", DEFAULTS["SOCIAL_CARDS_ENABLED"])),
        path=_card_path(settings),
        colours=colours,
        font=_font(settings, "SOCIAL_CARDS_FONT"),
        font_bold=_font(settings, "SOCIAL_CARDS_FONT_BOLD"),
        site_name=str(site_name),
        cache_dir=Path(settings.get("CACHE_PATH") or "cache") / "social_cards",
        workers=bool(settings.get("SOCIAL_CARDS_WORKERS", DEFAULTS["SOCIAL_CARDS_WORKERS"])),
    )
