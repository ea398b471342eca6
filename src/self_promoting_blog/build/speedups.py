"""One build's speed-ups, wired to Pelican's signals: the reader cache, read-ahead, split render.

`build_site` enters ``Speedups(settings).during_build()`` around ``Pelican(settings).run()``.
BUILD_CACHE turns the caches on disk on or off (parsed sources, compiled templates);
BUILD_PARALLEL the two forked helpers. With both off the build is Pelican's own, in one
process: the reference the others must equal byte for byte (tests/test_build_speed.py). Either
way, what was read is left out of the garbage collector's walks from the end of reading to the
end of the build (`gc.freeze`).
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from pelican.generators import ArticlesGenerator
from pelican.plugins import signals

from self_promoting_blog.build.read_ahead import ReadAhead
from self_promoting_blog.build.reader_cache import ReaderCache, WarningCounter
from self_promoting_blog.build.settings import load_settings
from self_promoting_blog.build.split_render import SplitRender
from self_promoting_blog.build.templates_cache import FOLDER, TemplatesCache

logger = logging.getLogger(__name__)


class Speedups:
    """The cache and the helper processes of one build, as its settings ask."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.options = load_settings(settings)
        self.settings = settings
        self.cache: ReaderCache | None = None
        self.read_ahead: ReadAhead | None = None
        self.split = SplitRender()
        self.warnings = WarningCounter()
        self.stats: dict[str, int] = {"parsed_ahead": 0}
        self.frozen = False
        # Pelican's content cache trusts modification times and no settings: ours replaces it.
        settings["CACHE_CONTENT"] = settings["LOAD_CONTENT_CACHE"] = False
        self.templates: TemplatesCache | None = None
        if self.options.cache:
            self.templates = TemplatesCache(Path(settings["CACHE_PATH"]) / FOLDER)
            settings["JINJA_ENVIRONMENT"] = {**settings["JINJA_ENVIRONMENT"],
                                             "bytecode_cache": self.templates}

    def _generator_ready(self, generator: Any) -> None:
        """generator_init: give every generator that reads files the cache (open it first)."""
        readers = getattr(generator, "readers", None)
        if readers is None:
            return
        if self.cache is None:
            self.cache = ReaderCache.open(self.settings, readers, self.warnings,
                                          from_disk=self.options.cache)
        self.cache.attach(readers)
        if self.options.parallel and isinstance(generator, ArticlesGenerator):
            self._start_read_ahead(generator)

    def _start_read_ahead(self, articles: ArticlesGenerator) -> None:
        """Fork the read-ahead for the articles and pages the cache lacks, in Pelican's order."""
        assert self.cache is not None
        settings = articles.settings
        ordered = [*articles.get_files(settings["ARTICLE_PATHS"],
                                       exclude=settings["ARTICLE_EXCLUDES"]),
                   *articles.get_files(settings["PAGE_PATHS"], exclude=settings["PAGE_EXCLUDES"])]
        paths = [os.path.abspath(os.path.join(articles.path, name)) for name in ordered]
        missing = [p for p in paths if not self.cache.has(p)]
        self.read_ahead = ReadAhead.start(articles.readers, missing,
                                          Path(self.settings["CACHE_PATH"]))
        if self.read_ahead is not None:
            self.cache.extra = self.read_ahead.take

    def _reading_done(self, generators: list[Any]) -> None:
        """all_generators_finalized: every file is read; the read-ahead has nothing left to do.

        The cache's new file is put in place now and both files are closed.
        """
        self._stop_read_ahead()
        if self.cache is not None:
            ahead = self.stats["parsed_ahead"]
            self.stats |= {"from_cache": self.cache.hits - ahead, "parsed": self.cache.misses}
            self.cache.save()  # nothing to save with BUILD_CACHE off
            self.cache.close()
        if self.options.parallel:
            self.split.keep_generators(generators)
        # What has been read lives until the build ends: the collector need not walk it again
        # (about 0.1 s a full collection at 1,000 articles) while the pages are rendered, nor a
        # forked helper copy the memory pages such a walk would touch.
        gc.freeze()
        self.frozen = True

    def _stop_read_ahead(self) -> None:
        if self.read_ahead is not None:
            self.stats["parsed_ahead"] = self.read_ahead.used
            self.read_ahead.stop()
            self.read_ahead = None
        if self.cache is not None:
            self.cache.extra = None

    def _writer(self, pelican: Any) -> Any:
        return self.split.writer_class(pelican) if self.options.parallel else None

    @contextmanager
    def during_build(self) -> Iterator[Speedups]:
        """Connected for one Pelican run; the helpers are ended however it ends."""
        with ExitStack() as stack:
            stack.enter_context(signals.generator_init.connected_to(self._generator_ready))
            stack.enter_context(signals.all_generators_finalized.connected_to(self._reading_done))
            stack.enter_context(signals.get_writer.connected_to(self._writer))
            stack.enter_context(self.warnings.counting())
            try:
                yield self
            finally:
                self._stop_read_ahead()
                if self.cache is not None:
                    self.cache.close()  # after a crash: the unfinished file is removed
                self.split.abandon()
                if self.frozen:
                    gc.unfreeze()

    def finish(self) -> None:
        """After a run that did not crash: what the build did, for the debug log and tests."""
        if self.templates is not None:
            self.templates.prune()
        split = self.split
        self.stats |= {"render_calls": split.calls, "rendered_beside": split.child_pages,
                       "render_helper_failed": int(bool(split.pid) and not split.child_ok),
                       "rendered_again": split.redone,
                       "walks_diverged": int(split.diverged_at is not None)}
        logger.debug("build: %s", ", ".join(f"{k} {v}" for k, v in self.stats.items()))
