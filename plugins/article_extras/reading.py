"""Reading time of an article's rendered HTML."""

from __future__ import annotations

import math

from markupsafe import Markup


def count_words(html: str) -> int:
    """Count the words a reader sees: text between tags, comments dropped, entities decoded."""
    return len(Markup(html or "").striptags().split())


def reading_minutes(html: str, words_per_minute: int) -> int:
    """Whole minutes to read the HTML at the given speed, never less than 1."""
    return max(1, math.ceil(count_words(html) / words_per_minute))
