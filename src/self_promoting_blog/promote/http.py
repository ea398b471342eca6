"""HTTP for the promote plugin: one Session per network, timeouts, rate-limit waits, redaction.

Every request goes through ``HttpClient.request``, which never lets a ``requests`` exception out:
those carry the full URL (Telegram's and Discord's tokens live in the path), so they are translated
into ``TransientError`` (provably nothing sent) or ``AmbiguousError`` (it may have landed), with a
redacted message, ``from None``. ``redact`` scrubs every registered secret and token-shaped pattern;
``install_log_redaction`` applies it to our logger and to urllib3's, which logs request paths.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

import requests
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from self_promoting_blog.promote.errors import AmbiguousError, TransientError

log = logging.getLogger("promote")

_secrets: set[str] = set()
_secrets_lock = threading.Lock()
# Token shapes redacted even if nobody registered them: Telegram bot paths, Discord webhook
# paths, bearer headers, access_token query parameters, JWTs.
_PATTERNS = [
    (re.compile(r"(/bot)\d+:[\w-]+"), r"\1***"),
    (re.compile(r"(/webhooks/\d+/)[\w.-]+"), r"\1***"),
    (re.compile(r"(Bearer\s+)[\w.~+/=-]+", re.I), r"\1***"),
    (re.compile(r"((?:access_token|password)=)[^&\s\"']+", re.I), r"\1***"),
    (re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]+"), "***"),
]


def add_secret(value: str | None) -> None:
    """Register a secret (and its URL-encoded forms) so `redact` removes it everywhere."""
    if not value or len(value) < 4:
        return
    with _secrets_lock:
        _secrets.update({value, quote(value, safe=""), quote_plus(value)})


def redact(text: object) -> str:
    """Return `text` as a string with every registered secret and token pattern replaced."""
    out = str(text)
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        out = out.replace(secret, "***")
    for pattern, replacement in _PATTERNS:
        out = pattern.sub(replacement, out)
    return out


class RedactingFilter(logging.Filter):
    """A logging filter that renders each record's message, then redacts it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the message in place; never drops a record."""
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


_FILTER = RedactingFilter()


def install_log_redaction() -> None:
    """Attach the redacting filter to our logger and to the HTTP libraries' loggers."""
    for name in ("promote", "urllib3", "urllib3.connectionpool", "requests"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


# -- rate-limit arithmetic ------------------------------------------------------------------------


def _server_now(headers: Any) -> datetime:
    """The server's clock (its Date header) if sent, else ours: reset times are on its clock."""
    try:
        return parsedate_to_datetime(headers["Date"]).astimezone(UTC)
    except (KeyError, TypeError, ValueError, IndexError):
        return datetime.now(UTC)


def parse_retry_after(value: str | None, headers: Any = None) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP date; None if absent."""
    if value is None or not str(value).strip():
        return None
    value = str(value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).astimezone(UTC)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, (when - _server_now(headers or {})).total_seconds())


def seconds_until_iso(value: str | None, headers: Any = None) -> float | None:
    """Seconds until an ISO 8601 reset time (Mastodon's X-RateLimit-Reset); None if unparsable."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - _server_now(headers or {})).total_seconds())


def seconds_until_epoch(value: str | None, headers: Any = None) -> float | None:
    """Seconds until a Unix-epoch reset time (Bluesky's RateLimit-Reset); None if unparsable."""
    try:
        when = datetime.fromtimestamp(float(str(value).strip()), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return max(0.0, (when - _server_now(headers or {})).total_seconds())


# -- the client -----------------------------------------------------------------------------------


def _never_connected(exc: requests.RequestException) -> bool:
    """True when the request provably never reached the server (connect refused/timed out)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


class HttpClient:
    """A requests Session for one network with timeouts and exception translation."""

    def __init__(self, network: str, connect_timeout: float = 5.0, read_timeout: float = 20.0,
                 user_agent: str = "signal-and-reach-promote/1.0") -> None:
        self.network = network
        self.timeout = (connect_timeout, read_timeout)
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.session.trust_env = False  # no proxies or .netrc credentials sneaking in

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send one request; raise TransientError/AmbiguousError (redacted) instead of requests'."""
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("allow_redirects", False)
        where = self._where(url)
        started = time.monotonic()
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.RequestException as exc:
            raise self._translate(exc, method, where, time.monotonic() - started) from None
        log.debug("promote: %s %s %s -> %s", self.network, method, redact(url),
                  response.status_code)
        if response.status_code >= 400:
            log.debug("promote: %s answered: %s", self.network, redact(response.text[:2000]))
        return response

    def _where(self, url: str) -> str:
        """Host and redacted path of `url`, for messages."""
        parts = urlsplit(url)
        return redact(f"{parts.netloc}{parts.path}")

    def _translate(self, exc: requests.RequestException, method: str, where: str,
                   elapsed: float) -> Exception:
        """Map a requests exception to our errors without quoting it (it holds the URL)."""
        if _never_connected(exc):
            return TransientError(self.network, f"could not connect to {where}")
        if isinstance(exc, requests.ReadTimeout):
            return AmbiguousError(self.network, f"{method} {where}: no answer within "
                                                f"{self.timeout[1]:g} s")
        if isinstance(exc, requests.ConnectionError):
            return AmbiguousError(self.network, f"{method} {where}: the connection was dropped "
                                                f"after {elapsed:.1f} s, before an answer")
        return AmbiguousError(self.network, f"{method} {where}: {type(exc).__name__}")

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()
