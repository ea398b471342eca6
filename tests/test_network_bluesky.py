"""Bluesky against a strict fake PDS: session, blob, record with byte-exact facets, errors."""

from __future__ import annotations

import threading

import pytest
import regex

from tests.fakes import bluesky
from tests.fakes.server import Delay, Drop, Hang, Reply
from tests.fakes.site import card_png
from tests.fakes.world import NEW

FAMILY = "\U0001F469\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"


pytestmark = pytest.mark.network("bluesky")


def calls(world, nsid):
    return world.fakes["bluesky"].requests_to(nsid)


def byte_span(text: str, part: str) -> dict[str, int]:
    """Where `part` sits in `text`, in UTF-8 bytes (computed independently of the adapter)."""
    data, needle = text.encode("utf-8"), part.encode("utf-8")
    start = data.index(needle)
    return {"byteStart": start, "byteEnd": start + len(needle)}


def test_the_exact_session_blob_and_record(world):
    world.article("exact", title="Exact", date=NEW, tags=["social media", "SEO"])
    assert world.promote().code == 0
    [session] = calls(world, "createSession")
    assert session.json == {"identifier": bluesky.HANDLE, "password": bluesky.PASSWORD}
    [blob] = calls(world, "uploadBlob")
    assert blob.header("Content-Type") == "image/png" and blob.body == card_png()
    [create] = calls(world, "createRecord")
    body = create.json
    assert create.header("Authorization").startswith("Bearer ey")
    assert (body["repo"], body["collection"]) == (bluesky.DID, "app.bsky.feed.post")
    assert bluesky.TID_RE.match(body["rkey"])
    record = body["record"]
    link = f"{world.site.base_url}/articles/exact/?utm_source=bluesky&utm_medium=social" \
           "&utm_campaign=exact"
    shown = f"{host(world)}/articles/exa..."  # as Bluesky's app shows a link
    assert record["text"] == f"Exact\n\nWhat exact means for your reach.\n\n{shown}\n\n" \
                             "#SocialMedia #SEO"
    assert record["langs"] == ["en"] and record["createdAt"].endswith("Z")
    assert record["facets"] == [
        {"index": byte_span(record["text"], shown),
         "features": [{"$type": "app.bsky.richtext.facet#link", "uri": link}]},
        {"index": byte_span(record["text"], "#SocialMedia"),
         "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "SocialMedia"}]},
        {"index": byte_span(record["text"], "#SEO"),
         "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "SEO"}]}]
    assert record["embed"] == {"$type": "app.bsky.embed.external", "external": {
        "uri": link, "title": "Exact", "description": "What exact means for your reach.",
        "thumb": blob_ref(world)}}
    post_url = world.ledger().rows("bluesky")[-1].post_url
    assert post_url == f"https://bsky.app/profile/{bluesky.HANDLE}/post/{body['rkey']}"


def host(world):
    return world.site.base_url.removeprefix("http://")


def blob_ref(world):
    [blob] = world.fakes["bluesky"].blobs.values()
    return blob


def test_facets_are_byte_exact_after_emoji_cjk_and_combining_marks(world):
    title = f"{FAMILY} 日本語 cafe\u0301 #Reach"
    world.article("wide", title=title, date=NEW, summary="Ünïcödé", tags=["große Zahlen"])
    assert world.promote().code == 0
    record = world.posts("bluesky")[0]
    text = record["text"]
    shown = f"{host(world)}/articles/wid..."
    assert [f["index"] for f in record["facets"]] == [
        byte_span(text, "#Reach"), byte_span(text, shown), byte_span(text, "#GroßeZahlen")]
    covered = [text.encode()[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode()
               for f in record["facets"]]
    assert covered == ["#Reach", shown, "#GroßeZahlen"]
    assert [f["features"][0].get("tag") for f in record["facets"]] == ["Reach", None, "GroßeZahlen"]
    assert record["facets"][1]["features"][0]["uri"].endswith("/articles/wide/?utm_source="
                                                               "bluesky&utm_medium=social"
                                                               "&utm_campaign=wide")


def test_a_typical_article_is_posted_with_its_whole_summary(world):
    slug = "why-earned-reach-beats-paid-ads-for-small-b2b-marketing-teams"
    summary = ("Paid ads stop the day the budget does. Earned reach compounds: every share "
               "brings readers who share again. Here is how a three-person team built it, and "
               "the numbers behind it.")
    world.article(slug, title="Why earned reach beats paid ads for small B2B marketing teams",
                  date=NEW, summary=summary, tags=["growth"])
    assert world.promote().code == 0
    [record] = world.posts("bluesky")
    assert f"\n\n{summary}\n\n{host(world)}/articles/why...\n\n#Growth" in record["text"]
    link = [f["features"][0]["uri"] for f in record["facets"] if "uri" in f["features"][0]]
    assert link == [f"{world.site.base_url}/articles/{slug}/?utm_source=bluesky"
                    f"&utm_medium=social&utm_campaign={slug}"]
    assert record["embed"]["external"]["uri"] == link[0]


def test_a_url_the_writer_typed_links_to_itself_in_full(world):
    world.article("sources", date=NEW, social_by_network={
        "bluesky": "Read {url} (data: https://example.org/reach-2024)"})
    assert world.promote().code == 0
    record = world.posts("bluesky")[0]
    shown = f"{host(world)}/articles/sou..."
    assert record["text"] == f"Read {shown} (data: https://example.org/reach-2024)"
    assert [(f["index"], f["features"][0]["uri"]) for f in record["facets"]] == [
        (byte_span(record["text"], shown), f"{world.site.base_url}/articles/sources/"
                                           "?utm_source=bluesky&utm_medium=social"
                                           "&utm_campaign=sources"),
        (byte_span(record["text"], "https://example.org/reach-2024"),
         "https://example.org/reach-2024")]


def facet(start, end, uri="https://blog.example/a/"):
    return {"index": {"byteStart": start, "byteEnd": end},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}]}


@pytest.mark.parametrize("facets, problem", [
    ([facet(0, 8)], None),                          # covering text other than the URI is fine
    ([facet(0, 40)], "outside the text"),
    ([facet(4, 3)], "outside the text"),
    ([facet(10, 13)], "cuts a UTF-8 character"),   # ends inside "é"
    ([facet(16, 19)], "cuts a UTF-8 character"),   # starts inside the emoji
    ([facet(0, 8), facet(6, 9)], "facets overlap"),
    ([facet(0, 8, "blog.example/a")], "invalid uri"),
    ([{"index": {"byteStart": 0, "byteEnd": 8}, "features": []}], "has no features")])
def test_the_fake_refuses_facets_a_client_could_not_render(facets, problem):
    text = "blog.exa caf\u00e9 \U0001F4E3"  # é is bytes 12-13, the emoji 15-18 of 19
    record = {"$type": bluesky.COLLECTION, "text": text, "createdAt": "2024-06-01T07:00:00Z",
              "facets": facets}
    found = bluesky.check_post(record)
    assert (found is None) if problem is None else (problem in found)


def test_300_graphemes_counted_the_bluesky_way(world):
    world.article("long", title=" ".join([FAMILY + "x"] * 200), date=NEW, summary="s " * 200)
    assert world.promote().code == 0, world.promote().output
    text = world.posts("bluesky")[0]["text"]
    assert len(regex.findall(r"\X", text)) <= 300 < len(text)


def test_429_waits_for_the_epoch_reset(world):
    world.fakes["bluesky"].script(bluesky.rate_limited(reset_in=1), path="createRecord")
    world.article("throttled", date=NEW)
    assert world.promote().code == 0
    assert len(calls(world, "createRecord")) == 2 and len(world.posts("bluesky")) == 1


def test_a_wrong_app_password_names_the_variable_and_is_not_retried(world, monkeypatch):
    env = world.env
    monkeypatch.setattr(world, "env", lambda: {**env(), "BLUESKY_APP_PASSWORD": "wrong-pass"})
    world.article("denied", date=NEW)
    run = world.promote()
    assert run.code == 1
    assert ("AuthenticationRequired: Invalid identifier or password (handle blog.test); to "
            "replace the app password: Settings › Privacy and security › App passwords › Add App "
            "Password. (check BLUESKY_APP_PASSWORD)") in " ".join(run.output.split())
    assert len(calls(world, "createSession")) == 1  # no retry
    assert not calls(world, "createRecord")


def test_an_expired_access_token_is_refreshed(world):
    world.fakes["bluesky"].expire_tokens()
    world.article("first", date=NEW)
    assert world.promote().code == 0  # a fresh session: createSession again
    world.article("second", date="2024-06-02T09:00:00+02:00")
    fake = world.fakes["bluesky"]
    fake.script(Reply(400, {"error": "ExpiredToken", "message": "Token has expired"}),
                path="createRecord")
    assert world.promote().code == 0
    assert len(calls(world, "refreshSession")) == 1 and len(world.posts("bluesky")) == 2


def test_an_app_password_revoked_mid_run_is_named_once_the_token_expires(world):
    fake = world.fakes["bluesky"]
    fake.script(Hang(), path="uploadBlob")
    world.article("revoked", date=NEW)
    runs = []
    promote = threading.Thread(target=lambda: runs.append(world.promote()))
    promote.start()
    assert fake.hung.wait(10)
    fake.revoke_app_password()
    fake.expire_tokens()
    fake.release()
    promote.join(30)
    [run] = runs
    assert run.code == 1 and "check BLUESKY_APP_PASSWORD" in " ".join(run.output.split())
    # refused refresh ("Token has been revoked"), then one login that names the cause
    assert len(calls(world, "refreshSession")) == 1 and len(calls(world, "createSession")) == 2
    assert not world.posts("bluesky") and world.states("bluesky")["revoked"] == "failed"


@pytest.mark.parametrize("fault, creates", [
    (Reply(500, {"error": "InternalServerError", "message": "Internal Server Error"}), 2),
    (Delay(1.5), 2), (Drop(), 2), (Drop(process=True), 1)])
def test_faults_are_resolved_with_getrecord_never_a_reused_key(world, fault, creates):
    world.overrides["PROMOTE_READ_TIMEOUT"] = 0.5
    fake = world.fakes["bluesky"]
    fake.script(fault, path="createRecord")
    world.article("flaky", date=NEW)
    run = world.promote()
    assert run.code == 0, run.output
    assert fake.settled()  # the slow request, too, has been dealt with by now
    assert len(world.posts("bluesky")) == 1 and world.states("bluesky")["flaky"] == "posted"
    sent = calls(world, "createRecord")
    rkeys = [r.json["rkey"] for r in sent]
    assert len(rkeys) == creates and len(set(rkeys)) == creates
    assert len({r.json["swapCommit"] for r in sent}) == 1  # a late first try cannot land
    assert [r.query["rkey"][0] for r in calls(world, "getRecord")] == rkeys[:1]


def test_another_post_on_the_account_meanwhile_is_not_a_reason_to_give_up(world):
    fake = world.fakes["bluesky"]
    fake.script(Reply(400, {"error": "InvalidSwap", "message": "Commit was at bafyreiother"}),
                path="createRecord")
    world.article("busy-account", date=NEW)
    assert world.promote().code == 0
    assert len(world.posts("bluesky")) == 1 and len(calls(world, "getLatestCommit")) == 2


def test_a_missing_card_image_is_retried_then_reported_not_posted_without(world):
    world.article("no-card", date=NEW)
    world.site.files.pop("/cards/no-card.png")
    run = world.promote()
    assert run.code == 1
    assert "the card image" in run.output and "answered 404" in run.output
    assert not world.posts("bluesky") and world.states("bluesky")["no-card"] == "failed"
