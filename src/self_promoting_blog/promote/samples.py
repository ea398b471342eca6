"""Engagement samples: what each announced post had earned each time `invoke stats` asked.

A time series, never one overwritten number: every fetch adds one ``Sample`` per post and nothing
is ever rewritten, so two runs that overlap both keep theirs. The samples live in the ledger's
store beside the announcement rows and never change them: a ``samples`` table in the SQLite
ledger file (``samples_sqlite.py``), or (PROMOTE_LEDGER = "bucket") objects beside the ledger
object (``samples_bucket.py``); ``samples_sqlite.open_samples`` opens the one the settings
name. A sample with ``gone`` says the network reported the post deleted.

The series grows without end (hourly, then daily, then weekly, for every post), so what needs only
each post's newest sample (the build's "Also on" counts, evergreen's pick, the calendar, the
stats table) asks the store's ``latest()``, which reads one sample a post; only the stats report
reads the whole series.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from self_promoting_blog.promote.rows import Row

COUNTS = ("likes", "reposts", "replies", "quotes")


@dataclass(frozen=True)
class Sample:
    """One post's counts at one fetch (None: the network does not count that kind)."""

    url: str
    network: str
    account: str
    post_id: str
    fetched: float
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    gone: bool = False

    def key(self) -> tuple[str, str, str, float]:
        """What makes a sample unique: the post (article, network, account) and when."""
        return self.url, self.network, self.account, self.fetched

    def post(self) -> tuple[str, str, str]:
        """Which post it counts: (article URL, network, account)."""
        return self.url, self.network, self.account

    def total(self) -> int:
        """Every interaction counted."""
        return sum(getattr(self, name) or 0 for name in COUNTS)


# The newest sample of each post, by `Sample.post()`.
Latest = dict[tuple[str, str, str], Sample]


class SampleStore(Protocol):
    """Where samples are kept: added in batches, read back whole or newest-per-post."""

    def add(self, samples: Sequence[Sample]) -> None: ...
    def samples(self) -> list[Sample]: ...
    def latest(self) -> Latest: ...
    def close(self) -> None: ...


def latest_samples(samples: Iterable[Sample], into: Latest | None = None) -> Latest:
    """The newest sample of each post (added to `into`, which it returns, when given)."""
    latest: Latest = {} if into is None else into
    for sample in samples:
        key = sample.post()
        if key not in latest or sample.fetched >= latest[key].fetched:
            latest[key] = sample
    return latest


def article_totals(rows: Iterable[Row], latest: Latest) -> dict[str, int]:
    """Every article's interactions (all its posts, every network) at the `latest` samples."""
    totals: dict[str, int] = {}
    for row in rows:
        sample = latest.get((row.url, row.network, row.account))
        if sample is not None:
            totals[row.article] = totals.get(row.article, 0) + sample.total()
    return totals
