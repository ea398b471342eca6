"""Which articles a feed may carry: published, not hidden, not scheduled; newest first."""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from typing import Any, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def site_timezone(name: str | None) -> tzinfo:
    """Return Pelican's TIMEZONE as a tzinfo (UTC when unset or unknown)."""
    try:
        return ZoneInfo(name) if name else timezone.utc
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def aware(moment: datetime, tz: tzinfo) -> datetime:
    """Give a naive datetime the site's timezone; Pelican normally has done so already."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def is_feedable(article: Any, now: datetime, tz: tzinfo) -> bool:
    """Tell whether an article may appear in a feed at `now`.

    Pelican already keeps drafts and hidden articles out of its article lists, but a dev build
    (WITH_FUTURE_DATES = True) keeps scheduled ones in, and another plugin may add articles, so
    the status and the date are checked here again.
    """
    if getattr(article, "status", "published") != "published":
        return False
    date = getattr(article, "date", None)
    return isinstance(date, datetime) and aware(date, tz) <= now


def select_articles(articles: Iterable[Any], now: datetime, tz: tzinfo,
                    limit: int | None) -> list[Any]:
    """Return the feedable articles, newest first (ties by slug, so the order is stable)."""
    chosen = [article for article in articles if is_feedable(article, now, tz)]
    chosen.sort(key=lambda a: a.slug)
    chosen.sort(key=lambda a: aware(a.date, tz), reverse=True)
    return chosen if limit is None else chosen[:limit]
