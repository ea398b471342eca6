"""content_check settings: the one place they are read. Documented in README (Settings)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from self_promoting_blog.settings import merged, string_list, whole_number

DEFAULTS: dict[str, Any] = {
    # Longest Summary (in characters, markup not counted) before a warning: share previews and
    # social posts cut longer ones.
    "CONTENT_CHECK_SUMMARY_MAX": 200,
    # Metadata keys other plugins read (beyond Pelican's own), so a near-miss of one of them is
    # caught ("Imgae" -> Image) and they are never mistaken for a typo of a Pelican key.
    "CONTENT_CHECK_EXTRA_KEYS": (),
}


@dataclass(frozen=True)
class ContentCheckSettings:
    summary_max: int
    extra_keys: frozenset[str]


def load_settings(settings: Mapping[str, Any]) -> ContentCheckSettings:
    """Read CONTENT_CHECK_* from Pelican's settings, falling back to DEFAULTS."""
    given = merged(settings, DEFAULTS)
    limit = whole_number("CONTENT_CHECK_SUMMARY_MAX", given["CONTENT_CHECK_SUMMARY_MAX"],
                         minimum=1, owner="content_check",
                         fix="set it to a number of characters, such as 200")
    keys = string_list("CONTENT_CHECK_EXTRA_KEYS", given["CONTENT_CHECK_EXTRA_KEYS"],
                       owner="content_check",
                       fix='set it to a list of metadata names, such as ["image", "id"]')
    return ContentCheckSettings(limit, frozenset(k.lower() for k in keys))


def is_production(settings: Mapping[str, Any]) -> bool:
    """Production settings (publishconf.py) leave future-dated articles out; the preview
    (pelicanconf.py) shows them. Problems a reader would meet are errors only in production."""
    return not settings.get("WITH_FUTURE_DATES", True)
