"""social_meta settings: the one place the plugin reads Pelican's settings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from self_promoting_blog.errors import SettingsError
from self_promoting_blog.settings import whole_number

DEFAULTS: dict[str, Any] = {
    # Longest og:description / meta description, in characters; longer text is cut at a word.
    "SOCIAL_META_DESCRIPTION_LENGTH": 200,
    # og:locale such as "en_US"; None derives it from LOCALE, then DEFAULT_LANG.
    "SOCIAL_META_LOCALE": None,
    # The site's X account for twitter:site, e.g. "@signalreach"; empty leaves it out.
    "SOCIAL_META_X_SITE": "",
    # Mastodon author byline (fediverse:creator): "@you@instance", or {author: "@them@instance"}.
    "SOCIAL_META_FEDIVERSE_CREATOR": "",
    # Profile URLs linked with rel="me" on every page (Mastodon profile verification).
    "SOCIAL_META_REL_ME": [],
    # Image for pages with neither `Image:` nor a social card (path in the output or https URL).
    "SOCIAL_META_DEFAULT_IMAGE": "",
    # Publisher logo for JSON-LD (path in the output or https URL); empty leaves it out.
    "SOCIAL_META_PUBLISHER_LOGO": "",
    # True: a missing title/description/absolute image is an ERROR (fails a --fatal errors build).
    # None: True exactly when RELATIVE_URLS is off, i.e. in production builds (publishconf.py).
    "SOCIAL_META_STRICT": None,
    # Write robots.txt naming the sitemap.
    "SOCIAL_META_ROBOTS_TXT": True,
}

_HANDLE_RE = re.compile(r"^@[A-Za-z0-9_.-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_LOCALE_RE = re.compile(r"^([a-z]{2,3})(?:[_-]([A-Z]{2}))?")


@dataclass(frozen=True)
class MetaSettings:
    site_url: str
    site_name: str
    site_description: str
    author: str
    locale: str
    description_length: int
    x_site: str
    fediverse_creators: Mapping[str, str]  # author name -> handle; "" key = everyone
    rel_me: tuple[str, ...]
    default_image: str
    publisher_logo: str
    strict: bool
    robots_txt: bool


def _locale(settings: Mapping[str, Any]) -> str:
    """og:locale: the explicit setting, else the first usable LOCALE, else DEFAULT_LANG."""
    explicit = settings.get("SOCIAL_META_LOCALE")
    if explicit:
        return str(explicit)
    locales = settings.get("LOCALE") or ()
    for value in [locales] if isinstance(locales, str) else locales:
        match = _LOCALE_RE.match(str(value))
        if match and match.group(2):
            return f"{match.group(1)}_{match.group(2)}"
    return str(settings.get("DEFAULT_LANG") or "en")


def _creators(settings: Mapping[str, Any]) -> dict[str, str]:
    value = settings.get("SOCIAL_META_FEDIVERSE_CREATOR") or {}
    creators = {"": value} if isinstance(value, str) else dict(value)
    for author, handle in creators.items():
        if not _HANDLE_RE.match(str(handle)):
            setting = "SOCIAL_META_FEDIVERSE_CREATOR" + (f"[{author!r}]" if author else "")
            raise SettingsError(setting, handle, "write it as '@name@instance.social'",
                                problem="is not a fediverse handle", owner="social_meta")
    return creators


def _rel_me(settings: Mapping[str, Any]) -> tuple[str, ...]:
    value = settings.get("SOCIAL_META_REL_ME") or []
    links = (value,) if isinstance(value, str) else tuple(value)
    for link in links:
        if not re.match(r"^https?://[^\s/]+", str(link)):
            raise SettingsError("SOCIAL_META_REL_ME", link, "use e.g. "
                                "['https://mastodon.social/@you']", entry=True,
                                problem="is not an http(s) profile URL", owner="social_meta")
    return tuple(str(link) for link in links)


def _length(settings: Mapping[str, Any]) -> int:
    name = "SOCIAL_META_DESCRIPTION_LENGTH"
    return whole_number(name, settings.get(name, DEFAULTS[name]), minimum=50, owner="social_meta",
                        fix="give a number of characters, such as 200 (the default)")


def load_settings(settings: Mapping[str, Any]) -> MetaSettings:
    """Read and validate the SOCIAL_META_* settings (and the site settings they build on)."""
    strict = settings.get("SOCIAL_META_STRICT")
    if strict is None:
        strict = not settings.get("RELATIVE_URLS", False)
    return MetaSettings(
        site_url=str(settings.get("SITEURL") or "").rstrip("/"),
        site_name=str(settings.get("SITENAME") or ""),
        site_description=str(settings.get("SITE_DESCRIPTION") or settings.get("SITESUBTITLE", "")),
        author=str(settings.get("AUTHOR") or ""),
        locale=_locale(settings),
        description_length=_length(settings),
        x_site=str(settings.get("SOCIAL_META_X_SITE") or ""),
        fediverse_creators=_creators(settings),
        rel_me=_rel_me(settings),
        default_image=str(settings.get("SOCIAL_META_DEFAULT_IMAGE") or ""),
        publisher_logo=str(settings.get("SOCIAL_META_PUBLISHER_LOGO") or ""),
        strict=bool(strict),
        robots_txt=bool(settings.get("SOCIAL_META_ROBOTS_TXT", True)),
    )
