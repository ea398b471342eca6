"""The Graph API error envelope that Meta's fakes (Facebook Page, Threads) answer with."""

from __future__ import annotations

import secrets
from typing import Any

from tests.fakes.server import Reply


def graph_error(code: int, message: str, status: int = 400, subcode: int | None = None,
                kind: str = "OAuthException") -> Reply:
    """``{"error": {message, type, code, [error_subcode], fbtrace_id}}`` with HTTP `status`."""
    body: dict[str, Any] = {"message": message, "type": kind, "code": code,
                            "fbtrace_id": "A" + secrets.token_urlsafe(12)}
    if subcode:
        body["error_subcode"] = subcode
    return Reply(status, {"error": body})
