"""The runner: every network in its own thread, articles oldest first within one.

For each network account: record the first run's baseline, plan (moves, backfill, the cap,
follow-ups, threads, evergreen slots, the window and the gap), then for each slot to send (an
announcement, a follow-up and its thread's parts, an evergreen slot): live check → compose →
``_post``, one path for every kind: claim the slot's ledger row with its text (conditional, and
the gap checked in the same write, so two runs never both send it nor post within the gap) →
``Sender``, which sends it or recovers an earlier try. One network's failure, rate limit or
missing credential never touches another's thread. ``--dry-run`` plans and composes the same way
but writes nothing and sends nothing.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from self_promoting_blog.promote.adapters.base import Message, NetworkAdapter
from self_promoting_blog.promote.campaign import (
    MISSED,
    SlotDue,
    ThreadPart,
    plan_follow_ups,
    unfinished_threads,
)
from self_promoting_blog.promote.compose import (
    compose,
    compose_evergreen,
    compose_follow_up,
    thread_part,
    with_text,
)
from self_promoting_blog.promote.errors import ComposeError, CredentialsStop, Deferred, PromoteError
from self_promoting_blog.promote.evergreen import EvergreenDue, plan_evergreen, site_key
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
from self_promoting_blog.promote.rows import Spaced, last_post, slot_key, split_slot
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
    """The same key for every try of one (network, account, slot key): never reused for another.

    An announcement's slot key is its article's URL, so its key is what it was before campaigns.
    """
    return hashlib.sha256(f"{network}\x1f{account}\x1f{url}".encode()).hexdigest()[:32]


Item = Entry | SlotDue | ThreadPart | EvergreenDue


@dataclass(frozen=True)
class Post:
    """One slot to claim and send (an announcement, a follow-up or one part of it, an evergreen
    slot): its article and ledger key, its title in reports, the message composed now, and what
    its row saves with the claim, before the request leaves (``text``; a thread's texts, an
    evergreen slot's pick). `spaced`: the gap applies (not to a thread's later parts)."""

    entry: Entry
    key: str
    title: str
    message: Message
    plan: Mapping[str, Any]
    spaced: bool = True


def _title(entry: Entry, key: str) -> str:
    """A follow-up's (or a thread part's) title as reports show it."""
    number, _, part = split_slot(key)[1].removeprefix("followup-").partition(".")
    return f"{entry.title} (follow-up {number}" + (f", part {part})" if part else ")")


def _label(item: Item) -> tuple[str, str]:
    """(title as reports show it, ledger key) of something to post."""
    if isinstance(item, Entry):
        return item.title, item.url
    if isinstance(item, EvergreenDue):
        return f"{item.entry.title} (evergreen, {item.slot.removeprefix('evergreen-')})", item.key
    return _title(item.entry, item.key), item.key


def _missed_note(missed: list[str]) -> str:
    """What a run says of the evergreen slots that went by."""
    dates = [slot.removeprefix("evergreen-") for slot in missed]
    span = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
    return (f"missed {len(dates)} evergreen slot{'s' * (len(dates) > 1)} ({span}) with no "
            "evergreen post (no run, or nothing to share); never caught up")


class Runner:
    """Runs one promote pass over the manifest for the configured networks."""

    def __init__(self, settings: PromoteSettings, ledger: LedgerBackend, options: Options,
                 live: LiveChecker, on_outcome: Callable[[Outcome], None] = lambda o: None,
                 on_plan: Callable[[str, int], None] = lambda n, c: None,
                 clock: Callable[[], float] = time.time,
                 scores: Callable[[], Mapping[str, int]] = dict) -> None:
        self.settings = settings
        self.scores = scores  # each article's interactions, for evergreen's pick
        self.clock = clock
        self.ledger = ledger
        self.options = options
        self.live = live
        self.on_outcome = on_outcome
        self.on_plan = on_plan
        self.owner = Owner(run_id=uuid.uuid4().hex[:12])
        # The states a claim may take a row from: the same for every kind of slot.
        self.allow = frozenset(CLAIMABLE | ({"baseline"} if options.backfill else set()) | (
            {"unknown"} if options.retry_unknown else set()))
        self.gap = settings.campaign.gap.total_seconds()

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
        now = self.clock()
        plan = plan_network(entries, rows, self.options,
                            lambda row: owner_is_gone(row.owner, row.updated,
                                                      self.settings.stale_after, now))
        campaign = self.settings.campaign
        when = datetime.fromtimestamp(now, UTC)
        retry = self.options.retry_unknown
        follow_ups = plan_follow_ups(entries, rows, campaign, name, when, retry)
        threads = unfinished_threads(entries, rows, retry)
        evergreen = plan_evergreen(entries, rows, campaign.evergreen, name, when,
                                   self.settings.siteurl, self.scores,
                                   target.cls.refuses_repeats, retry)
        self._record_plan(name, account, plan, report)
        self._record_missed(name, account, follow_ups.missed, report)
        if evergreen.missed:
            self._add(report, Outcome(
                name, site_key(self.settings.siteurl, evergreen.missed[0]), "evergreen",
                "skipped", _missed_note(evergreen.missed)))
        queue: list[Entry | SlotDue | EvergreenDue] = [*plan.send, *follow_ups.due,
                                                       *evergreen.due]
        go = self._gate(name, queue, campaign.open_at(name, when, last_post(rows.values())), when,
                        report)
        self.on_plan(name, len(go) + len(threads))
        if adapter is None or self.options.dry_run:
            for due in go:
                self._add(report, self._compose_only(target.cls, due))
            return
        sender = Sender(adapter, self.ledger, self.settings.max_wait, self.settings.max_retries,
                        self.settings.backoff)
        stopped = ""
        todo: list[Item] = [*threads, *go]
        for item in todo:
            title, key = _label(item)
            if stopped:
                self._add(report, Outcome(name, key, title, "waiting", stopped))
                continue
            try:
                if isinstance(item, SlotDue | ThreadPart):
                    self._follow_up(sender, account or "", item, report)
                    continue
                post = (self._announcement(adapter, account or "", item, rows.get(item.url))
                        if isinstance(item, Entry) else self._evergreen(adapter, item))
                self._add(report, post if isinstance(post, Outcome) else
                          self._post(sender, account or "", post)[0])
            except Deferred as exc:
                stopped = f"rate limited ({exc}); next run"
                self._add(report, Outcome(name, key, title, "waiting", stopped))
            except CredentialsStop as exc:
                stopped = f"not sent: {exc}"
                self._add(report, Outcome(name, key, title, "failed", str(exc)))

    def _gate(self, name: str, queue: list[Entry | SlotDue | EvergreenDue], opens: datetime,
              now: datetime, report: NetworkReport) -> list[Entry | SlotDue | EvergreenDue]:
        """What may go out now: nothing before the network's window or gap allows, and with a
        gap one post per run; the rest waits (queued, not recorded) for a later run."""
        if opens > now:
            why = f"waits for {name}'s posting window or gap: next at {self._local(opens)}"
            go: list[Entry | SlotDue | EvergreenDue] = []
        else:
            go = queue[:1] if self.settings.campaign.gap else queue
            why = f"spaced PROMOTE_GAP_MINUTES apart on {name}; a later run"
        for item in queue[len(go):]:
            title, key = _label(item)
            self._add(report, Outcome(name, key, title, "waiting", why))
        return go

    def _local(self, when: datetime) -> str:
        """A time as reports show it, in the site's time zone."""
        return when.astimezone(self.settings.campaign.zone).strftime("%a %d %b %H:%M %Z")

    def _record_missed(self, name: str, account: str | None, missed: list[SlotDue],
                       report: NetworkReport) -> None:
        for slot in missed:
            if not self.options.dry_run and account is not None:
                self.ledger.note(ArticleRef(slot.key, slot.entry.title, slot.entry.date,
                                            slot.entry.article_id), name, account, "skipped",
                                 MISSED)
            self._add(report, Outcome(name, slot.key, _label(slot)[0], "skipped", MISSED))

    # -- every kind of slot: prepared here, then claimed, sent and recorded by _post ----------

    def _post(self, sender: Sender, account: str, post: Post
              ) -> tuple[Outcome, Mapping[str, Any]]:
        """Claim `post`'s row (with its plan, and the gap checked in the same write), send it
        and record the result; with what its row saved (an earlier try's, where one may have
        put it out: then exactly that goes out, whatever was edited since)."""
        name, entry, key, title = sender.adapter.name, post.entry, post.key, post.title
        claim = self.ledger.claim(ArticleRef(key, entry.title, entry.date, entry.article_id),
                                  name, account, idempotency_key(name, account, key), self.owner,
                                  allow=self.allow, stale_after=self.settings.stale_after,
                                  plan=post.plan, gap=self.gap if post.spaced else 0.0)
        if claim is None:
            return Outcome(name, key, title, "skipped", "another promote run has it (sending "
                                                        "or sent)"), {}
        if isinstance(claim, Spaced):
            last = datetime.fromtimestamp(claim.last, UTC)
            return Outcome(name, key, title, "waiting", (
                f"another run posted on {name} at {self._local(last)}; spaced "
                f"PROMOTE_GAP_MINUTES apart: next at "
                f"{self._local(datetime.fromtimestamp(claim.until, UTC))}")), {}
        saved = claim.row.progress
        if saved.get("evergreen") != post.plan.get("evergreen"):
            # An earlier try may have sent another run's pick for this slot: only that may go
            # out, from the next run's plan, after a look on the network.
            self.ledger.checkpoint(key, name, account, "unsure", True)
            self.ledger.finish(key, name, account, "pending",
                               detail="picked by another run; sent by the next run")
            return Outcome(name, key, title, "waiting", "another run picked this slot; next "
                                                        "run"), saved
        adapter = sender.adapter
        message = post.message if saved["text"] == post.message.text else with_text(
            post.message, saved["text"], type(adapter), adapter.limits())
        result = sender.send(message, claim, retry_unknown=self.options.retry_unknown)
        return Outcome(name, key, title, result.state, result.detail,
                       result.posted.post_url if result.posted else None, message), saved

    def _announcement(self, adapter: NetworkAdapter, account: str, entry: Entry,
                      row: Row | None) -> Post | Outcome:
        """An article's announcement, once its live page is right."""
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
        return Post(entry, entry.url, entry.title, message, {"text": message.text})

    def _evergreen(self, adapter: NetworkAdapter, item: EvergreenDue) -> Post | Outcome:
        """An evergreen slot: the article and text picked for it, saved with its claim."""
        name, (title, key), entry = adapter.name, _label(item), item.entry
        live = self.live.check(entry)
        if not live.ok:  # the slot stays open: the next run picks again
            return Outcome(name, key, title, "skipped", live.reason)
        try:
            message = compose_evergreen(entry, item.text, item.slot, type(adapter),
                                        self.settings.template, self.settings.utm,
                                        adapter.limits())
        except ComposeError as exc:
            return Outcome(name, key, title, "failed", str(exc))
        return Post(entry, key, title, message, {"text": message.text, "evergreen": item.picked()})

    def _follow_up(self, sender: Sender, account: str, item: SlotDue | ThreadPart,
                   report: NetworkReport) -> None:
        """A follow-up, and (a thread) its further parts, or a thread's next parts: each part
        from the texts the thread's first row saved, whatever the article says by now."""
        adapter, entry = sender.adapter, item.entry
        slot = split_slot(item.key)[1].split(".")[0]
        limits = adapter.limits()
        try:
            parts = compose_follow_up(entry, item.text, slot, type(adapter), self.settings.utm,
                                      limits)
        except ComposeError as exc:
            self.ledger.note(ArticleRef(item.key, entry.title, entry.date, entry.article_id),
                             adapter.name, account, "failed", str(exc))
            self._add(report, Outcome(adapter.name, item.key, _label(item)[0], "failed",
                                      str(exc)))
            return
        if isinstance(item, ThreadPart):
            later, parent = (item.text, *item.later), item.parent
            number = int(item.key.rpartition(".")[2])
        else:
            texts = [part.text for part in parts]
            outcome, saved = self._post(sender, account, Post(
                entry, item.key, _label(item)[0], parts[0],
                {"text": texts[0], **({"thread": texts} if len(texts) > 1 else {})}))
            self._add(report, outcome)
            if outcome.status != "posted":
                return
            later, parent, number = tuple(saved.get("thread", ())[1:]), item.key, 2
        for index, text in enumerate(later, number):
            key = slot_key(entry.url, f"{slot}.{index}")
            replied = self.ledger.get(parent, adapter.name, account)
            message = thread_part(parts[0], text, f"{slot}.{index}",
                                  replied.post_id if replied else None, type(adapter), limits)
            outcome, _ = self._post(sender, account, Post(entry, key, _title(entry, key),
                                                          message, {"text": text},
                                                          spaced=False))
            self._add(report, outcome)
            if outcome.status != "posted":
                return  # the rest of the thread waits for this part
            parent = key

    def _compose_only(self, cls: type[NetworkAdapter], item: Entry | SlotDue | EvergreenDue
                      ) -> Outcome:
        title, key = _label(item)
        try:
            if isinstance(item, Entry):
                message = compose(item, cls, self.settings.template, self.settings.utm)
            elif isinstance(item, EvergreenDue):
                message = compose_evergreen(item.entry, item.text, item.slot, cls,
                                            self.settings.template, self.settings.utm)
            else:
                parts = compose_follow_up(item.entry, item.text, item.follow_up.slot, cls,
                                          self.settings.utm)
                message = replace(parts[0], text="\n\n".join(p.text for p in parts))
        except ComposeError as exc:
            return Outcome(cls.name, key, title, "failed", str(exc))
        return Outcome(cls.name, key, title, "would post", message=message)

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

    def _add(self, report: NetworkReport, outcome: Outcome) -> None:
        report.outcomes.append(outcome)
        self.on_outcome(outcome)
