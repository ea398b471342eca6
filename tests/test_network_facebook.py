"""Facebook Page: Graph API feed posts, the version setting, Graph error objects, duplicates."""

from __future__ import annotations

import pytest
import requests

from self_promoting_blog.promote.errors import SettingsError
from self_promoting_blog.promote.networks.facebook import FacebookAdapter
from tests.fakes import facebook as ff
from tests.fakes.server import Reply

pytestmark = pytest.mark.network("facebook")


def test_link_post_once_over_repeated_runs(world, network_fake):
    entry = world.article("reach", "Reach, explained 🚀", date="2024-06-01T09:00:00+00:00",
                          summary="社内の声 and what it's worth.")
    for _ in range(3):
        assert world.promote().code == 0
    (request,) = network_fake.requests_to("/feed", "POST")
    link = entry["url"] + "?utm_source=facebook&utm_medium=social&utm_campaign=reach"
    assert request.path == f"/v24.0/{ff.PAGE_ID}/feed"
    assert request.form == {"message": ["Reach, explained 🚀\n\n社内の声 and what it's worth.\n\n"
                                        f"{link}\n\n#ContentMarketing #SEO"],
                            "link": [link], "access_token": [ff.TOKEN]}
    (post,) = network_fake.posts()
    found = world.row("facebook", "reach")
    assert (found.state, found.post_id, found.post_url) == ("posted", post["id"],
                                                             post["permalink_url"])


def test_the_api_version_is_a_setting(world, network_fake):
    world.env = lambda: {**network_fake.env(), "FACEBOOK_API_VERSION": "v25.0"}
    world.article("versioned", date="2024-06-01T09:00:00+00:00")
    assert world.promote().code == 0
    assert network_fake.requests_to("/feed")[0].path == f"/v25.0/{ff.PAGE_ID}/feed"


@pytest.mark.parametrize(("name", "value"), [("FACEBOOK_API_VERSION", "25"),
                                             ("FACEBOOK_PAGE_ID", "my-page")])
def test_bad_version_or_page_id_is_a_settings_error(network_fake, name, value):
    from self_promoting_blog.promote.credentials import network_config
    with pytest.raises(SettingsError, match=name):
        network_config(FacebookAdapter, {**network_fake.env(), name: value})


def test_fake_answers_with_graph_error_objects(network_fake):
    answer = requests.post(f"{network_fake.base_url}/v24.0/{ff.PAGE_ID}/feed",
                           data={"message": "hi", "access_token": "wrong"}, timeout=5)
    error = answer.json()["error"]
    assert answer.status_code == 400 and error["code"] == 190
    assert error["type"] == "OAuthException" and error["fbtrace_id"]


def test_long_text_with_emoji_and_cjk_is_not_cut(world, network_fake):
    title = "🚀 " + "コンテンツ戦略 " * 100
    world.article("long", title.strip(), date="2024-06-01T09:00:00+00:00")
    assert world.promote().code == 0
    assert network_fake.posts()[0]["message"].startswith(title.strip())
    assert FacebookAdapter.text_length(network_fake.posts()[0]["message"]) < 63206


def test_expired_token_names_the_variable_and_how_to_renew(world, network_fake):
    network_fake.expired = True
    code, text = world.announce("expired")
    assert code == 1 and "FACEBOOK_PAGE_ACCESS_TOKEN" in text
    assert "code 190/463" in text and "GET /me/accounts" in text
    assert len(network_fake.requests_to("/feed")) == 1  # not retried


def test_missing_permission_names_pages_manage_posts(world, network_fake):
    network_fake.permissions.discard("pages_manage_posts")
    code, text = world.announce("no-permission")
    assert code == 1 and "pages_manage_posts" in text and "code 200" in text


def test_throttling_with_retry_after_is_honoured(world, network_fake):
    throttled = ff.FakeFacebook.throttled(4)
    throttled.headers["Retry-After"] = "1"
    network_fake.script(throttled, path="/feed")
    world.article("throttled", date="2024-06-01T09:00:00+00:00")
    assert world.promote().code == 0
    assert len(network_fake.requests_to("/feed")) == 2
    assert world.row("facebook", "throttled").state == "posted"


@pytest.mark.parametrize("code", [17, 32, 613])
def test_page_throttling_waits_as_the_usage_header_says(world, network_fake, code):
    network_fake.script(ff.FakeFacebook.throttled(code, minutes=30), path="/feed")
    world.article("later", date="2024-06-01T09:00:00+00:00")
    run = world.promote()
    assert world.row("facebook", "later").state == "pending" and "retry after 1800 s" in run.output
    assert len(network_fake.requests_to("/feed")) == 1


def test_duplicate_status_is_recorded_as_the_existing_post(world, network_fake):
    world.article("dup", date="2024-06-01T09:00:00+00:00")
    assert world.promote().code == 0
    first = world.row("facebook", "dup")
    (world.root / ".promote" / "ledger.sqlite3").unlink()  # the ledger was lost
    assert world.promote(backfill=True).code == 0
    assert sum("campaign=dup" in p["message"] for p in network_fake.posts()) == 1
    again = world.row("facebook", "dup")
    assert (again.post_id, again.post_url) == (first.post_id, first.post_url)


def test_a_5xx_on_post_is_checked_before_anything_is_resent(world, network_fake):
    network_fake.script(Reply(500, {"error": {"message": "An unknown error occurred",
                                               "type": "OAuthException", "code": 1,
                                               "fbtrace_id": "Bx"}}), path="/feed")
    world.article("five-hundred", date="2024-06-01T09:00:00+00:00")
    assert world.promote().code == 0
    assert len(network_fake.posts()) == 1 and network_fake.requests_to("/posts", "GET")
