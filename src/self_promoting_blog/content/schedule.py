"""When is an article scheduled: one rule, shared by the build plugin and `invoke calendar`."""

from __future__ import annotations

from datetime import UTC, datetime


def now_like(date: datetime) -> datetime:
    """The current time, comparable with date (Pelican compares naive dates with naive now)."""
    return datetime.now(UTC) if date.tzinfo else datetime.now()


def is_scheduled(date: datetime | None, status: str, now: datetime | None = None) -> bool:
    """True when the writer means it to go live by itself later: a future Date, not a draft."""
    if date is None or status == "draft":
        return False
    return date > (now if now is not None else now_like(date))
