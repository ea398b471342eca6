"""Keep Pelican from repeating, tersely, a problem content_check has already explained.

Pelican's reader logs "Could not process articles/foo.md" for a bad date, and "Skipping ...:
could not find information about 'title'" for a missing title. Once content_check has reported
an error in that file with its line and fix, the terse echo only adds noise (and a second entry
in a failed build's list). Only echoes naming a file content_check reported an *error* for are
dropped, so a failure it did not explain is never hidden.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from self_promoting_blog.check.problems import Problem

# How Pelican's messages that name the file(s) they are about begin.
FILE_ECHOES = (
    "Could not process %s",
    "Skipping %s: could not find information about '%s'",
    "Unknown status '%s' for file %s, skipping it. (Not in %s)",
    "Duplicate definition of `%s` for %s. Using first one.",
    'There are %s items "%s" with lang %s: ',
    "There are %s original (not translated) items %s: ",
)
LINK_ECHO = "Unable to find '%s', skipping url replacement."
PELICAN_LOGGERS = ("pelican.generators", "pelican.contents", "pelican.readers", "pelican.utils")


class EchoFilter(logging.Filter):
    """Drops Pelican's echo of an error content_check reported in this build."""

    def __init__(self) -> None:
        super().__init__("content_check")
        self.files: set[str] = set()
        self.link_messages: list[str] = []

    def remember(self, problems: tuple[Problem, ...], content_root: str | Path) -> None:
        """Record this build's errors (replacing the previous build's)."""
        errors = [p for p in problems if p.is_error]
        root = Path(content_root)
        self.files = {p.source_path(root) for p in errors}
        self.files |= {os.path.relpath(path, root) for path in self.files}
        self.link_messages = [p.message for p in errors if p.field in ("link", "image")]

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        if record.msg == LINK_ECHO and args:
            return not any(f'{args[0]}"' in message for message in self.link_messages)
        if isinstance(record.msg, str) and record.msg.startswith(FILE_ECHOES):
            return not any(os.path.normpath(str(arg)) in self.files for arg in args)
        return True


ECHO_FILTER = EchoFilter()


def install() -> None:
    """Attach the filter to the Pelican loggers that echo (idempotent: a set per logger)."""
    for name in PELICAN_LOGGERS:
        logging.getLogger(name).addFilter(ECHO_FILTER)
