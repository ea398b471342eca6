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
  ``finalized``) and ends in forking.py;
- what the child logs at warning level or above is logged again by the build before
  ``finalized``, so a production build fails on a rendering error wherever the page was rendered;
- only Pelican's own article, page and template-page generators are shared; any other
  generator (static files, plugins' generators) runs in the build's process alone.

Nothing the child writes is trusted blindly. It writes into a folder of its own beside the
output; a claim records the name of the page, and the build checks it against the name of its
own call with that number. Only pages the child finished, at calls where both walks agreed, are
moved into the output, before ``finalized``. If the walks ever disagree (a plugin receiver that
writes an extra page, say), the build stops the child and renders every later call itself; if
the fork fails, it renders everything; if the child dies or fails, it renders what the child
claimed and did not finish. The output is the same whatever happened to the child. The claim
table's lock is an ``flock``, which the system releases when its holder dies.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import mmap
import os
import pickle
import shutil
import signal
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from blinker import Signal
from pelican.generators import ArticlesGenerator, PagesGenerator, TemplatePagesGenerator
from pelican.log import FilteredMessage
from pelican.plugins import signals
from pelican.writers import Writer

from self_promoting_blog.build.forking import fork_with_pipe, free_cores
from self_promoting_blog.build.overwrites import book_write
from self_promoting_blog.build.staging import remove_in_background

try:
    import fcntl
except ImportError:  # Windows, which cannot fork either: the build renders in one process
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

SHARED = (ArticlesGenerator, PagesGenerator, TemplatePagesGenerator)
# A call's state in the claim table, beside the CRC-32 of the page's name.
FREE, PARENT, CHILD, CHILD_DONE = 0, 1, 2, 3
_SLOT = struct.Struct("<BxxxI")
# Calls the table holds (a 5,000-article site makes about 6,000); past it the build renders alone.
MAX_CALLS = 1 << 20
# What `Claims.claim` finds.
MINE, THEIRS, DIVERGED = "mine", "theirs", "diverged"


_shadows = itertools.count()  # one process (livereload) builds many times


def _crc(name: Any) -> int:
    return zlib.crc32(str(name).encode("utf-8", "surrogateescape"))


class Claims:
    """The table of who renders which writer call, shared by the two processes (an mmap)."""

    def __init__(self, lock_path: Path) -> None:
        """`lock_path`: a file to create for the lock, in the build's own folder."""
        if fcntl is None:
            raise OSError("no fcntl.flock on this system")
        self._lock_path = lock_path
        self._lock = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        self.table = mmap.mmap(-1, MAX_CALLS * _SLOT.size)
        self.child_diverged = mmap.mmap(-1, 1)  # set by the child when it notices first

    def reopen_lock(self) -> None:
        """In the child: a lock of its own (an flock is shared by descriptors of one open)."""
        self._lock = os.open(self._lock_path, os.O_RDWR)

    def state(self, call: int) -> tuple[int, int]:
        return _SLOT.unpack_from(self.table, call * _SLOT.size) if call < MAX_CALLS else (FREE, 0)

    def claim(self, call: int, role: int, name: Any) -> str:
        """Claim call number `call`, the page saved as `name`, for `role`, if it is free.

        THEIRS when the other process claimed it for the same page, DIVERGED for another page.
        """
        if call >= MAX_CALLS:
            return MINE if role == PARENT else DIVERGED
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        try:
            state, crc = self.state(call)
            if state == FREE:
                _SLOT.pack_into(self.table, call * _SLOT.size, role, _crc(name))
                return MINE
        finally:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
        return THEIRS if crc == _crc(name) else DIVERGED

    def done(self, call: int) -> None:
        state, crc = self.state(call)
        _SLOT.pack_into(self.table, call * _SLOT.size, CHILD_DONE, crc)

    def count(self, wanted: int, below: int) -> int:
        return sum(self.state(call)[0] == wanted for call in range(min(below, MAX_CALLS)))

    def close(self) -> None:
        os.close(self._lock)
        with contextlib.suppress(OSError):
            os.unlink(self._lock_path)
        self.table.close()
        self.child_diverged.close()


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
    In the child, `written` logs each file written, by call. `redo` (in the build, after the
    child failed): render only what the child claimed and left unfinished, before `limit`.
    """

    role = PARENT
    sharing = False
    alone = False  # the walks disagreed: the build renders every later call itself
    redo = False
    limit = MAX_CALLS
    claims: Claims
    split: SplitRender | None = None
    written: Any = None
    rendering: int | None = None  # the call being rendered here, if any
    _calls = 0
    _skipping = False

    def _mine(self, name: Any) -> bool:
        call, self._calls = self._calls, self._calls + 1
        if self.redo:
            state, crc = self.claims.state(call)
            return call < self.limit and state == CHILD and crc == _crc(name)
        if self.alone:
            return self.role == PARENT
        found = self.claims.claim(call, self.role, name)
        if found == DIVERGED:
            if self.role == CHILD:  # the build renders the rest (its own walk checks the past)
                self.claims.child_diverged[0] = 1
                raise RuntimeError(f"the render process's call {call} ({name}) is not the build's")
            self.alone = True
            assert self.split is not None
            self.split.diverged(call)
        return found == MINE or self.alone

    def write_file(self, name: Any, template: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.sharing or not name:
            return super().write_file(name, template, context, *args, **kwargs)
        if self._mine(name):
            self.rendering = self._calls - 1
            try:
                written = super().write_file(name, template, context, *args, **kwargs)
            finally:
                self.rendering = None
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
            if self.written is not None:
                relative = os.path.relpath(filename, self.output_path)
                self.written.write(f"{self._calls - 1}\t{relative}\n")
            return super()._open_w(filename, encoding, override=override)
        # Pelican's bookkeeping without opening the file the other process writes: the same
        # pages are refused or skipped as in one process.
        book_write(self, filename, override)
        return open(os.devnull, "w", encoding=encoding)


class _LogRelay(logging.Handler):
    """In the child: keeps the warnings and errors of the pages it renders, with their call.

    What it logs outside a page it renders, the build logs itself (it runs the same code).
    """

    def __init__(self, writer: SplitWriter) -> None:
        super().__init__(logging.WARNING)
        self.writer = writer
        self.records: list[tuple[int, logging.LogRecord]] = []

    def emit(self, record: logging.LogRecord) -> None:
        call = self.writer.rendering
        if call is None:
            return
        record.msg, record.args = record.getMessage(), None
        if record.exc_info and record.exc_info[1] is not None:
            record.msg += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
        record.exc_info = record.exc_text = None
        self.records.append((call, record))


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
        self.diverged_at: int | None = None
        self.shadow: Path | None = None  # the child's folder: pages/ and the log of them
        self._writer: SplitWriter | None = None

    def keep_generators(self, generators: list[Any]) -> None:
        """all_generators_finalized receiver."""
        self.generators = [g for g in generators if type(g) in SHARED]

    def writer_class(self, _pelican: Any) -> type[Writer] | None:
        """get_writer receiver: fork now, and give Pelican the parent's writer."""
        if not self.generators or len(signals.get_writer.receivers) != 1:
            return None  # another plugin brings its own writer: leave it alone
        if free_cores() < 1:
            logger.debug("rendering in one process: no core is free (card workers are drawing)")
            return None
        split = self

        class ParentWriter(SplitWriter):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                split.fork(self)

        return ParentWriter

    def fork(self, writer: SplitWriter) -> None:
        # Named like the staging folder, so a build that dies leaves it to staging.py's cleanup;
        # numbered, so removing one in the background never touches the next build's.
        output = Path(writer.output_path)
        self.shadow = output.with_name(f"{output.name}-render-{next(_shadows)}")
        try:
            shutil.rmtree(self.shadow, ignore_errors=True)
            (self.shadow / "pages").mkdir(parents=True)
            self.claims = Claims(self.shadow / "claims.lock")
        except OSError as exc:
            logger.debug("rendering in one process (%s)", exc)
            self._close()
            return
        forked = fork_with_pipe(functools.partial(self._child, writer))
        if forked is None:
            self._close()
            return  # render everything here
        self.pid, self.messages = forked
        writer.claims, writer.split, self._writer = self.claims, self, writer
        for generator in self.generators:
            generator.generate_output = self._shared(generator, writer)

    @property
    def _log(self) -> Path:
        assert self.shadow is not None
        return self.shadow / "written.tsv"

    def _child(self, parent_writer: SplitWriter, write_end: int) -> None:
        """In the forked helper: render what it claims, then send what it logged."""
        for one in _every_signal():
            one.is_muted = True
        assert self.claims is not None and self.shadow is not None
        self.claims.reopen_lock()
        writer = self._writer_for(str(self.shadow / "pages"), parent_writer.settings, CHILD)
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
        relay = _LogRelay(writer)
        root.addHandler(relay)
        with self._log.open("w", encoding="utf-8", buffering=1) as written:
            writer.written = written
            self._walk(writer)
        with os.fdopen(write_end, "wb") as out:
            pickle.dump(relay.records, out, protocol=pickle.HIGHEST_PROTOCOL)

    def _writer_for(self, output_path: str, settings: Any, role: int) -> SplitWriter:
        assert self.claims is not None
        writer = SplitWriter(output_path, settings=settings)
        writer.role, writer.sharing, writer.claims = role, True, self.claims
        return writer

    def _walk(self, writer: SplitWriter) -> None:
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

    def diverged(self, call: int) -> None:
        """The build's call number `call` is not the child's: stop the child, trust up to here."""
        logger.debug("the render process's walk differs from the build's at call %d: the "
                      "build renders the rest", call)
        self.diverged_at = call
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)

    def finish(self) -> None:
        """Wait for the child; take its checked pages; render what it left; relay its messages."""
        if self.finished or not self.pid:
            return
        self.finished = True
        records: list[tuple[int, logging.LogRecord]] = []
        with os.fdopen(self.messages, "rb") as source:
            with contextlib.suppress(Exception):  # a child that died sent nothing complete
                records = pickle.load(source)
        _, status = os.waitpid(self.pid, 0)
        assert self.claims is not None and self._writer is not None
        self.child_ok = os.waitstatus_to_exitcode(status) == 0
        self.calls = self._writer._calls
        if self.claims.child_diverged[0] and self.diverged_at is None:
            self.diverged_at = self.calls  # noticed by the child; the build checked every call
        # Calls up to here were checked by the build's own walk, name against name.
        limit = self.calls if self.diverged_at is None else self.diverged_at
        self.child_pages = self.claims.count(CHILD_DONE, limit)
        self.redone = self.claims.count(CHILD, limit)
        self._take_pages(limit)
        if self.redone:
            logger.debug("the render process stopped (status %s): rendering its %d unfinished "
                          "pages here", status, self.redone)
            redo = self._writer_for(self._writer.output_path, self._writer.settings, CHILD)
            redo.redo, redo.limit = True, limit
            with _muted():
                self._walk(redo)
        for call, record in records:
            if call < limit and self.claims.state(call)[0] == CHILD_DONE:
                # Pelican's loggers drop a warning already shown, by raising FilteredMessage.
                with contextlib.suppress(FilteredMessage):
                    logging.getLogger(record.name).handle(record)
        self._close()

    def _take_pages(self, limit: int) -> None:
        """Move the files of the child's checked, finished calls into the output."""
        assert self.claims is not None and self.shadow is not None and self._writer is not None
        output = Path(self._writer.output_path)
        with contextlib.suppress(FileNotFoundError), self._log.open(encoding="utf-8") as log:
            for line in log:
                call_text, _, relative = line.rstrip("\n").partition("\t")
                call = int(call_text)
                if call < limit and self.claims.state(call)[0] == CHILD_DONE:
                    target = output / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with contextlib.suppress(FileNotFoundError):  # written twice: moved once
                        os.replace(self.shadow / "pages" / relative, target)

    def _close(self) -> None:
        if self.claims is not None:
            self.claims.close()
            self.claims = None
        if self.shadow is not None and self.shadow.exists():
            # What is left is mostly empty folders (its pages moved out): no need to wait.
            remove_in_background(self.shadow)

    def abandon(self) -> None:
        """The build stopped before the pages were done: end the child, if any."""
        if self.pid and not self.finished:
            self.finished = True
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            with contextlib.suppress(OSError):
                os.close(self.messages)
        self._close()
