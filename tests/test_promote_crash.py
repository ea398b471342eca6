"""Crash: promote killed with SIGKILL after the network has the request, before it answers.

The fake holds the create request (``Hang``); the test kills the promote process, then lets the
request land ("answer") or vanish ("drop"), and runs promote again. Nothing may be posted twice;
``unknown`` only where the network offers no way to know (Telegram; Discord without an answer).
"""

from __future__ import annotations

import os
import signal

import pytest

from tests.fakes.server import Hang
from tests.fakes.world import NEW, World

CREATE = {"mastodon": ("/api/v1/statuses", "POST"), "bluesky": ("createRecord", "POST"),
          "telegram": ("sendMessage", "POST"), "discord": ("/webhooks/", "POST")}


def one_network(make_world, network: str) -> World:
    world = make_world(network)
    world.article("breaking", date=NEW)
    return world


def crash_while_sending(world: World, network: str, then: str | None) -> None:
    """Start promote, kill it while the network holds its request, then release the request
    (then=None: keep holding it)."""
    fake = world.fakes[network]
    path, method = CREATE[network]
    fake.script(Hang(), path=path, method=method)
    child = world.spawn()
    try:
        assert fake.hung.wait(60), child.communicate(timeout=5)[0]
        row = {r.url.rstrip("/").rsplit("/", 1)[-1]: r for r in world.ledger().rows(network)}
        assert row["breaking"].state == "sending"  # committed before the request left
        assert row["breaking"].idem_key
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()  # reaped: its pid is really gone
    before = len(world.posts(network))
    if then is None:
        return
    fake.release(then)
    if then == "answer":
        assert fake.wait_for(lambda: len(world.posts(network)) == before + 1)


@pytest.mark.parametrize("network, then, state, posts", [
    ("mastodon", "answer", "posted", 1), ("mastodon", "drop", "posted", 1),
    ("bluesky", "answer", "posted", 1), ("bluesky", "drop", "posted", 1),
    ("telegram", "answer", "unknown", 1), ("telegram", "drop", "unknown", 0),
    ("discord", "answer", "unknown", 1), ("discord", "drop", "unknown", 0)])
def test_crash_then_rerun_never_duplicates(make_world, network, then, state, posts):
    world = one_network(make_world, network)
    crash_while_sending(world, network, then)
    run = world.promote()
    assert world.states(network)["breaking"] == state, run.output
    assert len(world.posts(network)) == posts
    if state == "unknown":
        assert run.code == 1
        assert f"`invoke promote --retry-unknown --network {network}`" in run.output
        assert f"--mark-posted {world.articles[-1]['url']} --network {network}" in run.output
    again = world.promote()
    assert len(world.posts(network)) == posts and world.states(network)["breaking"] == state
    assert (again.code == 1) == (state == "unknown")


@pytest.mark.parametrize("network, state", [("mastodon", "posted"), ("bluesky", "posted"),
                                            ("telegram", "unknown"), ("discord", "unknown")])
def test_the_killed_runs_request_landing_after_the_rerun_makes_no_duplicate(make_world,
                                                                             network, state):
    world = one_network(make_world, network)
    crash_while_sending(world, network, None)  # the network still holds the request
    world.promote()
    fake = world.fakes[network]
    fake.release("answer")  # ... and only now writes it
    assert fake.settled()
    assert len(world.posts(network)) == 1 and world.states(network)["breaking"] == state


def test_mastodon_after_the_idempotency_window_finds_its_status_by_lookup(make_world):
    world = one_network(make_world, "mastodon")
    crash_while_sending(world, "mastodon", "answer")
    world.fakes["mastodon"].idempotency_ttl = 0  # the key is forgotten: only the lookup saves us
    assert world.promote().code == 0
    assert len(world.posts("mastodon")) == 1 and world.states("mastodon")["breaking"] == "posted"
    assert world.fakes["mastodon"].requests_to("/accounts/109/statuses", "GET")


def test_bluesky_never_sends_a_record_key_twice(make_world):
    world = one_network(make_world, "bluesky")
    crash_while_sending(world, "bluesky", "drop")
    assert world.promote().code == 0
    fake = world.fakes["bluesky"]
    rkeys = [r.json["rkey"] for r in fake.requests_to("createRecord")]
    assert len(rkeys) == 2 and len(set(rkeys)) == 2
    assert [r.query["rkey"][0] for r in fake.requests_to("getRecord")] == rkeys[:1]
    assert list(fake.records) == rkeys[1:]


def test_unknown_is_settled_by_mark_posted_or_retry_unknown(make_world):
    world = one_network(make_world, "telegram")
    crash_while_sending(world, "telegram", "answer")
    world.promote()
    url = world.articles[-1]["url"]
    from self_promoting_blog.promote.command import mark_posted

    assert mark_posted(world.settings(), url, "telegram", "https://t.me/signalreach/1") == 0
    row = world.ledger().rows("telegram")[-1]
    assert (row.state, row.post_url) == ("posted", "https://t.me/signalreach/1")
    assert world.promote(retry_unknown=True).code == 0 and len(world.posts("telegram")) == 1


def test_retry_unknown_sends_what_the_owner_found_missing(make_world):
    world = one_network(make_world, "discord")
    crash_while_sending(world, "discord", "drop")
    assert world.promote().code == 1 and world.posts("discord") == []
    assert world.promote(retry_unknown=True).code == 0
    assert len(world.posts("discord")) == 1 and world.states("discord")["breaking"] == "posted"


def test_a_recovery_deferred_by_a_rate_limit_still_checks_first_next_time(make_world):
    from tests.fakes.mastodon import rate_limited

    world = one_network(make_world, "mastodon")
    crash_while_sending(world, "mastodon", "answer")
    fake = world.fakes["mastodon"]
    fake.idempotency_ttl = 0  # a blind resend would now make a second status
    fake.script(rate_limited(reset_in=3600), path="/verify_credentials")
    run = world.promote()
    assert "rate limited" in run.output and world.states("mastodon")["breaking"] == "pending"
    assert world.promote().code == 0
    assert len(world.posts("mastodon")) == 1 and world.states("mastodon")["breaking"] == "posted"
