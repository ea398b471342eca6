"""A card-drawing worker: `python -m self_promoting_blog.cards.worker` (started by painter.py).

Reads batches from stdin and answers each on stdout with None (drawn into the cache) or the
error's text, until its input ends. The messages and the drawing are `batches.py`'s.
"""

from __future__ import annotations

import os
import sys
import traceback

from self_promoting_blog.cards.batches import Batch, draw_into_cache, read_message, send_message

NICENESS = 10  # added to the worker's scheduling priority number: lower priority


def main() -> int:
    """Draw batches until stdin ends; exit 0."""
    if hasattr(os, "nice"):
        # The build's own process is what a build waits for: a worker takes the cores it leaves
        # (on a busy machine, workers at the build's priority made it take half as long again).
        os.nice(NICENESS)
    source, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the answers
    while True:
        try:
            batch: Batch = read_message(source)
        except EOFError:
            return 0
        try:
            draw_into_cache(batch)
            send_message(answers, None)
        except Exception:
            send_message(answers, traceback.format_exc())


if __name__ == "__main__":
    sys.exit(main())
