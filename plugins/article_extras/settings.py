"""article_extras settings: the one place the plugin reads Pelican's settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULTS: dict[str, Any] = {
    # Average adult silent-reading speed for non-fiction (Brysbaert 2019: ~238 wpm), rounded down
    # so the estimate errs on the generous side.
    "ARTICLE_EXTRAS_WORDS_PER_MINUTE": 230,
    # How many related articles each article lists; 0 turns the list off.
    "ARTICLE_EXTRAS_RELATED_COUNT": 3,
}


class SettingsError(ValueError):
    """A setting in pelicanconf.py/publishconf.py has a value the plugin cannot use."""


@dataclass(frozen=True)
class ArticleExtrasSettings:
    words_per_minute: int
    related_count: int


def _int_setting(settings: Mapping[str, Any], name: str, minimum: int) -> int:
    value = settings.get(name, DEFAULTS[name])
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SettingsError(
            f"article_extras: {name} = {value!r} in your Pelican settings is not a whole number "
            f">= {minimum}; set it to e.g. {DEFAULTS[name]} (the default) or remove it."
        )
    return value


def load_settings(settings: Mapping[str, Any]) -> ArticleExtrasSettings:
    """Read and validate the ARTICLE_EXTRAS_* settings, falling back to DEFAULTS."""
    return ArticleExtrasSettings(
        words_per_minute=_int_setting(settings, "ARTICLE_EXTRAS_WORDS_PER_MINUTE", 1),
        related_count=_int_setting(settings, "ARTICLE_EXTRAS_RELATED_COUNT", 0),
    )
