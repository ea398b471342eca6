"""FakeX: X API v2 on 127.0.0.1, strict about OAuth 1.0a, the weighted 280 and duplicates.

Every request must carry ``Authorization: OAuth ...`` signed with HMAC-SHA1 per RFC 5849 §3.4:
the signature is recomputed here over the exact base string (method, base URI with the port,
sorted percent-encoded ``oauth_*`` + query parameters; a JSON body is not signed) with hmac and
hashlib, not with oauthlib, so a wrong signature, key, token, stale timestamp or replayed nonce
gets X's 401 problem body. Posts are counted the way twitter-text v3 counts (written here from
the config, independently of the adapter), identical text is a 403 duplicate, URLs come back
as t.co links with ``entities.urls[].expanded_url``, and every answer carries
``x-rate-limit-limit/remaining/reset`` for a 15-minute window per endpoint.

A reply (``reply: {"in_reply_to_tweet_id"}``, an id string of 1–19 digits; no other key but
``exclude_reply_user_ids``: docs.x.com create-post's schema) must answer an existing post, else
the 403 "You attempted to reply to a Tweet that is deleted or not visible to you." (code 385,
quoted by client libraries, e.g. plhery/node-twitter-api-v2#366). The post then carries
``referenced_tweets: [{"type": "replied_to", "id"}]`` and ``in_reply_to_user_id``; the timeline
leaves replies out under ``exclude=replies``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from typing import Any
from urllib.parse import quote, unquote

from tests.fakes.server import NetworkFake, Recorded, Reply

API_KEY = "xk-consumer-key-4Jd9"
API_SECRET = "xs-consumer-secret-Q8pLm2Zr"
USER_ID = "1580000000000000001"
ACCESS_TOKEN = f"{USER_ID}-AccessToken7Hn2Vb"
ACCESS_SECRET = "xa-token-secret-Wq3Kd8Lp"
USERNAME = "signalreach"

UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401,
                "detail": "Unauthorized"}
DUPLICATE = {"detail": "You are not allowed to create a Tweet with duplicate content.",
             "type": "about:blank", "title": "Forbidden", "status": 403}
READ_ONLY = {"title": "Forbidden", "type": "https://api.twitter.com/2/problems/oauth1-permissions",
             "status": 403, "detail": "Your client app is not configured with the appropriate "
             "oauth1 app permissions for this endpoint."}
REPLY_GONE = {"title": "Forbidden", "type": "about:blank", "status": 403, "detail": "You "
              "attempted to reply to a Tweet that is deleted or not visible to you."}
TOO_MANY = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
            "status": 429}

# twitter-text config v3, read from the JSON: weight 100 ranges (everything else 200), URL 23.
_LIGHT = [(0, 4351), (8192, 8205), (8208, 8223), (8242, 8247)]
_PICTO = ("\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u27bf"
          "\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff")
_TOKEN = re.compile(
    r"(?P<url>https?://[^\s]+[^\s.,;:!?)'\"])"
    r"|(?P<flag>[\U0001f1e6-\U0001f1ff]{2})"
    r"|(?P<keycap>[0-9#*]\ufe0f?\u20e3)"
    rf"|(?P<emoji>[{_PICTO}][\ufe0f\U0001f3fb-\U0001f3ff]*(?:\u200d[{_PICTO}]"
    r"[\ufe0f\U0001f3fb-\U0001f3ff]*)*)"
    r"|(?P<domain>\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|py|co|blog|example)\b)"
    r"|(?P<char>.)", re.S | re.I)


def x_weight(text: str) -> int:
    """Weighted length as X counts it."""
    import unicodedata

    total = 0
    for match in _TOKEN.finditer(unicodedata.normalize("NFC", text)):
        kind = match.lastgroup
        if kind in ("url", "domain"):
            total += 23
        elif kind in ("flag", "keycap", "emoji"):
            total += 2
        else:
            code = ord(match.group())
            total += 1 if any(lo <= code <= hi for lo, hi in _LIGHT) else 2
    return total


def pct(value: str) -> str:
    """RFC 5849 §3.6 percent-encoding (RFC 3986 unreserved characters kept)."""
    return quote(value, safe="-._~")


def signature(method: str, base_uri: str, params: list[tuple[str, str]], consumer_secret: str,
              token_secret: str) -> str:
    """HMAC-SHA1 over the RFC 5849 signature base string."""
    normalized = "&".join(f"{k}={v}" for k, v in sorted((pct(k), pct(v)) for k, v in params))
    base = "&".join([method.upper(), pct(base_uri), pct(normalized)])
    key = f"{pct(consumer_secret)}&{pct(token_secret)}".encode()
    return base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()


def parse_oauth_header(value: str) -> dict[str, str]:
    """The parameters of an `Authorization: OAuth k="v", ...` header (values decoded)."""
    if not value.startswith("OAuth "):
        return {}
    return {unquote(k): unquote(v)
            for k, v in re.findall(r'([\w.~%-]+)="([^"]*)"', value[len("OAuth "):])}


class FakeX(NetworkFake):
    """POST /2/tweets, GET /2/users/me, GET /2/users/{id}/tweets."""

    def __init__(self, post_limit: int = 100) -> None:
        super().__init__()
        self.tweets: list[dict[str, Any]] = []  # newest last
        self.nonces: set[str] = set()
        self.read_only = False         # app permission "Read" only: posting is a 403
        self.revoked = False           # tokens revoked: every request is a 401
        self.timeline_forbidden = False  # the tier cannot read timelines
        self.lookup_forbidden = False    # the tier cannot look posts up (GET /2/tweets)
        self.limits = {"POST /2/tweets": post_limit, "GET /2/users/me": 75,
                       "GET tweets": 900, "GET /2/tweets": 900}
        self._windows: dict[str, tuple[float, int]] = {}
        self._ids = iter(range(1_800_000_000_000_000_000, 1_900_000_000_000_000_000))
        self._state = threading.Lock()

    def env(self) -> dict[str, str]:
        """The X_* variables that reach this fake."""
        return {"X_API_KEY": API_KEY, "X_API_SECRET": API_SECRET, "X_ACCESS_TOKEN": ACCESS_TOKEN,
                "X_ACCESS_TOKEN_SECRET": ACCESS_SECRET, "X_API_BASE_URL": self.base_url}

    def posts(self) -> list[dict[str, Any]]:
        """The tweets posted, oldest first."""
        return list(self.tweets)

    # -- contract ---------------------------------------------------------------------------

    def verify(self, request: Recorded) -> bool:
        """Recompute the HMAC-SHA1 signature of `request`; also check key, token, time, nonce."""
        oauth = parse_oauth_header(request.header("Authorization") or "")
        given = oauth.pop("oauth_signature", "")
        oauth.pop("realm", None)
        if oauth.get("oauth_consumer_key") != API_KEY or oauth.get("oauth_token") != ACCESS_TOKEN \
                or oauth.get("oauth_signature_method") != "HMAC-SHA1" \
                or oauth.get("oauth_version", "1.0") != "1.0":
            return False
        if abs(time.time() - float(oauth.get("oauth_timestamp") or 0)) > 300:
            return False
        params = list(oauth.items()) + [(k, v) for k, vs in request.query.items() for v in vs]
        if (request.header("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
            params += [(k, v) for k, vs in request.form.items() for v in vs]
        base_uri = f"http://{(request.header('Host') or '').lower()}{request.path}"
        expected = signature(request.method, base_uri, params, API_SECRET, ACCESS_SECRET)
        with self._state:
            fresh = oauth.get("oauth_nonce", "") not in self.nonces
            self.nonces.add(oauth.get("oauth_nonce", ""))
        return fresh and hmac.compare_digest(expected, given)

    def _limit(self, key: str) -> tuple[dict[str, str], bool]:
        """This endpoint's rate-limit headers, and whether the call is over the limit."""
        now = time.time()
        with self._state:
            reset, used = self._windows.get(key, (now + 900, 0))
            if now >= reset:
                reset, used = now + 900, 0
            used += 1
            self._windows[key] = (reset, used)
        limit = self.limits[key]
        headers = {"x-rate-limit-limit": str(limit),
                   "x-rate-limit-remaining": str(max(0, limit - used)),
                   "x-rate-limit-reset": str(int(reset))}
        return headers, used > limit

    def handle(self, request: Recorded) -> Reply:
        """Route one request, strictly."""
        if request.path == "/2/tweets" and request.method == "POST":
            key = "POST /2/tweets"
        elif request.path == "/2/users/me" and request.method == "GET":
            key = "GET /2/users/me"
        elif re.fullmatch(r"/2/users/\d+/tweets", request.path) and request.method == "GET":
            key = "GET tweets"
        elif request.path == "/2/tweets" and request.method == "GET":
            key = "GET /2/tweets"
        else:
            return Reply(404, {"title": "Not Found Error", "status": 404, "type":
                               "https://api.twitter.com/2/problems/resource-not-found",
                               "detail": f"no route {request.method} {request.path}"})
        headers, over = self._limit(key)
        if self.revoked or not self.verify(request):
            return Reply(401, UNAUTHORIZED, {**headers, "Content-Type": "application/problem+json"})
        if over:
            return Reply(429, TOO_MANY, headers)
        if key == "POST /2/tweets":
            reply = self._create(request)
        elif key == "GET /2/tweets":
            reply = self._lookup(request)
        elif key == "GET /2/users/me":
            reply = Reply(200, {"data": {"id": USER_ID, "name": "Signal & Reach",
                                         "username": USERNAME}})
        else:
            reply = self._timeline(request)
        reply.headers = {**headers, **reply.headers}
        return reply

    def _create(self, request: Recorded) -> Reply:
        body = request.json
        if (request.header("Content-Type") or "").split(";")[0] != "application/json" or \
                not isinstance(body, dict) or set(body) - {"text", "media", "reply", "poll",
                                                          "quote_tweet_id", "reply_settings"}:
            return _invalid("body must be a JSON object with known fields only")
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return _invalid("text: must not be empty")
        if x_weight(text) > 280:
            return _invalid(f"text: weighted length {x_weight(text)} is over 280")
        reply = body.get("reply")
        if reply is not None and (not isinstance(reply, dict) or
                                  set(reply) - {"in_reply_to_tweet_id", "exclude_reply_user_ids"}
                                  or not re.fullmatch(r"[0-9]{1,19}",
                                                      str(reply.get("in_reply_to_tweet_id")))):
            return _invalid("reply.in_reply_to_tweet_id: must be a post id string")
        if self.read_only:
            return Reply(403, READ_ONLY, {"Content-Type": "application/problem+json"})
        with self._state:
            parent = reply and next((t for t in self.tweets
                                     if t["id"] == reply["in_reply_to_tweet_id"]), None)
            if reply and parent is None:
                return Reply(403, REPLY_GONE)
            if any(t["posted_text"] == text for t in self.tweets):
                return Reply(403, DUPLICATE)
            tweet_id = str(next(self._ids))
            urls = [m.group() for m in re.finditer(r"https?://[^\s]+[^\s.,;:!?)'\"]", text)]
            shown = text
            entities = []
            for url in urls:
                short = f"https://t.co/{secrets.token_urlsafe(7)[:10]}"
                shown = shown.replace(url, short, 1)
                entities.append({"url": short, "expanded_url": url,
                                 "display_url": url.split("//", 1)[1][:25] + "…"})
            self.tweets.append({"id": tweet_id, "text": shown, "posted_text": text,
                                "edit_history_tweet_ids": [tweet_id],
                                "entities": {"urls": entities},
                                **({"referenced_tweets": [{"type": "replied_to",
                                                           "id": parent["id"]}],
                                    "in_reply_to_user_id": USER_ID} if parent else {})})
        return Reply(201, {"data": {"id": tweet_id, "text": shown,
                                    "edit_history_tweet_ids": [tweet_id]}})

    def _lookup(self, request: Recorded) -> Reply:
        """GET /2/tweets?ids=: 1 to 100 ids; `public_metrics` only when asked for in
        tweet.fields; an id that does not exist is a resource-not-found problem in `errors`
        (docs.x.com, Posts lookup, and its error types)."""
        if self.lookup_forbidden:
            return Reply(403, {"title": "Client Forbidden", "status": 403, "type":
                               "https://api.twitter.com/2/problems/client-forbidden",
                               "reason": "client-not-enrolled", "detail": "This request must be "
                               "made using an approved developer account that is enrolled in "
                               "the requested endpoint."})
        ids = [i for i in (request.query.get("ids") or [""])[0].split(",") if i]
        if not 1 <= len(ids) <= 100:
            return _invalid(f"The `ids` query parameter value [{len(ids)} ids] is not between "
                            "1 and 100")
        fields = (request.query.get("tweet.fields") or [""])[0].split(",")
        by_id = {t["id"]: t for t in self.tweets}
        data = [{"id": i, "text": by_id[i]["text"], "edit_history_tweet_ids": [i],
                 **({"public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0,
                                        "quote_count": 0, "bookmark_count": 0,
                                        "impression_count": 0, **by_id[i].get("metrics", {})}}
                    if "public_metrics" in fields else {})} for i in ids if i in by_id]
        errors = [{"value": i, "detail": f"Could not find tweet with ids: [{i}].",
                   "title": "Not Found Error", "resource_type": "tweet", "parameter": "ids",
                   "resource_id": i, "type": "https://api.twitter.com/2/problems/"
                   "resource-not-found"} for i in ids if i not in by_id]
        return Reply(200, {**({"data": data} if data else {}),
                           **({"errors": errors} if errors else {})})

    def _timeline(self, request: Recorded) -> Reply:
        if request.path != f"/2/users/{USER_ID}/tweets" or self.timeline_forbidden:
            return Reply(403, {"title": "Client Forbidden", "status": 403, "type":
                               "https://api.twitter.com/2/problems/client-forbidden",
                               "detail": "This request must be made using an approved developer "
                               "account that is enrolled in the requested endpoint."})
        size = int((request.query.get("max_results") or ["10"])[0])
        if not 5 <= size <= 100:
            return _invalid("max_results: must be between 5 and 100")
        start = int((request.query.get("pagination_token") or ["0"])[0])
        newest = list(reversed(self.tweets))
        excluded = (request.query.get("exclude") or [""])[0].split(",")
        if "replies" in excluded:
            newest = [t for t in newest if "referenced_tweets" not in t]
        page = newest[start:start + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if start + size < len(newest):
            meta["next_token"] = str(start + size)
        if not page:
            return Reply(200, {"meta": meta})
        fields = (request.query.get("tweet.fields") or [""])[0].split(",")
        data = [{"id": t["id"], "text": t["text"], "edit_history_tweet_ids": [t["id"]],
                 **{f: t[f] for f in ("entities", "referenced_tweets", "in_reply_to_user_id")
                    if f in fields and f in t}} for t in page]
        return Reply(200, {"data": data, "meta": meta})


def _invalid(message: str) -> Reply:
    return Reply(400, {"errors": [{"parameters": {}, "message": message}],
                       "title": "Invalid Request", "detail": "One or more parameters to your "
                       "request was invalid.", "type": "https://api.twitter.com/2/problems/"
                       "invalid-request"})


Fake = FakeX  # the name tests/fakes/world.py looks for
