"""One table of its own in the SQLite ledger file (the samples, the responses), created on first
write; read as empty from a ledger it was never written to."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from self_promoting_blog.promote.sqlite_file import SqliteFile


class SqliteTable(SqliteFile):
    """A table `name` created by `schema` in the ledger file at `path`."""

    who = "stats"
    name: str

    def _transaction(self, work: Callable[[sqlite3.Connection], None], doing: str) -> None:
        """`work` in one write transaction (rolled back if it fails)."""
        with self._tx(doing) as db:
            work(db)

    def _select(self, query: str, doing: str) -> list[tuple[object, ...]]:
        """The rows `query` selects; none from a ledger this table was never written to."""
        if self.read_only and not self.path.exists():
            return []

        def read(db: sqlite3.Connection) -> list[tuple[object, ...]]:
            return db.execute(query).fetchall() if holds(db, self.name) else []

        return self._run(read, doing)

    def _has(self, table: str) -> bool:
        """True when the ledger file holds `table` (an older file may not)."""
        if self.read_only and not self.path.exists():
            return False
        return self._run(lambda db: holds(db, table), "read")


def holds(db: sqlite3.Connection, table: str) -> bool:
    """True when the file open on `db` holds `table`."""
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone() is not None
