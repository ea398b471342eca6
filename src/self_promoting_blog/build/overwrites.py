"""Pelican's rule for writing one path twice, for writers that do not open the file themselves.

`Writer._open_w` checks and books each write before opening the file: a second write of a path
fails unless it overrides, and once a write has overridden, a later one is dropped (or fails if
it overrides too). The split render's skipped pages and the live preview's recorded pages follow
the same rule without opening the file, from here.
"""

from __future__ import annotations

from typing import Any

from pelican.writers import FileOverwriteFailedError


def book_write(writer: Any, filename: str, override: bool) -> bool:
    """Book a write of `filename` in a Pelican writer; False when Pelican would drop it.

    Raises FileOverwriteFailedError, with Pelican's message, where Pelican would.
    """
    if filename in writer._overridden_files:
        if override:
            raise FileOverwriteFailedError(
                f'Failed to overwrite "{filename}" a second time (was previously overwritten)')
        return False
    if filename in writer._written_files and not override:
        raise FileOverwriteFailedError(
            f'Failed to overwrite "{filename}" as Pelican has already written to it '
            "previously (set `override=True` if intended)")
    if override:
        writer._overridden_files.add(filename)
    writer._written_files.add(filename)
    return True
