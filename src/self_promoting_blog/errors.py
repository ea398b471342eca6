"""Every failure the project expects, in one tree; any other exception is a bug.

``str()`` of each is the whole message, one line that says what went wrong and how to fix it, and
is safe to print: no secret in it, no traceback needed. ``tasks.py`` prints it and exits 1.

    BlogError                      an expected failure
    ├── SettingsError              a setting that cannot work: .setting, .value, .fix
    ├── UsageError                 a command-line option that cannot work (--since, --network)
    ├── BuildError                 a build cannot start as asked (Pelican's options after --)
    ├── ServeError                 the preview cannot be served (no output/ yet, port taken)
    ├── NewPostError               `invoke new` cannot create the article as asked
    ├── PublishStopped             a publish stage failed; says what was (not) changed
    ├── DeployError                a deploy stopped
    │   ├── DeploySettingsError    a deploy setting or variable (also a SettingsError)
    │   ├── RefusedError           the deploy would be unsafe; nothing was changed
    │   └── StorageError           the target or the transfer failed; says how to finish
    └── PromoteError               promotion stopped, or one post failed
        ├── PromoteSettingsError   a PROMOTE_* setting or a variable (also a SettingsError)
        ├── ManifestError          the manifest is missing, out of date or unreadable
        ├── ComposeError           an article cannot be fitted into a network's limit
        ├── LedgerError            the ledger cannot be opened, read or written
        │   └── LedgerConflict     another run changed the ledger first (read it again)
        ├── NetworkError           a network refused or failed a request (carries `network`)
        │   ├── PermanentError     4xx other than 429: reported with the network's own message
        │   │   └── CredentialsError  401/403 on login or post: names the variable to fix
        │   ├── RetryableError     nothing was posted; trying again cannot duplicate
        │   │   ├── RateLimited    429 (or 503 + Retry-After): `retry_after` seconds to wait
        │   │   └── TransientError connect failure, 5xx where the network de-duplicates, ...
        │   └── AmbiguousError     the request may have landed (read timeout, reset, 5xx with no
        │                          idempotency): resolve with `find_existing`, else `unknown`
        └── NetworkStopped         nothing more can be sent to this network in this run
            ├── Deferred           it asked for a wait longer than PROMOTE_MAX_WAIT
            └── CredentialsStop    it refused the credentials

Network messages are redacted (``self_promoting_blog.promote.http.redact``) before one of these is
built, and raised ``from None``, so no library exception carrying a token-bearing URL rides along.
"""

from __future__ import annotations


class BlogError(Exception):
    """An expected failure; the message is complete and safe to print."""


class SettingsError(BlogError, ValueError):
    """A setting that cannot work, named with its value and the fix.

    The message reads ``<owner>: <setting> = <value> <problem>; <fix>`` (without ``= <value>``
    when the value is None: not set): `owner` is the part that
    reads the setting (Pelican logs show no logger name), and `entry` says that `value` is one
    entry of a list setting. `value` is shown, so never pass a secret as one.
    """

    def __init__(self, setting: str, value: object, fix: str, *, problem: str = "cannot work",
                 owner: str = "", entry: bool = False) -> None:
        self.setting = setting
        self.value = value
        self.fix = fix
        self.problem = problem
        self.owner = owner
        if entry:
            subject = f"{setting} entry {value!r}"
        else:  # an unset setting (None) reads "X is not set", not "X = None is not set"
            subject = setting if value is None else f"{setting} = {value!r}"
        prefix = f"{owner}: " if owner else ""
        super().__init__(f"{prefix}{subject} {problem}; {fix}")


class UsageError(BlogError):
    """A command-line option that cannot work as given."""


class BuildError(BlogError):
    """A build cannot start as asked."""


class ServeError(BlogError):
    """The preview server cannot start."""


class NewPostError(BlogError):
    """`invoke new` cannot create the article as asked; `reason` says why and what to do."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"Not created: {reason}.")


class PublishStopped(BlogError):
    """A publish stage failed; the message says why and what was (not) changed."""


# ── deploy ──────────────────────────────────────────────────────────────────────────────────
class DeployError(BlogError):
    """A deploy stopped."""


class DeploySettingsError(SettingsError, DeployError):
    """A deploy setting or environment variable is missing or invalid."""


class RefusedError(DeployError):
    """The deploy was refused before anything changed on the target."""


class StorageError(DeployError):
    """The storage or the transfer failed."""


# ── promote ─────────────────────────────────────────────────────────────────────────────────
class PromoteError(BlogError):
    """Promotion stopped, or one post failed."""


class PromoteSettingsError(PromoteError, SettingsError):
    """A PROMOTE_* setting or a network's variable is missing or invalid.

    Built from (setting, problem, fix), as the value is often a credential that must not be
    shown: the problem says what is wrong in words. `value` is None.
    """

    def __init__(self, setting: str, problem: str, fix: str) -> None:
        self.setting = setting
        self.value = None
        self.fix = fix
        self.problem = problem
        self.owner = "promote"
        # The message of SettingsError.__init__ would show `value`; this one says it in words.
        BlogError.__init__(self, f"promote: {setting}: {problem}. {fix}")


class ManifestError(PromoteError):
    """The promotion manifest is missing, out of date, unreadable or of an unknown version."""


class ComposeError(PromoteError):
    """No text within the network's limit can hold the article's URL."""


class LedgerError(PromoteError):
    """The posting ledger cannot be opened, read or written."""


class LedgerConflict(LedgerError):
    """Another run wrote the ledger between this run's read and its write; read it again."""


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


class NetworkStopped(PromoteError):
    """Nothing more can be sent to this network in this run; its other posts wait."""


class Deferred(NetworkStopped):
    """The network asked for a wait longer than PROMOTE_MAX_WAIT."""


class CredentialsStop(NetworkStopped):
    """The network refused the credentials, so nothing else sent to it can succeed now."""
