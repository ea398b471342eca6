"""Credentials: read each network's variables from the environment or an untracked `.env`.

Only the variable names an adapter declares (``NetworkAdapter.env_vars``) are read. Values are
registered with ``self_promoting_blog.promote.http.add_secret`` as soon as they are read, so no
log line, exception or file written afterwards can contain them. ``check_network`` finds every
problem of a network at once (each missing variable, each malformed one, and warnings that do not
stop it), so the owner fixes them in one go.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from self_promoting_blog.promote.adapters.base import ConfigFinding, NetworkAdapter, NetworkConfig
from self_promoting_blog.promote.errors import SettingsError
from self_promoting_blog.promote.http import add_secret

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class NetworkSetup:
    """One network's variables, checked: its config (None when it cannot run) and findings."""

    adapter: type[NetworkAdapter]
    config: NetworkConfig | None
    findings: tuple[ConfigFinding, ...] = ()

    @property
    def blocking(self) -> list[ConfigFinding]:
        """The findings that keep the network from running."""
        return [f for f in self.findings if f.blocking]


def check_base_url(url: str, adapter: type[NetworkAdapter]) -> tuple[str, list[ConfigFinding]]:
    """The base URL without a trailing slash, https:// added when it has no scheme (said so).

    Plain http is refused except on this machine (tests, a local server).
    """
    variable = str(adapter.base_url_env)
    url = url.strip()
    findings = []
    if not _SCHEME.match(url):
        url = f"https://{url}"
        findings.append(ConfigFinding(variable, f"has no scheme, so {url.rstrip('/')} is used",
                                      "Write the https:// in front to confirm it.",
                                      blocking=False))
    parts = urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme not in ("https", "http") or not parts.hostname or (
            parts.scheme == "http" and not local):
        example = adapter.default_base_url or "https://mastodon.social"
        return url, [ConfigFinding(variable, f"{url!r} is not an https:// URL",
                                   f"Give the full address, e.g. {example}.")]
    return url.rstrip("/"), findings


def check_network(adapter: type[NetworkAdapter], env: Mapping[str, str],
                  language: str = "en") -> NetworkSetup:
    """Collect one network's variables and every problem with them (never a secret value)."""
    values: dict[str, str] = {}
    findings: list[ConfigFinding] = []
    for var in adapter.env_vars:
        value = (env.get(var.name) or "").strip() or (var.default or "")
        if var.secret:
            add_secret(value)
        if not value and var.required:
            findings.append(ConfigFinding(var.name, "is not set",
                                          f"Set it in the environment or in .env: {var.help}."))
        values[var.name] = value
    missing = {f.variable for f in findings}
    base_url = adapter.default_base_url or ""
    if adapter.base_url_env and adapter.base_url_env not in missing:
        base_url, found = check_base_url(values.get(adapter.base_url_env) or base_url, adapter)
        values[adapter.base_url_env] = base_url
        findings += found
    config = NetworkConfig(env=values, base_url=base_url, language=language)
    # A missing variable is reported once, not again as "malformed".
    findings += [f for f in adapter.check_config(config) if f.variable not in missing]
    runnable = not any(f.blocking for f in findings)
    return NetworkSetup(adapter, config if runnable else None, tuple(findings))


def network_config(adapter: type[NetworkAdapter], env: Mapping[str, str],
                   language: str = "en") -> NetworkConfig:
    """One network's config; raise SettingsError naming the first variable that stops it."""
    setup = check_network(adapter, env, language)
    if setup.config is None:
        first = setup.blocking[0]
        raise SettingsError(first.variable, first.problem, first.fix)
    return setup.config
