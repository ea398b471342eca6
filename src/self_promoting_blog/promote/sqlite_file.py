"""The ledger's SQLite file as each of its users opens it: the ledger (``ledger.Ledger``) and the
tables beside it (``sqlite_table.SqliteTable``: the samples, the responses).

One connection per thread, all closed at once; WAL, so a reader never waits for a writer, and
``synchronous=FULL``, so a committed change survives a crash; every write one ``BEGIN
IMMEDIATE`` transaction, the write lock taken up front, so what it reads is the truth; every
SQLite error a LedgerError naming the file and the fix.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from self_promoting_blog.promote.errors import LedgerError

T = TypeVar("T")


class SqliteFile:
    """The ledger file at `path`, its `schema` created on the first write open."""

    who: str     # the command, in messages ("promote", "stats")
    schema: str  # idempotent: CREATE … IF NOT EXISTS

    def __init__(self, path: Path, read_only: bool = False, busy_timeout: float = 30.0) -> None:
        self.path, self.read_only, self.busy_timeout = Path(path), read_only, busy_timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # executescript commits by itself
            self._run(lambda db: db.executescript(self.schema), "create")

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            if self.read_only:
                db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                     timeout=self.busy_timeout, isolation_level=None,
                                     check_same_thread=False)
            else:
                # Each thread uses its own connection; close() may run elsewhere.
                db = sqlite3.connect(self.path, timeout=self.busy_timeout,
                                     isolation_level=None, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    def _error(self, exc: sqlite3.Error, doing: str) -> LedgerError:
        return LedgerError(f"{self.who}: cannot {doing} the ledger {self.path}: {exc}. Check "
                           "PROMOTE_LEDGER_PATH and the folder's permissions.")

    def _run(self, work: Callable[[sqlite3.Connection], T], doing: str) -> T:
        """`work` on this thread's connection, outside any transaction (a read)."""
        try:
            return work(self._db())
        except sqlite3.Error as exc:
            raise self._error(exc, doing) from None

    @contextmanager
    def _tx(self, doing: str) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT (ROLLBACK when the work fails)."""
        try:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self._error(exc, doing) from None

    def close(self) -> None:
        """Close every connection opened by any thread."""
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()
        self._local = threading.local()
