"""What the check keeps of each source file between runs, so a run reads only changed files.

The preview checks the whole site on every update: re-reading and re-checking thousands of
unchanged files cost more than the rest of the update. A file's own problems and the facts the
rules across files need (its category, slug, names, links) depend only on its text and on the
few settings in FILE_SETTINGS, which are all the single-file rules are given; so they are kept,
keyed by the file's stamp, and used again while the file and those settings stay the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from self_promoting_blog.check.links import Link
from self_promoting_blog.check.problems import Problem
from self_promoting_blog.check.rules import SlugClaim
from self_promoting_blog.content.entries import Entry, example_date
from self_promoting_blog.content.stamps import Stamp, file_stamp

# Every setting the single-file rules read (the check's own, and Pelican's for dates, slugs and
# path metadata): they see only these, so a kept result can never depend on another.
FILE_SETTINGS = (
    "PATH", "TIMEZONE", "DEFAULT_DATE", "DEFAULT_LANG", "WITH_FUTURE_DATES",
    "SLUGIFY_SOURCE", "SLUG_REGEX_SUBSTITUTIONS", "SLUGIFY_PRESERVE_CASE", "SLUGIFY_USE_UNICODE",
    "FILENAME_METADATA", "PATH_METADATA", "USE_FOLDER_AS_CATEGORY", "CATEGORY_SAVE_AS",
    "CONTENT_CHECK_SUMMARY_MAX", "CONTENT_CHECK_EXTRA_KEYS",
)

def file_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings the single-file rules are given."""
    return {key: settings[key] for key in FILE_SETTINGS if key in settings}


@dataclass(frozen=True)
class FileFacts:
    """One source's own problems, and what the rules across files need of it."""

    kind: str  # "article" or "page"
    category: str  # as written, "" when none
    problems: tuple[Problem, ...]
    entry: Entry | None  # its header (the body left out); None when it is not UTF-8
    links: tuple[Link, ...]  # {filename}, {static} and {attach} links and images
    missing_category: int | None  # the line to point at when it has no Category
    slug: SlugClaim | None  # the address it claims


class FactsMemory:
    """FileFacts by file, from the last run with the same single-file settings."""

    def __init__(self) -> None:
        self.key: str | None = None
        self.kept: dict[tuple[str, str], tuple[Stamp, FileFacts]] = {}
        self.seen: set[tuple[str, str]] = set()
        self.stamps: dict[tuple[str, str], tuple[Stamp, bool] | None] = {}

    def start(self, settings: Mapping[str, Any]) -> None:
        """Begin a run: forget everything if the settings (or the year messages name) changed."""
        key = repr(sorted(settings.items())) + example_date()
        if key != self.key:
            self.key, self.kept = key, {}
        self.seen, self.stamps = set(), {}

    def get(self, path: str, kind: str) -> FileFacts | None:
        """The file's facts if it has not changed since they were kept."""
        self.seen.add((path, kind))
        stamp = self.stamps[(path, kind)] = file_stamp(path)
        kept = self.kept.get((path, kind))
        if kept is None or stamp is None or kept[0] != stamp[0]:
            return None
        return kept[1]

    def keep(self, path: str, kind: str, facts: FileFacts) -> FileFacts:
        """Keep facts just worked out (after get() for the same file)."""
        stamp = self.stamps.get((path, kind))
        if stamp is not None and stamp[1]:
            self.kept[(path, kind)] = (stamp[0], facts)
        else:
            self.kept.pop((path, kind), None)
        return facts

    def end(self) -> None:
        """Drop the files this run did not meet (deleted, renamed, no longer a source)."""
        self.kept = {key: value for key, value in self.kept.items() if key in self.seen}
        self.seen, self.stamps = set(), {}
