"""Ask one network what its due posts earned, in batches of its adapter's `read_batch`.

A rate limit is waited out as promote waits (Retry-After or the network's reset headers, when
within PROMOTE_MAX_WAIT and retries remain); past that the network stops for this run and its
remaining posts are due on the next. A request that failed without an answer is retried with
back-off (reading twice is harmless). A refused token or missing permission stops the network
and is said once, naming what it needs. A post the network says was deleted gets a ``gone``
sample and is never asked about again, unless it is younger than ``GRACE`` (a network may not
have indexed a post it has just accepted). The replies each answer carries replace that post's
stored ones (a deleted post's go with it).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from self_promoting_blog.promote.adapters.base import Engagement, NetworkAdapter
from self_promoting_blog.promote.errors import (
    AmbiguousError,
    CredentialsError,
    PermanentError,
    RateLimited,
    TransientError,
)
from self_promoting_blog.promote.http import redact
from self_promoting_blog.promote.responses import Thread
from self_promoting_blog.promote.samples import Sample
from self_promoting_blog.stats.cadence import HOUR, Due

log = logging.getLogger("promote")
GRACE = HOUR


@dataclass(frozen=True)
class Pace:
    """How long to wait and how often to retry: PROMOTE_MAX_WAIT, _MAX_RETRIES, _BACKOFF."""

    max_wait: float
    max_retries: int
    backoff: float
    sleep: Callable[[float], None] = time.sleep


@dataclass
class Fetched:
    """One network's run: the samples taken, and what stopped it or was skipped."""

    network: str
    samples: list[Sample] = field(default_factory=list)
    threads: list[Thread] = field(default_factory=list)  # each post's replies, to replace
    gone: int = 0
    left: int = 0                 # due posts not asked about this run (due on the next)
    stopped: str | None = None    # why the network stopped early (said once)
    rate_limited: bool = False    # stopped by a rate limit: not a failure, the rest wait
    failed: list[str] = field(default_factory=list)  # batches that got no answer


class _Stop(Exception):
    """The network is done for this run."""

    def __init__(self, message: str, rate_limited: bool = False) -> None:
        super().__init__(message)
        self.rate_limited = rate_limited


def fetch(adapter: NetworkAdapter, due: Sequence[Due], now: Callable[[], float], pace: Pace,
          on_done: Callable[[int], None] = lambda n: None) -> Fetched:
    """Read back every due post of one network; never raises for a network's answer."""
    result = Fetched(adapter.name)
    size = max(1, adapter.read_batch)
    batches = [list(due[i:i + size]) for i in range(0, len(due), size)]
    for index, batch in enumerate(batches):
        try:
            answers = _ask(adapter, [d.row.post_id or "" for d in batch], pace)
        except _Stop as stop:
            result.stopped, result.rate_limited = str(stop), stop.rate_limited
            result.left = sum(len(b) for b in batches[index:])
            break
        except Exception as exc:  # refused, unanswered, or an answer the adapter could not read
            known = isinstance(exc, PermanentError | TransientError | AmbiguousError)
            result.failed.append(redact(exc if known else f"{type(exc).__name__}: {exc}"))
            on_done(len(batch))
            continue
        fetched = now()
        for item in batch:
            answer = answers.get(item.row.post_id or "")
            if answer is None or (answer.gone and fetched - item.row.updated < GRACE):
                continue  # no answer this time: due again on the next run
            result.samples.append(_sample(item, answer, fetched))
            if answer.replies is not None or answer.gone:
                result.threads.append(Thread(
                    item.row.article, item.row.network, item.row.account,
                    item.row.post_id or "", fetched, answer.replies or ()))
            result.gone += answer.gone
        on_done(len(batch))
    return result


def _ask(adapter: NetworkAdapter, post_ids: list[str], pace: Pace) -> dict[str, Engagement]:
    tries = 0
    while True:
        try:
            return adapter.read_back(post_ids)
        except RateLimited as exc:
            if exc.retry_after > pace.max_wait or tries >= pace.max_retries:
                raise _Stop(f"rate limited: {exc.message}; the rest are due on the next run",
                            rate_limited=True) from None
            pace.sleep(exc.retry_after + random.uniform(0, pace.backoff))
        except CredentialsError as exc:
            raise _Stop(redact(exc.message)) from None
        except (TransientError, AmbiguousError) as exc:  # a read: asking again is harmless
            if tries >= pace.max_retries:
                raise TransientError(adapter.name, f"gave up after {tries + 1} tries: "
                                     f"{exc.message}", exc.status) from None
            pace.sleep(min(pace.max_wait, pace.backoff * 2 ** tries) * random.uniform(0.5, 1.5))
        tries += 1


def _sample(item: Due, answer: Engagement, fetched: float) -> Sample:
    row, counts = item.row, answer.counts
    if counts is None:
        return Sample(row.url, row.network, row.account, row.post_id or "", fetched, gone=True)
    return Sample(row.url, row.network, row.account, row.post_id or "", fetched, counts.likes,
                  counts.reposts, counts.replies, counts.quotes)
