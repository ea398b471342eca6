"""Feed files kept between builds and copied while everything their bytes come from is the same.

A feed file's bytes are made from its format, its own URL, its FeedMeta and the FeedItems of its
entries in order (each item holds all its entry says: the content with absolute links, the dates,
the card's size...), by this plugin's code, feedgen, lxml (with its libxml2) and Python's json.
So a file is kept under the SHA-256 of exactly those values, in a folder named by the code and
library versions (`code_fingerprint`): a warm build still builds every item, which is cheap, and
renders only the feeds whose key it lacks (an edited article's site, category and tag feeds, or
every feed after a FEEDS_* setting or the plugin's code changed); the others are copied.

``CACHE_PATH/feeds/<fingerprint of the code and the site's URL>/<key>``: development and
production builds (two URLs) keep a folder each; a build removes the files of its folder it did
not use, and the least recently used folders beyond a few. A file is stored by rename, so a
crashed build leaves no half-written entry. BUILD_CACHE = False turns the cache off.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from feeds.atom_rss import FeedMeta
from feeds.entries import FeedItem
from self_promoting_blog.build.fingerprint import TextDigest, code_fingerprint
from self_promoting_blog.build.settings import load_settings as build_settings

logger = logging.getLogger(__name__)

FOLDER = "feeds"
KEEP_FOLDERS = 4
LIBRARIES = ("feedgen", "lxml")


def _digest(*parts: str) -> str:
    digest = TextDigest()
    digest(*parts)
    return digest.hexdigest()


def item_key(item: FeedItem) -> str:
    """The key of everything one entry says; the dates also by their UTC offset (tz rules)."""
    return _digest(repr(item), item.published.isoformat(), item.updated.isoformat())


@dataclass
class FeedFileCache:
    """The stored feed files of one code version and site URL, and those this build used."""

    folder: Path
    stored: set[str]
    used: set[str] = field(default_factory=set)
    copied: int = 0

    @classmethod
    def open(cls, settings: Mapping[str, Any], base_url: str) -> FeedFileCache | None:
        """The cache for this build, or None when BUILD_CACHE is off."""
        if not build_settings(settings).cache:
            return None
        package = __name__.split(".")[0]
        fingerprint = code_fingerprint([package], LIBRARIES,
                                       ".".join(map(str, etree.LIBXML_VERSION)), base_url)
        folder = Path(settings["CACHE_PATH"]) / FOLDER / fingerprint
        try:
            stored = set(os.listdir(folder))
        except FileNotFoundError:
            stored = set()
        return cls(folder, stored)

    @staticmethod
    def key(fmt: str, url: str, meta: FeedMeta, items: Iterable[str]) -> str:
        """The key of one feed file: its format, URL, feed-level values and entries' keys."""
        return _digest(fmt, url, repr(meta), meta.updated.isoformat(), *items)

    def copy(self, key: str, target: Path) -> bool:
        """Write the stored file of `key` to `target`; False when there is none."""
        if key not in self.stored:
            return False
        try:
            shutil.copyfile(self.folder / key, target)
        except FileNotFoundError:  # removed meanwhile by a build sharing the cache
            return False
        self.used.add(key)
        self.copied += 1
        return True

    def store(self, key: str, written: Path) -> None:
        """Keep a copy of the file just written under `key`."""
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".{key}.tmp-{os.getpid()}"
        try:
            shutil.copyfile(written, temporary)
            os.replace(temporary, self.folder / key)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            logger.warning("feeds: a feed could not be kept in the cache %s: %s", self.folder, exc)
            return
        self.used.add(key)

    def prune(self) -> None:
        """Remove this folder's files the build did not use, and the older folders."""
        for name in self.stored - self.used:
            (self.folder / name).unlink(missing_ok=True)
        if not self.folder.is_dir():
            return
        os.utime(self.folder)  # the most recently used folder
        others = sorted((p for p in self.folder.parent.iterdir() if p != self.folder),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in others[KEEP_FOLDERS - 1:]:
            shutil.rmtree(stale, ignore_errors=True)

