"""Facebook Page: a link post on the owner's Page through the Graph API ``/{page-id}/feed``.

One-time setup: create an app at developers.facebook.com (type Business), add the Pages use case,
and in the Graph API Explorer get a *User* token with ``pages_manage_posts``,
``pages_read_engagement``, ``pages_read_user_content`` (comments) and ``pages_show_list``;
exchange it for a long-lived one, then ``GET /me/accounts`` lists your Pages with a Page token
each (a Page token made from a long-lived user token does not expire). Put the Page's ``id`` in
``FACEBOOK_PAGE_ID`` and its ``access_token`` in ``FACEBOOK_PAGE_ACCESS_TOKEN``. The Graph API
version is ``FACEBOOK_API_VERSION`` (default v24.0; each version lives about two years).

Exactly once: no idempotency key. After a crash or an unanswered request the Page's latest posts
(``GET /{page-id}/posts``) are searched for the slot's own link (a follow-up's carries
``utm_content``); a "duplicate status" refusal (#506) is resolved the same way and never retried.

Counts: ``GET /{post-id}?fields=reactions.summary(total_count),comments.summary(total_count),
shares`` with the Page token (``pages_read_engagement``): reactions, comments and shares.
Replies: for a post with comments, ``GET /{post-id}/comments?filter=stream&order=chronological``
(every comment, replies to comments included, oldest first, paged by ``after`` cursors), which
also needs ``pages_read_user_content``. Kept: comments the Page has not hidden (``is_hidden``)
and not the Page's own. Facebook gives no handle or public profile address for a person, so a
comment shows its author's name and links to the comment.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from self_promoting_blog.promote.adapters.base import (
    GONE,
    Attempt,
    ConfigFinding,
    Counts,
    Engagement,
    EnvVar,
    Message,
    NetworkConfig,
    Posted,
    PublicReply,
    count,
    find_in_pages,
)
from self_promoting_blog.promote.adapters.matching import is_slot_post, links_in
from self_promoting_blog.promote.adapters.meta_graph import (
    DUPLICATE,
    GraphAdapter,
    Remedies,
    next_page_params,
)
from self_promoting_blog.promote.adapters.own_posts import OwnPostsAdapter
from self_promoting_blog.promote.adapters.plain_text import text_html
from self_promoting_blog.promote.adapters.versions import ApiVersion
from self_promoting_blog.promote.errors import NetworkError, PermanentError

VERSION = ApiVersion("FACEBOOK_API_VERSION", "v24.0", re.compile(r"^v\d{1,3}\.\d{1,2}$"),
                     "a Graph API version", 'Write it like "{default}".', "the Graph API version")
LOOKUP_PAGES = 2  # 2 x 25 Page posts back
COMMENT_FIELDS = "id,message,created_time,from,permalink_url,like_count,is_hidden"
COMMENT_PAGES = 20  # pages of 100 comments read per post: far more than an article gets
REMEDIES = Remedies(
    token_variable="FACEBOOK_PAGE_ACCESS_TOKEN",
    renew="get a new long-lived user token in the Graph API Explorer, then copy the Page's "
          "access_token from GET /me/accounts into FACEBOOK_PAGE_ACCESS_TOKEN",
    permissions="pages_manage_posts and pages_read_engagement (and the CREATE_CONTENT task on "
                "the Page); grant them in the Graph API Explorer and copy the new Page token")


class FacebookAdapter(GraphAdapter, OwnPostsAdapter):
    """Posts message + link to a Page's feed with a Page access token."""

    name = "facebook"
    label = "Facebook"
    setup_help = ("Graph API Explorer: a user token with pages_manage_posts, "
                  "pages_read_engagement, pages_read_user_content, pages_show_list; "
                  "GET /me/accounts gives the Page id and its Page access token.")
    recovery = ("the Page's latest posts are searched for the slot's own link; a \"duplicate "
                "status\" refusal (#506) is looked up the same way and never re-sent")
    text_limit = 63206  # the limit commonly cited; Graph documents none
    env_vars = (
        EnvVar("FACEBOOK_PAGE_ID", "the Page's numeric id (GET /me/accounts › id)"),
        EnvVar("FACEBOOK_PAGE_ACCESS_TOKEN", "the Page's access_token from GET /me/accounts "
               "(user token with pages_manage_posts, pages_read_engagement)", secret=True),
        EnvVar("FACEBOOK_API_BASE_URL", "the Graph API, default https://graph.facebook.com",
               required=False, default="https://graph.facebook.com"),
        VERSION.env_var(),
    )
    base_url_env = "FACEBOOK_API_BASE_URL"
    default_base_url = "https://graph.facebook.com"
    posts_owner = "the Page"
    text_holder = "the Page"
    remedies = REMEDIES
    read_permission = ("the `pages_read_engagement` permission (and `pages_read_user_content` "
                       "for comments)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.graph = f"{self.base_url}/{VERSION.value(self.config.env)}"
        self.page = self.env("FACEBOOK_PAGE_ID")

    @classmethod
    def check_config(cls, config: NetworkConfig) -> list[ConfigFinding]:
        """The Page id is a number; the API version looks like v24.0."""
        found = VERSION.check(config.env)
        if not config.env.get("FACEBOOK_PAGE_ID", "").isdigit():
            found.insert(0, ConfigFinding(
                "FACEBOOK_PAGE_ID", "is not a numeric Page id",
                "Copy the `id` of your Page from GET /me/accounts (Graph API Explorer), or from "
                "the Page's About › Page transparency."))
        return found

    @classmethod
    def payload_preview(cls, message: Message) -> dict[str, Any]:
        """The link Facebook builds the preview from (its Open Graph tags)."""
        return {"link": message.link}

    def account_parts(self) -> tuple[str, ...]:
        """The Page id names the account."""
        return (self.base_url, self.page)

    def _token(self) -> dict[str, str]:
        return {"access_token": self.env("FACEBOOK_PAGE_ACCESS_TOKEN")}

    def post(self, message: Message, attempt: Attempt) -> Posted:
        """POST /{page-id}/feed with message and link; the permalink is read back."""
        try:
            body = self.answer(self.client.request(
                "POST", f"{self.graph}/{self.page}/feed",
                data={"message": message.text, "link": message.link, **self._token()}))
        except PermanentError as exc:
            if not exc.message.startswith(DUPLICATE):
                raise
            return self.refused_as_duplicate(exc, message, attempt)  # the Page holds this text
        return Posted(str(body["id"]), self._permalink(str(body["id"])))

    def _permalink(self, post_id: str) -> str:
        """The post's public URL; the id form if the Page cannot be read back."""
        try:
            body = self.answer(self.client.request(
                "GET", f"{self.graph}/{post_id}",
                params={"fields": "permalink_url", **self._token()}))
            return str(body.get("permalink_url") or f"https://www.facebook.com/{post_id}")
        except NetworkError:
            return f"https://www.facebook.com/{post_id}"

    def read_one(self, post_id: str) -> Engagement:
        """The post's reactions, comments and shares (summaries only, no lists)."""
        body = self.read_object(f"{self.graph}/{quote(post_id, safe='')}", {
            "fields": "reactions.limit(0).summary(total_count),"
                      "comments.limit(0).summary(total_count),shares", **self._token()})
        if body is None:
            return GONE

        def total(edge: str) -> int:
            return count(((body.get(edge) or {}).get("summary") or {}).get("total_count"))

        counts = Counts(likes=total("reactions"), replies=total("comments"),
                        reposts=count((body.get("shares") or {}).get("count")))
        replies = self._comments(post_id) if counts.replies else ()
        return GONE if replies is None else Engagement(counts, replies)

    def _comments(self, post_id: str) -> tuple[PublicReply, ...] | None:
        """Every comment under the post the Page shows, oldest first; None: it was deleted."""
        items = self.read_pages(f"{self.graph}/{quote(post_id, safe='')}/comments", {
            "fields": COMMENT_FIELDS, "filter": "stream", "order": "chronological",
            "limit": 100, **self._token()}, COMMENT_PAGES)
        return None if items is None else tuple(
            _comment(item) for item in items if not item.get("is_hidden") and
            (item.get("from") or {}).get("id") not in (None, self.page))

    def search(self, message: Message) -> Posted | None:
        """Look for the slot's link (link or message) among the Page's latest posts."""
        url = f"{self.graph}/{self.page}/posts"

        def match(item: dict[str, Any]) -> Posted | None:
            text = item.get("message") or ""
            if is_slot_post(message, str(item["id"]), [item.get("link") or "", *links_in(text)],
                            text):
                link = item.get("permalink_url") or f"https://www.facebook.com/{item['id']}"
                return Posted(str(item["id"]), str(link))
            return None

        return find_in_pages(
            {"fields": "id,permalink_url,link,message,created_time", "limit": 25,
             **self._token()},
            lambda params: self.answer(self.client.request("GET", url, params=params)),
            lambda page: page.get("data") or [], next_page_params, match, LOOKUP_PAGES)


def _comment(item: dict[str, Any]) -> PublicReply:
    """One comment as a reply to show: its author's name, no handle or profile (Facebook gives
    neither for a person)."""
    return PublicReply(
        reply_id=str(item.get("id")), url=str(item.get("permalink_url") or ""),
        author_name=str((item.get("from") or {}).get("name") or ""), author_handle="",
        author_url="", published=str(item.get("created_time") or ""),
        content=text_html(str(item.get("message") or "")), likes=count(item.get("like_count")))
