"""The ledger's rules, written once: what each state change makes of a row.

Pure functions over ``Row``s: each takes the row as it is now (None when there is none) and
returns the row to write, or None when the change is refused or there is nothing to change. The
two stores, SQLite (``ledger.Ledger``) and the bucket object (``ledger_bucket.BucketLedger``),
only read the rows a change needs, apply one of these, and write the result atomically.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import replace
from typing import Any

from self_promoting_blog.promote.rows import (
    PLANNED,
    STATES,
    ArticleRef,
    Claim,
    Owner,
    Row,
    Spaced,
    owner_is_gone,
)

# The states a row may leave `sending` for.
FINAL = frozenset(STATES) - {"sending"}
BASELINE_DETAIL = "published before promotion was set up"


def baseline(refs: Iterable[ArticleRef], existing: Container[str], network: str, account: str,
             now: float) -> list[Row]:
    """A network account's first run: a `baseline` row for each article without one (by URL)."""
    rows: dict[str, Row] = {}
    for ref in refs:
        if ref.url not in existing and ref.url not in rows:
            rows[ref.url] = Row(ref.url, network, account, "baseline", ref.title, ref.date,
                                ref.article_id, detail=BASELINE_DETAIL, updated=now)
    return list(rows.values())


def claimed(old: Row | None, ref: ArticleRef, network: str, account: str, key: str, owner: Owner,
            now: float, *, allow: frozenset[str], stale_after: float,
            plan: Mapping[str, Any] | None = None, last_post: float | None = None,
            gap: float = 0.0) -> Claim | Spaced | None:
    """The row moved to `sending` for `owner`, None when it is not claimable, or Spaced when the
    network account's `last_post` (another row's) was less than `gap` seconds ago.

    A row is claimable when it is new, in one of the `allow`ed states, or `sending` for an owner
    that is gone (then the claim is `resumed`). `plan` (the post's text, …) is saved in its
    progress; where an earlier try may have put the post out, what that try saved stays.
    """
    resumed = old is not None and old.state == "sending"
    if old is not None and not (old.state in allow or (
            resumed and owner_is_gone(old.owner, old.updated, stale_after, now))):
        return None
    if gap and last_post is not None and now < last_post + gap:
        return Spaced(last_post, last_post + gap)
    unsure = old is not None and (resumed or old.state == "unknown" or
                                  bool(old.progress.keys() - PLANNED))
    kept = dict(old.progress) if old else {}
    progress = {**(plan or {}), **kept} if unsure else {**kept, **(plan or {})}
    # A row keeps its key, checkpoints and post link for life: recovery after any earlier try
    # (crashed, ambiguous, deferred) needs them, and a key is never reused for news.
    row = Row(ref.url, network, account, "sending", ref.title, ref.date, ref.article_id,
              idem_key=old.idem_key if old and old.idem_key else key, progress=progress,
              post_id=old.post_id if old else None, post_url=old.post_url if old else None,
              detail=None, owner=owner.tag(), updated=now,
              attempts=(old.attempts if old else 0) + 1)
    return Claim(row, resumed, unsure)


def checkpointed(old: Row | None, name: str, value: Any, now: float) -> Row | None:
    """The row with one more recovery value in its progress (None: there is no row)."""
    if old is None:
        return None
    return replace(old, progress={**old.progress, name: value}, updated=now)


def finished(old: Row | None, state: str, *, detail: str | None, post_id: str | None,
             post_url: str | None, now: float) -> Row | None:
    """The row leaving `sending` for a final `state`; a post id or link it had is kept.

    Raises ValueError for a state that is not final (a programming error, whatever the row).
    """
    if state not in FINAL:
        raise ValueError(f"not a final state: {state}")
    if old is None:
        return None
    return replace(old, state=state, detail=detail, post_id=post_id or old.post_id,
                   post_url=post_url or old.post_url, owner=None, updated=now)


def noted(old: Row | None, ref: ArticleRef, network: str, account: str, state: str, detail: str,
          *, post_url: str | None, only_from: frozenset[str], now: float) -> Row | None:
    """A state recorded outside a send (skipped, moved, posted by hand), or None when the row is
    in a state not in `only_from` (it stays as it is)."""
    if old is not None and old.state not in only_from:
        return None
    row = old or Row(ref.url, network, account, state, ref.title, ref.date, ref.article_id)
    return replace(row, state=state, detail=detail, post_url=post_url or row.post_url,
                   owner=None, updated=now)
