"""Feed files kept between builds and copied while everything their bytes come from is the same.

A feed file's bytes are made from its format, its own URL, its FeedMeta and the FeedItems of its
entries in order (each item holds all its entry says: the content with absolute links, the dates,
the card's size...), by this plugin's code, feedgen, lxml (with its libxml2) and Python's json.
So a file is kept under the SHA-256 of exactly those values, in a folder named by the code and
library versions (`code_fingerprint`): a warm build still builds every item, which is cheap, and
renders only the feeds whose key it lacks (an edited article's site, category and tag feeds, or
every feed after a FEEDS_* setting or the plugin's code changed); the others are taken from it.

A kept file and the output's feed are one file with two names (a hard link, where the cache and
the output share a file system; else a copy), so taking one copies no bytes. Whatever wrote a
feed in place after the build (a plugin writing over that path, an editor opening the output's
file) would change the kept file too; so each is named with its size and modification time as
stored, ``<key>-<size>-<mtime in ns>``, and one that no longer has both is not used (any write
sets the time) but rendered again.

``CACHE_PATH/feeds/<fingerprint of the code and the site's URL>/<name>``: development and
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
from self_promoting_blog.build.linking import link_or_copy
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


def _stored_name(key: str, kept: os.stat_result) -> str:
    return f"{key}-{kept.st_size}-{kept.st_mtime_ns}"


@dataclass
class FeedFileCache:
    """The stored feed files of one code version and site URL, and those this build used."""

    folder: Path
    names: set[str]  # every file in the folder when the build started
    stored: dict[str, str] = field(default_factory=dict)  # key: its file's name
    used: set[str] = field(default_factory=set)
    reused: int = 0

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
            names = set(os.listdir(folder))
        except FileNotFoundError:
            names = set()
        stored = {name.split("-", 1)[0]: name for name in names if name.count("-") == 2}
        return cls(folder, names, stored)

    @staticmethod
    def key(fmt: str, url: str, meta: FeedMeta, items: Iterable[str]) -> str:
        """The key of one feed file: its format, URL, feed-level values and entries' keys."""
        return _digest(fmt, url, repr(meta), meta.updated.isoformat(), *items)

    def take(self, key: str, target: Path) -> bool:
        """Put the stored file of `key` at `target`; False when there is none, or it changed."""
        name = self.stored.get(key)
        if name is None:
            return False
        kept = self.folder / name
        try:
            if _stored_name(key, os.stat(kept)) != name:
                return False  # written in place since it was stored: pruned as unused
            link_or_copy(kept, target)
        except FileNotFoundError:  # removed meanwhile by a build sharing the cache
            return False
        self.used.add(name)
        self.reused += 1
        return True

    def store(self, key: str, written: Path) -> None:
        """Keep the file just written under `key`."""
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".{key}.tmp-{os.getpid()}"
        try:
            link_or_copy(written, temporary)
            name = _stored_name(key, os.stat(temporary))
            os.replace(temporary, self.folder / name)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            logger.warning("feeds: a feed could not be kept in the cache %s: %s", self.folder, exc)
            return
        self.stored[key] = name
        self.used.add(name)

    def prune(self) -> None:
        """Remove this folder's files the build did not use, and the older folders."""
        for name in self.names - self.used:
            (self.folder / name).unlink(missing_ok=True)
        if not self.folder.is_dir():
            return
        os.utime(self.folder)  # the most recently used folder
        others = sorted((p for p in self.folder.parent.iterdir() if p != self.folder),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in others[KEEP_FOLDERS - 1:]:
            shutil.rmtree(stale, ignore_errors=True)

