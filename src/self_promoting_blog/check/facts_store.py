"""The check's kept facts saved between builds, so a warm build re-checks only changed files.

FactsMemory (facts.py) keeps each file's FileFacts within one process (each update of the
preview). A build is a new process: without this store it would check every source again. A
file's facts depend only on its bytes, the single-file settings (FILE_SETTINGS), the year the
messages name and the code that checks; so they are saved in
``CACHE_PATH/check/<fingerprint>.pickle`` (the fingerprint covering the settings, the year, this
package's code and the parsing libraries' versions) and found by the SHA-256 of the file's bytes,
never its modification time. The rules across files (categories, slugs, names, link targets,
live links) still run on every file's facts in every check.

A file that changes while it is checked is not saved (its bytes are hashed again after), and a
store that cannot be read back counts as empty.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from self_promoting_blog.build.fingerprint import LIBRARIES, code_fingerprint
from self_promoting_blog.build.settings import load_settings as build_settings
from self_promoting_blog.check.facts import FileFacts
from self_promoting_blog.content.entries import example_date

FOLDER = "check"
KEEP_STORES = 4  # development and production builds alternate, each with its own store
PACKAGE = __name__.split(".")[0]

Key = tuple[str, str]  # (path, kind)


def _file_hash(path: str) -> str | None:
    try:
        with open(path, "rb") as source:
            return hashlib.sha256(source.read()).hexdigest()
    except OSError:
        return None


class FactsStore:
    """FileFacts by file and content hash, read at the start of a check and saved at its end."""

    def __init__(self, file: Path, stored: dict[Key, tuple[str, FileFacts]]) -> None:
        self.file = file
        self.stored = stored
        self.hashes: dict[Key, str | None] = {}
        self.used: dict[Key, tuple[str, FileFacts]] = {}
        self.changed = False

    @classmethod
    def open(cls, settings: Mapping[str, Any],
             file_settings: Mapping[str, Any]) -> FactsStore | None:
        """The store for these settings, or None when BUILD_CACHE is off."""
        if not build_settings(settings).cache or "CACHE_PATH" not in settings:
            return None
        fingerprint = code_fingerprint([PACKAGE], LIBRARIES,
                                       repr(sorted(file_settings.items())), example_date())
        file = Path(settings["CACHE_PATH"]) / FOLDER / f"{fingerprint}.pickle"
        try:
            stored = pickle.loads(file.read_bytes())
        except Exception:  # missing, damaged or of another format: start empty
            stored = {}
        return cls(file, stored if isinstance(stored, dict) else {})

    def get(self, path: str, kind: str) -> FileFacts | None:
        """The file's saved facts if its bytes are the ones they were worked out from."""
        key = (path, kind)
        digest = self.hashes[key] = _file_hash(path)
        saved = self.stored.get(key)
        if digest is None or saved is None or saved[0] != digest:
            self.changed = True
            return None
        self.used[key] = saved
        return saved[1]

    def keep(self, path: str, kind: str, facts: FileFacts) -> None:
        """Save facts just worked out (after get() for the same file) unless the file changed
        meanwhile."""
        key = (path, kind)
        digest = self.hashes.get(key)
        if digest is not None and _file_hash(path) == digest:
            self.used[key] = (digest, facts)

    def save(self) -> None:
        """Write the facts of the files this check met (others are dropped), if any changed."""
        if not self.changed and self.used.keys() == self.stored.keys():
            return
        self.file.parent.mkdir(parents=True, exist_ok=True)
        partial = self.file.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(self.used, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, self.file)
        stores = sorted(self.file.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns)
        for old in stores[:-KEEP_STORES]:
            old.unlink(missing_ok=True)
