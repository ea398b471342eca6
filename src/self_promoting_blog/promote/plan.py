"""What one run should do on one network: manifest − ledger, with no-spam rules applied.

Pure functions over the manifest entries and that network account's ledger rows: recognise moved
articles (same ``Id:``, or same date and title, under a new URL), pick what to send oldest first
(new articles; baseline ones only with ``--backfill``; unknown ones only with
``--retry-unknown``; crashed sends for recovery), and cap it at ``PROMOTE_MAX_PER_RUN``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from self_promoting_blog.promote.ledger import ANNOUNCED, CLAIMABLE, ArticleRef, Row
from self_promoting_blog.promote.manifest import Entry
from self_promoting_blog.promote.rows import ANNOUNCE


@dataclass(frozen=True)
class Options:
    """The run's switches (from the command line)."""

    backfill: bool = False
    since: str | None = None          # YYYY-MM-DD: backfill only articles from this date on
    retry_unknown: bool = False
    dry_run: bool = False
    max_per_run: int = 5


@dataclass
class Plan:
    """The decisions for one network account."""

    send: list[Entry] = field(default_factory=list)
    waiting: list[Entry] = field(default_factory=list)          # over the cap
    moved: list[tuple[Entry, Row]] = field(default_factory=list)
    skipped: list[tuple[Entry, str]] = field(default_factory=list)
    unknown: list[tuple[Entry, Row]] = field(default_factory=list)
    in_flight: list[Entry] = field(default_factory=list)        # another run is sending it


def ref(entry: Entry) -> ArticleRef:
    """The ledger's view of an article."""
    return ArticleRef(entry.url, entry.title, entry.date, entry.article_id)


def in_backfill(entry: Entry, options: Options) -> bool:
    """True when --backfill covers this article (its date is on or after --since)."""
    return options.backfill and (not options.since or entry.date[:10] >= options.since)


def first_run_baseline(entries: list[Entry], options: Options) -> list[ArticleRef]:
    """Articles a network's first run records as baseline: all, minus what --backfill covers."""
    return [ref(e) for e in entries if e.promote and not in_backfill(e, options)]


def _move_index(entries: list[Entry], rows: dict[str, Row]) -> dict[tuple[str, ...], Row]:
    """Rows whose URL left the manifest, by Id and by (date, title)."""
    current = {e.url for e in entries}
    index: dict[tuple[str, ...], Row] = {}
    for row in rows.values():
        if row.url in current or row.state not in ANNOUNCED | {"baseline"} or \
                row.slot != ANNOUNCE:  # a follow-up's row is not an announcement
            continue
        if row.article_id:
            index[("id", row.article_id)] = row
        index[("dt", row.article_date, row.title)] = row
    return index


def _moved_from(entry: Entry, index: dict[tuple[str, ...], Row]) -> Row | None:
    if entry.article_id and ("id", entry.article_id) in index:
        return index[("id", entry.article_id)]
    return index.get(("dt", entry.date, entry.title))


def _wants_send(entry: Entry, row: Row | None, options: Options, owner_gone: bool) -> bool:
    if row is None or row.state in CLAIMABLE:
        return True
    if row.state == "baseline":
        return in_backfill(entry, options)
    if row.state == "unknown":
        return options.retry_unknown
    return row.state == "sending" and owner_gone


def plan_network(entries: list[Entry], rows: dict[str, Row], options: Options,
                 owner_gone: Callable[[Row], bool] = lambda row: False) -> Plan:
    """Decide, oldest article first, what this run does on one network account."""
    plan = Plan()
    index = _move_index(entries, rows) if len(rows) else {}
    for entry in entries:
        row = rows.get(entry.url)
        if not entry.promote:
            if row is None or row.state in CLAIMABLE:
                plan.skipped.append((entry, "Promote: no"))
            continue
        if row is None and index:
            old = _moved_from(entry, index)
            if old is not None:
                plan.moved.append((entry, old))
                continue
        gone = row is not None and row.state == "sending" and owner_gone(row)
        if _wants_send(entry, row, options, gone):
            (plan.send if len(plan.send) < options.max_per_run else plan.waiting).append(entry)
        elif row is not None and row.state == "unknown":
            plan.unknown.append((entry, row))
        elif row is not None and row.state == "sending":
            plan.in_flight.append(entry)
    return plan
