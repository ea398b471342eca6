"""FakeBluesky: a PDS's XRPC endpoints for posting, strictly (sessions, TIDs, facets, blobs).

Its answers are those of Bluesky's reference PDS (@atproto/pds 0.5): status, error name and
message, compared side by side by tests/test_bluesky_reference.py.
Beyond the PDS's checks, which validate a facet's shape only, it checks that every facet's byte
range is inside the text, on UTF-8 character boundaries, and does not overlap another (see
``_check_facets``): the real PDS stores such a post and the app shows a broken link; here it is a
400, so every test checks our offsets. Likewise a reply (``record.reply``, the lexicon's
``replyRef``: ``root`` and ``parent``, each a strongRef ``{uri, cid}``) must name posts of this
repository that exist, by their current cid, with ``root`` the parent's own root (or the parent,
when it starts the thread): the reference PDS checks only the refs' shape (it runs in
tests/test_bluesky_reference.py), and the app shows a reply to a missing post as "not found".

It is the AppView too (``BLUESKY_APPVIEW_URL``), for ``app.bsky.feed.getPosts``: a query with no
login, at most 25 ``uris`` (the lexicon's maxLength; more is 400 InvalidRequest), answering a
post view with ``likeCount``, ``repostCount``, ``replyCount`` and ``quoteCount`` for each post
that exists and leaving deleted ones out (app.bsky.feed.getPosts lexicon). And
``app.bsky.feed.getPostThread`` (lexicon: ``uri`` required, ``depth`` 0–1000 default 6,
``parentHeight`` 0–1000 default 80; a missing post is 400 ``NotFound``): a ``threadViewPost`` whose
``replies`` nest down to ``depth`` levels; a deleted reply is left out with everything under it,
and its parent's ``replyCount`` goes down (``delete_reply``); each author's ``labels`` as the
AppView sets them, a self-label from the author's profile record included
(``!no-unauthenticated``: the account asked not to be shown to logged-out readers; the AppView
still gives its replies to a logged-out reader, labelled). All of this, and the refusals' status,
error and message, are as Bluesky's reference AppView (@atproto/bsky, in dev-env's TestNetwork)
answers, compared side by side by tests/test_bluesky_network.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import datetime
from typing import Any

import regex

from tests.fakes.server import NetworkFake, Recorded, Reply

HANDLE = "blog.test"
PASSWORD = "abcd-efgh-ijkl-mnop"
DID = "did:plc:testblog7f3k2"
COLLECTION = "app.bsky.feed.post"
BLOB_UPLOAD_LIMIT = 5 * 1024 * 1024  # the PDS's default blobUploadLimit
TID_RE = regex.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
# The lexicon's `uri` string format (bluesky-social/atproto, packages/lexicon validators/formats)
URI_RE = regex.compile(r"^[A-Za-z0-9_]+:(?://)?[^\s/][^\s]*$")


def _jwt(refresh: bool, serial: int) -> str:
    """A token shaped as the PDS makes them for an app-password session: HS256, access tokens
    living 120 minutes, refresh tokens 90 days (account-manager/helpers/auth.ts)."""
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    now = int(time.time())
    claims = {"scope": "com.atproto.refresh", "jti": f"refresh{serial}",
              "exp": now + 90 * 86400} if refresh else \
        {"scope": "com.atproto.appPass", "exp": now + 7200}
    header = {"typ": "refresh+jwt" if refresh else "at+jwt", "alg": "HS256"}
    payload = {**claims, "aud": "did:web:pds.test", "sub": DID, "iat": now}
    return f"{part(header)}.{part(payload)}.c2lnbmF0dXJl{serial}"


def rate_limited(reset_in: int = 1) -> Reply:
    """Bluesky's 429: RateLimitExceeded with an epoch RateLimit-Reset."""
    return Reply(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                 {"RateLimit-Limit": "5000", "RateLimit-Remaining": "0",
                  "RateLimit-Reset": str(int(time.time()) + reset_in),
                  "RateLimit-Policy": "5000;w=3600"})


def _error(status: int, name: str, message: str) -> Reply:
    return Reply(status, {"error": name, "message": message})


def _invalid(nsid: str, problem: str) -> Reply:
    """The AppView's refusal of a query's parameters."""
    return _error(400, "InvalidRequest", f"Invalid {nsid} params: {problem}")


class FakeBluesky(NetworkFake):
    """One account on one PDS."""

    def __init__(self) -> None:
        super().__init__()
        self.records: dict[str, dict[str, Any]] = {}     # rkey -> record
        self.blobs: dict[str, dict[str, Any]] = {}
        self.access: set[str] = set()
        self.refresh: set[str] = set()
        self.expired: set[str] = set()
        self.revoked = False  # the app password (and its sessions' refresh tokens)
        self.head = "bafyreihead0"  # the repository's latest commit; each write moves it
        self.counts: dict[str, dict[str, int]] = {}  # rkey -> likeCount, repostCount, …
        self.replies: dict[str, list[dict[str, Any]]] = {}  # parent uri -> reply nodes
        self._serial = 0

    def env(self) -> dict[str, str]:
        """The BLUESKY_* variables that reach this fake."""
        return {"BLUESKY_HANDLE": HANDLE, "BLUESKY_APP_PASSWORD": PASSWORD,
                "BLUESKY_SERVICE_URL": self.base_url, "BLUESKY_APPVIEW_URL": self.base_url}

    def posts(self) -> list[dict[str, Any]]:
        """The post records created, oldest first."""
        return list(self.records.values())

    def expire_tokens(self) -> None:
        """Make every access token issued so far answer ExpiredToken."""
        with self.lock:
            self.expired |= self.access

    def revoke_app_password(self) -> None:
        """As com.atproto.server.revokeAppPassword: no new session, no refresh; issued access
        tokens keep working until they expire."""
        with self.lock:
            self.revoked = True
            self.refresh.clear()

    def handle(self, request: Recorded) -> Reply:
        """Route XRPC calls."""
        nsid = request.path.removeprefix("/xrpc/")
        routes = {"com.atproto.server.createSession": self._create_session,
                  "com.atproto.server.refreshSession": self._refresh_session,
                  "com.atproto.repo.uploadBlob": self._upload_blob,
                  "com.atproto.repo.createRecord": self._create_record,
                  "com.atproto.repo.getRecord": self._get_record,
                  "com.atproto.sync.getLatestCommit": self._latest_commit,
                  "app.bsky.feed.getPosts": self._get_posts,
                  "app.bsky.feed.getPostThread": self._get_post_thread}
        if nsid not in routes:
            return _error(501, "MethodNotImplemented", "Method Not Implemented")
        procedure = nsid not in ("com.atproto.repo.getRecord", "com.atproto.sync.getLatestCommit",
                                 "app.bsky.feed.getPosts", "app.bsky.feed.getPostThread")
        expected = "POST" if procedure else "GET"
        if request.method != expected:
            return _error(400, "InvalidRequest",
                          f"Incorrect HTTP method ({request.method}) expected {expected}")
        return routes[nsid](request)

    def _tokens(self) -> dict[str, str]:
        self._serial += 1
        access, refresh = _jwt(False, self._serial), _jwt(True, self._serial)
        self.access.add(access)
        self.refresh.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": HANDLE, "did": DID}

    def _create_session(self, request: Recorded) -> Reply:
        body = request.json or {}
        if body.get("identifier") not in (HANDLE, DID) or body.get("password") != PASSWORD \
                or self.revoked:
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        with self.lock:
            return Reply(200, {**self._tokens(), "active": True})

    def _refresh_session(self, request: Recorded) -> Reply:
        token = (request.header("Authorization") or "").removeprefix("Bearer ")
        with self.lock:
            if self.revoked:
                return _error(400, "ExpiredToken", "Token has been revoked")
            if token not in self.refresh:  # rotated ones stay valid (the PDS: a grace period)
                return _error(400, "InvalidToken", "Token could not be verified")
            return Reply(200, self._tokens())

    def _auth(self, request: Recorded) -> Reply | None:
        token = (request.header("Authorization") or "").removeprefix("Bearer ")
        if not token:
            return _error(401, "AuthMissing", "Authentication Required")
        if token in self.expired:
            return _error(400, "ExpiredToken", "Token has expired")
        if token not in self.access:
            return _error(400, "InvalidToken", "Token could not be verified")
        return None

    def _upload_blob(self, request: Recorded) -> Reply:
        kind = request.header("Content-Type") or ""
        problem = self._auth(request)
        if problem:
            return problem
        if not kind:
            return _error(400, "InvalidRequest",
                          "Request encoding (Content-Type) required but not provided")
        if len(request.body) > BLOB_UPLOAD_LIMIT:  # any type: a thumbnail's are checked on use
            return _error(413, "PayloadTooLarge", "request entity too large")
        link = "bafkrei" + hashlib.sha256(request.body).hexdigest()[:52]
        blob = {"$type": "blob", "ref": {"$link": link}, "mimeType": kind,
                "size": len(request.body)}
        with self.lock:
            self.blobs[link] = blob
        return Reply(200, {"blob": blob})

    def _create_record(self, request: Recorded) -> Reply:
        body = request.json or {}
        problem = self._auth(request) or self._refuse(body)
        if problem:
            return problem
        rkey = body["rkey"]
        with self.lock:  # one repository transaction
            swap = body.get("swapCommit")
            if swap is not None and swap != self.head:
                return _error(400, "InvalidSwap", f"Commit was at {self.head}")
            if rkey in self.records:
                return _error(500, "InternalServerError", "Internal Server Error")
            self.records[rkey] = body["record"]
            self.head = "bafyreihead" + hashlib.sha256(rkey.encode()).hexdigest()[:40]
        return Reply(200, {"uri": f"at://{DID}/{COLLECTION}/{rkey}", "cid": record_cid(rkey),
                           "commit": {"cid": "bafyreicommit", "rev": rkey},
                           "validationStatus": "valid"})

    def _refuse(self, body: dict[str, Any]) -> Reply | None:
        """The PDS's answer to a createRecord it refuses, checked in its order: the account, the
        record's type, its key, the lexicon, then the blobs it references."""
        record, rkey = body.get("record"), body.get("rkey")
        if body.get("repo") not in (DID, HANDLE):
            return _error(403, "AccountNotFound", "Account not found")
        kind = record.get("$type") if isinstance(record, dict) else None
        if body.get("collection") != COLLECTION or kind != COLLECTION:
            return _error(400, "InvalidRequest",
                          f"Invalid $type: expected {body.get('collection')}, got {kind}")
        if not isinstance(rkey, str) or not TID_RE.match(rkey):
            return _error(400, "InvalidRequest", f"Invalid record key for {COLLECTION}: Invalid "
                                                 f"TID string (got {json.dumps(rkey)}) at $")
        invalid = check_post(record) or self._check_reply(record.get("reply"))
        if invalid:
            return _error(400, "InvalidRequest", f"Invalid app.bsky.feed.post record: {invalid}")
        thumb = ((record.get("embed") or {}).get("external") or {}).get("thumb")
        if thumb is None:
            return None
        stored = self.blobs.get(thumb["ref"]["$link"])
        if stored is None:
            return _error(400, "BlobNotFound", f"Could not find blob: {thumb['ref']['$link']}")
        if stored["mimeType"] != thumb["mimeType"]:
            return _error(400, "InvalidMimeType", "Referenced Mimetype does not match stored "
                          f"blob. Expected: {stored['mimeType']}, Got: {thumb['mimeType']}")
        return None

    def _check_reply(self, reply: Any) -> str | None:
        """What is wrong with a post's reply refs (see the module docstring), or None."""
        if reply is None:
            return None
        refs = {}
        for key in ("root", "parent"):
            ref = reply.get(key) if isinstance(reply, dict) else None
            if not isinstance(ref, dict) or not all(isinstance(ref.get(f), str)
                                                    for f in ("uri", "cid")):
                return f'Missing required key "{key}" (a strongRef: uri, cid) at $.record.reply'
            prefix = f"at://{DID}/{COLLECTION}/"
            rkey = ref["uri"].removeprefix(prefix)
            with self.lock:
                if not ref["uri"].startswith(prefix) or rkey not in self.records:
                    return f"reply {key} {ref['uri']} is not a post of this account"
            if ref["cid"] != record_cid(rkey):
                return f"reply {key} cid {ref['cid']} is not the post's cid {record_cid(rkey)}"
            refs[key] = ref
        parent = self.records[refs["parent"]["uri"].rsplit("/", 1)[-1]]
        root = (parent.get("reply") or {}).get("root") or refs["parent"]
        if refs["root"] != {"uri": root["uri"], "cid": root["cid"]}:
            return f"reply root {refs['root']['uri']} is not the root of its parent's thread"
        return None

    def _latest_commit(self, request: Recorded) -> Reply:
        did = request.query.get("did", [""])[-1]
        if not did.startswith("did:"):  # a DID, not a handle
            return _error(400, "InvalidRequest", "Invalid com.atproto.sync.getLatestCommit "
                                                 f"params: Invalid DID (got {json.dumps(did)})")
        if did != DID:
            return _error(400, "RepoNotFound", f"Could not find repo for DID: {did}")
        with self.lock:
            return Reply(200, {"cid": self.head, "rev": f"rev{len(self.records)}"})

    def _get_posts(self, request: Recorded) -> Reply:
        uris = request.query.get("uris") or []
        if not uris:
            return _invalid("app.bsky.feed.getPosts", 'Missing required key "uris"')
        if len(uris) > 25:
            return _invalid("app.bsky.feed.getPosts",
                            f"array too big (maximum 25, got {len(uris)})")
        prefix = f"at://{DID}/{COLLECTION}/"
        with self.lock:
            views = [{"uri": uri, "cid": "bafyrei", "author": {"did": DID, "handle": HANDLE},
                      "record": self.records[uri.removeprefix(prefix)],
                      "indexedAt": self.records[uri.removeprefix(prefix)].get("createdAt"),
                      **{"likeCount": 0, "repostCount": 0, "replyCount": 0, "quoteCount": 0},
                      **self.counts.get(uri.removeprefix(prefix), {})}
                     for uri in uris
                     if uri.startswith(prefix) and uri.removeprefix(prefix) in self.records]
        return Reply(200, {"posts": views})

    def reply(self, parent: str, text: str, handle: str = "reader.test", name: str = "A Reader",
              facets: list[dict[str, Any]] | None = None, labels: tuple[str, ...] = (),
              likes: int = 0) -> str:
        """Someone replies to the post at `parent` (its replyCount goes up): the reply's URI.
        `labels`: self-labels on the author's profile, as the AppView shows them."""
        did = f"did:plc:{handle.split('.')[0]}"
        uri = f"at://{did}/{COLLECTION}/3kreply{len(self.replies.get(parent, [])) + 1:06d}" \
            f"{len(self.replies):03d}"
        record = {"$type": COLLECTION, "text": text, "createdAt": "2024-06-02T10:00:00.000Z",
                  **({"facets": facets} if facets else {})}
        profile = f"at://{did}/app.bsky.actor.profile/self"
        node = {"$type": "app.bsky.feed.defs#threadViewPost", "post": {
            "uri": uri, "cid": "bafyreply", "record": record,
            "author": {"did": did, "handle": handle, "displayName": name,
                       "labels": [{"src": did, "uri": profile, "cid": "bafyprofile", "val": v,
                                   "cts": "1970-01-01T00:00:00.000Z"} for v in labels]},
            "likeCount": likes, "repostCount": 0, "replyCount": 0, "quoteCount": 0,
            "indexedAt": record["createdAt"], "labels": []}}
        with self.lock:
            self.replies.setdefault(parent, []).append(node)
            self._count_reply(parent, 1)
        return uri

    def delete_reply(self, uri: str) -> None:
        """The reply at `uri` is deleted: the AppView leaves it out, with the replies under it
        (@atproto/bsky's threadReplies), and its parent's replyCount goes down."""
        with self.lock:
            for parent, nodes in self.replies.items():
                if any(node["post"]["uri"] == uri for node in nodes):
                    self.replies[parent] = [n for n in nodes if n["post"]["uri"] != uri]
                    self._count_reply(parent, -1)
                    return
        raise KeyError(uri)

    def _count_reply(self, parent: str, change: int) -> None:
        if parent.startswith(f"at://{DID}/"):
            counts = self.counts.setdefault(parent.rsplit("/", 1)[-1], {})
            counts["replyCount"] = counts.get("replyCount", 0) + change
            return
        for nodes in self.replies.values():
            for node in nodes:
                if node["post"]["uri"] == parent:
                    node["post"]["replyCount"] += change

    def _get_post_thread(self, request: Recorded) -> Reply:
        query = {k: v[-1] for k, v in request.query.items()}
        nsid = "app.bsky.feed.getPostThread"
        if "uri" not in query:
            return _invalid(nsid, 'Missing required key "uri"')
        bounds = {"depth": 6, "parentHeight": 80}
        for name, default in bounds.items():
            value = query.get(name, str(default))
            if not regex.fullmatch(r"-?\d+", value):
                return _invalid(nsid, f'Expected integer value type (got "{value}")')
            if int(value) < 0:
                return _invalid(nsid, f"integer too small (minimum 0, got {value})")
            if int(value) > 1000:
                return _invalid(nsid, f"integer too big (maximum 1000, got {value})")
            bounds[name] = int(value)
        uri, prefix = query["uri"], f"at://{DID}/{COLLECTION}/"
        with self.lock:
            record = self.records.get(uri.removeprefix(prefix)) if uri.startswith(prefix) \
                else None
            if record is None:
                return _error(400, "NotFound", f"Post not found: {uri}")

            def nest(node: dict[str, Any], depth: int) -> dict[str, Any]:
                if depth < 1:  # the AppView leaves `replies` out below the depth asked
                    return node
                below = self.replies.get(node["post"]["uri"], [])
                return {**node, "replies": [nest(child, depth - 1) for child in below]}

            root = {"$type": "app.bsky.feed.defs#threadViewPost", "post": {
                "uri": uri, "cid": "bafyrei", "author": {"did": DID, "handle": HANDLE},
                "record": record, "indexedAt": record.get("createdAt"),
                **{"likeCount": 0, "repostCount": 0, "replyCount": 0, "quoteCount": 0},
                **self.counts.get(uri.removeprefix(prefix), {})}}
            return Reply(200, {"thread": nest(root, bounds["depth"])})

    def _get_record(self, request: Recorded) -> Reply:
        query = {k: v[-1] for k, v in request.query.items()}
        rkey = query.get("rkey", "")
        with self.lock:
            record = self.records.get(rkey) if query.get("repo") in (DID, HANDLE) else None
        if record is None:
            return _error(400, "RecordNotFound",
                          f"Could not locate record: at://{query.get('repo')}/{COLLECTION}/{rkey}")
        return Reply(200, {"uri": f"at://{DID}/{COLLECTION}/{rkey}", "cid": record_cid(rkey),
                           "value": record})


def record_cid(rkey: str) -> str:
    """The cid of the post at `rkey` (a record is written once, so one cid per key)."""
    return "bafyrei" + hashlib.sha256(rkey.encode()).hexdigest()[:52]


def check_post(record: dict[str, Any]) -> str | None:
    """What is wrong with an app.bsky.feed.post record, or None (the PDS's wording)."""
    for key in ("text", "createdAt"):
        if key not in record:
            return f'Missing required key "{key}" at $.record'
    text = record["text"]
    if not isinstance(text, str):
        return "Expected string value type at $.record.text"
    if not _is_datetime(record["createdAt"]):
        return f"Invalid datetime (got {json.dumps(record['createdAt'])}) at $.record.createdAt"
    size, graphemes = len(text.encode()), len(regex.findall(r"\X", text))
    if size > 3000:  # the lexicon's maxLength (UTF-8 bytes) is checked before maxGraphemes
        return f"string too big (maximum 3000, got {size}) at $.record.text"
    if graphemes > 300:
        return f"grapheme too big (maximum 300, got {graphemes}) at $.record.text"
    return _check_facets(text.encode(), record.get("facets") or []) or \
        _check_embed(record.get("embed"))


def _is_datetime(value: Any) -> bool:
    """An atproto datetime: RFC 3339 with an uppercase T and a timezone ("Z" or an offset)."""
    try:
        return "T" in value and datetime.fromisoformat(value).tzinfo is not None
    except (TypeError, ValueError):
        return False


def _check_facets(data: bytes, facets: Any) -> str | None:
    """app.bsky.richtext.facet, and what clients rely on beyond the lexicon's types.

    Each range must lie inside the text, start and end on UTF-8 character boundaries and overlap
    no other (bsky-docs ``post-richtext.md``); a link's ``uri`` must pass the lexicon's ``uri``
    format and a tag its 640-byte / 64-grapheme limits. The covered text is free: the app itself
    shows a short form of a link's URI.
    """
    if not isinstance(facets, list):
        return "Record/facets must be an array"
    spans = []
    for facet in facets:
        index = facet.get("index") if isinstance(facet, dict) else None
        start, end = (index or {}).get("byteStart"), (index or {}).get("byteEnd")
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in (start, end)):
            return "facet index must have integer byteStart and byteEnd"
        if not 0 <= start < end <= len(data):
            return f"facet {start}-{end} is outside the text ({len(data)} bytes)"
        if any(i < len(data) and data[i] & 0xC0 == 0x80 for i in (start, end)):
            return f"facet {start}-{end} cuts a UTF-8 character"
        features = facet.get("features")
        if not isinstance(features, list) or not features:
            return f"facet {start}-{end} has no features"
        problem = next(filter(None, map(_check_feature, features)), None)
        if problem:
            return f"facet {start}-{end}: {problem}"
        spans.append((start, end))
    spans.sort()
    if any(a[1] > b[0] for a, b in zip(spans, spans[1:], strict=False)):
        return "facets overlap"
    return None


def _check_feature(feature: Any) -> str | None:
    kind = feature.get("$type") if isinstance(feature, dict) else None
    if kind == "app.bsky.richtext.facet#link":
        uri = feature.get("uri")
        return None if isinstance(uri, str) and URI_RE.match(uri) else f"invalid uri {uri!r}"
    if kind == "app.bsky.richtext.facet#tag":
        tag = feature.get("tag")
        if isinstance(tag, str) and tag and len(tag.encode()) <= 640 and \
                len(regex.findall(r"\X", tag)) <= 64:
            return None
        return f"invalid tag {tag!r}"
    return f"unknown feature {kind!r}"


def _check_embed(embed: Any) -> str | None:
    if embed is None:
        return None
    external = embed.get("external") or {}
    if embed.get("$type") != "app.bsky.embed.external":
        return "Record/embed must be app.bsky.embed.external"
    for key in ("uri", "title", "description"):
        if not isinstance(external.get(key), str):
            return f'Missing required key "{key}" at $.record.embed.external'
    thumb = external.get("thumb")
    where = "$.record.embed.external.thumb"
    if thumb is not None and not str(thumb.get("mimeType")).startswith("image/"):
        return f'Expected "image/*" (got {json.dumps(thumb.get("mimeType"))}) at {where}.mimeType'
    if thumb is not None and thumb.get("size", 0) > 1_000_000:
        return f"blob too big (maximum 1000000, got {thumb['size']}) at {where}"
    return None


Fake = FakeBluesky  # the name tests/fakes/world.py looks for
