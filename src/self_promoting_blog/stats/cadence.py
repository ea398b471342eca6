"""When a post is asked about again: often while it is young, rarely once it is old (as Bridgy
polls): every hour for its first two days, every day until it is a month old, every week after.

At that pace 5,000 articles on 8 networks cost each network about 5,000 / 7 ≈ 715 requests a day
once they are old, some 30 an hour from an hourly run, far inside every limit (Mastodon's is 300
per 5 minutes). ``MAX_PER_RUN`` caps one run's posts per network, so even the first run over a
big ledger, when every post is due, sends no burst a network would refuse; the rest are due on
the next run, most overdue first. A post the network reported deleted is never due again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from self_promoting_blog.promote.rows import Row
from self_promoting_blog.promote.samples import Latest, Sample

HOUR, DAY = 3600.0, 86400.0
WEEK = 7 * DAY
# (age below which, interval between two fetches), youngest first.
CADENCE = ((2 * DAY, HOUR), (30 * DAY, DAY))
# A run a little early still counts (a scheduler starts hourly runs a few minutes apart).
EARLY = 0.1
# At most this many posts per network per run: under Mastodon's 300 requests per 5 minutes even
# when a network answers one post a request and every one of them is due at once (a post with
# replies costs Mastodon a second request: a limit met then is waited out or ends the run).
MAX_PER_RUN = 250


def interval(age: float) -> float:
    """Seconds between two fetches of a post `age` seconds old."""
    return next((every for below, every in CADENCE if age < below), WEEK)


@dataclass(frozen=True)
class Due:
    """A post to ask about now: its ledger row and the last sample fetched of it."""

    row: Row
    last: Sample | None
    overdue: float  # seconds past when it was due (the first fetch: its age)


def readable(row: Row) -> bool:
    """A row whose post can be asked about: posted, with the network's id of it."""
    return row.state == "posted" and bool(row.post_id)


def due_posts(rows: Iterable[Row], latest: Latest,
              now: float) -> list[Due]:
    """The posts due at `now`, by the `latest` sample of each, most overdue first (a post never
    fetched is due at once)."""
    due = []
    for row in filter(readable, rows):
        last = latest.get((row.url, row.network, row.account))
        if last is None:
            due.append(Due(row, None, now - row.updated))
            continue
        if last.gone:
            continue
        wait = interval(last.fetched - row.updated) * (1 - EARLY)
        if now - last.fetched >= wait:
            due.append(Due(row, last, now - last.fetched - wait))
    return sorted(due, key=lambda d: (d.last is not None, -d.overdue))
