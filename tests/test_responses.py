"""Responses: `invoke stats` reads the public replies to our posts back from the strict fakes, the
ledger's store keeps their latest state, and the next real build (development and production)
shows them under the article, sanitized, as microformats2 h-cite p-comments inside its h-entry."""

from __future__ import annotations

import logging
import re
import time

import pytest
from lxml import html as lxml_html

from self_promoting_blog.promote.responses_shown import responses_by_article
from self_promoting_blog.promote.settings import load_settings
from self_promoting_blog.promote.syndication import syndication_links
from tests.fakes import mastodon
from tests.fakes.world import NEW

pytestmark = pytest.mark.network("mastodon")
HOUR = 3600.0
# Somebody else's HTML, as hostile as it gets: each of these must do nothing on our page.
HOSTILE = ('<p>Great read! <script>alert("script")</script>'
           '<img src="x" onerror="alert(\'img\')">'
           '<a href="javascript:alert(\'link\')">click me</a> '
           '<a href="https://elsewhere.test/tags/seo" class="mention hashtag" rel="tag">'
           '#<span>seo</span></a> <span class="h-card"><a href="https://elsewhere.test/@bo" '
           'class="u-url mention" onclick="steal()">@<span>bo</span></a></span>'
           '<iframe src="https://elsewhere.test/frame"></iframe>'
           '<style>body { display: none }</style><b style="color:red">bold</b></p>')
ARTICLE = """Title: Reach & you
Slug: reach
Date: 2024-06-01 09:00
Category: Strategy
Summary: What reach means.
{extra}
Body.
"""


def announced(world, slug="reach"):
    world.article(slug, title="Reach & you", date=NEW)
    assert world.promote().code == 0
    return world.fakes["mastodon"].statuses[-1]["id"]


def build(world, build_site, fake_site, production=False, extra="", **settings):
    """A real build of the article the world announced, beside the world's ledger."""
    if production:
        settings["SITEURL"] = fake_site.base_url
    output = build_site(files={"articles/reach.md": ARTICLE.format(extra=extra)},
                        production=production, OUTPUT_PATH=str(world.root / "output"), **settings)
    page = (output / "articles" / "reach" / "index.html").read_text(encoding="utf-8")
    return page, lxml_html.fromstring(page)


def comments(tree):
    [entry] = tree.find_class("h-entry")
    return entry.xpath(".//li[contains(concat(' ', @class, ' '), ' p-comment ')]")


def test_replies_are_read_stored_and_shown_under_the_article(world, build_site, fake_site):
    status = announced(world)
    fake = world.fakes["mastodon"]
    ana = fake.reply(status, HOSTILE, username="ana", display_name="Ana <b>Reader</b>",
                     likes=3, reposts=1)
    fake.reply(status, "<p>do not index me</p>", username="quiet", noindex=True)
    fake.reply(status, "<p>unlisted</p>", username="aside", visibility="unlisted")
    fake.reply(status, "<p>for you only</p>", username="dm", visibility="direct")
    fake.reply(ana, "<p>Agreed.</p>", username="bo")
    run = world.stats()
    assert run.code == 0, run.output
    assert "Mastodon: 1 posts read, 2 replies to show." in run.output
    show, context = world.fakes["mastodon"].requests_to("/api/v1/statuses/", "GET")
    assert (show.path, context.path) == (f"/api/v1/statuses/{status}",
                                         f"/api/v1/statuses/{status}/context")
    assert context.header("Authorization") == f"Bearer {mastodon.TOKEN}"
    assert context.query == {}  # the context endpoint takes no paging parameters
    stored = sorted(world.responses(), key=lambda r: r.reply.author_handle)
    assert [(r.reply.author_handle, r.article, r.post_id) for r in stored] == [
        ("@ana@elsewhere.test", world.site.url("articles/reach/"), status),
        ("@bo@elsewhere.test", world.site.url("articles/reach/"), status)]
    assert stored[0].reply.content == HOSTILE  # stored raw: sanitized at build time
    before = {name: len(f.requests) for name, f in world.fakes.items()}
    for production in (False, True):
        page, tree = build(world, build_site, fake_site, production)
        first, second = comments(tree)
        assert first.xpath("string(.//*[contains(@class, 'p-author')]//*[@class='p-name'])") \
            == "Ana <b>Reader</b>"
        assert "Ana &lt;b&gt;Reader&lt;/b&gt;" in page
        assert first.xpath(".//a[contains(@class, 'p-author')]/@href") == [
            "https://elsewhere.test/@ana"]
        assert first.xpath(".//a[contains(@class, 'u-url')]/@href")[0] == \
            f"https://elsewhere.test/@ana/{ana}"
        assert first.xpath(".//time[contains(@class, 'dt-published')]/@datetime")[0].startswith(
            "20")
        assert "on Mastodon" in first.text_content()
        assert first.xpath("string(.//*[@class='response-counts'])") == "3 likes, 1 repost"
        assert "@bo@elsewhere.test" in second.text_content()
        section = lxml_html.tostring(tree.find_class("responses")[0], encoding="unicode")
        for bad in ("<script", "onerror", "onclick", "javascript:", "<iframe", "<style",
                    "<img", "style="):
            assert bad not in section, bad
        content = first.find_class("response-content")[0]
        links = {a.text_content(): a for a in content.iter("a")}
        assert links["#seo"].get("href") == "https://elsewhere.test/tags/seo"
        assert links["@bo"].get("href") == "https://elsewhere.test/@bo"
        assert "click me" not in links and "click me" in content.text_content()  # text only
        assert all(a.get("rel") == "ugc nofollow noopener" for a in tree.xpath(
            "//*[contains(@class, 'responses')]//a"))
        assert "do not index me" not in page and "unlisted" not in page
        assert "for you only" not in page
        assert re.search(r'href="[^"]*/theme/css/responses\.css"', page)
    assert {name: len(f.requests) for name, f in world.fakes.items()} == before  # no request


def test_a_reply_deleted_or_edited_upstream_is_removed_or_updated_at_the_next_fetch(world):
    status = announced(world)
    fake = world.fakes["mastodon"]
    keep, drop = fake.reply(status, "<p>first take</p>", username="ana"), \
        fake.reply(status, "<p>regret</p>", username="cy")
    start = time.time()
    assert world.stats(now=lambda: start).code == 0
    assert sorted(r.reply.content for r in world.responses()) == ["<p>first take</p>",
                                                                   "<p>regret</p>"]
    fake.edit(keep, "<p>second take</p>")
    fake.delete(drop)
    assert world.stats(now=lambda: start + HOUR).code == 0
    [reply] = world.responses()
    assert (reply.reply.reply_id, reply.reply.content) == (keep, "<p>second take</p>")
    assert reply.reply.edited
    fake.delete(keep)  # no replies left: the post's replies_count is 0, no context asked
    assert world.stats(now=lambda: start + 2 * HOUR).code == 0
    assert world.responses() == []
    assert len(fake.requests_to("/context", "GET")) == 2


def test_a_deleted_post_takes_its_replies_with_it(world):
    status = announced(world)
    world.fakes["mastodon"].reply(status, "<p>hello</p>")
    start = time.time() + 2 * HOUR  # past the grace a just-made post gets
    assert world.stats(now=lambda: start).code == 0 and len(world.responses()) == 1
    world.fakes["mastodon"].delete(status)
    assert world.stats(now=lambda: start + HOUR).code == 0
    assert world.responses() == []


def test_a_rate_limited_context_is_waited_out(world):
    status = announced(world)
    world.fakes["mastodon"].reply(status, "<p>hello</p>")
    world.fakes["mastodon"].script(mastodon.rate_limited(reset_in=1), path="/context")
    waits: list[float] = []
    run = world.stats(sleep=waits.append)
    assert run.code == 0, run.output
    assert len(waits) == 1 and len(world.responses()) == 1
    assert len(world.fakes["mastodon"].requests_to("/context")) == 2


def test_the_owner_hides_replies_and_authors_and_turns_responses_off(world, build_site,
                                                                     fake_site):
    status = announced(world)
    fake = world.fakes["mastodon"]
    fake.reply(status, "<p>spam</p>", username="spammer")
    troll = fake.reply(status, "<p>one bad reply</p>", username="ana")
    fake.reply(status, "<p>a good one</p>", username="bo")
    assert world.stats().code == 0
    (world.root / "responses-hidden.txt").write_text(
        "# hidden by the owner\n@Spammer@elsewhere.test  # handle, any case\n"
        f"https://elsewhere.test/@ana/{troll}\n", encoding="utf-8")
    page, tree = build(world, build_site, fake_site)
    assert [c.xpath("string(.//*[contains(@class, 'response-content')])") for c in
            comments(tree)] == ["a good one"]
    page, tree = build(world, build_site, fake_site, extra="Responses: off")
    assert comments(tree) == [] and "responses.css" not in page
    page, tree = build(world, build_site, fake_site, RESPONSES=False)
    assert comments(tree) == [] and "responses.css" not in page


def test_networks_that_give_no_replies_say_why_once(make_world):
    world = make_world("x", "telegram")
    world.article("quiet", date=NEW)
    assert world.promote().code == 0
    run = world.stats()
    text = " ".join(run.output.split())
    assert text.count("X: replies not read (X gives replies only through recent search") == 1
    assert "Telegram: replies not read" not in text  # it says "no counts" already, once


def test_with_the_bucket_ledger_the_build_reads_them_from_the_bucket(make_world, build_site,
                                                                     fake_site, s3_env):
    bucket = {"PROMOTE_LEDGER": "bucket", "DEPLOY_TARGET": f"s3://{s3_env.new_bucket()}/blog",
              "S3_ENDPOINT_URL": s3_env.endpoint_url}
    world = make_world("mastodon", baseline=False)
    world.overrides = bucket
    world.baseline()
    status = announced(world)
    world.fakes["mastodon"].reply(status, "<p>from the bucket</p>", username="ana")
    assert world.stats().code == 0
    assert "promote/responses/mastodon.json.gz" in s3_env.objects(
        bucket["DEPLOY_TARGET"].split("/")[2])
    assert not (world.root / ".promote" / "ledger.sqlite3").exists()
    _, tree = build(world, build_site, fake_site, **bucket)
    [reply] = comments(tree)
    assert "from the bucket" in reply.text_content()


def test_a_responses_header_that_is_neither_on_nor_off_is_named(world, build_site, fake_site,
                                                                pelican_logs):
    status = announced(world)
    world.fakes["mastodon"].reply(status, "<p>hello</p>")
    assert world.stats().code == 0
    _, tree = build(world, build_site, fake_site, extra="Responses: maybe")
    assert comments(tree) == []
    assert "articles/reach.md: Responses: 'maybe' is neither on nor off" in pelican_logs.text


def test_a_ledger_this_machine_cannot_read_leaves_links_and_replies_out_and_says_why(
        make_world, monkeypatch, caplog):
    world = make_world("mastodon", baseline=False)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    world.overrides = {"PROMOTE_LEDGER": "bucket", "DEPLOY_TARGET": "rsync://host/site"}
    settings = load_settings(world.settings())
    with caplog.at_level(logging.WARNING, logger="promote"):
        assert syndication_links(settings) == {}
        assert responses_by_article(settings, world.root / "responses-hidden.txt") == {}
    said = [record.getMessage() for record in caplog.records]
    assert [line.split(": ", 2)[:2] for line in said] == [
        ["promote", "syndication links left out"], ["promote", "responses left out"]], said
    assert all("PROMOTE_LEDGER" in line for line in said), said
