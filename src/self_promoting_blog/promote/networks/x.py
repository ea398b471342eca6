"""X (Twitter): a post through API v2, signed with OAuth 1.0a user context (requests-oauthlib).

One-time setup: in the X developer portal create a Project and App; under the App's "User
authentication settings" set App permissions to **Read and write**; then on "Keys and tokens" copy
the API Key and Secret into ``X_API_KEY`` / ``X_API_SECRET`` and generate the Access Token and
Secret (after the permission change, or they stay read-only) into ``X_ACCESS_TOKEN`` /
``X_ACCESS_TOKEN_SECRET``. ``X_API_BASE_URL`` (default https://api.x.com) is for tests.

Counting: 280 weighted units as twitter-text's config v3 says: code points U+0000–U+10FF,
U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 weigh 1, everything else (CJK, ...) 2; an emoji
(a whole ZWJ / skin-tone / flag sequence) weighs 2; any URL counts 23 (t.co); NFC first.

Exactly once: X has no idempotency key. After a crash or an unanswered request the account's own
recent posts are read (``GET /2/users/{id}/tweets``) and matched on ``entities.urls.expanded_url``
(the slot's own link: a follow-up's carries ``utm_content``); a thread's later part is the reply
(``referenced_tweets`` ``replied_to``) to the part before. A 403 "duplicate content" is resolved
the same way and never retried.

Threads: a follow-up too long for one post goes out as replies to the part before
(``reply.in_reply_to_tweet_id``).

Counts: ``GET /2/tweets?ids=…&tweet.fields=public_metrics`` (up to 100 ids) gives ``like_count``,
``retweet_count``, ``reply_count`` and ``quote_count``; a deleted post comes back in ``errors`` as
a ``resource-not-found`` problem naming its id.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from typing import Any

import regex
import requests
from requests_oauthlib import OAuth1

from self_promoting_blog.promote.adapters.base import (
    ERROR_TEXT_MAX,
    GONE,
    URL_RE,
    Attempt,
    Counts,
    Engagement,
    EnvVar,
    Limits,
    Message,
    Posted,
    count,
    find_in_pages,
)
from self_promoting_blog.promote.adapters.matching import is_slot_post
from self_promoting_blog.promote.adapters.own_posts import OwnPostsAdapter
from self_promoting_blog.promote.errors import CredentialsError, NetworkError, PermanentError
from self_promoting_blog.promote.http import seconds_until_epoch

# twitter-text config v3 (github.com/twitter/twitter-text config/v3.json): weight 100 of scale 100.
_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\u20E3]")
# twitter-text also links bare domains ("example.com", "conf.py"): counted 23 or their own
# weight, whichever is more, so a text we think fits always fits.
_BARE = regex.compile(r"(?<![\w@#/.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}\b"
                      r"(?:/[^\s]*)?", regex.I)
log = logging.getLogger("promote")
URL_LENGTH = 23
# oauthlib and requests-oauthlib log the consumer key, the access token and the signature base
# string at DEBUG: keep them quiet whatever level the owner turns on.
for _library in ("oauthlib", "requests_oauthlib"):
    logging.getLogger(_library).setLevel(logging.INFO)
TIMELINE_PAGES = 2  # 2 x 100 own posts: far more than one blog posts between two runs
DUPLICATE = "duplicate content"
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"


def _char_weight(char: str) -> int:
    code = ord(char)
    return 1 if any(low <= code <= high for low, high in _LIGHT) else 2


def _plain_weight(text: str) -> int:
    """Weight of text without URLs: an emoji sequence counts 2, other code points 1 or 2."""
    total = 0
    for grapheme in regex.findall(r"\X", text):
        total += 2 if _EMOJI.search(grapheme) else sum(map(_char_weight, grapheme))
    return total


def weighted_length(text: str) -> int:
    """Count `text` the way X does (twitter-text v3)."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n")
    total, last = 0, 0
    for match in URL_RE.finditer(text):
        total += _bare_weight(text[last:match.start()]) + URL_LENGTH
        last = match.end()
    return total + _bare_weight(text[last:])


def _bare_weight(text: str) -> int:
    total, last = 0, 0
    for match in _BARE.finditer(text):
        total += _plain_weight(text[last:match.start()])
        total += max(URL_LENGTH, _plain_weight(match.group()))
        last = match.end()
    return total + _plain_weight(text[last:])


def _reset_wait(headers: Any) -> float | None:
    """Seconds until the exhausted window resets: 15-minute, or the 24-hour user/app caps."""
    waits = []
    for prefix in ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour"):
        if headers.get(f"{prefix}-remaining") == "0":
            waits.append(seconds_until_epoch(headers.get(f"{prefix}-reset"), headers))
    found = [w for w in waits if w is not None]
    if found:
        return max(found)
    return seconds_until_epoch(headers.get("x-rate-limit-reset"), headers)


class XAdapter(OwnPostsAdapter):
    """Posts with POST /2/tweets, OAuth 1.0a HMAC-SHA1 user context."""

    name = "x"
    label = "X"
    setup_help = ("developer portal › your App › User authentication settings › App permissions "
                  "'Read and write'; then Keys and tokens › API Key and Secret, Access Token and "
                  "Secret.")
    recovery = ("the account's own latest posts are read (`GET /2/users/{id}/tweets`) and "
                "matched on the slot's own link (a thread's later part: on the post it replies "
                "to); a \"duplicate content\" refusal is looked up the same way and never "
                "re-sent; a tier that cannot read timelines → `unknown`")
    text_limit = 280
    url_weight = URL_LENGTH
    env_vars = (
        EnvVar("X_API_KEY", "developer portal › your App › Keys and tokens › API Key",
               secret=True),
        EnvVar("X_API_SECRET", "developer portal › your App › Keys and tokens › API Key Secret",
               secret=True),
        EnvVar("X_ACCESS_TOKEN", "developer portal › Keys and tokens › Access Token (generated "
               "after setting App permissions to Read and write)", secret=True),
        EnvVar("X_ACCESS_TOKEN_SECRET", "developer portal › Keys and tokens › Access Token "
               "Secret", secret=True),
        EnvVar("X_API_BASE_URL", "the API, default https://api.x.com", required=False,
               default="https://api.x.com"),
    )
    base_url_env = "X_API_BASE_URL"
    default_base_url = "https://api.x.com"
    posts_owner = "the account"
    text_holder = "X"
    default_retry_after = 900.0  # the 15-minute window
    rate_limit_on_503 = True
    read_batch = 100  # GET /2/tweets takes 1 to 100 ids
    read_permission = "an access level that includes reading posts (`GET /2/tweets`)"
    no_replies = ("X gives replies only through recent search (`conversation_id:`), which its "
                  "Basic access level and up include; this blog does not ask for it")
    threads = True  # a reply to our own post: reply.in_reply_to_tweet_id

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._auth = OAuth1(self.env("X_API_KEY"), self.env("X_API_SECRET"),
                            self.env("X_ACCESS_TOKEN"), self.env("X_ACCESS_TOKEN_SECRET"),
                            signature_method="HMAC-SHA1", signature_type="AUTH_HEADER")
        self._me: dict[str, str] | None = None

    @classmethod
    def text_length(cls, text: str, limits: Limits | None = None) -> int:
        """X's weighted length (see the module docstring); its URL weight is fixed."""
        return weighted_length(text)

    @classmethod
    def length_unit(cls) -> str:
        """What `weighted_length` counts."""
        return f"X-weighted characters, each link as {URL_LENGTH}"

    def account_parts(self) -> tuple[str, ...]:
        """The user id X puts before the dash of every access token (public, not the secret)."""
        user_id = self.env("X_ACCESS_TOKEN").split("-", 1)[0]
        return (self.base_url, user_id if user_id.isdigit() else "")

    def _call(self, method: str, path: str, ok: tuple[int, ...] = (200,), **kwargs: Any) -> Any:
        response = self.client.request(method, f"{self.base_url}{path}", auth=self._auth,
                                       **kwargs)
        return self.answer(response, ok)

    def _user(self) -> dict[str, str]:
        """The account posted to: id and username (asked once per run)."""
        if self._me is None:
            self._me = self._call("GET", "/2/users/me")["data"]
        return self._me

    def _posted(self, post_id: str) -> Posted:
        name = (self._me or {}).get("username")
        return Posted(post_id, f"https://x.com/{name}/status/{post_id}" if name
                      else f"https://x.com/i/web/status/{post_id}")

    def post(self, message: Message, attempt: Attempt) -> Posted:
        """POST /2/tweets {"text"} (a thread's part: a reply); a duplicate-content refusal is
        looked up, never re-sent."""
        try:
            self._user()  # proves the credentials before anything is posted
        except CredentialsError:
            raise
        except PermanentError as exc:  # a tier without /2/users/me can still post
            log.warning("promote: x: cannot read the account (%s); the post link will not "
                        "name it", exc.message)
        try:
            reply = {"reply": {"in_reply_to_tweet_id": message.reply_to}} \
                if message.reply_to else {}
            body = self._call("POST", "/2/tweets", ok=(201, 200),
                              json={"text": message.text, **reply})
        except PermanentError as exc:
            if not exc.message.startswith(DUPLICATE):
                raise
            return self.refused_as_duplicate(exc, message, attempt)  # X holds this text
        return self._posted(str(body["data"]["id"]))

    def search(self, message: Message) -> Posted | None:
        """Look for the slot's link (entities.urls.expanded_url) among the latest posts; a
        thread's later part: the reply to the part before."""
        user_id = self._user()["id"]

        def match(tweet: dict[str, Any]) -> Posted | None:
            if message.reply_to:
                found = any(ref.get("type") == "replied_to" and ref.get("id") == message.reply_to
                            for ref in tweet.get("referenced_tweets") or [])
            else:
                urls = (tweet.get("entities") or {}).get("urls") or []
                found = is_slot_post(message, str(tweet["id"]),
                                     [u.get("expanded_url") or "" for u in urls],
                                     tweet.get("text") or "")
            return self._posted(str(tweet["id"])) if found else None

        def older(page: Any, params: dict[str, Any]) -> dict[str, Any] | None:
            token = (page.get("meta") or {}).get("next_token")
            return {**params, "pagination_token": token} if token else None

        return find_in_pages(
            {"max_results": 100, "exclude": "retweets" if message.reply_to else "replies,retweets",
             "tweet.fields": "created_at,entities,referenced_tweets"},
            lambda params: self._call("GET", f"/2/users/{user_id}/tweets", params=params),
            lambda page: page.get("data") or [], older, match, TIMELINE_PAGES)

    def read_back(self, post_ids: Sequence[str]) -> dict[str, Engagement]:
        """GET /2/tweets with public_metrics; a resource-not-found problem = deleted. An id in
        neither list (a post X withholds this time) is left out, so it is asked again later."""
        try:
            body = self._call("GET", "/2/tweets", params={"ids": ",".join(post_ids),
                                                          "tweet.fields": "public_metrics"})
        except PermanentError as exc:
            if exc.status != 403:
                raise
            raise CredentialsError(self.name, f"{exc.message}: reading counts needs "
                                   f"{self.read_permission}; see developer portal › Products",
                                   "X_API_KEY (its app's access level)", 403) from None
        found: dict[str, Engagement] = {}
        for tweet in body.get("data") or []:
            metrics = tweet.get("public_metrics") or {}
            found[str(tweet.get("id"))] = Engagement(Counts(
                likes=count(metrics.get("like_count")), reposts=count(metrics.get("retweet_count")),
                replies=count(metrics.get("reply_count")),
                quotes=count(metrics.get("quote_count"))))
        for problem in body.get("errors") or []:
            if isinstance(problem, dict) and problem.get("type") == NOT_FOUND:
                found.setdefault(str(problem.get("resource_id") or problem.get("value")), GONE)
        return {post_id: found[post_id] for post_id in post_ids if post_id in found}

    def error_text(self, body: dict[str, Any] | None, fallback: str) -> str:
        """X's problem JSON ({title, detail, type, errors}) or the older {"errors": [...]}."""
        if body is None:
            return fallback
        details = [str(e.get("message")) for e in body.get("errors") or []
                   if isinstance(e, dict) and e.get("message")]
        text = (body.get("detail") or body.get("title") or "; ".join(details)
                or str(body)[:ERROR_TEXT_MAX])
        if details and body.get("detail") and details[0] not in text:
            text = f"{text} ({'; '.join(details)})"
        return str(text).rstrip(". ")

    def special_error(self, status: int, text: str, body: dict[str, Any] | None,
                      response: requests.Response) -> NetworkError | None:
        """Refused tokens, a read-only app, and a duplicate (never retried)."""
        if status == 401:
            return CredentialsError(self.name, f"{text}: X refused the OAuth signature or the "
                                    "tokens; regenerate the Access Token and Secret in the "
                                    "developer portal (Keys and tokens)",
                                    "X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET, then X_API_KEY "
                                    "and X_API_SECRET", status)
        if status == 403 and "duplicate" in text.lower():
            return PermanentError(self.name, f"{DUPLICATE}: {text}", status)
        kind = str((body or {}).get("type") or "")
        if status == 403 and ("oauth1-permissions" in kind or "permission" in text.lower()):
            return CredentialsError(self.name, f"{text}: set the App permissions to 'Read and "
                                    "write' (developer portal › your App › User authentication "
                                    "settings), then regenerate the Access Token and Secret",
                                    "X_ACCESS_TOKEN", status)
        return None

    def retry_after(self, response: requests.Response, body: dict[str, Any] | None
                    ) -> float | None:
        """The reset of the exhausted window (15-minute or 24-hour), else Retry-After."""
        wait = _reset_wait(response.headers)
        return wait if wait is not None else super().retry_after(response, body)
