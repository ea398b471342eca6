"""The promotion engine's errors, translated at the boundary from HTTP and settings problems.

Hierarchy (the runner maps each leaf to a ledger state)::

    PromoteError                     anything this plugin raises on purpose
    ├── SettingsError                a setting or credential is missing or wrong (names it, fix)
    ├── ManifestError                the promotion manifest is missing or unreadable
    ├── ComposeError                 an article cannot be fitted into a network's limit
    ├── LedgerError                  the ledger cannot be opened or written
    └── NetworkError                 a network refused or failed a request (carries `network`)
        ├── PermanentError           4xx other than 429: reported with the network's own message
        │   └── CredentialsError     401/403 on login or post: names the environment variable
        ├── RetryableError           nothing was posted; trying again cannot duplicate
        │   ├── RateLimited          429 (or 503 + Retry-After): `retry_after` seconds to wait
        │   └── TransientError       connect failure, 5xx where the network de-duplicates, ...
        └── AmbiguousError           the request may have landed (read timeout, reset, 5xx with no
                                     idempotency): resolve with `find_existing`, else `unknown`

Every message is redacted (see `self_promoting_blog.promote.http.redact`) before one of these is built, and they are
raised `from None` so no library exception carrying a token-bearing URL rides along in a traceback.
"""

from __future__ import annotations


class PromoteError(Exception):
    """Base of every error the promote plugin raises on purpose."""


class SettingsError(PromoteError):
    """A setting or credential is missing or invalid; the message names it and the fix."""

    def __init__(self, setting: str, problem: str, fix: str) -> None:
        self.setting = setting
        self.problem = problem
        self.fix = fix
        super().__init__(f"promote: {setting}: {problem}. {fix}")


class ManifestError(PromoteError):
    """The promotion manifest is missing, unreadable or of an unknown version."""


class ComposeError(PromoteError):
    """No text within the network's limit can hold the article's URL."""


class LedgerError(PromoteError):
    """The posting ledger cannot be opened, read or written."""


class NetworkError(PromoteError):
    """A network request failed; `message` is the network's own words, already redacted."""

    def __init__(self, network: str, message: str, status: int | None = None) -> None:
        self.network = network
        self.message = message
        self.status = status
        prefix = f"HTTP {status}: " if status else ""
        super().__init__(f"{network}: {prefix}{message}")


class PermanentError(NetworkError):
    """The network rejected the request for good (4xx other than 429); retrying won't help."""


class CredentialsError(PermanentError):
    """The credentials were refused; `variable` is the environment variable to fix."""

    def __init__(self, network: str, message: str, variable: str,
                 status: int | None = None) -> None:
        self.variable = variable
        super().__init__(network, f"{message} (check {variable})", status)


class RetryableError(NetworkError):
    """Nothing was posted, so the same request may be sent again."""


class RateLimited(RetryableError):
    """The network asked us to wait `retry_after` seconds before the next request."""

    def __init__(self, network: str, message: str, retry_after: float,
                 status: int | None = 429) -> None:
        self.retry_after = max(0.0, retry_after)
        super().__init__(network, f"{message} (retry after {self.retry_after:.0f} s)", status)


class TransientError(RetryableError):
    """A temporary failure that provably posted nothing (e.g. the connection was never made)."""


class AmbiguousError(NetworkError):
    """The request may or may not have created a post; only a lookup can tell."""
