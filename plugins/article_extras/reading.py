"""Reading time of an article's rendered HTML."""

from __future__ import annotations

import math
import re
from html import unescape

from self_promoting_blog.build_memo import BuildMemo

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



# Each build hands the unchanged articles' same HTML again (see BuildMemo).
READING_TIMES = BuildMemo(reading_minutes)
