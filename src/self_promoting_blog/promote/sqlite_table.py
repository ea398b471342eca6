"""One table of its own in the SQLite ledger file (the samples, the responses): a connection per
thread (WAL, so a reader never waits for a writer), the table created on first write, every
SQLite error said as a LedgerError naming the file."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from self_promoting_blog.promote.errors import LedgerError

T = TypeVar("T")


class SqliteTable:
    """A table `name` created by `schema` in the ledger file at `path`."""

    name: str
    schema: str

    def __init__(self, path: Path, read_only: bool = False, busy_timeout: float = 30.0) -> None:
        self.path, self.read_only, self.busy_timeout = Path(path), read_only, busy_timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._run(lambda db: db.executescript(self.schema),
                      f"create the {self.name} table in")

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

    def _run(self, work: Callable[[sqlite3.Connection], T], doing: str) -> T:
        try:
            return work(self._db())
        except sqlite3.Error as exc:
            raise LedgerError(f"stats: cannot {doing} the ledger {self.path}: {exc}. Check "
                              "PROMOTE_LEDGER_PATH and the folder's permissions.") from None

    def _transaction(self, work: Callable[[sqlite3.Connection], None], doing: str) -> None:
        """`work` in one write transaction (rolled back if it fails)."""

        def run(db: sqlite3.Connection) -> None:
            db.execute("BEGIN IMMEDIATE")
            try:
                work(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

        self._run(run, doing)

    def _select(self, query: str, doing: str) -> list[tuple[object, ...]]:
        """The rows `query` selects; none from a ledger this table was never written to."""
        if self.read_only and not self.path.exists():
            return []

        def read(db: sqlite3.Connection) -> list[tuple[object, ...]]:
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = ?",
                              (self.name,)).fetchone():
                return []
            return db.execute(query).fetchall()

        return self._run(read, doing)

    def close(self) -> None:
        """Close every connection opened by any thread."""
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()
        self._local = threading.local()
