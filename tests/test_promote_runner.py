"""The engine across all four networks: exactly once, no spam, live pages only, faults isolated."""

from __future__ import annotations

import io
import json
import threading

import pytest
from rich.console import Console

from self_promoting_blog.promote.command import report
from self_promoting_blog.promote.networks import adapter_class
from tests.fakes import bluesky, mastodon, telegram
from tests.fakes.server import Delay, Reply
from tests.fakes.world import FIRST_FOUR

OLD, NEW = "2024-01-10T09:00:00+01:00", "2024-06-01T09:00:00+02:00"


def counts(world) -> dict[str, int]:
    return {n: len(world.posts(n)) for n in FIRST_FOUR}


@pytest.fixture
def world(make_world):
    """A blog that already had promote run once (two old articles recorded as baseline)."""
    world = make_world(*FIRST_FOUR, baseline=False)
    world.article("first-steps", date=OLD)
    world.article("second-look", date="2024-02-10T09:00:00+01:00")
    run = world.promote()
    assert run.code == 0, run.output
    return world


def test_first_run_posts_nothing_old_and_records_a_baseline(make_world):
    world = make_world(*FIRST_FOUR, baseline=False)
    world.article("first-steps", date=OLD)
    run = world.promote()
    assert run.code == 0 and counts(world) == dict.fromkeys(FIRST_FOUR, 0)
    assert "Telegram: 1 existing articles recorded as baseline (not announced; `invoke " \
           "promote --backfill` posts them)" in run.output
    for network in FIRST_FOUR:
        assert world.states(network) == {"first-steps": "baseline"}
    assert "Telegram: nothing new" in world.promote().output


def test_a_new_article_is_posted_once_per_network_over_repeated_runs(world):
    world.article("fresh-idea", date=NEW)
    first = world.promote()
    assert first.code == 0, first.output
    for _ in range(3):
        assert world.promote().code == 0
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 1)
    for network in FIRST_FOUR:
        assert world.states(network)["fresh-idea"] == "posted"
    ledger = world.ledger()
    urls = {r.network: r.post_url for r in ledger.rows() if r.state == "posted"}
    ledger.close()
    assert urls["telegram"] == "https://t.me/signalreach/1"
    assert urls["bluesky"].startswith("https://bsky.app/profile/blog.test/post/")
    assert urls["mastodon"] == world.fakes["mastodon"].statuses[0]["url"]
    assert urls["discord"].startswith("https://discord.com/channels/900100200300400500/")
    assert len(world.site.requests_to("/articles/fresh-idea/")) == 1  # one live check for all


def test_backfill_posts_baseline_articles_oldest_first_and_since_limits_it(world):
    world.article("third-take", date="2024-03-10T09:00:00+01:00")
    world.promote()  # third-take is new: posted
    run = world.promote(backfill=True, since="2024-02-01")
    assert run.code == 0, run.output
    texts = [m["text"] for m in world.posts("telegram")]
    assert [t.split("\n")[0] for t in texts] == ["Third take", "Second look"]
    assert world.states("mastodon")["first-steps"] == "baseline"
    world.promote(backfill=True)
    assert [m["text"].split("\n")[0] for m in world.posts("telegram")][-1] == "First steps"
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 3)


def test_the_cap_leaves_the_rest_for_the_next_run_oldest_first(world):
    world.overrides["PROMOTE_MAX_PER_RUN"] = 2
    for day in range(1, 6):
        world.article(f"news-{day}", date=f"2024-07-0{day}T09:00:00+02:00")
    run = world.promote()
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 2)
    assert "over PROMOTE_MAX_PER_RUN (2); next run" in run.output
    assert [m["text"].split("\n")[0] for m in world.posts("telegram")] == ["News 1", "News 2"]
    world.promote()
    world.promote()
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 5)


def test_promote_no_and_per_network_overrides(world):
    world.article("quiet-one", date=NEW, promote=False)
    world.article("loud-one", date=NEW, social="Our loudest post yet",
                  social_by_network={"bluesky": "Bluesky gets its own words"},
                  hashtags=["growth"])
    assert world.promote().code == 0
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 1)
    shown = f"{world.site.base_url.removeprefix('http://')}/articles/lou..."
    assert world.posts("bluesky")[0]["text"] == f"Bluesky gets its own words\n\n{shown}\n\n#Growth"
    assert world.posts("telegram")[0]["text"].startswith("Our loudest post yet\n\nhttp")
    assert world.posts("mastodon")[0]["text"].startswith("Our loudest post yet\n\nhttp")
    assert "quiet-one" not in world.states("mastodon")


def test_an_article_not_live_yet_is_skipped_with_the_reason_and_retried(world):
    world.article("not-yet", date=NEW, publish=False)
    run = world.promote()
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 0)
    assert "answered 404, not 200" in run.output
    assert world.states("discord")["not-yet"] == "skipped"
    world.site.publish("articles/not-yet/", "Not yet", world.site.url("cards/old.png"))
    run = world.promote()
    assert "og:image is" in run.output and counts(world) == dict.fromkeys(FIRST_FOUR, 0)
    world.site.publish("articles/not-yet/", "Not yet")
    assert world.promote().code == 0
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 1)


def test_a_moved_article_is_recorded_not_announced_again(world):
    world.article("old-address", date=NEW, article_id="guide-42")
    world.promote()
    world.articles = [a for a in world.articles if a["slug"] != "old-address"]
    world.article("new-address", title="Old address", date=NEW, article_id="guide-42")
    run = world.promote()
    assert "moved from" in run.output
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 1)
    assert world.states("telegram")["new-address"] == "moved"
    world.articles = [a for a in world.articles if a["slug"] != "new-address"]
    world.article("third-address", title="Old address", date=NEW)  # same date and title
    world.promote()
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 1)


def test_one_network_down_the_others_post(world):
    world.fakes["mastodon"].stop()
    world.article("resilient", date=NEW)
    run = world.promote()
    assert run.code == 1
    assert {n: len(world.posts(n)) for n in FIRST_FOUR[1:]} == dict.fromkeys(FIRST_FOUR[1:], 1)
    assert "could not connect to 127.0.0.1" in run.output
    assert world.states("mastodon")["resilient"] == "failed"


def test_every_credential_problem_is_listed_at_once_and_the_others_still_post(world,
                                                                            monkeypatch):
    world.article("creds", date=NEW)
    env = world.env
    bad = {"TELEGRAM_BOT_TOKEN": "not a token", "TELEGRAM_CHAT_ID": "my channel",
           "DISCORD_WEBHOOK_URL": "https://example.com/x"}
    monkeypatch.setattr(world, "env", lambda: {
        **{k: v for k, v in env().items() if not k.startswith("BLUESKY_")}, **bad})
    for name in ("BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD", "BLUESKY_SERVICE_URL"):
        monkeypatch.delenv(name, raising=False)
    run = world.promote()
    text = " ".join(run.output.split())
    assert run.code == 1
    assert ("Bluesky: skipped until these are fixed "
            "✖ BLUESKY_HANDLE is not set. Set it in the environment or in .env: your handle, "
            "e.g. blog.bsky.social. "
            "✖ BLUESKY_APP_PASSWORD is not set. Set it in the environment or in .env: Settings › "
            "Privacy and security › App passwords. "
            "One-time setup: Settings › Privacy and security › App passwords › Add App "
            "Password.") in text
    assert ("Telegram: skipped until these are fixed "
            "✖ TELEGRAM_BOT_TOKEN does not look like a bot token. Copy it whole from @BotFather: "
            "digits, a colon, then letters. "
            "✖ TELEGRAM_CHAT_ID is neither @channelname nor a number.") in text
    assert "✖ DISCORD_WEBHOOK_URL is not a Discord webhook URL. Copy it again" in text
    assert "Telegram: not run: fix TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID first (listed above)" \
        in text
    assert counts(world) == {"mastodon": 1, "bluesky": 0, "telegram": 0, "discord": 0}
    dry = " ".join(world.promote(dry_run=True).output.split())
    assert "Bluesky: a real run would skip it until these are fixed ✖ BLUESKY_HANDLE" in dry
    assert "Before a real run, fix the credentials listed above for Bluesky, Telegram and " \
           "Discord." in dry
    for secret in ("not a token", "my channel", "example.com/x"):
        assert secret not in run.output + dry


def test_an_account_password_and_an_address_without_scheme_are_warned_about(world, monkeypatch):
    """Neither stops the network; each names its variable and the fix, never the value."""
    env = world.env
    monkeypatch.setattr(world, "env", lambda: {
        **env(), "BLUESKY_APP_PASSWORD": "Correct-Horse-Battery-1",
        "MASTODON_INSTANCE_URL": "mastodon.example"})
    expected = [
        ("Mastodon: a warning about its credentials ! MASTODON_INSTANCE_URL has no scheme, so "
         "https://mastodon.example is used. Write the https:// in front to confirm it."),
        ("Bluesky: a warning about its credentials ! BLUESKY_APP_PASSWORD does not look like an "
         "app password (xxxx-xxxx-xxxx-xxxx). Your account password also logs in, but gives full "
         "control of the account; create an app password in Bluesky: Settings › Privacy and "
         "security › App passwords (https://bsky.app/settings/app-passwords), and put it here "
         "instead.")]
    # Nothing new: the real run sends nothing (so it never leaves 127.0.0.1) and still says so.
    for run in (world.promote(), world.promote(dry_run=True)):
        text = " ".join(run.output.split())
        assert run.code == 0 and all(line in text for line in expected), text
        assert "Correct-Horse" not in run.output
    ledger = world.ledger()
    accounts = {r.account for r in ledger.rows("mastodon")}
    ledger.close()
    assert len(accounts) == 2  # https://mastodon.example is another account: its own baseline
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 0)


def test_credentials_from_an_untracked_env_file(world, monkeypatch):
    env = world.env()
    (world.root / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN={env['TELEGRAM_BOT_TOKEN']}\n", encoding="utf-8")
    monkeypatch.setattr(world, "env", lambda: {k: v for k, v in env.items()
                                                 if k != "TELEGRAM_BOT_TOKEN"})
    world.article("from-dotenv", date=NEW)
    assert world.promote(network="telegram").code == 0
    assert len(world.posts("telegram")) == 1


def test_unknown_network_lists_the_valid_ones(world):
    run = world.promote(settings=world.settings(PROMOTE_NETWORKS=["mastodon", "myspace"]))
    assert run.code == 2
    assert "PROMOTE_NETWORKS: unknown network 'myspace'" in run.output
    valid = run.output.split("Use one of: ")[1]
    assert all(name in valid for name in FIRST_FOUR)
    assert "--network: unknown network 'friendster'" in world.promote(network="friendster").output


JSON_KEYS = ["network", "article", "title", "status", "detail", "text", "link", "length", "limit",
             "unit", "card", "payload"]


def test_dry_run_shows_each_post_as_readers_see_it_and_touches_nothing(make_world):
    world = make_world(*FIRST_FOUR, baseline=False)
    title = "Dry run — 日本語 👩‍👩‍👧‍👦"
    world.article("dry-one", date=NEW, title=title)
    run = world.promote(dry_run=True, backfill=True)
    out = io.StringIO()
    assert world.promote(dry_run=True, backfill=True, json_out=out).code == 0
    assert run.code == 0, run.output
    assert not (world.root / ".promote" / "ledger.sqlite3").exists()
    assert all(not fake.requests for fake in world.fakes.values())
    assert not world.site.requests
    posts = json.loads(out.getvalue())
    assert [(p["network"], p["status"]) for p in posts] == [(n, "would post") for n in FIRST_FOUR]
    assert all(list(post) == JSON_KEYS for post in posts)
    units = {"mastodon": "500 graphemes, each link as 23", "bluesky": "300 graphemes",
             "telegram": "4096 UTF-16 units", "discord": "2000 UTF-16 units"}
    image = world.articles[-1]["image"]
    for post in posts:
        cls = adapter_class(post["network"])
        assert post["length"] == cls.text_length(post["text"]) < post["limit"]
        label = cls.label
        # The panel: its title, the text line by line, the card, the count the network's way.
        assert f"{label} · {title}" in run.output
        assert all(line in run.output for line in post["text"].splitlines())
        assert f"{post['length']}/{units[post['network']]}" in run.output
        assert post["card"] == {"url": post["link"], "title": title,
                                "description": world.articles[-1]["summary"], "image": image}
    assert run.output.count(f"card   {title}") == run.output.count(f"image  {image}") == 4
    bluesky = posts[1]["payload"]
    assert {"$type": "app.bsky.richtext.facet#link", "uri": posts[1]["link"]} in [
        f["features"][0] for f in bluesky["facets"]]
    assert bluesky["embed"]["thumb"] == image
    assert "byteStart" not in run.output and '"embeds"' not in run.output  # only with --json
    assert run.output.rstrip().endswith("Dry run: nothing was posted and the ledger was not "
                                        "touched.\nNext, run:\n  invoke promote --backfill   "
                                        "post what is shown above")


def test_rate_limit_longer_than_max_wait_defers_to_the_next_run(world):
    world.fakes["telegram"].script(telegram.rate_limited(retry_after=600), path="sendMessage")
    world.article("busy-1", date=NEW)
    world.article("busy-2", date="2024-06-02T09:00:00+02:00")
    run = world.promote()
    assert "rate limited" in run.output
    assert len(world.posts("telegram")) == 0 and len(world.posts("discord")) == 2
    assert world.states("telegram")["busy-1"] == "pending"
    world.promote()
    assert len(world.posts("telegram")) == 2


def test_two_concurrent_runs_never_post_twice(world):
    for name in FIRST_FOUR:
        world.fakes[name].script(*[Delay(0.3)] * 6)
    for day in range(1, 4):
        world.article(f"race-{day}", date=f"2024-08-0{day}T09:00:00+02:00")
    first, second = world.spawn(), world.spawn()
    outputs = [p.communicate(timeout=60)[0] for p in (first, second)]
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 3), outputs
    for network in FIRST_FOUR:
        assert set(world.states(network).values()) >= {"posted"}


def test_no_token_anywhere(world, caplog):
    """Errors on every network (the token sits in Telegram's and Discord's URL paths)."""
    caplog.set_level("DEBUG")
    world.fakes["telegram"].script(Reply(500, {"ok": False, "error_code": 500,
                                               "description": "Internal Server Error"}))
    world.fakes["discord"].script(Delay(3))
    world.fakes["mastodon"].script(Reply(401, {"error": "The access token is invalid"}),
                                   path="/api/v1/statuses")
    world.fakes["bluesky"].script(Reply(502, b"<html>bad gateway</html>"))
    world.article("leaky", date=NEW)
    outputs = [world.promote().output, world.promote(retry_unknown=True).output,
               world.promote(dry_run=True).output]
    secrets = [mastodon.TOKEN, bluesky.PASSWORD, telegram.TOKEN, telegram.TOKEN.split(":")[1],
               world.env()["DISCORD_WEBHOOK_URL"].rsplit("/", 1)[1]]
    secrets += [t for t in world.fakes["bluesky"].access | world.fakes["bluesky"].refresh]
    files = [p for p in world.root.rglob("*") if p.is_file()]
    assert any(p.name == "ledger.sqlite3" for p in files)
    haystacks = outputs + [caplog.text] + [p.read_bytes().decode("utf-8", "replace")
                                           for p in files if p.name != ".env"]
    for secret in secrets:
        for text in haystacks:
            assert secret not in text
    assert json.loads((world.root / ".promote" / "manifest.json").read_text())["articles"]


def test_a_page_that_goes_live_within_the_bounded_wait_is_posted_in_the_same_run(world):
    world.overrides.update(PROMOTE_LIVE_WAIT=5, PROMOTE_LIVE_INTERVAL=0.1)
    world.article("cdn-lag", date=NEW, publish=False)
    timer = threading.Timer(0.6, world.site.publish, ("articles/cdn-lag/", "Cdn lag"))
    timer.start()
    run = world.promote()
    timer.join()
    assert run.code == 0 and counts(world) == dict.fromkeys(FIRST_FOUR, 1)
    assert len(world.site.requests_to("/articles/cdn-lag/")) > 1


def test_report_shows_the_ledger_as_a_table_or_json(world):
    world.article("reported", date=NEW)
    world.promote()
    out = io.StringIO()
    assert report(world.settings(), as_json=True, console=Console(file=out)) == 0
    rows = json.loads(out.getvalue())
    assert {(r["network"], r["state"]) for r in rows if r["url"].endswith("/reported/")} == {
        (n, "posted") for n in FIRST_FOUR}
    assert all(r["post_url"].startswith("http") for r in rows if r["state"] == "posted")
    out = io.StringIO()
    report(world.settings(), console=Console(file=out, width=200))
    assert "telegram: 2 baseline, 1 posted" in out.getvalue()
    assert "https://t.me/signalreach/1" in out.getvalue()
