"""Threads: container then publish, the 500-character rule, Graph errors, never two containers."""

from __future__ import annotations

import pytest
import requests

from self_promoting_blog.promote.adapters.base import Attempt
from self_promoting_blog.promote.errors import AmbiguousError
from self_promoting_blog.promote.networks.threads import ThreadsAdapter
from tests.fakes import threads as ft
from tests.fakes.server import Drop, Reply
from tests.support.adapters import adapter_for, message_for

pytestmark = pytest.mark.network("threads")


def test_container_then_publish_once_over_repeated_runs(world, network_fake):
    entry = world.article("reach", "Reach, explained", date="2024-06-01T09:00:00+00:00")
    for _ in range(3):
        assert world.promote().code == 0
    link = entry["url"] + "?utm_source=threads&utm_medium=social&utm_campaign=reach"
    (create,) = [r for r in network_fake.requests if r.path == f"/v1.0/{ft.USER_ID}/threads"]
    assert {k: v[0] for k, v in create.query.items()} == {
        "media_type": "TEXT", "link_attachment": link, "access_token": ft.TOKEN,
        "text": f"Reach, explained\n\nWhat reach, explained means for your reach.\n\n{link}\n\n"
                "#ContentMarketing #SEO"}
    (publish,) = network_fake.requests_to("/threads_publish", "POST")
    (container,) = network_fake.containers
    assert publish.query["creation_id"] == [container]
    (post,) = network_fake.posts()
    found = world.row("threads", "reach")
    assert (found.state, found.post_id, found.post_url) == ("posted", post["id"],
                                                             post["permalink"])
    # Saved before anything was sent: its text with the claim, the container before publishing.
    assert found.progress == {"text": create.query["text"][0], "container": container}


@pytest.mark.parametrize(("text", "length"), [("hello", 5), ("日本語", 3), ("😷", 4),
                                              ("👩‍👩‍👧", 18), ("🇯🇵 ok", 11), ("é", 1)])
def test_emoji_count_their_utf8_bytes(text, length):
    assert ThreadsAdapter.text_length(text) == length == ft.threads_length(text)


def test_a_long_emoji_title_is_cut_to_500_counted_the_threads_way(world, network_fake):
    world.article("emoji", "🚀 " * 60 + "growth", date="2024-06-01T09:00:00+00:00",
                  summary="日本語の要約 " * 60)
    assert world.promote().code == 0  # the fake refuses over 500
    text = network_fake.posts()[0]["text"]
    assert ThreadsAdapter.text_length(text) == ft.threads_length(text) <= 500
    assert len(text) < 400 and "…" in text  # bytes, not characters, filled the 500


def test_fake_refuses_to_publish_a_container_twice(network_fake):
    url = f"{network_fake.base_url}/v1.0/me"
    container = requests.post(f"{url}/threads", params={
        "media_type": "TEXT", "text": "hi", "access_token": ft.TOKEN}, timeout=5).json()["id"]
    assert requests.get(f"{network_fake.base_url}/v1.0/{container}", params={
        "fields": "status", "access_token": ft.TOKEN}, timeout=5).json()["status"] == "FINISHED"
    assert network_fake.posts() == []  # held until published
    publish = {"creation_id": container, "access_token": ft.TOKEN}
    assert requests.post(f"{url}/threads_publish", params=publish, timeout=5).status_code == 200
    again = requests.post(f"{url}/threads_publish", params=publish, timeout=5)
    assert again.status_code == 400 and "already been published" in again.json()["error"][
        "message"]
    assert len(network_fake.posts()) == 1


def test_a_saved_finished_container_is_published_not_recreated(network_fake):
    threads = adapter_for(ThreadsAdapter, network_fake)
    saved = {}
    attempt = Attempt("k", saved, lambda name, value: None)
    network_fake.script(Reply(500, {"error": {"message": "An unknown error occurred",
                                              "type": "OAuthException", "code": 1}}),
                        path="/threads_publish")
    with pytest.raises(AmbiguousError):
        threads.post(message_for(500), attempt)  # container saved, publish failed
    assert threads.find_existing(message_for(500), attempt) is None  # FINISHED: nothing went out
    posted = threads.post(message_for(500), attempt)
    assert len(network_fake.containers) == 1 and saved["container"] in network_fake.containers
    assert [p["id"] for p in network_fake.posts()] == [posted.post_id]


def test_a_published_container_is_found_not_published_again(network_fake):
    threads = adapter_for(ThreadsAdapter, network_fake)
    attempt = Attempt("k", {}, lambda name, value: None)
    network_fake.script(Drop(process=True), path="/threads_publish")  # it lands, no answer
    with pytest.raises(AmbiguousError):
        threads.post(message_for(500), attempt)
    found = threads.find_existing(message_for(500), attempt)
    (post,) = network_fake.posts()
    assert (found.post_id, found.post_url) == (post["id"], post["permalink"])
    assert len(network_fake.requests_to("/threads_publish")) == 1


def test_an_expired_container_is_replaced(network_fake):
    threads = adapter_for(ThreadsAdapter, network_fake)
    attempt = Attempt("k", {}, lambda name, value: None)
    network_fake.script(Reply(500, {"error": {"message": "oops", "code": 2}}),
                        path="/threads_publish")
    with pytest.raises(AmbiguousError):
        threads.post(message_for(500), attempt)
    network_fake.containers[attempt.progress["container"]]["status"] = "EXPIRED"
    threads.post(message_for(500), attempt)
    assert len(network_fake.containers) == 2 and len(network_fake.posts()) == 1


def test_expired_token_says_how_to_refresh(world, network_fake):
    network_fake.expired = True
    code, text = world.announce("expired")
    assert code == 1 and "THREADS_ACCESS_TOKEN" in text and "th_refresh_token" in text
    assert "60 days" in text


def test_missing_permission_names_threads_content_publish(world, network_fake):
    network_fake.scopes.discard("threads_content_publish")
    world.article("no-scope", date="2024-06-01T09:00:00+00:00")
    run = world.promote()
    assert run.code == 1 and "threads_content_publish" in run.output


def test_throttling_on_publish_is_honoured_with_the_same_container(world, network_fake):
    network_fake.script(Reply(400, {"error": {"message": "(#4) Application request limit "
                                              "reached", "type": "OAuthException", "code": 4,
                                              "fbtrace_id": "Cx"}}, {"Retry-After": "1"}),
                        path="/threads_publish")
    world.article("throttled", date="2024-06-01T09:00:00+00:00")
    assert world.promote().code == 0
    assert len(network_fake.requests_to("/threads_publish")) == 2
    assert len(network_fake.containers) == 1 and len(network_fake.posts()) == 1
