"""Run every rule over the site's sources: used by each build and by `invoke check`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from self_promoting_blog.check import promotion, rules
from self_promoting_blog.check.facts import FactsMemory, FileFacts, file_settings
from self_promoting_blog.check.facts_store import FactsStore
from self_promoting_blog.check.links import LinkTargets, find_links, missing_target
from self_promoting_blog.check.live_links import LiveLinks
from self_promoting_blog.check.names import NameUses
from self_promoting_blog.check.placeholders import check_placeholders
from self_promoting_blog.check.problems import Problem
from self_promoting_blog.check.settings import is_production, load_settings
from self_promoting_blog.content.entries import Entry, read_entry
from self_promoting_blog.content.header import Source, read_source
from self_promoting_blog.content.sources import source_paths

# The header fields whose lines the rules across files point at (names, live links): all a
# file's kept facts hold of its header.
NOTED_FIELDS = frozenset({"category", "tags", "status", "date"})


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
    across files need (FileFacts: categories, slugs, names, links), never a file's text: a
    few kilobytes a file however long its articles."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = settings
        # The single-file rules see only these settings, so their results can be kept (facts).
        self.file_settings = file_settings(settings)
        options = load_settings(self.file_settings)
        self.summary_max = options.summary_max
        self.known = rules.PELICAN_KEYS | options.extra_keys
        self.production = is_production(self.file_settings)
        self.links = LinkTargets(Path(self.file_settings["PATH"]))
        self.live_links = LiveLinks(self.production, datetime.now(UTC))
        self.problems: list[Problem] = []
        self.counts = {"article": 0, "page": 0}
        self.categories: set[str] = set()
        self.missing_category: list[tuple[str, int]] = []  # (file, line)
        self.slugs: list[rules.SlugClaim] = []
        self.category_names = NameUses("Category")
        self.tag_names = NameUses("Tag")

    def facts(self, source: Source) -> FileFacts:
        """The single-file rules' problems of one source, and what the other rules need."""
        category = (source.value("category") or "").strip()
        if source.unreadable:
            return FileFacts(source.kind, category, tuple(rules.check_readable(source)), None, (),
                             None, None)
        entry = read_entry(source, self.file_settings)
        problems = (rules.check_header_lines(source, self.known)
                    + rules.check_title(source)
                    + rules.check_dates(source, entry, self.file_settings)
                    + rules.check_status(source)
                    + rules.check_body(source, entry)
                    + rules.check_summary(source, self.summary_max)
                    + promotion.check_followups(source) + promotion.check_evergreen(source)
                    + promotion.check_responses(source)
                    + rules.check_keys(source, self.known)
                    + check_placeholders(source, entry, self.production))
        kept = tuple(field for field in source.fields if field.name in NOTED_FIELDS)
        header = dataclasses.replace(entry, source=dataclasses.replace(
            source, fields=kept, malformed=(), body=None))
        return FileFacts(source.kind, category, tuple(problems), header,
                         tuple(find_links(source, self.links)), rules.missing_category_line(source),
                         rules.SlugClaim.of(entry))

    def note(self, facts: FileFacts) -> None:
        """Count one source's problems, and note what the rules across files need of it."""
        self.counts[facts.kind] += 1
        if facts.category:
            self.categories.add(facts.category)
        self.problems += facts.problems
        entry = facts.entry
        if entry is None:
            return
        if facts.slug:
            self.slugs.append(facts.slug)
        if facts.missing_category is not None:
            self.missing_category.append((entry.source.shown, facts.missing_category))
        self._note_names(entry)
        self.live_links.note_entry(entry)
        for link in facts.links:
            # Whether the target exists is asked on every run: other files come and go.
            if problem := missing_target(entry.source, link, self.links):
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


# Kept between the runs of one process (each update of `invoke livereload`).
FACTS = FactsMemory()


def check_site(settings: Mapping[str, Any]) -> CheckResult:
    """Check every article and page source of the site, reading only the files that changed
    since the last check in this process, or else since the last build's (one file at a time)."""
    check = SiteCheck(settings)
    root = Path(settings["PATH"])
    FACTS.start(check.file_settings)
    # The saved facts serve a process's first check (a build); the preview's later checks
    # have FACTS, and would only spend time loading and saving them.
    store = None if FACTS.kept else FactsStore.open(settings, check.file_settings)
    for path, kind in source_paths(settings):
        check.links.found_file(path)
        facts = FACTS.get(path, kind)
        if facts is None:
            facts = store.get(path, kind) if store else None
            if facts is None:
                facts = check.facts(read_source(Path(path), root, kind))
                if store:
                    store.keep(path, kind, facts)
            FACTS.keep(path, kind, facts)
        check.note(facts)
    FACTS.end()
    if store:
        store.save()
    return CheckResult(tuple(check.finish()), check.counts["article"], check.counts["page"])
