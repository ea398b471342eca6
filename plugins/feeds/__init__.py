"""Atom, RSS and JSON Feed for the whole site, each category and each tag.

Pelican calls `register()`; the receivers below are module-level because Pelican keeps only weak
references to them. Settings are checked when Pelican starts, feed URLs reach the templates before
any page is written, and the feeds are written last, once the theme's static files (the
icon) and the social cards exist, so sizes and links can be checked against real files.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import ArticlesGenerator

from feeds.channels import Channel, plan_channels, template_context
from feeds.file_cache import FeedFileCache
from feeds.generate import FeedWriter
from feeds.selection import site_timezone
from feeds.settings import FeedsSettings, load_settings

logger = logging.getLogger(__name__)

# What `prepare` planned for this build, written by `write` at the end of the same build.
_pending: dict[str, Any] = {}


def check_settings(pelican: Any) -> None:
    """Fail the build at once on a feeds setting that cannot work."""
    settings = load_settings(pelican.settings)
    if settings.dev_build:
        logger.info("feeds: SITEURL is empty (development build), so feed links point at %s, "
                    "where `invoke serve` previews the site; set FEEDS_DEV_SITEURL to change it.",
                    settings.base_url)


def _attach_links(channels: list[Channel], generator: ArticlesGenerator) -> None:
    """Put each category's and tag's feed links on every object that stands for it.

    Pelican makes a Category or Tag object per article, so the one a template receives may not
    be the one in `generator.categories`; all of them get `.feeds`.
    """
    links = {(c.scope, c.slug): list(c.links) for c in channels}
    articles = generator.articles + generator.translations
    categories = [c for c, _ in generator.categories] + [a.category for a in articles
                                                          if getattr(a, "category", None)]
    tags = list(generator.tags) + [t for a in articles for t in getattr(a, "tags", None) or []]
    for scope, wrappers in (("CATEGORY", categories), ("TAG", tags)):
        for wrapper in wrappers:
            wrapper.feeds = links.get((scope, wrapper.slug), [])


def prepare(generators: list[Any]) -> None:
    """Plan the feeds and give templates their URLs: FEEDS, category.feeds, tag.feeds."""
    generator = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if generator is None:
        return
    settings = load_settings(generator.settings)
    channels = plan_channels(settings, generator.articles, generator.categories,
                             generator.tags.items())
    generator.context["FEEDS"] = template_context(channels)
    _attach_links(channels, generator)
    _pending.update(settings=settings, channels=channels,
                    output_path=Path(generator.output_path),
                    files=FeedFileCache.open(generator.settings, settings.base_url),
                    tz=site_timezone(generator.settings.get("TIMEZONE")))


def write(pelican: Any) -> None:
    """Write the planned feeds and log what was written."""
    if not _pending:
        return
    started = time.perf_counter()
    settings: FeedsSettings = _pending["settings"]
    tz = _pending["tz"]
    files: FeedFileCache | None = _pending["files"]
    writer = FeedWriter(settings, _pending["output_path"], datetime.now(tz), tz, files)
    report = writer.write_all(_pending["channels"])
    if files:
        files.prune()
    _pending.clear()
    logger.info("feeds: wrote %d feed files (%d distinct entries, at most %s per feed; %d "
                "reused from the build cache) in %.2f s", len(report.files), report.entries,
                settings.max_items or "all", files.reused if files else 0,
                time.perf_counter() - started)


def register() -> None:
    """Connect the receivers."""
    signals.initialized.connect(check_settings)
    signals.all_generators_finalized.connect(prepare)
    signals.finalized.connect(write)
