"""Engagement samples in the SQLite ledger file: a ``samples`` table beside the ledger's ``posts``
(which it never touches), and ``open_samples``, which opens the samples PROMOTE_LEDGER names."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from self_promoting_blog.promote.errors import LedgerError
from self_promoting_blog.promote.rows import Row
from self_promoting_blog.promote.samples import COUNTS, Sample, SampleStore, article_totals

_COLUMNS = ("url", "network", "account", "post_id", "fetched", *COUNTS, "gone")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS samples (
    url TEXT NOT NULL, network TEXT NOT NULL, account TEXT NOT NULL, post_id TEXT NOT NULL,
    fetched REAL NOT NULL, likes INTEGER, reposts INTEGER, replies INTEGER, quotes INTEGER,
    gone INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (url, network, account, fetched)
);
"""


class SqliteSamples:
    """The samples table of the SQLite ledger file; each batch is one transaction of inserts."""

    def __init__(self, path: Path, read_only: bool = False, busy_timeout: float = 30.0) -> None:
        self.path, self.read_only, self.busy_timeout = Path(path), read_only, busy_timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._run(lambda db: db.executescript(_SCHEMA), "create the samples table in")

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            if self.read_only:
                db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                     timeout=self.busy_timeout, check_same_thread=False)
            else:
                db = sqlite3.connect(self.path, timeout=self.busy_timeout,
                                     isolation_level=None, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    def _run(self, work: Any, doing: str) -> Any:
        try:
            return work(self._db())
        except sqlite3.Error as exc:
            raise LedgerError(f"stats: cannot {doing} the ledger {self.path}: {exc}. Check "
                              "PROMOTE_LEDGER_PATH and the folder's permissions.") from None

    def add(self, samples: Sequence[Sample]) -> None:
        """Insert the samples in one transaction (a repeat of one already there is kept once)."""
        if not samples:
            return

        def insert(db: sqlite3.Connection) -> None:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    f"INSERT OR IGNORE INTO samples ({', '.join(_COLUMNS)}) VALUES "
                    f"({', '.join('?' * len(_COLUMNS))})",
                    [(s.url, s.network, s.account, s.post_id, s.fetched, s.likes, s.reposts,
                      s.replies, s.quotes, int(s.gone)) for s in samples])
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

        self._run(insert, "write samples to")

    def samples(self) -> list[Sample]:
        """Every sample, oldest fetch first."""
        if self.read_only and not self.path.exists():
            return []

        def read(db: sqlite3.Connection) -> list[Sample]:
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'samples'").fetchone():
                return []  # a ledger no `invoke stats` has written to yet
            found = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM samples ORDER BY fetched")
            return [_sample(*row) for row in found.fetchall()]

        result: list[Sample] = self._run(read, "read samples from")
        return result

    def close(self) -> None:
        """Close every connection opened by any thread."""
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()
        self._local = threading.local()


def _sample(url: str, network: str, account: str, post_id: str, fetched: float,
            likes: int | None, reposts: int | None, replies: int | None, quotes: int | None,
            gone: int) -> Sample:
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
