"""LinkedIn: versioned headers, article posts with an uploaded thumbnail, errors, duplicates."""

from __future__ import annotations

import pytest
import requests

from self_promoting_blog.promote.errors import SettingsError
from self_promoting_blog.promote.networks.linkedin import LinkedInAdapter
from tests.fakes import linkedin as fl
from tests.fakes.server import Reply
from tests.fakes.site import card_png

HEADERS = {"Authorization": f"Bearer {fl.TOKEN}", "LinkedIn-Version": "202605",
           "X-Restli-Protocol-Version": "2.0.0"}


pytestmark = pytest.mark.network("linkedin")


def test_article_post_with_uploaded_thumbnail_once_over_repeated_runs(world, network_fake):
    entry = world.article("reach", "Reach (and why it matters)", date="2024-06-01T09:00:00+00:00",
                          summary="Distribution_first, then @everyone.")
    for _ in range(3):
        assert world.promote().code == 0
    (post,) = network_fake.posts()
    link = entry["url"] + "?utm_source=linkedin&utm_medium=social&utm_campaign=reach"
    body = post["body"]
    assert body["author"] == fl.MEMBER and body["visibility"] == "PUBLIC"
    assert body["commentary"] == (r"Reach \(and why it matters\)" "\n\n"
                                  r"Distribution\_first, then \@everyone." "\n\n"
                                  f"{link}\n\n#ContentMarketing #SEO")
    article = body["content"]["article"]
    assert article["source"] == link and article["title"] == "Reach (and why it matters)"
    assert article["description"] == "Distribution_first, then @everyone."
    assert network_fake.images[article["thumbnail"]] == card_png()  # the card's own bytes
    for request in network_fake.requests_to("/rest/"):
        assert request.header("LinkedIn-Version") == "202605"
        assert request.header("X-Restli-Protocol-Version") == "2.0.0"
    found = world.row("linkedin", "reach")
    assert (found.state, found.post_id) == ("posted", post["id"])
    assert found.post_url == f"https://www.linkedin.com/feed/update/{post['id']}/"
    assert len(network_fake.requests_to("/rest/posts", "POST")) == 1


@pytest.mark.parametrize(("headers", "status", "code"), [
    ({"LinkedIn-Version": None}, 400, "VERSION_MISSING"),
    ({"LinkedIn-Version": "202201"}, 426, "NONEXISTENT_VERSION"),
    ({"X-Restli-Protocol-Version": None}, 400, "ILLEGAL_ARGUMENT"),
    ({"Authorization": "Bearer nope"}, 401, "INVALID_ACCESS_TOKEN"),
])
def test_fake_refuses_missing_or_wrong_headers(network_fake, headers, status, code):
    sent = {k: v for k, v in {**HEADERS, **headers}.items() if v is not None}
    answer = requests.post(f"{network_fake.base_url}/rest/posts", headers=sent, json={},
                           timeout=5)
    assert (answer.status_code, answer.json()["code"]) == (status, code)


def test_fake_refuses_a_malformed_author_urn(network_fake):
    answer = requests.post(f"{network_fake.base_url}/rest/posts", headers=HEADERS,
                           json={"author": "urn:li:member:12", "commentary": "x"}, timeout=5)
    assert answer.status_code == 422 and "not a valid person or organization URN" in answer.text


@pytest.mark.parametrize("urn", ["person:abc", "urn:li:member:123", "urn:li:person:",
                                 "urn:li:organization:12 34"])
def test_a_malformed_author_urn_is_a_settings_error(network_fake, urn):
    from self_promoting_blog.promote.credentials import network_config
    with pytest.raises(SettingsError, match="LINKEDIN_AUTHOR_URN.*urn:li:person:<sub>"):
        network_config(LinkedInAdapter, {**network_fake.env(), "LINKEDIN_AUTHOR_URN": urn})


def test_an_inactive_version_names_the_variable(world, network_fake, monkeypatch):
    world.env = lambda: {**network_fake.env(), "LINKEDIN_API_VERSION": "202201"}
    world.article("old-version", date="2024-06-01T09:00:00+00:00")
    run = world.promote()
    assert run.code == 1 and "LINKEDIN_API_VERSION" in run.output and network_fake.posts() == []


def test_text_is_escaped_and_counted_to_3000(world, network_fake):
    world.article("long", "A [bracketed] title_with {the} *reserved* ~chars~ | ok",
                  date="2024-06-01T09:00:00+00:00", summary="<all> " + "word " * 900)
    assert world.promote().code == 0  # the fake refuses unescaped reserved characters
    (post,) = network_fake.posts()
    assert LinkedInAdapter.text_length(post["commentary"]) <= 3000 < 900 * 5
    assert post["commentary"].startswith(r"A \[bracketed\] title\_with \{the\} \*reserved\* "
                                         r"\~chars\~ \| ok" "\n\n" r"\<all\> word")


def test_rate_limit_retry_after_is_honoured(world, network_fake):
    network_fake.script(Reply(429, {"status": 429, "message": "Resource level throttle "
                                     "APPLICATION DAY limit for calls to this resource is "
                                     "reached."}, {"Retry-After": "1"}), path="/rest/posts")
    world.article("throttled", date="2024-06-01T09:00:00+00:00")
    assert world.promote().code == 0
    assert len(network_fake.requests_to("/rest/posts", "POST")) == 2
    assert world.row("linkedin", "throttled").state == "posted"


def test_a_daily_quota_waits_for_midnight_utc(world, network_fake):
    network_fake.script(Reply(429, {"status": 429, "message": "Resource level throttle MEMBER "
                                     "DAY limit reached."}), path="/rest/posts")
    world.article("quota", date="2024-06-01T09:00:00+00:00")
    run = world.promote()
    assert "00:00 UTC" in " ".join(run.output.split())
    assert world.row("linkedin", "quota").state == "pending"
    assert len(network_fake.requests_to("/rest/posts", "POST")) == 1


def test_expired_token_says_how_to_renew(world, network_fake):
    network_fake.expired = True
    code, text = world.announce("expired")
    assert code == 1 and "LINKEDIN_ACCESS_TOKEN" in text and "60 days" in text
    assert "Create token" in text


def test_missing_permission_names_the_scope(world, network_fake):
    network_fake.can_post = False
    world.article("no-scope", date="2024-06-01T09:00:00+00:00")
    run = world.promote()
    assert run.code == 1 and "w_member_social" in run.output


def test_duplicate_post_is_recorded_with_the_existing_urn(world, network_fake):
    world.article("dup", date="2024-06-01T09:00:00+00:00")
    assert world.promote().code == 0
    first = world.row("linkedin", "dup")
    (world.root / ".promote" / "ledger.sqlite3").unlink()  # the ledger was lost
    assert world.promote(backfill=True).code == 0
    again = world.row("linkedin", "dup")
    assert (again.state, again.post_id, again.post_url) == ("posted", first.post_id,
                                                             first.post_url)
    assert sum("campaign=dup" in p["source"] for p in network_fake.posts()) == 1


def test_a_card_image_that_cannot_be_fetched_posts_without_thumbnail(world, network_fake,
                                                                    fake_site):
    world.article("no-card", date="2024-06-01T09:00:00+00:00")
    fake_site.files.pop("/cards/no-card.png")
    assert world.promote().code == 0
    (post,) = network_fake.posts()
    assert "thumbnail" not in post["body"]["content"]["article"]
    assert network_fake.requests_to("/rest/images") == []
