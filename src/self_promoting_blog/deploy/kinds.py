"""What each file in output/ is: its Content-Type, its Cache-Control, and its upload phase.

Phases run in order so that no live page ever refers to something missing: assets first (a page
may need them), then pages, then feeds and the sitemap (which announce pages); deletions come last.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping
from enum import IntEnum
from pathlib import Path, PurePosixPath


class Kind(IntEnum):
    """Upload phase; the value is the order."""

    ASSET = 1
    PAGE = 2
    FEED = 3


# Longest suffix wins; DEPLOY_CONTENT_TYPES is consulted first. Text types say their charset
# (Pelican writes UTF-8).
# Atom and RSS go out as application/xml, not their registered application/atom+xml and
# application/rss+xml: with those, Chromium shows the raw XML instead of applying the feed's XSL
# page (plugins/feeds), while every feed reader accepts application/xml. DEPLOY_CONTENT_TYPES
# can switch them back.
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".atom": "application/xml; charset=utf-8",
    ".rss": "application/xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".xsl": "text/xsl; charset=utf-8",
    ".xslt": "text/xsl; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".wasm": "application/wasm",
    ".zip": "application/zip",
    ".gz": "application/gzip",
}
JSON_FEED_TYPE = "application/feed+json; charset=utf-8"
_FEED_SUFFIXES = (".xml", ".atom", ".rss")
# A hex hash of 8+ characters (with a letter and a digit) before the extension: style.3fa9c2e1.css.
_FINGERPRINT = re.compile(r"[.\-_](?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{8,64}\.[a-z0-9]+$")


def _suffix_match(rel: str, table: Mapping[str, str]) -> str | None:
    name = PurePosixPath(rel).name.lower()
    matches = [suffix for suffix in table if name.endswith(suffix)]
    return table[max(matches, key=len)] if matches else None


def is_json_feed(path: Path) -> bool:
    """Return True for a JSON Feed (its version URL sits in its first bytes)."""
    with path.open("rb") as handle:
        return b"jsonfeed.org/version" in handle.read(512)


def content_type(rel: str, path: Path, overrides: Mapping[str, str]) -> str:
    """Return the Content-Type to serve `rel` with."""
    chosen = _suffix_match(rel, overrides)
    if chosen:
        return chosen
    if rel.lower().endswith(".json") and is_json_feed(path):
        return JSON_FEED_TYPE
    guessed = mimetypes.guess_type(rel)[0]
    return _suffix_match(rel, CONTENT_TYPES) or guessed or "application/octet-stream"


def kind_of(rel: str, content_type_value: str) -> Kind:
    """Return the phase a file is uploaded in."""
    name = PurePosixPath(rel).name.lower()
    if content_type_value.startswith("text/html"):
        return Kind.PAGE
    if name.endswith(_FEED_SUFFIXES) or name.startswith("sitemap") \
            or content_type_value.startswith(JSON_FEED_TYPE.split(";")[0]):
        return Kind.FEED
    return Kind.ASSET


def cache_control(rel: str, kind: Kind, table: Mapping[str, str]) -> str:
    """Return the Cache-Control for a file: pages and feeds short, fingerprinted assets long."""
    if kind is Kind.PAGE:
        return table["page"]
    if kind is Kind.FEED:
        return table["feed"]
    fingerprinted = _FINGERPRINT.search(PurePosixPath(rel).name.lower())
    return table["fingerprinted"] if fingerprinted else table["asset"]
