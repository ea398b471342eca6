"""Send one claimed ledger row: post, honour rate limits, recover, never post twice.

The row is already ``sending`` on disk. ``need_check`` starts true when an earlier try may have
landed (``Claim.unsure``: a crashed run, an unknown row, or checkpoints left by an earlier try);
then ``find_existing`` runs before any ``post``. After each failure:

- RateLimited: wait (jittered) if within PROMOTE_MAX_WAIT and retries remain, else release the row
  to ``pending`` and stop this network for the run (``Deferred``);
- TransientError: nothing was sent; back off and retry, else ``failed`` (retried next run);
- AmbiguousError: it may have landed; ``find_existing`` decides: posted / resend / ``unknown``;
- CredentialsError: ``failed`` and stop this network (``CredentialsStop``); other PermanentError:
  ``failed``.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from self_promoting_blog.promote.adapters.base import Attempt, Message, NetworkAdapter, Posted
from self_promoting_blog.promote.errors import (
    AmbiguousError,
    CredentialsError,
    CredentialsStop,
    Deferred,
    PermanentError,
    RateLimited,
    TransientError,
)
from self_promoting_blog.promote.http import redact
from self_promoting_blog.promote.ledger import Claim, LedgerBackend

log = logging.getLogger("promote")


@dataclass(frozen=True)
class Result:
    """What happened to one row: a final ledger state and its detail or post."""

    state: str
    detail: str = ""
    posted: Posted | None = None


def settle_command(network: str, url: str) -> str:
    """The commands that settle an `unknown` row."""
    return (f"check the {network} channel, then run `invoke promote --retry-unknown --network "
            f"{network}` if it is not there, or `invoke promote --mark-posted {url} --network "
            f"{network} --post-url <its URL>` if it is")


class _Unknowable(AmbiguousError):
    """find_existing said the network gives no way to know."""

    def __init__(self, message: str) -> None:
        super().__init__("", message)

    def __str__(self) -> str:
        return redact(self.message)


@dataclass
class Sender:
    """Sends rows for one adapter, with the run's retry settings."""

    adapter: NetworkAdapter
    ledger: LedgerBackend
    max_wait: float
    max_retries: int
    backoff: float
    sleep: Callable[[float], None] = time.sleep

    def send(self, message: Message, claim: Claim, retry_unknown: bool = False) -> Result:
        """Drive one claimed row to a final state and record it."""
        row = claim.row
        attempt = Attempt(key=row.idem_key or "", progress=dict(row.progress),
                          checkpoint=lambda name, value: self.ledger.checkpoint(
                              row.url, row.network, row.account, name, value),
                          resumed=claim.resumed)
        try:
            result = self._drive(message, attempt, claim.unsure, retry_unknown)
        except Deferred as exc:
            self._finish(claim, Result("pending", f"rate limited: {exc}; retried next run"))
            raise
        except CredentialsStop as exc:
            self._finish(claim, Result("failed", str(exc)))
            raise
        except Exception as exc:  # a bug: the request may have left, so never resend blindly
            self._finish(claim, Result("unknown", f"internal error {type(exc).__name__}: "
                                                  f"{redact(exc)}; " + settle_command(
                                                      row.network, row.url)))
            raise
        if result.state == "unknown":
            result = Result("unknown", f"{result.detail}; {settle_command(row.network, row.url)}")
        self._finish(claim, result)
        return result

    def _finish(self, claim: Claim, result: Result) -> None:
        row = claim.row
        self.ledger.finish(row.url, row.network, row.account, result.state,
                           detail=result.detail or None,
                           post_id=result.posted.post_id if result.posted else None,
                           post_url=result.posted.post_url if result.posted else None)

    def _drive(self, message: Message, attempt: Attempt, need_check: bool,
               retry_unknown: bool) -> Result:
        tries = 0
        cause = "an earlier run was interrupted while sending it" if attempt.resumed else ""
        while True:
            try:
                return self._attempt(message, attempt, need_check, retry_unknown)
            except _Unknowable as exc:
                return Result("unknown", f"{cause}; {exc.message}" if cause else exc.message)
            except RateLimited as exc:
                if exc.retry_after > self.max_wait or tries >= self.max_retries:
                    raise Deferred(exc.message) from None
                self.sleep(exc.retry_after + random.uniform(0, self.backoff))
            except TransientError as exc:
                if tries >= self.max_retries:
                    return Result("failed", f"gave up after {tries + 1} tries: {exc.message}")
                self.sleep(self._backoff(tries))
            except AmbiguousError as exc:
                if tries >= self.max_retries:
                    return self._give_up(message, attempt, exc)
                log.warning("promote: %s: %s; checking whether it was posted", self.adapter.name,
                            exc.message)
                need_check, cause = True, exc.message
            except CredentialsError as exc:
                raise CredentialsStop(str(exc)) from None
            except PermanentError as exc:
                return Result("failed", exc.message if exc.status is None else
                              f"HTTP {exc.status}: {exc.message}")
            tries += 1

    def _attempt(self, message: Message, attempt: Attempt, need_check: bool,
                 retry_unknown: bool) -> Result:
        """One try: when an earlier try may have landed, look first; then post."""
        if need_check:
            if not attempt.progress.get("unsure"):
                # Kept in the row, so a deferral or another crash still looks first next time.
                attempt.save("unsure", True)
            found = self._check(message, attempt, retry_unknown)
            if found:
                return Result("posted", "found after an interrupted send", found)
        return Result("posted", posted=self.adapter.post(message, attempt))

    def _check(self, message: Message, attempt: Attempt, retry_unknown: bool) -> Posted | None:
        """find_existing, told the posts the ledger holds for other rows (never this one's); an
        owner's --retry-unknown overrides "no way to know"."""
        taken = frozenset(row.post_id for row in self.ledger.rows(self.adapter.name)
                          if row.post_id and row.idem_key != attempt.key)
        try:
            return self.adapter.find_existing(replace(message, taken=taken), attempt)
        except AmbiguousError as exc:
            if retry_unknown:
                return None
            raise _Unknowable(exc.message) from None

    def _give_up(self, message: Message, attempt: Attempt, exc: AmbiguousError) -> Result:
        try:
            found = self._check(message, attempt, False)
        except (_Unknowable, AmbiguousError, RateLimited, TransientError) as again:
            return Result("unknown", f"{exc.message}; {again}")
        if found:
            return Result("posted", "found after an interrupted send", found)
        return Result("failed", f"gave up after {self.max_retries + 1} tries: {exc.message}")

    def _backoff(self, tries: int) -> float:
        return min(self.max_wait, self.backoff * 2 ** tries) * random.uniform(0.5, 1.5)
