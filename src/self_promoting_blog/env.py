"""The project's untracked `.env`, read one way for promote's credentials and deploy's storage.

The real environment always wins over the file. Deploy and the bucket ledger copy only the
storage credentials (``AWS_*``) into the process environment, so network tokens in `.env` stay
out of the environment that rsync, git and other child processes inherit; promote reads the
layered values as a dict and never exports them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

STORAGE_PREFIX = "AWS_"


def project_root(pelican: Mapping[str, Any]) -> Path:
    """The folder that holds OUTPUT_PATH (the checkout in a normal project), else the cwd.

    Relative PROMOTE_* paths and the default `.env` are resolved against it.
    """
    output = pelican.get("OUTPUT_PATH")
    return Path(output).resolve().parent if output else Path.cwd()


def project_env_file(pelican: Mapping[str, Any]) -> Path:
    """The project's `.env`, where deploy and the bucket ledger find the storage credentials."""
    return project_root(pelican) / ".env"


def read_env_file(path: Path) -> dict[str, str]:
    """The variables `path` sets ({} when there is no such file); a bare `NAME` line is skipped."""
    if not path.is_file():
        return {}
    return {name: value for name, value in dotenv_values(path).items() if value is not None}


def layered_environment(path: Path) -> dict[str, str]:
    """The process environment layered over the file at `path`: the environment wins."""
    return {**read_env_file(path), **os.environ}


def export_storage_credentials(path: Path) -> None:
    """Copy the file's AWS_* variables into the process environment, where not already set."""
    for name, value in read_env_file(path).items():
        if name.startswith(STORAGE_PREFIX):
            os.environ.setdefault(name, value)
