"""Threads: a text post with a link preview, created as a container and then published.

One-time setup: create an app at developers.facebook.com with the **Threads** use case, add your
Threads account as a tester (Roles › Threads testers, then accept in the Threads app's Settings ›
Account › Website permissions), and generate a user token with ``threads_basic`` and
``threads_content_publish`` (App dashboard › Threads › User token generator). Exchange it for a
long-lived token (60 days; refresh it with ``GET
https://graph.threads.net/refresh_access_token?grant_type=th_refresh_token&access_token=…``)
and put it in ``THREADS_ACCESS_TOKEN``; ``THREADS_USER_ID`` is optional (default ``me``).

Exactly once: the container id is committed to the ledger (``attempt.save``) before it is
published. A rerun after a crash never creates a second container while the first can still be
published: it asks the container's status first (``PUBLISHED`` = done, look the post up;
``FINISHED`` = publish that same container; ``EXPIRED``/``ERROR`` = it never went out). The
post a published container became is found by the slot's own link among the account's posts
(``GET /{user}/threads``; a follow-up's link carries ``utm_content``), a thread's later part
among its replies (``GET /{user}/replies``, by ``replied_to``).

Threads: a follow-up too long for one post goes out as replies to the part before: the container
carries ``reply_to_id`` (and no link preview; the first part has it).

Counts: ``GET /{media-id}/insights?metric=likes,replies,reposts,quotes`` (each a ``lifetime``
value), which needs the ``threads_manage_insights`` permission. Replies: for a post with any,
``GET /{media-id}/conversation`` (every reply at any depth, oldest first with ``reverse=false``,
paged by ``after`` cursors), which needs ``threads_read_replies``. Kept: replies the owner has
not hidden and Threads has not covered, blocked or restricted (``hide_status`` NOT_HUSHED or
UNHUSHED), by someone else (``is_reply_owned_by_me`` false). Threads gives no per-reply counts.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import regex

from self_promoting_blog.promote.adapters.base import (
    GONE,
    Attempt,
    Counts,
    Engagement,
    EnvVar,
    Limits,
    Message,
    Posted,
    PublicReply,
    count,
    find_in_pages,
)
from self_promoting_blog.promote.adapters.matching import is_slot_post, links_in
from self_promoting_blog.promote.adapters.meta_graph import (
    GraphAdapter,
    Remedies,
    next_page_params,
)
from self_promoting_blog.promote.adapters.plain_text import text_html
from self_promoting_blog.promote.errors import (
    AmbiguousError,
    NetworkError,
    PermanentError,
    RateLimited,
    TransientError,
)

_EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\u20E3]")
API = "v1.0"
LOOKUP_PAGES = 2  # 2 x 25 own posts back
PROFILE = "https://www.threads.com/"
METRICS = ("likes", "reposts", "replies", "quotes")  # in Counts' order
REPLY_FIELDS = "id,text,username,permalink,timestamp,hide_status,is_reply_owned_by_me"
SHOWN = frozenset({"NOT_HUSHED", "UNHUSHED"})  # hide_status values of a reply others can see
CONVERSATION_PAGES = 40  # pages of replies read per post: far more than an article gets
REMEDIES = Remedies(
    token_variable="THREADS_ACCESS_TOKEN",
    renew="long-lived Threads tokens last 60 days: refresh one before it expires with GET "
          "https://graph.threads.net/refresh_access_token?grant_type=th_refresh_token&"
          "access_token=<token>, or generate a new one (App dashboard › Threads › User token "
          "generator) and exchange it for a long-lived token",
    permissions="threads_basic and threads_content_publish; generate the token again with both")


class ThreadsAdapter(GraphAdapter):
    """Creates a TEXT container with link_attachment, checkpoints it, then publishes it."""

    name = "threads"
    label = "Threads"
    setup_help = ("App dashboard (Threads use case) › User token generator with threads_basic and "
                  "threads_content_publish; exchange for a long-lived token.")
    recovery = ("the container id is committed to the ledger before publishing; its status then "
                "says whether it went out (`PUBLISHED`), can still be published (`FINISHED`: "
                "that same container is) or never will (`EXPIRED`, `ERROR`)")
    text_limit = 500
    env_vars = (
        EnvVar("THREADS_ACCESS_TOKEN", "a long-lived Threads user token (threads_basic, "
               "threads_content_publish)", secret=True),
        EnvVar("THREADS_USER_ID", "your Threads user id, default me", required=False,
               default="me"),
        EnvVar("THREADS_API_BASE_URL", "the Threads API, default https://graph.threads.net",
               required=False, default="https://graph.threads.net"),
    )
    base_url_env = "THREADS_API_BASE_URL"
    default_base_url = "https://graph.threads.net"
    can_find_existing = True
    remedies = REMEDIES
    read_permission = ("the `threads_manage_insights` permission (and `threads_read_replies` "
                       "for replies)")
    threads = True  # a reply to our own post: reply_to_id on the container

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.api = f"{self.base_url}/{API}"
        self.user = self.env("THREADS_USER_ID") or "me"

    @classmethod
    def text_length(cls, text: str, limits: Limits | None = None) -> int:
        """Characters, except that an emoji counts its UTF-8 bytes (Threads' rule)."""
        return sum(len(g.encode()) if _EMOJI.search(g) else len(g)
                   for g in regex.findall(r"\X", text))

    @classmethod
    def payload_preview(cls, message: Message) -> dict[str, Any]:
        """The container a dry run would create."""
        return {"media_type": "TEXT", **cls._link_or_reply(message)}

    @staticmethod
    def _link_or_reply(message: Message) -> dict[str, str]:
        """A post's link preview, or a thread's later part's parent (it shows no preview)."""
        if message.reply_to:
            return {"reply_to_id": message.reply_to}
        return {"link_attachment": message.link}

    def account_parts(self) -> tuple[str, ...]:
        """The user id (or "me") names the account."""
        return (self.base_url, self.user)

    def _call(self, method: str, path: str, **params: Any) -> Any:
        params["access_token"] = self.env("THREADS_ACCESS_TOKEN")
        return self.answer(self.client.request(method, f"{self.api}/{path}", params=params))

    # -- posting ----------------------------------------------------------------------------

    def post(self, message: Message, attempt: Attempt) -> Posted:
        """Publish the saved container if it can still be, else create one, save it, publish."""
        container = attempt.progress.get("container")
        if container:
            status = self._status(container)
            if status == "PUBLISHED":
                return self._published(message, container)
            if status == "IN_PROGRESS":
                raise TransientError(self.name, f"container {container} is still being "
                                     "prepared; it will be published on the next try")
            if status != "FINISHED":  # EXPIRED or ERROR: it can never go out, so none did
                container = None
        if not container:
            body = self._call("POST", f"{self.user}/threads", media_type="TEXT",
                              text=message.text, **self._link_or_reply(message))
            container = str(body["id"])
            attempt.save("container", container)  # committed before publishing
        body = self._call("POST", f"{self.user}/threads_publish", creation_id=container)
        media = str(body["id"])
        return Posted(media, self._permalink(media))

    def _status(self, container: str) -> str:
        return str(self._call("GET", container, fields="status,error_message").get("status"))

    def _permalink(self, media: str) -> str:
        try:
            return str(self._call("GET", media, fields="permalink").get("permalink") or PROFILE)
        except NetworkError:
            return PROFILE

    def _published(self, message: Message, container: str) -> Posted:
        """The post a PUBLISHED container became: found among the account's latest posts (a
        thread's later part: its replies); a listing Threads refuses makes it unknown."""
        try:
            found = self._search(message)
        except (PermanentError, RateLimited, TransientError) as exc:
            raise AmbiguousError(self.name, f"container {container} was published, but Threads "
                                 f"would not list the account's posts to find it ({exc.message})",
                                 exc.status) from None
        return found or Posted(container, PROFILE)

    def read_one(self, post_id: str) -> Engagement:
        """The media's lifetime insights: likes, replies, reposts, quotes."""
        body = self.read_object(f"{self.api}/{quote(post_id, safe='')}/insights", {
            "metric": ",".join(METRICS), "access_token": self.env("THREADS_ACCESS_TOKEN")})
        if body is None:
            return GONE
        values = {str(item.get("name")): (item.get("values") or [{}])[0].get("value")
                  for item in body.get("data") or [] if isinstance(item, dict)}
        counts = Counts(*(count(values.get(metric)) for metric in METRICS))
        replies = self._replies(post_id) if counts.replies else ()
        return GONE if replies is None else Engagement(counts, replies)

    def _replies(self, post_id: str) -> tuple[PublicReply, ...] | None:
        """Every reply under the post others may see, oldest first; None: it was deleted."""
        items = self.read_pages(f"{self.api}/{quote(post_id, safe='')}/conversation", {
            "fields": REPLY_FIELDS, "reverse": "false",
            "access_token": self.env("THREADS_ACCESS_TOKEN")}, CONVERSATION_PAGES)
        return None if items is None else tuple(
            _reply(item) for item in items
            if item.get("hide_status") in SHOWN and not item.get("is_reply_owned_by_me"))

    # -- recovery ---------------------------------------------------------------------------

    def find_existing(self, message: Message, attempt: Attempt) -> Posted | None:
        """A post exists only if the saved container was published; its status says so."""
        container = attempt.progress.get("container")
        if not container:
            return None  # publishing needs the id, and the id is saved before publishing
        try:
            if self._status(container) != "PUBLISHED":
                return None
            return self._published(message, container)
        except (PermanentError, RateLimited, TransientError) as exc:
            raise AmbiguousError(self.name, f"cannot ask Threads whether container {container} "
                                 f"was published ({exc.message})", exc.status) from None

    def _search(self, message: Message) -> Posted | None:
        """The slot's post among the latest posts; a thread's later part among the replies."""
        def match(item: dict[str, Any]) -> Posted | None:
            text = item.get("text") or ""
            if message.reply_to:
                found = (item.get("replied_to") or {}).get("id") == message.reply_to
            else:
                found = is_slot_post(message, str(item["id"]),
                                     [item.get("link_attachment_url") or "", *links_in(text)],
                                     text)
            return Posted(str(item["id"]), str(item.get("permalink") or PROFILE)) if found \
                else None

        edge, fields = ("replies", "id,permalink,text,replied_to") if message.reply_to else \
            ("threads", "id,permalink,text,link_attachment_url")
        return find_in_pages(
            {"fields": fields, "limit": 25},
            lambda params: self._call("GET", f"{self.user}/{edge}", **params),
            lambda page: page.get("data") or [], next_page_params, match, LOOKUP_PAGES)


def _reply(item: dict[str, Any]) -> PublicReply:
    """One reply of a conversation as a reply to show."""
    username = str(item.get("username") or "")
    return PublicReply(
        reply_id=str(item.get("id")), url=str(item.get("permalink") or ""),
        author_name=username, author_handle=f"@{username}", author_url=f"{PROFILE}@{username}",
        published=str(item.get("timestamp") or ""),
        content=text_html(str(item.get("text") or ""), f"{PROFILE}@"))
