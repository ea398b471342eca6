"""Run every rule over the site's sources: used by each build and by `invoke check`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import rules
from .entries import read_entry
from .header import Source
from .links import check_links
from .problems import Problem
from .settings import load_settings
from .sources import find_sources


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


def check_sources(sources: list[Source], settings: Mapping[str, Any]) -> list[Problem]:
    """Apply every rule to already-read sources."""
    options = load_settings(settings)
    known = rules.PELICAN_KEYS | options.extra_keys
    root = Path(settings["PATH"])
    problems: list[Problem] = []
    entries = []
    default_category = str(settings.get("DEFAULT_CATEGORY", "misc"))
    in_use = sorted({c for s in sources if (c := (s.value("category") or "").strip())},
                    key=str.lower)
    for source in sources:
        if source.unreadable:
            problems += rules.check_readable(source)
            continue
        entry = read_entry(source, settings)
        entries.append(entry)
        problems += rules.check_header_lines(source, known)
        problems += rules.check_title(source)
        problems += rules.check_dates(source, entry, settings)
        problems += rules.check_status(source)
        problems += rules.check_category(source, default_category, in_use)
        problems += rules.check_body(source, entry)
        problems += rules.check_summary(source, options.summary_max)
        problems += rules.check_keys(source, known)
        problems += check_links(source, root)
    problems += rules.check_slugs(entries)
    return sorted(problems, key=Problem.sort_key)


def check_site(settings: Mapping[str, Any]) -> CheckResult:
    """Read and check every article and page source of the site."""
    sources = find_sources(settings)
    return CheckResult(tuple(check_sources(sources, settings)),
                       sum(s.kind == "article" for s in sources),
                       sum(s.kind == "page" for s in sources))
