"""What gzipped files will be stored as, remembered between deploys by their raw bytes' MD5.

To compare a text file with the bucket, the scan needs the MD5 of its gzipped body, and gzip at
level 9 was most of a redeploy's time (a rebuild rewrites every file, mostly with the same bytes,
so modification times say nothing). The compression is deterministic for a given level and zlib,
which are part of the file's key: raw MD5 -> stored MD5 and size can only go stale with them.
"""

from __future__ import annotations

import json
import os
import tempfile
import zlib
from pathlib import Path

from self_promoting_blog.deploy.compress import GZIP_LEVEL

_VERSION = f"gzip-{GZIP_LEVEL}-zlib-{zlib.ZLIB_RUNTIME_VERSION}"


class StoredDigests:
    """raw MD5 (hex) -> (stored MD5 hex, stored size), loaded from and saved to one JSON file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._known: dict[str, list] = {}
        self._used: dict[str, list] = {}
        if path is not None:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            if isinstance(data, dict) and data.get("version") == _VERSION:
                self._known = {k: v for k, v in data.get("digests", {}).items()
                               if isinstance(v, list) and len(v) == 2}

    def get(self, raw_md5: str) -> tuple[str, int] | None:
        found = self._known.get(raw_md5)
        if found is None:
            return None
        self._used[raw_md5] = found
        return str(found[0]), int(found[1])

    def put(self, raw_md5: str, stored_md5: str, size: int) -> None:
        self._used[raw_md5] = [stored_md5, size]

    def save(self) -> None:
        """Keep what this scan used (files since deleted drop out); a failed write costs nothing."""
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"version": _VERSION, "digests": self._used}, out)
            os.replace(temp, self.path)
        except OSError:
            pass
