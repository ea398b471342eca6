"""Keep Pelican from repeating, tersely, a problem content_check has already explained.

Pelican's reader logs "Could not process articles/foo.md" for a bad date, and "Skipping ...:
could not find information about 'title'" for a missing title. Once content_check has reported
an error in that file with its line and fix, the terse echo only adds noise (and a second entry
in a failed build's list). Only echoes about files content_check reported an *error* for are
dropped, so a failure it did not explain is never hidden.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from .problems import Problem

# Pelican's message templates -> index of the argument that names the file (or link target).
FILE_ECHOES = {
    "Could not process %s": 0,
    "Skipping %s: could not find information about '%s'": 0,
    "Unknown status '%s' for file %s, skipping it. (Not in %s)": 1,
}
WARNING_ECHOES = {"Duplicate definition of `%s` for %s. Using first one.": 1}
LINK_ECHO = "Unable to find '%s', skipping url replacement."
PELICAN_LOGGERS = ("pelican.generators", "pelican.contents", "pelican.readers")


class EchoFilter(logging.Filter):
    """Drops Pelican's echo of a problem content_check reported in this build."""

    def __init__(self) -> None:
        super().__init__("content_check")
        self.error_files: set[str] = set()
        self.any_files: set[str] = set()
        self.link_messages: list[str] = []

    def remember(self, problems: list[Problem] | tuple[Problem, ...], content_root: str) -> None:
        """Record this build's problems (replacing the previous build's)."""
        root = Path(content_root)
        self.error_files, self.any_files, self.link_messages = set(), set(), []
        for problem in problems:
            inside = problem.file.split("/", 1)[-1]  # "content/articles/a.md" -> "articles/a.md"
            names = {os.path.normpath(inside), os.path.normpath(root / inside)}
            self.any_files |= names
            if problem.is_error:
                self.error_files |= names
                if problem.field in ("link", "image"):
                    self.link_messages.append(problem.message)

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        if record.msg == LINK_ECHO and args:
            return not any(f'{args[0]}"' in message for message in self.link_messages)
        for echoes, files in ((FILE_ECHOES, self.error_files), (WARNING_ECHOES, self.any_files)):
            index = echoes.get(record.msg) if isinstance(record.msg, str) else None
            if index is not None and len(args) > index:
                return os.path.normpath(str(args[index])) not in files
        return True


ECHO_FILTER = EchoFilter()


def install() -> None:
    """Attach the filter to the Pelican loggers that echo (idempotent: a set per logger)."""
    for name in PELICAN_LOGGERS:
        logging.getLogger(name).addFilter(ECHO_FILTER)
