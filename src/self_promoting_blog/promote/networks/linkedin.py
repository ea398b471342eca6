"""LinkedIn: an article post (link, title, description, card image) through the versioned Posts API.

One-time setup: create an app at linkedin.com/developers (it must be linked to a Company Page),
add the product "Share on LinkedIn" (scope ``w_member_social``) and "Sign In with LinkedIn using
OpenID Connect" (``openid profile``); get a member token with those scopes (OAuth 2.0 tools ›
Create token) into ``LINKEDIN_ACCESS_TOKEN`` (it lasts 60 days). ``GET /v2/userinfo`` returns
``sub``: your author is ``urn:li:person:<sub>`` in ``LINKEDIN_AUTHOR_URN``. To post as a Company
Page use ``urn:li:organization:<id>`` and a token with ``w_organization_social``. The
``LinkedIn-Version`` sent is ``LINKEDIN_API_VERSION`` (YYYYMM; versions retire after about a
year).

Exactly once: there is no idempotency key and reading one's own posts needs a permission most apps
lack (``r_member_social``; pages have ``r_organization_social``). After a crash the author's posts
are read where allowed; otherwise the row becomes ``unknown``. Retrying it is safe because LinkedIn
refuses identical content with 422 ``DUPLICATE_POST`` naming the existing post, which is recorded.

Counts: ``GET /rest/socialMetadata/{post URN}`` gives the reactions by type and the comments; it
needs ``r_member_social`` (restricted to approved apps) for a member's posts and
``r_organization_social`` for a Page's. LinkedIn gives no repost count.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from self_promoting_blog.promote.adapters.base import (
    GONE,
    URL_RE,
    Attempt,
    ConfigFinding,
    Counts,
    Engagement,
    EnvVar,
    Message,
    NetworkAdapter,
    NetworkConfig,
    Posted,
    count,
    read_error_body,
)
from self_promoting_blog.promote.adapters.card_image import CardImageUnusable, fetch_card_image
from self_promoting_blog.promote.adapters.matching import is_slot_post
from self_promoting_blog.promote.adapters.versions import ApiVersion
from self_promoting_blog.promote.errors import (
    AmbiguousError,
    CredentialsError,
    NetworkError,
    PermanentError,
    RateLimited,
    TransientError,
)

log = logging.getLogger("promote")
VERSION = ApiVersion("LINKEDIN_API_VERSION", "202605", re.compile(r"^20\d{4}(\.\d{2})?$"),
                     "a LinkedIn version", 'Write it as YYYYMM, e.g. "{default}".',
                     "the LinkedIn-Version (YYYYMM)")
URN_RE = re.compile(r"^urn:li:(person|organization):[A-Za-z0-9_-]+$")
_DUPLICATE_OF = re.compile(r"duplicate of (urn:li:(?:share|ugcPost):\d+)")
# "little" text format: these are markup unless escaped; '#' only before a word (a hashtag).
_RESERVED = re.compile(r"([\\|{}@\[\]()<>*_~]|#(?!\w))")
THUMB_MAX_BYTES = 5_000_000
LOOKUP_COUNT = 50


def feed_url(urn: str) -> str:
    """The public address of a post."""
    return f"https://www.linkedin.com/feed/update/{urn}/"


def seconds_to_midnight_utc() -> float:
    """LinkedIn's daily quotas reset at 00:00 UTC and no header says when."""
    now = datetime.now(UTC)
    return 86400.0 - (now.hour * 3600 + now.minute * 60 + now.second)


class LinkedInAdapter(NetworkAdapter):
    """Creates an article post; the thumbnail goes through the Images API first."""

    name = "linkedin"
    label = "LinkedIn"
    setup_help = ("linkedin.com/developers › your app › Products: Share on LinkedIn + Sign In "
                  "with LinkedIn (OpenID Connect); Auth › OAuth 2.0 tools › Create token.")
    recovery = ("the author's posts are read where the app may (`r_member_social`, "
                "`r_organization_social`); otherwise → `unknown`, and `--retry-unknown` is "
                "safe: LinkedIn refuses identical content (`DUPLICATE_POST`) naming the existing "
                "post, which is recorded")
    text_limit = 3000
    env_vars = (
        EnvVar("LINKEDIN_ACCESS_TOKEN", "a member token with w_member_social (or "
               "w_organization_social for a Page), from OAuth 2.0 tools", secret=True),
        EnvVar("LINKEDIN_AUTHOR_URN", "urn:li:person:<sub from /v2/userinfo> or "
               "urn:li:organization:<page id>"),
        EnvVar("LINKEDIN_API_BASE_URL", "the API, default https://api.linkedin.com",
               required=False, default="https://api.linkedin.com"),
        VERSION.env_var(),
    )
    base_url_env = "LINKEDIN_API_BASE_URL"
    default_base_url = "https://api.linkedin.com"
    can_find_existing = True
    refuses_repeats = True  # 422 DUPLICATE_POST
    rate_limit_note = " (daily quota; it resets at 00:00 UTC)"
    read_permission = ("`r_member_social` (a member's posts; LinkedIn grants it to approved apps "
                       "only) or `r_organization_social` (a Page's)")
    no_replies = ("LinkedIn's comments API needs `r_member_social` or "
                  "`r_organization_social_feed`, granted to approved apps only")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.author = self.env("LINKEDIN_AUTHOR_URN")
        self.version = VERSION.value(self.config.env)

    @classmethod
    def check_config(cls, config: NetworkConfig) -> list[ConfigFinding]:
        """The author is a person or organization URN; the version is YYYYMM."""
        found = VERSION.check(config.env)
        if not URN_RE.match(config.env.get("LINKEDIN_AUTHOR_URN", "")):
            found.insert(0, ConfigFinding(
                "LINKEDIN_AUTHOR_URN", "is not a person or organization URN",
                "Write urn:li:person:<sub> (sub from GET https://api.linkedin.com/v2/userinfo) "
                "or urn:li:organization:<your page's number>."))
        return found

    @classmethod
    def escape(cls, text: str) -> str:
        """Backslash the "little" format's reserved characters; URLs stay intact (autolinked)."""
        out, last = [], 0
        for match in URL_RE.finditer(text):
            out += [_RESERVED.sub(r"\\\1", text[last:match.start()]), match.group()]
            last = match.end()
        return "".join(out + [_RESERVED.sub(r"\\\1", text[last:])])

    @classmethod
    def payload_preview(cls, message: Message) -> dict[str, Any]:
        """The article card a dry run would send (the image is uploaded as its thumbnail)."""
        card = message.card
        return {"article": {"source": card.url, "title": card.title,
                            "description": card.description, "thumbnail": card.image_url}}

    def account_parts(self) -> tuple[str, ...]:
        """The author URN names the account."""
        return (self.base_url, self.author)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.env('LINKEDIN_ACCESS_TOKEN')}",
                "LinkedIn-Version": self.version, "X-Restli-Protocol-Version": "2.0.0"}

    # -- posting ----------------------------------------------------------------------------

    def post(self, message: Message, attempt: Attempt) -> Posted:
        """Upload the card image (once per attempt), then POST /rest/posts."""
        article: dict[str, Any] = {"source": message.link, "title": message.card.title}
        if message.card.description:
            article["description"] = message.card.description
        thumbnail = attempt.progress.get("thumbnail") or self._upload(message.card.image_url)
        if thumbnail:
            attempt.save("thumbnail", thumbnail)  # a retry sends the identical post
            article["thumbnail"] = thumbnail
        body = {"author": self.author, "commentary": message.text, "visibility": "PUBLIC",
                "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                                 "thirdPartyDistributionChannels": []},
                "content": {"article": article}, "lifecycleState": "PUBLISHED",
                "isReshareDisabledByAuthor": False}
        response = self.client.request("POST", f"{self.base_url}/rest/posts",
                                       headers=self._headers(), json=body)
        if response.status_code == 422 and (urn := self._duplicate_urn(response)):
            return Posted(urn, feed_url(urn))  # already there: LinkedIn names the post
        self.answer(response, ok=(201,))
        urn = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
        if not urn:
            raise AmbiguousError(self.name, "LinkedIn answered 201 without the new post's id "
                                 "(x-restli-id)", response.status_code)
        return Posted(urn, feed_url(urn))

    def _upload(self, image_url: str | None) -> str | None:
        """Image URN of the card image, or None (the post goes out without a thumbnail)."""
        if not image_url:
            return None
        try:
            image = fetch_card_image(self.client, image_url, THUMB_MAX_BYTES)
            init = self.answer(self.client.request(
                "POST", f"{self.base_url}/rest/images", params={"action": "initializeUpload"},
                headers=self._headers(), json={"initializeUploadRequest": {"owner": self.author}}))
            value = init["value"]
            upload_headers = {"Content-Type": image.kind}
            if _same_host(value["uploadUrl"], self.base_url):
                upload_headers["Authorization"] = self._headers()["Authorization"]
            put = self.client.request("PUT", value["uploadUrl"], data=image.content,
                                      headers=upload_headers)
            self.answer(put, ok=(200, 201))
            return str(value["image"])
        except (CardImageUnusable, NetworkError) as exc:
            log.warning("promote: linkedin: the card image could not be uploaded (%s); the "
                        "post goes out without a thumbnail.", exc)
            return None

    # -- recovery ---------------------------------------------------------------------------

    def find_existing(self, message: Message, attempt: Attempt) -> Posted | None:
        """Read the author's latest posts (needs r_member_social / r_organization_social) for
        the slot's own link (a follow-up's carries utm_content)."""
        try:
            response = self.client.request(
                "GET", f"{self.base_url}/rest/posts?q=author&author={quote(self.author, safe='')}"
                f"&count={LOOKUP_COUNT}&sortBy=LAST_MODIFIED", headers=self._headers())
            body = self.answer(response)
        except (PermanentError, RateLimited, TransientError) as exc:
            raise AmbiguousError(self.name, f"LinkedIn does not let this app read the author's "
                                 f"posts ({exc.message}); check the profile, then run `invoke "
                                 "promote --retry-unknown` (LinkedIn refuses a repeat as a "
                                 "duplicate and names the post) or `--mark-posted`",
                                 exc.status) from None
        for element in body.get("elements") or []:
            source = ((element.get("content") or {}).get("article") or {}).get("source") or ""
            if is_slot_post(message, str(element["id"]), [source],
                            str(element.get("commentary") or "")):
                return Posted(str(element["id"]), feed_url(str(element["id"])))
        return None

    # -- counts -----------------------------------------------------------------------------

    def read_one(self, post_id: str) -> Engagement:
        """The post's social metadata: reactions of every type, and comments."""
        response = self.client.request(
            "GET", f"{self.base_url}/rest/socialMetadata/{quote(post_id, safe='')}",
            headers=self._headers())
        scope = "r_organization_social" if ":organization:" in self.author else "r_member_social"
        body = self.read_post(response, f": reading counts needs the {scope} permission, which "
                              "this token lacks", "LINKEDIN_ACCESS_TOKEN")
        if body is None:
            return GONE
        reactions = body.get("reactionSummaries") or {}
        return Engagement(Counts(
            likes=sum(count((summary or {}).get("count")) for summary in reactions.values()),
            replies=count((body.get("commentSummary") or {}).get("count"))))

    def error_text(self, body: dict[str, Any] | None, fallback: str) -> str:
        """LinkedIn's {status, code, serviceErrorCode, message} bodies → one clear line."""
        if body is None:
            return fallback
        text = str(body.get("message") or body.get("code") or fallback)
        inputs = ((body.get("errorDetails") or {}).get("inputErrors") or [])
        details = [f"{i.get('code')}: {i.get('description')}" for i in inputs
                   if isinstance(i, dict)]
        if details:
            text = f"{text} ({'; '.join(details)})"
        return text.rstrip(". ")

    def _duplicate_urn(self, response: requests.Response) -> str | None:
        """The existing post a 422 DUPLICATE_POST names, if that is what the 422 says."""
        if "DUPLICATE_POST" not in response.text:
            return None
        match = _DUPLICATE_OF.search(self.error_text(*read_error_body(response)))
        return match.group(1) if match else None

    def special_error(self, status: int, text: str, body: dict[str, Any] | None,
                      response: requests.Response) -> NetworkError | None:
        """An expired token, a missing permission, a retired LinkedIn-Version."""
        if status == 401:
            return CredentialsError(self.name, f"{text}: LinkedIn tokens last 60 days; create a "
                                    "new one (linkedin.com/developers › your app › Auth › OAuth "
                                    "2.0 tools › Create token, scopes w_member_social openid "
                                    "profile)", "LINKEDIN_ACCESS_TOKEN", status)
        if status == 403:
            scope = "w_organization_social" if ":organization:" in self.author \
                else "w_member_social"
            return CredentialsError(self.name, f"{text}: the token lacks the {scope} permission "
                                    f"to post as {self.author}; add the product and create a new "
                                    "token", "LINKEDIN_ACCESS_TOKEN", status)
        if status == 426 or (body or {}).get("code") in ("NONEXISTENT_VERSION", "VERSION_MISSING"):
            return PermanentError(self.name, f"{text}: set {VERSION.setting} to a current "
                                  "YYYYMM version", status)
        return None

    def retry_after(self, response: requests.Response, body: dict[str, Any] | None
                    ) -> float | None:
        """Retry-After, else the daily quota's reset at midnight UTC."""
        wait = super().retry_after(response, body)
        return wait if wait is not None else seconds_to_midnight_utc()


def _same_host(url: str, base_url: str) -> bool:
    """The token goes only to LinkedIn's own upload host (or the configured API host)."""
    host = (urlsplit(url).hostname or "").lower()
    return host == (urlsplit(base_url).hostname or "").lower() or host.endswith(".linkedin.com")

