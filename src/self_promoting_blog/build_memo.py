"""Answers remembered from one build to the next in the same process.

Each update of `invoke livereload` is a build that hands the plugins the unchanged articles'
same text again; working out what depends only on that text (reading time, description) for
thousands of articles was a large part of an update. Only the answers the last build asked for
are kept, so an edited article's old text is let go.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class BuildMemo(Generic[T]):
    """compute(*key) remembered for this build and the previous one."""

    def __init__(self, compute: Callable[..., T]) -> None:
        self.compute = compute
        self.last: dict[tuple[Hashable, ...], T] = {}
        self.current: dict[tuple[Hashable, ...], T] = {}

    def next_build(self) -> None:
        self.last, self.current = self.current, {}

    def __call__(self, *key: Hashable) -> T:
        if key in self.current:
            return self.current[key]
        found = self.last[key] if key in self.last else self.compute(*key)
        self.current[key] = found
        return found


_KEPT = "_kept_with_file"  # in the __dict__ of an article or page the live preview keeps


def keep_with_file(content: Any) -> None:
    """Give an article or page just read a place for what depends only on its file and the
    settings: the live preview keeps the object while both stay the same and hands out copies
    of it, which share that place (build/preview/memory.py)."""
    content.__dict__[_KEPT] = {}


def kept_with_file(content: Any) -> dict[str, Any] | None:
    """What was worked out of the content's file and the settings since the file was read
    (its address, its links to static files, its social values…); None outside the preview."""
    kept: dict[str, Any] | None = content.__dict__.get(_KEPT)
    return kept
