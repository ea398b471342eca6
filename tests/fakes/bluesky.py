"""FakeBluesky: a PDS's XRPC endpoints for posting, strictly (sessions, TIDs, facets, blobs).

Beyond the lexicon's own checks (300 graphemes, 3,000 bytes, TID record keys, blob refs), it
checks that every facet's byte range is inside the text, on UTF-8 character boundaries, and does
not overlap another (see ``_check_facets``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import regex

from tests.fakes.server import FakeServer, Recorded, Reply

HANDLE = "blog.test"
PASSWORD = "abcd-efgh-ijkl-mnop"
DID = "did:plc:testblog7f3k2"
COLLECTION = "app.bsky.feed.post"
TID_RE = regex.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
# The lexicon's `uri` string format (bluesky-social/atproto, packages/lexicon validators/formats)
URI_RE = regex.compile(r"^[A-Za-z0-9_]+:(?://)?[^\s/][^\s]*$")


def _jwt(kind: str, serial: int) -> str:
    """A JWT-shaped token (header.payload.signature) with an exp claim."""
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    payload = {"scope": kind, "sub": DID, "exp": int(time.time()) + 7200, "jti": serial}
    return f"{part({'alg': 'ES256K', 'typ': 'JWT'})}.{part(payload)}.c2lnbmF0dXJl{serial}"


def rate_limited(reset_in: int = 1) -> Reply:
    """Bluesky's 429: RateLimitExceeded with an epoch RateLimit-Reset."""
    return Reply(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                 {"RateLimit-Limit": "5000", "RateLimit-Remaining": "0",
                  "RateLimit-Reset": str(int(time.time()) + reset_in),
                  "RateLimit-Policy": "5000;w=3600"})


def _error(status: int, name: str, message: str) -> Reply:
    return Reply(status, {"error": name, "message": message})


class FakeBluesky(FakeServer):
    """One account on one PDS."""

    def __init__(self) -> None:
        super().__init__()
        self.records: dict[str, dict[str, Any]] = {}     # rkey -> record
        self.blobs: dict[str, dict[str, Any]] = {}
        self.access: set[str] = set()
        self.refresh: set[str] = set()
        self.expired: set[str] = set()
        self.head = "bafyreihead0"  # the repository's latest commit; each write moves it
        self._serial = 0

    def expire_tokens(self) -> None:
        """Make every access token issued so far answer ExpiredToken."""
        with self.lock:
            self.expired |= self.access

    def handle(self, request: Recorded) -> Reply:
        """Route XRPC calls."""
        nsid = request.path.removeprefix("/xrpc/")
        routes = {"com.atproto.server.createSession": self._create_session,
                  "com.atproto.server.refreshSession": self._refresh_session,
                  "com.atproto.repo.uploadBlob": self._upload_blob,
                  "com.atproto.repo.createRecord": self._create_record,
                  "com.atproto.repo.getRecord": self._get_record,
                  "com.atproto.sync.getLatestCommit": self._latest_commit}
        if nsid not in routes:
            return _error(501, "MethodNotImplemented", "Method Not Implemented")
        procedure = nsid not in ("com.atproto.repo.getRecord", "com.atproto.sync.getLatestCommit")
        if request.method != ("POST" if procedure else "GET"):
            return _error(405, "InvalidRequest", "Incorrect HTTP method")
        return routes[nsid](request)

    def _tokens(self) -> dict[str, str]:
        self._serial += 1
        access, refresh = _jwt("com.atproto.access", self._serial), \
            _jwt("com.atproto.refresh", self._serial)
        self.access.add(access)
        self.refresh.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": HANDLE, "did": DID}

    def _create_session(self, request: Recorded) -> Reply:
        body = request.json or {}
        if body.get("identifier") not in (HANDLE, DID) or body.get("password") != PASSWORD:
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        with self.lock:
            return Reply(200, {**self._tokens(), "active": True})

    def _refresh_session(self, request: Recorded) -> Reply:
        token = (request.header("Authorization") or "").removeprefix("Bearer ")
        with self.lock:
            if token not in self.refresh:
                return _error(400, "InvalidToken", "Token could not be verified")
            self.refresh.discard(token)
            return Reply(200, self._tokens())

    def _auth(self, request: Recorded) -> Reply | None:
        token = (request.header("Authorization") or "").removeprefix("Bearer ")
        if token in self.expired:
            return _error(400, "ExpiredToken", "Token has expired")
        if token not in self.access:
            return _error(401, "AuthenticationRequired", "Authentication Required")
        return None

    def _upload_blob(self, request: Recorded) -> Reply:
        kind = request.header("Content-Type") or ""
        problem = self._auth(request)
        if problem:
            return problem
        if not kind.startswith("image/") or not request.body:
            return _error(400, "InvalidRequest", "Expected an image body")
        if len(request.body) > 1_000_000:
            return _error(400, "BlobTooLarge", "This file is too large")
        link = "bafkrei" + hashlib.sha256(request.body).hexdigest()[:52]
        blob = {"$type": "blob", "ref": {"$link": link}, "mimeType": kind,
                "size": len(request.body)}
        with self.lock:
            self.blobs[link] = blob
        return Reply(200, {"blob": blob})

    def _create_record(self, request: Recorded) -> Reply:
        problem = self._auth(request)
        if problem:
            return problem
        body = request.json or {}
        rkey = body.get("rkey")
        if body.get("repo") not in (DID, HANDLE) or body.get("collection") != COLLECTION:
            return _error(400, "InvalidRequest", "Input/repo and collection must name this repo")
        if not isinstance(rkey, str) or not TID_RE.match(rkey):
            return _error(400, "InvalidRequest", "Invalid record key: must be a TID")
        invalid = check_post(body.get("record"), self.blobs)
        if invalid:
            return _error(400, "InvalidRequest", f"Invalid app.bsky.feed.post record: {invalid}")
        with self.lock:  # one repository transaction
            swap = body.get("swapCommit")
            if swap is not None and swap != self.head:
                return _error(400, "InvalidSwap", f"Commit was at {self.head}")
            if rkey in self.records:
                return _error(500, "InternalServerError", "Internal Server Error")
            self.records[rkey] = body["record"]
            self.head = "bafyreihead" + hashlib.sha256(rkey.encode()).hexdigest()[:40]
        return Reply(200, {"uri": f"at://{DID}/{COLLECTION}/{rkey}",
                           "cid": "bafyrei" + hashlib.sha256(rkey.encode()).hexdigest()[:52],
                           "commit": {"cid": "bafyreicommit", "rev": rkey},
                           "validationStatus": "valid"})

    def _latest_commit(self, request: Recorded) -> Reply:
        if request.query.get("did", [""])[-1] != DID:  # a DID, not a handle
            return _error(400, "RepoNotFound", "Could not find repo")
        with self.lock:
            return Reply(200, {"cid": self.head, "rev": f"rev{len(self.records)}"})

    def _get_record(self, request: Recorded) -> Reply:
        query = {k: v[-1] for k, v in request.query.items()}
        rkey = query.get("rkey", "")
        with self.lock:
            record = self.records.get(rkey) if query.get("repo") in (DID, HANDLE) else None
        if record is None:
            return _error(400, "RecordNotFound",
                          f"Could not locate record: at://{query.get('repo')}/{COLLECTION}/{rkey}")
        return Reply(200, {"uri": f"at://{DID}/{COLLECTION}/{rkey}", "cid": "bafyrei",
                           "value": record})


def check_post(record: Any, blobs: dict[str, Any]) -> str | None:
    """What is wrong with an app.bsky.feed.post record, or None."""
    if not isinstance(record, dict) or record.get("$type") != COLLECTION:
        return "Record/$type must be app.bsky.feed.post"
    text = record.get("text")
    if not isinstance(text, str) or not record.get("createdAt", "").endswith("Z"):
        return "Record must have text and a createdAt datetime"
    if len(regex.findall(r"\X", text)) > 300:
        return "Record/text must not be longer than 300 graphemes"
    if len(text.encode()) > 3000:
        return "Record/text must not be longer than 3000 characters"
    return _check_facets(text.encode(), record.get("facets", [])) or \
        _check_embed(record.get("embed"), blobs)


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


def _check_embed(embed: Any, blobs: dict[str, Any]) -> str | None:
    if embed is None:
        return None
    external = embed.get("external") or {}
    if embed.get("$type") != "app.bsky.embed.external" or not all(
            isinstance(external.get(k), str) for k in ("uri", "title", "description")):
        return "Record/embed must be app.bsky.embed.external with uri, title, description"
    thumb = external.get("thumb")
    if thumb is not None and (thumb.get("ref") or {}).get("$link") not in blobs:
        return "Record/embed/external/thumb is not an uploaded blob"
    return None
