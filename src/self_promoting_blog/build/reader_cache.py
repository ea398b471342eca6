"""Pelican's parsed sources kept between builds, keyed so that a stale entry is never used.

Parsing Markdown is most of a bare Pelican build. Pelican has a content cache of its own, but it
knows nothing of settings, plugin code or library versions, and by default trusts a file's
modification time, which every git checkout resets. This one takes Pelican's place at the same
layer (a reader's ``(html, metadata)`` for one source file):

- an entry is found by the file's path and the SHA-256 of its bytes, never its modification time;
- the entries live in ``CACHE_PATH/reader/<fingerprint>.blobs``, the fingerprint covering
  everything else parsing depends on (fingerprint.py); a changed setting, plugin or library
  means another file, so nothing parsed under the old ones is read back. The few most recently
  used fingerprints are kept (development and production builds alternate), older ones removed;
- a file whose parsing logged a warning or an error is not kept, so every build logs it again
  (a production build fails on an error: a cached read must not hide it);
- tags, categories and authors are stored by name and made again with this build's settings;
- a file that cannot be read back (damaged, another format) counts as empty, and an entry whose
  stored bytes are not those written (blob_file.py: length and CRC-32) as missing.

No entry is held in memory (at 5,000 articles they are about 33 MB): the previous build's file
is read an entry at a time, when Pelican looks the file up, and each entry this build uses or
makes is appended at once to the new file, which is written under a temporary name and renamed
into place by `save` (so only the entries this build used are kept, and a build that crashes
leaves the previous file as it was). A temporary file left by a process that no longer runs
(killed mid-build) is removed by the next `save`.

Use: ``ReaderCache.open(settings, readers, warnings)`` → ``attach(readers)`` for each Pelican
``Readers`` (at ``generator_init``) → Pelican reads, inside ``warnings.counting()`` → ``save()``
→ ``close()`` (speedups.py does this for `build_site`; ``close`` alone, after a crash, removes
the unfinished file). Each file is hashed once per build when it is looked up, and once more
when its parse is kept (so a file edited while Pelican parsed it is not kept under the bytes of
before). Several builds may run one after another in one process (livereload): each opens its
own cache.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from pelican.urlwrappers import URLWrapper

from self_promoting_blog.build.blob_file import TEMPORARY, BlobFile, BlobWriter, Entry
from self_promoting_blog.build.fingerprint import FORMAT, reading_fingerprint

logger = logging.getLogger(__name__)

FOLDER = "reader"
SUFFIX = ".blobs"
KEEP_FINGERPRINTS = 4
Parsed = tuple[Any, dict[str, Any]]  # what a reader returns: (html, metadata)


def file_hash(path: str | Path) -> str:
    with open(path, "rb") as source:
        return hashlib.sha256(source.read()).hexdigest()


class _Pickler(pickle.Pickler):
    """Stores a tag, category or author as its class and name, not with the settings it holds."""

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, URLWrapper):
            explicit = None if obj._slug_from_name else obj.slug
            return (type(obj).__module__, type(obj).__qualname__, obj.name, explicit)
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, settings: Mapping[str, Any]) -> None:
        super().__init__(io.BytesIO(data))
        self.settings = settings

    def persistent_load(self, pid: Any) -> Any:
        module, qualname, name, slug = pid
        cls = getattr(import_module(module), qualname)
        wrapper = cls.__new__(cls)
        URLWrapper.__init__(wrapper, name, self.settings)
        if slug is not None:
            wrapper.slug = slug
        return wrapper


def dump(parsed: Parsed) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(parsed)
    return buffer.getvalue()


def load(blob: bytes, settings: Mapping[str, Any]) -> Parsed:
    parsed: Parsed = _Unpickler(blob, settings).load()
    return parsed


class WarningCounter:
    """Counts warnings and errors logged by one thread, before any filter can drop them.

    A record factory sees every record that is made, including those Pelican's LimitFilter
    drops as repeats; a parse that logged one is not cached, whatever was shown.
    """

    def __init__(self) -> None:
        self.count = 0
        self._thread = threading.get_ident()
        self._previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

    def _factory(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self._previous(*args, **kwargs)
        if record.levelno >= logging.WARNING and threading.get_ident() == self._thread:
            self.count += 1
        return record

    @contextmanager
    def counting(self) -> Iterator[WarningCounter]:
        logging.setLogRecordFactory(self._factory)
        try:
            yield self
        finally:
            logging.setLogRecordFactory(self._previous)


@dataclass
class ReaderCache:
    """The entries of one fingerprint: the previous build's file, and the one this build writes.

    `extra` is consulted on a miss before Pelican parses the file itself (the read-ahead
    process's results, read_ahead.py): a callable taking (path, hash) and returning a blob.
    """

    folder: Path
    fingerprint: str
    settings: Mapping[str, Any]
    stored: BlobFile = field(default_factory=BlobFile)
    written: BlobWriter | None = None  # None: the cache is off, nothing is written
    extra: Callable[[str, str], bytes | None] | None = None
    hits: int = 0
    misses: int = 0
    warnings: WarningCounter = field(default_factory=WarningCounter)
    _pending: dict[str, tuple[str, int]] = field(default_factory=dict)
    _digests: dict[str, str] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Mapping[str, Any], readers: Any,
             warnings: WarningCounter | None = None, *, from_disk: bool = True) -> ReaderCache:
        """The cache for these settings and readers, with what an earlier build stored.

        Pelican's reading should run inside ``warnings.counting()``, so a parse that logged a
        problem is not kept (without it, every parse is kept). Without `from_disk` it starts
        empty and neither reads nor writes a file (BUILD_CACHE off: only the read-ahead's
        results are used).
        """
        folder = Path(settings["CACHE_PATH"]) / FOLDER
        cache = cls(folder, reading_fingerprint(settings, readers), settings,
                    warnings=warnings or WarningCounter())
        if from_disk:
            cache.stored = BlobFile.open(cache.file, cache._tag)
            cache.written = BlobWriter(cache.file, cache._tag)
        return cache

    @property
    def file(self) -> Path:
        return self.folder / f"{self.fingerprint}{SUFFIX}"

    @property
    def _tag(self) -> str:
        return f"{FORMAT}:{self.fingerprint}"

    @property
    def used(self) -> Mapping[str, Entry]:
        """The entries this build has used or made so far (written to the new file)."""
        return self.written.index if self.written is not None else {}

    def _key(self, path: str) -> str:
        return os.path.relpath(path, self.settings["PATH"])

    def digest(self, path: str) -> str:
        """The hash of the file's bytes, computed once in this build (the first to ask)."""
        found = self._digests.get(path)
        if found is None:
            found = self._digests[path] = file_hash(path)
        return found

    def has(self, path: str) -> bool:
        """Whether the file's bytes are in the cache."""
        entry = self.stored.get(self._key(path))
        return entry is not None and entry[0] == self.digest(path)

    def lookup(self, path: str, default: Any = None) -> Any:
        """Readers.get_cached_data: the parsed file if its bytes are those cached, else default."""
        key, digest = self._key(path), self._digests.pop(path, None) or file_hash(path)
        entry = self.stored.get(key)
        blob = self.stored.blob(entry) if entry and entry[0] == digest else None
        if blob is None and self.extra is not None:
            blob = self.extra(path, digest)
        if blob is not None:
            try:
                parsed = load(blob, self.settings)
            except Exception as exc:  # an entry that cannot be loaded is parsed again
                logger.debug("reader cache: %s not loaded (%s)", key, exc)
            else:
                self._keep(key, digest, blob)
                self.hits += 1
                return parsed
        self.misses += 1
        self._pending[path] = (digest, self.warnings.count)
        return default

    def store(self, path: str, parsed: Parsed) -> None:
        """Readers.cache_data: keep what Pelican parsed, unless parsing logged a problem."""
        digest, warnings_before = self._pending.pop(path, ("", -1))
        if (self.written is None or not digest or self.warnings.count != warnings_before
                or file_hash(path) != digest):
            return
        try:
            blob = dump(parsed)
        except Exception as exc:  # something in the metadata that cannot be pickled
            logger.debug("reader cache: %s not kept (%s)", path, exc)
            return
        self._keep(self._key(path), digest, blob)

    def _keep(self, key: str, digest: str, blob: bytes) -> None:
        if self.written is not None:
            self.written.add(key, digest, blob)

    def attach(self, readers: Any) -> None:
        """Make a Pelican ``Readers`` look files up here and keep what it parses here."""
        readers.get_cached_data = self.lookup
        readers.cache_data = self.store

    def save(self) -> None:
        """Put the new file in place of the previous one; prune old fingerprints; close."""
        if self.written is None:
            return
        try:
            self.written.commit()
        except OSError as exc:
            logger.warning("The reader cache could not be saved to %s: %s", self.file, exc)
            return
        finally:
            self.close()
        self._prune()

    def close(self) -> None:
        """Close the previous build's file; remove the new one if `save` has not moved it."""
        self.stored.close()
        self.stored = BlobFile()
        if self.written is not None:
            self.written.discard()

    def _prune(self) -> None:
        others = []
        for path in self.folder.iterdir():
            if TEMPORARY in path.name:
                if not _running(path.name.split(TEMPORARY)[1].split("-")[0]):
                    path.unlink(missing_ok=True)  # left by a build that was killed
            elif path != self.file:
                others.append(path)
        others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in others[KEEP_FINGERPRINTS - 1:]:
            stale.unlink(missing_ok=True)


def _running(pid: str) -> bool:
    """Whether a process of this id runs (on this machine: the cache folder is not shared)."""
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (ValueError, OSError):  # another user's process, or not a process id
        return True
    return True
