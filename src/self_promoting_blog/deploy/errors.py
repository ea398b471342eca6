"""What can stop a deploy: the deploy branch of the one error tree, importable from here.

DeployError            anything that stops a deploy; str() is the whole message, no traceback needed
├── DeploySettingsError  a setting or variable is missing or wrong: .setting, .value, .fix (also a
│                        SettingsError)
├── RefusedError         the deploy would be unsafe (dev build, empty output/, too many deletions)
└── StorageError         the target failed (missing bucket, rejected credentials, endpoint down,
                         upload failed halfway); says what was and was not changed and how to finish
"""

from __future__ import annotations

from self_promoting_blog.errors import DeployError, DeploySettingsError, RefusedError, StorageError

__all__ = ["DeployError", "DeploySettingsError", "RefusedError", "StorageError"]
