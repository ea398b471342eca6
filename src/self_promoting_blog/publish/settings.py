"""Publish settings, read in one place: DEFAULTS overridden by publishconf.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULTS: dict[str, Any] = {
    # After a deploy, wait up to this many seconds for each new article page to answer 200
    # (a CDN or GitHub Pages catching up) before announcing anything.
    "PUBLISH_LIVE_WAIT": 600,
    # Seconds between two checks of the pages still missing.
    "PUBLISH_LIVE_INTERVAL": 5,
}


class PublishSettingsError(ValueError):
    """A PUBLISH_* setting is unusable; the message names it and the fix."""


@dataclass(frozen=True)
class PublishSettings:
    """Validated publish settings."""

    live_wait: float
    live_interval: float


def _seconds(pelican: Mapping[str, Any], name: str, minimum: float) -> float:
    value = pelican.get(name, DEFAULTS[name])
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise PublishSettingsError(f"{name} = {value!r} in publishconf.py must be a number of "
                                   f"seconds of at least {minimum}, e.g. {DEFAULTS[name]}")
    return float(value)


def load_settings(pelican: Mapping[str, Any]) -> PublishSettings:
    """Read the PUBLISH_* settings; raise PublishSettingsError naming a bad one."""
    return PublishSettings(_seconds(pelican, "PUBLISH_LIVE_WAIT", 0),
                           _seconds(pelican, "PUBLISH_LIVE_INTERVAL", 0.01))
