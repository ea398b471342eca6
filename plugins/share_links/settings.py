"""share_links settings: the one place the plugin reads Pelican's settings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from self_promoting_blog.errors import SettingsError
from share_links.intents import INTENTS

DEFAULTS: dict[str, Any] = {
    # Which share links each article shows, in this order (names from intents.INTENTS).
    # "copy" (copy link) and "native" (the device's share sheet) appear only where script runs.
    "SHARE_NETWORKS": ["bluesky", "mastodon", "linkedin", "x", "facebook", "threads", "reddit",
                       "email", "copy", "native"],
    # Mastodon server the link opens when script is off; with script, readers pick their own.
    "SHARE_MASTODON_INSTANCE": "mastodon.social",
    # X account credited as "via @name" in X posts (without the @); empty leaves it out.
    "SHARE_X_VIA": "",
}

HOSTNAME_RE = re.compile(
    r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


@dataclass(frozen=True)
class ShareSettings:
    networks: tuple[str, ...]
    mastodon_instance: str
    x_via: str
    site_url: str


def _networks(settings: Mapping[str, Any]) -> tuple[str, ...]:
    value = settings.get("SHARE_NETWORKS", DEFAULTS["SHARE_NETWORKS"])
    names = (value,) if isinstance(value, str) else tuple(str(v).strip().lower() for v in value)
    unknown = [name for name in names if name not in INTENTS]
    if unknown or len(set(names)) != len(names):
        problem = f"unknown {unknown}" if unknown else "a name listed twice"
        raise SettingsError("SHARE_NETWORKS", value, f"choose from {', '.join(INTENTS)}, each at "
                            "most once", problem=f"has {problem}", owner="share_links")
    return names


def load_settings(settings: Mapping[str, Any]) -> ShareSettings:
    """Read and validate the SHARE_* settings, falling back to DEFAULTS."""
    instance = str(settings.get("SHARE_MASTODON_INSTANCE") or DEFAULTS["SHARE_MASTODON_INSTANCE"])
    if not HOSTNAME_RE.match(instance.lower()):
        raise SettingsError("SHARE_MASTODON_INSTANCE", instance, "write just the server, such as "
                            "'mastodon.social' (no https://, no path)",
                            problem="is not a host name", owner="share_links")
    via = str(settings.get("SHARE_X_VIA") or "").lstrip("@")
    if via and not re.fullmatch(r"[A-Za-z0-9_]{1,15}", via):
        raise SettingsError("SHARE_X_VIA", via, "write it without the @, e.g. 'signalreach'",
                            problem="is not an X user name (letters, digits and _, at most 15)",
                            owner="share_links")
    return ShareSettings(_networks(settings), instance.lower(), via,
                         str(settings.get("SITEURL") or "").rstrip("/"))
