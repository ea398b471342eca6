"""Telegram: a message in the owner's channel, with a large link preview of the article.

The text is sent as HTML (counted by Telegram after its markup is parsed): writer text escaped,
the full UTM-tagged URL as the link (a short display form would make Telegram's apps ask "Open
this link?" before every click, and 4,096 units never cut our posts), and the preview pinned to
that URL with ``link_preview_options.url``.

One-time setup: talk to @BotFather in Telegram, send /newbot, and put the token it gives you in
``TELEGRAM_BOT_TOKEN``; add the bot to your channel as an administrator allowed to post messages;
put the channel's ``@username`` (or its numeric id, ``-100…``) in ``TELEGRAM_CHAT_ID``.

Exactly once: the Bot API has no idempotency key and cannot read a channel's history, so a request
whose answer was lost can never be checked. Such a row becomes ``unknown``, nothing is re-sent, and
the owner settles it with ``invoke promote --retry-unknown`` or ``--mark-posted``.
"""

from __future__ import annotations

import re
from html import escape
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

_TOKEN_RE = re.compile(r"^\d+:[\w-]{10,}$")
_CHAT_RE = re.compile(r"^(@[A-Za-z]\w{3,}|-?\d+)$")


class TelegramAdapter(NetworkAdapter):
    """Posts with the Bot API's sendMessage."""

    name = "telegram"
    label = "Telegram"
    setup_help = ("@BotFather › /newbot gives the token; make the bot an administrator of the "
                  "channel with the right to post.")
    recovery = "the Bot API has no idempotency key and cannot read the channel → `unknown`"
    text_limit = 4096
    counts_utf16 = True  # entity offsets are UTF-16 units; counting them is never too lenient
    env_vars = (
        EnvVar("TELEGRAM_BOT_TOKEN", "@BotFather › /newbot › the token (123456:ABC…)",
               secret=True),
        EnvVar("TELEGRAM_CHAT_ID", "the channel's @username or numeric id (-100…)"),
        EnvVar("TELEGRAM_API_BASE_URL", "a Bot API server, default https://api.telegram.org",
               required=False, default="https://api.telegram.org"),
    )
    base_url_env = "TELEGRAM_API_BASE_URL"
    default_base_url = "https://api.telegram.org"
    default_retry_after = 30.0
    no_counts = "the Bot API cannot read a channel's messages, so it gives no counts"
    no_replies = "the Bot API cannot read a channel's messages or their comments"

    @classmethod
    def check_config(cls, config: NetworkConfig) -> list[ConfigFinding]:
        """The token is `<digits>:<letters>`; the chat is @name or a number."""
        found = []
        if not _TOKEN_RE.match(config.env["TELEGRAM_BOT_TOKEN"]):
            found.append(ConfigFinding(
                "TELEGRAM_BOT_TOKEN", "does not look like a bot token",
                "Copy it whole from @BotFather: digits, a colon, then letters."))
        if not _CHAT_RE.match(config.env["TELEGRAM_CHAT_ID"]):
            found.append(ConfigFinding(
                "TELEGRAM_CHAT_ID", "is neither @channelname nor a number",
                "Use the channel's @username or its numeric id (-100…)."))
        return found

    def account_parts(self) -> tuple[str, ...]:
        """The chat posted to (not the bot, not the server)."""
        return (self.env("TELEGRAM_CHAT_ID").lower(),)

    @classmethod
    def payload_preview(cls, message: Message) -> dict[str, Any]:
        """The HTML text and the link preview options that are sent."""
        return cls._payload(message)

    @staticmethod
    def _payload(message: Message) -> dict[str, Any]:
        return {"text": _html(message), "parse_mode": "HTML",
                "link_preview_options": {"url": message.link, "prefer_large_media": True}}

    def post(self, message: Message, attempt: Attempt) -> Posted:
        """sendMessage with the text as HTML and the preview pinned to the article."""
        response = self.client.request(
            "POST", f"{self.base_url}/bot{self.env('TELEGRAM_BOT_TOKEN')}/sendMessage",
            json={"chat_id": self.env("TELEGRAM_CHAT_ID"), **self._payload(message)})
        result = self.answer(response)["result"]
        chat = result.get("chat") or {}
        message_id = result["message_id"]
        if chat.get("username"):
            url = f"https://t.me/{chat['username']}/{message_id}"
        else:
            url = f"https://t.me/c/{str(chat.get('id', '')).removeprefix('-100')}/{message_id}"
        return Posted(str(message_id), url)

    def find_existing(self, message: Message, attempt: Attempt) -> Posted | None:
        """The Bot API cannot read a channel's history: there is no way to know."""
        raise AmbiguousError(self.name, "Telegram's Bot API cannot look up earlier messages, so "
                                        "whether this one was posted is unknown")

    def error_text(self, body: dict[str, Any] | None, fallback: str) -> str:
        """{"ok": false, "error_code", "description", "parameters": {"retry_after"}}."""
        return str((body or {}).get("description") or fallback)

    def special_error(self, status: int, text: str, body: dict[str, Any] | None,
                      response: requests.Response) -> NetworkError | None:
        """A refused token; a chat the bot cannot post in."""
        if status in (401, 404):
            return CredentialsError(self.name, text, "TELEGRAM_BOT_TOKEN", status)
        if status == 403 or (status == 400 and "chat not found" in text.lower()):
            return CredentialsError(self.name, f"{text}; the bot must be an administrator of "
                                    "the channel", "TELEGRAM_CHAT_ID", status)
        return None

    def retry_after(self, response: requests.Response, body: dict[str, Any] | None
                    ) -> float | None:
        """The body's parameters.retry_after, else Retry-After."""
        wait = ((body or {}).get("parameters") or {}).get("retry_after")
        return float(wait) if wait is not None else super().retry_after(response, body)


def _html(message: Message) -> str:
    """The text as Telegram HTML: ``<``, ``>``, ``&`` escaped, each link span an ``<a href>``."""
    out, at = [], 0
    for span in message.links:
        shown = escape(message.text[span.start:span.end], quote=False)
        out += [escape(message.text[at:span.start], quote=False),
                f'<a href="{escape(span.target)}">{shown}</a>']
        at = span.end
    out.append(escape(message.text[at:], quote=False))
    return "".join(out)
