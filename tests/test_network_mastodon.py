"""Mastodon against a strict fake: the exact request, idempotency, limits, errors, rate limits."""

from __future__ import annotations

import pytest

from tests.fakes import mastodon
from tests.fakes.server import Delay, Drop, Reply
from tests.fakes.world import NEW

pytestmark = pytest.mark.network("mastodon")


def creates(world):
    return world.fakes["mastodon"].requests_to("/api/v1/statuses", "POST")


def test_the_exact_request(world):
    world.article("exact", title="Exact & true", date=NEW, tags=["social media"])
    assert world.promote().code == 0
    [request] = creates(world)
    row = [r for r in world.ledger().rows("mastodon") if r.state == "posted"][0]
    assert request.header("Authorization") == f"Bearer {mastodon.TOKEN}"
    assert request.header("Idempotency-Key") == row.idem_key and len(row.idem_key) == 32
    assert request.header("Content-Type") == "application/x-www-form-urlencoded"
    link = f"{world.site.base_url}/articles/exact/?utm_source=mastodon&utm_medium=social" \
           "&utm_campaign=exact"
    assert request.form == {"status": [f"Exact & true\n\nWhat exact & true means for your "
                                       f"reach.\n\n{link}\n\n#SocialMedia"],
                            "visibility": ["public"], "language": ["en"]}
    assert row.post_url == world.fakes["mastodon"].statuses[0]["url"]


def test_text_is_counted_with_urls_as_23_and_the_server_agrees(world):
    world.fakes["mastodon"].max_characters = 500
    world.article("long", title="word " * 150, date=NEW, summary="")
    assert world.promote().code == 0
    [status] = world.posts("mastodon")
    assert mastodon.mastodon_length(status["text"]) <= 500 < len(status["text"])


def test_the_server_replays_a_repeated_idempotency_key(world):
    world.article("twice", date=NEW)
    world.fakes["mastodon"].script(Drop(process=True), path="/api/v1/statuses")
    world.fakes["mastodon"].script(Reply(200, []), path="/accounts/109/statuses")  # lookup misses
    assert world.promote().code == 0
    keys = [r.header("Idempotency-Key") for r in creates(world)]
    assert len(keys) >= 2 and len(set(keys)) == 1 and len(world.posts("mastodon")) == 1


@pytest.mark.parametrize("fault", [Delay(1.5), Drop(), Drop(process=True),
                                   Reply(500, {"error": "Internal error"}),
                                   Reply(503, {"error": "Service unavailable"})])
def test_faults_are_retried_without_a_duplicate(world, fault):
    world.overrides["PROMOTE_READ_TIMEOUT"] = 0.5
    world.fakes["mastodon"].script(fault, path="/api/v1/statuses")
    world.article("flaky", date=NEW)
    run = world.promote()
    assert run.code == 0, run.output
    assert len(world.posts("mastodon")) == 1 and world.states("mastodon")["flaky"] == "posted"
    assert len({r.header("Idempotency-Key") for r in creates(world)}) == 1


def test_429_waits_for_the_iso_8601_reset(world):
    world.fakes["mastodon"].script(mastodon.rate_limited(reset_in=1), path="/api/v1/statuses")
    world.article("throttled", date=NEW)
    assert world.promote().code == 0
    assert len(creates(world)) == 2 and len(world.posts("mastodon")) == 1


def test_401_names_the_variable_and_is_not_retried(world):
    world.fakes["mastodon"].token = "rotated"
    world.article("denied-1", date=NEW)
    world.article("denied-2", date="2024-06-02T09:00:00+02:00")
    run = world.promote()
    assert run.code == 1
    assert "HTTP 401: The access token is invalid (check MASTODON_ACCESS_TOKEN)" in run.output
    assert len(creates(world)) == 1
    assert world.states("mastodon") == {"old-news": "baseline", "denied-1": "failed"}
    world.fakes["mastodon"].token = mastodon.TOKEN  # fixed: the next run posts both
    assert world.promote().code == 0 and len(world.posts("mastodon")) == 2


def test_over_the_servers_limit_fails_with_the_servers_message(world):
    """A server whose instance endpoint claims more room than its validator allows."""
    world.fakes["mastodon"].script(Reply(200, {"configuration": {"statuses": {
        "max_characters": 1000, "characters_reserved_per_url": 23}}}), path="/api/v2/instance")
    world.article("rejected", date=NEW, summary="reach " * 150)
    run = world.promote()
    assert "failed: HTTP 422: Validation failed: Text character limit of 500 exceeded" in run.output
    assert len(creates(world)) == 1 and world.states("mastodon")["rejected"] == "failed"


LONG = " ".join(f"Reach{i:03d}" for i in range(90))  # 719 characters


def posted_text(world):
    [status] = world.posts("mastodon")
    return status["text"]


def test_an_instance_with_1000_characters_keeps_a_long_summary(world):
    fake = world.fakes["mastodon"]
    fake.max_characters = 1000
    world.article("roomy-1", date=NEW, summary=LONG)
    world.article("roomy-2", date="2024-06-02T09:00:00+02:00", summary=LONG)
    assert world.promote().code == 0
    assert all(f"\n\n{LONG}\n\n" in status["text"] for status in world.posts("mastodon"))
    [asked] = fake.requests_to("/api/v2/instance")  # once per run, not per post
    assert asked.header("Authorization") is None


def test_an_instance_with_300_characters_and_30_per_url_cuts_it(world):
    fake = world.fakes["mastodon"]
    fake.max_characters, fake.characters_reserved_per_url = 300, 30
    world.article("tight", date=NEW, summary=LONG)
    assert world.promote().code == 0
    text = posted_text(world)
    summary = text.split("\n\n")[1]
    assert summary.endswith("…") and LONG.startswith(summary[:-1])
    assert 290 < mastodon.mastodon_length(text, url_weight=30) <= 300


@pytest.mark.parametrize("answer", [
    "404",
    Reply(200, {"configuration": {"statuses": {"max_characters": "1000"}}}),
    Reply(200, {"configuration": {"statuses": {"max_characters": True}}}),
    Reply(200, {"configuration": None}),
    Reply(200, ["not", "an", "instance"]),
    Reply(200, b"<html>maintenance</html>", {"Content-Type": "text/html"}),
    Reply(503, {"error": "Service unavailable"})])
def test_an_instance_that_does_not_say_is_counted_as_500(world, answer):
    fake = world.fakes["mastodon"]
    fake.max_characters = 1000  # what the server allows, though it does not say so
    if answer == "404":
        fake.instance_api = False  # older than Mastodon 4.0
    else:
        fake.script(answer, path="/api/v2/instance")
    world.article("quiet", date=NEW, summary=LONG)
    assert world.promote().code == 0
    text = posted_text(world)
    assert LONG not in text and 490 < mastodon.mastodon_length(text) <= 500
