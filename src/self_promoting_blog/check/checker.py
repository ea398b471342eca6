"""Run every rule over the site's sources: used by each build and by `invoke check`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from self_promoting_blog.check import promotion, rules
from self_promoting_blog.check.links import LinkTargets, find_links, missing_target
from self_promoting_blog.check.live_links import LiveLinks
from self_promoting_blog.check.names import NameUses
from self_promoting_blog.check.placeholders import check_placeholders
from self_promoting_blog.check.problems import Problem
from self_promoting_blog.check.settings import is_production, load_settings
from self_promoting_blog.content.entries import Entry, read_entry
from self_promoting_blog.content.header import Source
from self_promoting_blog.content.sources import iter_sources


@dataclass(frozen=True)
class CheckResult:
    """The problems found, sorted by file and line, and what was checked."""

    problems: tuple[Problem, ...]
    articles: int
    pages: int

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


class SiteCheck:
    """Checks sources one at a time and keeps only their problems and the little the rules
    across files need (categories in use, slugs), never a file's text: memory stays flat
    however large the site."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = settings
        options = load_settings(settings)
        self.summary_max = options.summary_max
        self.known = rules.PELICAN_KEYS | options.extra_keys
        self.production = is_production(settings)
        self.links = LinkTargets(Path(settings["PATH"]))
        self.live_links = LiveLinks(self.production, datetime.now(UTC))
        self.problems: list[Problem] = []
        self.counts = {"article": 0, "page": 0}
        self.categories: set[str] = set()
        self.missing_category: list[tuple[str, int]] = []  # (file, line)
        self.slugs: list[rules.SlugClaim] = []
        self.category_names = NameUses("Category")
        self.tag_names = NameUses("Tag")

    def add(self, source: Source) -> None:
        """Apply every single-file rule to one source and note what the other rules need."""
        self.counts[source.kind] += 1
        if category := (source.value("category") or "").strip():
            self.categories.add(category)
        if source.unreadable:
            self.problems += rules.check_readable(source)
            return
        entry = read_entry(source, self.settings)
        if claim := rules.SlugClaim.of(entry):
            self.slugs.append(claim)
        if (line := rules.missing_category_line(source)) is not None:
            self.missing_category.append((source.shown, line))
        self._note_names(entry)
        self.problems += rules.check_header_lines(source, self.known)
        self.problems += rules.check_title(source)
        self.problems += rules.check_dates(source, entry, self.settings)
        self.problems += rules.check_status(source)
        self.problems += rules.check_body(source, entry)
        self.problems += rules.check_summary(source, self.summary_max)
        self.problems += promotion.check_followups(source) + promotion.check_evergreen(source)
        self.problems += rules.check_keys(source, self.known)
        self.problems += check_placeholders(source, entry, self.production)
        self.live_links.note_entry(entry)
        for link in find_links(source, self.links):
            if problem := missing_target(source, link, self.links):
                self.problems.append(problem)
            else:
                self.live_links.note_link(entry, link)

    def _note_names(self, entry: Entry) -> None:
        if entry.kind != "article":
            return  # Pelican files only articles under categories and tags
        if entry.category and (field := entry.source.first("category")):
            self.category_names.add(entry.category, entry.source.shown, field.line)
        if entry.tags and (field := entry.source.first("tags")):
            for tag in dict.fromkeys(entry.tags):  # once per article, in order
                self.tag_names.add(tag, entry.source.shown, field.line)

    def finish(self) -> list[Problem]:
        """Add the rules across files; all problems, sorted by file, line and message."""
        in_use = sorted(self.categories, key=str.lower)
        default_category = str(self.settings.get("DEFAULT_CATEGORY", "misc"))
        problems = (self.problems
                    + rules.check_category(self.missing_category, default_category, in_use)
                    + rules.check_slugs(self.slugs)
                    + self.category_names.check() + self.tag_names.check()
                    + self.live_links.check())
        return sorted(problems, key=Problem.sort_key)


def check_site(settings: Mapping[str, Any]) -> CheckResult:
    """Read and check every article and page source of the site, one file at a time."""
    check = SiteCheck(settings)
    for source in iter_sources(settings):
        check.add(source)
    return CheckResult(tuple(check.finish()), check.counts["article"], check.counts["page"])
