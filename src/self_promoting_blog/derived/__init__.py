"""Text derived from the code into files people read: generated, and checked for drift.

Each module of this package declares ``TARGETS``, a sequence of ``Target``s: a whole file, or a
named block of a file between two marker lines, with the function that renders it. ``python -m
self_promoting_blog.derived --check`` names every stale one; ``--write`` brings them up to date.
Modules are found by listing this package, so a new kind of derived text is one new module here.

A block's marker lines are comments in the file's own syntax, containing
``BEGIN generated <block>: python -m self_promoting_blog.derived --write`` and
``END generated <block>``; the rendered block is indented like its BEGIN line.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

COMMAND = "python -m self_promoting_blog.derived --write"


@dataclass(frozen=True)
class Target:
    """One derived text: the whole file at `path`, or its `block` (between marker lines)."""

    path: str                       # from the project root, with "/"
    render: Callable[[], str]       # the text; a block's lines without the markers' indent
    block: str | None = None

    def where(self) -> str:
        """The file, and the block when it is one, for messages."""
        return f"{self.path} (block {self.block!r})" if self.block else self.path


class DerivedError(Exception):
    """A file or the marker lines a block belongs between are missing; str() says the fix."""


def begin_marker(block: str) -> str:
    """The text of the line a block starts after."""
    return f"BEGIN generated {block}: {COMMAND}"


def end_marker(block: str) -> str:
    """The text of the line a block ends before."""
    return f"END generated {block}"


def all_targets() -> list[Target]:
    """Every module's TARGETS, modules in name order."""
    found: list[Target] = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not module.name.startswith("_"):
            found += importlib.import_module(f"{__name__}.{module.name}").TARGETS
    return found


def updated(text: str | None, target: Target) -> str:
    """`text` (None: the file does not exist) with `target` brought up to date."""
    if target.block is None:
        return target.render()
    if text is None:
        raise DerivedError(f"{target.path} does not exist: write it, with the lines "
                           f"`{begin_marker(target.block)}` and `{end_marker(target.block)}` "
                           f"(as comments) where the generated part goes, then run `{COMMAND}`.")
    lines = text.splitlines(keepends=True)
    begin = next((i for i, line in enumerate(lines)
                  if f"BEGIN generated {target.block}:" in line), None)
    end = next((i for i in range(begin + 1, len(lines))
                if end_marker(target.block) in lines[i]), None) if begin is not None else None
    if begin is None or end is None:
        raise DerivedError(f"{target.path} has no `{begin_marker(target.block)}` … "
                           f"`{end_marker(target.block)}` lines: add them (as comments) where "
                           f"the generated part goes, then run `{COMMAND}`.")
    indent = lines[begin][:len(lines[begin]) - len(lines[begin].lstrip())]
    body = [indent + line if line.strip() else line
            for line in target.render().rstrip("\n").splitlines(keepends=True)]
    return "".join(lines[:begin + 1] + body + ["\n"] + lines[end:])


def _by_file(targets: Iterable[Target]) -> dict[str, list[Target]]:
    files: dict[str, list[Target]] = {}
    for target in targets:
        files.setdefault(target.path, []).append(target)
    return files


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


@dataclass
class Outcome:
    """What comparing the derived texts with the files found."""

    texts: dict[str, str]       # path: the text a stale file should have
    stale: list[str]            # each stale text, with the command that updates it
    errors: list[str]           # what the command cannot do by itself, with the fix


def compare(root: Path, targets: Iterable[Target] | None = None) -> Outcome:
    """Compare every target (default: all modules' TARGETS) with the files under `root`."""
    outcome = Outcome({}, [], [])
    for path, in_file in _by_file(all_targets() if targets is None else targets).items():
        current = _read(root / path)
        text = current
        for target in in_file:
            try:
                new = updated(text, target)
            except DerivedError as exc:
                outcome.errors.append(str(exc))
                continue
            if new != text:
                outcome.stale.append(f"{target.where()} is out of date: run `{COMMAND}`.")
            text = new
        if text is not None and text != current:
            outcome.texts[path] = text
    return outcome


def write(root: Path, outcome: Outcome) -> list[str]:
    """Write the stale files `outcome` found; return their paths."""
    for path, text in outcome.texts.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return sorted(outcome.texts)
