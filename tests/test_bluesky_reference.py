"""Bluesky on its reference implementation: promote posts to the real PDS of ``@atproto/pds``.

The PDS (with an in-memory PLC directory, as ``@atproto/dev-env`` starts them) runs once per
session from ``tests/reference/bluesky``; each test gets a new account and logs in with an app
password made by ``com.atproto.server.createAppPassword``. What we check is what the PDS itself
stored and answered (``getRecord``, ``listRecords``, ``getBlob``), not what our fake would accept;
and the fake (tests/fakes/bluesky.py, for the fast tests) must refuse what the PDS refuses, with
the same status, error and message. Not installed is a failure with the command to run, never a
skip: CI runs these.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from self_promoting_blog.promote.adapters.atproto import new_tid
from tests.bluesky_reference import COLLECTION, Account, ReferenceNetwork, missing_install
from tests.fakes import bluesky
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.server import Hang
from tests.fakes.site import FakeSite, card_png
from tests.fakes.world import NEW, World

TITLE = "Café crème à Zürich ☕ 東京の朝 📈"  # bytes ≠ characters ≠ graphemes
TAGS = ["café culture", "東京"]
TOKEN_LIFETIME = 2 * 3600  # the PDS's access tokens live 120 minutes (createAccessToken)


@pytest.fixture(scope="session")
def reference_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReferenceNetwork]:
    """The reference PDS behind its proxy, for the whole session; fails when not installed."""
    problem = missing_install()
    if problem:
        pytest.fail(problem, pytrace=False)
    yield from ReferenceNetwork.serve(tmp_path_factory.mktemp("bluesky-pds"))


@pytest.fixture
def network(reference_network: ReferenceNetwork) -> Iterator[ReferenceNetwork]:
    """The session's network, its proxy's requests and held requests cleared after each test."""
    yield reference_network
    proxy = reference_network.proxy
    proxy.release("drop")
    assert proxy.settled()
    proxy.reset()


class ReferenceWorld(World):
    """A blog whose only network is an account on the reference PDS."""

    def __init__(self, tmp_path: Path, site: FakeSite, network: ReferenceNetwork) -> None:
        super().__init__(tmp_path, site, ["bluesky"], lambda _: network.proxy)
        self.network = network
        self.account: Account = network.pds.create_account()

    def env(self) -> dict[str, str]:
        """The account's handle and app password; the service URL is the PDS's public one."""
        return {"BLUESKY_HANDLE": self.account.handle,
                "BLUESKY_APP_PASSWORD": self.account.app_password,
                "BLUESKY_SERVICE_URL": self.network.proxy.base_url}

    def posts(self, network: str = "bluesky") -> list[dict[str, Any]]:
        """The posts in the account's repository, as listRecords gives them."""
        return self.network.pds.records(self.account)


@pytest.fixture
def world(tmp_path: Path, fake_site: FakeSite, network: ReferenceNetwork) -> ReferenceWorld:
    """A new account and a blog past its first (baseline) run."""
    world = ReferenceWorld(tmp_path, fake_site, network)
    world.baseline()
    return world


def shows_link(shown: str, url: str) -> bool:
    """Whether a post may show `url` as `shown`: the URL itself, or its display form (host and
    path, cut with an ellipsis when long, as Bluesky's app shows links)."""
    bare = url.split("://", 1)[1]
    for ellipsis in ("…", "..."):
        if shown.endswith(ellipsis) and bare.startswith(shown.removesuffix(ellipsis)):
            return True
    return shown in (url, bare, bare.split("?", 1)[0])


def covered(text: str, facet: dict[str, Any]) -> str:
    """The part of `text` a facet's UTF-8 byte range covers."""
    index = facet["index"]
    return text.encode("utf-8")[index["byteStart"]:index["byteEnd"]].decode("utf-8", "replace")


def rkey_of(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def issued_tokens(world: ReferenceWorld) -> list[str]:
    """Every token the PDS handed promote."""
    return [body[key] for nsid in ("createSession", "refreshSession")
            for status, body in world.network.proxy.answered(f"com.atproto.server.{nsid}")
            if status == 200 for key in ("accessJwt", "refreshJwt")]


def assert_no_secret_written(world: ReferenceWorld, output: str) -> None:
    """Neither the app password nor any token is in promote's output or its ledger folder."""
    secrets = [world.account.app_password, world.account.password, *issued_tokens(world)]
    files = [p.read_bytes() for p in (world.root / ".promote").rglob("*") if p.is_file()]
    for secret in secrets:
        assert secret not in output
        assert not any(secret.encode() in data for data in files)


def article_url(world: ReferenceWorld, slug: str) -> str:
    return (f"{world.site.base_url}/articles/{slug}/?utm_source=bluesky&utm_medium=social"
            f"&utm_campaign={slug}")


# -- the post as the PDS validated and stored it ----------------------------------------------


def test_the_announcement_is_a_valid_post_that_reads_back(world):
    world.article("cafe", title=TITLE, date=NEW, tags=TAGS)
    run = world.promote()
    assert run.code == 0, run.output
    proxy = world.network.proxy
    [login] = proxy.requests_to("createSession")
    assert login.json == {"identifier": world.account.handle,
                          "password": world.account.app_password}
    [(status, session)] = proxy.answered("com.atproto.server.createSession")
    assert status == 200 and jwt_claims(session["accessJwt"])["scope"] == "com.atproto.appPass"
    [pds] = [s for s in session["didDoc"]["service"] if s["id"] == "#atproto_pds"]
    assert pds["serviceEndpoint"] == proxy.base_url  # followed: every call below came through
    [create] = proxy.requests_to("createRecord")
    assert "validate" not in create.json  # the PDS validates against the lexicon
    [(status, created)] = proxy.answered("com.atproto.repo.createRecord")
    assert status == 200 and created["validationStatus"] == "valid", created
    [stored] = world.posts()
    assert stored["uri"] == created["uri"] == \
        f"at://{world.account.did}/{COLLECTION}/{create.json['rkey']}"
    assert world.network.pds.record(world.account, create.json["rkey"]) == stored
    post = stored["value"]
    assert post == create.json["record"]
    assert post["$type"] == COLLECTION and TITLE in post["text"]
    row = world.row("bluesky", "cafe")
    assert row.state == "posted" and row.post_url == \
        f"https://bsky.app/profile/{world.account.handle}/post/{create.json['rkey']}"
    assert_no_secret_written(world, run.output)


def test_a_long_follow_up_is_a_thread_whose_reply_refs_the_pds_stores(world):
    long_text = " ".join(f"Point {n}: owned channels compound while rented reach decays."
                         for n in range(1, 9))  # ~500 graphemes: two or three posts
    world.overrides = {"PROMOTE_FOLLOW_UPS": [{"after_days": 0.00001}]}  # due a second later
    world.article("cafe", title=TITLE, date=NEW, tags=TAGS, followups=[long_text])
    assert world.promote().code == 0
    time.sleep(1)
    run = world.promote()
    assert run.code == 0, run.output
    [(status, announced), *parts] = world.network.proxy.answered("com.atproto.repo.createRecord")
    assert status == 200 and len(parts) >= 2 and all(status == 200 for status, _ in parts)
    stored = {record["uri"]: record for record in world.posts()}
    first = stored[parts[0][1]["uri"]]
    assert "reply" not in first["value"] and first["value"]["embed"]["external"]["uri"] == \
        article_url(world, "cafe") + "&utm_content=followup-1"
    root = {"uri": first["uri"], "cid": first["cid"]}
    for (_, before), (_, after) in zip(parts, parts[1:], strict=False):
        record = stored[after["uri"]]["value"]
        assert record["reply"] == {"root": root, "parent": {"uri": before["uri"],
                                                            "cid": before["cid"]}}
        assert "embed" not in record
    assert announced["uri"] not in {ref["uri"] for _, part in parts[1:]
                                    for ref in stored[part["uri"]]["value"]["reply"].values()}
    words = " ".join(stored[part["uri"]]["value"]["text"] for _, part in parts).split()
    assert [w for w in words if not shows_link(w, article_url(world, "cafe") +
                                                "&utm_content=followup-1")] == long_text.split()


def test_facets_cover_what_they_claim_in_utf8_bytes(world):
    world.article("cafe", title=TITLE, date=NEW, tags=TAGS)
    assert world.promote().code == 0
    [stored] = world.posts()
    text, facets = stored["value"]["text"], stored["value"]["facets"]
    assert len(text.encode("utf-8")) > len(text)  # byte and character offsets differ here
    links = [f for f in facets if f["features"][0]["$type"] == "app.bsky.richtext.facet#link"]
    tags = [f for f in facets if f["features"][0]["$type"] == "app.bsky.richtext.facet#tag"]
    [link] = links
    assert link["features"][0]["uri"] == article_url(world, "cafe")
    assert shows_link(covered(text, link), article_url(world, "cafe")), covered(text, link)
    assert [f["features"][0]["tag"] for f in tags] == ["CaféCulture", "東京"]
    for facet in tags:
        assert covered(text, facet) == "#" + facet["features"][0]["tag"]


def test_the_card_thumbnail_is_an_uploaded_blob(world):
    world.article("cafe", title=TITLE, date=NEW, tags=TAGS)
    assert world.promote().code == 0
    [stored] = world.posts()
    external = stored["value"]["embed"]["external"]
    assert stored["value"]["embed"]["$type"] == "app.bsky.embed.external"
    assert (external["uri"], external["title"]) == (article_url(world, "cafe"), TITLE)
    thumb = external["thumb"]
    assert thumb["$type"] == "blob" and thumb["mimeType"] == "image/png"
    assert thumb["size"] == len(card_png())
    assert world.network.pds.blob(world.account, thumb["ref"]["$link"]) == card_png()


# -- a run killed while createRecord is out ---------------------------------------------------


def kill_while_creating(world: ReferenceWorld, hang: Hang) -> None:
    """Start promote in a child process; kill it (SIGKILL) while the proxy holds createRecord
    as `hang` says: before it reaches the PDS, or after the PDS answered."""
    proxy = world.network.proxy
    proxy.script(hang, path="createRecord", method="POST")
    child = world.spawn()
    try:
        assert proxy.hung.wait(60), child.communicate(timeout=5)[0]
        assert world.states("bluesky")["breaking"] == "sending"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()


@pytest.mark.parametrize("landed", [True, False], ids=["answer-lost", "request-lost"])
def test_a_run_killed_during_createrecord_resumes_to_exactly_one_post(world, landed):
    world.article("breaking", date=NEW)
    kill_while_creating(world, Hang(handled=landed))
    proxy = world.network.proxy
    proxy.release("drop")
    assert proxy.settled()
    assert len(world.posts()) == (1 if landed else 0)
    run = world.promote()
    assert run.code == 0, run.output
    [stored] = world.posts()
    creates = [r.json for r in proxy.requests_to("createRecord")]
    assert len(creates) == (1 if landed else 2)  # resent only when getRecord found nothing
    assert [r.query["rkey"] for r in proxy.requests_to("getRecord")] == [[creates[0]["rkey"]]]
    assert len({c["rkey"] for c in creates}) == len(creates)  # never the same key twice
    assert {c["swapCommit"] for c in creates} == {creates[0]["swapCommit"]}
    assert rkey_of(stored["uri"]) == creates[-1]["rkey"]
    assert world.row("bluesky", "breaking").post_url.endswith(rkey_of(stored["uri"]))


def test_the_killed_runs_request_landing_after_the_rerun_is_refused_by_swapcommit(world):
    world.article("breaking", date=NEW)
    kill_while_creating(world, Hang())  # the proxy still holds it, unsent
    proxy = world.network.proxy
    assert world.promote().code == 0
    proxy.release("answer")  # ... and only now forwards it to the PDS
    assert proxy.settled()
    killed, rerun = (r.json for r in proxy.requests_to("createRecord"))
    assert killed["swapCommit"] == rerun["swapCommit"] and killed["rkey"] != rerun["rkey"]
    assert [(s, b.get("error")) for s, b in proxy.answered("com.atproto.repo.createRecord")] == \
        [(200, None), (400, "InvalidSwap")]  # the rerun's, then the late one's
    assert len(world.posts()) == 1 and world.states("bluesky")["breaking"] == "posted"


# -- sessions: expired, revoked -----------------------------------------------------------------


def test_an_expired_access_token_is_refreshed(world):
    world.article("later", date=NEW)
    proxy = world.network.proxy
    proxy.script(Hang(), path="uploadBlob")  # logged in; hold the next call ...
    child = world.spawn()
    try:
        assert proxy.hung.wait(60), child.communicate(timeout=5)[0]
        world.network.pds.advance_clock(TOKEN_LIFETIME + 60)  # ... until its token expired
        proxy.release("answer")
        output = child.communicate(timeout=60)[0]
    finally:
        child.kill()
    assert child.returncode == 0, output
    assert [(s, b.get("error")) for s, b in proxy.answered("com.atproto.repo.uploadBlob")] == \
        [(400, "ExpiredToken"), (200, None)]
    assert [s for s, _ in proxy.answered("com.atproto.server.refreshSession")] == [200]
    assert len(world.posts()) == 1 and world.states("bluesky")["later"] == "posted"
    assert_no_secret_written(world, output)


def test_a_revoked_app_password_is_named_with_the_fix_and_nothing_is_posted(world):
    world.network.pds.revoke_app_password(world.account)
    world.article("after-revoke", date=NEW)
    run = world.promote()
    assert run.code == 1
    folded = " ".join(run.output.split())
    assert (f"Invalid identifier or password (handle {world.account.handle}); to replace the "
            "app password: Settings › Privacy and security › App passwords › Add App Password. "
            "(check BLUESKY_APP_PASSWORD)") in folded, folded
    assert world.posts() == [] and world.states("bluesky")["after-revoke"] == "failed"
    assert_no_secret_written(world, run.output)


def test_an_app_password_revoked_while_its_token_expires_is_named_not_retried(world):
    world.article("mid-run", date=NEW)
    proxy = world.network.proxy
    proxy.script(Hang(), path="uploadBlob")
    child = world.spawn()
    try:
        assert proxy.hung.wait(60), child.communicate(timeout=5)[0]
        world.network.pds.revoke_app_password(world.account)
        world.network.pds.advance_clock(TOKEN_LIFETIME + 60)
        proxy.release("answer")
        output = child.communicate(timeout=60)[0]
    finally:
        child.kill()
    folded = " ".join(output.split())
    assert child.returncode == 1 and "check BLUESKY_APP_PASSWORD" in folded, folded
    assert [(s, b["error"]) for s, b in proxy.answered("com.atproto.server.refreshSession")] == \
        [(400, "ExpiredToken")]  # "Token has been revoked": then a new login names the cause
    assert [s for s, _ in proxy.answered("com.atproto.server.createSession")] == [200, 401]
    assert world.posts() == [] and world.states("bluesky")["mid-run"] == "failed"
    assert_no_secret_written(world, output)


# -- the fake answers as the reference PDS does -------------------------------------------------


@dataclass
class Side:
    """One server as a request sees it: its URL, an account on it and a session's token."""

    url: str
    handle: str
    did: str
    access: str

    def call(self, method: str, nsid: str, auth: bool = True, **kwargs: Any) -> Any:
        headers = {**kwargs.pop("headers", {}),
                   **({"Authorization": f"Bearer {self.access}"} if auth else {})}
        with requests.Session() as session:
            session.trust_env = False
            return session.request(method, f"{self.url}/xrpc/{nsid}", headers=headers,
                                   timeout=30, **kwargs)

    def create(self, rkey: str | None = None, swap: str | None = None, **record: Any) -> Any:
        """createRecord of a post with `record`'s fields over a valid minimal one."""
        body = {"repo": self.did, "collection": COLLECTION, "rkey": rkey or new_tid(),
                "record": {"$type": COLLECTION, "text": "x", "createdAt": "2026-01-01T00:00:00Z",
                           **record}}
        if swap:
            body["swapCommit"] = swap
        return self.call("POST", "com.atproto.repo.createRecord", json=body)


def _thumb(**fields: Any) -> dict[str, Any]:
    blob = {"$type": "blob", "ref": {"$link": EMPTY_BLOB}, "mimeType": "image/png", "size": 10,
            **fields}
    return {"$type": "app.bsky.embed.external",
            "external": {"uri": "https://blog.example/", "title": "t", "description": "",
                         "thumb": blob}}


def _stale_swap(side: Side) -> Any:
    head = side.call("GET", "com.atproto.sync.getLatestCommit", params={"did": side.did})
    assert side.create().status_code == 200
    return side.create(swap=head.json()["cid"])


def _taken_rkey(side: Side) -> Any:
    rkey = new_tid()
    assert side.create(rkey).status_code == 200
    return side.create(rkey)


UNSIGNED_TOKEN = ".".join(base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
                          for part in ({"typ": "at+jwt", "alg": "HS256"},
                                       {"scope": "com.atproto.appPass", "sub": "did:plc:nobody",
                                        "aud": "did:web:localhost", "exp": 4102444800})) + ".c2ln"
EMPTY_BLOB = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"  # never uploaded
REFUSALS = {
    "wrong password": lambda s: s.call("POST", "com.atproto.server.createSession", False, json={
        "identifier": s.handle, "password": "aaaa-bbbb-cccc-dddd"}),
    "no token": lambda s: s.call("POST", "com.atproto.repo.uploadBlob", False,
                                 headers={"Content-Type": "image/png"}, data=b"png"),
    "a token it did not sign": lambda s: s.call(
        "POST", "com.atproto.repo.uploadBlob", False, data=b"png",
        headers={"Content-Type": "image/png", "Authorization": f"Bearer {UNSIGNED_TOKEN}"}),
    "upload without a type": lambda s: s.call("POST", "com.atproto.repo.uploadBlob", data=b"x"),
    "GET a procedure": lambda s: s.call("GET", "com.atproto.repo.createRecord"),
    "record key not a TID": lambda s: s.create("self"),
    "301 graphemes": lambda s: s.create(text="é" * 301),
    "3001 bytes": lambda s: s.create(text="日本" * 500 + "x"),
    "createdAt without a timezone": lambda s: s.create(createdAt="2026-01-01T00:00:00"),
    "thumb not an image": lambda s: s.create(embed=_thumb(mimeType="text/plain")),
    "thumb over 1,000,000 bytes": lambda s: s.create(embed=_thumb(size=1_000_001)),
    "thumb never uploaded": lambda s: s.create(embed=_thumb()),
    "stale swapCommit": _stale_swap,
    "record key taken": _taken_rkey,
    "getRecord of no record": lambda s: s.call("GET", "com.atproto.repo.getRecord", params={
        "repo": s.did, "collection": COLLECTION, "rkey": "3jzfcijpj2z2a"}),
    "getLatestCommit of a handle": lambda s: s.call(
        "GET", "com.atproto.sync.getLatestCommit", params={"did": s.handle}),
}


def _refusal(side: Side, answer: Any) -> tuple[int, str, str]:
    """Status, error name and message, with what names this account or a commit made neutral."""
    body = answer.json()
    message = body["message"].replace(side.did, "<did>").replace(side.handle, "<handle>")
    return answer.status_code, body["error"], re.sub(r"\bbafy\w+", "<cid>", message)


@pytest.fixture(scope="module")
def sides(reference_network: ReferenceNetwork) -> Iterator[tuple[Side, Side]]:
    """An account on the fake and one on the reference PDS, each logged in."""
    account = reference_network.pds.create_account()
    with FakeBluesky() as fake_pds:
        real = Side(reference_network.pds.url, account.handle, account.did, "")
        fake = Side(fake_pds.base_url, bluesky.HANDLE, bluesky.DID, "")
        for side, password in ((real, account.app_password), (fake, bluesky.PASSWORD)):
            side.access = side.call("POST", "com.atproto.server.createSession", False, json={
                "identifier": side.handle, "password": password}).json()["accessJwt"]
        yield fake, real


@pytest.mark.parametrize("case", REFUSALS)
def test_the_fake_refuses_as_the_reference_pds_does(sides, case):
    fake, real = sides
    assert _refusal(fake, REFUSALS[case](fake)) == _refusal(real, REFUSALS[case](real))
