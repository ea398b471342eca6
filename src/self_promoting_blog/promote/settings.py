"""promote settings: the one place the plugin reads Pelican's settings (PROMOTE_*).

Relative paths are resolved against the folder that holds OUTPUT_PATH (the project root in a
normal checkout), and neither the ledger nor the manifest may live inside OUTPUT_PATH or PATH,
so neither is ever deployed.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from self_promoting_blog.env import project_root
from self_promoting_blog.promote.campaign import Campaign, load_campaign
from self_promoting_blog.promote.errors import SettingsError
from self_promoting_blog.promote.networks import check_network_name
from self_promoting_blog.settings import merged, number, one_of, whole_number

DEFAULTS: dict[str, Any] = {
    # Networks to announce on, e.g. ["mastodon", "bluesky"]; empty = promotion off.
    "PROMOTE_NETWORKS": [],
    # The default message; fields: {title} {summary} {url} {hashtags} {category}.
    "PROMOTE_TEMPLATE": "{title}\n\n{summary}\n\n{url}\n\n{hashtags}",
    # Where production builds write the manifest and where the SQLite ledger lives.
    "PROMOTE_MANIFEST_PATH": ".promote/manifest.json",
    "PROMOTE_LEDGER_PATH": ".promote/ledger.sqlite3",
    # "sqlite" (the file above) or "bucket" (kept with the S3 deploy target, see deploy).
    "PROMOTE_LEDGER": "sqlite",
    # With PROMOTE_LEDGER = "bucket": the ledger object's key in the S3 deploy bucket, outside
    # the site's prefix; deploy never overwrites or deletes it.
    "DEPLOY_LEDGER_KEY": "promote/ledger.json.gz",
    # At most this many posts per network per run; the rest wait for the next run.
    "PROMOTE_MAX_PER_RUN": 5,
    # A rate-limit wait longer than this (seconds) ends the network's run; the rest wait.
    "PROMOTE_MAX_WAIT": 120,
    # Retries per post after a rate limit or a failure that cannot have posted anything.
    "PROMOTE_MAX_RETRIES": 3,
    # First back-off (seconds) between retries; doubles each time, with jitter.
    "PROMOTE_BACKOFF": 2.0,
    # HTTP timeouts (seconds): connecting, and waiting for an answer.
    "PROMOTE_CONNECT_TIMEOUT": 10.0,
    "PROMOTE_READ_TIMEOUT": 30.0,
    # Before posting, each article's live page must answer 200 with the manifest's og: tags;
    # keep trying for this many seconds (a CDN catching up), polling every interval.
    "PROMOTE_LIVE_CHECK": True,
    "PROMOTE_LIVE_WAIT": 60,
    "PROMOTE_LIVE_INTERVAL": 5,
    # A `sending` row left by another machine is considered crashed after this many seconds.
    "PROMOTE_STALE_AFTER": 900,
    # Tag announced links with utm_source=<network>&utm_medium=social&utm_campaign=<slug>.
    "PROMOTE_UTM": True,
    # Credentials file read in addition to the environment (the environment wins).
    "PROMOTE_ENV_FILE": ".env",
    # Per network, when posts may go out, in TIMEZONE: e.g. {"linkedin": ["Mon-Fri 08:00-10:00"],
    # "bluesky": ["daily 07:00-22:00"]}. A post due outside waits for the next window; a network
    # left out posts at any time.
    "PROMOTE_WINDOWS": {},
    # The least time (minutes) between two posts on one network; with it, one post per network
    # per run, the rest wait. 0 = no gap.
    "PROMOTE_GAP_MINUTES": 0,
    # Follow-ups: the writer's `Followups:` texts, in order, each after_days after the article's
    # announcement on that network, e.g. [{"after_days": 3, "networks": ["mastodon"]},
    # {"after_days": 14, "networks": ["linkedin"]}] (no networks: every network).
    "PROMOTE_FOLLOW_UPS": [],
    # Evergreen re-sharing of older articles, e.g. {"networks": ["mastodon", "bluesky"],
    # "every_days": 2, "min_age_days": 30, "max_age_days": None, "repeat_after_days": 90,
    # "per_run": 1, "exclude_categories": ["News"], "exclude_tags": ["event"]}: per network, up to
    # per_run posts every every_days days; an article at least min_age_days (and at most
    # max_age_days) old, not shared there within repeat_after_days, without `Evergreen: no`.
    # Empty: no re-sharing.
    "PROMOTE_EVERGREEN": {},
}
# The fields PROMOTE_TEMPLATE may use; compose.py fills them in.
FIELDS = ("title", "summary", "url", "hashtags", "category")


@dataclass(frozen=True)
class PromoteSettings:
    """Validated promote settings."""

    networks: tuple[str, ...]
    template: str
    manifest_path: Path
    ledger_path: Path
    ledger: str
    max_per_run: int
    max_wait: float
    max_retries: int
    backoff: float
    connect_timeout: float
    read_timeout: float
    live_check: bool
    live_wait: float
    live_interval: float
    stale_after: float
    utm: bool
    env_file: Path
    siteurl: str
    language: str
    pelican: Mapping[str, Any]
    campaign: Campaign = Campaign()


def _networks(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part for part in value.replace(",", " ").split() if part]
    if not isinstance(value, (list, tuple)):
        raise SettingsError("PROMOTE_NETWORKS", f"{value!r} is not a list",
                            'Write it as a list, e.g. PROMOTE_NETWORKS = ["mastodon", "bluesky"].')
    names: list[str] = []
    for item in value:
        name = check_network_name(str(item))
        if name not in names:
            names.append(name)
    return tuple(names)


def _whole(given: Mapping[str, Any], name: str, minimum: int) -> int:
    return whole_number(name, given[name], minimum=minimum, owner="promote",
                        where="publishconf.py", fix=_default_fix(name))


def _number(given: Mapping[str, Any], name: str, minimum: float) -> float:
    return number(name, given[name], minimum=minimum, owner="promote", where="publishconf.py",
                  fix=_default_fix(name))


def _default_fix(name: str) -> str:
    return f"set it to e.g. {DEFAULTS[name]!r} (the default), or remove it"


def _path(settings: Mapping[str, Any], name: str, base: Path) -> Path:
    path = Path(str(settings.get(name) or DEFAULTS[name])).expanduser()
    path = (path if path.is_absolute() else base / path).resolve()
    for forbidden in ("OUTPUT_PATH", "PATH"):
        folder = settings.get(forbidden)
        if folder and path.is_relative_to(Path(folder).resolve()):
            raise SettingsError(name, f"{path} is inside {forbidden} ({folder}), so it would be "
                                "published", f"Keep it outside, e.g. {DEFAULTS[name]!r}.")
    return path


def check_template(template: str) -> None:
    """Raise SettingsError unless `template` uses only known fields and includes {url}."""
    try:
        parsed = string.Formatter().parse(template)
        names = [name for _, name, _spec, _conv in parsed if name is not None]
    except ValueError as exc:
        raise SettingsError("PROMOTE_TEMPLATE", f"cannot be read ({exc})",
                            "Write literal braces as {{ and }}.") from None
    unknown = [n for n in names if n not in FIELDS]
    if unknown:
        raise SettingsError("PROMOTE_TEMPLATE", f"unknown field {{{unknown[0]}}}",
                            f"Use only {', '.join('{' + f + '}' for f in FIELDS)}.")
    if "url" not in names:
        raise SettingsError("PROMOTE_TEMPLATE", "has no {url}",
                            "Add {url}: every announcement links to its article.")


def _template(settings: Mapping[str, Any]) -> str:
    template = str(settings.get("PROMOTE_TEMPLATE") or DEFAULTS["PROMOTE_TEMPLATE"])
    check_template(template)
    return template


def load_settings(settings: Mapping[str, Any]) -> PromoteSettings:
    """Read and validate every PROMOTE_* setting; raise SettingsError naming the bad one."""
    base = project_root(settings)
    given = merged(settings, DEFAULTS)
    return PromoteSettings(
        networks=_networks(given["PROMOTE_NETWORKS"]),
        template=_template(settings),
        manifest_path=_path(settings, "PROMOTE_MANIFEST_PATH", base),
        ledger_path=_path(settings, "PROMOTE_LEDGER_PATH", base),
        ledger=one_of("PROMOTE_LEDGER", given["PROMOTE_LEDGER"], ("sqlite", "bucket"),
                      owner="promote", where="publishconf.py",
                      fix='use "sqlite" (a local file) or "bucket" (with the S3 deploy target)'),
        max_per_run=_whole(given, "PROMOTE_MAX_PER_RUN", 1),
        max_wait=_number(given, "PROMOTE_MAX_WAIT", 0),
        max_retries=_whole(given, "PROMOTE_MAX_RETRIES", 0),
        backoff=_number(given, "PROMOTE_BACKOFF", 0),
        connect_timeout=_number(given, "PROMOTE_CONNECT_TIMEOUT", 0.01),
        read_timeout=_number(given, "PROMOTE_READ_TIMEOUT", 0.01),
        live_check=bool(given["PROMOTE_LIVE_CHECK"]),
        live_wait=_number(given, "PROMOTE_LIVE_WAIT", 0),
        live_interval=_number(given, "PROMOTE_LIVE_INTERVAL", 0.01),
        stale_after=_number(given, "PROMOTE_STALE_AFTER", 0),
        utm=bool(given["PROMOTE_UTM"]),
        env_file=_path(settings, "PROMOTE_ENV_FILE", base),
        siteurl=str(settings.get("SITEURL") or "").rstrip("/"),
        language=str(settings.get("DEFAULT_LANG") or "en"),
        pelican=settings,
        campaign=load_campaign(settings),
    )
