"""Parse the sources the reader cache lacks on a second core, from the far end of the list.

Pelican parses every file in turn on one core. Before it starts, the build forks a process that
parses the same missing files from the last one backwards; Pelican, reading from the first one
forwards, takes a file's result when it is ready and parses the file itself when it is not. The
two meet in the middle: a shared counter tells the child how far Pelican has got, and it stops
there.

The results wait on the disk, not in the build's memory (the child is ahead by up to half the
site): the child appends each one (the pickled parse) to a temporary file the build opened,
unlinked, in CACHE_PATH before the fork, and only then sends the file's path and hash and where
its result lies over a pipe. A thread of the build receives these few bytes as they come, so the
child never waits on a full pipe; the build reads a result from the file when Pelican asks for
that file. A result the child had not finished writing when it died is never announced, and one
shorter than announced is not used.

Nothing the child does is trusted beyond what the cache would trust: a result is used only for
the same bytes (the file's hash), a file whose parse logged anything is left for Pelican (which
logs it as usual), and the child never sends a signal or writes a file but that temporary one.
A child that cannot be started or dies only leaves more files for Pelican to parse itself.
"""

from __future__ import annotations

import logging
import mmap
import os
import pickle
import signal
import struct
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from pelican.log import LimitFilter
from pelican.readers import _filter_discardable_metadata  # what Pelican applies before caching

from self_promoting_blog.build.forking import fork_with_pipe, free_cores
from self_promoting_blog.build.reader_cache import dump, file_hash

logger = logging.getLogger(__name__)

# Fewer missing files than this are parsed by Pelican alone: a fork would cost more.
MIN_FILES = 16
_COUNTER = struct.Struct("q")


def _parse_backwards(readers: Any, files: Sequence[str], taken: mmap.mmap, spool: BinaryIO,
                     out: BinaryIO) -> None:
    """In the child: parse files[-1], files[-2], ... until Pelican has reached them.

    Each result is appended to `spool`, then announced on `out` as (path, hash, offset, length).
    """
    LimitFilter.filter = lambda self, record: True  # type: ignore[method-assign,assignment,unused-ignore]
    root = logging.getLogger()
    for handler in list(root.handlers):  # the parent shows the messages when it parses the file
        root.removeHandler(handler)
    warnings = _Logged()
    root.addHandler(warnings)
    for index in range(len(files) - 1, -1, -1):
        if index < _COUNTER.unpack_from(taken)[0]:
            return
        path = files[index]
        reader = readers.readers.get(os.path.splitext(path)[1][1:])
        if reader is None:
            continue
        before = warnings.count
        digest = file_hash(path)
        try:
            content, metadata = reader.read(path)
            blob = dump((content, _filter_discardable_metadata(metadata)))
        except Exception:  # Pelican parses it again and reports the problem
            continue
        if warnings.count == before:
            offset = spool.tell()
            spool.write(blob)
            spool.flush()  # all of it in the file before the build hears of it
            pickle.dump((path, digest, offset, len(blob)), out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()


class _Logged(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@dataclass
class ReadAhead:
    """The child process, the file it writes its results to, and what it has announced."""

    pid: int
    taken: mmap.mmap  # shared with the child: how many files Pelican has asked for
    spool: BinaryIO  # the child's results; the build only reads it, at given offsets
    results: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # path: where
    asked: int = 0
    used: int = 0
    thread: threading.Thread | None = None

    @classmethod
    def start(cls, readers: Any, files: Sequence[str], folder: Path) -> ReadAhead | None:
        """Fork the child for `files` (in the order Pelican will ask for them), or None.

        The child's results go to an unlinked temporary file in `folder` (CACHE_PATH).
        """
        if len(files) < MIN_FILES or free_cores() < 1:
            return None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            spool = tempfile.TemporaryFile(dir=folder)
        except OSError as exc:
            logger.debug("no read-ahead (%s)", exc)
            return None  # Pelican parses every file
        taken = mmap.mmap(-1, _COUNTER.size)

        def parse_and_send(write_end: int) -> None:
            with os.fdopen(write_end, "wb") as out:
                _parse_backwards(readers, files, taken, spool, out)

        forked = fork_with_pipe(parse_and_send, keep=(spool.fileno(),))
        if forked is None:
            taken.close()
            spool.close()
            return None  # Pelican parses every file
        pid, read_end = forked
        ahead = cls(pid, taken, spool)
        ahead.thread = threading.Thread(target=ahead._receive, args=(read_end,), daemon=True)
        ahead.thread.start()
        return ahead

    def _receive(self, read_end: int) -> None:
        with os.fdopen(read_end, "rb") as source:
            while True:
                try:
                    path, digest, offset, length = pickle.load(source)
                except Exception:  # end of the pipe, or a child that died mid-message
                    return
                self.results[path] = (digest, offset, length)

    def take(self, path: str, digest: str) -> bytes | None:
        """The child's result for this file if it parsed these bytes; tells it how far we are."""
        self.asked += 1
        _COUNTER.pack_into(self.taken, 0, self.asked)
        found = self.results.pop(path, None)
        if found is None or found[0] != digest:
            return None
        _, offset, length = found
        try:  # pread: the file's position is the child's, which appends there
            blob = os.pread(self.spool.fileno(), length, offset)
        except OSError:
            return None
        if len(blob) != length:
            return None
        self.used += 1
        return blob

    def stop(self) -> None:
        """End the child (it may still be parsing what Pelican no longer needs) and reap it."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        if self.thread is not None:
            self.thread.join()
        self.results.clear()
        self.taken.close()
        self.spool.close()
