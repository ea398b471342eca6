"""Draw the cards the cache lacks beside the build, in worker processes.

Pelican reads and writes on one core; a card costs ~10 ms of Pillow work, which threads cannot
overlap (Pillow holds the GIL for most of it). So missing cards go, BATCH at a time, to a pool
of spawned worker processes as the articles are read, and the build only waits, at its very end,
for what is left; this process then draws half of the batches no worker has started. A few
missing cards (an edit, a new post) are drawn here at the end: starting a worker would cost more
than it saves.

Nothing here imports Pelican, nor Pillow until a card is drawn: a worker imports this module
and draw.py only.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .cache import CardCache, card_inputs, card_key
from .settings import CardsSettings, Colours
from .spec import CardText, Fonts

logger = logging.getLogger(__name__)

# Cards go to a worker this many at a time (one hand-over costs more than drawing a card); fewer
# missing cards than this are drawn in the build's own process.
BATCH = 16
MAX_WORKERS = 4


def draw_into_cache(folder: Path, cards: list[tuple[str, CardText]], colours: Colours,
                    fonts: Fonts) -> None:
    """Draw cards into the cache (runs in a worker, or here)."""
    from .draw import draw_card  # Pillow and fontTools: only where cards are drawn

    cache = CardCache(folder)
    for key, text in cards:
        cache.put(key, draw_card(text, colours, fonts))


def _worker_count() -> int:
    """Leave one core to Pelican; more than a few workers only contend for the disk."""
    return max(1, min(MAX_WORKERS, (os.cpu_count() or 2) - 1))


def _start_pool() -> ProcessPoolExecutor:
    # A spawned worker imports social_cards.painter by name; Pelican loads plugins from
    # PLUGIN_PATHS without putting them on sys.path, and spawn hands sys.path to the worker.
    plugins = str(Path(__file__).resolve().parent.parent)
    if plugins not in sys.path:
        sys.path.append(plugins)
    # spawn, not fork: forking a process that may run threads (livereload, the test server) is
    # unsafe, and a fresh interpreter holding only Pillow stays small.
    return ProcessPoolExecutor(_worker_count(), mp_context=multiprocessing.get_context("spawn"))


@dataclass
class PaintStats:
    requested: int = 0
    drawn_beside: int = 0  # by workers, while the build went on
    drawn_here: int = 0


@dataclass
class CardPainter:
    """Makes sure every requested card is in the cache by the time `finish` returns."""

    settings: CardsSettings
    texts: dict[str, CardText] = field(default_factory=dict)  # every card requested, by key
    keys: dict[CardText, str] = field(default_factory=dict)
    waiting: list[str] = field(default_factory=list)  # missing, not handed to a worker
    batches: dict[Future[None], list[str]] = field(default_factory=dict)
    pool: ProcessPoolExecutor | None = None
    pool_failed: bool = False

    @property
    def fonts(self) -> Fonts:
        return Fonts(self.settings.font, self.settings.font_bold)

    @property
    def cache(self) -> CardCache:
        return CardCache(self.settings.cache_dir)

    @cached_property
    def _inputs(self) -> dict[str, object]:
        return card_inputs(self.settings.colours, self.fonts)

    def request(self, text: CardText) -> str:
        """Ask for a card; return its cache key. Drawing starts now if a worker is running."""
        key = self.keys.get(text)
        if key is None:
            key = self.keys[text] = card_key(text, self._inputs)
        if key not in self.texts:
            self.texts[key] = text
            if self.cache.get(key) is None:
                self.waiting.append(key)
                self._hand_over()
        return key

    def _hand_over(self) -> None:
        if self.pool_failed or len(self.waiting) < BATCH:
            return
        try:
            if self.pool is None:
                self.pool = _start_pool()
            while len(self.waiting) >= BATCH:
                batch, self.waiting = self.waiting[:BATCH], self.waiting[BATCH:]
                future = self.pool.submit(draw_into_cache, self.settings.cache_dir,
                                          self._jobs(batch), self.settings.colours, self.fonts)
                self.batches[future] = batch
        except (OSError, RuntimeError, BrokenProcessPool) as exc:
            # No worker here (no /dev/shm in some containers): draw everything in this process.
            logger.debug("social_cards: drawing in the build's process (%s)", exc)
            self.pool_failed = True
            self.waiting += [key for batch in self.batches.values() for key in batch]
            self.batches.clear()
            self._close_pool()

    def _jobs(self, keys: list[str]) -> list[tuple[str, CardText]]:
        return [(key, self.texts[key]) for key in keys]

    def _draw_here(self, keys: list[str]) -> None:
        draw_into_cache(self.settings.cache_dir, self._jobs(keys), self.settings.colours,
                        self.fonts)

    def _share_the_rest(self) -> None:
        """Take back half the batches no worker has started, to draw them here meanwhile."""
        not_started = [f for f in self.batches if not f.running() and not f.done()]
        for future in reversed(not_started[len(not_started) // 2:]):
            if future.cancel():
                self.waiting += self.batches.pop(future)

    def finish(self) -> PaintStats:
        """Wait for the workers and draw what is left here; every requested card is cached."""
        stats = PaintStats(requested=len(self.texts))
        self._share_the_rest()
        self._draw_here(self.waiting)
        stats.drawn_here = len(self.waiting)
        self.waiting.clear()
        for future, keys in self.batches.items():
            try:
                future.result()
            except BrokenProcessPool:
                # A worker died (out of memory, killed): draw its cards here instead.
                self._draw_here(keys)
                stats.drawn_here += len(keys)
                continue
            stats.drawn_beside += len(keys)
        self.batches.clear()
        self._close_pool()
        return stats

    def _close_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def abandon(self) -> None:
        """Stop the workers of a build that ended without finishing (it failed)."""
        for future in self.batches:
            future.cancel()
        self.batches.clear()
        self._close_pool()
