"""Evergreen re-sharing: now and then, an older article again, on the networks that want it.

``PROMOTE_EVERGREEN`` (validated by ``load_evergreen``) sets the networks, how often (a period
of ``every_days`` counted from 1970-01-01 UTC), which articles (``min_age_days``,
``max_age_days``, ``exclude_categories``, ``exclude_tags``, never one whose header says
``Evergreen: no``), how soon one may be shared again (``repeat_after_days``) and how many go out
per period (``per_run``).

Each period has ``per_run`` time slots per network, ``evergreen-2026-12-03`` (then ``-2``, …):
a slot is its own ledger row keyed by the site URL and the slot, not by the article, so two
runners that compute the same slot claim the same row and only one of them posts. The article
and text picked are saved in the row before anything is sent, so a run after a crash resends
exactly them. A run posts only the current period's slots; the periods that went by without a
run are reported as missed and never caught up.

Which article: the manifest of the current build lists what is live (no draft, scheduled or
hidden article is in it); of those, one announced on that network (or recorded as baseline,
published before promotion was set up), never one whose announcement is unknown, failed or still
to send. Best performers first when ``invoke stats`` has samples, else the one shared least
recently. The text rotates through the writer's ``Followups:`` (the announcement's own text when
there are none); a network that refuses a repeated text never gets one again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from self_promoting_blog.promote.errors import SettingsError
from self_promoting_blog.promote.manifest import Entry
from self_promoting_blog.promote.networks import check_network_name
from self_promoting_blog.promote.rows import ANNOUNCE, Row, slot_key, split_slot, to_send

DAY = 86400.0
PREFIX = "evergreen-"
EXAMPLE = ('{"networks": ["mastodon", "bluesky"], "every_days": 2, "min_age_days": 30, '
           '"max_age_days": None, "repeat_after_days": 90, "per_run": 1}')
# An announcement in one of these states lets its article be shared again.
SHARED_BEFORE = frozenset({"posted", "moved", "baseline"})
# Rows that put an article (or a text) out on the network, or may have.
_OUT = frozenset({"posted", "sending", "unknown"})


@dataclass(frozen=True)
class Evergreen:
    """The validated PROMOTE_EVERGREEN."""

    networks: tuple[str, ...]
    every_days: int = 2
    min_age_days: float = 30.0
    max_age_days: float | None = None
    repeat_after_days: float = 90.0
    per_run: int = 1
    exclude_categories: frozenset[str] = frozenset()   # casefolded
    exclude_tags: frozenset[str] = frozenset()         # casefolded

    def period(self, now: datetime) -> datetime:
        """The start (UTC midnight) of the period `now` falls in."""
        length = self.every_days * DAY
        return datetime.fromtimestamp(now.timestamp() // length * length, UTC)

    def slots(self, start: datetime) -> list[str]:
        """The slot names of the period starting at `start`."""
        name = f"{PREFIX}{start:%Y-%m-%d}"
        return [name, *(f"{name}-{n}" for n in range(2, self.per_run + 1))]

    def excludes(self, entry: Entry) -> bool:
        """True for an article the writer or the settings keep out of re-sharing."""
        return (not entry.promote or not entry.evergreen
                or entry.category.casefold() in self.exclude_categories
                or any(tag.casefold() in self.exclude_tags for tag in entry.tags))


@dataclass(frozen=True)
class EvergreenDue:
    """A slot to post now: the article, the writer's text (None: the announcement's own), the
    slot's name and its ledger key."""

    entry: Entry
    text: str | None
    slot: str
    key: str

    def picked(self) -> dict[str, Any]:
        """What the slot's row saves before it is sent, so a resumed run sends the same."""
        return {"article": self.entry.url, "text": self.text}


@dataclass
class EvergreenPlan:
    """One network's evergreen slots: due now, and the earlier ones missed."""

    due: list[EvergreenDue] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)


def site_key(siteurl: str, slot: str) -> str:
    """The ledger key of an evergreen slot: the site's URL with the slot."""
    return slot_key(f"{siteurl}/", slot)


@dataclass
class _History:
    """What one network's ledger says each article had out: when last, and which texts."""

    last: dict[str, float] = field(default_factory=dict)
    texts: dict[str, dict[str | None, float]] = field(default_factory=dict)
    newest_slot: str = ""

    def add(self, url: str, text: str | None, when: float) -> None:
        self.last[url] = max(self.last.get(url, 0.0), when)
        used = self.texts.setdefault(url, {})
        used[text] = max(used.get(text, 0.0), when)


def _history(rows: Mapping[str, Row], followups: Mapping[str, tuple[str, ...]]) -> _History:
    history = _History()
    for row in rows.values():
        url, slot = split_slot(row.url)
        if slot.startswith(PREFIX):
            history.newest_slot = max(history.newest_slot, slot)
        if row.state not in _OUT:
            continue
        picked = row.progress.get("evergreen")
        if picked:
            history.add(picked["article"], picked["text"], row.updated)
        elif slot == ANNOUNCE:
            history.add(url, None, row.updated)
        elif slot.startswith("followup-"):
            number = int(slot.removeprefix("followup-").split(".")[0])
            texts = followups.get(url, ())
            history.add(url, texts[number - 1] if number <= len(texts) else slot, row.updated)
    return history


def _text(entry: Entry, used: Mapping[str | None, float], refuses_repeats: bool
          ) -> tuple[bool, str | None]:
    """(usable, text): a text never shared there, in the writer's order, else the one shared
    least recently; nothing where the network refuses a repeat and every text went out."""
    texts: list[str | None] = list(entry.followups) or [None]
    fresh = [text for text in texts if text not in used]
    if fresh:
        return True, fresh[0]
    if refuses_repeats:
        return False, None
    return True, min(texts, key=lambda text: used[text])


def _age_days(entry: Entry, now: datetime) -> float | None:
    try:
        published = datetime.fromisoformat(entry.date)
    except ValueError:
        return None
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return (now - published).total_seconds() / DAY


def _missed(newest: str, start: datetime, evergreen: Evergreen) -> list[str]:
    """The periods after the newest slot this network had and before the current one."""
    if not newest:
        return []
    try:
        last = datetime.strptime(newest.removeprefix(PREFIX)[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return []
    step = timedelta(days=evergreen.every_days)
    missed, when = [], last + step
    while when < start:
        missed.append(f"{PREFIX}{when:%Y-%m-%d}")
        when += step
    return missed


def plan_evergreen(entries: list[Entry], rows: Mapping[str, Row], evergreen: Evergreen | None,
                   network: str, now: datetime, siteurl: str,
                   article_scores: Callable[[], Mapping[str, int]],
                   refuses_repeats: bool = False, retry_unknown: bool = False) -> EvergreenPlan:
    """The current period's open slots on `network` (with `retry_unknown`, an unknown one too),
    each with its article and text (`article_scores` is asked only when a slot is open: reading
    samples takes time)."""
    plan = EvergreenPlan()
    if evergreen is None or network not in evergreen.networks:
        return plan
    start = evergreen.period(now)
    open_slots = []
    again = to_send(retry_unknown)
    for slot in evergreen.slots(start):
        row = rows.get(site_key(siteurl, slot))
        if row is None or row.state in again:
            open_slots.append((slot, row))
    if not open_slots:
        return plan  # the usual case between two periods: nothing to read
    by_url = {entry.url: entry for entry in entries}
    history = _history(rows, {e.url: e.followups for e in entries if e.followups})
    if rows.get(site_key(siteurl, open_slots[0][0])) is None:
        plan.missed = _missed(history.newest_slot, start, evergreen)
    fresh = _candidates(entries, rows, evergreen, now, history, article_scores(),
                        refuses_repeats)
    for slot, row in open_slots:
        picked = row.progress.get("evergreen") if row else None
        if picked and picked["article"] in by_url:  # picked before: send exactly that again
            due = EvergreenDue(by_url[picked["article"]], picked["text"], slot,
                               site_key(siteurl, slot))
        elif fresh:
            entry, text = fresh.pop(0)
            due = EvergreenDue(entry, text, slot, site_key(siteurl, slot))
        else:
            break
        fresh = [(e, t) for e, t in fresh if e.url != due.entry.url]
        plan.due.append(due)
    return plan


def _candidates(entries: list[Entry], rows: Mapping[str, Row], evergreen: Evergreen,
                now: datetime, history: _History, article_scores: Mapping[str, int],
                refuses_repeats: bool) -> list[tuple[Entry, str | None]]:
    """Every article that may be shared now with its text, best performer (then least recently
    shared, then oldest) first."""
    repeat = now.timestamp() - evergreen.repeat_after_days * DAY
    found = []
    for entry in entries:
        announced = rows.get(entry.url)
        if announced is None or announced.state not in SHARED_BEFORE or \
                evergreen.excludes(entry) or history.last.get(entry.url, 0.0) > repeat:
            continue
        age = _age_days(entry, now)
        if age is None or age < evergreen.min_age_days or (
                evergreen.max_age_days is not None and age > evergreen.max_age_days):
            continue
        usable, text = _text(entry, history.texts.get(entry.url, {}), refuses_repeats)
        if usable:
            found.append((entry, text))
    found.sort(key=lambda pick: (-article_scores.get(pick[0].url, 0),
                                 history.last.get(pick[0].url, 0.0), pick[0].date, pick[0].url))
    return found


# -- settings --------------------------------------------------------------------------------

_KEYS = ("networks", "every_days", "min_age_days", "max_age_days", "repeat_after_days",
         "per_run", "exclude_categories", "exclude_tags")


def _bad(problem: str, fix: str = f"Write it as {EXAMPLE}.") -> SettingsError:
    return SettingsError("PROMOTE_EVERGREEN", problem, fix)


def _days(value: Mapping[str, Any], name: str, default: float | None, minimum: float,
          whole: bool = False) -> Any:
    given = value.get(name, default)
    if given is None and default is None:
        return None
    kind = "a whole number" if whole else "a number"
    if isinstance(given, bool) or not isinstance(given, int if whole else int | float) or \
            given < minimum:
        raise _bad(f"{name} {given!r} is not {kind} of at least {minimum:g}",
                   f'Write e.g. "{name}": {default!r}' + (" (or None: no limit)." if name ==
                                                          "max_age_days" else "."))
    return given


def _names(value: Mapping[str, Any], name: str) -> frozenset[str]:
    given = value.get(name) or []
    if isinstance(given, str) or not isinstance(given, list | tuple) or \
            not all(isinstance(item, str) for item in given):
        raise _bad(f"{name} {given!r} is not a list of names",
                   f'Write e.g. "{name}": ["News"] (as the articles\' headers spell them).')
    return frozenset(item.casefold() for item in given)


def load_evergreen(value: Any) -> Evergreen | None:
    """PROMOTE_EVERGREEN validated; None when it is empty (no re-sharing)."""
    if not value:
        return None
    if not isinstance(value, Mapping):
        raise _bad(f"{value!r} is not a dict")
    unknown = sorted(set(map(str, value)) - set(_KEYS))
    if unknown:
        raise _bad(f"has no setting {unknown[0]!r}", f"Use only {', '.join(_KEYS)}.")
    networks = value.get("networks")
    if isinstance(networks, str) or not isinstance(networks, list | tuple) or not networks:
        raise _bad(f"networks {networks!r} is not a list of networks",
                   'Write e.g. "networks": ["mastodon", "bluesky"].')
    evergreen = Evergreen(
        networks=tuple(check_network_name(str(n), "PROMOTE_EVERGREEN") for n in networks),
        every_days=_days(value, "every_days", 2, 1, whole=True),
        min_age_days=float(_days(value, "min_age_days", 30, 0)),
        max_age_days=_days(value, "max_age_days", None, 0),
        repeat_after_days=float(_days(value, "repeat_after_days", 90, 0)),
        per_run=_days(value, "per_run", 1, 1, whole=True),
        exclude_categories=_names(value, "exclude_categories"),
        exclude_tags=_names(value, "exclude_tags"))
    if evergreen.max_age_days is not None and evergreen.max_age_days < evergreen.min_age_days:
        raise _bad(f"max_age_days {evergreen.max_age_days!r} is below min_age_days "
                   f"{evergreen.min_age_days:g}, so no article is ever old enough and young "
                   "enough", 'Raise max_age_days, or write "max_age_days": None (no limit).')
    return evergreen
