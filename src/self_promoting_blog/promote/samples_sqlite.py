"""Engagement samples in the SQLite ledger file: a ``samples`` table beside the ledger's ``posts``
(which it never touches), and ``open_samples``, which opens the samples PROMOTE_LEDGER names.

``samples_latest`` holds each post's newest sample, kept by a trigger on every insert into
``samples`` (whatever code inserts), so a build reads one row a post, not the whole series. A
ledger file from before it gets it, filled from the series, on the first write open (one
transaction); read-only before that, the newest samples are found in the series by one query.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from self_promoting_blog.promote.rows import Row
from self_promoting_blog.promote.samples import (
    COUNTS,
    Latest,
    Sample,
    SampleStore,
    article_totals,
)
from self_promoting_blog.promote.sqlite_table import SqliteTable, holds

_COLUMNS = ("url", "network", "account", "post_id", "fetched", *COUNTS, "gone")
_LIST = ", ".join(_COLUMNS)
_FIELDS = ("url TEXT NOT NULL, network TEXT NOT NULL, account TEXT NOT NULL, "
           "post_id TEXT NOT NULL, fetched REAL NOT NULL, likes INTEGER, reposts INTEGER, "
           "replies INTEGER, quotes INTEGER, gone INTEGER NOT NULL DEFAULT 0")
_POST = "url, network, account"
# Each post's newest sample found in the series: the newest time per post from the primary
# key's index alone, then that one row.
_NEWEST = (f"SELECT {', '.join(f's.{c}' for c in _COLUMNS)} FROM samples AS s JOIN "
           f"(SELECT {_POST}, MAX(fetched) AS fetched FROM samples GROUP BY {_POST}) "
           f"USING ({_POST}, fetched)")
# Every sample inserted (a repeat is ignored, so never here) replaces its post's older one.
_TRIGGER = (f"CREATE TRIGGER samples_keep_latest AFTER INSERT ON samples BEGIN "
            f"INSERT INTO samples_latest ({_LIST}) "
            f"VALUES ({', '.join(f'NEW.{c}' for c in _COLUMNS)}) "
            f"ON CONFLICT ({_POST}) DO UPDATE SET "
            f"{', '.join(f'{c} = excluded.{c}' for c in _COLUMNS[3:])} "
            f"WHERE excluded.fetched > samples_latest.fetched; END")


class SqliteSamples(SqliteTable):
    """The samples table of the SQLite ledger file; each batch is one transaction of inserts."""

    name = "samples"
    schema = f"CREATE TABLE IF NOT EXISTS samples ({_FIELDS}, PRIMARY KEY ({_POST}, fetched));"

    def __init__(self, path: Path, read_only: bool = False, busy_timeout: float = 30.0) -> None:
        super().__init__(path, read_only, busy_timeout)
        if not read_only and not self._has("samples_latest"):
            self._transaction(_keep_latest, "add the latest samples' table to")

    def add(self, samples: Sequence[Sample]) -> None:
        """Insert the samples in one transaction (a repeat of one already there is kept once)."""
        if not samples:
            return

        def insert(db: sqlite3.Connection) -> None:
            db.executemany(
                f"INSERT OR IGNORE INTO samples ({_LIST}) VALUES "
                f"({', '.join('?' * len(_COLUMNS))})",
                [(s.url, s.network, s.account, s.post_id, s.fetched, s.likes, s.reposts,
                  s.replies, s.quotes, int(s.gone)) for s in samples])

        self._transaction(insert, "write samples to")

    def samples(self) -> list[Sample]:
        """Every sample, oldest fetch first."""
        found = self._select(f"SELECT {_LIST} FROM samples ORDER BY fetched",
                             "read samples from")
        return [_sample(*row) for row in found]

    def latest(self) -> Latest:
        """Each post's newest sample: one row a post (from a ledger file no write has opened
        since ``samples_latest`` came: found in the series)."""
        kept = self._has("samples_latest")
        found = self._select(f"SELECT {_LIST} FROM samples_latest" if kept else _NEWEST,
                             "read the latest samples from")
        return {sample.post(): sample for sample in (_sample(*row) for row in found)}


def _keep_latest(db: sqlite3.Connection) -> None:
    """Add ``samples_latest``, filled from the series, and the trigger that keeps it (unless
    another process just did)."""
    if holds(db, "samples_latest"):
        return
    db.execute(f"CREATE TABLE samples_latest ({_FIELDS}, PRIMARY KEY ({_POST}))")
    db.execute(f"INSERT INTO samples_latest ({_LIST}) {_NEWEST}")
    db.execute(_TRIGGER)


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
        return article_totals(rows, samples.latest())
    finally:
        samples.close()
