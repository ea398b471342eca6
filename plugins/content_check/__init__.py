"""content_check: validate every writer's file before each build and explain each problem.

Runs on ``get_generators``, which Pelican sends at the start of every run (also each rebuild
of `invoke regenerate`/`livereload`), before any file is read. Errors are logged at ERROR
level, which makes a production build fail (plugins/site_build); warnings at WARNING.
`invoke check` runs the same rules without building (``checker.check_site``).
"""

from __future__ import annotations

import logging
from typing import Any

from pelican import signals

from .checker import check_site
from .duplicates import ARTICLE_LISTS, DUPLICATES, PAGE_LISTS
from .quiet import ECHO_FILTER, install

logger = logging.getLogger(__name__)


def check_before_build(pelican: Any) -> None:
    """Check all sources and log each problem as ``content_check: file:line: what; fix``."""
    result = check_site(pelican.settings)
    ECHO_FILTER.remember(result.problems, pelican.settings["PATH"])
    DUPLICATES.remember(result.problems, pelican.settings["PATH"])
    for problem in result.problems:
        log = logger.error if problem.is_error else logger.warning
        log("content_check: %s", problem)


def drop_duplicate_articles(generator: Any) -> None:
    """Before categories and tags are built, so the dropped file is listed nowhere."""
    DUPLICATES.drop(generator, ARTICLE_LISTS)


def drop_duplicate_pages(generator: Any) -> None:
    DUPLICATES.drop(generator, PAGE_LISTS)


def register() -> None:
    """Connect the receivers (module level: Pelican holds receivers weakly)."""
    install()
    signals.get_generators.connect(check_before_build)
    signals.article_generator_pretaxonomy.connect(drop_duplicate_articles)
    signals.page_generator_finalized.connect(drop_duplicate_pages)
