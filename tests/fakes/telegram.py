"""FakeTelegram: the Bot API's sendMessage/getMe under /bot<token>/, strictly.

401 for a well-formed wrong token, 404 for a malformed one; method names case-insensitive;
parameters from the query, a form or JSON; text 1-4096 UTF-16 units after entities parsing; 429
with parameters.retry_after and no Retry-After header (as observed from the real API).

``parse_mode: HTML`` is parsed as the Bot API's formatting options describe it
(https://core.telegram.org/bots/api#html-style): only the listed tags, bare ``<``, ``>`` and
``&`` refused, the named entities ``&lt; &gt; &amp; &quot;`` and numeric ones decoded; the stored
message has the shown text and its entities, offsets and lengths in UTF-16 units (MessageEntity).
"""

from __future__ import annotations

import html
import re
import time
from typing import Any

from tests.fakes.server import NetworkFake, Recorded, Reply

TOKEN = "123456789:AAE-test_Token-abcdefghijklmnop"
CHAT = "@signalreach"
_PATH = re.compile(r"^/bot(?P<token>[^/]*)/(?P<method>\w+)$")
_TOKEN = re.compile(r"^\d+:[\w-]+$")
_MARKUP = re.compile(r'<(?P<close>/)?(?P<tag>[a-z-]+)(?P<attrs>(?:\s+[a-z-]+(?:="[^"]*")?)*)\s*>'
                     r"|&(?:#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);|(?P<bare>[<>&])")
_ENTITY_TYPES = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic",
                 "u": "underline", "ins": "underline", "s": "strikethrough",
                 "strike": "strikethrough", "del": "strikethrough", "span": "spoiler",
                 "tg-spoiler": "spoiler", "a": "text_link", "tg-emoji": "custom_emoji",
                 "code": "code", "pre": "pre", "blockquote": "blockquote"}


class EntityError(ValueError):
    """Text that Telegram answers "Bad Request: can't parse entities: …"."""


def utf16(text: str) -> int:
    """Length in UTF-16 code units, Telegram's unit for lengths and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """The text a reader sees and its entities, from Telegram HTML."""
    shown: list[str] = []
    entities: list[dict[str, Any]] = []
    opened: list[tuple[str, int, dict[str, Any]]] = []
    at = 0
    for match in _MARKUP.finditer(source):
        shown.append(source[at:match.start()])
        at = match.end()
        offset = utf16("".join(shown))
        where = f"at byte offset {len(source[:match.start()].encode())}"
        if match["bare"]:
            raise EntityError(f"Unexpected {match['bare']!r} {where}")
        if not match["tag"]:
            shown.append(html.unescape(match.group()))
        elif match["close"]:
            if not opened or opened[-1][0] != match["tag"]:
                raise EntityError(f"Unexpected end tag {match['tag']!r} {where}")
            _tag, start, found = opened.pop()
            if offset > start:  # Telegram drops empty entities
                entities.append({**found, "offset": start, "length": offset - start})
        elif match["tag"] not in _ENTITY_TYPES:
            raise EntityError(f"Unsupported start tag {match['tag']!r} {where}")
        else:
            entity: dict[str, Any] = {"type": _ENTITY_TYPES[match["tag"]]}
            if match["tag"] == "a":
                href = re.search(r'\bhref="([^"]*)"', match["attrs"])
                if not href:
                    raise EntityError(f"Can't find href of the link {where}")
                entity["url"] = html.unescape(href.group(1))
            opened.append((match["tag"], offset, entity))
    if opened:
        raise EntityError(f"Can't find end tag corresponding to start tag {opened[-1][0]!r}")
    shown.append(source[at:])
    return "".join(shown), sorted(entities, key=lambda e: e["offset"])


def rate_limited(retry_after: int = 1) -> Reply:
    """Telegram's flood-control 429."""
    return Reply(429, {"ok": False, "error_code": 429,
                       "description": f"Too Many Requests: retry after {retry_after}",
                       "parameters": {"retry_after": retry_after}})


def _error(status: int, description: str) -> Reply:
    return Reply(status, {"ok": False, "error_code": status, "description": description})


class FakeTelegram(NetworkFake):
    """One bot, admin of one channel."""

    def __init__(self, token: str = TOKEN, chat: str = CHAT) -> None:
        super().__init__()
        self.token = token
        self.chat = chat
        self.messages: list[dict[str, Any]] = []

    def env(self) -> dict[str, str]:
        """The TELEGRAM_* variables that reach this fake."""
        return {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_CHAT_ID": CHAT,
                "TELEGRAM_API_BASE_URL": self.base_url}

    def posts(self) -> list[dict[str, Any]]:
        """The messages sent to the channel, oldest first."""
        return list(self.messages)

    def handle(self, request: Recorded) -> Reply:
        """Route /bot<token>/<method>."""
        match = _PATH.match(request.path)
        if not match or not _TOKEN.match(match["token"]):
            return _error(404, "Not Found")
        if match["token"] != self.token:
            return _error(401, "Unauthorized")
        method = match["method"].lower()
        params = self._params(request)
        if method == "getme":
            return Reply(200, {"ok": True, "result": {"id": 123456789, "is_bot": True,
                                                     "username": "signal_bot"}})
        if method == "sendmessage":
            return self._send(params)
        return _error(404, "Not Found: method not found")

    def _params(self, request: Recorded) -> dict[str, Any]:
        params: dict[str, Any] = {k: v[-1] for k, v in request.query.items()}
        kind = request.header("Content-Type") or ""
        if kind.startswith("application/json"):
            params.update(request.json or {})
        elif kind.startswith("application/x-www-form-urlencoded"):
            params.update({k: v[-1] for k, v in request.form.items()})
        return params

    def _send(self, params: dict[str, Any]) -> Reply:
        if str(params.get("chat_id", "")) != self.chat:
            return _error(400, "Bad Request: chat not found")
        text = params.get("text")
        if not isinstance(text, str):
            return _error(400, "Bad Request: message text is empty")
        mode = params.get("parse_mode")
        if mode not in (None, "HTML"):  # Markdown modes are not played here
            return _error(400, "Bad Request: unsupported parse_mode")
        try:
            text, entities = parse_html(text) if mode == "HTML" else (text, [])
        except EntityError as exc:
            return _error(400, f"Bad Request: can't parse entities: {exc}")
        if not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if utf16(text) > 4096:
            return _error(400, "Bad Request: message is too long")
        preview = params.get("link_preview_options")
        if preview is not None and not isinstance(preview, dict):
            return _error(400, "Bad Request: can't parse link preview options JSON object")
        with self.lock:
            message = {"message_id": len(self.messages) + 1, "date": int(time.time()),
                       "chat": {"id": -1001234567890, "type": "channel", "title": "Signal",
                                "username": self.chat.lstrip("@")},
                       "text": text, "entities": entities, "link_preview_options": preview}
            self.messages.append(message)
        return Reply(200, {"ok": True, "result": message})


Fake = FakeTelegram  # the name tests/fakes/world.py looks for
