"""Collect every warning and error any part of the build logs, in order."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from pelican.log import LimitFilter, console


class LogCollector(logging.Handler):
    """Keeps warning and error messages (Pelican logs only the message, so do we)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text = f"{text} ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
        (self.errors if record.levelno >= logging.ERROR else self.warnings).append(text)


def forget_shown_logs() -> None:
    """Let Pelican show again what it showed in an earlier build in this process (LimitFilter)."""
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()


@contextmanager
def collect_logs() -> Iterator[LogCollector]:
    """Route warnings and errors to a collector instead of the terminal, for one build.

    Pelican drops a warning it has already shown in this process (LimitFilter), which would hide
    a problem from the second build of `invoke livereload`; each build starts afresh. Pelican's
    own console (its "Done: Processed …" line) is muted: the task prints its own summary.
    """
    forget_shown_logs()
    collector = LogCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    was_quiet, console.quiet = console.quiet, True
    try:
        yield collector
    finally:
        console.quiet = was_quiet
        root.removeHandler(collector)
