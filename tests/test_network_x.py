"""X: OAuth 1.0a signing, X's weighted counting, rate-limit resets, errors and duplicates."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest
import requests
from requests_oauthlib import OAuth1

from self_promoting_blog.promote.errors import AmbiguousError, CredentialsError, RateLimited
from self_promoting_blog.promote.networks.x import XAdapter, weighted_length
from tests.fakes import x as fx
from tests.fakes.server import Reply
from tests.support.adapters import adapter_for, message_for

TOKENS = (fx.API_KEY, fx.API_SECRET, fx.ACCESS_TOKEN, fx.ACCESS_SECRET)


pytestmark = pytest.mark.network("x")


def test_new_article_is_posted_once_over_repeated_runs(world, network_fake):
    entry = world.article("reach-math", "The maths of reach", date="2024-06-01T09:00:00+00:00",
                          summary="Why one post is not enough.")
    for _ in range(3):
        assert world.promote().code == 0
    assert len(network_fake.requests_to("/2/tweets", "POST")) == 1
    (tweet,) = network_fake.tweets
    link = entry["url"] + "?utm_source=x&utm_medium=social&utm_campaign=reach-math"
    assert tweet["posted_text"] == ("The maths of reach\n\nWhy one post is not enough.\n\n"
                                    f"{link}\n\n#ContentMarketing #SEO")
    assert tweet["entities"]["urls"][0]["expanded_url"] == link
    row = world.row("x", "reach-math")
    assert (row.state, row.post_id) == ("posted", tweet["id"])
    assert row.post_url == f"https://x.com/{fx.USERNAME}/status/{tweet['id']}"
    assert world.row("x", "old-news").state == "baseline"


def test_fake_checks_the_rfc5849_signature_independently():
    # RFC 5849 §1.2 / §3.4 worked example, signed without oauthlib.
    params = [("file", "vacation.jpg"), ("size", "original"),
              ("oauth_consumer_key", "dpf43f3p2l4k3l03"), ("oauth_token", "nnch734d00sl2jdk"),
              ("oauth_signature_method", "HMAC-SHA1"), ("oauth_timestamp", "1191242096"),
              ("oauth_nonce", "kllo9940pd9333jh"), ("oauth_version", "1.0")]
    assert fx.signature("GET", "http://photos.example.net/photos", params, "kd94hf93k423kf44",
                        "pfkkdhi9sl3r4s00") == "tR3+Ty81lMeYAr/Fid0kMTYa/WM="


def test_bad_signature_and_replayed_nonce_get_xs_401(network_fake):
    url = f"{network_fake.base_url}/2/users/me"
    wrong = OAuth1(fx.API_KEY, fx.API_SECRET, fx.ACCESS_TOKEN, "not-the-token-secret")
    answer = requests.get(url, auth=wrong, timeout=5)
    assert answer.status_code == 401 and answer.json() == fx.UNAUTHORIZED
    good = requests.Request("GET", url, auth=OAuth1(*TOKENS)).prepare()
    with requests.Session() as session:
        assert session.send(good, timeout=5).status_code == 200
        assert session.send(good, timeout=5).status_code == 401  # same nonce: a replay
    assert requests.get(url, timeout=5).status_code == 401  # unsigned


@pytest.mark.parametrize(("text", "weight"), [
    ("plain ASCII", 11),
    ("日本語のテキスト", 16),                        # CJK weighs 2
    ("café — “quoted” ′", 17),                       # Latin, dashes, quotes, primes weigh 1
    ("😷", 2), ("👩‍👩‍👧‍👦", 2), ("🇯🇵", 2), ("👍🏽", 2), ("#️⃣", 2),  # one emoji sequence = 2
    ("cafe\u0301", 4),                               # NFC first: é is one code point
    ("read https://example.com/a/very/long/path/that/goes/on?utm_source=x now", 32),
    ("see blog.example.com", 27),                    # a bare domain is a link too: 23
])
def test_weighted_length_follows_twitter_text_v3(text, weight):
    assert weighted_length(text) == weight == fx.x_weight(text)


def test_long_cjk_and_emoji_title_is_cut_to_280_weighted(world, network_fake):
    title = "🚀日本のコンテンツマーケティング入門" * 12  # no spaces: cut between characters
    entry = world.article("cjk-guide", title, date="2024-06-02T09:00:00+00:00",
                          summary="😷 " * 40, tags=["マーケティング"])
    assert world.promote().code == 0
    (tweet,) = network_fake.tweets
    text = tweet["posted_text"]
    assert weighted_length(text) == fx.x_weight(text) <= 280
    assert len(text) > 140 and weighted_length(text) > 250  # filled, not over-cut
    assert "…" in text and text.count(entry["url"]) == 1   # cut, but the URL is whole


def test_rate_limit_reset_is_honoured_then_posts(world, network_fake):
    reset = str(int(time.time()) + 1)
    network_fake.script(Reply(429, fx.TOO_MANY, {"x-rate-limit-limit": "100",
                                           "x-rate-limit-remaining": "0",
                                           "x-rate-limit-reset": reset}), path="/2/tweets")
    world.article("after-wait", date="2024-06-03T09:00:00+00:00")
    assert world.promote().code == 0
    assert len(network_fake.requests_to("/2/tweets", "POST")) == 2
    assert world.row("x", "after-wait").state == "posted"


def test_a_reset_far_away_defers_to_the_next_run(world, network_fake):
    network_fake.limits["POST /2/tweets"] = 0  # the 15-minute window is used up
    world.article("later", date="2024-06-03T09:00:00+00:00")
    run = world.promote()
    assert len(network_fake.requests_to("/2/tweets", "POST")) == 1  # not hammered
    assert world.row("x", "later").state == "pending" and "Too Many Requests" in run.output
    network_fake.limits["POST /2/tweets"] = 100
    network_fake._windows.clear()
    assert world.promote().code == 0 and world.row("x", "later").state == "posted"


def test_usage_cap_uses_the_24_hour_reset(network_fake):
    adapter = adapter_for(XAdapter, network_fake, 1.0, 2.0)
    now = time.time()
    response = _response(429, {"x-rate-limit-remaining": "97", "x-rate-limit-reset":
                               str(int(now) + 60), "x-user-limit-24hour-remaining": "0",
                               "x-user-limit-24hour-reset": str(int(now) + 7200),
                               "Date": formatdate(now, usegmt=True)})
    error = adapter.parse_error(response)
    assert isinstance(error, RateLimited) and 7100 < error.retry_after <= 7200


def test_revoked_tokens_name_the_variables_and_are_not_retried(world, network_fake):
    network_fake.revoked = True
    world.article("no-auth", date="2024-06-04T09:00:00+00:00")
    run = world.promote()
    assert run.code == 1
    assert "X_ACCESS_TOKEN" in run.output and "regenerate" in run.output
    assert network_fake.requests_to("/2/tweets", "POST") == []  # /2/users/me failed first
    assert len(network_fake.requests_to("/2/users/me")) == 1


def test_read_only_app_names_the_permission(world, network_fake):
    network_fake.read_only = True
    world.article("read-only", date="2024-06-04T09:00:00+00:00")
    run = world.promote()
    assert run.code == 1 and "Read and write" in " ".join(run.output.split())
    assert world.row("x", "read-only").state == "failed"
    assert len(network_fake.requests_to("/2/tweets", "POST")) == 1


def test_duplicate_content_is_recorded_as_the_existing_post(world, network_fake):
    world.article("dup", date="2024-06-05T09:00:00+00:00")
    assert world.promote().code == 0
    first = world.row("x", "dup")
    (world.root / ".promote" / "ledger.sqlite3").unlink()  # the ledger was lost
    assert world.promote(backfill=True).code == 0
    sent = [r for r in network_fake.requests_to("/2/tweets", "POST") if b"campaign=dup" in r.body]
    posted = [t for t in network_fake.tweets if "campaign=dup" in t["posted_text"]]
    assert len(sent) == 2 and len(posted) == 1  # refused as a duplicate, nothing new
    assert world.row("x", "dup").post_url == first.post_url


def test_duplicate_that_cannot_be_found_becomes_unknown_not_retried(world, network_fake):
    world.article("dup", date="2024-06-05T09:00:00+00:00")
    assert world.promote().code == 0
    (world.root / ".promote" / "ledger.sqlite3").unlink()
    network_fake.timeline_forbidden = True
    run = world.promote(backfill=True)
    assert run.code == 1 and world.row("x", "dup").state == "unknown"
    assert "duplicate content" in world.row("x", "dup").detail
    assert "--mark-posted" in world.row("x", "dup").detail
    def sent():
        return [r for r in network_fake.requests_to("/2/tweets", "POST")
                if b"campaign=dup" in r.body]
    assert len(sent()) == 2  # the duplicate was not retried
    world.promote(backfill=True)  # unknown waits for the owner: reported, not sent
    assert len(sent()) == 2


def test_find_existing_without_timeline_access_is_ambiguous(network_fake):
    from self_promoting_blog.promote.adapters.base import Attempt
    network_fake.timeline_forbidden = True
    adapter = adapter_for(XAdapter, network_fake, 1.0, 2.0)
    with pytest.raises(AmbiguousError, match="cannot read the account's posts"):
        adapter.find_existing(message_for(280), Attempt("k", {}, lambda n, v: None))
    assert isinstance(adapter.parse_error(_response(401, {})), CredentialsError)


# -- helpers ---------------------------------------------------------------------------------


def _response(status, headers, body=None):
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers)
    response._content = b'{"title": "Too Many Requests", "detail": "Too Many Requests"}'
    return response


def test_a_tier_without_users_me_still_posts(world, network_fake):
    network_fake.script(Reply(403, {"title": "Client Forbidden", "status": 403, "type":
                              "https://api.twitter.com/2/problems/client-forbidden",
                              "detail": "This endpoint is not part of your access tier."}),
                  path="/2/users/me")
    world.article("no-me", date="2024-06-06T09:00:00+00:00")
    assert world.promote().code == 0
    (tweet,) = network_fake.tweets
    assert world.row("x", "no-me").post_url == f"https://x.com/i/web/status/{tweet['id']}"
