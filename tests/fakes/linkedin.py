"""FakeLinkedIn: the versioned Posts and Images APIs on 127.0.0.1, strict about headers and URNs.

Every ``/rest/*`` call needs ``Authorization: Bearer``, ``LinkedIn-Version: YYYYMM`` (a missing
one is a 400 VERSION_MISSING, an inactive one a 426 NONEXISTENT_VERSION) and
``X-Restli-Protocol-Version: 2.0.0``. ``POST /rest/images?action=initializeUpload`` hands out an
upload URL that takes the bytes with ``PUT``; ``POST /rest/posts`` checks the article post's
shape (author URN, commentary ≤ 3,000, the thumbnail an uploaded image), answers 201 with the
URN in ``x-restli-id`` and no body, and refuses the same commentary + link again with LinkedIn's
422 DUPLICATE_POST naming the first post. Listing posts needs ``r_member_social``, which is off
by default as for most apps.
"""

from __future__ import annotations

import itertools
import re
import threading
from typing import Any
from urllib.parse import unquote

from tests.fakes.server import NetworkFake, Recorded, Reply

TOKEN = "AQX-linkedin-member-token-5tGv8Rq2"
MEMBER = "urn:li:person:Ab3dE5fGh7"
ACTIVE_VERSIONS = {"202605", "202606", "202607", "202608", "202609", "202610", "202611"}
URN = re.compile(r"^urn:li:(person|organization):[A-Za-z0-9_-]+$")
# The "little" text format: reserved characters must come backslash-escaped (URLs excepted).
_UNESCAPED = re.compile(r"(?<!\\)[|{}@\[\]()<>*_~]")
_URLS = re.compile(r"https?://\S+")


def error(status: int, message: str, code: str | None = None,
          service: int | None = None) -> Reply:
    """LinkedIn's error body."""
    body: dict[str, Any] = {"status": status, "message": message}
    if code:
        body["code"] = code
    if service:
        body["serviceErrorCode"] = service
    return Reply(status, body)


class FakeLinkedIn(NetworkFake):
    """Images initializeUpload + PUT upload, Posts create and list."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[dict[str, Any]] = []
        self.images: dict[str, bytes | None] = {}  # image URN -> uploaded bytes
        self.author = MEMBER
        self.expired = False        # the token's 60 days are over
        self.can_post = True        # w_member_social granted
        self.can_list = False       # r_member_social (restricted) granted
        self._ids = itertools.count(7300000000000000001)
        self._state = threading.Lock()

    def env(self) -> dict[str, str]:
        """The LINKEDIN_* variables that reach this fake."""
        return {"LINKEDIN_ACCESS_TOKEN": TOKEN, "LINKEDIN_AUTHOR_URN": self.author,
                "LINKEDIN_API_BASE_URL": self.base_url}

    def posts(self) -> list[dict[str, Any]]:
        """The posts created, oldest first."""
        return list(self.published)

    def handle(self, request: Recorded) -> Reply:
        """Check auth and the versioning headers, then route."""
        if request.path.startswith("/dms-uploads/"):
            return self._upload(request)
        if not request.path.startswith("/rest/"):
            return error(404, f"no resource {request.path}", "RESOURCE_NOT_FOUND")
        refused = self._refuse(request)
        if refused:
            return refused
        if request.path == "/rest/images" and request.method == "POST":
            return self._initialize(request)
        if request.path == "/rest/posts" and request.method == "POST":
            return self._create(request)
        if request.path == "/rest/posts" and request.method == "GET":
            return self._list(request)
        if request.path.startswith("/rest/socialMetadata/") and request.method == "GET":
            return self._social_metadata(unquote(request.path.removeprefix(
                "/rest/socialMetadata/")))
        return error(404, f"no resource {request.method} {request.path}", "RESOURCE_NOT_FOUND")

    def _social_metadata(self, urn: str) -> Reply:
        """Social Metadata API: reactions by type and comments of one post; reading needs
        r_member_social (restricted) or r_organization_social (learn.microsoft.com, Social
        Metadata API, Permissions)."""
        if not self.can_list:
            return error(403, "Not enough permissions to access: socialMetadata.GET.20240601",
                         "ACCESS_DENIED", 100)
        post = next((p for p in self.published if p["id"] == urn), None)
        if post is None:
            return error(404, f"Not found: {urn}", "NOT_FOUND")
        counts = post.get("counts", {})
        reactions = counts.get("reactions", {})
        return Reply(200, {"entity": urn, "commentsState": "OPEN",
                           "reactionSummaries": {kind: {"reactionType": kind, "count": n}
                                                 for kind, n in reactions.items()},
                           "commentSummary": {"count": counts.get("comments", 0),
                                              "topLevelCount": counts.get("comments", 0)}})

    def _refuse(self, request: Recorded) -> Reply | None:
        """The error for a bad token or missing/wrong versioning headers, if any."""
        if request.header("Authorization") != f"Bearer {TOKEN}":
            return error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600)
        if self.expired:
            return error(401, "The token used in the request has expired",
                         "EXPIRED_ACCESS_TOKEN", 65601)
        version = request.header("LinkedIn-Version")
        if not version:
            return error(400, "A version must be present. Please specify a version by adding "
                         "the LinkedIn-Version header.", "VERSION_MISSING")
        if version not in ACTIVE_VERSIONS:
            return error(426, f"Requested version {version} is not active",
                         "NONEXISTENT_VERSION")
        if request.header("X-Restli-Protocol-Version") != "2.0.0":
            return error(400, "X-Restli-Protocol-Version 2.0.0 is required",
                         "ILLEGAL_ARGUMENT")
        return None

    # -- images -----------------------------------------------------------------------------

    def _initialize(self, request: Recorded) -> Reply:
        if request.query.get("action") != ["initializeUpload"]:
            return error(400, "action=initializeUpload is required", "ILLEGAL_ARGUMENT")
        owner = ((request.json or {}).get("initializeUploadRequest") or {}).get("owner", "")
        if not URN.match(owner):
            return error(400, f"Invalid owner URN: {owner!r}", "ILLEGAL_ARGUMENT")
        if owner != self.author:
            return error(403, f"Not enough permissions to upload images for {owner}",
                         "ACCESS_DENIED", 100)
        with self._state:
            number = next(self._ids)
            urn = f"urn:li:image:D4E10AQ{number}"
            self.images[urn] = None
        return Reply(200, {"value": {"uploadUrlExpiresAt": 1_900_000_000_000,
                                     "uploadUrl": f"{self.base_url}/dms-uploads/{number}",
                                     "image": urn}})

    def _upload(self, request: Recorded) -> Reply:
        urn = f"urn:li:image:D4E10AQ{request.path.rsplit('/', 1)[-1]}"
        if request.method != "PUT" or urn not in self.images:
            return error(404, "unknown upload URL", "RESOURCE_NOT_FOUND")
        if request.header("Authorization") != f"Bearer {TOKEN}":
            return error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600)
        if not request.body.startswith(b"\x89PNG") and not request.body.startswith(b"\xff\xd8"):
            return error(400, "the upload is not a PNG or JPEG image", "ILLEGAL_ARGUMENT")
        self.images[urn] = request.body
        return Reply(201, None)

    # -- posts ------------------------------------------------------------------------------

    def _create(self, request: Recorded) -> Reply:
        body = request.json
        if not isinstance(body, dict):
            return error(400, "the body must be JSON", "ILLEGAL_ARGUMENT")
        author = str(body.get("author", ""))
        if not URN.match(author):
            return _input_error(f"/author: {author!r} is not a valid person or organization URN",
                                "INVALID_URN_ID")
        if not self.can_post or author != self.author:
            return error(403, "Not enough permissions to access: "
                         "partnerApiPostsExternal.CREATE.20260501", "ACCESS_DENIED", 100)
        problem = _check_post(body, self.images)
        if problem:
            return _input_error(problem, "INVALID_FIELD")
        commentary, source = body["commentary"], body["content"]["article"]["source"]
        with self._state:
            for post in self.published:
                if post["commentary"] == commentary and post["source"] == source:
                    return Reply(422, {
                        "errorDetailType": "com.linkedin.common.error.BadRequest",
                        "message": "com.linkedin.content.common.exception."
                                   "BadRequestResponseException: Content is a duplicate of "
                                   f"{post['id']}",
                        "errorDetails": {"inputErrors": [{"description": "Duplicate post is "
                                                          "detected", "input": {},
                                                          "code": "DUPLICATE_POST"}]},
                        "status": 422})
            urn = f"urn:li:share:{next(self._ids)}"
            self.published.append({"id": urn, "author": author, "commentary": commentary,
                               "source": source, "body": body})
        return Reply(201, None, {"x-restli-id": urn, "Content-Type": "application/json"})

    def _list(self, request: Recorded) -> Reply:
        if request.query.get("q") != ["author"] or \
                unquote((request.query.get("author") or [""])[0]) != self.author:
            return error(400, "q=author&author=<urn> is required", "ILLEGAL_ARGUMENT")
        if not self.can_list:
            return error(403, "Not enough permissions to access: "
                         "partnerApiPostsExternal.FINDER-author.20260501", "ACCESS_DENIED", 100)
        count = int((request.query.get("count") or ["10"])[0])
        elements = [p["body"] | {"id": p["id"]} for p in reversed(self.published)][:count]
        return Reply(200, {"elements": elements, "paging": {"start": 0, "count": count}})


def _input_error(message: str, code: str) -> Reply:
    return Reply(422, {"errorDetailType": "com.linkedin.common.error.BadRequest",
                       "message": message, "status": 422,
                       "errorDetails": {"inputErrors": [{"description": message, "input": {},
                                                         "code": code}]}})


def _check_post(body: dict[str, Any], images: dict[str, bytes | None]) -> str | None:
    """What is wrong with an article post body, or None."""
    commentary = body.get("commentary")
    if not isinstance(commentary, str):
        return "/commentary: required"
    if len(commentary) > 3000:
        return f"/commentary: {len(commentary)} characters is over 3000"
    plain = _URLS.sub("", commentary)
    if _UNESCAPED.search(plain):
        return f"/commentary: unescaped reserved character {_UNESCAPED.search(plain).group()!r}"
    if body.get("visibility") not in ("PUBLIC", "CONNECTIONS", "LOGGED_IN"):
        return "/visibility: must be PUBLIC, CONNECTIONS or LOGGED_IN"
    if (body.get("distribution") or {}).get("feedDistribution") != "MAIN_FEED":
        return "/distribution/feedDistribution: MAIN_FEED expected"
    if body.get("lifecycleState") != "PUBLISHED":
        return "/lifecycleState: PUBLISHED expected"
    article = (body.get("content") or {}).get("article") or {}
    if not str(article.get("source", "")).startswith(("http://", "https://")):
        return "/content/article/source: an http(s) URL is required"
    if not article.get("title"):
        return "/content/article/title: required"
    thumbnail = article.get("thumbnail")
    if thumbnail is not None and images.get(thumbnail) is None:
        return f"/content/article/thumbnail: {thumbnail} was never uploaded"
    return None


Fake = FakeLinkedIn  # the name tests/fakes/world.py looks for
