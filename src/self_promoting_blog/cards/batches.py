"""What the build hands a card worker: a batch of cards, the pipe's messages, and the drawing.

Shared by `painter.py` (the build's side) and `worker.py` (the worker process), so neither
imports the other. Messages are length-prefixed pickles between the build and the process it
started itself, never anything read from elsewhere.
"""

from __future__ import annotations

import pickle
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from self_promoting_blog.cards.cache import CardCache
from self_promoting_blog.cards.settings import Colours
from self_promoting_blog.cards.spec import CardText, Fonts

_LENGTH = struct.Struct("!I")


@dataclass(frozen=True)
class Batch:
    """Cards to draw into one cache folder, with the build's colours and fonts."""

    folder: Path
    cards: list[tuple[str, CardText]]
    colours: Colours
    fonts: Fonts


def draw_into_cache(batch: Batch) -> None:
    """Draw a batch's cards into its cache folder (in a worker, or in the build's process)."""
    from self_promoting_blog.cards.draw import (
        draw_card,  # Pillow and fontTools: only where cards are drawn
    )

    cache = CardCache(batch.folder)
    for key, text in batch.cards:
        cache.put(key, draw_card(text, batch.colours, batch.fonts))


def send_message(stream: IO[bytes] | None, message: Any) -> None:
    """Write one message and flush it."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    assert stream is not None
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def read_message(stream: IO[bytes] | None) -> Any:
    """The next message; EOFError when the other side has closed the pipe."""
    assert stream is not None
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError("no more messages")
    size = _LENGTH.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("a message was cut short")
    return pickle.loads(data)  # only ever from the build that started this process
