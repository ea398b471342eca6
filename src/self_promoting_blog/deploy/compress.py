"""Precompressed text for S3: a bucket serves each object exactly as stored and never compresses on
the fly, so text goes up gzipped with `Content-Encoding: gzip` (as `hugo deploy`'s gzip matcher
does).

The compression is deterministic (fixed level, no timestamp in the header): an unchanged file gives
the same bytes, hence the same ETag, and is not sent again.
"""

from __future__ import annotations

import gzip
from collections.abc import Set as AbstractSet

GZIP_LEVEL = 9


def media_type(content_type: str) -> str:
    """Return a Content-Type without its parameters, lower-case: `text/html; charset=utf-8` →
    `text/html`."""
    return content_type.split(";", 1)[0].strip().lower()


def wants_gzip(content_type: str, types: AbstractSet[str]) -> bool:
    """Return True when a file of this Content-Type is stored gzipped (`types` empty = gzip off)."""
    return media_type(content_type) in types


def gzip_body(data: bytes) -> bytes:
    """Return the bytes stored for a gzipped file: the same input always gives the same output."""
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
