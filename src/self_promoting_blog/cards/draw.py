"""Draw one 1200×630 social card with Pillow: site name, fitted title, footer (category · date)."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw

from self_promoting_blog.cards.layout import Block, drawable, ellipsize, fit, font_at, is_rtl
from self_promoting_blog.cards.settings import Colours
from self_promoting_blog.cards.spec import HEIGHT, WIDTH, CardText, Fonts

_MARGIN = 80
_STRIPE = 16  # accent stripe down the left edge
_SITE_SIZE = 36
_FOOTER_SIZE = 30
_TITLE_TOP, _TITLE_BOTTOM = 150, 490
_TITLE_SIZES = (80, 40)  # largest, smallest; a long title shrinks between them


def _draw_block(draw: ImageDraw.ImageDraw, block: Block, top: int, fill: tuple[int, ...]) -> None:
    """Draw lines top-down in the block's base direction; right-to-left text aligns right."""
    x, anchor, direction = ((WIDTH - _MARGIN, "ra", "rtl") if block.rtl
                            else (_MARGIN, "la", "ltr"))
    for index, line in enumerate(block.lines):
        draw.text((x, top + index * block.line_height), line, font=block.font, fill=fill,
                  anchor=anchor, direction=direction)


def _one_line(text: str, font_path: Path, size: int) -> Block:
    font = font_at(font_path, size)
    text = drawable(text, font_path)
    line = ellipsize(text, font, WIDTH - 2 * _MARGIN)
    return Block(font, (line,), round(size * 1.2), is_rtl(text))


@lru_cache(maxsize=4)
def _backdrop(site_name: str, colours: Colours, fonts: Fonts) -> Image.Image:
    """What every card of a site shares (background, stripe, site name), drawn once per build."""
    image = Image.new("RGB", (WIDTH, HEIGHT), colours.background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, _STRIPE - 1, HEIGHT), fill=colours.accent)
    _draw_block(draw, _one_line(site_name, fonts.bold, _SITE_SIZE), 64, colours.accent)
    return image


def render(text: CardText, colours: Colours, fonts: Fonts) -> Image.Image:
    """The card as a Pillow image."""
    image = _backdrop(text.site_name, colours, fonts).copy()
    draw = ImageDraw.Draw(image)

    box_height = _TITLE_BOTTOM - _TITLE_TOP
    title = fit(drawable(text.title, fonts.bold), fonts.bold, WIDTH - 2 * _MARGIN, box_height,
                _TITLE_SIZES)
    top = _TITLE_TOP + (box_height - title.height) // 2
    _draw_block(draw, title, top, colours.foreground)

    if text.footer:
        footer_top = HEIGHT - 64 - _FOOTER_SIZE
        draw.rectangle((_MARGIN, footer_top - 28, _MARGIN + 96, footer_top - 23),
                       fill=colours.accent)
        _draw_block(draw, _one_line(text.footer, fonts.regular, _FOOTER_SIZE), footer_top,
                    colours.muted)
    return image


@lru_cache(maxsize=4)
def _palette(colours: Colours, steps: int = 32) -> Image.Image:
    """The card's exact colours plus the shades anti-aliasing blends between them."""
    bg = colours.background
    entries: list[tuple[int, ...]] = [bg]
    for ink in (colours.foreground, colours.accent, colours.muted):
        entries += [tuple(round(b + (i - b) * n / steps) for b, i in zip(bg, ink, strict=True))
                    for n in range(1, steps + 1)]
    palette = Image.new("P", (1, 1))
    palette.putpalette([channel for entry in entries for channel in entry])
    return palette


def draw_card(text: CardText, colours: Colours, fonts: Fonts) -> bytes:
    """The card as PNG bytes.

    Four flat colours and their anti-aliased edges fit a ~100-colour palette that keeps each set
    colour exact: the PNG is less than half the size of an RGB one and encodes four times faster.
    zlib level 3 encodes twice as fast as the default 6 for a card ~20 % larger (~25 KB).
    """
    buffer = io.BytesIO()
    image = render(text, colours, fonts).quantize(palette=_palette(colours),
                                                  dither=Image.Dither.NONE)
    image.save(buffer, "PNG", compress_level=3)
    return buffer.getvalue()
