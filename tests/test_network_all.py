"""Every network the adapters declare, alone and all together; crashes on the four corporate
ones; and no token anywhere.

The crash tests reuse the engine's harness (``tests/test_promote_crash.py``): promote runs in a
subprocess, the fake holds the create request, the process is SIGKILLed, the request is then
answered (the post lands) or dropped, and promote runs again.
"""

from __future__ import annotations

import io
import json
import os
import signal

import pytest

from self_promoting_blog.promote.networks import known_networks
from tests.fakes import facebook, linkedin, threads, x
from tests.fakes.server import Hang, Reply
from tests.fakes.world import NEW
from tests.test_promote_crash import CREATE, crash_while_sending

ALL = known_networks()
CORPORATE = ("x", "linkedin", "facebook", "threads")


@pytest.mark.parametrize("network", ALL)
def test_each_network_has_a_fake_that_gets_a_new_article_once(make_world, network):
    """A network's fake (tests/fakes/<network>.py) is what every test of it runs against."""
    world = make_world(network)
    world.article("fresh", date=NEW)
    for _ in range(2):
        run = world.promote()
        assert run.code == 0, run.output
        assert (world.states(network)["fresh"], len(world.posts(network))) == ("posted", 1)


@pytest.mark.parametrize("down", ["x", "threads", "mastodon"])
def test_every_network_in_one_run_one_down_the_others_post(make_world, down):
    world = make_world(*ALL)
    world.fakes[down].stop()
    world.article("everywhere", "Everywhere at once", date=NEW)
    run = world.promote()
    assert run.code == 1 and "could not connect to 127.0.0.1" in run.output
    for name in ALL:
        expected = ("failed", 0) if name == down else ("posted", 1)
        assert (world.states(name)["everywhere"], len(world.posts(name))) == expected, name
    assert world.promote().code == 1  # the down one is retried (failed), the others stay put
    assert all(len(world.posts(n)) == 1 for n in ALL if n != down)


CORPORATE_CREATE = {"x": ("/2/tweets", "POST"), "linkedin": ("/rest/posts", "POST"),
                    "facebook": ("/feed", "POST"), "threads": ("/threads_publish", "POST")}


@pytest.mark.parametrize("network, then, state, posts", [
    ("x", "answer", "posted", 1), ("x", "drop", "posted", 1),
    ("facebook", "answer", "posted", 1), ("facebook", "drop", "posted", 1),
    ("threads", "answer", "posted", 1), ("threads", "drop", "posted", 1),
    ("linkedin", "answer", "unknown", 1), ("linkedin", "drop", "unknown", 0)])
def test_crash_then_rerun_never_duplicates(make_world, monkeypatch, network, then, state,
                                           posts):
    monkeypatch.setitem(CREATE, network, CORPORATE_CREATE[network])
    world = make_world(network)
    world.article("breaking", date=NEW)
    crash_while_sending(world, network, then)
    run = world.promote()
    assert world.states(network)["breaking"] == state, run.output
    assert len(world.posts(network)) == posts
    world.promote()
    assert len(world.posts(network)) == posts and world.states(network)["breaking"] == state


def test_threads_crash_between_the_two_steps_publishes_the_saved_container(make_world,
                                                                           monkeypatch):
    monkeypatch.setitem(CREATE, "threads", ("/threads_publish", "POST"))
    world = make_world("threads")
    world.article("breaking", date=NEW)
    crash_while_sending(world, "threads", "drop")  # killed after the container was saved
    fake = world.fakes["threads"]
    (container,) = fake.containers
    (create,) = [r for r in fake.requests if r.path.endswith("/threads")]  # the container
    assert world.ledger().rows("threads")[-1].progress == {"container": container,
                                                          "text": create.query["text"][0]}
    assert world.promote().code == 0
    assert list(fake.containers) == [container]  # no second container
    assert [r.query["creation_id"] for r in fake.requests_to("/threads_publish")] == \
        [[container], [container]]
    assert len(fake.posts()) == 1 and world.states("threads")["breaking"] == "posted"


def test_threads_crash_while_creating_the_container_posts_once(make_world):
    world = make_world("threads")
    world.article("breaking", date=NEW)
    fake = world.fakes["threads"]
    fake.script(Hang(), path=f"/{threads.USER_ID}/threads", method="POST")
    child = world.spawn()
    try:
        assert fake.hung.wait(60), child.communicate(timeout=5)[0]
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    fake.release("answer")  # the container is created; its id never reached the ledger
    assert fake.wait_for(lambda: len(fake.containers) == 1)
    assert world.promote().code == 0
    assert len(fake.containers) == 2 and len(fake.posts()) == 1  # the orphan is never published
    (orphan, used) = fake.containers.values()
    assert orphan["status"] == "FINISHED" and used["status"] == "PUBLISHED"


def test_linkedin_crash_is_settled_by_retry_unknown_through_duplicate_post(make_world,
                                                                            monkeypatch):
    monkeypatch.setitem(CREATE, "linkedin", ("/rest/posts", "POST"))
    world = make_world("linkedin")
    world.article("breaking", date=NEW)
    crash_while_sending(world, "linkedin", "answer")
    run = world.promote()
    assert run.code == 1 and "--retry-unknown --network linkedin" in run.output
    assert world.promote(retry_unknown=True).code == 0
    (post,) = world.posts("linkedin")  # LinkedIn refused the repeat and named the post
    ledger = world.ledger()
    row = ledger.rows("linkedin")[-1]
    ledger.close()
    assert (row.state, row.post_id) == ("posted", post["id"])


def test_linkedin_crash_with_read_permission_finds_the_post(make_world, monkeypatch):
    monkeypatch.setitem(CREATE, "linkedin", ("/rest/posts", "POST"))
    world = make_world("linkedin")
    world.fakes["linkedin"].can_list = True  # r_organization_social / r_member_social
    world.article("breaking", date=NEW)
    crash_while_sending(world, "linkedin", "answer")
    assert world.promote().code == 0
    assert len(world.posts("linkedin")) == 1 and world.states("linkedin")["breaking"] == "posted"


def test_no_token_anywhere(make_world, caplog, build_site):
    """Every corporate network fails in its own way, then succeeds; nothing leaks, even into
    the next build's output/, whose article lists the four posts."""
    caplog.set_level("DEBUG")
    world = make_world(*CORPORATE)
    world.fakes["x"].script(Reply(503, {"title": "Service Unavailable", "status": 503}))
    world.fakes["linkedin"].script(Reply(500, {"status": 500, "message": "Internal error"}))
    world.fakes["facebook"].script(facebook.graph_error(190, subcode=463))
    world.fakes["threads"].script(Hang(), path="/threads_publish")
    world.fakes["threads"].release("drop")  # the publish is swallowed: ambiguous
    world.article("leaky", date=NEW)
    outputs = [world.promote().output, world.promote(retry_unknown=True).output,
               world.promote(dry_run=True).output]
    secrets = [x.API_KEY, x.API_SECRET, x.ACCESS_TOKEN, x.ACCESS_SECRET, linkedin.TOKEN,
               facebook.TOKEN, threads.TOKEN]
    output = build_site(files={"articles/leaky.md": "Title: Leaky\nDate: 2024-06-01 09:00\n"
                               "Category: Strategy\nSummary: A leak test.\n\nBody.\n"},
                        PROMOTE_LEDGER_PATH=str(world.root / ".promote" / "ledger.sqlite3"))
    page = (output / "articles" / "leaky" / "index.html").read_text(encoding="utf-8")
    for name in CORPORATE:
        assert world.ledger().rows(name)[-1].post_url in page  # "Also on:" links
    files = [p for p in world.root.rglob("*") if p.is_file()] + \
        [p for p in output.rglob("*") if p.is_file()]
    assert any(p.name == "ledger.sqlite3" for p in files)
    haystacks = outputs + [caplog.text] + [p.read_bytes().decode("utf-8", "replace")
                                           for p in files if p.name != ".env"]
    assert "code 190/463" in " ".join(outputs[0].split())  # the errors really happened
    for secret in secrets:
        for text in haystacks:
            assert secret not in text, secret
    for name in CORPORATE:
        assert world.states(name)["leaky"] == "posted", name


def test_dry_run_shows_each_corporate_text_counted_its_way(make_world):
    world = make_world(*CORPORATE)
    world.article("preview", "日本語のタイトル 🚀", date=NEW)
    run = world.promote(dry_run=True)
    text = " ".join(run.output.split())
    out = io.StringIO()
    assert world.promote(dry_run=True, json_out=out).code == 0
    posts = {post["network"]: post for post in json.loads(out.getvalue())}
    assert list(posts) == list(CORPORATE)
    assert "X · 日本語のタイトル 🚀" in text
    assert f"{posts['x']['length']}/280 X-weighted characters, each link as 23" in text
    assert posts["x"]["length"] > len(posts["x"]["text"].split("http")[0])  # CJK counts 2
    for name, limit in (("linkedin", 3000), ("facebook", 63206), ("threads", 500)):
        assert f"{posts[name]['length']}/{limit} characters" in text
    # The machine-readable parts only in --json: LinkedIn's article card, Threads' link.
    assert posts["linkedin"]["payload"]["article"]["thumbnail"] == world.articles[-1]["image"]
    assert "utm_source=threads" in posts["threads"]["payload"]["link_attachment"]
    assert '"thumbnail"' not in text and "link_attachment" not in text
    assert all(world.posts(n) == [] for n in CORPORATE)
