"""FakeMastodon: the Mastodon status API, strictly (auth, limits, idempotency, rate-limit headers).

Counts like the upstream StatusLengthValidator: grapheme clusters, every http(s) URL as the
server's ``characters_reserved_per_url`` (23 by default), against its ``max_characters`` (500).
Both are served, without a token, by ``GET /api/v2/instance`` in ``configuration.statuses``, as
Mastodon 4.0+ does (mastodon/documentation ``content/en/methods/instance.md``, ``entities/
Instance.md``); ``instance_api=False`` plays a server older than 4.0, which answers 404 there.
Keeps Idempotency-Key → status for `idempotency_ttl` seconds (an hour upstream), serialised.

Reading a status (``GET /api/v1/statuses/:id``) with a token needs the ``read:statuses`` scope
(or ``read``): upstream's StatusesController runs ``authorize_if_got_token! :read,
:'read:statuses'``, and Doorkeeper refuses a token without it with 403 "This action is outside
the authorized scopes". A deleted status is 404 "Record not found".

Replies (``GET /api/v1/statuses/:id/context``, same scope): ``ancestors`` and every
``descendants`` status in one answer, no pagination (upstream StatusesController#context:
"pagination cannot be introduced without breaking backwards-compatibility", ``CONTEXT_LIMIT``
4,096 with a token). Like upstream, it lists only statuses the token's account may see: a
`direct` reply to someone else is left out, while `unlisted` and `private` ones addressed to us
are listed, so the client must keep only `public` ones itself. ``reply`` adds one from another
account, which may set ``noindex`` (Account entity: the user opted out of search engine indexing).
"""

from __future__ import annotations

import html
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import regex

from tests.fakes.server import NetworkFake, Recorded, Reply

TOKEN = "mastodon-test-token-5f2b9c"
URL_RE = regex.compile(r"https?://\S+")


def mastodon_length(text: str, url_weight: int = 23) -> int:
    """Graphemes, with each URL counted as `url_weight`."""
    return len(regex.findall(r"\X", URL_RE.sub("x" * url_weight, text)))


def rate_limited(reset_in: float = 1.0) -> Reply:
    """Mastodon's 429: no Retry-After, an ISO 8601 X-RateLimit-Reset."""
    reset = (datetime.now(UTC) + timedelta(seconds=reset_in)).isoformat(timespec="microseconds")
    return Reply(429, {"error": "Too many requests"},
                 {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                  "X-RateLimit-Reset": reset.replace("+00:00", "Z")})


class FakeMastodon(NetworkFake):
    """One account ("signal", id 109) on one server."""

    def __init__(self, token: str = TOKEN, max_characters: int = 500,
                 characters_reserved_per_url: int = 23) -> None:
        super().__init__()
        self.token = token
        self.max_characters = max_characters
        self.characters_reserved_per_url = characters_reserved_per_url
        self.instance_api = True
        self.statuses: list[dict[str, Any]] = []
        self.idempotency: dict[str, tuple[float, dict[str, Any]]] = {}
        self.idempotency_ttl = 3600.0
        self.account = {"id": "109", "username": "signal", "acct": "signal"}
        self.scopes = {"write:statuses", "read:accounts", "read:statuses"}  # TOKEN's

    def env(self) -> dict[str, str]:
        """The MASTODON_* variables that reach this fake; a test changes `token` to revoke TOKEN."""
        return {"MASTODON_INSTANCE_URL": self.base_url, "MASTODON_ACCESS_TOKEN": TOKEN}

    def posts(self) -> list[dict[str, Any]]:
        """The statuses posted, oldest first."""
        return list(self.statuses)

    def _headers(self) -> dict[str, str]:
        reset = (datetime.now(UTC) + timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
        return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299",
                "X-RateLimit-Reset": reset}

    def _reply(self, status: int, body: Any) -> Reply:
        return Reply(status, body, self._headers())

    def handle(self, request: Recorded) -> Reply:
        """Route one request."""
        if request.method == "GET" and request.path == "/api/v2/instance":
            return self._instance()
        if request.header("Authorization") != f"Bearer {self.token}":
            return self._reply(401, {"error": "The access token is invalid"})
        if request.method == "POST" and request.path == "/api/v1/statuses":
            return self._create(request)
        if request.method == "GET" and request.path == "/api/v1/accounts/verify_credentials":
            return self._reply(200, self.account)
        if request.method == "GET" and request.path.startswith("/api/v1/statuses/") and \
                request.path.endswith("/context"):
            return self._context(request.path.removeprefix("/api/v1/statuses/")
                                 .removesuffix("/context"))
        if request.method == "GET" and request.path.startswith("/api/v1/statuses/"):
            return self._show(request.path.removeprefix("/api/v1/statuses/"))
        own = f"/api/v1/accounts/{self.account['id']}/statuses"
        if request.method == "GET" and request.path == own:
            return self._list(request)
        return self._reply(404, {"error": "Record not found"})

    def _instance(self) -> Reply:
        """The v2 Instance entity, cut to what a client reads (public: no token needed)."""
        if not self.instance_api:
            return Reply(404, b"<!DOCTYPE html><title>The page you were looking for doesn't "
                              b"exist (404)</title>", {"Content-Type": "text/html"})
        return self._reply(200, {
            "domain": "127.0.0.1", "title": "Fake Mastodon", "version": "4.3.0",
            "configuration": {
                "urls": {"streaming": "wss://127.0.0.1"},
                "statuses": {"max_characters": self.max_characters,
                             "max_media_attachments": 4,
                             "characters_reserved_per_url": self.characters_reserved_per_url}}})

    def _show(self, status_id: str) -> Reply:
        if not self.scopes & {"read", "read:statuses"}:
            return self._reply(403, {"error": "This action is outside the authorized scopes"})
        found = next((s for s in self.statuses if s["id"] == status_id), None)
        if found is None:
            return self._reply(404, {"error": "Record not found"})
        return self._reply(200, found)

    def _context(self, status_id: str) -> Reply:
        if not self.scopes & {"read", "read:statuses"}:
            return self._reply(403, {"error": "This action is outside the authorized scopes"})
        ids = {s["id"] for s in self.statuses}
        if status_id not in ids:
            return self._reply(404, {"error": "Record not found"})
        below, found = {status_id}, []
        for status in self.statuses:  # oldest first, as upstream orders descendants
            if status["in_reply_to_id"] in below and status["id"] != status_id:
                below.add(status["id"])
                if status["visibility"] != "direct":
                    found.append(status)
        return self._reply(200, {"ancestors": [], "descendants": found})

    def reply(self, to: str, html_content: str, username: str = "reader", display_name: str =
              "A Reader", visibility: str = "public", noindex: bool = False, likes: int = 0,
              reposts: int = 0) -> str:
        """Someone else replies to status `to` (whose replies_count goes up): its id."""
        with self.lock:
            status_id = str(110_000 + len(self.statuses) + 1)
            account = {"id": str(200 + len(username)), "username": username,
                       "acct": f"{username}@elsewhere.test", "display_name": display_name,
                       "url": f"https://elsewhere.test/@{username}", "noindex": noindex,
                       "avatar": f"https://elsewhere.test/avatars/{username}.png"}
            self.statuses.append({
                "id": status_id, "created_at": datetime.now(UTC).isoformat(),
                "edited_at": None, "url": f"https://elsewhere.test/@{username}/{status_id}",
                "uri": f"https://elsewhere.test/users/{username}/statuses/{status_id}",
                "content": html_content, "visibility": visibility, "account": account,
                "replies_count": 0, "reblogs_count": reposts, "favourites_count": likes,
                "in_reply_to_id": to})
            parent = next(s for s in self.statuses if s["id"] == to)
            parent["replies_count"] += 1
        return status_id

    def edit(self, status_id: str, html_content: str) -> None:
        """The author edits a status (``edited_at`` set, as upstream's Status entity)."""
        status = next(s for s in self.statuses if s["id"] == status_id)
        status.update(content=html_content, edited_at=datetime.now(UTC).isoformat())

    def engage(self, status_id: str, likes: int = 0, reposts: int = 0, replies: int = 0) -> None:
        """Readers favourite, boost and reply to a status."""
        status = next(s for s in self.statuses if s["id"] == status_id)
        status.update(favourites_count=likes, reblogs_count=reposts, replies_count=replies)

    def delete(self, status_id: str) -> None:
        """The author deletes a status (its parent's replies_count goes down)."""
        gone = next(s for s in self.statuses if s["id"] == status_id)
        self.statuses = [s for s in self.statuses if s["id"] != status_id]
        parent = next((s for s in self.statuses if s["id"] == gone["in_reply_to_id"]), None)
        if parent is not None:
            parent["replies_count"] = max(0, parent["replies_count"] - 1)

    def _params(self, request: Recorded) -> dict[str, str]:
        kind = request.header("Content-Type") or ""
        if kind.startswith("application/json"):
            return {k: str(v) for k, v in (request.json or {}).items()}
        if kind.startswith("application/x-www-form-urlencoded"):
            return {k: v[-1] for k, v in request.form.items()}
        return {k: v[-1] for k, v in request.query.items()}

    def _create(self, request: Recorded) -> Reply:
        params = self._params(request)
        key = request.header("Idempotency-Key")
        with self.lock:  # upstream serialises repeats of one key with a lock
            if key and key in self.idempotency:
                stamp, status = self.idempotency[key]
                if time.time() - stamp < self.idempotency_ttl:
                    return self._reply(200, status)
            text = params.get("status", "")
            if not text.strip():
                return self._reply(422, {"error": "Validation failed: Text can't be blank"})
            if mastodon_length(text, self.characters_reserved_per_url) > self.max_characters:
                return self._reply(422, {"error": "Validation failed: Text character limit of "
                                                  f"{self.max_characters} exceeded"})
            if params.get("visibility", "public") not in ("public", "unlisted", "private",
                                                          "direct"):
                return self._reply(422, {"error": "Validation failed: Visibility is invalid"})
            parent = params.get("in_reply_to_id")
            if parent is not None and parent not in {s["id"] for s in self.statuses}:
                # statuses_controller: Status.find(in_reply_to_id) -> ActiveRecord::RecordNotFound
                return self._reply(404, {"error": "Record not found"})
            status = self._status(text, params)
            self.statuses.append(status)
            if key:
                self.idempotency[key] = (time.time(), status)
        return self._reply(200, status)

    def _status(self, text: str, params: dict[str, str]) -> dict[str, Any]:
        status_id = str(110_000 + len(self.statuses) + 1)
        content = URL_RE.sub(lambda m: f'<a href="{m.group()}">{m.group()}</a>',
                             html.escape(text, quote=False))
        return {"id": status_id, "created_at": datetime.now(UTC).isoformat(),
                "url": f"{self.base_url}/@signal/{status_id}",
                "uri": f"{self.base_url}/users/signal/statuses/{status_id}",
                "content": f"<p>{content}</p>", "text": text,
                "visibility": params.get("visibility", "public"),
                "language": params.get("language"), "account": self.account, "card": None,
                "replies_count": 0, "reblogs_count": 0, "favourites_count": 0,
                "in_reply_to_id": params.get("in_reply_to_id")}

    def _list(self, request: Recorded) -> Reply:
        query = {k: v[-1] for k, v in request.query.items()}
        limit = min(int(query.get("limit", 20)), 40)
        newest_first = [s for s in reversed(self.statuses)
                        if s["account"]["id"] == self.account["id"]]
        if query.get("exclude_replies") == "true":
            newest_first = [s for s in newest_first if s["in_reply_to_id"] is None]
        if "max_id" in query:
            newest_first = [s for s in newest_first if int(s["id"]) < int(query["max_id"])]
        return self._reply(200, newest_first[:limit])


Fake = FakeMastodon  # the name tests/fakes/world.py looks for
