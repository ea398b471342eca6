"""article_extras settings: the one place the plugin reads Pelican's settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from self_promoting_blog.errors import SettingsError
from self_promoting_blog.settings import merged, whole_number

__all__ = ["DEFAULTS", "ArticleExtrasSettings", "SettingsError", "load_settings"]

DEFAULTS: dict[str, Any] = {
    # Average adult silent-reading speed for non-fiction (Brysbaert 2019: ~238 wpm), rounded down
    # so the estimate errs on the generous side.
    "ARTICLE_EXTRAS_WORDS_PER_MINUTE": 230,
    # How many related articles each article lists; 0 turns the list off.
    "ARTICLE_EXTRAS_RELATED_COUNT": 3,
}


@dataclass(frozen=True)
class ArticleExtrasSettings:
    words_per_minute: int
    related_count: int


def load_settings(settings: Mapping[str, Any]) -> ArticleExtrasSettings:
    """Read and validate the ARTICLE_EXTRAS_* settings, falling back to DEFAULTS."""
    given = merged(settings, DEFAULTS)

    def count(name: str, minimum: int) -> int:
        return whole_number(name, given[name], minimum=minimum, owner="article_extras",
                            fix=f"set it to e.g. {DEFAULTS[name]} (the default), or remove it")

    return ArticleExtrasSettings(
        words_per_minute=count("ARTICLE_EXTRAS_WORDS_PER_MINUTE", 1),
        related_count=count("ARTICLE_EXTRAS_RELATED_COUNT", 0),
    )
