"""The promotion engine's errors, by the names the engine and its adapters use.

They are the `PromoteError` branch of the project's one tree (`self_promoting_blog.errors`, which
draws it whole); `send.py` maps each network failure to a ledger state. ``SettingsError`` here
is `PromoteSettingsError`, built from (setting, problem, fix).
"""

from __future__ import annotations

from self_promoting_blog.errors import (
    AmbiguousError,
    ComposeError,
    CredentialsError,
    CredentialsStop,
    Deferred,
    LedgerConflict,
    LedgerError,
    ManifestError,
    NetworkError,
    NetworkStopped,
    PermanentError,
    PromoteError,
    RateLimited,
    RetryableError,
    TransientError,
)
from self_promoting_blog.errors import PromoteSettingsError as SettingsError

__all__ = ["AmbiguousError", "ComposeError", "CredentialsError", "CredentialsStop", "Deferred",
           "LedgerConflict", "LedgerError", "ManifestError", "NetworkError", "NetworkStopped",
           "PermanentError", "PromoteError", "RateLimited", "RetryableError", "SettingsError",
           "TransientError"]
