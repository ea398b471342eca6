"""A file of keyed blobs, written in one pass and read back one blob at a time.

The reader cache (reader_cache.py) keeps its entries here, so that neither the previous build's
entries nor this build's are held in memory. `BlobWriter` appends each blob as soon as it is
known, to a temporary file beside the real one; `commit` writes the index after the last blob
(key → the source's digest, and the blob's offset, length and CRC-32) and a fixed-size trailer
that locates it, then renames the file into place, so a build that crashes before leaves the
previous file as it was. `BlobFile` reads the trailer and the index, and a blob only when asked
for it: a file whose trailer or index cannot be read, or made for another tag (the cache's
fingerprint), has no entries; a blob whose length or CRC-32 is not the one recorded is not found.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import struct
import tempfile
import zlib
from pathlib import Path
from typing import BinaryIO

logger = logging.getLogger(__name__)

Entry = tuple[str, int, int, int]  # the source's digest; the blob's offset, length and CRC-32
TEMPORARY = ".tmp-"  # in the name of a file being written: <name>.tmp-<pid>-<random>
_TRAILER = struct.Struct("<QQ8s")  # the index's offset and length, then _MAGIC
_MAGIC = b"spb-blob"


class BlobWriter:
    """Appends blobs to a temporary file that `commit` moves to `path` with their index."""

    def __init__(self, path: Path, tag: str) -> None:
        self.path = path
        self.tag = tag
        self.index: dict[str, Entry] = {}
        self._out: BinaryIO | None = None
        self._temporary: Path | None = None
        self._size = 0
        self._failed: OSError | None = None

    def add(self, key: str, digest: str, blob: bytes) -> None:
        """Append one blob (a write that fails ends the file: `commit` raises the error)."""
        if self._failed is not None:
            return
        try:
            out = self._out or self._open()
            out.write(blob)
        except OSError as exc:
            self._failed = exc
            self.discard()
            return
        self.index[key] = (digest, self._size, len(blob), zlib.crc32(blob))
        self._size += len(blob)

    def _open(self) -> BinaryIO:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=self.path.parent,
                                        prefix=f"{self.path.name}{TEMPORARY}{os.getpid()}-")
        self._temporary = Path(name)
        self._out = open(handle, "wb")  # closed by commit or discard
        return self._out

    def commit(self) -> None:
        """Write the index and the trailer, and rename the file into place (or raise OSError)."""
        if self._failed is not None:
            raise self._failed
        try:
            out = self._out or self._open()
            index = pickle.dumps((self.tag, self.index), protocol=pickle.HIGHEST_PROTOCOL)
            out.write(index)
            out.write(_TRAILER.pack(self._size, len(index), _MAGIC))
            out.close()
            assert self._temporary is not None
            os.replace(self._temporary, self.path)
        except OSError:
            self.discard()
            raise
        self._out = self._temporary = None

    def discard(self) -> None:
        """Close and remove the temporary file, if it is still there."""
        if self._out is not None:
            with contextlib.suppress(OSError):  # the buffer's last write may fail again
                self._out.close()
            self._out = None
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)
            self._temporary = None


class BlobFile:
    """A committed file's index, and its blobs read from the disk one at a time."""

    def __init__(self, index: dict[str, Entry] | None = None,
                 source: BinaryIO | None = None) -> None:
        self.index: dict[str, Entry] = index or {}
        self._source = source

    @classmethod
    def open(cls, path: Path, tag: str) -> BlobFile:
        """The file's entries; none if it is missing, damaged, of another format or tag."""
        try:
            source = path.open("rb")
        except FileNotFoundError:
            return cls()
        except OSError as exc:
            logger.debug("%s unreadable, not used: %s", path, exc)
            return cls()
        try:
            source.seek(-_TRAILER.size, os.SEEK_END)
            offset, length, magic = _TRAILER.unpack(source.read(_TRAILER.size))
            if magic != _MAGIC:
                raise ValueError("no trailer")
            source.seek(offset)
            found_tag, index = pickle.loads(source.read(length))
            if found_tag != tag or not isinstance(index, dict):
                raise ValueError("made for another fingerprint")
        except Exception as exc:  # damaged or of another version: no entries
            source.close()
            logger.debug("%s unreadable, not used: %s", path, exc)
            return cls()
        return cls(index, source)

    def get(self, key: str) -> Entry | None:
        return self.index.get(key)

    def blob(self, entry: Entry) -> bytes | None:
        """The entry's bytes, or None if they are not those written (a damaged file)."""
        _, offset, length, crc = entry
        if self._source is None:
            return None
        try:
            self._source.seek(offset)
            blob = self._source.read(length)
        except (OSError, ValueError):  # ValueError: negative offset in a damaged index
            return None
        return blob if len(blob) == length and zlib.crc32(blob) == crc else None

    def close(self) -> None:
        if self._source is not None:
            self._source.close()
            self._source = None
