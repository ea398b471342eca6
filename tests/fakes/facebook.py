"""FakeFacebook: the Graph API for one Page on 127.0.0.1, answering with Graph error objects.

Paths carry a version (``/v24.0/...``, any ``vNN.N``). ``POST /{page-id}/feed`` takes ``message``,
``link`` and ``access_token`` as form fields and answers ``{"id": "<page>_<post>"}``;
``GET /{page}_{post}?fields=permalink_url`` and ``GET /{page-id}/posts`` read back. Failures are
``{"error": {message, type, code, error_subcode, fbtrace_id}}``: 190/463 for an expired token,
190 for an unknown one, 200 without ``pages_manage_posts``, 506 for a repeated message, and
``fail_with(code)`` queues a throttling error (4/17/32/613) with ``X-Business-Use-Case-Usage``.

Comments: ``GET /{post-id}/comments`` (Graph reference "/{object-id}/comments"): by default the
top-level ones only, ``filter=stream`` adds replies to comments; ``order`` chronological or
reverse_chronological; paged by ``limit`` and ``paging.cursors.after``; the ``fields`` asked for
among ``id``, ``message``, ``created_time``, ``from`` ({id, name}), ``permalink_url``,
``like_count`` and ``is_hidden``. It needs ``pages_read_engagement`` and
``pages_read_user_content`` (without them only Page Public Content Access, which needs App
Review, reads public comments); a deleted post is 100/33.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from typing import Any

from tests.fakes import graph
from tests.fakes.server import NetworkFake, Recorded, Reply

PAGE_ID = "104857600123456"
TOKEN = "EAAGfakePageTokenZx9Qw3Rt"
_PATH = re.compile(r"^/v\d{1,3}\.\d{1,2}/(?P<node>[^/]+)(?:/(?P<edge>[a-z_]+))?$")
MESSAGES = {
    190: "Error validating access token: Session has expired on Sunday, 22-Nov-26 09:00:00 PST.",
    200: "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts "
         "as an admin with sufficient administrative permission",
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    506: "(#506) Duplicate status message",
}


def graph_error(code: int, message: str | None = None, **fields: Any) -> Reply:
    """A Graph API error object; Facebook's own message for `code` unless one is given."""
    return graph.graph_error(code, message or MESSAGES.get(code, "An error occurred"), **fields)


class FakeFacebook(NetworkFake):
    """One Page's feed, posts and post permalinks."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[dict[str, Any]] = []  # newest last
        self.expired = False
        self.permissions = {"pages_manage_posts", "pages_read_engagement", "pages_show_list",
                            "pages_read_user_content"}
        self.comments: dict[str, list[dict[str, Any]]] = {}  # post id -> comments, oldest first
        self._ids = itertools.count(900000000000001)
        self._state = threading.Lock()

    def env(self) -> dict[str, str]:
        """The FACEBOOK_* variables that reach this fake."""
        return {"FACEBOOK_PAGE_ID": PAGE_ID, "FACEBOOK_PAGE_ACCESS_TOKEN": TOKEN,
                "FACEBOOK_API_BASE_URL": self.base_url}

    def posts(self) -> list[dict[str, Any]]:
        """The Page's posts, oldest first."""
        return list(self.published)

    @staticmethod
    def throttled(code: int, minutes: int = 0) -> Reply:
        """A throttling error as the Page's business-use-case limits report it."""
        reply = graph_error(code)
        usage = {PAGE_ID: [{"type": "pages", "call_count": 100, "total_cputime": 12,
                            "total_time": 20, "estimated_time_to_regain_access": minutes}]}
        reply.headers["X-Business-Use-Case-Usage"] = json.dumps(usage)
        return reply

    def handle(self, request: Recorded) -> Reply:
        """Check the version path and the token, then route."""
        match = _PATH.match(request.path)
        if not match:
            return graph_error(2500, "Unknown path components: " + request.path)
        params = {k: v[-1] for k, v in {**request.query, **request.form}.items()}
        token = params.get("access_token")
        if not token:
            return graph_error(2500, "An active access token must be used to query information "
                               "about the current user.")
        if token != TOKEN:
            return graph_error(190, "Invalid OAuth access token - Cannot parse access token")
        if self.expired:
            return graph_error(190, subcode=463)
        node, edge = match["node"], match["edge"]
        if node == PAGE_ID and edge == "feed" and request.method == "POST":
            return self._publish(params)
        if node == PAGE_ID and edge == "posts" and request.method == "GET":
            return self._list(params)
        if edge is None and request.method == "GET":
            return self._read(node, params)
        if edge == "comments" and request.method == "GET":
            return self._comments(node, params)
        return graph_error(100, f"Unsupported {request.method.lower()} request. Object with ID "
                           f"'{node}' does not exist, cannot be loaded due to missing "
                           "permissions, or does not support this operation",
                           kind="GraphMethodException")

    def _publish(self, params: dict[str, str]) -> Reply:
        if not {"pages_manage_posts", "pages_read_engagement"} <= self.permissions:
            return graph_error(200, status=403)
        message, link = params.get("message", ""), params.get("link", "")
        if not message and not link:
            return graph_error(100, "(#100) Missing message or attachment",
                               kind="OAuthException")
        if link and not link.startswith(("http://", "https://")):
            return graph_error(100, "(#100) link URL is not properly formatted")
        with self._state:
            if message and any(p["message"] == message for p in self.published):
                return graph_error(506)
            post_id = f"{PAGE_ID}_{next(self._ids)}"
            self.published.append({"id": post_id, "message": message, "link": link,
                               "created_time": "2026-11-23T09:00:00+0000",
                               "permalink_url": f"https://www.facebook.com/{PAGE_ID}/posts/"
                                                f"{post_id.split('_')[1]}"})
        return Reply(200, {"id": post_id})

    def _fields(self, post: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        fields = [f for f in params.get("fields", "").split(",") if f] or ["id", "message"]
        # Page posts stopped returning `link` in v3.3: only the message can show the URL.
        return {"id": post["id"], **{f: post[f] for f in fields if f in post and f != "link"}}

    def _read(self, node: str, params: dict[str, str]) -> Reply:
        post = next((p for p in self.published if p["id"] == node), None)
        if post is None:  # Graph's "object does not exist": code 100, subcode 33
            return graph_error(100, f"Unsupported get request. Object with ID '{node}' does not "
                               "exist", subcode=33, kind="GraphMethodException")
        edges = [f.split(".")[0] for f in params.get("fields", "").split(",")]
        if {"reactions", "comments", "shares"} & set(edges):
            return self._engagement(post, edges)
        return Reply(200, self._fields(post, params))

    def _engagement(self, post: dict[str, Any], edges: list[str]) -> Reply:
        """reactions / comments as {data, summary: {total_count}}, shares as {count} (left out
        when nobody shared), which need pages_read_engagement (Graph API reference: Page Post)."""
        if "pages_read_engagement" not in self.permissions:
            return graph_error(10, "(#10) This endpoint requires the 'pages_read_engagement' "
                               "permission", status=403)
        counts = post.get("counts", {})
        body: dict[str, Any] = {"id": post["id"]}
        for edge in ("reactions", "comments"):
            if edge in edges:
                body[edge] = {"data": [], "summary": {"total_count": counts.get(edge, 0)}}
        if "shares" in edges and counts.get("shares"):
            body["shares"] = {"count": counts["shares"]}
        return Reply(200, body)

    def comment(self, post_id: str, message: str, name: str = "A Reader", reply_to: str | None =
                None, hidden: bool = False, by_page: bool = False, likes: int = 0) -> str:
        """Someone (the Page itself with `by_page`) comments on a post, or replies to a comment
        with `reply_to`: the comment's id."""
        with self._state:
            comment_id = f"{post_id.split('_')[1]}_{next(self._ids)}"
            author = {"id": PAGE_ID, "name": "Signal & Reach"} if by_page else \
                {"id": str(next(self._ids)), "name": name}
            self.comments.setdefault(post_id, []).append({
                "id": comment_id, "message": message, "created_time": "2026-11-24T10:00:00+0000",
                "from": author, "like_count": likes, "is_hidden": hidden, "parent": reply_to,
                "permalink_url": f"https://www.facebook.com/{PAGE_ID}/posts/"
                                 f"{post_id.split('_')[1]}?comment_id={comment_id}"})
            post = next(p for p in self.published if p["id"] == post_id)
            counts = post.setdefault("counts", {})
            counts["comments"] = counts.get("comments", 0) + 1
        return comment_id

    def _comments(self, node: str, params: dict[str, str]) -> Reply:
        if not {"pages_read_engagement", "pages_read_user_content"} <= self.permissions:
            return graph_error(10, "(#10) This endpoint requires the 'pages_read_engagement' "
                               "and 'pages_read_user_content' permissions", status=403)
        if not any(p["id"] == node for p in self.published):
            return graph_error(100, f"Unsupported get request. Object with ID '{node}' does not "
                               "exist", subcode=33, kind="GraphMethodException")
        found = [c for c in self.comments.get(node, [])
                 if params.get("filter") == "stream" or c["parent"] is None]
        if params.get("order", "chronological") == "reverse_chronological":
            found.reverse()
        fields = [f for f in params.get("fields", "").split(",") if f] or ["id", "message",
                                                                          "created_time"]
        limit, start = int(params.get("limit", 25)), int(params.get("after", 0) or 0)
        body: dict[str, Any] = {"data": [{f: c[f] for f in fields if f in c}
                                         for c in found[start:start + limit]]}
        if start + limit < len(found):
            body["paging"] = {"cursors": {"before": str(start), "after": str(start + limit)},
                              "next": f"{self.base_url}/v24.0/{node}/comments?after="
                                      f"{start + limit}"}
        return Reply(200, body)

    def _list(self, params: dict[str, str]) -> Reply:
        if "pages_read_engagement" not in self.permissions:
            return graph_error(10, "(#10) This endpoint requires the 'pages_read_engagement' "
                               "permission", status=403)
        limit, start = int(params.get("limit", 25)), int(params.get("after", 0) or 0)
        newest = list(reversed(self.published))
        page = [self._fields(p, params) for p in newest[start:start + limit]]
        body: dict[str, Any] = {"data": page}
        if start + limit < len(newest):
            body["paging"] = {"cursors": {"before": str(start), "after": str(start + limit)},
                              "next": f"{self.base_url}/v24.0/{PAGE_ID}/posts?after="
                                      f"{start + limit}"}
        return Reply(200, body)


Fake = FakeFacebook  # the name tests/fakes/world.py looks for
