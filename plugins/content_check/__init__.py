"""content_check: validate every writer's file before each build and explain each problem.

Runs on ``article_generator_init``, which Pelican sends at the start of every run (also each
rebuild of `invoke regenerate`/`livereload`) once the articles' generator exists, before any
file is read: by then the build has forked its read-ahead (build/read_ahead.py), which parses on
the other core while this check reads every source here. Errors are logged at ERROR
level, which makes a production build fail (plugins/site_build); warnings at WARNING.
`invoke check` runs the same rules without building (``checker.check_site``).

Plain links and images (``/articles/x/``, ``../x/``) can only be checked against what the build
writes: that check runs on ``finalized``, after every other plugin has written its files
(``output_links``), so `invoke check` cannot do it.
"""

from __future__ import annotations

import logging
from typing import Any

from pelican import signals

from content_check.duplicates import DUPLICATES
from content_check.output_links import OUTPUT_LINKS
from content_check.quiet import ECHO_FILTER, install
from self_promoting_blog.check.checker import check_site
from self_promoting_blog.check.problems import Problem
from self_promoting_blog.generator_lists import ARTICLE_LISTS, PAGE_LISTS

logger = logging.getLogger(__name__)


def check_before_build(generator: Any) -> None:
    """Check all sources and log each problem as ``content_check: file:line: what; fix``."""
    settings = generator.settings
    result = check_site(settings)
    ECHO_FILTER.remember(result.problems, settings["PATH"])
    DUPLICATES.remember(result.problems, settings["PATH"])
    _log(result.problems)


def check_written_links_last(pelican: Any) -> None:
    """Make check_written_links the last finalized receiver, whichever order plugins registered
    in: feeds, the sitemap and robots.txt are written on finalized too, and links lead to them."""
    signals.finalized.disconnect(check_written_links)
    signals.finalized.connect(check_written_links)


def _log(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for problem in problems:
        log = logger.error if problem.is_error else logger.warning
        log("content_check: %s", problem)


def keep_live_contents(generators: list[Any]) -> None:
    OUTPUT_LINKS.collect(generators)


def check_written_links(pelican: Any) -> None:
    """Once everything is written: each plain link or image that leads to no written file."""
    _log(OUTPUT_LINKS.check(pelican.settings))


def drop_duplicate_articles(generator: Any) -> None:
    """Before categories and tags are built, so the dropped file is listed nowhere."""
    DUPLICATES.drop(generator, ARTICLE_LISTS)


def drop_duplicate_pages(generator: Any) -> None:
    DUPLICATES.drop(generator, PAGE_LISTS)


def register() -> None:
    """Connect the receivers (module level: Pelican holds receivers weakly)."""
    install()
    signals.article_generator_init.connect(check_before_build)
    signals.get_generators.connect(check_written_links_last)
    signals.article_generator_pretaxonomy.connect(drop_duplicate_articles)
    signals.page_generator_finalized.connect(drop_duplicate_pages)
    signals.all_generators_finalized.connect(keep_live_contents)
