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


@pytest.fixture
def world(make_world):
    """A blog whose only network is Threads, past its first run."""
    return make_world("threads")


@pytest.fixture
def fake_threads(fake):
    """The Threads fake (the world's, when the test has one)."""
    return fake("threads")


def test_container_then_publish_once_over_repeated_runs(world, fake_threads):
    entry = world.article("reach", "Reach, explained", date="2024-06-01T09:00:00+00:00")
    for _ in range(3):
        assert world.promote().code == 0
    link = entry["url"] + "?utm_source=threads&utm_medium=social&utm_campaign=reach"
    (create,) = [r for r in fake_threads.requests if r.path == f"/v1.0/{ft.USER_ID}/threads"]
    assert {k: v[0] for k, v in create.query.items()} == {
        "media_type": "TEXT", "link_attachment": link, "access_token": ft.TOKEN,
        "text": f"Reach, explained\n\nWhat reach, explained means for your reach.\n\n{link}\n\n"
                "#ContentMarketing #SEO"}
    (publish,) = fake_threads.requests_to("/threads_publish", "POST")
    (container,) = fake_threads.containers
    assert publish.query["creation_id"] == [container]
    (post,) = fake_threads.posts()
    found = world.row("threads", "reach")
    assert (found.state, found.post_id, found.post_url) == ("posted", post["id"],
                                                             post["permalink"])
    assert found.progress == {"container": container}  # checkpointed before publishing


@pytest.mark.parametrize(("text", "length"), [("hello", 5), ("日本語", 3), ("😷", 4),
                                              ("👩‍👩‍👧", 18), ("🇯🇵 ok", 11), ("é", 1)])
def test_emoji_count_their_utf8_bytes(text, length):
    assert ThreadsAdapter.text_length(text) == length == ft.threads_length(text)


def test_a_long_emoji_title_is_cut_to_500_counted_the_threads_way(world, fake_threads):
    world.article("emoji", "🚀 " * 60 + "growth", date="2024-06-01T09:00:00+00:00",
                  summary="日本語の要約 " * 60)
    assert world.promote().code == 0  # the fake refuses over 500
    text = fake_threads.posts()[0]["text"]
    assert ThreadsAdapter.text_length(text) == ft.threads_length(text) <= 500
    assert len(text) < 400 and "…" in text  # bytes, not characters, filled the 500


def test_fake_refuses_to_publish_a_container_twice(fake_threads):
    url = f"{fake_threads.base_url}/v1.0/me"
    container = requests.post(f"{url}/threads", params={
        "media_type": "TEXT", "text": "hi", "access_token": ft.TOKEN}, timeout=5).json()["id"]
    assert requests.get(f"{fake_threads.base_url}/v1.0/{container}", params={
        "fields": "status", "access_token": ft.TOKEN}, timeout=5).json()["status"] == "FINISHED"
    assert fake_threads.posts() == []  # held until published
    publish = {"creation_id": container, "access_token": ft.TOKEN}
    assert requests.post(f"{url}/threads_publish", params=publish, timeout=5).status_code == 200
    again = requests.post(f"{url}/threads_publish", params=publish, timeout=5)
    assert again.status_code == 400 and "already been published" in again.json()["error"][
        "message"]
    assert len(fake_threads.posts()) == 1


def test_a_saved_finished_container_is_published_not_recreated(fake_threads):
    threads = adapter_for(ThreadsAdapter, fake_threads)
    saved = {}
    attempt = Attempt("k", saved, lambda name, value: None)
    fake_threads.script(Reply(500, {"error": {"message": "An unknown error occurred",
                                              "type": "OAuthException", "code": 1}}),
                        path="/threads_publish")
    with pytest.raises(AmbiguousError):
        threads.post(message_for(500), attempt)  # container saved, publish failed
    assert threads.find_existing(message_for(500), attempt) is None  # FINISHED: nothing went out
    posted = threads.post(message_for(500), attempt)
    assert len(fake_threads.containers) == 1 and saved["container"] in fake_threads.containers
    assert [p["id"] for p in fake_threads.posts()] == [posted.post_id]


def test_a_published_container_is_found_not_published_again(fake_threads):
    threads = adapter_for(ThreadsAdapter, fake_threads)
    attempt = Attempt("k", {}, lambda name, value: None)
    fake_threads.script(Drop(process=True), path="/threads_publish")  # it lands, no answer
    with pytest.raises(AmbiguousError):
        threads.post(message_for(500), attempt)
    found = threads.find_existing(message_for(500), attempt)
    (post,) = fake_threads.posts()
    assert (found.post_id, found.post_url) == (post["id"], post["permalink"])
    assert len(fake_threads.requests_to("/threads_publish")) == 1


def test_an_expired_container_is_replaced(fake_threads):
    threads = adapter_for(ThreadsAdapter, fake_threads)
    attempt = Attempt("k", {}, lambda name, value: None)
    fake_threads.script(Reply(500, {"error": {"message": "oops", "code": 2}}),
                        path="/threads_publish")
    with pytest.raises(AmbiguousError):
        threads.post(message_for(500), attempt)
    fake_threads.containers[attempt.progress["container"]]["status"] = "EXPIRED"
    threads.post(message_for(500), attempt)
    assert len(fake_threads.containers) == 2 and len(fake_threads.posts()) == 1


def test_expired_token_says_how_to_refresh(world, fake_threads):
    fake_threads.expired = True
    code, text = world.announce("expired")
    assert code == 1 and "THREADS_ACCESS_TOKEN" in text and "th_refresh_token" in text
    assert "60 days" in text


def test_missing_permission_names_threads_content_publish(world, fake_threads):
    fake_threads.scopes.discard("threads_content_publish")
    world.article("no-scope", date="2024-06-01T09:00:00+00:00")
    run = world.promote()
    assert run.code == 1 and "threads_content_publish" in run.output


def test_throttling_on_publish_is_honoured_with_the_same_container(world, fake_threads):
    fake_threads.script(Reply(400, {"error": {"message": "(#4) Application request limit "
                                              "reached", "type": "OAuthException", "code": 4,
                                              "fbtrace_id": "Cx"}}, {"Retry-After": "1"}),
                        path="/threads_publish")
    world.article("throttled", date="2024-06-01T09:00:00+00:00")
    assert world.promote().code == 0
    assert len(fake_threads.requests_to("/threads_publish")) == 2
    assert len(fake_threads.containers) == 1 and len(fake_threads.posts()) == 1
