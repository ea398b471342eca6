"""The network adapters, by name: the one list of networks the promote plugin knows.

Each entry maps the name used in ``PROMOTE_NETWORKS`` and ``--network`` to ``module:Class``; the
module is imported only when that network is used, so one adapter's import problem never hides
the others.
"""

from __future__ import annotations

import importlib

from self_promoting_blog.promote.adapters.base import NetworkAdapter
from self_promoting_blog.promote.errors import SettingsError

ADAPTERS: dict[str, str] = {
    "mastodon": "self_promoting_blog.promote.networks.mastodon:MastodonAdapter",
    "bluesky": "self_promoting_blog.promote.networks.bluesky:BlueskyAdapter",
    "telegram": "self_promoting_blog.promote.networks.telegram:TelegramAdapter",
    "discord": "self_promoting_blog.promote.networks.discord:DiscordAdapter",
    "x": "self_promoting_blog.promote.networks.x:XAdapter",
    "linkedin": "self_promoting_blog.promote.networks.linkedin:LinkedInAdapter",
    "facebook": "self_promoting_blog.promote.networks.facebook:FacebookAdapter",
    "threads": "self_promoting_blog.promote.networks.threads:ThreadsAdapter",
}


def known_networks() -> list[str]:
    """The valid network names, sorted."""
    return sorted(ADAPTERS)


def check_network_name(name: str, setting: str = "PROMOTE_NETWORKS") -> str:
    """Return the normalised name, or raise SettingsError listing the valid ones."""
    key = name.strip().lower()
    if key not in ADAPTERS:
        raise SettingsError(setting, f"unknown network {name!r}",
                            f"Use one of: {', '.join(known_networks())}.")
    return key


def adapter_class(name: str) -> type[NetworkAdapter]:
    """Import and return the adapter class registered under `name`."""
    module_name, _, class_name = ADAPTERS[check_network_name(name)].partition(":")
    return getattr(importlib.import_module(module_name), class_name)
