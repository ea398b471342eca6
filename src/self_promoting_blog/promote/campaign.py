"""Campaigns: posting windows, the gap between two posts, and follow-ups as ledger slots.

Settings (validated here, read by ``settings.load_settings``): ``PROMOTE_WINDOWS``,
``PROMOTE_GAP_MINUTES``, ``PROMOTE_FOLLOW_UPS``, ``PROMOTE_EVERGREEN`` (``evergreen.py``) and the
site's ``TIMEZONE``. Empty settings mean
no campaign: every announcement goes out at once, as without them.

Pure functions over manifest entries and one network account's ledger rows:

- ``open_at``: when the network may next be posted to: now, or later (its next window, or
  ``PROMOTE_GAP_MINUTES`` after its last post in the ledger, so separate runs keep the gap too;
  the claim checks the gap again, atomically, so runs started together keep it as well).
- ``due_follow_ups``: follow-up N of an article is due ``after_days`` after its announcement
  was posted on that network; it is its own ledger row (slot ``followup-N``). One left waiting
  more than ``MISSED_AFTER`` past its first open window is missed: skipped, never caught up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from self_promoting_blog.promote.errors import SettingsError
from self_promoting_blog.promote.evergreen import Evergreen, load_evergreen
from self_promoting_blog.promote.manifest import Entry
from self_promoting_blog.promote.networks import check_network_name
from self_promoting_blog.promote.rows import CLAIMABLE, Row, slot_key, to_send
from self_promoting_blog.promote.windows import Window, next_open, parse_window
from self_promoting_blog.settings import number

# A follow-up still not sent this long after its first open window is skipped as missed.
MISSED_AFTER = timedelta(days=2)
_FOLLOW_UP_KEYS = {"after_days", "networks"}


@dataclass(frozen=True)
class FollowUp:
    """One line of PROMOTE_FOLLOW_UPS: follow-up `number` (1-based) goes out `after_days` after
    the announcement, on `networks` (empty: every network promoted to)."""

    number: int
    after_days: float
    networks: tuple[str, ...] = ()

    @property
    def slot(self) -> str:
        return f"followup-{self.number}"

    def covers(self, network: str) -> bool:
        return not self.networks or network in self.networks


@dataclass(frozen=True)
class Campaign:
    """The validated campaign settings."""

    zone: tzinfo = UTC
    windows: Mapping[str, tuple[Window, ...]] = field(default_factory=dict)
    gap: timedelta = timedelta(0)
    follow_ups: tuple[FollowUp, ...] = ()
    evergreen: Evergreen | None = None

    def open_at(self, network: str, now: datetime, last_post: float | None) -> datetime:
        """When `network` may next be posted to: `now`, or the later of the end of the gap since
        its `last_post` (a timestamp) and the start of its next window."""
        earliest = now
        if last_post is not None and self.gap:
            earliest = max(now, datetime.fromtimestamp(last_post, UTC) + self.gap)
        return next_open(earliest, self.windows.get(network, ()), self.zone)


@dataclass(frozen=True)
class SlotDue:
    """A follow-up of one article on one network: its slot, text and due time."""

    entry: Entry
    follow_up: FollowUp
    text: str
    due: datetime

    @property
    def key(self) -> str:
        """The slot's ledger key."""
        return slot_key(self.entry.url, self.follow_up.slot)


@dataclass
class FollowUpPlan:
    """One network's follow-ups: due now, missed (to record as skipped), and still ahead."""

    due: list[SlotDue] = field(default_factory=list)
    missed: list[SlotDue] = field(default_factory=list)
    ahead: list[SlotDue] = field(default_factory=list)


def plan_follow_ups(entries: list[Entry], rows: Mapping[str, Row], campaign: Campaign,
                    network: str, now: datetime, retry_unknown: bool = False) -> FollowUpPlan:
    """The follow-ups of articles announced on `network` that are not done, by due time (with
    `retry_unknown`, an unknown one too: the owner says it is not there)."""
    plan = FollowUpPlan()
    follow_ups = [f for f in campaign.follow_ups if f.covers(network)]
    if not follow_ups:
        return plan
    for entry in entries:
        announced = rows.get(entry.url)
        if not entry.promote or not entry.followups or announced is None or \
                announced.state != "posted":
            continue
        posted = datetime.fromtimestamp(announced.updated, UTC)
        for follow_up in follow_ups:
            if follow_up.number > len(entry.followups):
                continue
            slot = SlotDue(entry, follow_up, entry.followups[follow_up.number - 1],
                           posted + timedelta(days=follow_up.after_days))
            row = rows.get(slot.key)
            if row is not None and row.state in to_send(retry_unknown) - CLAIMABLE:
                # In flight, or its run crashed mid-request (the claim tells which, and a
                # crashed one is looked for on the network before anything is sent again), or
                # unknown and retried.
                plan.due.append(slot)
            elif row is not None and (row.state not in CLAIMABLE or row.detail == MISSED):
                continue  # posted or settled otherwise; or missed before
            elif slot.due > now:
                plan.ahead.append(slot)
            elif now > next_open(slot.due, campaign.windows.get(network, ()),
                                 campaign.zone) + MISSED_AFTER:
                plan.missed.append(slot)
            else:
                plan.due.append(slot)
    for found in (plan.due, plan.missed, plan.ahead):
        found.sort(key=lambda slot: slot.due)
    return plan


MISSED = "missed: not sent within two days of its first posting window; never caught up"


# -- settings --------------------------------------------------------------------------------

def _zone(settings: Mapping[str, Any]) -> tzinfo:
    name = settings.get("TIMEZONE")
    if not name:
        return UTC
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError("TIMEZONE", f"{name!r} is not a time zone",
                            'Use an IANA name, e.g. TIMEZONE = "Europe/Stockholm".') from None


def _windows(value: Any) -> dict[str, tuple[Window, ...]]:
    if not value:
        return {}
    if not isinstance(value, Mapping):
        raise SettingsError("PROMOTE_WINDOWS", f"{value!r} is not a dict",
                            'Write it as {"linkedin": ["Mon-Fri 08:00-10:00"]}.')
    windows: dict[str, tuple[Window, ...]] = {}
    for network, specs in value.items():
        name = check_network_name(str(network), "PROMOTE_WINDOWS")
        specs = [specs] if isinstance(specs, str) else specs
        if not isinstance(specs, list | tuple) or not specs:
            raise SettingsError("PROMOTE_WINDOWS", f"{name}: {specs!r} is not a list of windows",
                                f'Write e.g. "{name}": ["Mon-Fri 08:00-10:00"], or leave '
                                f"{name} out to post at any time.")
        windows[name] = tuple(parse_window(spec, "PROMOTE_WINDOWS") for spec in specs)
    return windows


def _follow_up(number_: int, item: Any) -> FollowUp:
    example = '{"after_days": 3, "networks": ["mastodon", "bluesky"]}'
    if not isinstance(item, Mapping) or not set(item) <= _FOLLOW_UP_KEYS or \
            "after_days" not in item:
        raise SettingsError("PROMOTE_FOLLOW_UPS", f"entry {number_} ({item!r}) is not a "
                            "follow-up", f"Write each as {example} (networks may be left out: "
                            "every network).")
    after = item["after_days"]
    if isinstance(after, bool) or not isinstance(after, int | float) or after <= 0:
        raise SettingsError("PROMOTE_FOLLOW_UPS", f"entry {number_}: after_days {after!r} is "
                            "not a number of days above 0", f"Write e.g. {example}.")
    networks = item.get("networks") or []
    if isinstance(networks, str) or not isinstance(networks, list | tuple):
        raise SettingsError("PROMOTE_FOLLOW_UPS", f"entry {number_}: networks {networks!r} is "
                            "not a list", f"Write e.g. {example}.")
    return FollowUp(number_, float(after), tuple(check_network_name(str(n), "PROMOTE_FOLLOW_UPS")
                                                for n in networks))


def _follow_ups(value: Any) -> tuple[FollowUp, ...]:
    if not value:
        return ()
    if not isinstance(value, list | tuple):
        raise SettingsError("PROMOTE_FOLLOW_UPS", f"{value!r} is not a list",
                            'Write it as [{"after_days": 3, "networks": ["mastodon"]}].')
    return tuple(_follow_up(index, item) for index, item in enumerate(value, 1))


def load_campaign(settings: Mapping[str, Any]) -> Campaign:
    """PROMOTE_WINDOWS, PROMOTE_GAP_MINUTES, PROMOTE_FOLLOW_UPS, PROMOTE_EVERGREEN and
    TIMEZONE, validated."""
    gap = number("PROMOTE_GAP_MINUTES", settings.get("PROMOTE_GAP_MINUTES") or 0, minimum=0,
                 owner="promote", where="publishconf.py",
                 fix="set it to the least minutes between two posts on one network, e.g. 30")
    return Campaign(zone=_zone(settings), windows=_windows(settings.get("PROMOTE_WINDOWS")),
                    gap=timedelta(minutes=gap),
                    follow_ups=_follow_ups(settings.get("PROMOTE_FOLLOW_UPS")),
                    evergreen=load_evergreen(settings.get("PROMOTE_EVERGREEN")))


@dataclass(frozen=True)
class ThreadPart:
    """A thread's part still to post after its first went out: its slot key, text and the
    key of the part it answers."""

    entry: Entry
    key: str
    text: str
    parent: str
    later: tuple[str, ...] = ()  # the texts of the parts after it, posted in the same run


def unfinished_threads(entries: list[Entry], rows: Mapping[str, Row],
                       retry_unknown: bool = False) -> list[ThreadPart]:
    """The next part of every thread whose first part is posted and whose last is not (with
    `retry_unknown`, one whose next part is unknown too).

    A thread's texts are saved in its first row (progress ``thread``) before it is sent, so a
    run after a crash posts the same parts, each once, whatever the article says by then.
    """
    parts = []
    again = to_send(retry_unknown)
    for entry in entries:
        for number_ in range(1, len(entry.followups) + 1):
            first = slot_key(entry.url, f"followup-{number_}")
            row = rows.get(first)
            texts = row.progress.get("thread") if row and row.state == "posted" else None
            if not texts:
                continue
            parent = first
            for index, text in enumerate(texts[1:], 2):
                key = slot_key(entry.url, f"followup-{number_}.{index}")
                done = rows.get(key)
                if done is None or done.state in again:
                    parts.append(ThreadPart(entry, key, text, parent, tuple(texts[index:])))
                    break
                if done.state != "posted":
                    break  # failed for good or unknown: the owner decides, nothing follows it
                parent = key
    return parts
