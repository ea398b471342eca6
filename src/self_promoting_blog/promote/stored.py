"""Reading one of the ledger's stores (ledger rows, samples, replies) where a build or the
calendar only looks: opened read-only, read, closed; a store this machine cannot read (a bucket
without credentials, a file of another version) leaves its part out and says why."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import closing
from typing import Protocol, TypeVar

from self_promoting_blog.promote.errors import PromoteError

log = logging.getLogger("promote")


class Closes(Protocol):
    """A store: whatever it reads, it is closed after."""

    def close(self) -> None: ...


S = TypeVar("S", bound=Closes)
T = TypeVar("T")


def read_store(open_store: Callable[[], S], read: Callable[[S], T]) -> T:
    """What `read` gets from the store `open_store` opens, closed after even when it fails
    (a failure to open or read raises PromoteError)."""
    with closing(open_store()) as store:
        return read(store)


def read_or_warn(left_out: str, open_store: Callable[[], S], read: Callable[[S], T],
                 fallback: T) -> T:
    """`read_store`, or `fallback` when the store cannot be read, with a warning that names
    what is `left_out` and why (the build goes on)."""
    try:
        return read_store(open_store, read)
    except PromoteError as exc:
        log.warning("promote: %s left out: %s", left_out, exc)
        return fallback
