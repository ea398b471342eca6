"""FakeThreads: the Threads API on 127.0.0.1, with containers that wait to be published.

``POST /v1.0/{user|me}/threads`` (query parameters ``media_type=TEXT``, ``text``,
``link_attachment``, ``access_token``) creates a container in state ``FINISHED``; nothing is
visible until ``POST /v1.0/{user|me}/threads_publish?creation_id=`` publishes it (``PUBLISHED``),
and publishing the same container again is refused. ``GET /v1.0/{id}?fields=status`` reads a
container, ``fields=permalink`` a post, ``GET /v1.0/me/threads`` lists the posts. Text is at most
500 characters with each emoji counted as its UTF-8 bytes, and at most 5 links. Errors use the
Graph envelope.

Replies: ``GET /v1.0/{media-id}/conversation`` (Threads Reply Management API, reference "Reply
Management"): every reply at any depth, flattened, newest first unless ``reverse=false``, paged
with ``paging.cursors.after`` (here 25 a page); the ``fields`` asked for among ``id``, ``text``,
``username``, ``permalink``, ``timestamp``, ``hide_status`` (NOT_HUSHED, UNHUSHED, HIDDEN,
COVERED, BLOCKED, RESTRICTED) and ``is_reply_owned_by_me``. It needs ``threads_read_replies``
("required for making GET calls to reply endpoints"); without it, (#10) like insights.

A reply's container carries ``reply_to_id``, which must be a published post of this account (one
may reply to one's own posts without further permissions: Threads "Create Replies"); published,
it is listed under ``GET /v1.0/me/replies`` (with ``replied_to``, ``root_post``, ``is_reply``),
not under ``/threads``, which lists the account's own top-level posts.
"""

from __future__ import annotations

import itertools
import re
import secrets
import threading
import unicodedata
from typing import Any

from tests.fakes.graph import graph_error
from tests.fakes.server import NetworkFake, Recorded, Reply

USER_ID = "27182818284590452"
USERNAME = "signal.and.reach"
TOKEN = "THAAfakeThreadsToken8sKq2Lm"
_PATH = re.compile(r"^/v1\.0/(?P<node>[^/]+)(?:/(?P<edge>[a-z_]+))?$")
_URLS = re.compile(r"https?://[^\s]+")


def threads_length(text: str) -> int:
    """Characters, but an emoji (So symbols and their joiners/modifiers) counts its UTF-8 bytes."""
    total, emoji = 0, ""
    for char in text + "\0":
        joins = char in "\u200d\ufe0f" or 0x1F3FB <= ord(char) <= 0x1F3FF
        if unicodedata.category(char) == "So" or (emoji and joins):
            emoji += char
            continue
        if emoji:
            total, emoji = total + len(emoji.encode()), ""
        total += char != "\0"
    return total


class FakeThreads(NetworkFake):
    """Containers, publishing, status, permalinks and the account's listing."""

    def __init__(self) -> None:
        super().__init__()
        self.containers: dict[str, dict[str, Any]] = {}
        self.published: list[dict[str, Any]] = []  # newest last
        self.expired = False
        self.scopes = {"threads_basic", "threads_content_publish", "threads_manage_insights",
                       "threads_read_replies"}
        self.replies: dict[str, list[dict[str, Any]]] = {}  # media id -> replies, oldest first
        self._ids = itertools.count(18000000000000001)
        self._state = threading.Lock()

    def env(self) -> dict[str, str]:
        """The THREADS_* variables that reach this fake."""
        return {"THREADS_ACCESS_TOKEN": TOKEN, "THREADS_USER_ID": USER_ID,
                "THREADS_API_BASE_URL": self.base_url}

    def posts(self) -> list[dict[str, Any]]:
        """The published posts, oldest first (containers are in `containers`)."""
        return list(self.published)

    def handle(self, request: Recorded) -> Reply:
        """Check the token, then route."""
        match = _PATH.match(request.path)
        if not match:
            return graph_error(100, f"Unknown path {request.path}")
        params = {k: v[-1] for k, v in request.query.items()}
        if params.get("access_token") != TOKEN:
            return graph_error(190, "Invalid OAuth access token - Cannot parse access token")
        if self.expired:
            return graph_error(190, "Error validating access token: Session has expired.",
                               subcode=463)
        node, edge = match["node"], match["edge"]
        if edge == "insights" and request.method == "GET":
            return self._insights(node, params)
        if edge == "conversation" and request.method == "GET":
            return self._conversation(node, params)
        if node not in ("me", USER_ID) and edge:
            return graph_error(100, f"Object with ID '{node}' does not exist or cannot be "
                               "loaded due to missing permissions")
        if edge == "threads" and request.method == "POST":
            return self._create(params)
        if edge == "threads_publish" and request.method == "POST":
            return self._publish(params)
        if edge in ("threads", "replies") and request.method == "GET":
            return self._list(params, replies=edge == "replies")
        if edge is None and request.method == "GET":
            return self._read(node, params)
        return graph_error(100, f"Unsupported {request.method} request")

    def _create(self, params: dict[str, str]) -> Reply:
        if "threads_content_publish" not in self.scopes:
            return graph_error(10, "(#10) Application does not have permission for this action",
                               status=403)
        if params.get("media_type") != "TEXT":
            return graph_error(100, "The parameter media_type is required (TEXT, IMAGE, VIDEO)")
        text = params.get("text", "")
        if not text:
            return graph_error(100, "The parameter text is required for TEXT posts")
        if threads_length(text) > 500:
            return graph_error(100, f"Text is {threads_length(text)} characters; the maximum "
                               "is 500", subcode=2207064)
        links = set(_URLS.findall(text)) | ({params["link_attachment"]}
                                           if params.get("link_attachment") else set())
        if len(links) > 5:
            return graph_error(100, "THREADS_API__LINK_LIMIT_EXCEEDED: more than 5 links")
        parent = params.get("reply_to_id")
        with self._state:
            if parent is not None and not any(p["id"] == parent for p in self.published):
                return graph_error(100, f"Object with ID '{parent}' does not exist, cannot be "
                                   "loaded due to missing permissions, or does not support this "
                                   "operation", subcode=33)
            container = str(next(self._ids))
            self.containers[container] = {"status": "FINISHED", "text": text,
                                          "link": params.get("link_attachment"), "media": None,
                                          "reply_to": parent}
        return Reply(200, {"id": container})

    def _publish(self, params: dict[str, str]) -> Reply:
        with self._state:
            container = self.containers.get(params.get("creation_id", ""))
            if container is None:
                return graph_error(100, "The media container with id "
                                   f"{params.get('creation_id')!r} does not exist",
                                   subcode=4279009)
            if container["status"] == "PUBLISHED":
                return graph_error(100, "This media container has already been published",
                                   subcode=4279010)
            if container["status"] != "FINISHED":
                return graph_error(100, f"The container is {container['status']}")
            media = str(next(self._ids))
            container["status"], container["media"] = "PUBLISHED", media
            code = secrets.token_urlsafe(8)
            parent = next((p for p in self.published if p["id"] == container["reply_to"]),
                          None)
            self.published.append({"id": media, "text": container["text"],
                               "link_attachment_url": container["link"],
                               "permalink": f"https://www.threads.com/@{USERNAME}/post/{code}",
                               "username": USERNAME, "is_reply": parent is not None,
                               **({"replied_to": {"id": parent["id"]},
                                   "root_post": parent.get("root_post") or {"id": parent["id"]}}
                                  if parent else {})})
        return Reply(200, {"id": media})

    def _read(self, node: str, params: dict[str, str]) -> Reply:
        fields = params.get("fields", "id").split(",")
        if node in self.containers:
            container = self.containers[node]
            return Reply(200, {"id": node, **({"status": container["status"]}
                                              if "status" in fields else {})})
        post = next((p for p in self.published if p["id"] == node), None)
        if post is None:
            return graph_error(100, f"Object with ID '{node}' does not exist")
        return Reply(200, {"id": node, **{f: post[f] for f in fields if f in post}})

    def _insights(self, node: str, params: dict[str, str]) -> Reply:
        """Media insights: needs threads_manage_insights; each metric asked for (views, likes,
        replies, reposts, quotes, shares) as a lifetime value (Threads Insights API)."""
        if "threads_manage_insights" not in self.scopes:
            return graph_error(10, "(#10) Application does not have permission for this action",
                               status=403)
        post = next((p for p in self.published if p["id"] == node), None)
        if post is None:
            return graph_error(100, f"Unsupported get request. Object with ID '{node}' does not "
                               "exist", subcode=33, kind="GraphMethodException")
        metrics = [m for m in params.get("metric", "").split(",") if m]
        known = ("views", "likes", "replies", "reposts", "quotes", "shares")
        if not metrics or set(metrics) - set(known):
            return graph_error(100, "(#100) metric[0] must be one of the following values: "
                               + ", ".join(known))
        counts = post.get("counts", {})
        return Reply(200, {"data": [{"name": m, "period": "lifetime",
                                     "values": [{"value": counts.get(m, 0)}],
                                     "title": m.capitalize(), "id": f"{node}/insights/{m}/lifetime"}
                                    for m in metrics]})

    def reply(self, media: str, text: str, username: str = "reader", hide_status: str =
              "NOT_HUSHED", mine: bool = False) -> str:
        """Someone replies under the post `media` (at any depth): the reply's id."""
        with self._state:
            reply_id = str(next(self._ids))
            self.replies.setdefault(media, []).append({
                "id": reply_id, "text": text, "username": username,
                "permalink": f"https://www.threads.com/@{username}/post/r{reply_id}",
                "timestamp": "2024-06-02T10:00:00+0000", "hide_status": hide_status,
                "is_reply_owned_by_me": mine})
            post = next(p for p in self.published if p["id"] == media)
            counts = post.setdefault("counts", {})
            counts["replies"] = counts.get("replies", 0) + 1
        return reply_id

    def _conversation(self, node: str, params: dict[str, str]) -> Reply:
        if "threads_read_replies" not in self.scopes:
            return graph_error(10, "(#10) Application does not have permission for this action",
                               status=403)
        if not any(p["id"] == node for p in self.published):
            return graph_error(100, f"Unsupported get request. Object with ID '{node}' does not "
                               "exist", subcode=33, kind="GraphMethodException")
        fields = params.get("fields", "id").split(",")
        replies = self.replies.get(node, [])
        ordered = replies if params.get("reverse") == "false" else list(reversed(replies))
        start = int(params.get("after", 0) or 0)
        data = [{f: r[f] for f in fields if f in r} for r in ordered[start:start + 25]]
        body: dict[str, Any] = {"data": data}
        if start + 25 < len(ordered):
            body["paging"] = {"cursors": {"before": str(start), "after": str(start + 25)},
                              "next": f"{self.base_url}/v1.0/{node}/conversation?after="
                                      f"{start + 25}"}
        return Reply(200, body)

    def _list(self, params: dict[str, str], replies: bool) -> Reply:
        fields = params.get("fields", "id").split(",")
        limit, start = int(params.get("limit", 25)), int(params.get("after", 0) or 0)
        newest = [p for p in reversed(self.published) if p.get("is_reply", False) == replies]
        edge = "replies" if replies else "threads"
        data = [{"id": p["id"], **{f: p[f] for f in fields if f in p and p[f] is not None}}
                for p in newest[start:start + limit]]
        body: dict[str, Any] = {"data": data}
        if start + limit < len(newest):
            body["paging"] = {"cursors": {"before": str(start), "after": str(start + limit)},
                              "next": f"{self.base_url}/v1.0/me/{edge}?after={start + limit}"}
        return Reply(200, body)


Fake = FakeThreads  # the name tests/fakes/world.py looks for
