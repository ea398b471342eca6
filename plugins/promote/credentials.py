"""Credentials: read each network's variables from the environment or an untracked `.env`.

Only the variable names an adapter declares (``NetworkAdapter.env_vars``) are read. Values are
registered with ``promote.http.add_secret`` as soon as they are read, so no log line, exception or
file written afterwards can contain them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from promote.errors import SettingsError
from promote.http import add_secret
from promote.networks.base import NetworkAdapter, NetworkConfig


def read_environment(env_file: Path) -> dict[str, str]:
    """The process environment layered over `env_file` (if present): the environment wins."""
    values: dict[str, str] = {}
    if env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ)
    return values


def check_base_url(url: str, variable: str) -> str:
    """Return `url` without a trailing slash if it is http(s) with a host, else raise."""
    parts = urlsplit(url.strip())
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme not in ("https", "http") or not parts.hostname or (
            parts.scheme == "http" and not local):
        raise SettingsError(variable, f"{url!r} is not an https:// URL",
                            "Give the full address, e.g. https://mastodon.social.")
    return url.strip().rstrip("/")


def network_config(adapter: type[NetworkAdapter], env: Mapping[str, str],
                   language: str = "en") -> NetworkConfig:
    """Collect and validate one network's variables; raise SettingsError naming a missing one."""
    values: dict[str, str] = {}
    for var in adapter.env_vars:
        value = (env.get(var.name) or "").strip() or (var.default or "")
        if var.secret:
            add_secret(value)
        if not value and var.required:
            raise SettingsError(var.name, f"is not set, so {adapter.label} is skipped",
                                f"Set it in the environment or in .env: {var.help}")
        values[var.name] = value
    base_url = adapter.default_base_url or ""
    if adapter.base_url_env:
        base_url = values.get(adapter.base_url_env) or base_url
        base_url = check_base_url(base_url, adapter.base_url_env)
    config = NetworkConfig(env=values, base_url=base_url, language=language)
    adapter.check_config(config)
    return config
