"""What Pelican will make of a source file: title, date, slug, status… computed as Pelican does.

Shared by the rules, `invoke calendar` (plugins/scheduling) and `invoke new`, so the header is
parsed once and the date, slug and status rules exist in one place.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from pelican.readers import ensure_metadata_list, parse_path_metadata
from pelican.utils import SafeDatetime, get_date, set_date_tzinfo, slugify

from self_promoting_blog.content.header import Source

# A value with the shape of a numeric date and time: when it still fails, a part is out of range.
DATE_PARTS = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T_]+(\d{1,2}):(\d{1,2}))?")
# YYYY-MM-DD[ HH:MM[:SS]], the form writers use: read directly, as dateutil reads it (year first,
# unset parts zero), because dateutil takes ~0.1 ms a date. Anything else goes to dateutil.
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
                      r"(?: +([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?)?")


@dataclass(frozen=True)
class Entry:
    """The values Pelican will use for one source file; None where it has none."""

    source: Source
    title: str | None
    date: datetime | None  # timezone-aware; None when missing or unreadable
    status: str
    slug: str | None
    lang: str
    category: str | None
    tags: tuple[str, ...]

    @property
    def kind(self) -> str:
        return self.source.kind


def parse_date(text: str, timezone: str) -> datetime:
    """Parse a Date value like Pelican's reader, in the given timezone; ValueError if it can't."""
    text = text.replace("_", " ")
    return set_date_tzinfo(_iso_date(text) or get_date(text), timezone)


def _iso_date(text: str) -> datetime | None:
    """The date of a plain YYYY-MM-DD[ HH:MM[:SS]] text; None for any other text or a date
    that does not exist (dateutil then decides, so results and errors stay Pelican's)."""
    match = ISO_DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return SafeDatetime(*(int(part) for part in match.groups() if part is not None))
    except ValueError:
        return None


def impossible_part(text: str) -> tuple[str, str] | None:
    """For a well-shaped date that is not on the calendar (2026-02-30, 2026-03-01 25:00): what
    does not exist, and the fix. None when the text is not shaped like one."""
    match = DATE_PARTS.match(text)
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups()[:3])
    if not 1 <= month <= 12:
        return f"there is no month {month}", "pick a month from 01 to 12"
    days = calendar.monthrange(year, month)[1]
    if day == 0:
        return "there is no day 0", "pick a day that exists"
    if day > days:
        return (f"{calendar.month_name[month]} {year} has {days} days", "pick a day that exists")
    hour, minute = (int(part) if part else 0 for part in match.groups()[3:])
    if hour > 23 or minute > 59:
        return (f"{hour:02d}:{minute:02d} is not a time of day",
                "pick a time from 00:00 to 23:59")
    return None


def example_date() -> str:
    """A date to show in help and messages that is in the future whenever it is read."""
    return f"{datetime.now().year + 1}-01-15 09:00"


def slug_from(value: str, settings: Mapping[str, Any]) -> str:
    """Slugify like Pelican's Content does, with the site's substitutions."""
    return slugify(value, regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
                   preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
                   use_unicode=settings.get("SLUGIFY_USE_UNICODE", False))


def _slug(source: Source, title: str | None, path_meta: dict[str, str],
          settings: Mapping[str, Any]) -> str | None:
    written = (source.value("slug") or path_meta.get("slug") or "").strip()
    if written:
        return written
    if settings.get("SLUGIFY_SOURCE", "title") == "basename":
        return slug_from(PurePosixPath(source.rel).stem, settings)
    return slug_from(title, settings) if title else None


def _date(source: Source, path_meta: dict[str, str],
          settings: Mapping[str, Any]) -> datetime | None:
    text = source.value("date") or path_meta.get("date")
    default = settings.get("DEFAULT_DATE")
    if not text and isinstance(default, str) and default != "fs":
        text = default
    if not text:
        return None
    timezone = source.value("timezone") or settings.get("TIMEZONE") or "UTC"
    try:
        return parse_date(text, timezone)
    except (ValueError, OverflowError, KeyError):
        return None


def read_entry(source: Source, settings: Mapping[str, Any]) -> Entry:
    """Interpret one parsed source with the site's settings."""
    path_meta = {k: v for k, v in parse_path_metadata(source.rel, settings).items()
                 if isinstance(v, str) and k in {"date", "slug"}}
    title = source.value("title")
    title = title.strip() if title and title.strip() else None
    status = (source.value("status") or "").strip() or "published"
    lang = (source.value("lang") or settings.get("DEFAULT_LANG", "en")).strip().lower()
    category = (source.value("category") or "").strip() or None
    tags = tuple(ensure_metadata_list(source.value("tags") or ""))
    return Entry(source, title, _date(source, path_meta, settings), status,
                 _slug(source, title, path_meta, settings), lang, category, tags)


def read_entries(sources: list[Source], settings: Mapping[str, Any]) -> list[Entry]:
    return [read_entry(s, settings) for s in sources if s.unreadable is None]
