"""What can stop a deploy, each as one line that names the setting or variable and the fix.

DeployError            anything that stops a deploy; str() is the whole message, no traceback needed
├── DeploySettingsError  a setting or variable is missing or wrong (names it and the fix)
├── RefusedError         the deploy would be unsafe (dev build, empty output/, too many deletions)
└── StorageError         the target failed (missing bucket, rejected credentials, endpoint down, upload
                         failed halfway); says what was and was not changed and how to finish
"""

from __future__ import annotations


class DeployError(Exception):
    """A deploy stopped; the message is complete and safe to print (no secret in it)."""


class DeploySettingsError(DeployError):
    """A deploy setting or environment variable is missing or invalid."""


class RefusedError(DeployError):
    """The deploy was refused before anything changed on the target."""


class StorageError(DeployError):
    """The storage or the transfer failed."""
