"""What is scheduled and what went out lately, read from the sources (for `invoke calendar`).

Reads content with content_check's parser and entry rules, so Date, Status and slug mean
exactly what they mean to the build.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from self_promoting_blog.content.entries import Entry, read_entries
from self_promoting_blog.content.schedule import is_scheduled
from self_promoting_blog.content.sources import find_sources


@dataclass(frozen=True)
class CalendarItem:
    title: str
    date: datetime  # in the article's (normally the site's) timezone
    category: str | None
    file: str  # as a writer sees it: content/articles/foo.md


@dataclass(frozen=True)
class Calendar:
    now: datetime
    scheduled: tuple[CalendarItem, ...]  # soonest first
    published: tuple[CalendarItem, ...]  # newest first
    drafts: int
    unreadable: tuple[str, ...]  # files left out: no title or no readable date


def _item(entry: Entry) -> CalendarItem:
    assert entry.title is not None and entry.date is not None
    return CalendarItem(entry.title, entry.date, entry.category, entry.source.shown)


def read_calendar(settings: Mapping[str, Any], recent: int = 5,
                  now: datetime | None = None) -> Calendar:
    """Scheduled articles in date order and the ``recent`` most recently published ones."""
    now = now or datetime.now(UTC)
    sources = [s for s in find_sources(settings) if s.kind == "article"]
    entries = read_entries(sources, settings)
    drafts = sum(e.status == "draft" for e in entries)
    live = [e for e in entries if e.status == "published"]
    usable = [e for e in live if e.title and e.date]
    unreadable = tuple(sorted({s.shown for s in sources if s.unreadable}
                              | {e.source.shown for e in live if not (e.title and e.date)}))
    ahead = sorted((_item(e) for e in usable if is_scheduled(e.date, e.status, now)),
                   key=lambda item: item.date)
    behind = sorted((_item(e) for e in usable if not is_scheduled(e.date, e.status, now)),
                    key=lambda item: item.date, reverse=True)
    return Calendar(now, tuple(ahead), tuple(behind[:max(recent, 0)]), drafts, unreadable)
