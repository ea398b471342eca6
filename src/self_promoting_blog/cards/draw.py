"""Draw one 1200×630 social card with Pillow: site name, fitted title, footer (category · date).

A card is four flat colours and the shades anti-aliasing blends between the background and
each ink, so it is drawn straight into palette indices: each text block is drawn as a one-byte
coverage mask and a lookup table turns coverage into the index of its ink's shade. No RGB image
is composed or quantized, and the palette PNG is less than half the size of an RGB one.

Images are one column wider than the card: column 0 is each PNG scanline's filter type (0,
none), so an image's bytes are the scanlines themselves. A card is drawn only in the bands of
rows its own text touches, over the site's backdrop; the PNG splices those bands between runs of
the backdrop's rows compressed once per build (png.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from PIL import Image, ImageDraw

from self_promoting_blog.cards.layout import Block, drawable, ellipsize, fit, font_at, is_rtl
from self_promoting_blog.cards.png import RepeatedRow, Run, deflate, palette_png
from self_promoting_blog.cards.settings import Colours
from self_promoting_blog.cards.spec import HEIGHT, WIDTH, CardText, Fonts

_MARGIN = 80
_STRIPE = 16  # accent stripe down the left edge
_SITE_SIZE = 36
_FOOTER_SIZE = 30
_TITLE_TOP, _TITLE_BOTTOM = 150, 490
_TITLE_SIZES = (80, 40)  # largest, smallest; a long title shrinks between them
_ROW = WIDTH + 1  # a scanline: the filter type byte, then the row's palette indices

# Palette: index 0 is the background, then _SHADES blends towards each ink, the ink itself last.
_SHADES = 32
_FOREGROUND, _ACCENT, _MUTED = range(3)
_COVERED = [0] + [255] * 255  # coverage mask → paste mask: every touched pixel


def _shade_table(ink: int) -> list[int]:
    """Coverage 0–255 → palette index of the nearest blend of the background and this ink."""
    steps = [round(value * _SHADES / 255) for value in range(256)]
    return [ink * _SHADES + step if step else 0 for step in steps]


_SHADE_TABLES = [_shade_table(ink) for ink in range(3)]


def _solid(ink: int) -> int:
    return _SHADE_TABLES[ink][255]


class _Mark(Protocol):
    """Something drawn on a card: the rows it touches, and how to draw it onto a band of rows."""

    @property
    def rows(self) -> tuple[int, int]: ...

    def paint(self, band: Image.Image, top: int) -> None:
        """Draw onto `band`, whose first row is the card's row `top`."""


@dataclass(frozen=True)
class _Text:
    """A block's lines as FreeType draws them (as ImageDraw.text does), in one ink.

    Rendering each line's mask here tells exactly which rows it touches. The foreground's shades
    are indices 1 to _SHADES, so blending its solid index over the background's 0 lands on them:
    the title is drawn straight in. Another ink's lines go into a coverage mask of the rows it
    may touch, whose touched pixels become that ink's shades.
    """

    lines: list[tuple[Image.core.ImagingCore, int, int]]  # mask, left, top on the card
    ink: int
    first: int = 0  # the rows drawn, from `first` to before `last`
    last: int = HEIGHT

    @classmethod
    def of(cls, block: Block, top: int, ink: int) -> _Text:
        x, anchor, direction = ((WIDTH - _MARGIN, "ra", "rtl") if block.rtl
                                else (_MARGIN, "la", "ltr"))
        lines = []
        for index, line in enumerate(block.lines):
            mask, (dx, dy) = block.font.getmask2(line, "L", direction, anchor=anchor)
            lines.append((mask, x + dx, top + index * block.line_height + dy))
        if ink == _FOREGROUND:
            return cls(lines, ink)
        room = block.line_height // 2  # for accents above and descenders below the lines
        return cls(lines, ink, max(0, top - room), min(HEIGHT, top + block.height + room))

    @property
    def rows(self) -> tuple[int, int]:
        first = min((y for _, _, y in self.lines), default=self.first)
        last = max((y + mask.size[1] for mask, _, y in self.lines), default=self.first)
        return max(self.first, first), min(self.last, last)

    def paint(self, band: Image.Image, top: int) -> None:
        if self.ink == _FOREGROUND:
            _blend(band, self.lines, 1, -top, _solid(_FOREGROUND))  # right of the filter byte
            return
        # The coverage mask spans only the lines' boxes (within the card): less to look up.
        left = max(0, min(x for _, x, _ in self.lines))
        right = min(WIDTH, max(x + mask.size[0] for mask, x, _ in self.lines))
        first, last = self.rows
        mask = Image.new("L", (right - left, last - first), 0)
        _blend(mask, self.lines, -left, -first, 255)
        band.paste(mask.point(_SHADE_TABLES[self.ink]), (left + 1, first - top),
                   mask.point(_COVERED))


def _blend(image: Image.Image, lines: list[tuple[Image.core.ImagingCore, int, int]], right: int,
           down: int, ink: int) -> None:
    """Blend `ink` through each line's mask, moved `right` and `down`."""
    draw = ImageDraw.Draw(image).draw  # the core drawing ImageDraw.text draws a line's mask with
    for mask, x, y in lines:
        draw.draw_bitmap((x + right, y + down), mask, ink)


@dataclass(frozen=True)
class _Bar:
    """A solid rectangle of one ink: left, top, right, bottom on the card, the last two excluded."""

    box: tuple[int, int, int, int]
    ink: int

    @property
    def rows(self) -> tuple[int, int]:
        return self.box[1], self.box[3]

    def paint(self, band: Image.Image, top: int) -> None:
        left, first, right, last = self.box
        band.paste(_solid(self.ink), (left + 1, first - top, right + 1, last - top))


def _draw(image: Image.Image, top: int, marks: list[_Mark]) -> None:
    """Draw the marks that touch `image`, a band whose first row is the card's row `top`."""
    bottom = top + image.height
    for mark in marks:
        first, last = mark.rows
        if first < last and first < bottom and last > top:
            mark.paint(image, top)
    image.paste(0, (0, 0, 1, image.height))  # a mark reaching left of the card is clipped there


def _one_line(text: str, font_path: Path, size: int) -> Block:
    font = font_at(font_path, size)
    text = drawable(text, font_path)
    line = ellipsize(text, font, WIDTH - 2 * _MARGIN)
    return Block(font, (line,), round(size * 1.2), is_rtl(text))


@dataclass(frozen=True)
class _Backdrop:
    """What every card of a site shares (stripe, site name), drawn and compressed once a build.

    Its rows from `head_rows` down are all one scanline (the stripe on the background).
    """

    image: Image.Image  # "L", one column wider than the card (see the module's docstring)
    head_rows: int
    head: Run
    plain: RepeatedRow


@lru_cache(maxsize=4)
def _backdrop(site_name: str, fonts: Fonts) -> _Backdrop:
    card = Image.new("L", (_ROW, HEIGHT), 0)
    marks: list[_Mark] = [_Bar((0, 0, _STRIPE, HEIGHT), _ACCENT),
                          _Text.of(_one_line(site_name, fonts.bold, _SITE_SIZE), 64, _ACCENT)]
    _draw(card, 0, marks)
    scanlines = card.tobytes()
    plain = scanlines[-_ROW:]
    head_rows = HEIGHT
    while head_rows and scanlines[(head_rows - 1) * _ROW:head_rows * _ROW] == plain:
        head_rows -= 1
    return _Backdrop(card, head_rows, deflate(scanlines[:head_rows * _ROW]),
                     RepeatedRow(plain, HEIGHT))


@lru_cache(maxsize=4)
def _palette(colours: Colours) -> list[int]:
    """The background, then each ink's shades from the background up to the ink itself."""
    bg = colours.background
    entries: list[tuple[int, ...]] = [bg]
    for ink in (colours.foreground, colours.accent, colours.muted):
        entries += [tuple(round(b + (i - b) * n / _SHADES) for b, i in zip(bg, ink, strict=True))
                    for n in range(1, _SHADES + 1)]
    return [channel for entry in entries for channel in entry]


def _marks(text: CardText, fonts: Fonts) -> list[_Mark]:
    """What a card draws over its site's backdrop: the fitted title, then the footer."""
    box_height = _TITLE_BOTTOM - _TITLE_TOP
    title = fit(drawable(text.title, fonts.bold), fonts.bold, WIDTH - 2 * _MARGIN, box_height,
                _TITLE_SIZES)
    marks: list[_Mark] = [
        _Text.of(title, _TITLE_TOP + (box_height - title.height) // 2, _FOREGROUND)]
    if text.footer:
        footer_top = HEIGHT - 64 - _FOOTER_SIZE
        marks += [_Bar((_MARGIN, footer_top - 28, _MARGIN + 97, footer_top - 22), _ACCENT),
                  _Text.of(_one_line(text.footer, fonts.regular, _FOOTER_SIZE), footer_top,
                           _MUTED)]
    return marks


def _bands(marks: list[_Mark], backdrop: _Backdrop) -> list[tuple[int, int]]:
    """The rows to draw and compress per card, as (first, last) bands, in order.

    A band reaching into the backdrop's head starts at row 0, so the head stays whole.
    """
    bands: list[tuple[int, int]] = []
    for first, last in sorted(mark.rows for mark in marks):
        if first >= last:
            continue
        if bands and first <= bands[-1][1]:
            bands[-1] = (bands[-1][0], max(last, bands[-1][1]))
        else:
            bands.append((first, last))
    if bands and bands[0][0] < backdrop.head_rows:
        bands[0] = (0, bands[0][1])
    return bands


def render(text: CardText, colours: Colours, fonts: Fonts) -> Image.Image:
    """The card as a palette ("P") Pillow image (what draw_card's PNG holds)."""
    backdrop = _backdrop(text.site_name, fonts)
    card = backdrop.image.copy()
    _draw(card, 0, _marks(text, fonts))
    image = card.crop((1, 0, _ROW, HEIGHT)).convert("P")  # each value stays its index
    image.putpalette(_palette(colours))
    return image


def draw_card(text: CardText, colours: Colours, fonts: Fonts) -> bytes:
    """The card as PNG bytes: only the bands its own marks touch are drawn and compressed."""
    backdrop = _backdrop(text.site_name, fonts)
    marks = _marks(text, fonts)
    runs: list[Run] = []
    row = 0
    for first, last in _bands(marks, backdrop):
        if row == 0 and first > 0:
            runs.append(backdrop.head)
            row = backdrop.head_rows
        runs += backdrop.plain.runs(first - row)
        band = backdrop.image.crop((0, first, _ROW, last))
        _draw(band, first, marks)
        runs.append(deflate(band.tobytes()))
        row = last
    if row == 0:
        runs.append(backdrop.head)
        row = backdrop.head_rows
    runs += backdrop.plain.runs(HEIGHT - row)
    return palette_png((WIDTH, HEIGHT), bytes(_palette(colours)), runs)
