"""A card-drawing worker: `python -m self_promoting_blog.cards.worker` (started by painter.py).

Reads batches from stdin and answers each on stdout with None (drawn into the cache) or the
error's text, until its input ends. Messages are length-prefixed pickles between this build and
the process it started itself, never anything read from elsewhere.
"""

from __future__ import annotations

import pickle
import struct
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

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


def send_message(stream: IO[bytes] | None, message: Any) -> None:
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


def main() -> int:
    from self_promoting_blog.cards.painter import draw_into_cache

    source, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the answers
    while True:
        try:
            batch: Batch = read_message(source)
        except EOFError:
            return 0
        try:
            draw_into_cache(batch.folder, batch.cards, batch.colours, batch.fonts)
            send_message(answers, None)
        except Exception:  # noqa: BLE001 - reported to the build, which draws it again itself
            send_message(answers, traceback.format_exc())


if __name__ == "__main__":
    sys.exit(main())
