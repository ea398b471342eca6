"""Discord against a strict fake webhook: the exact request, embed, errors, ambiguity."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from self_promoting_blog.promote.ledger import Owner
from tests.fakes import discord
from tests.fakes.server import Delay, Drop, Reply
from tests.fakes.world import NEW

pytestmark = pytest.mark.network("discord")


def executes(world):
    return world.fakes["discord"].requests_to(f"/webhooks/{discord.WEBHOOK_ID}/", "POST")


def test_the_exact_request_with_embed_and_no_pings(world):
    world.article("exact", title="@everyone *look*", date=NEW, tags=["community"])
    assert world.promote().code == 0
    [request] = executes(world)
    assert request.path == f"/api/v10/webhooks/{discord.WEBHOOK_ID}/{discord.TOKEN}"
    assert request.query == {"wait": ["true"]}
    link = f"{world.site.base_url}/articles/exact/?utm_source=discord&utm_medium=social" \
           "&utm_campaign=exact"
    assert request.json == {
        "content": f"@everyone \\*look\\*\n\nWhat @everyone \\*look\\* means for your reach.\n\n"
                   f"{link}\n\n#Community",
        "embeds": [{"title": "@everyone *look*", "url": link,
                    "description": "What @everyone *look* means for your reach.",
                    "image": {"url": world.site.url("cards/exact.png")}}],
        "allowed_mentions": {"parse": []}}
    message_id = next(iter(world.fakes["discord"].messages))
    assert world.ledger().rows("discord")[-1].post_url == (
        f"https://discord.com/channels/{discord.GUILD_ID}/{discord.CHANNEL_ID}/{message_id}")


def test_2000_units_counted_as_discord_does(world):
    world.article("long", title="😀 " * 1200, date=NEW)
    assert world.promote().code == 0
    content = world.posts("discord")[0]["content"]
    assert discord.units(content) <= 2000 < discord.units("😀 " * 1200)


def test_429_honours_retry_after(world):
    world.fakes["discord"].script(discord.rate_limited(1.0), method="POST")
    world.article("throttled", date=NEW)
    assert world.promote().code == 0
    assert len(executes(world)) == 2 and len(world.posts("discord")) == 1


@pytest.mark.parametrize("reply, text", [
    (Reply(401, {"message": "Invalid Webhook Token", "code": 50027}),
     "HTTP 401: Invalid Webhook Token (check DISCORD_WEBHOOK_URL)"),
    (Reply(404, {"message": "Unknown Webhook", "code": 10015}),
     "HTTP 404: Unknown Webhook (check DISCORD_WEBHOOK_URL)")])
def test_a_dead_webhook_names_the_variable_and_is_not_retried(world, reply, text):
    world.fakes["discord"].script(reply, method="POST")
    world.article("denied", date=NEW)
    run = world.promote()
    assert run.code == 1 and text in run.output and len(executes(world)) == 1


def test_invalid_form_body_is_reported_with_the_field(world):
    world.fakes["discord"].script(Reply(400, {"code": 50035, "message": "Invalid Form Body",
                                              "errors": {"content": {"_errors": [
                                                  {"code": "BASE_TYPE_MAX_LENGTH",
                                                   "message": "Must be 2000 or fewer in length."}
                                              ]}}}), method="POST")
    world.article("refused", date=NEW)
    run = world.promote()
    assert "HTTP 400: Invalid Form Body: content: Must be 2000 or fewer in length." in run.output
    assert world.states("discord")["refused"] == "failed"


@pytest.mark.parametrize("fault", [Reply(502, {"message": "Bad Gateway", "code": 0}),
                                   Delay(1.5), Drop()])
def test_no_answer_becomes_unknown_and_is_never_resent(world, fault):
    world.overrides["PROMOTE_READ_TIMEOUT"] = 0.5
    world.fakes["discord"].script(fault, method="POST")
    world.article("silent", date=NEW)
    run = world.promote()
    assert run.code == 1 and world.states("discord")["silent"] == "unknown"
    assert "a webhook cannot list the channel" in run.output
    world.promote()
    assert len(executes(world)) == 1


def test_a_message_whose_id_came_back_is_checked_not_resent_after_a_crash(world):
    world.article("answered", date=NEW)
    assert world.promote().code == 0
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    # As if promote died after Discord answered, before the ledger said "posted".
    db = sqlite3.connect(world.root / ".promote" / "ledger.sqlite3")
    db.execute("UPDATE posts SET state='sending', post_url=NULL, owner=? WHERE url LIKE ?",
               (f"{Owner('x').host}|{gone.pid}|crashed", "%/answered/"))
    db.commit()
    db.close()
    assert world.promote().code == 0
    [message_id] = world.fakes["discord"].messages
    assert world.fakes["discord"].requests_to(f"/messages/{message_id}", "GET")
    assert len(executes(world)) == 1 and world.states("discord")["answered"] == "posted"
