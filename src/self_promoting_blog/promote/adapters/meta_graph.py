"""Meta's Graph API, shared by the Facebook Page and Threads adapters: errors and paging.

Every failure is ``{"error": {"message", "type", "code", "error_subcode", "error_user_msg",
"fbtrace_id"}}`` and the *code* (not the HTTP status) says what happened (Graph API "Handling
Errors"): 190 / 102 the token expired or was revoked, 10 and 200–299 a permission is missing,
4 / 17 / 32 / 613 / 80001 (and 341) throttling, 506 a duplicate post, 1 / 2 a temporary fault.
Throttled responses may carry ``X-Business-Use-Case-Usage`` (Page tokens) or ``X-App-Usage``;
the former's ``estimated_time_to_regain_access`` is in minutes. Lists come in pages that
point to the next with ``paging.cursors.after`` while ``paging.next`` is there. An object that no
longer exists answers code 100, subcode 33 ("Unsupported get request. Object with ID … does not
exist").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

import requests

from self_promoting_blog.promote.adapters.base import NetworkAdapter, read_error_body
from self_promoting_blog.promote.errors import (
    AmbiguousError,
    CredentialsError,
    NetworkError,
    PermanentError,
    RateLimited,
    TransientError,
)
from self_promoting_blog.promote.http import parse_retry_after

TOKEN_CODES = frozenset({102, 190})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
THROTTLE_CODES = frozenset({4, 17, 32, 341, 613, 80001})
DUPLICATE_CODE = 506
TEMPORARY_CODES = frozenset({1, 2})
THROTTLE_WAIT = 3600.0  # Graph call counts roll over an hour when no header says otherwise
DUPLICATE = "duplicate post"
NO_SUCH_OBJECT = (100, 33)  # (code, subcode): the object was deleted (or never was)


@dataclass(frozen=True)
class GraphError:
    """The fields of one Graph API error object."""

    message: str
    type: str = ""
    code: int | None = None
    subcode: int | None = None
    trace: str = ""

    def line(self) -> str:
        """One line: the message, then code/subcode, type and trace id for a support ticket."""
        codes = f"code {self.code}" + (f"/{self.subcode}" if self.subcode else "")
        extra = ", ".join(p for p in (codes if self.code is not None else "", self.type,
                                      f"fbtrace_id {self.trace}" if self.trace else "") if p)
        return f"{self.message} ({extra})" if extra else self.message


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def graph_error(body: dict[str, Any] | None, fallback: str) -> GraphError:
    """The error object of a failed response's body (`fallback` words it when there is none)."""
    error = (body or {}).get("error")
    if not isinstance(error, dict):
        return GraphError(fallback)
    message = str(error.get("error_user_msg") or error.get("message") or "no message")
    return GraphError(message, str(error.get("type") or ""), _int(error.get("code")),
                      _int(error.get("error_subcode")), str(error.get("fbtrace_id") or ""))


def throttle_wait(headers: Any) -> float:
    """Seconds to wait after throttling: Retry-After, else the longest business-use-case wait."""
    wait = parse_retry_after(headers.get("Retry-After"), headers)
    if wait is not None:
        return wait
    minutes = []
    try:
        usage = json.loads(headers.get("X-Business-Use-Case-Usage") or "{}")
    except ValueError:
        usage = {}
    for entries in usage.values() if isinstance(usage, dict) else []:
        for entry in entries if isinstance(entries, list) else []:
            value = _int((entry or {}).get("estimated_time_to_regain_access"))
            if value is not None:
                minutes.append(value)
    return max(minutes) * 60.0 if minutes else THROTTLE_WAIT


@dataclass(frozen=True)
class Remedies:
    """What one network tells the owner to do about a token or permission problem."""

    token_variable: str
    renew: str          # how to get a new token
    permissions: str    # the permissions posting needs


class GraphAdapter(NetworkAdapter):
    """An adapter of a Graph-style API: errors are read by their code, with the fixes of
    `remedies` (the shared end of `parse_error` only words the rest as permanent)."""

    remedies: ClassVar[Remedies]

    def error_text(self, body: dict[str, Any] | None, fallback: str) -> str:
        """The error object in one line, with its codes and trace id."""
        return graph_error(body, fallback).line()

    def special_error(self, status: int, text: str, body: dict[str, Any] | None,
                      response: requests.Response) -> NetworkError | None:
        """Token, permission, throttling, duplicate and temporary codes, with the owner's fix."""
        code, remedies = graph_error(body, "").code, self.remedies
        if code in TOKEN_CODES or (status == 401 and code is None):
            return CredentialsError(self.name, f"{text}: the access token has expired or was "
                                    f"revoked; {remedies.renew}", remedies.token_variable, status)
        if code in PERMISSION_CODES:
            return CredentialsError(self.name, f"{text}: the token lacks a permission; it "
                                    f"needs {remedies.permissions}", remedies.token_variable,
                                    status)
        if code in THROTTLE_CODES or status == 429:
            return RateLimited(self.name, text, throttle_wait(response.headers), status)
        if code == DUPLICATE_CODE:
            return PermanentError(self.name, f"{DUPLICATE}: {text}", status)
        if code in TEMPORARY_CODES or status >= 500:
            if response.request is not None and response.request.method == "GET":
                return TransientError(self.name, text, status)
            return AmbiguousError(self.name, text, status)  # a POST may have landed
        return None

    def read_object(self, url: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """GET one object's counts: its body, None once it was deleted; a missing permission
        names what reading needs (`read_permission`), not what posting does."""
        response = self.client.request("GET", url, params=params)
        if response.status_code == 200:
            body = self.answer(response)
            return body if isinstance(body, dict) else {}
        error = graph_error(*read_error_body(response))
        if response.status_code == 404 or (error.code, error.subcode) == NO_SUCH_OBJECT:
            return None
        if error.code in PERMISSION_CODES:
            raise CredentialsError(self.name, f"{error.line()}: reading counts needs "
                                   f"{self.read_permission}; grant it and copy the new token",
                                   self.remedies.token_variable, response.status_code)
        raise self.parse_error(response)

    def read_pages(self, url: str, params: dict[str, Any], pages: int
                   ) -> list[dict[str, Any]] | None:
        """The items of up to `pages` pages of the list at `url`, in order, each page read as
        `read_object` reads; None once the object the list hangs off was deleted."""
        items: list[dict[str, Any]] = []
        ask: dict[str, Any] | None = params
        for _page in range(pages):
            if ask is None:
                break
            page = self.read_object(url, ask)
            if page is None:
                return None
            items += [item for item in page.get("data") or [] if isinstance(item, dict)]
            ask = next_page_params(page, ask)
        return items


def next_page_params(page: Any, params: dict[str, Any]) -> dict[str, Any] | None:
    """The request for the page after `page` (its ``paging.cursors.after``), None at the end."""
    paging = page.get("paging") or {}
    after = (paging.get("cursors") or {}).get("after")
    if not paging.get("next") or not after:
        return None
    return {**params, "after": after}
