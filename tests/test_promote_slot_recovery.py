"""Every slot is recovered as itself: a follow-up lost in a crash is never taken for the
announcement, and a long follow-up is a thread on every network that has threads.

A follow-up falls due a second after its announcement (``after_days`` 0.00001), so these run on
the real clock: run 1 announces, run 2 is killed (SIGKILL) while the network holds the
follow-up's request (``Hang``), which then lands ("answer") or vanishes ("drop"), and run 3
recovers. The follow-up must end posted exactly once with its own post, or ``unknown`` where the
network gives no way to know (Telegram; Discord without its answer), never posted on the
strength of the announcement. An evergreen slot, whose periods need a moved clock, runs under
libfaketime (``at``) instead, on Facebook (X's fake refuses an OAuth timestamp that far off).
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any

import pytest

from self_promoting_blog.promote.adapters.base import Attempt
from self_promoting_blog.promote.errors import PermanentError
from self_promoting_blog.promote.networks import adapter_class
from tests.fakes.s3 import shifted_clock_env
from tests.fakes.server import Delay, Hang
from tests.fakes.world import NEW, World
from tests.support.adapters import adapter_for, message_for
from tests.test_promote_campaigns import at

QUOTE = "“Reach is rented, attention is earned.” Our take on owned channels."
LONG = " ".join(f"Point {n}: owned channels compound while rented reach decays."
                for n in range(1, 16))  # ~900 characters: a thread everywhere
# Where each network's fake receives the request that creates a post.
CREATE = {"mastodon": "/api/v1/statuses", "bluesky": "createRecord", "x": "/2/tweets",
          "facebook": "/feed", "threads": "threads_publish", "linkedin": "/rest/posts",
          "telegram": "sendMessage", "discord": "/webhooks/"}


def slot_rows(world: World, network: str) -> dict[str, Any]:
    ledger = world.ledger()
    try:
        return {row.slot: row for row in ledger.rows(network) if "fresh-idea" in row.url}
    finally:
        ledger.close()


def announced_with_follow_up(make_world, network: str, text: str) -> World:
    """Run 1: the article announced on `network`; its follow-up due a second later."""
    world = make_world(network)
    if network == "linkedin":
        world.fakes[network].can_list = True  # the app may read the author's posts
    world.overrides = {"PROMOTE_FOLLOW_UPS": [{"after_days": 0.00001}]}
    world.article("fresh-idea", date=NEW, followups=[text])
    run = world.promote()
    assert run.code == 0, run.output
    assert slot_rows(world, network)["announce"].state == "posted"
    time.sleep(1)
    return world


def kill_while_held(world: World, network: str, *actions: Any) -> None:
    """Run 2: promote in another process, killed while the fake holds a create request."""
    world.fakes[network].script(*actions, Hang(), path=CREATE[network], method="POST")
    world.kill_while_held(network)


def follow_up_posts(world: World, network: str) -> list[Any]:
    return [post for post in world.posts(network)
            if "utm_content=followup-1" in json.dumps(post, ensure_ascii=False)]


@pytest.mark.parametrize("then", ["answer", "drop"])
@pytest.mark.parametrize("network", ["mastodon", "bluesky", "x", "facebook", "threads",
                                     "linkedin"])
def test_a_follow_up_lost_in_a_crash_is_recovered_as_itself(make_world, network, then):
    world = announced_with_follow_up(make_world, network, QUOTE)
    kill_while_held(world, network)
    fake = world.fakes[network]
    fake.release(then)
    if then == "answer":
        assert fake.wait_for(lambda: len(follow_up_posts(world, network)) == 1)
    else:
        assert follow_up_posts(world, network) == []
    run = world.promote()
    assert run.code == 0, run.output
    rows = slot_rows(world, network)
    follow_up, announcement = rows["followup-1"], rows["announce"]
    assert follow_up.state == "posted", run.output
    assert len(world.posts(network)) == 2 and len(follow_up_posts(world, network)) == 1
    assert follow_up.post_id and follow_up.post_id != announcement.post_id
    assert follow_up.post_url != announcement.post_url
    assert world.promote().code == 0 and len(world.posts(network)) == 2


@pytest.mark.parametrize("network, then, posts", [
    ("telegram", "answer", 1), ("telegram", "drop", 0), ("discord", "drop", 0)])
def test_where_the_network_cannot_tell_the_follow_up_is_unknown(make_world, network, then,
                                                                  posts):
    world = announced_with_follow_up(make_world, network, QUOTE)
    kill_while_held(world, network)
    world.fakes[network].release(then)
    assert world.fakes[network].wait_for(
        lambda: len(follow_up_posts(world, network)) == posts)
    run = world.promote()
    assert run.code == 1
    assert slot_rows(world, network)["followup-1"].state == "unknown"
    assert slot_rows(world, network)["followup-1"].post_id is None
    assert len(follow_up_posts(world, network)) == posts
    assert f"--retry-unknown --network {network}" in run.output


@pytest.mark.parametrize("then", ["answer", "drop"])
def test_with_utm_tags_off_a_lost_follow_up_is_told_by_its_saved_words(make_world, then):
    world = make_world("x")
    world.overrides = {"PROMOTE_FOLLOW_UPS": [{"after_days": 0.00001}], "PROMOTE_UTM": False}
    world.article("fresh-idea", date=NEW, followups=[QUOTE])
    assert world.promote().code == 0
    time.sleep(1)
    kill_while_held(world, "x")
    world.fakes["x"].release(then)
    assert world.fakes["x"].wait_for(lambda: len(world.posts("x")) == (then == "answer") + 1)
    # The writer rewords the follow-up before the next run: what went out (or may have) is
    # still the text its row saved, so it is found by those words, or sent as them.
    world.article("fresh-idea", date=NEW, followups=["A new angle entirely, reworded."])
    run = world.promote()
    assert run.code == 0, run.output
    announcement, follow_up = world.posts("x")
    assert follow_up["posted_text"] == QUOTE + "\n\n" + world.site.url("articles/fresh-idea/")
    rows = slot_rows(world, "x")
    assert rows["followup-1"].post_id == follow_up["id"] != rows["announce"].post_id
    assert world.promote().code == 0 and len(world.posts("x")) == 2


def test_retry_unknown_sends_an_unknown_follow_up_once(make_world):
    world = announced_with_follow_up(make_world, "telegram", QUOTE)
    kill_while_held(world, "telegram")
    world.fakes["telegram"].release("drop")
    assert world.promote().code == 1  # Telegram cannot tell: unknown, nothing sent
    assert slot_rows(world, "telegram")["followup-1"].state == "unknown"
    world.article("fresh-idea", date=NEW, followups=["Reworded since."])
    retried = world.promote(retry_unknown=True)
    assert retried.code == 0, retried.output
    assert [post["text"].split("\n")[0] for post in follow_up_posts(world, "telegram")] == [QUOTE]
    assert slot_rows(world, "telegram")["followup-1"].state == "posted"
    assert world.promote(retry_unknown=True).code == 0 and len(world.posts("telegram")) == 2


def evergreen_lost_in_a_crash(make_world, network: str) -> World:
    """An article announced on `network` on 1 June, then a run on 3 June killed while its
    evergreen re-share was on the wire, which never arrived."""
    world = make_world(network)
    world.article("evergreen-a", date="2024-01-10T09:00:00+01:00", followups=[QUOTE])
    assert at(world, "2024-06-01 07:00").code == 0  # announced; the baseline's is too old
    world.overrides = {"PROMOTE_EVERGREEN": {"networks": [network], "every_days": 2,
                                             "min_age_days": 30, "max_age_days": 150,
                                             "repeat_after_days": 1}}
    world.fakes[network].script(Hang(), path=CREATE[network], method="POST")
    world.kill_while_held(network, {"TZ": "UTC", **shifted_clock_env("@2024-06-03 08:00:00")})
    world.fakes[network].release("drop")
    return world


def test_an_evergreen_post_lost_in_a_crash_is_sent_once_not_taken_for_the_announcement(
        make_world):
    world = evergreen_lost_in_a_crash(make_world, "facebook")  # it never reached the Page
    rerun = at(world, "2024-06-03 08:30")
    assert rerun.code == 0, rerun.output
    announcement, reshare = world.posts("facebook")
    assert "utm_content=evergreen-2024-06-0" in reshare["link"]
    ledger = world.ledger()
    rows = {row.slot: row for row in ledger.rows("facebook") if "evergreen-a" in row.article}
    ledger.close()
    [slot] = [name for name in rows if name.startswith("evergreen-")]
    assert rows[slot].state == "posted" and rows[slot].post_id == reshare["id"] != \
        rows["announce"].post_id == announcement["id"]


def test_with_utm_tags_off_a_lost_announcement_is_never_taken_for_an_evergreen_post(make_world):
    """An article from before promotion (baseline) is re-shared by evergreen, linking it bare like
    its announcement would; then --backfill's announcement is lost on the wire. The re-share is
    the evergreen row's post: the announcement is sent, not recorded as that post."""
    world = make_world("mastodon", baseline=False)
    world.overrides = {"PROMOTE_UTM": False}
    world.article("evergreen-a", date="2024-01-10T09:00:00+01:00", followups=[QUOTE])
    assert at(world, "2024-06-01 07:00").code == 0  # the first run: baseline
    world.overrides = {"PROMOTE_UTM": False, "PROMOTE_EVERGREEN": {
        "networks": ["mastodon"], "every_days": 2, "min_age_days": 30, "max_age_days": 150,
        "repeat_after_days": 1}}
    assert at(world, "2024-06-03 08:00").code == 0
    [reshare] = world.posts("mastodon")
    assert reshare["text"].startswith(QUOTE)
    world.fakes["mastodon"].script(Hang(), path=CREATE["mastodon"], method="POST")
    world.kill_while_held("mastodon", {"TZ": "UTC", **shifted_clock_env("@2024-06-03 09:00:00")},
                          backfill=True)
    world.fakes["mastodon"].release("drop")
    rerun = at(world, "2024-06-03 09:30", backfill=True)
    assert rerun.code == 0, rerun.output
    earlier, announcement = world.posts("mastodon")
    assert earlier == reshare and "utm_" not in announcement["text"]
    ledger = world.ledger()
    rows = {row.slot: row for row in ledger.rows("mastodon") if "evergreen-a" in row.article}
    ledger.close()
    [slot] = [name for name in rows if name.startswith("evergreen-")]
    assert rows["announce"].state == "posted"
    assert rows["announce"].post_id == announcement["id"] != rows[slot].post_id == reshare["id"]


def test_retry_unknown_sends_an_unknown_evergreen_slot_once(make_world):
    world = evergreen_lost_in_a_crash(make_world, "telegram")
    assert at(world, "2024-06-03 08:30").code == 1  # Telegram cannot tell: unknown
    retried = at(world, "2024-06-03 09:00", retry_unknown=True)
    assert retried.code == 0, retried.output
    announcement, reshare = world.posts("telegram")
    assert reshare["text"].startswith(QUOTE) and "utm_content=evergreen-2024-06-0" in \
        reshare["text"]
    assert at(world, "2024-06-03 09:30", retry_unknown=True).code == 0
    assert len(world.posts("telegram")) == 2


# -- threads --------------------------------------------------------------------------------------

def thread(world: World, network: str) -> list[tuple[str, str, str | None]]:
    """(id, text, id of the post it replies to) of every post, oldest first."""
    fake = world.fakes[network]
    if network == "bluesky":
        return [(rkey, record["text"],
                 (record.get("reply") or {}).get("parent", {}).get("uri", "/").rsplit("/", 1)[-1]
                 or None) for rkey, record in fake.records.items()]
    if network == "x":
        return [(t["id"], t["posted_text"],
                 next((r["id"] for r in t.get("referenced_tweets", [])), None))
                for t in fake.tweets]
    return [(p["id"], p["text"], (p.get("replied_to") or {}).get("id")) for p in fake.published]


def assert_one_whole_thread(world: World, network: str, text: str) -> None:
    """After the announcement, `text` went out once as a thread: every word once, in order, each
    part replying to the one before, every part's row posted; another run posts nothing."""
    posted = thread(world, network)
    assert world.promote().code == 0 and thread(world, network) == posted
    (_, announced, _), first, *rest = posted
    assert "utm_content" not in announced and first[2] is None
    assert "utm_content=followup-1" in json.dumps(world.posts(network)[1], ensure_ascii=False)
    assert len(rest) >= 2
    for before, after in zip([first, *rest], rest, strict=False):
        assert after[2] == before[0]  # each part replies to the one before
    shown = world.site.base_url.split("://")[1]  # Bluesky shows the link without its scheme
    words = [w for _, part, _ in [first, *rest] for w in part.split()
             if "://" not in w and not w.startswith(shown)]
    assert words == text.split()
    rows = slot_rows(world, network)
    parts = sorted(slot for slot in rows if slot.startswith("followup-1"))
    assert len(parts) == 1 + len(rest) and all(rows[s].state == "posted" for s in parts)


@pytest.mark.parametrize("network", ["bluesky", "x", "threads"])
def test_a_long_follow_up_is_a_thread_resumed_after_a_crash_between_parts(make_world, network):
    world = announced_with_follow_up(make_world, network, LONG)
    # The follow-up's first part lands; the process dies while the second is on the wire.
    kill_while_held(world, network, Delay(0))
    world.fakes[network].release("drop")
    assert len(thread(world, network)) == 2  # the announcement and part 1
    rerun = world.promote()  # recovers part 2, then posts every part after it
    assert rerun.code == 0, rerun.output
    assert_one_whole_thread(world, network, LONG)


@pytest.mark.parametrize("then", ["answer", "drop"])
def test_a_thread_killed_in_its_first_part_goes_out_as_saved_whatever_the_edit(make_world,
                                                                               then):
    world = announced_with_follow_up(make_world, "x", LONG)
    kill_while_held(world, "x")  # part 1 is on the wire
    world.fakes["x"].release(then)
    world.article("fresh-idea", date=NEW, followups=["A new angle entirely. " * 40])
    rerun = world.promote()
    assert rerun.code == 0, rerun.output
    assert_one_whole_thread(world, "x", LONG)


@pytest.mark.parametrize("network, missing", [
    ("bluesky", "at://did:plc:testblog7f3k2/app.bsky.feed.post/3kabcdefghijk"),
    ("x", "1799999999999999999"), ("threads", "18999999999999999")])
def test_a_reply_to_a_post_that_is_not_there_is_refused_and_nothing_is_posted(fake, network,
                                                                               missing):
    server = fake(network)
    adapter = adapter_for(adapter_class(network), server, 1.0, 2.0)
    part = replace(message_for(280), text="the second part of a thread", reply_to=missing)
    with pytest.raises(PermanentError):
        adapter.post(part, Attempt("k", {}, lambda name, value: None))
    assert server.posts() == []
