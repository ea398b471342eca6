"""Card cache: one PNG per hash of everything that shapes it; unchanged cards are reused."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from self_promoting_blog.cards.settings import Colours
from self_promoting_blog.cards.spec import HEIGHT, RENDER_VERSION, WIDTH, CardText, Fonts


@lru_cache(maxsize=8)
def _file_digest(path: Path, size: int, mtime_ns: int) -> str:
    """Digest of a font file; size and mtime are part of the cache key so an edit is noticed."""
    import hashlib  # here, not at the top: see card_key

    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _font_digest(path: Path) -> str:
    stat = path.stat()
    return _file_digest(path, stat.st_size, stat.st_mtime_ns)


def card_inputs(colours: Colours, fonts: Fonts) -> dict[str, object]:
    """What shapes every card of a build besides its text: drawing version, size, colours, fonts."""
    return {
        "version": RENDER_VERSION,
        "size": [WIDTH, HEIGHT],
        "colours": asdict(colours),
        "fonts": [_font_digest(fonts.regular), _font_digest(fonts.bold)],
    }


def card_key(text: CardText, inputs: dict[str, object]) -> str:
    """Hash of a card's text and the build's `card_inputs`.

    Only the build hashes: hashlib is imported here, so a card worker (which imports this
    module to store what it draws) does not load OpenSSL, about 4 MB of each worker's memory.
    """
    import hashlib
    blob = json.dumps(inputs | {"text": asdict(text)}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


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
