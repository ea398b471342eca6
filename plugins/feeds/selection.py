"""Which articles a feed may carry: published, not hidden, not scheduled; newest first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def site_timezone(name: str | None) -> tzinfo:
    """Return Pelican's TIMEZONE as a tzinfo (UTC when unset or unknown)."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


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


class Selection:
    """Rank the feedable articles once; each feed then takes its members in that order.

    The site, every category and every tag draw from the same articles, so the checks and the
    sort by date happen once per build, not once per feed.
    """

    def __init__(self, articles: Iterable[Any], now: datetime, tz: tzinfo,
                 limit: int | None) -> None:
        chosen = [article for article in articles if is_feedable(article, now, tz)]
        chosen.sort(key=lambda a: a.slug)  # ties on the date: a stable, repeatable order
        chosen.sort(key=lambda a: aware(a.date, tz), reverse=True)
        self._rank = {id(article): rank for rank, article in enumerate(chosen)}
        self.limit = limit

    def pick(self, members: Iterable[Any]) -> list[Any]:
        """Return the feedable members, newest first, at most `limit` of them."""
        rank = self._rank
        chosen = sorted((a for a in members if id(a) in rank), key=lambda a: rank[id(a)])
        return chosen if self.limit is None else chosen[: self.limit]
