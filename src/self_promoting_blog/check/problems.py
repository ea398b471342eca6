"""What content_check reports: one Problem per thing a writer has to fix."""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    """An error stops a production build; a warning is shown and the build goes on."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One problem in one source file, worded for a writer, not a programmer.

    ``file`` is the path as the writer sees it (``content/articles/foo.md``), ``line`` the
    1-based line in that file (None when the problem is the whole file), ``field`` the metadata
    field or part concerned (``Date``, ``body``, ``link``), ``message`` what is wrong and ``fix``
    what to do about it.
    """

    file: str
    line: int | None
    field: str
    message: str
    fix: str
    severity: Severity = Severity.ERROR
    # A warning of the development preview that a production build treats as an error.
    stops_production: bool = False

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def where(self) -> str:
        """``file:line`` or just ``file``."""
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        return f"{self.where}: {self.message}; {self.fix}"

    def source_path(self, content_root: str | Path) -> str:
        """The file's absolute path (``file`` is shown from the content folder's parent)."""
        return os.path.normpath(Path(content_root) / self.file.split("/", 1)[-1])

    def sort_key(self) -> tuple[str, int, str]:
        return (self.file, self.line or 0, self.message)


def error(file: str, line: int | None, field: str, message: str, fix: str) -> Problem:
    return Problem(file, line, field, message, fix, Severity.ERROR)


def warning(file: str, line: int | None, field: str, message: str, fix: str) -> Problem:
    return Problem(file, line, field, message, fix, Severity.WARNING)


def error_in_production(production: bool, file: str, line: int | None, field: str, message: str,
                        fix: str) -> Problem:
    """An error in a production build; in the preview, a warning that says it will be one, so the
    writer sees it while the preview still shows the page."""
    if production:
        return error(file, line, field, message, fix)
    return Problem(file, line, field, f"{message} (a production build stops on this)", fix,
                   Severity.WARNING, stops_production=True)

