"""The feeds plugin's settings: defaults, validation, and the one place they are read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from self_promoting_blog.errors import SettingsError
from self_promoting_blog.settings import whole_number

FORMATS = ("atom", "rss", "json")
SCOPES = ("ALL", "CATEGORY", "TAG")

DEFAULTS: dict[str, Any] = {
    "FEEDS_ALL_ATOM": "feeds/all.atom.xml",
    "FEEDS_ALL_RSS": "feeds/all.rss.xml",
    "FEEDS_ALL_JSON": "feeds/all.json",
    "FEEDS_CATEGORY_ATOM": "feeds/category/{slug}.atom.xml",
    "FEEDS_CATEGORY_RSS": "feeds/category/{slug}.rss.xml",
    "FEEDS_CATEGORY_JSON": "feeds/category/{slug}.json",
    "FEEDS_TAG_ATOM": "feeds/tag/{slug}.atom.xml",
    "FEEDS_TAG_RSS": "feeds/tag/{slug}.rss.xml",
    "FEEDS_TAG_JSON": "feeds/tag/{slug}.json",
    # Pelican's own name, so a Pelican user finds it; Pelican pre-fills 100, pelicanconf sets 20.
    "FEED_MAX_ITEMS": 20,
    # Where feed links point when SITEURL is empty (a development build served by `invoke serve`).
    "FEEDS_DEV_SITEURL": "http://127.0.0.1:8000",
    "FEEDS_SUBTITLE": None,  # None: SITESUBTITLE, else SITE_DESCRIPTION
    # None: "<THEME_STATIC_DIR>/images/feed-icon.png"; else a site path or a URL; "" for none
    "FEEDS_ICON": None,
    "FEEDS_CATEGORY_TITLE": "{site}: {name}",
    "FEEDS_TAG_TITLE": "{site}: articles tagged {name}",
}


@dataclass(frozen=True)
class FeedsSettings:
    """Validated settings; `paths[scope][format]` is a save-as path or None when switched off."""

    paths: Mapping[str, Mapping[str, str | None]]
    max_items: int | None
    base_url: str
    dev_build: bool
    site_name: str
    subtitle: str
    author: str
    language: str
    icon: str
    category_title: str
    tag_title: str
    categories_path: str  # the page listing every category, relative to the site root
    tags_path: str


def _path(name: str, value: object, needs_slug: bool) -> str | None:
    """Check one feed path: relative, inside the output, with {slug} where it varies."""
    if value in (None, "", False):
        return None
    if not isinstance(value, str):
        raise SettingsError(name, value, 'give a path such as "feeds/all.atom.xml", or None to '
                            "switch this feed off", owner="feeds")
    if value.startswith("/") or ".." in value.split("/") or value.endswith("/"):
        raise SettingsError(name, value, "give a file path relative to the output folder, "
                            'without a leading "/" or "..", e.g. "feeds/all.atom.xml"',
                            owner="feeds")
    if needs_slug and "{slug}" not in value:
        raise SettingsError(name, value, 'include "{slug}" so each category or tag gets its '
                            'own file, e.g. "feeds/tag/{slug}.atom.xml"', owner="feeds")
    return value


def _paths(get: Any) -> dict[str, dict[str, str | None]]:
    paths = {scope: {fmt: _path(f"FEEDS_{scope}_{fmt.upper()}",
                                get(f"FEEDS_{scope}_{fmt.upper()}"), scope != "ALL")
                     for fmt in FORMATS} for scope in SCOPES}
    seen: dict[str, str] = {}
    for scope in SCOPES:
        for fmt, path in paths[scope].items():
            if path is None:
                continue
            name = f"FEEDS_{scope}_{fmt.upper()}"
            if path in seen:
                raise SettingsError(name, path, f"{seen[path]} already writes this file; "
                                    "give each feed its own path", owner="feeds")
            seen[path] = name
    return paths


def _max_items(value: object) -> int | None:
    if value is None:
        return None
    return whole_number("FEED_MAX_ITEMS", value, minimum=1, owner="feeds", problem="cannot work",
                        fix="give a whole number of entries per feed, at least 1 (or None for "
                            "every article)")


def _base_url(siteurl: str, dev_siteurl: object) -> tuple[str, bool]:
    """Return the absolute base every feed URL starts with, and whether this is a dev build."""
    dev = not siteurl
    name, value = ("FEEDS_DEV_SITEURL", dev_siteurl) if dev else ("SITEURL", siteurl)
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(name, value, "feeds need an absolute http(s) address such as "
                            '"https://example.com" to build links that work in a feed reader',
                            owner="feeds")
    return str(value).rstrip("/"), dev


def _page_path(save_as: object) -> str:
    """Turn a SAVE_AS path into the URL path readers see ("tags/index.html" -> "tags/")."""
    path = str(save_as or "")
    return path[: -len("index.html")] if path.endswith("index.html") else path


def load_settings(pelican_settings: Mapping[str, Any]) -> FeedsSettings:
    """Read every setting this plugin uses from Pelican's settings, or raise SettingsError."""

    def get(name: str) -> Any:
        return pelican_settings.get(name, DEFAULTS[name])

    base_url, dev = _base_url(pelican_settings.get("SITEURL") or "", get("FEEDS_DEV_SITEURL"))
    static_dir = pelican_settings.get("THEME_STATIC_DIR", "theme")
    icon = get("FEEDS_ICON")
    icon = f"{static_dir}/images/feed-icon.png" if icon is None else icon
    subtitle = get("FEEDS_SUBTITLE")
    if subtitle is None:
        subtitle = (pelican_settings.get("SITESUBTITLE")
                    or pelican_settings.get("SITE_DESCRIPTION") or "")
    for name in ("FEEDS_CATEGORY_TITLE", "FEEDS_TAG_TITLE"):
        if "{name}" not in str(get(name)):
            raise SettingsError(name, get(name), 'include "{name}" (the category or tag) and '
                                'optionally "{site}", e.g. "{site}: {name}"', owner="feeds")
    return FeedsSettings(
        paths=_paths(get),
        max_items=_max_items(get("FEED_MAX_ITEMS")),
        base_url=base_url,
        dev_build=dev,
        site_name=str(pelican_settings.get("SITENAME") or base_url),
        subtitle=str(subtitle),
        author=str(pelican_settings.get("AUTHOR") or ""),
        language=str(pelican_settings.get("DEFAULT_LANG") or "en"),
        icon=str(icon or ""),
        category_title=str(get("FEEDS_CATEGORY_TITLE")),
        tag_title=str(get("FEEDS_TAG_TITLE")),
        categories_path=_page_path(pelican_settings.get("CATEGORIES_SAVE_AS")),
        tags_path=_page_path(pelican_settings.get("TAGS_SAVE_AS")),
    )
