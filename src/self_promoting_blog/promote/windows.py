"""Posting windows: when a network may be posted to, in the site's time zone.

A window is written ``"<days> HH:MM-HH:MM"``: days are ``daily``, one day (``Mon``), a range
(``Mon-Fri``) or a list of either (``Sat,Sun``, ``Mon-Wed,Fri``); the end may be ``24:00``.
Times are wall-clock times in ``TIMEZONE`` (zoneinfo), so a window stays at 08:00 across a
daylight-saving change. ``next_open`` says when a post due now may go out: now, inside a window,
else at the start of the next one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from self_promoting_blog.promote.errors import SettingsError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(r"\s*(?P<days>\S+)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*")
EXAMPLE = '"Mon-Fri 08:00-10:00", "daily 07:00-22:00" or "Sat,Sun 10:00-12:00"'


@dataclass(frozen=True)
class Window:
    """Days of the week (0 = Monday) and a span of minutes after midnight, end excluded."""

    days: frozenset[int]
    start: int
    end: int

    def opening(self, day: date, zone: tzinfo) -> tuple[datetime, datetime] | None:
        """This window's span on `day` (in UTC), or None if it is not open that day."""
        if day.weekday() not in self.days:
            return None
        return _at(day, self.start, zone), _at(day, self.end, zone)


def _at(day: date, minutes: int, zone: tzinfo) -> datetime:
    """`minutes` after midnight of `day`, wall clock in `zone`, in UTC (24:00 = next 0:00)."""
    day, minutes = (day + timedelta(days=1), 0) if minutes == 24 * 60 else (day, minutes)
    return datetime.combine(day, time(minutes // 60, minutes % 60), zone).astimezone(UTC)


def _minutes(text: str, setting: str, spec: str) -> int:
    hours, minutes = map(int, text.split(":"))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise SettingsError(setting, f"{spec!r} has the time {text}, which no clock shows",
                            "Write times as HH:MM from 00:00 to 24:00.")
    return hours * 60 + minutes


def _days(text: str, setting: str, spec: str) -> frozenset[int]:
    if text.lower() in ("daily", "every day"):
        return frozenset(range(7))
    days: set[int] = set()
    for part in text.lower().split(","):
        first, _, last = part.partition("-")
        if first[:3] not in DAYS or (last and last[:3] not in DAYS) or len(first) < 3:
            raise SettingsError(setting, f"{spec!r} has the days {text!r}, which are not days "
                                "of the week", f"Write them as in {EXAMPLE}.")
        start, end = DAYS.index(first[:3]), DAYS.index((last or first)[:3])
        days.update(range(start, end + 1) if start <= end else [*range(start, 7),
                                                                 *range(0, end + 1)])
    return frozenset(days)


def parse_window(spec: object, setting: str) -> Window:
    """One window from its text; SettingsError naming `setting` and the fix otherwise."""
    found = _SPEC.fullmatch(spec) if isinstance(spec, str) else None
    if found is None:
        raise SettingsError(setting, f"{spec!r} is not a posting window",
                            f"Write each window as days and hours, e.g. {EXAMPLE}.")
    start = _minutes(found["start"], setting, str(spec))
    end = _minutes(found["end"], setting, str(spec))
    if end <= start:
        raise SettingsError(setting, f"{spec!r} ends before it starts",
                            "A window ends on the day it starts; split one across midnight in "
                            "two, e.g. \"daily 22:00-24:00\" and \"daily 00:00-02:00\".")
    return Window(_days(found["days"], setting, str(spec)), start, end)


def next_open(now: datetime, windows: Iterable[Window], zone: tzinfo) -> datetime:
    """`now` if it falls in one of `windows`, else the start of the next one (UTC).

    No windows: always open.
    """
    windows = tuple(windows)
    if not windows:
        return now
    today = now.astimezone(zone).date()
    for offset in range(-1, 8):  # yesterday: a window may end after midnight (24:00)
        spans = sorted(span for w in windows
                       if (span := w.opening(today + timedelta(days=offset), zone)))
        for start, end in spans:
            if start <= now < end:
                return now
            if start > now:
                return start
    raise AssertionError("a window with days opens within a week")  # parse_window ensures days
