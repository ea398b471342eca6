"""What both ledger stores do the same way: each state change is a ledger_policy function applied
to one row, written by the store's own atomic `_apply` (an SQLite transaction, a conditional
write of the bucket object)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from self_promoting_blog.promote import ledger_policy as policy
from self_promoting_blog.promote.rows import CLAIMABLE, ArticleRef, Row


class RowStore(ABC):
    """A ledger store: it reads one row, lets a policy function decide, and writes the result."""

    @abstractmethod
    def _apply(self, url: str, network: str, account: str,
               change: Callable[[Row | None, float], Row | None]) -> Row | None:
        """Write what `change` makes of one row (nothing when it returns None), atomically."""

    def checkpoint(self, url: str, network: str, account: str, name: str, value: Any) -> None:
        """Store one recovery value in a `sending` row's progress, durably, before returning."""
        self._apply(url, network, account,
                    lambda old, now: policy.checkpointed(old, name, value, now))

    def finish(self, url: str, network: str, account: str, state: str, *,
               detail: str | None = None, post_id: str | None = None,
               post_url: str | None = None) -> None:
        """Leave `sending`: posted / failed / unknown, or released to pending / skipped."""
        self._apply(url, network, account, lambda old, now: policy.finished(
            old, state, detail=detail, post_id=post_id, post_url=post_url, now=now))

    def note(self, ref: ArticleRef, network: str, account: str, state: str, detail: str, *,
             post_url: str | None = None, only_from: frozenset[str] = CLAIMABLE) -> bool:
        """Record a state outside a send (skipped, moved, posted by hand) if the row allows it."""
        return self._apply(ref.url, network, account, lambda old, now: policy.noted(
            old, ref, network, account, state, detail, post_url=post_url, only_from=only_from,
            now=now)) is not None
