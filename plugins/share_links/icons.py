"""Inline SVG icons (Tabler Icons, MIT, vendored in icons/ with their licence)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

ICONS = Path(__file__).resolve().parent / "icons"
# Tabler draws an invisible 24×24 bounding path first; it adds bytes and nothing else.
_BOUNDING_BOX = re.compile(r'<path stroke="none" d="M0 0h24v24H0z" fill="none"\s*/>')
_SHAPES = re.compile(r"<svg[^>]*>(.*)</svg>", re.DOTALL)


@lru_cache(maxsize=32)
def icon(stem: str) -> Markup:
    """The icon as an inline <svg>, hidden from assistive technology (the link has the name)."""
    source = (ICONS / f"{stem}.svg").read_text(encoding="utf-8")
    shapes = _SHAPES.search(source)
    if shapes is None:
        raise ValueError(f"share_links: {ICONS / stem}.svg is not an SVG file")
    inner = re.sub(r">\s+<", "><", _BOUNDING_BOX.sub("", shapes.group(1))).strip()
    inner = re.sub(r"\s*/>", "/>", inner)
    # Stroke width and joins live in share.css (.share-icon): ten icons per page, said once.
    return Markup('<svg class="share-icon" viewBox="0 0 24 24" width="20" height="20" fill="none" '
                  f'stroke="currentColor" aria-hidden="true">{inner}</svg>')
