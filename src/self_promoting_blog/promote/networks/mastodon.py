"""Mastodon: a public status on the owner's account, on their own server.

One-time setup: on your server open Preferences › Development › New application, tick the scopes
``write:statuses``, ``read:accounts`` and ``read:statuses`` (``invoke stats`` reads each status's
counts), save, and copy "Your access token" into ``MASTODON_ACCESS_TOKEN``; put the server's
address (``https://mastodon.social``) in ``MASTODON_INSTANCE_URL``.

Exactly once: every request for one (slot, account) carries the same ``Idempotency-Key``; the
server returns the original status for a repeat within an hour. After a crash the account's own
recent statuses are searched for the slot's own link first (a follow-up's carries
``utm_content``; a thread's later part is the reply to the part before), so a repeat later than
that is safe too.

Counts: ``GET /api/v1/statuses/:id`` gives ``favourites_count``, ``reblogs_count`` and
``replies_count``; a deleted status answers 404. Replies: when it has any, ``GET
/api/v1/statuses/:id/context`` gives its ``descendants`` in one answer (up to 4,096 with a token;
the endpoint has no pagination: upstream's StatusesController#context, ``CONTEXT_LIMIT``). Kept:
public ones (``visibility`` "public") whose author has not opted out of indexing
(``account.noindex``) and is not the owner (a thread of our own).

Limits: each server sets its own (``GET /api/v2/instance``, Mastodon 4.0+, no token needed): its
``configuration.statuses`` gives ``max_characters`` and ``characters_reserved_per_url``, read once
per run; a server that does not say (older, or another implementation) gets 500 and 23.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from self_promoting_blog.promote.adapters.base import (
    GONE,
    URL_RE,
    Attempt,
    Counts,
    Engagement,
    EnvVar,
    Limits,
    Message,
    NetworkAdapter,
    Posted,
    PublicReply,
    count,
    find_in_pages,
)
from self_promoting_blog.promote.adapters.matching import is_slot_post
from self_promoting_blog.promote.errors import CredentialsError, NetworkError
from self_promoting_blog.promote.http import log, seconds_until_epoch, seconds_until_iso

LOOKUP_PAGES = 5  # 5 x 40 statuses back: far more than one blog announces between two runs
_ANCHOR = re.compile(r"<a\b[^>]*>(.*?)</a>", re.S)
_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p>")
_TAG = re.compile(r"<[^>]+>")


def mastodon_reset(headers: Any) -> float | None:
    """Seconds until X-RateLimit-Reset (ISO 8601 on Mastodon, epoch on some compatibles)."""
    value = headers.get("X-RateLimit-Reset")
    if value and value.replace(".", "", 1).isdigit():
        return seconds_until_epoch(value, headers)
    return seconds_until_iso(value, headers)


class MastodonAdapter(NetworkAdapter):
    """Posts a status through the Mastodon REST API."""

    name = "mastodon"
    label = "Mastodon"
    setup_help = ("Preferences › Development › New application (scopes write:statuses, "
                  "read:accounts, read:statuses), then copy 'Your access token'.")
    recovery = ("every try carries the same `Idempotency-Key` (the server returns the first "
                "status for a repeat within an hour); first the account's own recent statuses "
                "are searched for the slot's own link, so a retry days later is safe too")
    text_limit = 500
    url_weight = 23
    counts_graphemes = True
    env_vars = (
        EnvVar("MASTODON_INSTANCE_URL", "your server's address, e.g. https://mastodon.social"),
        EnvVar("MASTODON_ACCESS_TOKEN", "Preferences › Development › New application (scopes "
               "write:statuses, read:accounts, read:statuses) › Your access token", secret=True),
    )
    base_url_env = "MASTODON_INSTANCE_URL"
    supports_idempotency_key = True
    can_find_existing = True
    rate_limit_on_503 = True  # a 503 with Retry-After is a throttle, not a failure
    read_permission = "the `read:statuses` scope"
    threads = True  # a reply to our own status: in_reply_to_id

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limits: Limits | None = None

    def limits(self) -> Limits:
        """The server's character limit and URL weight, asked once per run."""
        if self._limits is None:
            self._limits = self._instance_limits()
        return self._limits

    def _instance_limits(self) -> Limits:
        """The instance's numbers; each one it does not give is the default."""
        default = self.default_limits()
        statuses = self._instance_statuses()
        characters = _count(statuses.get("max_characters"), minimum=1)
        url_weight = _count(statuses.get("characters_reserved_per_url"), minimum=0)
        limits = Limits(characters or default.characters,
                        default.url_weight if url_weight is None else url_weight)
        if characters is None or url_weight is None:
            log.info("promote: mastodon: %s/api/v2/instance does not give its limits; counting "
                     "%d characters, URLs as %s.", self.base_url, limits.characters,
                     limits.url_weight)
        return limits

    def _instance_statuses(self) -> dict[str, Any]:
        """``configuration.statuses`` of the instance, or {} when it answers without one."""
        try:
            response = self.client.request("GET", f"{self.base_url}/api/v2/instance")
            statuses = response.json()["configuration"]["statuses"]
        except (NetworkError, ValueError, KeyError, TypeError):
            return {}
        return statuses if response.status_code == 200 and isinstance(statuses, dict) else {}

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.env('MASTODON_ACCESS_TOKEN')}"}

    def post(self, message: Message, attempt: Attempt) -> Posted:
        """POST /api/v1/statuses with the row's Idempotency-Key (a thread's part: a reply)."""
        reply = {"in_reply_to_id": message.reply_to} if message.reply_to else {}
        response = self.client.request(
            "POST", f"{self.base_url}/api/v1/statuses",
            headers={**self._headers(), "Idempotency-Key": attempt.key},
            data={"status": message.text, "visibility": "public",
                  "language": self.config.language, **reply})
        return self._posted(self.answer(response))

    def _posted(self, status: dict[str, Any]) -> Posted:
        account = status.get("account") or {}
        url = status.get("url") or f"{self.base_url}/@{account.get('username', '')}/{status['id']}"
        return Posted(str(status["id"]), url)

    def find_existing(self, message: Message, attempt: Attempt) -> Posted | None:
        """Search the account's recent statuses for the slot's own link (a thread's later
        part: the reply to the part before)."""
        me = self.answer(self.client.request(
            "GET", f"{self.base_url}/api/v1/accounts/verify_credentials", headers=self._headers()))
        limit = 40

        def match(status: dict[str, Any]) -> Posted | None:
            if message.reply_to:
                found = status.get("in_reply_to_id") == message.reply_to
            else:
                content = status.get("content") or ""
                links = [m.group() for m in URL_RE.finditer(unescape(content))]
                card_url = (status.get("card") or {}).get("url") or ""
                found = is_slot_post(message, str(status["id"]), [*links, card_url],
                                     _plain(content))
            return self._posted(status) if found else None

        def older(statuses: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any] | None:
            return None if len(statuses) < limit else {**params, "max_id": statuses[-1]["id"]}

        return find_in_pages(
            {"limit": limit, "exclude_replies": "false" if message.reply_to else "true",
             "exclude_reblogs": "true"},
            lambda params: self.answer(self.client.request(
                "GET", f"{self.base_url}/api/v1/accounts/{me['id']}/statuses",
                headers=self._headers(), params=params)),
            lambda statuses: statuses, older, match, LOOKUP_PAGES)

    def read_one(self, post_id: str) -> Engagement:
        """GET /api/v1/statuses/:id: favourites, reblogs and replies; 404 = deleted."""
        response = self.client.request(
            "GET", f"{self.base_url}/api/v1/statuses/{quote(post_id, safe='')}",
            headers=self._headers())
        status = self.read_post(  # a 403: a token without the scope (Doorkeeper's refusal)
            response, "; reading counts needs the read:statuses scope: tick it in Preferences › "
            "Development › your application and copy the new access token",
            "MASTODON_ACCESS_TOKEN")
        if status is None:
            return GONE
        counts = Counts(likes=count(status.get("favourites_count")),
                        reposts=count(status.get("reblogs_count")),
                        replies=count(status.get("replies_count")))
        replies: tuple[PublicReply, ...] = ()
        if counts.replies:
            context = self.client.request(
                "GET", f"{self.base_url}/api/v1/statuses/{quote(post_id, safe='')}/context",
                headers=self._headers())
            if context.status_code in (404, 410):
                return GONE
            owner = str((status.get("account") or {}).get("id"))
            replies = tuple(self._reply(found) for found in
                            self.answer(context).get("descendants") or []
                            if _shown(found, owner))
        return Engagement(counts, replies)

    def _reply(self, status: dict[str, Any]) -> PublicReply:
        account = status.get("account") or {}
        acct = str(account.get("acct") or account.get("username") or "")
        handle = acct if "@" in acct else f"{acct}@{urlsplit(self.base_url).hostname}"
        return PublicReply(
            reply_id=str(status["id"]), url=str(status.get("url") or status.get("uri") or ""),
            author_name=str(account.get("display_name") or account.get("username") or acct),
            author_handle=f"@{handle}", author_url=str(account.get("url") or ""),
            published=str(status.get("created_at") or ""), content=str(status.get("content") or ""),
            edited=status.get("edited_at") or None, likes=count(status.get("favourites_count")),
            reposts=count(status.get("reblogs_count")))

    def error_text(self, body: dict[str, Any] | None, fallback: str) -> str:
        """Mastodon errors: {"error": "..."} (OAuth ones: "error_description")."""
        if body is None:
            return fallback
        return str(body.get("error") or body.get("error_description") or body)

    def special_error(self, status: int, text: str, body: dict[str, Any] | None,
                      response: requests.Response) -> NetworkError | None:
        """A refused token or scope; a 404 means the address is not a Mastodon server."""
        if status == 401:
            return CredentialsError(self.name, text, "MASTODON_ACCESS_TOKEN", status)
        if status == 403:
            return CredentialsError(self.name, f"{text}; the token needs the write:statuses and "
                                    "read:accounts scopes", "MASTODON_ACCESS_TOKEN", status)
        if status == 404:
            return CredentialsError(self.name, f"{text}; is this a Mastodon server?",
                                    "MASTODON_INSTANCE_URL", status)
        return None

    def retry_after(self, response: requests.Response, body: dict[str, Any] | None
                    ) -> float | None:
        """Retry-After, else the ISO 8601 X-RateLimit-Reset."""
        wait = super().retry_after(response, body)
        return wait if wait is not None else mastodon_reset(response.headers)


def _shown(status: Any, owner: str) -> bool:
    """A descendant we may show: public, by someone else, who has not opted out of indexing."""
    if not isinstance(status, dict) or "id" not in status:
        return False
    account = status.get("account") or {}
    return status.get("visibility") == "public" and not account.get("noindex") and \
        str(account.get("id")) != owner


def _plain(content: str) -> str:
    """A status's text from its HTML: a link or hashtag as its visible text (Mastodon splits a
    long link's text into spans), a line break or paragraph as a space."""
    content = _ANCHOR.sub(lambda m: _TAG.sub("", m.group(1)), content)
    return _TAG.sub("", _BREAK.sub(" ", content))


def _count(value: Any, minimum: int) -> int | None:
    """`value` if it is a whole number of at least `minimum` (not a bool), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value
    return None
