"""What every ledger stores and promises: states, rows, owners, and the backend interface.

``ledger.Ledger`` (SQLite) and ``ledger_bucket.BucketLedger`` (an object in the deploy bucket) both
implement ``LedgerBackend`` with these types; the rules they apply are ``ledger_policy``'s.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

STATES = ("pending", "sending", "posted", "failed", "unknown", "baseline", "moved", "skipped")
# A row in one of these says the article was (or may have been) announced on that network.
ANNOUNCED = frozenset({"posted", "sending", "unknown", "moved"})
# Rows a normal run may claim; baseline/unknown need --backfill/--retry-unknown.
CLAIMABLE = frozenset({"pending", "skipped", "failed"})


def to_send(retry_unknown: bool) -> frozenset[str]:
    """The states of a row a run plans to send: claimable, `sending` (in flight, or its run
    crashed: the claim tells which) and, with --retry-unknown, `unknown`."""
    return CLAIMABLE | {"sending"} | ({"unknown"} if retry_unknown else frozenset())


# Every scheduled post is its own row. An announcement's row is keyed by the article's URL (as
# before campaigns, so existing ledgers keep working); any other slot ("followup-1", a thread's
# "followup-1.2") by the URL with this fragment, which no canonical URL carries.
ANNOUNCE = "announce"
SLOT_MARK = "#promote-slot="
# Progress saved with the claim, before any request leaves (the post's text, a thread's texts, an
# evergreen slot's pick): unlike a network's checkpoints, it does not say an earlier try may have
# landed.
PLANNED = frozenset({"text", "thread", "evergreen"})
# Rows that put a post out on their network, or are putting one out: the gap counts from them.
POSTING = ("posted", "sending")


def slot_key(url: str, slot: str) -> str:
    """The ledger key of `slot` of the article at `url`."""
    return url if slot == ANNOUNCE else f"{url}{SLOT_MARK}{slot}"


def split_slot(key: str) -> tuple[str, str]:
    """(article URL, slot) of a ledger key."""
    url, mark, slot = key.partition(SLOT_MARK)
    return (url, slot) if mark else (key, ANNOUNCE)


@dataclass(frozen=True)
class ArticleRef:
    """What the ledger keeps about an article to recognise it after a URL change."""

    url: str
    title: str
    date: str
    article_id: str | None = None


@dataclass(slots=True)  # not frozen: built for every row of a large ledger, fast
class Row:
    """One ledger row as read back."""

    url: str
    network: str
    account: str
    state: str
    title: str = ""
    article_date: str = ""
    article_id: str | None = None
    idem_key: str | None = None
    progress: dict[str, Any] = field(default_factory=dict)
    post_id: str | None = None
    post_url: str | None = None
    detail: str | None = None
    owner: str | None = None
    updated: float = 0.0
    attempts: int = 0

    @property
    def slot(self) -> str:
        """Which post of the article this row is: "announce", "followup-1", …"""
        return split_slot(self.url)[1]

    @property
    def article(self) -> str:
        """The URL of the article this row's post shares: the key's, or (an evergreen slot,
        keyed by its time) the one saved in its progress when it was picked."""
        picked = self.progress.get("evergreen")
        return picked["article"] if picked else split_slot(self.url)[0]


@dataclass(frozen=True)
class Owner:
    """Who holds a `sending` row: a run id, host and process id, and when it is stale."""

    run_id: str
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)

    def tag(self) -> str:
        """The owner as stored in the row."""
        return f"{self.host}|{self.pid}|{self.run_id}"


def last_post(rows: Iterable[Row]) -> float | None:
    """When a network account last posted (or began to): the newest of its POSTING `rows`."""
    times = [r.updated for r in rows if r.state in POSTING]
    return max(times) if times else None


# Runs alive in this process; a `sending` row owned by this pid but another run is orphaned.
ACTIVE_RUNS: set[str] = set()


def owner_is_gone(tag: str | None, updated: float, stale_after: float, now: float) -> bool:
    """True when a `sending` row's owner crashed: dead pid on this host, or a stale lease."""
    if not tag:
        return True
    host, pid_text, run_id = (tag.split("|") + ["", ""])[:3]
    if host == socket.gethostname() and pid_text.isdigit():
        pid = int(pid_text)
        if pid == os.getpid():
            return run_id not in ACTIVE_RUNS
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass  # alive, someone else's
    # Another machine (or a reused pid): trust the lease only until it goes stale.
    return now - updated > stale_after


@dataclass(frozen=True)
class Claim:
    """A row this run now holds in `sending`; `resumed` = a crashed run had sent it before;
    `unsure` = an earlier try may have put the post out (resumed, or a request left: the
    network's checkpoints, an unknown row), so it is looked for before anything is sent, and
    what that try saved (its text) is what goes out."""

    row: Row
    resumed: bool
    unsure: bool = False


@dataclass(frozen=True)
class Spaced:
    """A claim refused for the gap: the network account's last post (another row's) was at
    `last`, less than PROMOTE_GAP_MINUTES ago; it may post from `until` (timestamps)."""

    last: float
    until: float


class LedgerBackend(Protocol):
    """What the runner, report and build need from a ledger (SQLite or bucket object)."""

    def rows(self, network: str | None = None) -> list[Row]: ...
    def get(self, url: str, network: str, account: str) -> Row | None: ...
    def is_first_run(self, network: str, account: str) -> bool: ...
    def start_account(self, network: str, account: str, baseline: Iterable[ArticleRef]) -> int: ...
    def claim(self, ref: ArticleRef, network: str, account: str, key: str, owner: Owner, *,
              allow: frozenset[str] = CLAIMABLE, stale_after: float = 900.0,
              plan: Mapping[str, Any] | None = None, gap: float = 0.0
              ) -> Claim | Spaced | None: ...
    def checkpoint(self, url: str, network: str, account: str, name: str, value: Any) -> None: ...
    def finish(self, url: str, network: str, account: str, state: str, *,
               detail: str | None = None, post_id: str | None = None,
               post_url: str | None = None) -> None: ...
    def note(self, ref: ArticleRef, network: str, account: str, state: str, detail: str, *,
             post_url: str | None = None, only_from: frozenset[str] = CLAIMABLE) -> bool: ...
    def close(self) -> None: ...
