"""Fit text into boxes: drop glyphs the font lacks, wrap at words, shrink, and never overflow."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import ImageFont

ELLIPSIS = "…"
# Joiners and variation selectors only glue emoji sequences together, and emoji are dropped.
_EMOJI_GLUE = {0x200D, 0xFE0E, 0xFE0F}
LINE_SPACING = 1.22  # line height as a multiple of the font size


@lru_cache(maxsize=8)
def _coverage(font_path: Path) -> frozenset[int]:
    """Code points the font has glyphs for (read once per font file)."""
    with TTFont(str(font_path), lazy=True) as font:
        return frozenset(font.getBestCmap())


@lru_cache(maxsize=64)
def font_at(font_path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path), size)


@lru_cache(maxsize=4096)
def _word_length(font_path: Path, size: int, word: str) -> float:
    """A word's width, measured once per worker: titles share many of their words."""
    return font_at(font_path, size).getlength(word)


def drawable(text: str, font_path: Path) -> str:
    """Text with whitespace collapsed and characters the font cannot draw (emoji) removed.

    A missing glyph would be drawn as an empty box; dropping it keeps the card readable.
    """
    covered = _coverage(font_path)
    text = unicodedata.normalize("NFC", text)
    kept = "".join(ch if ch.isspace() or (ord(ch) in covered and ord(ch) not in _EMOJI_GLUE)
                   else " " for ch in text)
    return re.sub(r"\s+", " ", kept).strip()


def is_rtl(text: str) -> bool:
    """True when the first strong character is right-to-left (Hebrew, Arabic...)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _split_long_word(word: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Break a word wider than the box (a URL, a long compound) between characters."""
    pieces, piece = [], ""
    for ch in word:
        if piece and font.getlength(piece + ch) > width:
            pieces.append(piece)
            piece = ch
        else:
            piece += ch
    return [*pieces, piece] if piece else pieces


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy word wrap: every returned line measures at most `width` pixels."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        parts = _split_long_word(word, font, width) if font.getlength(word) > width else [word]
        lines.extend(parts[:-1])
        line = parts[-1]
    if line:
        lines.append(line)
    return lines


def ellipsize(text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    """The text, cut at a word (or character) and ended with an ellipsis, so it fits `width`."""
    if font.getlength(text) <= width:
        return text
    cut = text
    while cut and font.getlength(cut.rstrip() + ELLIPSIS) > width:
        shorter = cut.rsplit(" ", 1)[0] if " " in cut.strip() else cut[:-1]
        cut = shorter if shorter != cut else cut[:-1]
    return cut.rstrip() + ELLIPSIS


@dataclass(frozen=True)
class Block:
    """Lines of text set in one font, ready to draw in one base direction."""

    font: ImageFont.FreeTypeFont
    lines: tuple[str, ...]
    line_height: int
    rtl: bool = False

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)


def _layout(text: str, font_path: Path, size: int, width: int) -> Block:
    font = font_at(font_path, size)
    return Block(font, tuple(wrap(text, font, width)), round(size * LINE_SPACING), is_rtl(text))


def _rows_at(widths: list[float], space: float, width: int) -> int:
    """Rows a greedy wrap needs for words of these widths (a word wider than a row is split)."""
    rows, line = 0, 0.0
    for word in widths:
        if line and line + space + word <= width:
            line += space + word
            continue
        rows += max(1, int(-(-word // width)))  # ceil, on floats
        line = word % width if word > width else word
    return rows


def _predicted_size(text: str, font_path: Path, width: int, height: int,
                    sizes: tuple[int, int]) -> int:
    """The largest size whose wrap fits, predicted from word widths measured once.

    Widths grow in proportion to the size, give or take hinting, so the prediction is checked
    by a real layout (see fit) rather than trusted.
    """
    largest, smallest = sizes
    widths = [_word_length(font_path, largest, word) for word in text.split(" ")]
    space = _word_length(font_path, largest, " ")
    for size in range(largest, smallest - 1, -1):
        scale = size / largest
        rows = _rows_at([w * scale for w in widths], space * scale, width)
        if rows * round(size * LINE_SPACING) <= height:
            return size
    return smallest


def fit(text: str, font_path: Path, width: int, height: int,
        sizes: tuple[int, int]) -> Block:
    """Wrap `text` in the largest size (from sizes[0] down to sizes[1]) whose lines fit the box.

    The size predicted from word widths is laid out for real, and shrunk while it overflows (one
    or two layouts instead of a search). If even the smallest size overflows, keep the lines
    that fit and end the last one with "…".
    """
    smallest = sizes[1]
    for size in range(_predicted_size(text, font_path, width, height, sizes), smallest - 1, -1):
        block = _layout(text, font_path, size, width)
        if block.height <= height:
            return block
    keep = max(1, height // block.line_height)
    last = ellipsize(" ".join(block.lines[keep - 1:]), block.font, width)
    return Block(block.font, (*block.lines[:keep - 1], last), block.line_height, block.rtl)
