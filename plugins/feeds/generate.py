"""Write every channel in every format, building each article's entry once.

Channels are written one at a time, and an article's cached pieces (entry XML, JSON item) are
dropped after the last channel that lists it, so memory holds one feed's documents and the
pieces of the articles that later feeds still list, not every feed of the build. A feed whose
file the build cache holds (file_cache.py: keyed by every value its bytes come from) is taken
from there instead of rendered.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from feeds.absolutize import is_absolute
from feeds.atom_rss import FeedMeta, atom_document, build_entry, rss_document
from feeds.channels import Channel, absolute
from feeds.entries import FeedItem, build_item
from feeds.entry_xml import SharedEntry
from feeds.file_cache import FeedFileCache, item_key
from feeds.json_feed import item_json, json_document
from feeds.sanitize import xml_safe
from feeds.selection import Selection, aware
from feeds.settings import FeedsSettings

logger = logging.getLogger(__name__)


@dataclass
class _Built:
    item: FeedItem
    # Each made on first use: a setup without JSON Feed or without Atom and RSS skips one.
    json: bytes | None = None
    entry: SharedEntry | None = None
    key: str = ""  # file_cache.item_key, when the cache is on


@dataclass
class Report:
    """What a run wrote, for the build log."""

    files: list[Path] = field(default_factory=list)
    entries: int = 0  # distinct articles across all feeds


@dataclass
class FeedWriter:
    """Serialise channels to `output_path`; caches each article's pieces until its last feed."""

    settings: FeedsSettings
    output_path: Path
    now: datetime
    tz: tzinfo
    files: FeedFileCache | None = None
    _cache: dict[int, _Built] = field(default_factory=dict)
    _xml_formats: frozenset[str] = frozenset()  # the XML formats some channel writes
    _folders: set[Path] = field(default_factory=set)  # made already: one mkdir per folder

    def write_all(self, channels: list[Channel]) -> Report:
        """Write each channel's files and report them."""
        report = Report()
        # Every channel's articles, not just the site feed's: that one may be switched off.
        candidates = {id(a): a for channel in channels for a in channel.articles}.values()
        selection = Selection(candidates, self.now, self.tz, self.settings.max_items)
        selections = [selection.pick(c.articles) for c in channels]
        remaining = Counter(id(article) for selected in selections for article in selected)
        self._xml_formats = frozenset(link.format for c in channels for link in c.links
                                      if link.format != "json")
        # The site feed's newest entry dates an empty category or tag feed, not the clock, so an
        # unchanged site rebuilds into byte-identical feeds.
        fallback = max((aware(a.date, self.tz) for s in selections for a in s[:1]),
                       default=self.now)
        icon = self._icon()
        for channel, selected in zip(channels, selections, strict=True):
            report.files += self._write_channel(channel, selected, fallback, icon)
            self._release(selected, remaining)
        report.entries = len(remaining)
        return report

    def _build(self, article: Any) -> _Built:
        key = id(article)
        if key not in self._cache:
            item = build_item(article, self.settings, self.output_path, self.tz)
            self._cache[key] = _Built(item, key=item_key(item) if self.files else "")
        return self._cache[key]

    def _release(self, articles: list[Any], remaining: Counter[int]) -> None:
        """Drop an article's cached pieces once the last channel that lists it is written."""
        for article in articles:
            key = id(article)
            remaining[key] -= 1
            if not remaining[key]:
                del self._cache[key]

    def _json(self, built: _Built) -> bytes:
        if built.json is None:
            built.json = item_json(built.item)
        return built.json

    def _entry(self, built: _Built, meta: FeedMeta) -> SharedEntry:
        if built.entry is None:
            built.entry = SharedEntry(build_entry(built.item, meta), built.item.content_html,
                                      self._xml_formats)
        return built.entry

    def _meta(self, channel: Channel, built: list[_Built], fallback: datetime,
              icon: str) -> FeedMeta:
        updated = max((b.item.updated for b in built), default=fallback)
        s = self.settings
        return FeedMeta(
            title=xml_safe(channel.title), subtitle=xml_safe(s.subtitle),
            home_url=channel.home_url, language=s.language, author=xml_safe(s.author),
            icon=icon, updated=updated.replace(microsecond=0),
            category_scheme=absolute(s, s.categories_path), tag_scheme=absolute(s, s.tags_path))

    def _write_channel(self, channel: Channel, selected: list[Any], fallback: datetime,
                       icon: str) -> list[Path]:
        built = [self._build(article) for article in selected]
        meta = self._meta(channel, built, fallback, icon)
        written = []
        for link in channel.links:
            target = self.output_path / link.path
            if target.parent not in self._folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                self._folders.add(target.parent)
            written.append(target)
            key = (self.files.key(link.format, link.url, meta, [b.key for b in built])
                   if self.files else "")
            if self.files and self.files.take(key, target):
                continue
            if link.format == "json":
                pieces = json_document(meta, [self._json(b) for b in built], link.url)
            else:
                entries = [self._entry(b, meta) for b in built]
                serialise = atom_document if link.format == "atom" else rss_document
                pieces = serialise(meta, entries, link.url)
            # A new file: one left at this path by an earlier build may be a kept file's name.
            target.unlink(missing_ok=True)
            with target.open("wb") as file:
                file.writelines(pieces)
            if self.files:
                self.files.store(key, target)
        return written

    def _icon(self) -> str:
        icon = self.settings.icon
        if not icon or is_absolute(icon):
            return icon
        if not (self.output_path / icon.lstrip("/")).is_file():
            logger.warning("feeds: FEEDS_ICON %r is not in the built site (%s), so the feeds "
                           "go out without an icon. Fix: point FEEDS_ICON at an image the theme "
                           "or STATIC_PATHS copies, or set FEEDS_ICON = \"\" to go without.",
                           icon, self.output_path / icon.lstrip("/"))
            return ""
        return absolute(self.settings, icon)
