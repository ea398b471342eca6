"""Reading time of an article's rendered HTML."""

from __future__ import annotations

import math
import re
from html import unescape

# What markupsafe's striptags removes, as two regex passes: its search loop rebuilds the string
# at every tag, which made counting a long article's words cost more than rendering its page.
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def count_words(html: str) -> int:
    """Count the words a reader sees: text between tags, comments dropped, entities decoded."""
    return len(unescape(_TAG.sub("", _COMMENT.sub("", html or ""))).split())


def reading_minutes(html: str, words_per_minute: int) -> int:
    """Whole minutes to read the HTML at the given speed, never less than 1."""
    return max(1, math.ceil(count_words(html) / words_per_minute))


class ReadingTimes:
    """reading_minutes, remembered from one build to the next in the same process.

    Each update of `invoke livereload` hands the unchanged articles' same HTML again, and
    counting the words of thousands of articles was a large part of an update. Only the texts
    of the last build are kept, so an edited article's old text is let go.
    """

    def __init__(self) -> None:
        self.last: dict[tuple[str, int], int] = {}
        self.current: dict[tuple[str, int], int] = {}

    def next_build(self) -> None:
        self.last, self.current = self.current, {}

    def minutes(self, html: str, words_per_minute: int) -> int:
        key = (html, words_per_minute)
        found = self.current.get(key) or self.last.get(key)
        if found is None:
            found = reading_minutes(html, words_per_minute)
        self.current[key] = found
        return found


READING_TIMES = ReadingTimes()
