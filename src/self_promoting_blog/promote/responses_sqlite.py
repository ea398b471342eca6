"""Responses in the SQLite ledger file: a ``responses`` table beside ``posts`` and ``samples``
(which it never touches), one row per reply, keyed by (network, reply id); and
``open_responses``, which opens the responses PROMOTE_LEDGER names."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from self_promoting_blog.promote.replies import PublicReply
from self_promoting_blog.promote.responses import (
    Response,
    ResponseStore,
    Thread,
    responses_of,
)
from self_promoting_blog.promote.sqlite_table import SqliteTable

_REPLY = tuple(f.name for f in fields(PublicReply))
_COLUMNS = ("article", "network", "account", "post_id", "fetched", *_REPLY)


class SqliteResponses(SqliteTable):
    """The responses table; a fetch replaces each fetched post's replies in one transaction."""

    name = "responses"
    schema = """
CREATE TABLE IF NOT EXISTS responses (
    article TEXT NOT NULL, network TEXT NOT NULL, account TEXT NOT NULL, post_id TEXT NOT NULL,
    fetched REAL NOT NULL, reply_id TEXT NOT NULL, url TEXT NOT NULL, author_name TEXT NOT NULL,
    author_handle TEXT NOT NULL, author_url TEXT NOT NULL, published TEXT NOT NULL,
    content TEXT NOT NULL, edited TEXT, likes INTEGER, reposts INTEGER,
    PRIMARY KEY (network, reply_id)
);
CREATE INDEX IF NOT EXISTS responses_post ON responses (network, account, post_id);
"""

    def replace(self, threads: Sequence[Thread]) -> None:
        """Each thread's post's replies become what it found, unless a later fetch of the post
        is already stored (an overlapping run that asked after this one)."""
        if not threads:
            return

        def write(db: sqlite3.Connection) -> None:
            for thread in threads:
                newer = db.execute(
                    "SELECT 1 FROM responses WHERE network = ? AND account = ? AND post_id = ? "
                    "AND fetched > ? LIMIT 1", (*thread.post(), thread.fetched)).fetchone()
                if newer:
                    continue
                db.execute("DELETE FROM responses WHERE network = ? AND account = ? AND "
                           "post_id = ?", thread.post())
                db.executemany(
                    f"INSERT OR REPLACE INTO responses ({', '.join(_COLUMNS)}) VALUES "
                    f"({', '.join('?' * len(_COLUMNS))})",
                    [(r.article, r.network, r.account, r.post_id, r.fetched,
                      *(getattr(r.reply, name) for name in _REPLY))
                     for r in responses_of([thread])])

        self._transaction(write, "write responses to")

    def responses(self) -> list[Response]:
        """Every stored reply."""
        found = self._select(f"SELECT {', '.join(_COLUMNS)} FROM responses",
                             "read responses from")
        return [_response(*row) for row in found]


def _response(article: Any, network: Any, account: Any, post_id: Any, fetched: Any,
              *reply: Any) -> Response:
    """A Response from a SELECT of _COLUMNS."""
    return Response(article, network, account, post_id, fetched, PublicReply(*reply))


def open_responses(kind: str, path: Path, pelican_settings: Any,
                   read_only: bool = False) -> ResponseStore:
    """The responses kept where PROMOTE_LEDGER keeps the ledger: its SQLite file, or the bucket."""
    if kind != "bucket":
        return SqliteResponses(path, read_only=read_only)
    from self_promoting_blog.promote.responses_bucket import open_bucket_responses

    return open_bucket_responses(pelican_settings, read_only=read_only)
