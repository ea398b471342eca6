"""Engagement samples in the SQLite ledger file: a ``samples`` table beside the ledger's ``posts``
(which it never touches), and ``open_samples``, which opens the samples PROMOTE_LEDGER names."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from self_promoting_blog.promote.rows import Row
from self_promoting_blog.promote.samples import COUNTS, Sample, SampleStore, article_totals
from self_promoting_blog.promote.sqlite_table import SqliteTable

_COLUMNS = ("url", "network", "account", "post_id", "fetched", *COUNTS, "gone")


class SqliteSamples(SqliteTable):
    """The samples table of the SQLite ledger file; each batch is one transaction of inserts."""

    name = "samples"
    schema = """
CREATE TABLE IF NOT EXISTS samples (
    url TEXT NOT NULL, network TEXT NOT NULL, account TEXT NOT NULL, post_id TEXT NOT NULL,
    fetched REAL NOT NULL, likes INTEGER, reposts INTEGER, replies INTEGER, quotes INTEGER,
    gone INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (url, network, account, fetched)
);
"""

    def add(self, samples: Sequence[Sample]) -> None:
        """Insert the samples in one transaction (a repeat of one already there is kept once)."""
        if not samples:
            return

        def insert(db: sqlite3.Connection) -> None:
            db.executemany(
                f"INSERT OR IGNORE INTO samples ({', '.join(_COLUMNS)}) VALUES "
                f"({', '.join('?' * len(_COLUMNS))})",
                [(s.url, s.network, s.account, s.post_id, s.fetched, s.likes, s.reposts,
                  s.replies, s.quotes, int(s.gone)) for s in samples])

        self._transaction(insert, "write samples to")

    def samples(self) -> list[Sample]:
        """Every sample, oldest fetch first."""
        found = self._select(f"SELECT {', '.join(_COLUMNS)} FROM samples ORDER BY fetched",
                             "read samples from")
        return [_sample(*row) for row in found]


def _sample(url: Any, network: Any, account: Any, post_id: Any, fetched: Any, likes: Any,
            reposts: Any, replies: Any, quotes: Any, gone: Any) -> Sample:
    """A Sample from a SELECT of _COLUMNS."""
    return Sample(url, network, account, post_id, fetched, likes, reposts, replies, quotes,
                  bool(gone))


def open_samples(kind: str, path: Path, pelican_settings: Any,
                 read_only: bool = False) -> SampleStore:
    """The samples kept where PROMOTE_LEDGER keeps the ledger: its SQLite file, or the bucket."""
    if kind != "bucket":
        return SqliteSamples(path, read_only=read_only)
    from self_promoting_blog.promote.samples_bucket import open_bucket_samples

    return open_bucket_samples(pelican_settings, read_only=read_only)


def read_totals(kind: str, path: Path, pelican_settings: Any,
                rows: Iterable[Row]) -> dict[str, int]:
    """`article_totals` of the samples kept where PROMOTE_LEDGER (`kind`) keeps the ledger."""
    samples = open_samples(kind, path, pelican_settings, read_only=True)
    try:
        return article_totals(rows, samples.samples())
    finally:
        samples.close()
