"""Discord: a channel message through a webhook, with an embed showing the article's card.

The link is written out in full, not as a masked link (``[short](url)``): Discord's API
documentation does not cover masked links in webhook content, Discord is reported to refuse those
whose text looks like a link, and 2,000 characters leave room for the URL.

One-time setup: in your server open the channel's settings › Integrations › Webhooks › New
Webhook, name it, then "Copy Webhook URL" into ``DISCORD_WEBHOOK_URL``. The URL is the credential
(its last part is the token): keep it secret.

Exactly once: the message is sent with ``?wait=true`` so Discord answers with its id, which is kept;
a message whose id was received can be checked later. A request with no answer cannot be checked
(a webhook cannot list the channel), so the row becomes ``unknown`` and nothing is re-sent.
"""

from __future__ import annotations

import re
from typing import Any

import requests

from self_promoting_blog.promote.adapters.base import (
    Attempt,
    ConfigFinding,
    EnvVar,
    Message,
    NetworkAdapter,
    NetworkConfig,
    Posted,
)
from self_promoting_blog.promote.errors import AmbiguousError, CredentialsError, NetworkError

_WEBHOOK_RE = re.compile(r"^(?P<base>https?://[^/]+(?:/[^/]+)*?/api(?:/v\d+)?)/webhooks/"
                         r"(?P<id>\d+)/(?P<token>[\w.-]+)/?$")
_MARKDOWN = re.compile(r"([\\*_~|`\[\]()<>])|^([#>-])", re.M)
_EMBED_TEXT = 350  # keep the embed a preview, not a second copy of the article


def _webhook(url: str) -> re.Match[str] | None:
    return _WEBHOOK_RE.match(url.strip())


class DiscordAdapter(NetworkAdapter):
    """Executes a webhook with wait=true."""

    name = "discord"
    label = "Discord"
    setup_help = "Channel settings › Integrations › Webhooks › New Webhook › Copy Webhook URL."
    recovery = ("sent with `?wait=true`: a message whose id came back is checked; a request "
                "with no answer cannot be (a webhook cannot read the channel) → `unknown`")
    text_limit = 2000
    counts_utf16 = True  # Discord counts in JavaScript string units
    env_vars = (EnvVar("DISCORD_WEBHOOK_URL", "channel settings › Integrations › Webhooks › "
                       "Copy Webhook URL", secret=True),)
    default_base_url = "https://discord.com/api/v10"
    public_posts = False  # only the server's members can open a message link
    default_retry_after = 5.0
    no_counts = "a webhook cannot read the channel, so Discord gives it no counts"
    no_replies = "a webhook cannot read the channel"

    def __init__(self, config: NetworkConfig, client: Any) -> None:
        match = _webhook(config.env["DISCORD_WEBHOOK_URL"])
        assert match is not None  # check_config ran first
        super().__init__(NetworkConfig(config.env, match["base"], config.language), client)
        self.webhook_id = match["id"]
        self.webhook = f"{match['base']}/webhooks/{match['id']}/{match['token']}"
        self._guild: str | None = None

    @classmethod
    def check_config(cls, config: NetworkConfig) -> list[ConfigFinding]:
        """The webhook URL must be …/api[/vN]/webhooks/<id>/<token>."""
        if _webhook(config.env["DISCORD_WEBHOOK_URL"]):
            return []
        return [ConfigFinding("DISCORD_WEBHOOK_URL", "is not a Discord webhook URL",
                              "Copy it again: https://discord.com/api/webhooks/<id>/<token>.")]

    def account_parts(self) -> tuple[str, ...]:
        """The webhook's id (public) names the channel; its token never enters the ledger."""
        return (self.webhook_id,)

    @classmethod
    def escape(cls, text: str) -> str:
        """Backslash Discord markdown in writer text so it shows as typed."""
        return _MARKDOWN.sub(lambda m: "\\" + (m.group(1) or m.group(2)), text)

    @classmethod
    def payload_preview(cls, message: Message) -> dict[str, Any]:
        """The embed sent with the text."""
        return {"embeds": [cls._embed(message)]}

    @classmethod
    def _embed(cls, message: Message) -> dict[str, Any]:
        card = message.card
        embed: dict[str, Any] = {"title": _shorten(card.title, 256), "url": card.url,
                                 "description": _shorten(card.description, _EMBED_TEXT)}
        if card.image_url:
            embed["image"] = {"url": card.image_url}
        return embed

    def _guild_id(self) -> str:
        """The webhook's server id (for message links), read once before the first post."""
        if self._guild is None:
            self._guild = str(self.answer(self.client.request("GET", self.webhook))
                              .get("guild_id") or "@me")
        return self._guild

    def _url(self, message: dict[str, Any]) -> str:
        return (f"https://discord.com/channels/{self._guild_id()}/"
                f"{message.get('channel_id', '')}/{message['id']}")

    def post(self, message: Message, attempt: Attempt) -> Posted:
        """POST the webhook with wait=true; keep the returned message id."""
        self._guild_id()
        response = self.client.request("POST", self.webhook, params={"wait": "true"}, json={
            "content": message.text, "embeds": [self._embed(message)],
            "allowed_mentions": {"parse": []}})
        sent = self.answer(response)
        attempt.save("message_id", str(sent["id"]))
        return Posted(str(sent["id"]), self._url(sent))

    def find_existing(self, message: Message, attempt: Attempt) -> Posted | None:
        """Check a message whose id was received; without an id there is no way to know."""
        message_id = attempt.progress.get("message_id")
        if not message_id:
            raise AmbiguousError(self.name, "Discord gave no answer, and a webhook cannot list "
                                            "the channel, so whether it was posted is unknown")
        response = self.client.request("GET", f"{self.webhook}/messages/{message_id}")
        if response.status_code == 404:
            return None
        return Posted(str(message_id), self._url(self.answer(response)))

    def error_text(self, body: dict[str, Any] | None, fallback: str) -> str:
        """{"message", "code", "errors"?}: the message, then each field's error."""
        text = super().error_text(body, fallback)
        if body and body.get("errors"):
            text = f"{text}: {_flatten(body['errors'])}"
        return text

    def special_error(self, status: int, text: str, body: dict[str, Any] | None,
                      response: requests.Response) -> NetworkError | None:
        """A deleted or wrong webhook (Unknown Webhook 10015, Invalid Webhook Token 50027)."""
        if status in (401, 403, 404) or (body or {}).get("code") in (10015, 50027):
            return CredentialsError(self.name, text, "DISCORD_WEBHOOK_URL", status)
        return None

    def retry_after(self, response: requests.Response, body: dict[str, Any] | None
                    ) -> float | None:
        """Retry-After, else the body's retry_after."""
        wait = super().retry_after(response, body)
        if wait is None and body and body.get("retry_after") is not None:
            return float(body["retry_after"])
        return wait


def _shorten(text: str, limit: int) -> str:
    """`text` cut at a word (with an ellipsis) to at most `limit` UTF-16 units."""
    if DiscordAdapter.text_length(text) <= limit:
        return text
    words = text.split(" ")
    while len(words) > 1 and DiscordAdapter.text_length(" ".join(words) + "…") > limit:
        words.pop()
    cut = " ".join(words)
    while DiscordAdapter.text_length(cut + "…") > limit:  # one word longer than the limit
        cut = cut[:-1]
    return cut + "…"


def _flatten(errors: Any, path: str = "") -> str:
    """Discord's nested {"field": {"_errors": [{"message"}]}} as "field: message; …"."""
    if isinstance(errors, dict):
        found = [f"{path or 'body'}: {e.get('message')}" for e in errors.get("_errors", [])]
        found += [_flatten(v, f"{path}.{k}" if path else k) for k, v in errors.items()
                  if k != "_errors"]
        return "; ".join(f for f in found if f)
    return ""
