"""Draw the cards the cache lacks beside the build, in worker processes.

Pelican reads and writes on one core; a card costs ~2 ms of Pillow work, which threads cannot
overlap (Pillow holds the GIL for most of it). So missing cards go, BATCH at a time, onto a queue
that worker processes (worker.py) draw from while the articles are still being read and written;
at its end the build waits for them, drawing from the same queue itself while they are well
behind. A few missing cards (an edit, a new post) are drawn here at the end: starting a
worker would cost more than it saves. With SOCIAL_CARDS_WORKERS off (the live preview, whose
process lives on: a worker is a whole interpreter with Pillow beside it) every card is drawn
here at the end.

Workers run at a lower priority than the build (worker.py), which is what the build waits for.
They are plain `python -m self_promoting_blog.cards.worker` processes fed pickles over a pipe
(batches.py), not a multiprocessing pool: those re-import the build's main script in every
worker (running the build again when it has no `if __name__ == "__main__"` guard) and add a
resource-tracker process. Nothing here imports Pelican, nor Pillow until a card is drawn.
"""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from functools import cached_property

from self_promoting_blog.cards.batches import Batch, draw_into_cache, read_message, send_message
from self_promoting_blog.cards.cache import CardCache, card_inputs, card_key
from self_promoting_blog.cards.settings import CardsSettings
from self_promoting_blog.cards.spec import CardText, Fonts

logger = logging.getLogger(__name__)

# Cards go to a worker this many at a time (one hand-over costs more than drawing a card); fewer
# missing cards than this are drawn in the build's own process.
BATCH = 16
MAX_WORKERS = 4


def _worker_count() -> int:
    """Leave one core to Pelican; more than a few workers only contend for the disk."""
    return max(1, min(MAX_WORKERS, (os.cpu_count() or 2) - 1))


class _Worker:
    """One worker process and the thread that feeds it batches from the shared queue."""

    def __init__(self, batches: queue.Queue[Batch | None], done: list[Batch],
                 failed: list[Batch]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "self_promoting_blog.cards.worker"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE)
        self._batches, self._done, self._failed = batches, done, failed
        # A daemon: a build that fails never waits for its workers at exit.
        self.thread = threading.Thread(target=self._feed, daemon=True)
        self.thread.start()

    def _feed(self) -> None:
        while (batch := self._batches.get()) is not None:
            try:
                send_message(self.process.stdin, batch)
                error = read_message(self.process.stdout)
            except (OSError, EOFError) as exc:  # the worker died (killed, out of memory)
                error = f"the worker process ended: {exc}"
            if error is None:
                self._done.append(batch)
                continue
            logger.debug("social_cards: a worker could not draw a batch: %s", error)
            self._failed.append(batch)
            if self.process.poll() is not None:
                return

    def stop(self) -> None:
        if self.process.stdin:
            try:
                self.process.stdin.close()  # the worker exits at the end of its input
            except OSError:
                pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class PaintStats:
    """The keys drawn by this painter (some may be of cards the build did not keep)."""

    drawn: set[str] = field(default_factory=set)
    beside: set[str] = field(default_factory=set)  # by workers, while the build went on


@dataclass
class CardPainter:
    """Makes sure every requested card is in the cache by the time `finish` returns."""

    settings: CardsSettings
    texts: dict[str, CardText] = field(default_factory=dict)  # every card requested, by key
    keys: dict[CardText, str] = field(default_factory=dict)
    waiting: list[str] = field(default_factory=list)  # missing, not queued for workers
    batches: queue.Queue[Batch | None] = field(default_factory=queue.Queue)
    done: list[Batch] = field(default_factory=list)  # appended to by the feeding threads
    failed: list[Batch] = field(default_factory=list)
    workers: list[_Worker] = field(default_factory=list)
    no_workers: bool = False

    def __post_init__(self) -> None:
        self.no_workers = self.no_workers or not self.settings.workers

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
        """Ask for a card; return its cache key. Drawing starts now if workers are running."""
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
        if self.no_workers or len(self.waiting) < BATCH:
            return
        if not self.workers:
            self._start_workers()
            if self.no_workers:
                return
        while len(self.waiting) >= BATCH:
            self.batches.put(self._batch(self.waiting[:BATCH]))
            del self.waiting[:BATCH]

    def _start_workers(self) -> None:
        try:
            for _ in range(_worker_count()):
                self.workers.append(_Worker(self.batches, self.done, self.failed))
        except OSError as exc:  # cannot start a process here: draw everything in this one
            logger.debug("social_cards: drawing in the build's process (%s)", exc)
            self.no_workers = True
            self._stop_workers()

    def _batch(self, keys: list[str]) -> Batch:
        return Batch(self.settings.cache_dir, [(key, self.texts[key]) for key in keys],
                     self.settings.colours, self.fonts)

    def _draw_here(self, batch: Batch) -> set[str]:
        if batch.cards:
            draw_into_cache(batch)
        return {key for key, _ in batch.cards}

    def finish(self) -> PaintStats:
        """Draw alongside the workers while they are well behind, then wait for them.

        Only well behind: drawing here loads Pillow into the build's own process (~10 MB), for
        a saving of at most one batch's time when the workers are nearly done.
        """
        stats = PaintStats()
        if self.workers and self.waiting:
            self.batches.put(self._batch(self.waiting))  # the last, short batch
        else:
            stats.drawn |= self._draw_here(self._batch(self.waiting))
        self.waiting.clear()
        while self.batches.qsize() > 2 * len(self.workers):
            stats.drawn |= self._draw_here(self._next_queued())
        self._stop_workers()
        while not self.batches.empty():  # left by workers that died
            stats.drawn |= self._draw_here(self._next_queued())
        stats.beside = {key for batch in self.done for key, _ in batch.cards}
        # What a worker could not draw is drawn here, so a real error surfaces with its cause.
        for batch in self.failed:
            stats.drawn |= self._draw_here(batch)
        stats.drawn |= stats.beside
        self.done.clear()
        self.failed.clear()
        return stats

    def _next_queued(self) -> Batch:
        try:
            batch = self.batches.get_nowait()
        except queue.Empty:  # a worker took the last one meanwhile
            batch = None
        return batch if batch is not None else self._batch([])

    def _stop_workers(self) -> None:
        for _ in self.workers:
            self.batches.put(None)
        for worker in self.workers:
            worker.thread.join()
            worker.stop()
        self.workers.clear()

    def abandon(self) -> None:
        """Stop the workers of a build that ended without finishing (it failed)."""
        while True:
            try:
                self.batches.get_nowait()
            except queue.Empty:
                break
        self._stop_workers()
