"""The site in memory: one update per change, and the answer to each request.

An update is one Pelican run in development settings, with three differences that change no
byte of any page: unchanged files are not read again (``memory``), pages are recorded instead
of rendered (``recording``; the page asked for first is recorded alone, the others once it is
served), and the work Pelican does after writing the pages (the social cards, feeds, sitemap,
robots.txt, the check of written links) is put off until something needs it: a request for a
file it writes, the next update, or ``finish`` from the server once the reloaded page has been
served. Each update writes into a new folder, so a file the site no
longer has is never served.
"""

from __future__ import annotations

import gc
import itertools
import logging
import mimetypes
import posixpath
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from jinja2.bccache import Bucket, BytecodeCache
from pelican import Pelican
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.plugins import signals

from self_promoting_blog.build.build import load
from self_promoting_blog.build.fresh_run import start_fresh_run
from self_promoting_blog.build.logcapture import collect_logs
from self_promoting_blog.build.preview.addresses import AddressMemo
from self_promoting_blog.build.preview.memory import ContentMemory
from self_promoting_blog.build.preview.pages import (
    Trouble,
    error_page,
    template_trouble,
    with_reload_hook,
)
from self_promoting_blog.build.preview.recording import RecordedPage, RecordingWriter
from self_promoting_blog.check.problems import Problem


@dataclass(frozen=True)
class Answer:
    """What the server sends for one request."""

    status: int
    content_type: str
    body: bytes
    location: str | None = None


@dataclass(frozen=True)
class Update:
    """What one update did, for the console."""

    number: int
    seconds: float
    articles: int
    pages: int
    read: tuple[str, ...]
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    crashed: bool


class _ProblemKeeper(logging.Handler):
    """Keeps the Problem objects content_check logs (``content_check: %s``, problem)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.problems: list[Problem] = []

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        self.problems.extend(arg for arg in args if isinstance(arg, Problem))


@contextmanager
def _logs() -> Iterator[tuple[Any, _ProblemKeeper]]:
    keeper = _ProblemKeeper()
    root = logging.getLogger()
    with collect_logs() as logs:
        root.addHandler(keeper)
        try:
            yield logs, keeper
        finally:
            root.removeHandler(keeper)


class CompiledTemplates(BytecodeCache):
    """The theme's templates compiled once, kept in memory (Jinja checks each one's source: an
    edited template is compiled again), so an update does not compile them all anew."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


def _end_crashed_run(pelican: Pelican) -> None:
    """Send `finalized` for a run that crashed, its logs and failures dropped: plugins reset
    what they keep from one run to the next on it (pelican-sitemap would otherwise wait for
    this run to end and never write the sitemap of the next ones)."""
    with collect_logs():
        try:
            signals.finalized.send(pelican)
        except Exception:  # the run is broken anyway; its crash is what the page shows
            logging.getLogger(__name__).debug("finalized after a crashed run failed",
                                              exc_info=True)


class _PreviewPelican(Pelican):
    """Pelican, writing through the given recording writer."""

    def __init__(self, settings: dict[str, Any], writer: RecordingWriter) -> None:
        self.recorder = writer
        super().__init__(settings)

    def _get_writer(self) -> RecordingWriter:
        return self.recorder


@dataclass
class _Deferred:
    """What an update left for ``finish``: Pelican's last two signals, and their senders."""

    pelican: Pelican
    articles: Any
    writer: RecordingWriter


@dataclass
class _State:
    """The last update's result, as requests see it."""

    folder: Path | None = None
    writer: RecordingWriter | None = None
    problems: list[Problem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    crash: Trouble | None = None


class PreviewSite:
    """The development site of one settings file, updated in memory and served page by page."""

    def __init__(self, settings_file: str | Path,
                 overrides: Mapping[str, Any] | None = None) -> None:
        self.settings_file = Path(settings_file)
        self.overrides = dict(overrides or {})
        self.memory = ContentMemory()
        self.addresses = AddressMemo()
        self.compiled = CompiledTemplates()
        self.lock = threading.RLock()  # one update, render or finish at a time
        self.version = 0
        self.changed = threading.Condition()
        self.state = _State()
        self.sources: dict[str, str] = {}  # output path → the file that last made it
        self._deferred: _Deferred | None = None
        self._next_folder: Path | None = None
        self.last_update: Update | None = None
        self._numbers = itertools.count(1)
        self._numbers_used = 0
        self.settings = load(self.settings_file, self.overrides)
        self.root = Path(self.settings["CACHE_PATH"]) / "preview"
        shutil.rmtree(self.root, ignore_errors=True)  # what an earlier preview left

    def settings_changed(self) -> None:
        """The settings file changed: read everything again on the next update."""
        self.memory.forget()

    def update(self) -> Update:
        """Run Pelican again over the current files; requests wait for the result."""
        with self.lock:
            self.finish()
            started = time.monotonic()
            start_fresh_run()
            number = self._numbers_used = next(self._numbers)
            self.settings = load(self.settings_file, self.overrides)
            folder = self._next_folder or self._skeleton(number, ())
            self._next_folder = None
            self.settings["OUTPUT_PATH"] = str(folder)
            # Missing social cards are drawn in this process once the reloaded page is served
            # (finish): worker processes drawing them at the first read, beside the update's
            # own peak, were a third of the preview's memory.
            self.settings["SOCIAL_CARDS_WORKERS"] = False
            self.settings["JINJA_ENVIRONMENT"] = {**self.settings["JINJA_ENVIRONMENT"],
                                                  "bytecode_cache": self.compiled}
            writer = RecordingWriter(str(folder), self.settings)
            kept: dict[str, Any] = {}
            crash: Trouble | None = None

            def keep(generators: list[Any]) -> None:
                kept["generators"] = generators

            # A garbage collection in the middle of an update costs up to a second at 5,000
            # articles; finish() turns it back on, once the reloaded page has been served (or,
            # when the update left it nothing to do, the `finally` below). Not while every file
            # is read: the garbage of reading thousands of files, kept to the end, raised the
            # preview's memory for good by half.
            if self.memory.kept:
                gc.disable()
            try:
                with (_logs() as (logs, keeper), self.memory.reading(), self.addresses.updating(),
                      signals.all_generators_finalized.connected_to(keep),
                      signals.article_writer_finalized.muted(), signals.finalized.muted()):
                    pelican = None
                    try:
                        pelican = _PreviewPelican(self.settings, writer)
                        pelican.run()
                    except Exception as exc:
                        crash = template_trouble(exc) or Trouble(
                            "", f"The build stopped: {type(exc).__name__}: {exc}",
                            "fix what it names; the page reloads by itself once the file is saved")
                generators = kept.get("generators", [])
                articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
                pages = next((g for g in generators if isinstance(g, PagesGenerator)), None)
                if crash is None and pelican is not None:
                    self._deferred = _Deferred(pelican, articles, writer)
                elif pelican is not None:
                    _end_crashed_run(pelican)
                self._replace(_State(folder, writer, keeper.problems, list(logs.errors), crash))
                errors = tuple(logs.errors) + ((f"{crash.where}: {crash.what}",) if crash else ())
                self.last_update = Update(number, time.monotonic() - started,
                                          len(articles.articles) if articles else 0,
                                          len(pages.pages) if pages else 0, tuple(self.memory.read),
                                          errors, tuple(logs.warnings), crash is not None)
                return self.last_update
            finally:
                if self._deferred is None:  # nothing left for finish(): turn it on now
                    gc.enable()

    def _replace(self, state: _State) -> None:
        old = self.state.folder
        self.state = state
        with self.changed:
            self.version += 1
            self.changed.notify_all()
        if old is not None:
            threading.Thread(target=shutil.rmtree, args=(old, True), daemon=True).start()

    def _pages(self, state: _State) -> dict[str, RecordedPage]:
        """Every page of state, recorded now if they were not yet (a failure doing it is the
        update's crash, as it would have been the build's)."""
        if state.writer is None:
            return {}
        if not state.writer.completed:
            with _logs() as (logs, _keeper):
                try:
                    state.writer.complete()
                except Exception as exc:
                    state.crash = state.crash or template_trouble(exc) or Trouble(
                        "", f"The build stopped: {type(exc).__name__}: {exc}",
                        "fix what it names; the page reloads by itself once the file is saved")
            state.errors.extend(logs.errors)
            for path, page in state.writer.pages.items():
                if page.source:
                    self.sources[path] = page.source
        return state.writer.pages

    def finish(self) -> tuple[str, ...]:
        """Send what Pelican sends after writing the pages (cards, feeds, sitemap, link check).

        Returns the errors that work logged (also kept for the error page). Each recorded page
        gets an empty file first, so checks that look at the written files find it.
        """
        with self.lock, self.addresses.answering():
            gc.enable()
            deferred, self._deferred = self._deferred, None
            if deferred is None:
                return ()
            pages = self._pages(self.state)
            if self.state.crash is not None:
                _end_crashed_run(deferred.pelican)
                return (f"{self.state.crash.where}: {self.state.crash.what}",)
            folder = Path(deferred.pelican.output_path)
            for path in pages:
                (folder / path).touch()
            with _logs() as (logs, keeper):
                try:
                    if deferred.articles is not None:
                        signals.article_writer_finalized.send(deferred.articles,
                                                              writer=deferred.writer)
                    signals.finalized.send(deferred.pelican)
                except Exception as exc:
                    logging.getLogger(__name__).error("The build stopped: %s: %s",
                                                      type(exc).__name__, exc)
                changed = self.addresses.verify()
                if changed:
                    logging.getLogger(__name__).error(
                        "An address changed after every file was read (%s): the pages served "
                        "since the last change may link to the old one. Save a file to update "
                        "them; the preview works addresses out anew from now on.",
                        ", ".join(changed[:5]))
            self.state.problems.extend(keeper.problems)
            self.state.errors.extend(logs.errors)
            self._next_folder = self._skeleton(self._numbers_used + 1, pages)
            return tuple(logs.errors)

    def _skeleton(self, number: int, pages: Iterable[str]) -> Path:
        """A new output folder holding the folders of these pages (Pelican creates each page's
        folder as it writes it: ~0.1 ms apiece, done here off the path of the next update)."""
        folder = self.root / str(number)
        folder.mkdir(parents=True)
        for parent in {posixpath.dirname(path) for path in pages} - {""}:
            (folder / parent).mkdir(parents=True, exist_ok=True)
        return folder

    def wait_for_change(self, seen: int, timeout: float) -> bool:
        """Wait until the site is newer than version seen; False after timeout seconds."""
        with self.changed:
            return self.changed.wait_for(lambda: self.version != seen, timeout)

    # ── answering requests ─────────────────────────────────────────────────────────────────
    def answer(self, url_path: str) -> Answer:
        """The answer to a GET of url_path (``/articles/x/``), as a full build's host gives it."""
        # From "/", so that no number of ".." leads out of the site.
        rel = posixpath.normpath("/" + unquote(url_path.split("?", 1)[0].split("#", 1)[0]))
        rel = rel.lstrip("/")
        folder_like = url_path.split("?", 1)[0].endswith("/") or not rel
        name = f"{rel}/index.html" if folder_like and rel else (rel or "index.html")
        with self.lock, self.addresses.answering():
            state = self.state
            if state.crash is not None and self._is_page(name):
                return self._error(name, [state.crash])
            page = state.writer.page(name) if state.writer is not None else None
            if page is None:
                pages = self._pages(state)
                if state.crash is not None and self._is_page(name):
                    return self._error(name, [state.crash])
                page = pages.get(name)
            if page is not None:
                return self._render(name, page, 200)
            if not folder_like and f"{rel}/index.html" in pages:
                return Answer(301, "text/plain", b"", location=f"/{rel}/")
            found = self._file(state, name)
            if found is None and self._deferred is not None:
                self.finish()
                found = self._file(state, name)
            if found is not None:
                return found
            troubles = self._troubles(name, state)
            if troubles:
                return self._error(name, troubles)
            missing = pages.get("404.html")
            if missing is not None:
                return self._render("404.html", missing, 404)
            return Answer(404, "text/plain; charset=utf-8", b"Not found")

    @staticmethod
    def _is_page(name: str) -> bool:
        return name.endswith(".html")

    def _render(self, name: str, page: RecordedPage, status: int) -> Answer:
        try:
            text = page.render()
        except Exception as exc:
            trouble = template_trouble(exc) or Trouble(
                "", f"Rendering failed: {type(exc).__name__}: {exc}",
                "fix the template or plugin it names; the page reloads by itself once saved")
            return self._error(name, [trouble])
        return Answer(status, "text/html; charset=utf-8",
                      with_reload_hook(text, self.version).encode("utf-8"))

    def _file(self, state: _State, name: str) -> Answer | None:
        if state.folder is None:
            return None
        path = state.folder / name
        if not path.is_file():
            return None
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/xml", "application/json",
                                                "application/javascript"):
            kind += "; charset=utf-8"
        return Answer(200, kind, path.read_bytes())

    def _troubles(self, name: str, state: _State) -> list[Trouble]:
        """Why name is missing: its file's errors, else errors in files that made no page."""
        content_root = self.settings["PATH"]
        source = self.sources.get(name)
        errors = [p for p in state.problems if p.is_error]
        own = [p for p in errors if source and p.source_path(content_root) == source]
        if not own and self._is_page(name):
            made = {page.source for page in self._pages(state).values()}
            own = [p for p in errors if p.source_path(content_root) not in made]
        return [Trouble(p.where, p.message, p.fix) for p in own]

    def _error(self, name: str, troubles: list[Trouble]) -> Answer:
        body = error_page(f"/{name.removesuffix('index.html')}", troubles, self.version)
        return Answer(500, "text/html; charset=utf-8", body.encode("utf-8"))
