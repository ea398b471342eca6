"""Render the pages on two cores: a forked child renders some, the build the rest.

Pelican renders every page in turn on one core. Once every generator has its content (when
Pelican asks for its writer), the build forks. Both processes then walk the same calls to the
writer in the same order; before rendering one, a process claims it in a table both share, so
each call is rendered by exactly one of them, whichever gets there first (the faster process
does more). Everything else stays with the build's own process, so plugins see a single-process
build:

- it still sends ``content_written`` for every page, with the same path and context, in the same
  order, and every generator signal, so pelican-sitemap and our plugins see each page exactly
  once; the child's signals are muted, it writes no feed, runs nothing after the pages (no
  ``finalized``) and leaves with ``os._exit``;
- what the child logs at warning level or above is logged again by the build before
  ``finalized``, so a production build fails on a rendering error wherever the page was rendered;
- only Pelican's own article, page and template-page generators are shared; any other
  generator (static files, plugins' generators) runs in the build's process alone.

If the fork fails, the build renders everything itself. If the child dies or fails, the build
renders, before ``finalized``, every call the child claimed and did not finish, so the output
is the same whatever happened to the child. The claim table's lock is an ``flock``, which the
system releases when its holder dies.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import mmap
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from blinker import Signal
from pelican.generators import ArticlesGenerator, PagesGenerator, TemplatePagesGenerator
from pelican.plugins import signals
from pelican.writers import FileOverwriteFailedError, Writer

from self_promoting_blog.build.forking import fork_with_pipe

try:
    import fcntl
except ImportError:  # Windows, which cannot fork either: the build renders in one process
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

SHARED = (ArticlesGenerator, PagesGenerator, TemplatePagesGenerator)
# A call's state in the claim table.
FREE, PARENT, CHILD, CHILD_DONE = 0, 1, 2, 3
# Calls the table holds (a 5,000-article site makes about 6,000); past it the build renders alone.
MAX_CALLS = 1 << 20


class Claims:
    """The table of who renders which writer call, shared by the two processes (an mmap)."""

    def __init__(self) -> None:
        if fcntl is None:
            raise OSError("no fcntl.flock on this system")
        self.table = mmap.mmap(-1, MAX_CALLS)
        self._lock_file = tempfile.NamedTemporaryFile(prefix="split-render-", delete=False)
        self._lock = self._lock_file.fileno()

    def reopen_lock(self) -> None:
        """In the child: a lock of its own (an flock is shared by descriptors of one open)."""
        self._lock = os.open(self._lock_file.name, os.O_RDWR)

    def claim(self, call: int, role: int) -> bool:
        """Whether `role` renders call number `call` (False: the other process does)."""
        if call >= MAX_CALLS:
            return role == PARENT
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        try:
            if self.table[call] != FREE:
                return False
            self.table[call] = role
            return True
        finally:
            fcntl.flock(self._lock, fcntl.LOCK_UN)

    def done(self, call: int) -> None:
        if call < MAX_CALLS:
            self.table[call] = CHILD_DONE

    def unfinished(self, call: int) -> bool:
        """Claimed by the child and not done (it died or failed on the way)."""
        return call < MAX_CALLS and self.table[call] == CHILD

    def close(self) -> None:
        self._lock_file.close()
        with contextlib.suppress(OSError):
            os.unlink(self._lock_file.name)
        self.table.close()


def _every_signal() -> list[Signal]:
    return [s for s in vars(signals).values() if isinstance(s, Signal)]


@contextmanager
def _muted() -> Iterator[None]:
    with ExitStack() as stack:
        for one in _every_signal():
            stack.enter_context(one.muted())
        yield


class _Blank:
    """Stands in for a template whose page the other process renders."""

    def render(self, _context: Any) -> str:
        return ""


class SplitWriter(Writer):
    """Pelican's writer that renders and writes only the calls it claims while `sharing`.

    The other calls go through Pelican's own code with a blank template and no file, so each
    page's context is made and ``content_written`` is sent exactly as if it were written.
    `redo` (in the build, after a child failed): render only what the child left unfinished.
    """

    role = PARENT
    sharing = False
    redo = False
    claims: Claims
    _calls = 0
    _skipping = False

    def _mine(self) -> bool:
        call, self._calls = self._calls, self._calls + 1
        if self.redo:
            return self.claims.unfinished(call)
        return self.claims.claim(call, self.role)

    def write_file(self, name: Any, template: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.sharing or not name:
            return super().write_file(name, template, context, *args, **kwargs)
        if self._mine():
            written = super().write_file(name, template, context, *args, **kwargs)
            if self.role == CHILD and not self.redo:
                self.claims.done(self._calls - 1)
            return written
        self._skipping = True
        try:
            return super().write_file(name, _Blank(), context, *args, **kwargs)
        finally:
            self._skipping = False

    def write_feed(self, *args: Any, **kwargs: Any) -> Any:
        if self.role == CHILD:
            return None  # feeds are the build's own (feed_written is its signal)
        return super().write_feed(*args, **kwargs)

    def _open_w(self, filename: Any, encoding: Any, override: bool = False) -> Any:
        if not self._skipping:
            return super()._open_w(filename, encoding, override=override)
        # Pelican's bookkeeping (Writer._open_w) without opening the file the other process
        # writes: the same pages are refused or skipped as in one process.
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" a second time (was previously overwritten)')
        elif filename in self._written_files and not override:
            raise FileOverwriteFailedError(
                f'Failed to overwrite "{filename}" as Pelican has already written to it '
                "previously (set `override=True` if intended)")
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        return open(os.devnull, "w", encoding=encoding)


class _LogRelay(logging.Handler):
    """In the child: keeps warnings and errors, to be logged again by the build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None
        if record.exc_info and record.exc_info[1] is not None:
            record.msg += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
        record.exc_info = record.exc_text = None
        self.records.append(record)


class SplitRender:
    """One build's split: the generators to share, the child, and what to do if it fails."""

    def __init__(self) -> None:
        self.generators: list[Any] = []
        self.claims: Claims | None = None
        self.pid = 0
        self.messages = -1
        self.finished = False
        self.child_ok = False
        self.child_pages = 0  # writer calls the child rendered (a paginated call is one)
        self.redone = 0  # calls the child claimed and did not finish, rendered here instead
        self.calls = 0
        self._writer: SplitWriter | None = None

    def keep_generators(self, generators: list[Any]) -> None:
        """all_generators_finalized receiver."""
        self.generators = [g for g in generators if type(g) in SHARED]

    def writer_class(self, _pelican: Any) -> type[Writer] | None:
        """get_writer receiver: fork now, and give Pelican the parent's writer."""
        if not self.generators or len(signals.get_writer.receivers) != 1:
            return None  # another plugin brings its own writer: leave it alone
        split = self

        class ParentWriter(SplitWriter):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                split.fork(self)

        return ParentWriter

    def fork(self, writer: SplitWriter) -> None:
        try:
            self.claims = Claims()
        except OSError as exc:
            logger.debug("rendering in one process (%s)", exc)
            return
        forked = fork_with_pipe(functools.partial(self._child, writer))
        if forked is None:
            self.claims.close()
            self.claims = None
            return  # render everything here
        pid, read_end = forked
        writer.claims = self.claims
        self.pid, self.messages, self._writer = pid, read_end, writer
        for generator in self.generators:
            generator.generate_output = self._shared(generator, writer)

    def _child(self, parent_writer: SplitWriter, write_end: int) -> None:
        """In the forked helper: render what it claims, then send what it logged."""
        for one in _every_signal():
            one.is_muted = True
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
        relay = _LogRelay()
        root.addHandler(relay)
        assert self.claims is not None
        self.claims.reopen_lock()
        self._render_share(parent_writer.output_path, parent_writer.settings, CHILD)
        with os.fdopen(write_end, "wb") as out:
            pickle.dump(relay.records, out, protocol=pickle.HIGHEST_PROTOCOL)

    def _render_share(self, output_path: str, settings: Any, role: int, redo: bool = False) -> None:
        assert self.claims is not None
        writer = SplitWriter(output_path, settings=settings)
        writer.role, writer.sharing, writer.redo, writer.claims = role, True, redo, self.claims
        for generator in self.generators:
            type(generator).generate_output(generator, writer)

    def _shared(self, generator: Any, writer: SplitWriter) -> Callable[[Any], None]:
        def generate_output(_writer: Any) -> None:
            writer.sharing = True
            try:
                type(generator).generate_output(generator, writer)
            finally:
                writer.sharing = False
            if generator is self.generators[-1]:
                self.finish()

        return generate_output

    def finish(self) -> None:
        """Wait for the child; relay its messages, or render its share here if it failed."""
        if self.finished or not self.pid:
            return
        self.finished = True
        records: list[logging.LogRecord] = []
        with os.fdopen(self.messages, "rb") as source:
            with contextlib.suppress(Exception):  # a child that died sent nothing complete
                records = pickle.load(source)
        _, status = os.waitpid(self.pid, 0)
        self.child_ok = os.waitstatus_to_exitcode(status) == 0
        assert self.claims is not None and self._writer is not None
        self.calls = self._writer._calls
        claimed = self.claims.table[:min(self.calls, MAX_CALLS)]
        self.child_pages, self.redone = claimed.count(CHILD_DONE), claimed.count(CHILD)
        if not self.child_ok:
            logger.debug("the render process failed (status %s): rendering its pages here",
                         status)
            generators = self.generators
            if generators:
                with _muted():
                    self._render_share(generators[0].output_path, generators[0].settings, CHILD,
                                       redo=True)
        else:
            for record in records:
                logging.getLogger(record.name).handle(record)
        self._close()

    def _close(self) -> None:
        if self.claims is not None:
            self.claims.close()
            self.claims = None

    def abandon(self) -> None:
        """The build stopped before the pages were done: end the child, if any."""
        if self.pid and not self.finished:
            self.finished = True
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, 9)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            with contextlib.suppress(OSError):
                os.close(self.messages)
        self._close()
