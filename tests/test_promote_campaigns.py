"""Campaigns: posting windows in the site's time zone, the gap, follow-ups as ledger slots, threads.

The engine runs in a child process whose clock libfaketime sets (``at``), so the ledger's own
timestamps move with it across days, windows and a daylight-saving change.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime

import pytest

from self_promoting_blog.errors import SettingsError
from self_promoting_blog.promote.campaign import load_campaign
from self_promoting_blog.promote.windows import next_open, parse_window
from tests.fakes.mastodon import mastodon_length
from tests.fakes.s3 import shifted_clock_env
from tests.fakes.server import Delay, Hang
from tests.fakes.world import NEW, Run, World

STOCKHOLM = load_campaign({"TIMEZONE": "Europe/Stockholm"}).zone
QUOTE = "“Reach is rented, attention is earned.” Our take on owned channels."
STAT = "73% of readers never scroll past the first screen. What that means for your intro."


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def at(world: World, when: str, **options: object) -> Run:
    """Run promote in a child process whose clock reads `when` (UTC, "2024-10-26 07:30")."""
    child = world.spawn(**options)
    child.kill()  # spawn() starts it with the real clock; start it again under libfaketime
    child.wait()
    env = {**os.environ, **world.env(), "TZ": "UTC",
           **shifted_clock_env(f"@{when}:00" if when.count(":") == 1 else f"@{when}")}
    done = subprocess.run(child.args, env=env, text=True, capture_output=True, timeout=120)
    return Run(done.returncode, " ".join((done.stdout + done.stderr).split()))


def texts(world: World, network: str) -> list[str]:
    if network == "mastodon":
        return [s["text"] for s in world.fakes["mastodon"].statuses]
    return [m["text"] for m in world.posts(network)]


# -- windows: pure ------------------------------------------------------------------------------

def test_a_window_is_wall_clock_time_in_the_site_zone_across_a_dst_change():
    weekdays = [parse_window("Mon-Fri 08:00-10:00", "PROMOTE_WINDOWS")]
    # Saturday 26 Oct 2024, 09:00 in Stockholm (CEST): closed; next is Monday 08:00, by then CET.
    assert next_open(utc("2024-10-26 07:00"), weekdays, STOCKHOLM) == utc("2024-10-28 07:00")
    # Monday 07:30 UTC is 08:30 CET: open (it would have been 09:30 CEST, open too); 06:30 UTC
    # is 07:30 CET: closed, though with the summer offset it would read 08:30.
    assert next_open(utc("2024-10-28 07:30"), weekdays, STOCKHOLM) == utc("2024-10-28 07:30")
    assert next_open(utc("2024-10-28 06:30"), weekdays, STOCKHOLM) == utc("2024-10-28 07:00")
    # After 10:00 on a Friday: the next Monday.
    assert next_open(utc("2024-11-01 09:30"), weekdays, STOCKHOLM) == utc("2024-11-04 07:00")
    evenings = [parse_window("Sat,Sun 22:00-24:00", "PROMOTE_WINDOWS")]
    assert next_open(utc("2024-11-02 22:30"), evenings, STOCKHOLM) == utc("2024-11-02 22:30")
    assert next_open(utc("2024-11-03 23:10"), evenings, STOCKHOLM) == utc("2024-11-09 21:00")
    assert next_open(utc("2024-11-03 23:10"), [], STOCKHOLM) == utc("2024-11-03 23:10")


@pytest.mark.parametrize("settings, words", [
    ({"PROMOTE_WINDOWS": {"linkedin": ["weekdays 08:00-10:00"]}},
     "PROMOTE_WINDOWS: 'weekdays 08:00-10:00' has the days 'weekdays', which are not days of the "
     "week. Write them as in \"Mon-Fri 08:00-10:00\""),
    ({"PROMOTE_WINDOWS": {"linkedin": ["Mon-Fri 8-10"]}}, "is not a posting window"),
    ({"PROMOTE_WINDOWS": {"bluesky": ["daily 22:00-02:00"]}},
     "ends before it starts. A window ends on the day it starts; split"),
    ({"PROMOTE_WINDOWS": {"bluesky": ["daily 07:00-25:00"]}}, "which no clock shows"),
    ({"PROMOTE_WINDOWS": {"myspace": ["daily 07:00-22:00"]}}, "myspace"),
    ({"PROMOTE_WINDOWS": ["daily 07:00-22:00"]}, "is not a dict"),
    ({"PROMOTE_GAP_MINUTES": -5}, "PROMOTE_GAP_MINUTES = -5"),
    ({"PROMOTE_FOLLOW_UPS": [{"after_days": 0}]}, "entry 1: after_days 0 is not a number"),
    ({"PROMOTE_FOLLOW_UPS": [{"days": 3}]}, "entry 1 ({'days': 3}) is not a follow-up"),
    ({"PROMOTE_FOLLOW_UPS": [{"after_days": 3, "networks": "mastodon"}]}, "is not a list"),
    ({"TIMEZONE": "Mars/Olympus"}, "TIMEZONE: 'Mars/Olympus' is not a time zone. Use an IANA name"),
])
def test_bad_campaign_settings_name_the_setting_and_the_fix(settings, words):
    with pytest.raises(SettingsError) as caught:
        load_campaign(settings)
    assert words in str(caught.value)


# -- windows and gap: the engine under a moved clock --------------------------------------------

def test_a_post_due_outside_its_window_waits_for_it_across_the_dst_change(make_world):
    world = make_world("mastodon", "telegram")
    world.overrides = {"TIMEZONE": "Europe/Stockholm",
                       "PROMOTE_WINDOWS": {"mastodon": ["Mon-Fri 08:00-10:00"]}}
    world.article("fresh-idea", date=NEW)
    saturday = at(world, "2024-10-26 07:30")
    assert saturday.code == 0, saturday.output
    assert len(texts(world, "telegram")) == 1 and texts(world, "mastodon") == []
    assert "waits for mastodon's posting window or gap: next at Mon 28 Oct 08:00 CET" \
        in saturday.output
    assert "fresh-idea" not in world.states("mastodon")  # queued, not recorded: no row
    early = at(world, "2024-10-28 06:30")  # 07:30 CET (08:30 on the summer offset)
    assert texts(world, "mastodon") == [], early.output
    inside = at(world, "2024-10-28 07:05")
    assert inside.code == 0, inside.output
    assert len(texts(world, "mastodon")) == 1 and len(texts(world, "telegram")) == 1
    assert world.states("mastodon")["fresh-idea"] == "posted"


def test_posts_on_one_network_are_spaced_by_the_gap_across_runs(make_world):
    world = make_world("telegram")
    world.overrides = {"PROMOTE_GAP_MINUTES": 30}
    world.article("fresh-idea", date=NEW)
    world.article("second-idea", date="2024-06-02T09:00:00+02:00")
    first = at(world, "2024-06-03 08:00")
    assert [t.split("\n")[0] for t in texts(world, "telegram")] == ["Fresh idea"], first.output
    assert "spaced PROMOTE_GAP_MINUTES apart on telegram" in first.output
    at(world, "2024-06-03 08:20")
    assert len(texts(world, "telegram")) == 1
    later = at(world, "2024-06-03 08:31")
    assert later.code == 0, later.output
    assert [t.split("\n")[0] for t in texts(world, "telegram")] == ["Fresh idea", "Second idea"]


@pytest.mark.parametrize("store", ["sqlite", "bucket"])
def test_two_runs_started_together_keep_the_gap(make_world, request, store):
    world = make_world("telegram", baseline=False)
    world.overrides = {"PROMOTE_GAP_MINUTES": 30, "PROMOTE_READ_TIMEOUT": 30}
    if store == "bucket":
        s3 = request.getfixturevalue("s3_env")
        world.overrides |= {"PROMOTE_LEDGER": "bucket", "S3_ENDPOINT_URL": s3.endpoint_url,
                            "DEPLOY_TARGET": f"s3://{s3.new_bucket()}/blog"}
    world.baseline()
    # Two publishes of two commits, each with its own new article: two different slots, one
    # network. Each run plans, then is held at its live check until both have planned.
    world.site.script(Hang(), Hang(), path="/articles/", method="GET")
    runs = []
    for slug in ("fresh-idea", "second-idea"):
        world.articles = [a for a in world.articles if "old-news" in a["url"]]
        world.article(slug, date=NEW)
        manifest = world.root / f"{slug}.json"
        manifest.write_bytes(world.write_manifest().read_bytes())
        world.overrides["PROMOTE_MANIFEST_PATH"] = str(manifest)
        runs.append(world.spawn())
        assert world.site.wait_for(lambda s=slug: world.site.requests_to(f"/articles/{s}/"),
                                   60), runs[-1].communicate(timeout=5)[0]
    world.site.release()
    outputs = [" ".join(run.communicate(timeout=120)[0].split()) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert len(texts(world, "telegram")) == 1, outputs
    assert sum("spaced PROMOTE_GAP_MINUTES apart: next at" in out for out in outputs) == 1, \
        outputs


# -- follow-ups ---------------------------------------------------------------------------------

def test_follow_ups_go_out_on_their_days_once_and_a_missed_one_is_skipped(make_world):
    world = make_world("mastodon", "telegram")
    world.overrides = {"PROMOTE_FOLLOW_UPS": [{"after_days": 3, "networks": ["mastodon"]},
                                              {"after_days": 14}]}
    world.article("fresh-idea", date=NEW, followups=[QUOTE, STAT])
    assert at(world, "2024-06-03 08:00").code == 0          # the announcement: day 0
    assert len(texts(world, "mastodon")) == len(texts(world, "telegram")) == 1
    at(world, "2024-06-05 08:00")                           # day 2: nothing is due
    assert len(texts(world, "mastodon")) == 1
    day3 = at(world, "2024-06-06 09:00")
    assert day3.code == 0, day3.output
    follow_up = texts(world, "mastodon")[1]
    assert follow_up.startswith(QUOTE)
    assert "utm_source=mastodon&utm_medium=social&utm_campaign=fresh-idea&utm_content=followup-1" \
        in follow_up
    assert len(texts(world, "telegram")) == 1               # follow-up 1 is Mastodon's only
    # Edited texts never re-queue what went out.
    world.article("fresh-idea", date=NEW, followups=["A new angle entirely.", STAT])
    at(world, "2024-06-06 10:00")
    assert len(texts(world, "mastodon")) == 2
    # The CI schedule was off from day 3 to day 17: follow-up 2 (day 14) is missed, not sent.
    late = at(world, "2024-06-20 09:00")
    assert late.code == 0, late.output
    assert "Fresh idea (follow-up 2)" in late.output and "missed" in late.output
    assert len(texts(world, "mastodon")) == 2 and len(texts(world, "telegram")) == 1
    assert at(world, "2024-06-21 09:00").code == 0
    assert len(texts(world, "mastodon")) == 2 and len(texts(world, "telegram")) == 1
    ledger = world.ledger()
    slots = {(r.network, r.slot): r.state for r in ledger.rows() if "fresh-idea" in r.url}
    ledger.close()
    assert slots == {("mastodon", "announce"): "posted", ("telegram", "announce"): "posted",
                     ("mastodon", "followup-1"): "posted", ("mastodon", "followup-2"): "skipped",
                     ("telegram", "followup-2"): "skipped"}


def test_a_long_follow_up_is_a_mastodon_thread_resumed_after_a_crash_between_parts(make_world):
    world = make_world("mastodon")
    world.overrides = {"PROMOTE_FOLLOW_UPS": [{"after_days": 3}]}
    long_text = " ".join(f"Point {n}: owned channels compound while rented reach decays."
                         for n in range(1, 16))   # ~900 characters: two or three statuses
    world.article("fresh-idea", date=NEW, followups=[long_text])
    assert at(world, "2024-06-03 08:00").code == 0
    fake = world.fakes["mastodon"]
    # The follow-up's first part lands; the process dies while the second is on the wire.
    fake.script(Delay(0), Hang(), path="/api/v1/statuses", method="POST")
    world.kill_while_held("mastodon", {"TZ": "UTC", **shifted_clock_env("@2024-06-06 09:00:00")})
    fake.release("drop")
    assert len(fake.statuses) == 2  # the announcement and part 1
    rerun = at(world, "2024-06-06 09:30")
    assert rerun.code == 0, rerun.output
    at(world, "2024-06-06 10:00")
    statuses = fake.statuses
    announcement, first, *rest = statuses
    assert first["in_reply_to_id"] is None and "utm_content=followup-1" in first["text"]
    assert len(rest) >= 1 and rest[0]["in_reply_to_id"] == first["id"]
    for before, after in zip(rest, rest[1:], strict=False):
        assert after["in_reply_to_id"] == before["id"]
    words = " ".join(s["text"] for s in [first, *rest]).split()
    assert [w for w in words if "://" not in w] == long_text.split()  # every word once, in order
    assert all(mastodon_length(s["text"], 23) <= 500 for s in statuses)  # the fake checks too


def test_two_concurrent_runs_post_each_follow_up_once_with_the_bucket_ledger(make_world, s3_env):
    world = make_world("mastodon", "telegram", baseline=False)
    world.overrides = {"PROMOTE_LEDGER": "bucket", "DEPLOY_TARGET":
                       f"s3://{s3_env.new_bucket()}/blog", "S3_ENDPOINT_URL": s3_env.endpoint_url,
                       # due 86 s after the announcement: S3 refuses a clock more than 15 min off
                       "PROMOTE_FOLLOW_UPS": [{"after_days": 0.001}]}
    world.article("old-news", date="2024-01-01T09:00:00+01:00")
    assert world.promote().code == 0  # baseline
    world.article("fresh-idea", date=NEW, followups=[QUOTE])
    assert world.promote().code == 0  # the announcement, now
    for name in world.fakes:
        world.fakes[name].script(*[Delay(0.3)] * 4)
    runs = [world.spawn(shifted_clock_env("+5m")) for _ in range(2)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [len(texts(world, n)) for n in ("mastodon", "telegram")] == [2, 2], outputs
    assert texts(world, "mastodon")[1].startswith(QUOTE), outputs
    assert "utm_content=followup-1" in texts(world, "telegram")[1]
