"""Palette PNGs spliced from runs of scanlines, each run compressed on its own.

Compressing was half of a card's cost, and most of a card's rows are the same on every card of
a site (the site name, the rows with nothing but the stripe). So each run of rows is deflated by
a fresh compressor and ends at a sync flush: it starts on a byte boundary and refers to no byte
before it, so runs can be laid end to end in any order. The runs every card shares are compressed
once per build; a card compresses only the rows its own text touches. The zlib stream's Adler-32
is combined from the runs' own, so shared rows are never read again.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from zlib_ng import zlib_ng as zlib  # twice the standard zlib's speed on these rows

LEVEL = 2  # text rows come out as small as at level 3, in two thirds of the time
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZLIB_HEADER = zlib.compress(b"", LEVEL)[:2]
_LAST_BLOCK = b"\x03\x00"  # an empty final block (fixed codes) ends the deflate stream
_ADLER_MOD = 65521


@dataclass(frozen=True)
class Run:
    """Scanlines deflated on their own, with the Adler-32 and length of the raw bytes."""

    deflated: bytes
    adler: int
    length: int


def deflate(scanlines: bytes) -> Run:
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)  # raw: no header
    deflated = compressor.compress(scanlines) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return Run(deflated, zlib.adler32(scanlines), len(scanlines))


class RepeatedRow:
    """Any number of copies of one scanline, from runs of 1, 2, 4... copies compressed once."""

    def __init__(self, scanline: bytes, most: int) -> None:
        self._runs = [deflate(scanline * (1 << power)) for power in range(most.bit_length())]

    def runs(self, count: int) -> list[Run]:
        return [run for power, run in enumerate(self._runs) if count >> power & 1]


def _adler_combine(first: int, second: int, second_length: int) -> int:
    """The Adler-32 of two byte strings end to end, from theirs (zlib's adler32_combine)."""
    rem = second_length % _ADLER_MOD
    low = (first & 0xFFFF) + (second & 0xFFFF) + _ADLER_MOD - 1
    high = (rem * (first & 0xFFFF) + (first >> 16) + (second >> 16) + _ADLER_MOD - rem)
    return (high % _ADLER_MOD) << 16 | low % _ADLER_MOD


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(data, zlib.crc32(kind))
    return struct.pack("!I", len(data)) + kind + data + struct.pack("!I", crc)


def palette_png(size: tuple[int, int], palette: bytes, runs: list[Run]) -> bytes:
    """An 8-bit palette PNG whose scanlines (filter type byte included) are the runs in order."""
    adler = 1  # of no bytes
    for run in runs:
        adler = _adler_combine(adler, run.adler, run.length)
    stream = b"".join([_ZLIB_HEADER, *(run.deflated for run in runs), _LAST_BLOCK,
                       struct.pack("!I", adler)])
    header = struct.pack("!IIBBBBB", *size, 8, 3, 0, 0, 0)  # depth 8, colour type 3 (palette)
    return b"".join([_SIGNATURE, _chunk(b"IHDR", header), _chunk(b"PLTE", palette),
                     _chunk(b"IDAT", stream), _chunk(b"IEND", b"")])
