"""Write every channel in every format, building each article's entry once."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from feedgen.entry import FeedEntry

from .absolutize import is_absolute
from .atom_rss import FeedMeta, atom_document, build_entry, rss_document
from .channels import Channel, absolute
from .entries import FeedItem, build_item
from .json_feed import item_object, json_document
from .sanitize import xml_safe
from .selection import Selection, aware
from .settings import FeedsSettings

logger = logging.getLogger(__name__)


@dataclass
class _Built:
    item: FeedItem
    json: dict[str, Any]
    entry: FeedEntry | None = None  # made on first use: a JSON-only setup never needs it


@dataclass
class Report:
    """What a run wrote, for the build log."""

    files: list[Path] = field(default_factory=list)
    entries: int = 0  # distinct articles across all feeds


@dataclass
class FeedWriter:
    """Serialise channels to `output_path`; caches each article's pieces for the whole run."""

    settings: FeedsSettings
    output_path: Path
    now: datetime
    tz: tzinfo
    _cache: dict[int, _Built] = field(default_factory=dict)

    def write_all(self, channels: list[Channel]) -> Report:
        """Write each channel's files and report them."""
        report = Report()
        # Every channel's articles, not just the site feed's: that one may be switched off.
        candidates = {id(a): a for channel in channels for a in channel.articles}.values()
        selection = Selection(candidates, self.now, self.tz, self.settings.max_items)
        selections = [selection.pick(c.articles) for c in channels]
        # The site feed's newest entry dates an empty category or tag feed, not the clock, so an
        # unchanged site rebuilds into byte-identical feeds.
        fallback = max((aware(a.date, self.tz) for s in selections for a in s[:1]),
                       default=self.now)
        icon, stylesheets = self._icon(), self._stylesheets()
        for channel, selected in zip(channels, selections):
            built = [self._build(article) for article in selected]
            meta = self._meta(channel, built, fallback, icon)
            report.files += self._write_channel(channel, meta, built, stylesheets)
        report.entries = len(self._cache)
        return report

    def _build(self, article: Any) -> _Built:
        key = id(article)
        if key not in self._cache:
            item = build_item(article, self.settings, self.output_path, self.tz)
            self._cache[key] = _Built(item, item_object(item))
        return self._cache[key]

    def _entry(self, built: _Built, meta: FeedMeta) -> FeedEntry:
        if built.entry is None:
            built.entry = build_entry(built.item, meta)
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

    def _write_channel(self, channel: Channel, meta: FeedMeta, built: list[_Built],
                       stylesheets: list[tuple[str, str]]) -> list[Path]:
        written = []
        for link in channel.links:
            if link.format == "json":
                data = json_document(meta, [b.json for b in built], link.url)
            else:
                entries = [self._entry(b, meta) for b in built]
                serialise = atom_document if link.format == "atom" else rss_document
                data = serialise(meta, entries, link.url, stylesheets)
            target = self.output_path / link.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written.append(target)
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

    def _stylesheets(self) -> list[tuple[str, str]]:
        """Return the (type, href) of the feed XSLT and of its CSS fallback beside it.

        Browsers apply an XSLT only from the feed's own origin, so each href is a path from the
        host root: the page then works whether the site is opened as 127.0.0.1, localhost or its
        domain. Browsers are dropping XSLT; those without it use the CSS (same name, `.css`).
        """
        sheet = self.settings.stylesheet
        if not sheet:
            return []
        if not (self.output_path / sheet).is_file():
            logger.warning("feeds: the feed stylesheet %s is missing, so a browser shows Atom "
                           "and RSS feeds as raw XML. Fix: keep xsl/feed.xsl in the theme's "
                           "static folder, or set FEEDS_STYLESHEET = \"\" to go without.",
                           self.output_path / sheet)
            return []
        root = urlsplit(self.settings.base_url).path
        found = [("text/xsl", f"{root}/{sheet}")]
        css = sheet.rsplit(".", 1)[0] + ".css"
        if (self.output_path / css).is_file():
            found.append(("text/css", f"{root}/{css}"))
        return found
