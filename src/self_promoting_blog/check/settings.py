"""content_check settings: the one place they are read. Documented in README (Settings)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULTS: dict[str, Any] = {
    # Longest Summary (in characters, markup not counted) before a warning: share previews and
    # social posts cut longer ones.
    "CONTENT_CHECK_SUMMARY_MAX": 200,
    # Metadata keys other plugins read (beyond Pelican's own), so a near-miss of one of them is
    # caught ("Imgae" -> Image) and they are never mistaken for a typo of a Pelican key.
    "CONTENT_CHECK_EXTRA_KEYS": (),
}


class SettingsError(ValueError):
    """A content_check setting has a value it cannot work with."""


@dataclass(frozen=True)
class ContentCheckSettings:
    summary_max: int
    extra_keys: frozenset[str]


def load_settings(settings: Mapping[str, Any]) -> ContentCheckSettings:
    """Read CONTENT_CHECK_* from Pelican's settings, falling back to DEFAULTS."""
    merged = {key: settings.get(key, default) for key, default in DEFAULTS.items()}
    limit = merged["CONTENT_CHECK_SUMMARY_MAX"]
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise SettingsError(f"content_check: CONTENT_CHECK_SUMMARY_MAX is {limit!r}; "
                            "set it to a whole number of characters, such as 200")
    keys = merged["CONTENT_CHECK_EXTRA_KEYS"]
    if isinstance(keys, str) or not all(isinstance(k, str) for k in keys):
        raise SettingsError(f"content_check: CONTENT_CHECK_EXTRA_KEYS is {keys!r}; "
                            'set it to a list of metadata names, such as ["image", "id"]')
    return ContentCheckSettings(limit, frozenset(k.lower() for k in keys))


def is_production(settings: Mapping[str, Any]) -> bool:
    """Production settings (publishconf.py) leave future-dated articles out; the preview
    (pelicanconf.py) shows them. Problems a reader would meet are errors only in production."""
    return not settings.get("WITH_FUTURE_DATES", True)
