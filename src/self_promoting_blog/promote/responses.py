"""Responses: the public replies to our posts, kept as each network last gave them.

Not a time series (as the samples are) but the latest state: a fetch of one post replaces the
whole set of its replies, so one deleted upstream is gone and one edited is updated at the next
fetch; a post the network reports deleted takes its replies with it. Each reply is keyed by
(network, reply id) and remembers the article (its URL, a follow-up's included: ``split_slot``)
and the post it answers. Its content is stored as the network gave it; the build sanitizes it
(``responses_shown``). They live in the ledger's store beside the samples: a ``responses`` table
in the SQLite ledger file (``responses_sqlite.py``) or objects beside the ledger object
(``responses_bucket.py``); ``responses_sqlite.open_responses`` opens the one PROMOTE_LEDGER
names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from self_promoting_blog.promote.replies import PublicReply


@dataclass(frozen=True)
class Thread:
    """What one fetch found under one post: every reply to show (none: all gone)."""

    article: str      # the article's URL
    network: str
    account: str
    post_id: str
    fetched: float
    replies: tuple[PublicReply, ...] = ()

    def post(self) -> tuple[str, str, str]:
        """Which post the replies answer: (network, account, post id)."""
        return self.network, self.account, self.post_id


@dataclass(frozen=True)
class Response:
    """One stored reply, with the article and the post it answers."""

    article: str
    network: str
    account: str
    post_id: str
    fetched: float
    reply: PublicReply

    def key(self) -> tuple[str, str]:
        """What makes a reply unique: (network, reply id)."""
        return self.network, self.reply.reply_id

    def post(self) -> tuple[str, str, str]:
        """The post it answers: (network, account, post id)."""
        return self.network, self.account, self.post_id


def responses_of(threads: Iterable[Thread]) -> list[Response]:
    """Each thread's replies, as stored."""
    return [Response(t.article, t.network, t.account, t.post_id, t.fetched, reply)
            for t in threads for reply in t.replies]


def replace(held: Iterable[Response], threads: Sequence[Thread]) -> list[Response]:
    """`held` with every reply to a post in `threads` replaced by what the fetch found.

    A post fetched by two runs keeps the answer of the later fetch, whichever run writes last.
    """
    newest: dict[tuple[str, str, str], Thread] = {}
    for thread in threads:
        if thread.post() not in newest or thread.fetched >= newest[thread.post()].fetched:
            newest[thread.post()] = thread
    kept = []
    for response in held:
        fetch = newest.get(response.post())
        if fetch is not None and fetch.fetched < response.fetched:
            del newest[response.post()]  # an older answer than the one already stored
        if response.post() not in newest:
            kept.append(response)
    fresh = {r.key(): r for r in [*kept, *responses_of(newest.values())]}
    return list(fresh.values())


class ResponseStore(Protocol):
    """Where responses are kept: replaced a post at a time, read back whole."""

    def replace(self, threads: Sequence[Thread]) -> None: ...
    def responses(self) -> list[Response]: ...
    def close(self) -> None: ...

