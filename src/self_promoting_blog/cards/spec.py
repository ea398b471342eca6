"""What a card is (its size, text and fonts), apart from drawing it.

The build plans, hashes and places cards with these alone; Pillow and fontTools are loaded only
where a card is drawn (usually a worker process), so the build's own memory stays small.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

WIDTH, HEIGHT = 1200, 630
# Bump when the drawing changes, so cached cards are redrawn.
RENDER_VERSION = 4


@dataclass(frozen=True)
class CardText:
    """What a card says; everything a writer controls is plain text here."""

    site_name: str
    title: str
    footer: str = ""


@dataclass(frozen=True)
class Fonts:
    regular: Path
    bold: Path
