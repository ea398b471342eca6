"""Each network's read endpoint for `invoke stats`, against its strict fake: the exact requests
(batches where the network takes many posts at once), the counts, a deleted post, and a missing
permission named. Bluesky's are also read from its reference AppView, in
tests/test_bluesky_network.py."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
import requests

from self_promoting_blog.promote.credentials import network_config
from self_promoting_blog.promote.http import HttpClient
from self_promoting_blog.promote.networks import adapter_class
from self_promoting_blog.promote.rows import Row
from self_promoting_blog.stats.cadence import Due
from self_promoting_blog.stats.fetch import Fetched, Pace, fetch
from tests.fakes import bluesky, facebook, linkedin, threads, x

POSTED = time.time() - 3 * 3600  # past the grace a just-made post gets before "deleted"
PACE = Pace(max_wait=3, max_retries=2, backoff=0.01, sleep=lambda s: None)


def read(fake: Any, name: str, post_ids: list[str],
         sleep: Callable[[float], None] = lambda s: None) -> Fetched:
    """Fetch the counts of `post_ids` on `fake` as `invoke stats` does."""
    adapter = adapter_class(name)(network_config(adapter_class(name), fake.env()),
                                  HttpClient(name, 1.0, 2.0))
    due = [Due(Row(f"https://blog.test/{i}/", name, "acct", "posted", post_id=post_id,
                   updated=POSTED), None, 0.0) for i, post_id in enumerate(post_ids)]
    try:
        return fetch(adapter, due, time.time, replace(PACE, sleep=sleep))
    finally:
        adapter.close()


def counts(result: Fetched) -> list[tuple[Any, ...]]:
    return [(s.post_id, s.likes, s.reposts, s.replies, s.quotes, s.gone) for s in result.samples]


def test_bluesky_asks_the_appview_25_posts_at_a_time_without_a_login(fake):
    appview = fake("bluesky")
    rkeys = [f"3kabc{i:08d}" for i in range(30)]
    for rkey in rkeys:
        appview.records[rkey] = {"text": "post", "createdAt": "2024-06-01T09:00:00.000Z"}
    appview.counts[rkeys[0]] = {"likeCount": 5, "repostCount": 2, "replyCount": 1,
                                "quoteCount": 1}
    del appview.records[rkeys[1]]  # deleted: getPosts leaves it out
    uris = [f"at://{bluesky.DID}/app.bsky.feed.post/{rkey}" for rkey in rkeys]
    result = read(appview, "bluesky", uris)
    requests = appview.requests_to("/xrpc/app.bsky.feed.getPosts", "GET")
    assert [len(r.query["uris"]) for r in requests] == [25, 5]
    assert [u for r in requests for u in r.query["uris"]] == uris
    assert all(r.header("Authorization") is None for r in requests)
    assert counts(result)[:2] == [(uris[0], 5, 2, 1, 1, False), (uris[1], None, None, None,
                                                                   None, True)]
    assert len(result.samples) == 30 and result.gone == 1


def test_bluesky_refuses_more_than_25_uris(fake):
    appview = fake("bluesky")
    answer = requests.get(f"{appview.base_url}/xrpc/app.bsky.feed.getPosts",
                          params={"uris": [f"at://x/{i}" for i in range(26)]}, timeout=5)
    assert answer.status_code == 400 and answer.json()["error"] == "InvalidRequest"


def test_x_looks_up_100_posts_a_request_with_public_metrics(fake):
    api = fake("x")
    ids = [str(1_800_000_000_000_000_000 + i) for i in range(101)]
    api.tweets += [{"id": i, "text": "post", "posted_text": "post", "entities": {}}
                   for i in ids[1:]]
    api.tweets[0]["metrics"] = {"like_count": 9, "retweet_count": 3, "reply_count": 2,
                                "quote_count": 1}
    result = read(api, "x", ids)
    requests = api.requests_to("/2/tweets", "GET")
    assert [len(r.query["ids"][0].split(",")) for r in requests] == [100, 1]
    assert all(r.query["tweet.fields"] == ["public_metrics"] for r in requests)
    assert all((r.header("Authorization") or "").startswith("OAuth ") for r in requests)
    assert counts(result)[:2] == [(ids[0], None, None, None, None, True),  # not found: deleted
                                  (ids[1], 9, 3, 2, 1, False)]


def test_x_names_the_access_level_a_lookup_needs(fake):
    api = fake("x")
    api.lookup_forbidden = True
    result = read(api, "x", ["1800000000000000001", "1800000000000000002"])
    assert result.samples == [] and result.left == 2
    assert "GET /2/tweets" in (result.stopped or "") and "access level" in result.stopped
    assert x.API_SECRET not in result.stopped and x.ACCESS_SECRET not in result.stopped


@pytest.mark.parametrize("network, grant, permission", [
    ("threads", lambda f: f.scopes.discard("threads_manage_insights"), "threads_manage_insights"),
    ("facebook", lambda f: f.permissions.discard("pages_read_engagement"),
     "pages_read_engagement"),
    ("linkedin", lambda f: None, "r_member_social"),
])
def test_a_missing_read_permission_is_named_once(fake, network, grant, permission):
    api = fake(network)
    grant(api)
    api.published += [{"id": post_id} for post_id in ("1", "2")]
    result = read(api, network, ["1", "2"])
    assert result.samples == [] and result.left == 2
    assert (result.stopped or "").count("reading counts needs") == 1, result.stopped
    assert permission in result.stopped
    assert len(api.requests) == 1  # said once: the network stops at the first refusal


def test_threads_reads_lifetime_insights(fake):
    api = fake("threads")
    api.published += [{"id": "181", "counts": {"likes": 4, "replies": 2, "reposts": 1,
                                                "quotes": 3}}]
    result = read(api, "threads", ["181", "182"])
    request = api.requests[0]  # then 181's conversation (it has replies), 182's insights
    assert [r.path for r in api.requests] == ["/v1.0/181/insights", "/v1.0/181/conversation",
                                              "/v1.0/182/insights"]
    assert request.query["metric"] == ["likes,reposts,replies,quotes"]
    assert request.query["access_token"] == [threads.TOKEN]
    assert counts(result) == [("181", 4, 1, 2, 3, False), ("182", None, None, None, None, True)]


def test_facebook_reads_reaction_comment_and_share_summaries(fake):
    api = fake("facebook")
    post = f"{facebook.PAGE_ID}_7"
    api.published += [{"id": post, "counts": {"reactions": 6, "comments": 2, "shares": 1}}]
    result = read(api, "facebook", [post, f"{facebook.PAGE_ID}_8"])
    request = api.requests[0]
    assert request.path.endswith(f"/{post}")
    assert request.query["fields"] == ["reactions.limit(0).summary(total_count),"
                                       "comments.limit(0).summary(total_count),shares"]
    assert counts(result) == [(post, 6, 1, 2, None, False),
                              (f"{facebook.PAGE_ID}_8", None, None, None, None, True)]


def test_linkedin_adds_up_every_reaction_type(fake):
    api = fake("linkedin")
    api.can_list = True
    urn = "urn:li:share:7300000000000000001"
    api.published += [{"id": urn, "counts": {"reactions": {"LIKE": 3, "PRAISE": 2},
                                             "comments": 4}}]
    result = read(api, "linkedin", [urn, "urn:li:share:7300000000000000002"])
    request = api.requests[0]
    assert request.path == "/rest/socialMetadata/urn%3Ali%3Ashare%3A7300000000000000001"
    assert request.header("Authorization") == f"Bearer {linkedin.TOKEN}"
    assert request.header("LinkedIn-Version")
    assert counts(result) == [(urn, 5, None, 4, None, False),
                              ("urn:li:share:7300000000000000002", None, None, None, None,
                               True)]


def test_bluesky_reads_the_replies_of_a_post_with_any_and_leaves_out_who_opted_out(fake):
    appview = fake("bluesky")
    for rkey in ("3kquiet0000001", "3ktalked000001"):
        appview.records[rkey] = {"text": "post", "createdAt": "2024-06-01T09:00:00.000Z"}
    quiet, talked = (f"at://{bluesky.DID}/app.bsky.feed.post/{rkey}"
                     for rkey in ("3kquiet0000001", "3ktalked000001"))
    text = "Nice one @ana.test #seo https://x.test/a <b>bold</b>"
    data = text.encode()
    facets = [  # byte ranges, as the app writes them
        {"index": {"byteStart": data.index(b"@ana"), "byteEnd": data.index(b" #seo")},
         "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:ana"}]},
        {"index": {"byteStart": data.index(b"#seo"), "byteEnd": data.index(b" https")},
         "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "seo"}]},
        {"index": {"byteStart": data.index(b"https"), "byteEnd": data.index(b" <b>")},
         "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "javascript:alert(1)"}]}]
    first = appview.reply(talked, text, handle="cy.test", name="Cy", facets=facets, likes=2)
    appview.reply(first, "and a reply to the reply", handle="dee.test")
    appview.reply(talked, "do not show me", handle="shy.test", labels=("!no-unauthenticated",))
    appview.delete_reply(appview.reply(talked, "regret", handle="gone.test"))
    result = read(appview, "bluesky", [quiet, talked])
    [thread_request] = appview.requests_to("/xrpc/app.bsky.feed.getPostThread", "GET")
    assert thread_request.query == {"uri": [talked], "depth": ["10"], "parentHeight": ["0"]}
    assert thread_request.header("Authorization") is None
    by_post = {t.post_id: t for t in result.threads}
    assert by_post[quiet].replies == ()  # no replies: no getPostThread asked
    cy, dee = by_post[talked].replies
    assert (cy.author_name, cy.author_handle, cy.author_url, cy.likes) == (
        "Cy", "@cy.test", "https://bsky.app/profile/cy.test", 2)
    assert cy.url == f"https://bsky.app/profile/cy.test/post/{first.rsplit('/', 1)[1]}"
    assert cy.published == "2024-06-02T10:00:00.000Z"
    assert cy.content == (
        '<p>Nice one <a href="https://bsky.app/profile/did:plc:ana">@ana.test</a> '
        '<a href="https://bsky.app/hashtag/seo">#seo</a> '
        '<a href="javascript:alert(1)">https://x.test/a</a> &lt;b&gt;bold&lt;/b&gt;</p>')
    assert dee.author_handle == "@dee.test"


def test_bluesky_a_deleted_post_drops_its_replies(fake):
    appview = fake("bluesky")
    appview.records["3kgone00000001"] = {"text": "post", "createdAt": "2024-06-01T09:00:00.000Z"}
    uri = f"at://{bluesky.DID}/app.bsky.feed.post/3kgone00000001"
    appview.reply(uri, "hello")
    del appview.records["3kgone00000001"]
    result = read(appview, "bluesky", [uri])
    [thread] = result.threads
    assert thread.replies == () and result.gone == 1


def test_threads_reads_every_page_of_the_conversation_and_leaves_out_hidden_replies(fake):
    api = fake("threads")
    api.published += [{"id": "181"}]
    first = api.reply("181", "Agree with @ana.b, see https://x.test/a <script>x</script>",
                      username="cy")
    for n in range(27):
        api.reply("181", f"reply {n}", username=f"reader{n}")
    api.reply("181", "hidden by the owner", hide_status="HIDDEN")
    api.reply("181", "covered by Threads", hide_status="COVERED")
    api.reply("181", "thanks!", username=threads.USERNAME, mine=True)
    result = read(api, "threads", ["181"])
    pages = api.requests_to("/v1.0/181/conversation", "GET")
    assert [r.query.get("after") for r in pages] == [None, ["25"]]
    assert all(r.query["reverse"] == ["false"] and r.query["access_token"] == [threads.TOKEN]
               and r.query["fields"] == [
                   "id,text,username,permalink,timestamp,hide_status,is_reply_owned_by_me"]
               for r in pages)
    [thread] = result.threads
    assert len(thread.replies) == 28
    cy = thread.replies[0]
    assert (cy.reply_id, cy.author_handle, cy.author_url, cy.url) == (
        first, "@cy", "https://www.threads.com/@cy", f"https://www.threads.com/@cy/post/r{first}")
    assert cy.content == ('<p>Agree with <a href="https://www.threads.com/@ana.b">@ana.b</a>, '
                          'see <a href="https://x.test/a">https://x.test/a</a> '
                          '&lt;script&gt;x&lt;/script&gt;</p>')
    assert cy.likes is None  # Threads gives no per-reply counts


def test_threads_without_the_replies_permission_names_it(fake):
    api = fake("threads")
    api.published += [{"id": "181"}]
    api.reply("181", "hello")
    api.scopes.discard("threads_read_replies")
    result = read(api, "threads", ["181"])
    assert result.samples == [] and result.left == 1
    assert "threads_read_replies" in (result.stopped or "")


def test_bluesky_a_rate_limited_thread_is_waited_out_and_asked_again(fake):
    appview = fake("bluesky")
    appview.records["3ktalked000001"] = {"text": "post", "createdAt": "2024-06-01T09:00:00.000Z"}
    uri = f"at://{bluesky.DID}/app.bsky.feed.post/3ktalked000001"
    appview.reply(uri, "hello")
    appview.script(bluesky.rate_limited(reset_in=1), path="getPostThread")
    waits: list[float] = []
    result = read(appview, "bluesky", [uri], sleep=waits.append)
    assert len(waits) == 1
    assert len(appview.requests_to("/xrpc/app.bsky.feed.getPostThread", "GET")) == 2
    [thread] = result.threads
    assert [r.content for r in thread.replies] == ["<p>hello</p>"]


def test_facebook_reads_every_comment_the_page_shows(fake):
    api = fake("facebook")
    post = f"{facebook.PAGE_ID}_7"
    api.published += [{"id": post}]
    first = api.comment(post, "Useful, thanks: https://x.test/a <img src=x>", name="Dee Reader",
                        likes=2)
    api.comment(post, "and a reply to Dee", reply_to=first)
    for n in range(100):
        api.comment(post, f"comment {n}")
    api.comment(post, "spam the Page hid", hidden=True)
    api.comment(post, "Thanks, Dee!", by_page=True)
    result = read(api, "facebook", [post])
    pages = api.requests_to(f"/{post}/comments", "GET")
    assert [r.query.get("after") for r in pages] == [None, ["100"]]
    assert all(r.query["filter"] == ["stream"] and r.query["order"] == ["chronological"]
               and r.query["access_token"] == [facebook.TOKEN] for r in pages)
    [thread] = result.threads
    assert len(thread.replies) == 102
    dee = thread.replies[0]
    assert (dee.reply_id, dee.author_name, dee.author_handle, dee.author_url, dee.likes) == (
        first, "Dee Reader", "", "", 2)
    assert dee.url.endswith(f"?comment_id={first}")
    assert dee.content == ('<p>Useful, thanks: <a href="https://x.test/a">https://x.test/a</a> '
                           '&lt;img src=x&gt;</p>')
    assert thread.replies[1].content == "<p>and a reply to Dee</p>"


def test_facebook_without_the_user_content_permission_names_it(fake):
    api = fake("facebook")
    post = f"{facebook.PAGE_ID}_7"
    api.published += [{"id": post}]
    api.comment(post, "hello")
    api.permissions.discard("pages_read_user_content")
    result = read(api, "facebook", [post])
    assert result.samples == [] and "pages_read_user_content" in (result.stopped or "")
