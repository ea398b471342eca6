"""FakeTelegram: the Bot API's sendMessage/getMe under /bot<token>/, strictly.

401 for a well-formed wrong token, 404 for a malformed one; method names case-insensitive;
parameters from the query, a form or JSON; text 1-4096 UTF-16 units; 429 with
parameters.retry_after and no Retry-After header (as observed from the real API).
"""

from __future__ import annotations

import re
import time
from typing import Any

from tests.fakes.server import FakeServer, Recorded, Reply

TOKEN = "123456789:AAE-test_Token-abcdefghijklmnop"
CHAT = "@signalreach"
_PATH = re.compile(r"^/bot(?P<token>[^/]*)/(?P<method>\w+)$")
_TOKEN = re.compile(r"^\d+:[\w-]+$")


def rate_limited(retry_after: int = 1) -> Reply:
    """Telegram's flood-control 429."""
    return Reply(429, {"ok": False, "error_code": 429,
                       "description": f"Too Many Requests: retry after {retry_after}",
                       "parameters": {"retry_after": retry_after}})


def _error(status: int, description: str) -> Reply:
    return Reply(status, {"ok": False, "error_code": status, "description": description})


class FakeTelegram(FakeServer):
    """One bot, admin of one channel."""

    def __init__(self, token: str = TOKEN, chat: str = CHAT) -> None:
        super().__init__()
        self.token = token
        self.chat = chat
        self.messages: list[dict[str, Any]] = []

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
        if not isinstance(text, str) or not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            return _error(400, "Bad Request: message is too long")
        if "parse_mode" in params and params["parse_mode"] not in ("HTML", "MarkdownV2",
                                                                   "Markdown"):
            return _error(400, "Bad Request: unsupported parse_mode")
        preview = params.get("link_preview_options")
        if preview is not None and not isinstance(preview, dict):
            return _error(400, "Bad Request: can't parse link preview options JSON object")
        with self.lock:
            message = {"message_id": len(self.messages) + 1, "date": int(time.time()),
                       "chat": {"id": -1001234567890, "type": "channel", "title": "Signal",
                                "username": self.chat.lstrip("@")},
                       "text": text, "link_preview_options": preview}
            self.messages.append(message)
        return Reply(200, {"ok": True, "result": message})
