"""Leave the second file with an already-used slug out of the build.

Pelican would otherwise stop the whole build when it writes the second page to the same place
(FileOverwriteFailedError), so a development preview would not update at all. Dropping the file,
as Pelican drops a file it cannot read, keeps the preview working; content_check has already
reported the error naming both files, so a production build still fails.
"""

from __future__ import annotations

from itertools import chain
from pathlib import Path
from typing import Any

from self_promoting_blog.check.problems import Problem


class DuplicateDropper:
    """Remembers this build's duplicate-slug files and removes them from a generator."""

    def __init__(self) -> None:
        self.paths: set[str] = set()

    def remember(self, problems: tuple[Problem, ...], content_root: str | Path) -> None:
        self.paths = {p.source_path(content_root) for p in problems if p.field == "Slug"}

    def drop(self, generator: Any, list_names: tuple[str, ...]) -> None:
        if not self.paths:
            return
        lists = [getattr(generator, name) for name in list_names if hasattr(generator, name)]
        for items in lists:
            # In place: the template context holds these same list objects.
            items[:] = [item for item in items if item.source_path not in self.paths]
        for content in chain.from_iterable(lists):
            # Pelican paired the two as translations of each other before we got here.
            content.translations = [t for t in content.translations
                                    if t.source_path not in self.paths]


DUPLICATES = DuplicateDropper()
