"""The runner: every network in its own thread, articles oldest first within one.

For each network account: record the first run's baseline, plan (moves, backfill, the cap), then
for each article to send: live check → compose → claim the ledger row (conditional, so two runs
never both send it) → ``Sender``. One network's failure, rate limit or missing credential never
touches another's thread. ``--dry-run`` plans and composes the same way but writes nothing and
sends nothing.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from self_promoting_blog.promote.adapters.base import Message, NetworkAdapter
from self_promoting_blog.promote.compose import compose
from self_promoting_blog.promote.errors import ComposeError, CredentialsStop, Deferred, PromoteError
from self_promoting_blog.promote.http import redact
from self_promoting_blog.promote.ledger import (
    ACTIVE_RUNS,
    CLAIMABLE,
    ArticleRef,
    LedgerBackend,
    Owner,
    Row,
    owner_is_gone,
)
from self_promoting_blog.promote.live import LiveChecker
from self_promoting_blog.promote.manifest import Entry
from self_promoting_blog.promote.plan import Options, Plan, first_run_baseline, plan_network, ref
from self_promoting_blog.promote.send import Sender
from self_promoting_blog.promote.settings import PromoteSettings

log = logging.getLogger("promote")


@dataclass(frozen=True)
class Outcome:
    """What this run did (or would do) for one article on one network."""

    network: str
    url: str
    title: str
    status: str            # posted, failed, unknown, skipped, waiting, moved, would post
    detail: str = ""
    post_url: str | None = None
    message: Message | None = None


@dataclass(frozen=True)
class Target:
    """A network to run: its adapter class, the adapter (None in a dry run without
    credentials), the account id (None: any account) or the error that keeps it from running."""

    cls: type[NetworkAdapter]
    adapter: NetworkAdapter | None = None
    account: str | None = None
    error: str | None = None


@dataclass
class NetworkReport:
    """One network's run: its outcomes, or why it did not run; on a first run, its baseline."""

    network: str
    label: str
    error: str | None = None
    first_run: bool = False
    baseline: list[ArticleRef] = field(default_factory=list)   # recorded (or, dry, to record)
    outcomes: list[Outcome] = field(default_factory=list)


def idempotency_key(network: str, account: str, url: str) -> str:
    """The same key for every try of one (network, account, article): never reused for another."""
    return hashlib.sha256(f"{network}\x1f{account}\x1f{url}".encode()).hexdigest()[:32]


class Runner:
    """Runs one promote pass over the manifest for the configured networks."""

    def __init__(self, settings: PromoteSettings, ledger: LedgerBackend, options: Options,
                 live: LiveChecker, on_outcome: Callable[[Outcome], None] = lambda o: None,
                 on_plan: Callable[[str, int], None] = lambda n, c: None) -> None:
        self.settings = settings
        self.ledger = ledger
        self.options = options
        self.live = live
        self.on_outcome = on_outcome
        self.on_plan = on_plan
        self.owner = Owner(run_id=uuid.uuid4().hex[:12])

    def run(self, entries: list[Entry], targets: dict[str, Target]) -> list[NetworkReport]:
        """Run every network in parallel; return one report per network, in the given order."""
        ACTIVE_RUNS.add(self.owner.run_id)
        try:
            with ThreadPoolExecutor(max_workers=max(1, len(targets))) as pool:
                futures = {name: pool.submit(self._network, target, entries)
                           for name, target in targets.items()}
                return [futures[name].result() for name in targets]
        finally:
            ACTIVE_RUNS.discard(self.owner.run_id)

    # -- one network -----------------------------------------------------------------------

    def _network(self, target: Target, entries: list[Entry]) -> NetworkReport:
        report = NetworkReport(target.cls.name, target.cls.label, error=target.error)
        if target.error or (target.adapter is None and not self.options.dry_run):
            return report
        try:
            self._plan_and_send(target, entries, report)
        except PromoteError as exc:  # the ledger failed: stop this network, keep the others
            report.error = str(exc)
        except Exception as exc:
            log.error("promote: %s: unexpected %s: %s", target.cls.name, type(exc).__name__,
                      redact(exc))
            report.error = f"unexpected {type(exc).__name__}: {redact(exc)}"
        finally:
            if target.adapter is not None:
                target.adapter.close()
        return report

    def _rows(self, name: str, account: str | None) -> dict[str, Row]:
        return {r.url: r for r in self.ledger.rows(name) if account in (None, r.account)}

    def _first_run(self, name: str, account: str | None, entries: list[Entry],
                   rows: dict[str, Row], report: NetworkReport) -> dict[str, Row]:
        """Record (or, in a dry run, imagine) the first run's baseline."""
        first = not rows if account is None else self.ledger.is_first_run(name, account)
        if not first:
            return rows
        baseline = first_run_baseline(entries, self.options)
        report.first_run = True
        if self.options.dry_run:
            report.baseline = baseline
            return {r.url: Row(r.url, name, account or "", "baseline", r.title, r.date)
                    for r in baseline}
        assert account is not None  # only a dry run without credentials has no account
        # 0 recorded: another run started this account a moment ago and recorded it.
        report.baseline = baseline if self.ledger.start_account(name, account, baseline) else []
        return self._rows(name, account)

    def _plan_and_send(self, target: Target, entries: list[Entry],
                       report: NetworkReport) -> None:
        name, account, adapter = target.cls.name, target.account, target.adapter
        rows = self._first_run(name, account, entries, self._rows(name, account), report)
        now = time.time()
        plan = plan_network(entries, rows, self.options,
                            lambda row: owner_is_gone(row.owner, row.updated,
                                                      self.settings.stale_after, now))
        self._record_plan(name, account, plan, report)
        self.on_plan(name, len(plan.send))
        if adapter is None or self.options.dry_run:
            for entry in plan.send:
                self._add(report, self._compose_only(target.cls, entry))
            return
        sender = Sender(adapter, self.ledger, self.settings.max_wait, self.settings.max_retries,
                        self.settings.backoff)
        stopped = ""
        for entry in plan.send:
            if stopped:
                self._add(report, Outcome(name, entry.url, entry.title, "waiting", stopped))
                continue
            try:
                self._add(report, self._one(adapter, sender, account or "", entry,
                                            rows.get(entry.url)))
            except Deferred as exc:
                stopped = f"rate limited ({exc}); next run"
                self._add(report, Outcome(name, entry.url, entry.title, "waiting", stopped))
            except CredentialsStop as exc:
                stopped = f"not sent: {exc}"
                self._add(report, Outcome(name, entry.url, entry.title, "failed", str(exc)))

    def _compose_only(self, cls: type[NetworkAdapter], entry: Entry) -> Outcome:
        try:
            message = compose(entry, cls, self.settings.template, self.settings.utm)
        except ComposeError as exc:
            return Outcome(cls.name, entry.url, entry.title, "failed", str(exc))
        return Outcome(cls.name, entry.url, entry.title, "would post", message=message)

    def _record_plan(self, name: str, account: str | None, plan: Plan,
                     report: NetworkReport) -> None:
        for entry, old in plan.moved:
            state = "baseline" if old.state == "baseline" else "moved"
            if not self.options.dry_run and account is not None:
                self.ledger.note(ref(entry), name, account, state, f"moved from {old.url}",
                                 post_url=old.post_url)
            self._add(report, Outcome(name, entry.url, entry.title, "moved",
                                      f"moved from {old.url}; not announced again", old.post_url))
        for entry, reason in plan.skipped:
            self._add(report, Outcome(name, entry.url, entry.title, "skipped", reason))
        for entry, row in plan.unknown:
            self._add(report, Outcome(name, entry.url, entry.title, "unknown", row.detail or ""))
        for entry in plan.in_flight:
            self._add(report, Outcome(name, entry.url, entry.title, "skipped",
                                      "another promote run is sending it"))
        for entry in plan.waiting:
            self._add(report, Outcome(name, entry.url, entry.title, "waiting",
                                      f"over PROMOTE_MAX_PER_RUN ({self.options.max_per_run}); "
                                      "next run"))

    def _one(self, adapter: NetworkAdapter, sender: Sender, account: str, entry: Entry,
             row: Row | None) -> Outcome:
        name = adapter.name
        live = self.live.check(entry)
        if not live.ok:
            # The same wrong tags as on the last run: waiting did not fix them, the owner must.
            # The row stays claimable, so the run after the fix posts it.
            seen = bool(live.lasting) and row is not None and row.detail in (live.reason,
                                                                             live.lasting)
            state, detail = ("failed", live.lasting) if seen else ("skipped", live.reason)
            self.ledger.note(ref(entry), name, account, state, detail)
            return Outcome(name, entry.url, entry.title, state, detail)
        try:
            message = compose(entry, type(adapter), self.settings.template, self.settings.utm,
                              adapter.limits())
        except ComposeError as exc:
            self.ledger.note(ref(entry), name, account, "failed", str(exc))
            return Outcome(name, entry.url, entry.title, "failed", str(exc))
        allow = CLAIMABLE | ({"baseline"} if self.options.backfill else set()) | (
            {"unknown"} if self.options.retry_unknown else set())
        claim = self.ledger.claim(ref(entry), name, account,
                                  idempotency_key(name, account, entry.url), self.owner,
                                  allow=frozenset(allow), stale_after=self.settings.stale_after)
        if claim is None:
            return Outcome(name, entry.url, entry.title, "skipped",
                           "another promote run has it (sending or sent)")
        result = sender.send(message, claim, retry_unknown=self.options.retry_unknown)
        return Outcome(name, entry.url, entry.title, result.state, result.detail,
                       result.posted.post_url if result.posted else None, message)

    def _add(self, report: NetworkReport, outcome: Outcome) -> None:
        report.outcomes.append(outcome)
        self.on_outcome(outcome)
