"""FakeDiscord: one channel webhook (execute, get, get message), strictly.

Content ≤ 2,000 and embed limits (title 256, description 4,096, all embed text 6,000) counted in
UTF-16 units; Discord's error bodies (50027 invalid token, 10015 unknown webhook, 50035 invalid
form body with nested _errors, 50006 empty message); X-RateLimit-* on every answer.
"""

from __future__ import annotations

import re
import time
from typing import Any

from tests.fakes.server import NetworkFake, Recorded, Reply

WEBHOOK_ID = "112233445566778899"
TOKEN = "dWebhookToken_test-AbCdEfGhIjKlMnOp"
GUILD_ID = "900100200300400500"
CHANNEL_ID = "900100200300400501"
_PATH = re.compile(r"^/api/v10/webhooks/(?P<id>\d+)/(?P<token>[^/]+)(?:/messages/(?P<msg>\d+))?$")


def units(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def rate_limited(retry_after: float = 1.0) -> Reply:
    """Discord's 429: Retry-After header and retry_after in the body."""
    return Reply(429, {"message": "You are being rate limited.", "retry_after": retry_after,
                       "global": False},
                 {"Retry-After": str(int(retry_after) or 1), "X-RateLimit-Limit": "5",
                  "X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": str(retry_after),
                  "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                  "X-RateLimit-Bucket": "webhookbucket", "X-RateLimit-Scope": "shared"})


def _invalid(field: str, message: str) -> Reply:
    return Reply(400, {"code": 50035, "message": "Invalid Form Body",
                       "errors": {field: {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH",
                                                       "message": message}]}}})


def check_embeds(embeds: Any) -> Reply | None:
    """Discord's embed limits."""
    if not isinstance(embeds, list) or len(embeds) > 10:
        return _invalid("embeds", "Must be 10 or fewer in length.")
    total = 0
    for embed in embeds:
        title, description = embed.get("title", ""), embed.get("description", "")
        if units(title) > 256:
            return _invalid("embeds.0.title", "Must be 256 or fewer in length.")
        if units(description) > 4096:
            return _invalid("embeds.0.description", "Must be 4096 or fewer in length.")
        url = embed.get("url", "")
        if url and not url.startswith(("http://", "https://")):
            return _invalid("embeds.0.url", "Scheme must be one of ('http', 'https').")
        total += units(title) + units(description)
    if total > 6000:
        return _invalid("embeds", "Embed size exceeds maximum size of 6000")
    return None


class FakeDiscord(NetworkFake):
    """One webhook in one channel of one guild."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: dict[str, dict[str, Any]] = {}

    @property
    def webhook_url(self) -> str:
        """The URL an owner would copy."""
        return f"{self.base_url}/api/v10/webhooks/{WEBHOOK_ID}/{TOKEN}"

    def env(self) -> dict[str, str]:
        """The DISCORD_* variable that reaches this fake."""
        return {"DISCORD_WEBHOOK_URL": self.webhook_url}

    def posts(self) -> list[dict[str, Any]]:
        """The messages the webhook created, oldest first."""
        return list(self.messages.values())

    def _reply(self, status: int, body: Any = None) -> Reply:
        return Reply(status, body, {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "4",
                                    "X-RateLimit-Reset-After": "1.0",
                                    "X-RateLimit-Bucket": "webhookbucket"})

    def handle(self, request: Recorded) -> Reply:
        """Route the webhook paths."""
        match = _PATH.match(request.path)
        if not match or match["id"] != WEBHOOK_ID:
            return self._reply(404, {"message": "Unknown Webhook", "code": 10015})
        if match["token"] != TOKEN:
            return self._reply(401, {"message": "Invalid Webhook Token", "code": 50027})
        if match["msg"]:
            found = self.messages.get(match["msg"])
            return self._reply(200, found) if found else \
                self._reply(404, {"message": "Unknown Message", "code": 10008})
        if request.method == "GET":
            return self._reply(200, {"id": WEBHOOK_ID, "type": 1, "guild_id": GUILD_ID,
                                     "channel_id": CHANNEL_ID, "name": "Signal & Reach",
                                     "token": TOKEN})
        if request.method == "POST":
            return self._execute(request)
        return self._reply(405, {"message": "405: Method Not Allowed", "code": 0})

    def _execute(self, request: Recorded) -> Reply:
        if not (request.header("Content-Type") or "").startswith("application/json"):
            return self._reply(400, {"message": "Cannot send an empty message", "code": 50006})
        body = request.json or {}
        content, embeds = body.get("content") or "", body.get("embeds") or []
        if not content and not embeds:
            return self._reply(400, {"message": "Cannot send an empty message", "code": 50006})
        if units(content) > 2000:
            return _invalid("content", "Must be 2000 or fewer in length.")
        problem = check_embeds(embeds)
        if problem:
            return problem
        with self.lock:
            message_id = str(1_250_000_000_000_000_000 + len(self.messages) + 1)
            message = {"id": message_id, "channel_id": CHANNEL_ID, "webhook_id": WEBHOOK_ID,
                       "content": content, "embeds": embeds, "type": 0,
                       "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())}
            self.messages[message_id] = message
        if request.query.get("wait", ["false"])[-1] == "true":
            return self._reply(200, message)
        return self._reply(204)


Fake = FakeDiscord  # the name tests/fakes/world.py looks for
