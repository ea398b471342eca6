"""Bluesky: a post with link and hashtag facets and a link card whose thumbnail is the card image.

The text shows the link the way Bluesky's app does (``blog.example/articles/why...``) under a link
facet to the full UTM-tagged URL, so the 300 graphemes go to the title and description.

One-time setup: in the Bluesky app open Settings › Privacy and security › App passwords › Add App
Password, and put it in ``BLUESKY_APP_PASSWORD`` with your handle (``blog.bsky.social``) in
``BLUESKY_HANDLE``. A self-hosted PDS goes in ``BLUESKY_SERVICE_URL`` (default https://bsky.social).

Exactly once: the record key (a TID) is chosen and committed to the ledger before createRecord is
sent. After a crash, getRecord on every key ever tried says whether the post exists; a key is
never sent twice (a fresh TID is minted for a new try). Every try carries the same
``swapCommit``, so a slow earlier try that lands late is refused by the PDS (InvalidSwap).

Threads: a follow-up too long for one post goes out as replies, each record's ``reply`` naming
the thread's first post (``root``) and the part before (``parent``) by ``{uri, cid}``, both read
from the parent's record (``getRecord``: its ``cid``, and its own ``reply.root`` if it has one).
A later part carries no link card; the first part has it.

Counts: ``app.bsky.feed.getPosts`` on the public AppView (``BLUESKY_APPVIEW_URL``, default
https://public.api.bsky.app; no login) gives ``likeCount``, ``repostCount``, ``replyCount`` and
``quoteCount`` for up to 25 post URIs a request, and leaves a deleted post out of its answer.
Replies: for a post with any, ``app.bsky.feed.getPostThread`` (``parentHeight`` 0, ``depth``
``THREAD_DEPTH``) gives the tree of replies under it; kept: every post in it by someone else whose
author does not carry the ``!no-unauthenticated`` label (they asked not to be shown to logged-out
readers; the AppView still gives their posts to us, labelled). The AppView leaves a deleted reply
out, with the replies under it; a ``blockedPost`` or ``notFoundPost`` (the lexicon allows them in
``replies``) has no post to show. Checked against the reference AppView in
tests/test_bluesky_network.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests

from self_promoting_blog.promote.adapters.atproto import PROFILE, facet_html, facets, new_tid
from self_promoting_blog.promote.adapters.base import (
    GONE,
    Attempt,
    ConfigFinding,
    Counts,
    Engagement,
    EnvVar,
    Message,
    NetworkAdapter,
    NetworkConfig,
    Posted,
    PublicReply,
    count,
    read_error_body,
)
from self_promoting_blog.promote.adapters.card_image import (
    CardImageTooBig,
    CardImageUnusable,
    fetch_card_image,
)
from self_promoting_blog.promote.adapters.display_url import display_url
from self_promoting_blog.promote.errors import CredentialsError, NetworkError, TransientError
from self_promoting_blog.promote.http import add_secret, log, seconds_until_epoch

COLLECTION = "app.bsky.feed.post"
THUMB_MAX_BYTES = 1_000_000
# The shape of the app passwords Bluesky generates (networks/bluesky.md: "xxxx-xxxx-xxxx-xxxx").
APP_PASSWORD_RE = re.compile(r"^[a-z0-9]{4}(-[a-z0-9]{4}){3}$")
APPVIEW = "https://public.api.bsky.app"
# https://, or plain http on this machine only (tests, a local AppView).
THREAD_DEPTH = 10  # levels of replies under a post one getPostThread answer gives
OPTED_OUT = "!no-unauthenticated"  # the author's label: not shown to logged-out readers
WEB_ADDRESS_RE = re.compile(r"^(https://[^/\s]+|http://(127\.0\.0\.1|localhost)(:\d+)?)/?$")


@dataclass
class Session:
    """A logged-in session: tokens, the account's DID and the PDS that holds its repo."""

    did: str
    access: str
    refresh: str
    pds: str


def _pds_from(did_doc: Any) -> str | None:
    for service in (did_doc or {}).get("service", []) if isinstance(did_doc, dict) else []:
        if str(service.get("id", "")).endswith("#atproto_pds"):
            return str(service.get("serviceEndpoint", "")).rstrip("/") or None
    return None


class BlueskyAdapter(NetworkAdapter):
    """Posts through XRPC with an app-password session."""

    name = "bluesky"
    label = "Bluesky"
    setup_help = "Settings › Privacy and security › App passwords › Add App Password."
    recovery = ("the record key (a TID) is committed to the ledger before `createRecord`; "
                "afterwards `getRecord` says whether it exists. A key is never sent twice, and "
                "every try carries the same `swapCommit`, so a slow try that lands late is "
                "refused by the server")
    text_limit = 300
    counts_graphemes = True
    max_bytes = 3000
    env_vars = (
        EnvVar("BLUESKY_HANDLE", "your handle, e.g. blog.bsky.social"),
        EnvVar("BLUESKY_APP_PASSWORD", "Settings › Privacy and security › App passwords",
               secret=True),
        EnvVar("BLUESKY_SERVICE_URL", "your PDS, default https://bsky.social", required=False,
               default="https://bsky.social"),
        EnvVar("BLUESKY_APPVIEW_URL", "where `invoke stats` reads counts, default "
               f"{APPVIEW}", required=False, default=APPVIEW),
    )
    base_url_env = "BLUESKY_SERVICE_URL"
    default_base_url = "https://bsky.social"
    can_find_existing = True
    read_batch = 25  # getPosts takes at most 25 uris (its lexicon's maxLength)
    read_permission = "no login (the public AppView answers anyone)"
    threads = True  # a reply to our own post: the record's reply {root, parent}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._session: Session | None = None

    @classmethod
    def check_config(cls, config: NetworkConfig) -> list[ConfigFinding]:
        """The AppView is an https:// address; warn when the password is not an app password
        (the account password works too)."""
        found = []
        if not WEB_ADDRESS_RE.match(config.env.get("BLUESKY_APPVIEW_URL", APPVIEW)):
            found.append(ConfigFinding("BLUESKY_APPVIEW_URL", "is not an https:// address",
                                       f"Give the full address, e.g. {APPVIEW}."))
        if APP_PASSWORD_RE.match(config.env["BLUESKY_APP_PASSWORD"]):
            return found
        return found + [ConfigFinding(
            "BLUESKY_APP_PASSWORD", "does not look like an app password (xxxx-xxxx-xxxx-xxxx)",
            "Your account password also logs in, but gives full control of the account; create "
            "an app password in Bluesky: Settings › Privacy and security › App passwords "
            "(https://bsky.app/settings/app-passwords), and put it here instead.", blocking=False)]

    def account_parts(self) -> tuple[str, ...]:
        """The handle names the account, whichever host serves it."""
        return (self.env("BLUESKY_HANDLE").lower().lstrip("@"),)

    @classmethod
    def link_text(cls, url: str) -> str:
        """The app's short form (host, path cut with ...): the facet carries the full URL."""
        return display_url(url)

    @classmethod
    def payload_preview(cls, message: Message) -> dict[str, Any]:
        """The facets (with byte offsets) and the link card a dry run would send."""
        card = message.card
        return {"facets": facets(message.text, message.links),
                "embed": {"uri": card.url, "title": card.title, "description": card.description,
                          "thumb": card.image_url}}

    # -- session ----------------------------------------------------------------------------

    def _login(self) -> Session:
        if self._session is None:
            body = self.answer(self.client.request(
                "POST", f"{self.base_url}/xrpc/com.atproto.server.createSession",
                json={"identifier": self.account_parts()[0],
                      "password": self.env("BLUESKY_APP_PASSWORD")}))
            add_secret(body["accessJwt"])
            add_secret(body["refreshJwt"])
            self._session = Session(body["did"], body["accessJwt"], body["refreshJwt"],
                                    _pds_from(body.get("didDoc")) or self.base_url)
        return self._session

    def _refresh(self, session: Session) -> None:
        """New tokens for an expired access token. A refused refresh (the PDS answers 400
        ExpiredToken "Token has been revoked" once the app password is revoked) logs in again,
        so a revoked app password is reported as one."""
        response = self.client.request(
            "POST", f"{session.pds}/xrpc/com.atproto.server.refreshSession",
            headers={"Authorization": f"Bearer {session.refresh}"})
        if response.status_code in (400, 401):
            self._session = None
            self._login()
            return
        body = self.answer(response)
        add_secret(body["accessJwt"])
        add_secret(body["refreshJwt"])
        session.access, session.refresh = body["accessJwt"], body["refreshJwt"]

    def _call(self, nsid: str, **kwargs: Any) -> requests.Response:
        """POST an XRPC procedure with the session; refresh an expired token once."""
        for first in (True, False):
            session = self._login()
            headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {session.access}"}
            response = self.client.request("POST", f"{session.pds}/xrpc/{nsid}",
                                           headers=headers, **kwargs)
            kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
            if first and response.status_code == 400 and _error_name(response) == "ExpiredToken":
                self._refresh(session)
                continue
            return response
        return response

    # -- posting ----------------------------------------------------------------------------

    def _thumb(self, image_url: str | None) -> dict[str, Any] | None:
        """Upload the card image as a blob; None (with a warning) if it is too big to attach."""
        if not image_url:
            return None
        try:
            image = fetch_card_image(self.client, image_url, THUMB_MAX_BYTES)
        except CardImageTooBig as exc:
            log.warning("promote: bluesky: %s is %d bytes, over Bluesky's 1,000,000-byte "
                        "thumbnail limit; the link card goes without a picture.", image_url,
                        exc.size)
            return None
        except CardImageUnusable as exc:
            raise TransientError(self.name, str(exc)) from None  # the site may be deploying
        blob = self.answer(self._call("com.atproto.repo.uploadBlob", data=image.content,
                                      headers={"Content-Type": image.kind}))
        return blob["blob"]

    def _head(self, session: Session) -> str:
        """The CID of the repository's latest commit (the compare-and-swap token)."""
        return str(self.answer(self.client.request(
            "GET", f"{session.pds}/xrpc/com.atproto.sync.getLatestCommit",
            params={"did": session.did}))["cid"])

    def post(self, message: Message, attempt: Attempt) -> Posted:
        """Upload the thumbnail, commit a fresh TID to the ledger, then createRecord.

        Every try for one row carries the same ``swapCommit`` (the repository head before the
        first try), so of all tries, a slow one included, at most one can be written.
        """
        session = self._login()
        record = self._record(message)
        if "swap" not in attempt.progress:
            attempt.save("swap", self._head(session))
        rkey = new_tid()
        tried = list(attempt.progress.get("records", []))
        attempt.save("records", [*tried, [session.pds, session.did, rkey]])
        response = self._call("com.atproto.repo.createRecord", json={
            "repo": session.did, "collection": COLLECTION, "rkey": rkey, "record": record,
            "swapCommit": attempt.progress["swap"]})
        if response.status_code == 400 and _error_name(response) == "InvalidSwap":
            found = self.find_existing(message, attempt)
            if found:
                return found
            # The head moved, so no try made with the old one can ever be written now.
            attempt.save("swap", self._head(session))
            raise TransientError(self.name, "the account's repository changed during the post")
        body = self.answer(response)
        return Posted(body["uri"], self._url(body["uri"].rsplit("/", 1)[-1]))

    def _record(self, message: Message) -> dict[str, Any]:
        """The app.bsky.feed.post record, with facets and the link card (thumbnail uploaded);
        a thread's later part: with its reply refs instead of the card."""
        record = {"$type": COLLECTION, "text": message.text,
                  "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds")
                  .replace("+00:00", "Z"),
                  "langs": [self.config.language], "facets": facets(message.text, message.links)}
        if message.reply_to:
            return {**record, "reply": self._reply_refs(message.reply_to)}
        external: dict[str, Any] = {"uri": message.card.url, "title": message.card.title,
                    "description": message.card.description}
        thumb = self._thumb(message.card.image_url)
        if thumb:
            external["thumb"] = thumb
        return {**record, "embed": {"$type": "app.bsky.embed.external", "external": external}}

    def _reply_refs(self, parent_uri: str) -> dict[str, Any]:
        """``{root, parent}`` of a reply to our post `parent_uri`: its cid from getRecord, the
        root its own reply's root (none: the parent starts the thread)."""
        did, collection, rkey = parent_uri.removeprefix("at://").split("/")
        body = self.answer(self.client.request(
            "GET", f"{self._login().pds}/xrpc/com.atproto.repo.getRecord",
            params={"repo": did, "collection": collection, "rkey": rkey}))
        parent = {"uri": body["uri"], "cid": body["cid"]}
        root = ((body.get("value") or {}).get("reply") or {}).get("root") or parent
        return {"root": {"uri": root["uri"], "cid": root["cid"]}, "parent": parent}

    def _url(self, rkey: str) -> str:
        return f"https://bsky.app/profile/{self.account_parts()[0]}/post/{rkey}"

    def find_existing(self, message: Message, attempt: Attempt) -> Posted | None:
        """getRecord every record key tried for this row; None when none exists."""
        for pds, did, rkey in attempt.progress.get("records", []):
            response = self.client.request(
                "GET", f"{pds}/xrpc/com.atproto.repo.getRecord",
                params={"repo": did, "collection": COLLECTION, "rkey": rkey})
            if response.status_code == 200:
                return Posted(response.json()["uri"], self._url(rkey))
            if response.status_code == 400 and _error_name(response) == "RecordNotFound":
                continue
            raise self.parse_error(response)
        return None

    # -- counts -----------------------------------------------------------------------------

    def read_back(self, post_ids: Sequence[str]) -> dict[str, Engagement]:
        """getPosts on the public AppView (a post left out of the answer was deleted), then
        getPostThread for each post with replies."""
        body = self.answer(self.client.request(
            "GET", f"{self._appview()}/xrpc/app.bsky.feed.getPosts",
            params={"uris": list(post_ids)}))
        found = {str(post.get("uri")): Counts(
            likes=count(post.get("likeCount")), reposts=count(post.get("repostCount")),
            replies=count(post.get("replyCount")), quotes=count(post.get("quoteCount")))
            for post in body.get("posts") or [] if isinstance(post, dict)}
        answers = {}
        for uri in post_ids:
            counts = found.get(uri)
            replies = self._replies(uri) if counts and counts.replies else ()
            answers[uri] = GONE if counts is None or replies is None else \
                Engagement(counts, replies)
        return answers

    def _appview(self) -> str:
        return self.env("BLUESKY_APPVIEW_URL").rstrip("/") or APPVIEW

    def _replies(self, uri: str) -> tuple[PublicReply, ...] | None:
        """The replies under one post, by others who did not opt out; None: it was deleted."""
        response = self.client.request(
            "GET", f"{self._appview()}/xrpc/app.bsky.feed.getPostThread",
            params={"uri": uri, "depth": THREAD_DEPTH, "parentHeight": 0})
        if response.status_code == 400 and _error_name(response) == "NotFound":
            return None
        thread = self.answer(response).get("thread") or {}
        owner = str(((thread.get("post") or {}).get("author") or {}).get("did"))
        found: list[PublicReply] = []
        nodes = list(thread.get("replies") or [])
        while nodes:
            node = nodes.pop(0)
            if not isinstance(node, dict) or not isinstance(node.get("post"), dict):
                continue  # app.bsky.feed.defs#notFoundPost / #blockedPost: nothing to show
            nodes += node.get("replies") or []
            post, author = node["post"], node["post"].get("author") or {}
            labels = {str((label or {}).get("val")) for label in author.get("labels") or []}
            if str(author.get("did")) != owner and OPTED_OUT not in labels:
                found.append(_reply(post, author))
        return tuple(found)

    def error_text(self, body: dict[str, Any] | None, fallback: str) -> str:
        """XRPC errors: {"error": Name, "message": text}, shown as "Name: text"."""
        name = str((body or {}).get("error") or "")
        text = str((body or {}).get("message") or name or fallback)
        return f"{name}: {text}" if name and name not in text else text

    def special_error(self, status: int, text: str, body: dict[str, Any] | None,
                      response: requests.Response) -> NetworkError | None:
        """A refused login or token names the app password (and how to replace it)."""
        name = str((body or {}).get("error") or "")
        if status == 401 or name in ("AuthenticationRequired", "AccountTakedown", "InvalidToken"):
            fix = f"; to replace the app password: {self.setup_help}" \
                if name == "AuthenticationRequired" else ""
            return CredentialsError(self.name, f"{text} (handle {self.account_parts()[0]}){fix}",
                                    "BLUESKY_APP_PASSWORD", status)
        return None

    def retry_after(self, response: requests.Response, body: dict[str, Any] | None
                    ) -> float | None:
        """Retry-After, else the epoch RateLimit-Reset."""
        wait = super().retry_after(response, body)
        if wait is None:
            wait = seconds_until_epoch(response.headers.get("RateLimit-Reset"), response.headers)
        return wait


def _reply(post: dict[str, Any], author: dict[str, Any]) -> PublicReply:
    """One post of a thread as a reply to show."""
    record = post.get("record") or {}
    handle = str(author.get("handle") or author.get("did") or "")
    rkey = str(post.get("uri") or "").rsplit("/", 1)[-1]
    return PublicReply(
        reply_id=str(post.get("uri")), url=f"{PROFILE}{handle}/post/{rkey}",
        author_name=str(author.get("displayName") or handle), author_handle=f"@{handle}",
        author_url=f"{PROFILE}{handle}", published=str(record.get("createdAt") or ""),
        content=facet_html(str(record.get("text") or ""), record.get("facets")),
        likes=count(post.get("likeCount")), reposts=count(post.get("repostCount")))


def _error_name(response: requests.Response) -> str:
    """The XRPC error name of a failed response ("" when it has none)."""
    body, _ = read_error_body(response)
    return str((body or {}).get("error") or "")
