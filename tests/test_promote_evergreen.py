"""Evergreen re-sharing: which article, which text, once per time slot, missed slots skipped.

The engine runs in a child process whose clock libfaketime sets (``at``, as the campaign tests
do), so periods, article ages and the ledger's timestamps move together.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from self_promoting_blog.errors import SettingsError
from self_promoting_blog.promote.evergreen import load_evergreen, plan_evergreen
from self_promoting_blog.promote.manifest import Entry
from self_promoting_blog.promote.rows import STATES, Row
from self_promoting_blog.promote.samples import Sample
from self_promoting_blog.promote.samples_sqlite import SqliteSamples
from tests.fakes.s3 import shifted_clock_env
from tests.fakes.server import Delay, Hang
from tests.test_promote_campaigns import QUOTE, STAT, at, texts

EVERGREEN = {"networks": ["mastodon"], "every_days": 2, "min_age_days": 30,
             "max_age_days": None, "repeat_after_days": 90, "per_run": 1,
             "exclude_categories": ["News"], "exclude_tags": ["event"]}


def slot(day: str) -> str:
    """The slot a run on `day` fills: periods of two days counted from 1970-01-01."""
    return load_evergreen(EVERGREEN).slots(load_evergreen(EVERGREEN).period(
        datetime.fromisoformat(day).replace(tzinfo=UTC)))[0]


def firsts(world, network: str) -> list[str]:
    """The first line of each post (a Facebook Page's posts carry their text as "message")."""
    found = [p["message"] for p in world.posts(network)] if network == "facebook" else \
        texts(world, network)
    return [text.split("\n")[0] for text in found]


def test_evergreen_picks_rotates_skips_missed_slots_and_never_repeats_too_soon(make_world):
    world = make_world("mastodon", "telegram", baseline=False)
    old = "2024-01-10T09:00:00+01:00"
    world.article("evergreen-a", date=old, followups=[QUOTE, STAT])
    world.article("evergreen-b", date="2024-02-10T09:00:00+01:00")
    world.article("said-no", date=old, evergreen=False)
    world.article("news-item", date=old, category="News")
    world.article("event-item", date=old, tags=["Event", "SEO"])
    world.article("too-young", date="2024-05-20T09:00:00+02:00")
    world.article("scheduled", date="2024-10-01T09:00:00+02:00")
    world.article("taken-down", date=old)
    assert at(world, "2024-06-01 07:00").code == 0  # first run: all baseline, no evergreen yet
    world.articles = [a for a in world.articles if "taken-down" not in a["url"]]
    world.write_manifest()
    world.overrides = {"PROMOTE_EVERGREEN": {**EVERGREEN, "min_age_days": 45}}

    first = at(world, "2024-06-03 08:00")
    assert first.code == 0, first.output
    # Never shared, so the oldest first; its first Followups: text, tagged with the slot.
    assert firsts(world, "mastodon") == [QUOTE]
    assert f"utm_content={slot('2024-06-03')}" in texts(world, "mastodon")[0]
    assert texts(world, "telegram") == []  # not in networks
    at(world, "2024-06-03 18:00")          # the same period: its one slot is taken
    assert len(texts(world, "mastodon")) == 1

    # The schedule was off for a week: one run's worth goes out, and the gap is reported.
    back = at(world, "2024-06-11 08:00")
    assert back.code == 0, back.output
    assert "missed 3 evergreen slots" in back.output, back.output
    assert "never caught up" in back.output
    assert firsts(world, "mastodon") == [QUOTE, "Evergreen b"]
    # Both shared within repeat_after_days and every other article is ruled out: nothing.
    for day in ("2024-06-13 08:00", "2024-07-01 08:00"):
        quiet = at(world, day)
        assert quiet.code == 0 and len(texts(world, "mastodon")) == 2, quiet.output
    # Past repeat_after_days: first the article never shared (old enough by now), then the one
    # shared least recently, with its next text.
    for day in ("2024-09-02 08:00", "2024-09-04 08:00"):
        again = at(world, day)
        assert again.code == 0, again.output
    assert firsts(world, "mastodon") == [QUOTE, "Evergreen b", "Too young", STAT]
    ledger = world.ledger()
    rows = sorted((r for r in ledger.rows("mastodon") if r.slot.startswith("evergreen-")),
                  key=lambda r: r.slot)
    ledger.close()
    assert [(r.slot, r.state, r.article.rsplit("/", 2)[-2]) for r in rows] == [
        (slot("2024-06-03"), "posted", "evergreen-a"), (slot("2024-06-11"), "posted",
                                                        "evergreen-b"),
        (slot("2024-09-02"), "posted", "too-young"), (slot("2024-09-04"), "posted",
                                                      "evergreen-a")]


def test_texts_rotate_and_a_network_that_refuses_repeats_never_gets_one_twice(make_world):
    world = make_world("mastodon", "facebook", baseline=False)
    world.article("evergreen-a", date="2024-01-10T09:00:00+01:00", followups=[QUOTE, STAT])
    assert at(world, "2024-06-01 07:00").code == 0
    world.overrides = {"PROMOTE_EVERGREEN": {**EVERGREEN, "networks": ["mastodon", "facebook"],
                                             "repeat_after_days": 0}}
    for day in ("2024-06-03 08:00", "2024-06-05 08:00", "2024-06-07 08:00"):
        run = at(world, day)
        assert run.code == 0, run.output
    # Mastodon starts over with the text shared least recently; a Facebook Page, which refuses
    # a repeated text, gets each once and then nothing.
    assert firsts(world, "mastodon") == [QUOTE, STAT, QUOTE]
    assert firsts(world, "facebook") == [QUOTE, STAT]


def test_a_run_killed_mid_request_leaves_the_slot_to_be_sent_once_with_the_same_pick(make_world):
    world = make_world("mastodon", baseline=False)
    world.article("evergreen-a", date="2024-01-10T09:00:00+01:00", followups=[QUOTE])
    world.article("evergreen-b", date="2024-02-10T09:00:00+01:00", followups=[STAT])
    assert at(world, "2024-06-01 07:00").code == 0
    world.overrides = {"PROMOTE_EVERGREEN": EVERGREEN}
    fake = world.fakes["mastodon"]
    fake.script(Hang(), path="/api/v1/statuses", method="POST")
    world.kill_while_held("mastodon", {"TZ": "UTC", **shifted_clock_env("@2024-06-03 08:00:00")})
    fake.release("answer")  # the status lands; the run died before it could hear so
    assert fake.wait_for(lambda: len(fake.statuses) == 1)
    assert firsts(world, "mastodon") == [QUOTE]
    # Meanwhile the other article became the best performer: the slot still sends its pick.
    other = world.row("mastodon", "evergreen-b")
    store = SqliteSamples(world.root / ".promote" / "ledger.sqlite3")
    store.add([Sample(other.url, "mastodon", other.account, "1", 1.0, likes=50)])
    store.close()
    rerun = at(world, "2024-06-03 08:30")
    assert rerun.code == 0, rerun.output
    assert firsts(world, "mastodon") == [QUOTE]  # recovered, not posted again
    ledger = world.ledger()
    (row,) = [r for r in ledger.rows("mastodon") if r.slot.startswith("evergreen-")]
    ledger.close()
    assert row.state == "posted" and row.article.endswith("/evergreen-a/")


def test_the_best_performer_goes_first_when_stats_has_samples(make_world):
    world = make_world("mastodon", baseline=False)
    world.article("older", date="2024-01-10T09:00:00+01:00")
    world.article("popular", date="2024-02-10T09:00:00+01:00")
    assert world.promote().code == 0  # baseline
    popular = world.row("mastodon", "popular")
    store = SqliteSamples(world.root / ".promote" / "ledger.sqlite3")
    store.add([Sample(popular.url, "mastodon", popular.account, "1", 1.0, likes=9, reposts=3)])
    store.close()
    world.overrides = {"PROMOTE_EVERGREEN": EVERGREEN}
    run = world.promote()
    assert run.code == 0, run.output
    assert firsts(world, "mastodon") == ["Popular"]  # no Followups: the announcement's text


def test_a_dry_run_shows_the_evergreen_pick_and_records_nothing(make_world):
    world = make_world("mastodon", baseline=False)
    world.article("older", date="2024-01-10T09:00:00+01:00", followups=[QUOTE])
    assert world.promote().code == 0  # baseline
    world.overrides = {"PROMOTE_EVERGREEN": EVERGREEN}
    dry = world.promote(dry_run=True)
    assert dry.code == 0, dry.output
    assert "Older (evergreen, " in dry.output and QUOTE in dry.output
    assert "utm_content=evergreen-" in dry.output.replace("\n", "")
    assert world.posts("mastodon") == [] and list(world.states("mastodon").values()) == [
        "baseline"]


def test_two_concurrent_runs_post_each_evergreen_slot_once_with_the_bucket_ledger(make_world,
                                                                                   s3_env):
    world = make_world("mastodon", "telegram", baseline=False)
    world.overrides = {"PROMOTE_LEDGER": "bucket", "DEPLOY_TARGET":
                       f"s3://{s3_env.new_bucket()}/blog", "S3_ENDPOINT_URL": s3_env.endpoint_url}
    world.article("evergreen-a", date="2024-01-10T09:00:00+01:00", followups=[QUOTE])
    world.article("evergreen-b", date="2024-02-10T09:00:00+01:00", followups=[STAT])
    assert world.promote().code == 0  # baseline
    world.overrides["PROMOTE_EVERGREEN"] = {**EVERGREEN, "networks": ["mastodon", "telegram"]}
    for name in world.fakes:
        world.fakes[name].script(*[Delay(0.3)] * 4)
    runs = [world.spawn() for _ in range(2)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [firsts(world, n) for n in ("mastodon", "telegram")] == [[QUOTE], [QUOTE]], outputs


def test_only_an_article_announced_or_in_the_baseline_is_ever_picked():
    evergreen = load_evergreen({**EVERGREEN, "per_run": 9})
    now = datetime(2024, 6, 3, 8, tzinfo=UTC)
    entries = [Entry(f"https://blog.example/{state}/", state, state.capitalize(), "",
                     "2024-01-10T09:00:00+01:00") for state in (*STATES, "none")]
    rows = {e.url: Row(e.url, "mastodon", "me", e.slug, updated=1.0)
            for e in entries if e.slug != "none"}
    plan = plan_evergreen(entries, rows, evergreen, "mastodon", now, "https://blog.example", dict)
    assert sorted(due.entry.slug for due in plan.due) == ["baseline", "moved", "posted"]
    assert [due.slot for due in plan.due] == [slot("2024-06-03"), *(
        f"{slot('2024-06-03')}-{n}" for n in (2, 3))]


@pytest.mark.parametrize("value, words", [
    (["mastodon"], "is not a dict"),
    ({"networks": "mastodon"}, "networks 'mastodon' is not a list of networks"),
    ({"networks": ["myspace"]}, "myspace"),
    ({"networks": ["mastodon"], "every_days": 1.5}, "every_days 1.5 is not a whole number"),
    ({"networks": ["mastodon"], "min_age_days": -1}, "min_age_days -1 is not a number"),
    ({"networks": ["mastodon"], "min_age_days": 60, "max_age_days": 30},
     "max_age_days 30 is below min_age_days 60"),
    ({"networks": ["mastodon"], "per_run": 0}, "per_run 0 is not a whole number of at least 1"),
    ({"networks": ["mastodon"], "exclude_tags": "event"}, "exclude_tags 'event' is not a list"),
    ({"networks": ["mastodon"], "how_often": 2}, "has no setting 'how_often'. Use only networks"),
])
def test_a_bad_evergreen_setting_names_itself_and_the_fix(value, words):
    with pytest.raises(SettingsError) as caught:
        load_evergreen(value)
    assert "PROMOTE_EVERGREEN" in str(caught.value) and words in str(caught.value)
