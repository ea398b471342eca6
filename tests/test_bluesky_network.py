"""Bluesky's counts and replies, read back from its reference AppView.

Bluesky's full reference network (``TestNetwork`` of ``@atproto/dev-env``: the PDS, and the
AppView ``@atproto/bsky`` indexing it, with the bsync and ozone services it needs) runs once for
this module from ``tests/reference/bluesky`` (``launch.mjs --appview``), on a throwaway Postgres
cluster that the module starts and removes (Debian's server, tests/support/postgres.py). Our
adapter announces an article on the PDS; other accounts on the same PDS like, repost, quote and
reply to it through the PDS's own XRPC; once the AppView has indexed them (``processAll``),
``invoke stats`` reads them back from the AppView, as it reads the public one, and a real build
shows them. A proxy in front of the AppView records what ``stats`` asked. Not installed is a
failure with the command to run, never a skip: CI runs these.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from lxml import html as lxml_html

from tests.bluesky_reference import COLLECTION, Account, PdsProxy, ReferencePds, missing_install
from tests.fakes import bluesky
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.site import FakeSite
from tests.fakes.world import NEW, World
from tests.support.postgres import Postgres, missing_postgres

HOUR = 3600.0
TITLE = "Reach & you"
ARTICLE = """Title: Reach & you
Slug: reach
Date: 2024-06-01 09:00
Category: Strategy
Summary: What reach means.

Body.
"""
HOSTILE = '<script>alert(1)</script> Great read & more at https://elsewhere.test/notes'
LINK = "https://elsewhere.test/notes"
OPTED_OUT = "!no-unauthenticated"


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReferencePds]:
    """The full reference network on its own Postgres, for this module; fails when either is
    not installed."""
    problem = missing_install() or missing_postgres()
    if problem:
        pytest.fail(problem, pytrace=False)
    postgres = Postgres()
    try:
        pds = ReferencePds(tmp_path_factory.mktemp("bluesky-network"),
                           postgres_url=postgres.url)
        try:
            yield pds
        finally:
            pds.stop()
    finally:
        postgres.stop()


@pytest.fixture
def appview(network: ReferencePds) -> Iterator[PdsProxy]:
    """A proxy in front of the AppView, recording what each test asked it."""
    proxy = PdsProxy().start()
    proxy.upstream = network.appview_url
    yield proxy
    proxy.stop()


class NetworkWorld(World):
    """A blog whose only network is an account on the reference PDS, counts read from the
    reference AppView (through `appview`)."""

    def __init__(self, tmp_path: Path, site: FakeSite, network: ReferencePds,
                 appview: PdsProxy) -> None:
        super().__init__(tmp_path, site, ["bluesky"], lambda _: appview)
        self.network = network
        self.account: Account = network.create_account()

    def env(self) -> dict[str, str]:
        return {"BLUESKY_HANDLE": self.account.handle,
                "BLUESKY_APP_PASSWORD": self.account.app_password,
                "BLUESKY_SERVICE_URL": self.network.url,
                "BLUESKY_APPVIEW_URL": self.fakes["bluesky"].base_url}

    def posts(self, network: str = "bluesky") -> list[dict[str, Any]]:
        return self.network.records(self.account)


@pytest.fixture
def world(tmp_path: Path, fake_site: FakeSite, network: ReferencePds,
          appview: PdsProxy) -> NetworkWorld:
    world = NetworkWorld(tmp_path, fake_site, network, appview)
    world.baseline()
    return world


def announced(world: NetworkWorld) -> dict[str, str]:
    """Announce the article "reach": the post's strong ref {uri, cid}."""
    world.article("reach", title=TITLE, date=NEW)
    run = world.promote()
    assert run.code == 0, run.output
    uri = world.row("bluesky", "reach").post_id
    assert uri
    stored = world.network.record(world.account, uri.rsplit("/", 1)[-1])
    return {"uri": stored["uri"], "cid": stored["cid"]}


def reader(network: ReferencePds, name: str, *labels: str) -> Account:
    """Another account, with a display name and, if given, self-labels on its profile."""
    account = network.create_account()
    profile: dict[str, Any] = {"displayName": name}
    if labels:
        profile["labels"] = {"$type": "com.atproto.label.defs#selfLabels",
                             "values": [{"val": label} for label in labels]}
    network.write(account, "app.bsky.actor.profile", profile, rkey="self")
    return account


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


def reply(network: ReferencePds, account: Account, root: dict[str, str],
          parent: dict[str, str], text: str, link: str | None = None) -> dict[str, str]:
    """A reply to `parent` in the thread of `root`; `link`, if in the text, gets a link facet."""
    record: dict[str, Any] = {"text": text, "createdAt": now_iso(),
                              "reply": {"root": root, "parent": parent}}
    if link:
        start = text.encode("utf-8").index(link.encode("utf-8"))
        record["facets"] = [{"index": {"byteStart": start, "byteEnd": start + len(link)},
                             "features": [{"$type": "app.bsky.richtext.facet#link",
                                           "uri": link}]}]
    return network.write(account, COLLECTION, record)


def engage(network: ReferencePds, account: Account, kind: str,
           subject: dict[str, str]) -> dict[str, str]:
    """A like or repost (`kind` "like", "repost") of `subject`."""
    return network.write(account, f"app.bsky.feed.{kind}",
                         {"subject": subject, "createdAt": now_iso()})


def quote(network: ReferencePds, account: Account, subject: dict[str, str]) -> dict[str, str]:
    return network.write(account, COLLECTION, {
        "text": "Worth reading.", "createdAt": now_iso(),
        "embed": {"$type": "app.bsky.embed.record", "record": subject}})


def build(world: NetworkWorld, build_site, fake_site: FakeSite) -> tuple[str, Any]:
    """A real production build of the announced article, beside the world's ledger."""
    output = build_site(files={"articles/reach.md": ARTICLE}, production=True,
                        SITEURL=fake_site.base_url, OUTPUT_PATH=str(world.root / "output"))
    page = (output / "articles" / "reach" / "index.html").read_text(encoding="utf-8")
    return page, lxml_html.fromstring(page)


def comments(tree: Any) -> list[Any]:
    [entry] = tree.find_class("h-entry")
    return entry.xpath(".//li[contains(concat(' ', @class, ' '), ' p-comment ')]")


def latest(world: NetworkWorld) -> Any:
    return max((s for s in world.samples() if s.url.endswith("/articles/reach/")),
               key=lambda s: s.fetched)


def test_what_others_did_is_read_from_the_appview_and_shown_by_the_next_build(
        world, network, appview, build_site, fake_site):
    post = announced(world)
    ana = reader(network, "Ana <b>Reader</b>")
    bo = reader(network, "Bo")
    cy = reader(network, "Cy Quiet", OPTED_OUT)
    for account in (ana, bo, cy):
        engage(network, account, "like", post)
    engage(network, ana, "repost", post)
    quote(network, bo, post)
    first = reply(network, ana, post, post, HOSTILE, LINK)
    reply(network, bo, post, first, "Agreed.")
    reply(network, cy, post, post, "Please do not show me to strangers.")
    reply(network, world.account, post, post, "A note from the author.")
    network.process_all()

    run = world.stats()
    assert run.code == 0, run.output
    assert "Bluesky: 1 posts read, 2 replies to show." in run.output
    sample = latest(world)
    assert (sample.likes, sample.reposts, sample.replies, sample.quotes) == (3, 1, 3, 1)
    [posts] = appview.requests_to("getPosts")
    assert posts.query == {"uris": [post["uri"]]} and posts.header("Authorization") is None
    [thread] = appview.requests_to("getPostThread")
    assert thread.query == {"uri": [post["uri"]], "depth": ["10"], "parentHeight": ["0"]}
    stored = sorted(world.responses(), key=lambda r: r.reply.published)
    assert [(r.reply.author_handle, r.reply.author_name) for r in stored] == [
        (f"@{ana.handle}", "Ana <b>Reader</b>"), (f"@{bo.handle}", "Bo")]
    assert stored[0].reply.url == \
        f"https://bsky.app/profile/{ana.handle}/post/{first['uri'].rsplit('/', 1)[-1]}"

    before = len(appview.requests)
    page, tree = build(world, build_site, fake_site)
    assert len(appview.requests) == before  # the build asks no network
    row = world.row("bluesky", "reach")
    assert f'<a class="u-syndication" rel="syndication" href="{row.post_url}">Bluesky</a> ' \
           '<span class="syndication-counts">(3 likes, 1 repost, 3 replies, 1 quote)</span>' \
           in page
    first_shown, second_shown = comments(tree)
    assert first_shown.xpath("string(.//*[contains(@class, 'p-author')]//*[@class='p-name'])") \
        == "Ana <b>Reader</b>"
    assert "Ana &lt;b&gt;Reader&lt;/b&gt;" in page
    assert first_shown.xpath("string(.//*[contains(@class, 'p-nickname')])") == f"@{ana.handle}"
    assert first_shown.xpath(".//a[contains(@class, 'p-author')]/@href") == [
        f"https://bsky.app/profile/{ana.handle}"]
    assert first_shown.xpath(".//a[contains(@class, 'u-url')]/@href") == [stored[0].reply.url]
    content = first_shown.find_class("response-content")[0]
    assert content.text_content() == HOSTILE  # shown as text, never run
    assert [(a.get("href"), a.get("rel")) for a in content.iter("a")] == [
        (LINK, "ugc nofollow noopener")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert f"@{bo.handle}" in second_shown.text_content()
    assert "Please do not show me" not in page and "A note from the author" not in page

    answered = appview.answered("app.bsky.feed.getPostThread")[0][1]["thread"]["replies"]
    [shy] = [node["post"]["author"] for node in answered if node["post"]["author"]["did"] == cy.did]
    assert OPTED_OUT in [label["val"] for label in shy["labels"]]  # given, labelled: we leave it


def test_a_reply_deleted_upstream_goes_at_the_next_run_and_a_deleted_post_takes_the_rest(
        world, network, build_site, fake_site):
    post = announced(world)
    ana, bo = reader(network, "Ana"), reader(network, "Bo")
    keep = reply(network, ana, post, post, "first take")
    drop = reply(network, bo, post, post, "regret")
    reply(network, ana, post, drop, "under the regret")
    network.process_all()
    start = time.time()
    assert world.stats(now=lambda: start).code == 0
    assert sorted(r.reply.content for r in world.responses()) == [
        "<p>first take</p>", "<p>regret</p>", "<p>under the regret</p>"]
    network.delete(bo, drop["uri"])
    network.process_all()
    run = world.stats(now=lambda: start + HOUR)
    assert run.code == 0, run.output
    [kept] = world.responses()  # the AppView leaves out a deleted reply and all under it
    assert (kept.reply.reply_id, latest(world).replies) == (keep["uri"], 1)
    page, _ = build(world, build_site, fake_site)
    assert "first take" in page and "regret" not in page
    network.delete(world.account, post["uri"])
    network.process_all()
    run = world.stats(now=lambda: start + 2 * HOUR)
    assert run.code == 0 and "Bluesky: 1 posts read (1 deleted)." in run.output, run.output
    assert world.responses() == [] and latest(world).gone
    page, tree = build(world, build_site, fake_site)
    assert "u-syndication" not in page and comments(tree) == []


# -- the fake answers as the reference AppView does -----------------------------------------

NO_POST = "at://did:plc:nobody/app.bsky.feed.post/3kabcdefghijk"
QUERIES = {
    "getPosts without uris": ("getPosts", {}),
    "getPosts of 26 uris": ("getPosts", {"uris": [NO_POST] * 26}),
    "getPosts of no post": ("getPosts", {"uris": [NO_POST]}),
    "getPostThread without uri": ("getPostThread", {}),
    "depth over 1000": ("getPostThread", {"uri": NO_POST, "depth": 1001}),
    "depth below 0": ("getPostThread", {"uri": NO_POST, "depth": -1}),
    "parentHeight not a number": ("getPostThread", {"uri": NO_POST, "parentHeight": "x"}),
    "getPostThread of no post": ("getPostThread", {"uri": NO_POST}),
}


def ask(base_url: str, nsid: str, params: dict[str, Any]) -> tuple[int, Any]:
    with requests.Session() as session:
        session.trust_env = False
        answer = session.get(f"{base_url}/xrpc/app.bsky.feed.{nsid}", params=params, timeout=30)
    return answer.status_code, answer.json()


@pytest.fixture(scope="module")
def fake_appview() -> Iterator[FakeBluesky]:
    with FakeBluesky() as fake:
        yield fake


@pytest.mark.parametrize("case", QUERIES)
def test_the_fake_answers_queries_as_the_reference_appview_does(network, fake_appview, case):
    nsid, params = QUERIES[case]
    assert ask(fake_appview.base_url, nsid, params) == ask(network.appview_url, nsid, params)


def shape(value: Any, at: str = "") -> set[str]:
    """Every leaf of a JSON value as "path: type" (list items as "path[]")."""
    if isinstance(value, dict):
        return {leaf for key, item in value.items() for leaf in shape(item, f"{at}.{key}")}
    if isinstance(value, list):
        return {leaf for item in value for leaf in shape(item, f"{at}[]")} or {f"{at}: list"}
    return {f"{at}: {type(value).__name__}"}


def test_the_fakes_posts_and_threads_have_the_reference_appviews_shape(network, fake_appview):
    """Each field the fake gives, the AppView gives too, with the same type: a post with a
    reply that has a link, a reply to that, and a reply by an author who opted out."""
    owner, ana, shy = (reader(network, "Owner"), reader(network, "Ana"),
                       reader(network, "Shy", OPTED_OUT))
    record = {"text": "post", "createdAt": "2024-06-01T09:00:00.000Z"}
    post = network.write(owner, COLLECTION, record)
    first = reply(network, ana, post, post, f"see {LINK}", LINK)
    reply(network, ana, post, first, "and more")
    reply(network, shy, post, post, "quiet")
    network.process_all()
    fake_appview.records["3kpost00000001"] = {"$type": COLLECTION, **record}
    fake_post = f"at://{bluesky.DID}/{COLLECTION}/3kpost00000001"
    link = f"see {LINK}".encode()
    fake_first = fake_appview.reply(fake_post, f"see {LINK}", facets=[{
        "index": {"byteStart": link.index(b"https"), "byteEnd": len(link)},
        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": LINK}]}])
    fake_appview.reply(fake_first, "and more")
    fake_appview.reply(fake_post, "quiet", handle="shy.test", labels=(OPTED_OUT,))
    for nsid, params, fake_params in (
            ("getPosts", {"uris": [post["uri"]]}, {"uris": [fake_post]}),
            ("getPostThread", {"uri": post["uri"], "depth": 10, "parentHeight": 0},
             {"uri": fake_post, "depth": 10, "parentHeight": 0})):
        status, real = ask(network.appview_url, nsid, params)
        fake_status, fake = ask(fake_appview.base_url, nsid, fake_params)
        assert status == fake_status == 200
        assert shape(fake) - shape(real) == set(), nsid
