"""Pelican's parsed sources kept between builds, keyed so that a stale entry is never used.

Parsing Markdown is most of a bare Pelican build. Pelican has a content cache of its own, but it
knows nothing of settings, plugin code or library versions, and by default trusts a file's
modification time, which every git checkout resets. This one takes Pelican's place at the same
layer (a reader's ``(html, metadata)`` for one source file):

- an entry is found by the file's path and the SHA-256 of its bytes, never its modification time;
- the entries live in ``CACHE_PATH/reader/<fingerprint>.pickle``, the fingerprint covering
  everything else parsing depends on (fingerprint.py); a changed setting, plugin or library
  means another file, so nothing parsed under the old ones is read back. The few most recently
  used fingerprints are kept (development and production builds alternate), older ones removed;
- a file whose parsing logged a warning or an error is not kept, so every build logs it again
  (a production build fails on an error: a cached read must not hide it);
- tags, categories and authors are stored by name and made again with this build's settings;
- a file that cannot be read back (damaged, another format) counts as empty.

Use: ``ReaderCache.open(settings, readers, warnings)`` → ``attach(readers)`` for each Pelican
``Readers`` (at ``generator_init``) → Pelican reads, inside ``warnings.counting()`` → ``save()``
(speedups.py does this for `build_site`). Each file is hashed once per build when it is looked
up, and once more when its parse is kept (so a file edited while Pelican parsed it is not kept
under the bytes of before).
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

from self_promoting_blog.build.fingerprint import FORMAT, reading_fingerprint

logger = logging.getLogger(__name__)

FOLDER = "reader"
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
    """The entries of one fingerprint: those read from disk, and those this build used or made.

    `extra` is consulted on a miss before Pelican parses the file itself (the read-ahead
    process's results, read_ahead.py): a callable taking (path, hash) and returning a blob.
    """

    folder: Path
    fingerprint: str
    settings: Mapping[str, Any]
    stored: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    used: dict[str, tuple[str, bytes]] = field(default_factory=dict)
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
        empty and reads nothing (BUILD_CACHE off: only the read-ahead's results are used).
        """
        folder = Path(settings["CACHE_PATH"]) / FOLDER
        cache = cls(folder, reading_fingerprint(settings, readers), settings,
                    warnings=warnings or WarningCounter())
        if from_disk:
            cache.stored = cache._read()
        return cache

    @property
    def file(self) -> Path:
        return self.folder / f"{self.fingerprint}.pickle"

    def _key(self, path: str) -> str:
        return os.path.relpath(path, self.settings["PATH"])

    def _read(self) -> dict[str, tuple[str, bytes]]:
        try:
            with self.file.open("rb") as source:
                found = pickle.load(source)
        except FileNotFoundError:
            return {}
        except Exception as exc:  # damaged or of another version: start empty, rebuild it
            logger.debug("reader cache %s unreadable, not used: %s", self.file, exc)
            return {}
        if (not isinstance(found, dict) or found.get("format") != FORMAT
                or found.get("fingerprint") != self.fingerprint):
            return {}
        entries: dict[str, tuple[str, bytes]] = found["entries"]
        return entries

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
        blob = entry[1] if entry and entry[0] == digest else None
        if blob is None and self.extra is not None:
            blob = self.extra(path, digest)
        if blob is not None:
            try:
                parsed = load(blob, self.settings)
            except Exception as exc:  # an entry that cannot be loaded is parsed again
                logger.debug("reader cache: %s not loaded (%s)", key, exc)
            else:
                self.used[key] = (digest, blob)
                self.hits += 1
                return parsed
        self.misses += 1
        self._pending[path] = (digest, self.warnings.count)
        return default

    def store(self, path: str, parsed: Parsed) -> None:
        """Readers.cache_data: keep what Pelican parsed, unless parsing logged a problem."""
        digest, warnings_before = self._pending.pop(path, ("", -1))
        if not digest or self.warnings.count != warnings_before or file_hash(path) != digest:
            return
        try:
            self.used[self._key(path)] = (digest, dump(parsed))
        except Exception as exc:  # something in the metadata that cannot be pickled
            logger.debug("reader cache: %s not kept (%s)", path, exc)

    def attach(self, readers: Any) -> None:
        """Make a Pelican ``Readers`` look files up here and keep what it parses here."""
        readers.get_cached_data = self.lookup
        readers.cache_data = self.store

    def save(self) -> None:
        """Write the entries this build used (so deleted files drop out); prune old fingerprints."""
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {"format": FORMAT, "fingerprint": self.fingerprint, "entries": self.used}
        temporary = self.file.with_name(f"{self.file.name}.tmp-{os.getpid()}")
        try:
            with temporary.open("wb") as out:
                pickle.dump(data, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.file)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            logger.warning("The reader cache could not be saved to %s: %s", self.file, exc)
            return
        self._prune()

    def _prune(self) -> None:
        others = sorted((p for p in self.folder.glob("*.pickle") if p != self.file),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in others[KEEP_FINGERPRINTS - 1:]:
            stale.unlink(missing_ok=True)
