"""The posting ledger: one row per (article URL, network, account), in SQLite (WAL).

States (``STATES``)::

    (no row) ─claim─▶ sending(key, progress, owner) ─▶ posted(post id, post URL)
    pending/skipped/failed ─claim─▶ sending              ├─▶ failed(the network's message)
    baseline ─claim (only --backfill)─▶ sending          ├─▶ unknown(why; owner decides)
    unknown ─claim (only --retry-unknown)─▶ sending       └─▶ pending/skipped (released, retried)
    moved: this URL is an announced article's new address; never announced again

The rules are ``ledger_policy``'s; this store reads the row a change needs, applies the rule and
writes the whole row back, in one ``BEGIN IMMEDIATE`` transaction per state change, so a row is
``sending`` on disk before its request leaves and two concurrent runs can never both claim it.
``LedgerBackend`` is the interface the bucket store (``ledger_bucket.py``) implements too.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from self_promoting_blog.promote import ledger_policy as policy
from self_promoting_blog.promote.errors import LedgerError
from self_promoting_blog.promote.ledger_store import RowStore
from self_promoting_blog.promote.rows import (
    ACTIVE_RUNS,
    ANNOUNCED,
    CLAIMABLE,
    POSTING,
    STATES,
    ArticleRef,
    Claim,
    LedgerBackend,
    Owner,
    Row,
    Spaced,
    owner_is_gone,
)
from self_promoting_blog.promote.sqlite_file import SqliteFile

_COLUMNS = ("url", "network", "account", "state", "title", "article_date", "article_id",
            "idem_key", "progress", "post_id", "post_url", "detail", "owner", "updated",
            "attempts")

__all__ = ["ACTIVE_RUNS", "ANNOUNCED", "CLAIMABLE", "STATES", "ArticleRef", "Claim", "Ledger",
           "LedgerBackend", "Owner", "Row", "open_ledger", "owner_is_gone"]


_SCHEMA = """
CREATE TABLE IF NOT EXISTS posts (
    url TEXT NOT NULL, network TEXT NOT NULL, account TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'posted', 'failed', 'unknown',
                                         'baseline', 'moved', 'skipped')),
    title TEXT, article_date TEXT, article_id TEXT,
    idem_key TEXT, progress TEXT, post_id TEXT, post_url TEXT, detail TEXT,
    owner TEXT, updated REAL, attempts INTEGER DEFAULT 0,
    PRIMARY KEY (url, network, account)
);
CREATE INDEX IF NOT EXISTS posts_by_network ON posts (network, account, state);
CREATE TABLE IF NOT EXISTS accounts (
    network TEXT NOT NULL, account TEXT NOT NULL, first_run REAL NOT NULL,
    PRIMARY KEY (network, account)
);
"""


class Ledger(RowStore, SqliteFile):
    """The SQLite ledger; one connection per thread, WAL, one transaction per state change."""

    who, schema = "promote", _SCHEMA

    # -- reading ----------------------------------------------------------------------------

    def rows(self, network: str | None = None) -> list[Row]:
        """All rows (of one network), oldest article first."""
        if self.read_only and not self.path.exists():
            return []
        sql = f"SELECT {', '.join(_COLUMNS)} FROM posts"
        args: tuple[str, ...] = ()
        if network:
            sql, args = sql + " WHERE network = ?", (network,)
        found = self._run(lambda db: db.execute(sql + " ORDER BY article_date, url, network",
                                                args).fetchall(), "read")
        return [_row(r) for r in found]

    def get(self, url: str, network: str, account: str) -> Row | None:
        """One row, or None."""
        if self.read_only and not self.path.exists():
            return None
        return self._run(lambda db: self._read(db, url, network, account), "read")

    def is_first_run(self, network: str, account: str) -> bool:
        """True until `start_account` has recorded this network account's first run."""
        if self.read_only and not self.path.exists():
            return True
        found = self._run(lambda db: db.execute(
            "SELECT 1 FROM accounts WHERE network=? AND account=?", (network, account)).fetchone(),
            "read")
        return found is None

    # -- state changes: read, apply the policy, write whole rows; one transaction each ----------

    def _read(self, db: sqlite3.Connection, url: str, network: str, account: str) -> Row | None:
        found = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM posts WHERE url=? AND network=? "
                           "AND account=?", (url, network, account)).fetchone()
        return _row(found) if found else None

    def _apply(self, url: str, network: str, account: str,
               change: Callable[[Row | None, float], Row | None]) -> Row | None:
        """Write what a ledger_policy function makes of one row (nothing when it returns None)."""
        with self._tx("write") as db:
            row = change(self._read(db, url, network, account), time.time())
            if row is not None:
                db.execute(_UPSERT, _values(row))
            return row

    def start_account(self, network: str, account: str, baseline: Iterable[ArticleRef]) -> int:
        """Record a network account's first run and its already-published articles as baseline."""
        with self._tx("write") as db:
            if db.execute("SELECT 1 FROM accounts WHERE network=? AND account=?",
                          (network, account)).fetchone():
                return 0
            now = time.time()
            db.execute("INSERT INTO accounts (network, account, first_run) VALUES (?, ?, ?)",
                       (network, account, now))
            existing = {url for (url,) in db.execute(
                "SELECT url FROM posts WHERE network=? AND account=?", (network, account))}
            rows = policy.baseline(baseline, existing, network, account, now)
            db.executemany(_UPSERT, map(_values, rows))
            return len(rows)

    def claim(self, ref: ArticleRef, network: str, account: str, key: str, owner: Owner, *,
              allow: frozenset[str] = CLAIMABLE, stale_after: float = 900.0,
              plan: Mapping[str, Any] | None = None, gap: float = 0.0
              ) -> Claim | Spaced | None:
        """Move a row to `sending` for `owner` if nobody else holds it and the network's last
        post is `gap` seconds behind (read in the same transaction: two runs never both post
        within it); None if not claimable, Spaced if too soon."""
        with self._tx("write") as db:
            last = db.execute(
                "SELECT MAX(updated) FROM posts WHERE network=? AND account=? AND url<>? AND "
                f"state IN ({', '.join('?' * len(POSTING))})",
                (network, account, ref.url, *POSTING)).fetchone()[0] if gap else None
            claim = policy.claimed(self._read(db, ref.url, network, account), ref, network,
                                   account, key, owner, time.time(), allow=allow,
                                   stale_after=stale_after, plan=plan, last_post=last, gap=gap)
            if isinstance(claim, Claim):
                db.execute(_UPSERT, _values(claim.row))
            return claim


_UPSERT = (f"INSERT INTO posts ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
           " ON CONFLICT (url, network, account) DO UPDATE SET "
           + ", ".join(f"{name}=excluded.{name}" for name in _COLUMNS[3:]))


def _values(row: Row) -> tuple[Any, ...]:
    """A row as _COLUMNS' values."""
    return (row.url, row.network, row.account, row.state, row.title, row.article_date,
            row.article_id, row.idem_key, json.dumps(row.progress), row.post_id, row.post_url,
            row.detail, row.owner, row.updated, row.attempts)


def _row(found: tuple[Any, ...]) -> Row:
    """A Row from a SELECT of _COLUMNS (positional: this runs for every row of a big ledger)."""
    (url, network, account, state, title, date, article_id, key, progress, post_id, post_url,
     detail, owner, updated, attempts) = found
    return Row(url, network, account, state, title or "", date or "", article_id, key,
               json.loads(progress) if progress and progress != "{}" else {}, post_id, post_url,
               detail, owner, updated or 0.0, attempts or 0)




def open_ledger(kind: str, path: Path, pelican_settings: Any, read_only: bool = False
                ) -> LedgerBackend:
    """The ledger PROMOTE_LEDGER names: this SQLite file, or the bucket object (deploy)."""
    if kind != "bucket":
        return Ledger(path, read_only=read_only)
    try:
        from self_promoting_blog.promote.ledger_bucket import open_bucket_ledger
    except ImportError as exc:
        raise LedgerError(f"promote: PROMOTE_LEDGER = 'bucket' but the bucket ledger cannot be "
                          f"loaded ({exc}); use 'sqlite' or configure the S3 deploy.") from None
    return open_bucket_ledger(pelican_settings, read_only=read_only)
