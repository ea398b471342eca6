"""Card cache: one PNG per hash of everything that shapes it; unchanged cards are reused."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from .draw import HEIGHT, RENDER_VERSION, WIDTH, CardText, Fonts
from .settings import Colours


@lru_cache(maxsize=8)
def _file_digest(path: Path, size: int, mtime_ns: int) -> str:
    """Digest of a font file; size and mtime are part of the cache key so an edit is noticed."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _font_digest(path: Path) -> str:
    stat = path.stat()
    return _file_digest(path, stat.st_size, stat.st_mtime_ns)


def card_key(text: CardText, colours: Colours, fonts: Fonts) -> str:
    """Hash of the card's inputs: its text, colours, font files, size and drawing version."""
    inputs = {
        "version": RENDER_VERSION,
        "size": [WIDTH, HEIGHT],
        "text": asdict(text),
        "colours": asdict(colours),
        "fonts": [_font_digest(fonts.regular), _font_digest(fonts.bold)],
    }
    blob = json.dumps(inputs, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


class CardCache:
    """A folder of <key>.png files (under Pelican's CACHE_PATH)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.png"

    def get(self, key: str) -> Path | None:
        path = self.path(key)
        return path if path.is_file() else None

    def put(self, key: str, png: bytes) -> Path:
        """Store atomically, so an interrupted build never leaves half a PNG behind."""
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(png)
        os.replace(temp, self.path(key))
        return self.path(key)

    def prune(self, keep: set[str]) -> int:
        """Delete cached cards this build did not use (old titles); return how many."""
        if not self.folder.is_dir():
            return 0
        stale = [p for p in self.folder.iterdir()
                 if p.suffix in (".png", ".tmp") and p.stem not in keep]
        for path in stale:
            path.unlink(missing_ok=True)
        return len(stale)
