"""What promotion will post, per network and when (for `invoke calendar`): nothing is sent.

Announcements still to go out (waiting for a window or the gap), follow-ups with their dates
(also those of announcements still queued), and the next evergreen picks (the current period's
and the next ``EVERGREEN_PERIODS - 1``, each picked as if the ones before had gone out). Each is
placed where the network's windows and ``PROMOTE_GAP_MINUTES`` let it go, one after another, the
way runs would send them. Read from the manifest of the last production build and the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

from self_promoting_blog.promote.adapters.base import NetworkAdapter
from self_promoting_blog.promote.campaign import plan_follow_ups
from self_promoting_blog.promote.compose import compose, compose_evergreen, compose_follow_up
from self_promoting_blog.promote.errors import ComposeError, PromoteError
from self_promoting_blog.promote.evergreen import plan_evergreen
from self_promoting_blog.promote.ledger import open_ledger
from self_promoting_blog.promote.manifest import Entry, read_manifest
from self_promoting_blog.promote.networks import adapter_class
from self_promoting_blog.promote.plan import Options, first_run_baseline, plan_network
from self_promoting_blog.promote.rows import Row, last_post
from self_promoting_blog.promote.samples_sqlite import read_totals
from self_promoting_blog.promote.settings import PromoteSettings, load_settings
from self_promoting_blog.promote.stored import read_store

EVERGREEN_PERIODS = 3


@dataclass(frozen=True)
class Upcoming:
    """One post to come: when, what ("announcement", "follow-up 2", "evergreen"), of which
    article, and (asked for) its exact text."""

    when: datetime
    what: str
    title: str
    url: str
    text: str | None = None


@dataclass
class NetworkAgenda:
    """One network's posts to come, soonest first."""

    network: str
    label: str
    items: list[Upcoming] = field(default_factory=list)


@dataclass(frozen=True)
class _Due:
    due: datetime
    what: str
    entry: Entry
    text: Callable[[], str]  # composed only when asked for


def _text(make: Callable[[], str]) -> str:
    try:
        return make()
    except ComposeError as exc:
        return f"(cannot be composed: {exc})"


def _network(name: str, entries: list[Entry], rows: dict[str, Row], settings: PromoteSettings,
             now: datetime, scores: Mapping[str, int], texts: bool) -> NetworkAgenda:
    cls: type[NetworkAdapter] = adapter_class(name)
    campaign, template, utm = settings.campaign, settings.template, settings.utm
    if not rows:  # the first run records what is published as baseline, announcing nothing
        rows = {ref.url: Row(ref.url, name, "", "baseline", ref.title, ref.date)
                for ref in first_run_baseline(entries, Options())}
    found: list[_Due] = []
    plan = plan_network(entries, rows, Options(max_per_run=len(entries) + 1))
    # A queued announcement goes out when its window opens; its follow-ups count from then.
    announced = campaign.open_at(name, now, None)
    for entry in plan.send:
        found.append(_Due(now, "announcement", entry,
                          partial(lambda e: compose(e, cls, template, utm).text, entry)))
        for follow_up in campaign.follow_ups:
            if follow_up.covers(name) and follow_up.number <= len(entry.followups):
                found.append(_Due(announced + timedelta(days=follow_up.after_days),
                                  f"follow-up {follow_up.number}", entry,
                                  _follow_up_text(entry, follow_up.number, cls, utm)))
    follow_ups = plan_follow_ups(entries, rows, campaign, name, now)
    for slot in [*follow_ups.due, *follow_ups.ahead]:
        found.append(_Due(max(slot.due, now), f"follow-up {slot.follow_up.number}", slot.entry,
                          _follow_up_text(slot.entry, slot.follow_up.number, cls, utm)))
    found += _evergreen(name, entries, dict(rows), settings, now, scores, cls)
    agenda = NetworkAgenda(name, cls.label)
    last = last_post(rows.values())
    for item in sorted(found, key=lambda due: due.due):
        when = campaign.open_at(name, item.due, last)
        last = when.timestamp()
        agenda.items.append(Upcoming(when, item.what, item.entry.title, item.entry.url,
                                     _text(item.text) if texts else None))
    return agenda


def _follow_up_text(entry: Entry, number: int, cls: type[NetworkAdapter],
                    utm: bool) -> Callable[[], str]:
    return lambda: "\n\n".join(part.text for part in compose_follow_up(
        entry, entry.followups[number - 1], f"followup-{number}", cls, utm))


def _evergreen(name: str, entries: list[Entry], rows: dict[str, Row], settings: PromoteSettings,
               now: datetime, scores: Mapping[str, int], cls: type[NetworkAdapter]
               ) -> list[_Due]:
    """This period's picks and the next ones', each as if the earlier ones had gone out."""
    evergreen = settings.campaign.evergreen
    if evergreen is None or name not in evergreen.networks:
        return []
    found = []
    start = evergreen.period(now)
    for period in range(EVERGREEN_PERIODS):
        when = max(now, start + timedelta(days=evergreen.every_days * period))
        plan = plan_evergreen(entries, rows, evergreen, name, when, settings.siteurl,
                              lambda: scores, cls.refuses_repeats)
        for due in plan.due:
            found.append(_Due(when, "evergreen", due.entry, partial(
                lambda d: compose_evergreen(d.entry, d.text, d.slot, cls, settings.template,
                                            settings.utm).text, due)))
            rows[due.key] = Row(due.key, name, "", "posted", progress={"evergreen": due.picked()},
                                updated=when.timestamp())
    return found


def read_agenda(pelican: Mapping[str, object], now: datetime | None = None,
                texts: bool = False) -> tuple[list[NetworkAgenda], str]:
    """Every promoted network's agenda, or none and why (promotion off, no manifest yet)."""
    now = now or datetime.now(UTC)
    settings = load_settings(pelican)
    if not settings.networks:
        return [], "Promotion is off: PROMOTE_NETWORKS is empty in publishconf.py."
    try:
        entries = read_manifest(settings.manifest_path)
    except PromoteError as exc:
        return [], str(exc)
    try:  # the ledger may be in a bucket this machine has no credentials for
        every = read_store(lambda: open_ledger(settings.ledger, settings.ledger_path, pelican,
                                               read_only=True), lambda ledger: ledger.rows())
        scores = {} if settings.campaign.evergreen is None else read_totals(
            settings.ledger, settings.ledger_path, pelican, every)
    except PromoteError as exc:
        return [], f"Promotion: the ledger cannot be read here ({exc})."
    by_network: dict[str, dict[str, Row]] = {name: {} for name in settings.networks}
    for row in every:
        if row.network in by_network:
            by_network[row.network][row.url] = row
    return [_network(name, entries, by_network[name], settings, now, scores, texts)
            for name in settings.networks], ""

