"""Telegram against a strict fake Bot API: the exact request, limits, errors, no token leaks."""

from __future__ import annotations

import pytest

from tests.fakes import telegram
from tests.fakes.server import Delay, Drop, Reply
from tests.fakes.world import NEW

pytestmark = pytest.mark.network("telegram")


def sends(world):
    return world.fakes["telegram"].requests_to("/sendMessage", "POST")


def test_the_exact_request(world):
    world.article("exact", title="<Exact> & *plain*", date=NEW, tags=["email"])
    assert world.promote().code == 0
    [request] = sends(world)
    assert request.path == f"/bot{telegram.TOKEN}/sendMessage"
    link = f"{world.site.base_url}/articles/exact/?utm_source=telegram&utm_medium=social" \
           "&utm_campaign=exact"
    shown = link  # the full link: a shorter text makes Telegram's apps ask "Open this link?"
    assert request.json == {
        "chat_id": telegram.CHAT,
        "text": "&lt;Exact&gt; &amp; *plain*\n\nWhat &lt;exact&gt; &amp; *plain* means for your "
                f"reach.\n\n<a href=\"{link.replace('&', '&amp;')}\">"
                f"{shown.replace('&', '&amp;')}</a>\n\n#Email",
        "parse_mode": "HTML",
        "link_preview_options": {"url": link, "prefer_large_media": True}}
    [message] = world.posts("telegram")  # as Telegram parsed it
    text = f"<Exact> & *plain*\n\nWhat <exact> & *plain* means for your reach.\n\n{shown}\n\n#Email"
    assert message["text"] == text
    assert message["entities"] == [{"type": "text_link", "url": link,
                                    "offset": text.index(shown), "length": len(shown)}]
    assert world.ledger().rows("telegram")[-1].post_url == "https://t.me/signalreach/1"


def test_link_offsets_count_utf16_units_after_astral_emoji(world):
    world.article("wide", title="📈 Growth 📈", date=NEW, summary="", tags=[])
    assert world.promote().code == 0
    [message] = world.posts("telegram")
    shown = f"{world.site.base_url}/articles/wide/?utm_source=telegram&utm_medium=social" \
            "&utm_campaign=wide"
    assert message["text"] == f"📈 Growth 📈\n\n{shown}"
    # 10 characters, two of them emoji of 2 UTF-16 units each, and a blank line: 12 + 2
    assert message["entities"][0]["offset"] == 14 and message["text"].index(shown) == 12


def test_4096_utf16_units_with_astral_emoji(world):
    world.article("emoji", title="📈 " * 1500, date=NEW, summary="")
    assert world.promote().code == 0
    [message] = world.posts("telegram")
    assert 2048 < len(message["text"]) and len(message["text"].encode("utf-16-le")) // 2 <= 4096


def test_429_honours_parameters_retry_after(world):
    world.fakes["telegram"].script(telegram.rate_limited(retry_after=1))
    world.article("throttled", date=NEW)
    assert world.promote().code == 0
    assert len(sends(world)) == 2 and len(world.posts("telegram")) == 1


@pytest.mark.parametrize("token, fragment, variable", [
    ("123456789:WRONG-token_abcdefghijklmnopq", "Unauthorized", "TELEGRAM_BOT_TOKEN")])
def test_a_refused_token_names_the_variable_and_is_not_retried(world, monkeypatch, token,
                                                                fragment, variable):
    env = world.env
    monkeypatch.setattr(world, "env", lambda: {**env(), "TELEGRAM_BOT_TOKEN": token})
    world.article("denied", date=NEW)
    run = world.promote()
    assert run.code == 1 and f"HTTP 401: {fragment} (check {variable})" in run.output
    assert len(world.fakes["telegram"].requests) == 1 and token.split(":")[1] not in run.output


def test_a_wrong_chat_names_the_chat_variable(world):
    world.fakes["telegram"].chat = "@elsewhere"  # the bot is not in our channel
    world.article("lost", date=NEW)
    run = world.promote()
    assert "Bad Request: chat not found; the bot must be an administrator of the channel " \
           "(check TELEGRAM_CHAT_ID)" in run.output


@pytest.mark.parametrize("fault", [Reply(500, {"ok": False, "error_code": 500,
                                               "description": "Internal Server Error"}),
                                   Delay(1.5), Drop(), Drop(process=True)])
def test_an_answer_that_never_came_becomes_unknown_and_is_never_resent(world, fault):
    world.overrides["PROMOTE_READ_TIMEOUT"] = 0.5
    world.fakes["telegram"].script(fault)
    world.article("silent", date=NEW)
    run = world.promote()
    assert run.code == 1 and world.states("telegram")["silent"] == "unknown"
    assert "`invoke promote --retry-unknown --network telegram`" in run.output
    assert len(sends(world)) == 1
    world.promote()
    assert len(sends(world)) == 1


def test_connect_failure_is_retried_because_nothing_was_sent(world):
    world.fakes["telegram"].stop()
    world.article("offline", date=NEW)
    run = world.promote()
    assert "gave up after 4 tries: could not connect to 127.0.0.1" in run.output
    assert world.states("telegram")["offline"] == "failed"


def test_the_token_in_the_url_never_reaches_logs(world, caplog):
    caplog.set_level("DEBUG")
    world.overrides["PROMOTE_READ_TIMEOUT"] = 0.5
    world.fakes["telegram"].script(Delay(1.0), Reply(404, {"ok": False, "error_code": 404,
                                                           "description": "Not Found"}))
    world.article("quiet-1", date=NEW)
    world.article("quiet-2", date="2024-06-02T09:00:00+02:00")
    run = world.promote()
    assert "/bot***/sendMessage" in caplog.text
    for secret in (telegram.TOKEN, telegram.TOKEN.split(":")[1]):
        assert secret not in caplog.text and secret not in run.output
