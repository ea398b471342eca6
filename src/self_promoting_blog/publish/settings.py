"""Publish settings, read in one place: DEFAULTS overridden by publishconf.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from self_promoting_blog.settings import merged, number

DEFAULTS: dict[str, Any] = {
    # After a deploy, wait up to this many seconds for each new article page to answer 200
    # (a CDN or GitHub Pages catching up) before announcing anything.
    "PUBLISH_LIVE_WAIT": 600,
    # Seconds between two checks of the pages still missing.
    "PUBLISH_LIVE_INTERVAL": 5,
}



@dataclass(frozen=True)
class PublishSettings:
    """Validated publish settings."""

    live_wait: float
    live_interval: float


def load_settings(pelican: Mapping[str, Any]) -> PublishSettings:
    """Read the PUBLISH_* settings; raise SettingsError naming a bad one."""
    given = merged(pelican, DEFAULTS)

    def seconds(name: str, minimum: float) -> float:
        return number(name, given[name], minimum=minimum, where="publishconf.py",
                      fix=f"give a number of seconds such as {DEFAULTS[name]} (the default)")

    return PublishSettings(seconds("PUBLISH_LIVE_WAIT", 0), seconds("PUBLISH_LIVE_INTERVAL", 0.01))
