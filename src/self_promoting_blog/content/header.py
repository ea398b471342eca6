"""Read a Markdown source file the way Pelican's Markdown reader does, keeping line numbers.

Pelican reads metadata with Python-Markdown's ``meta`` extension, which throws line numbers
away and silently ends the header at the first line that is not ``Key: value``. This parser
follows the same rules (same regular expressions) but remembers where each field was written,
and keeps reading ``Key: value`` lines up to the first blank line so that one malformed line is
reported once, instead of as a cascade of "missing" fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

# The patterns of markdown.extensions.meta, so we split header and body exactly where it does.
META_RE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
MORE_RE = re.compile(r"^[ ]{4,}(?P<value>.*)")
BEGIN_RE = re.compile(r"^-{3}(\s.*)?")
END_RE = re.compile(r"^(-{3}|\.{3})(\s.*)?")
# A whitespace-only line: the header ends at or before the first one, so only the lines up to it
# need splitting (every character [^\S\n] matches is one str.strip() removes).
BLANK_LINE_RE = re.compile(r"^[^\S\n]*$", re.MULTILINE)


@dataclass(frozen=True)
class Field:
    """One ``Key: value`` header line (continuation lines joined with newlines)."""

    key: str
    value: str
    line: int

    @property
    def name(self) -> str:
        """The key as Pelican sees it: lower case."""
        return self.key.lower()


@dataclass(frozen=True)
class Malformed:
    """A header line without the ``Key: value`` shape."""

    line: int
    text: str
    fields_after: bool  # more ``Key: value`` lines follow it before the first blank line


@dataclass(frozen=True)
class Source:
    """One content file: where it is, its header fields and its body."""

    path: Path  # absolute
    rel: str  # relative to the content folder, with forward slashes: "articles/foo.md"
    shown: str  # as a writer sees it, from the project: "content/articles/foo.md"
    kind: str  # "article" or "page"
    fields: tuple[Field, ...] = ()
    malformed: tuple[Malformed, ...] = ()
    body: str | None = None  # the lines after the header joined by "\n"; None when there are none
    body_start: int = 1  # line number of the body's first line
    unreadable: str | None = None  # why the file could not be read as UTF-8 text

    @cached_property
    def _by_name(self) -> dict[str, list[Field]]:
        """Fields by lower-case name, built once: the rules look fields up many times."""
        index: dict[str, list[Field]] = {}
        for field in self.fields:
            index.setdefault(field.name, []).append(field)
        return index

    def all(self, name: str) -> list[Field]:
        """Every field written with this name (any capitalisation)."""
        return list(self._by_name.get(name.lower(), ()))

    def first(self, name: str) -> Field | None:
        """The field Pelican uses: the first one with this name."""
        found = self._by_name.get(name.lower())
        return found[0] if found else None

    def value(self, name: str) -> str | None:
        found = self.first(name)
        return found.value if found else None

    @property
    def has_header(self) -> bool:
        return bool(self.fields)


def split_header(lines: list[str]) -> tuple[list[Field], list[Malformed], int]:
    """Return (fields, malformed lines, index of the first body line) for a file's lines."""
    start = 1 if lines and BEGIN_RE.match(lines[0]) else 0
    fields: list[Field] = []
    bad: list[tuple[int, str]] = []
    index = start
    while index < len(lines):
        line = lines[index].expandtabs(4)
        index += 1
        if not line.strip() or END_RE.match(line):
            break
        match = META_RE.match(line)
        if match:
            fields.append(Field(match["key"], match["value"].strip(), index))
        elif fields and (more := MORE_RE.match(line)):
            last = fields[-1]
            fields[-1] = Field(last.key, f"{last.value}\n{more['value'].strip()}", last.line)
        else:
            bad.append((index, line.strip()))
    if not fields:
        # No header at all: Markdown treats the whole file as the article text.
        return [], [], start
    last_field_line = fields[-1].line
    malformed = [Malformed(n, text, n < last_field_line) for n, text in bad]
    trailing = [m.line for m in malformed if not m.fields_after]
    # Text right after the header with no blank line: Markdown starts the body there.
    return fields, malformed, trailing[0] - 1 if trailing else index


def read_source(path: Path, content_root: Path, kind: str) -> Source:
    """Parse one file; a file that is not UTF-8 comes back with ``unreadable`` set."""
    rel = path.relative_to(content_root).as_posix()
    shown = f"{content_root.name}/{rel}"
    try:
        # utf-8-sig like pelican_open: a byte-order mark is not part of the first key.
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return Source(path, rel, shown, kind, unreadable=f"unreadable byte at position {exc.start}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blank = BLANK_LINE_RE.search(text)
    # Only the header's lines are split; the body stays one string for the rules to search.
    head_lines = (text[:blank.end()] if blank else text).split("\n")
    fields, malformed, body_index = split_header(head_lines)
    body_offset = sum(len(line) + 1 for line in head_lines[:body_index])
    body = text[body_offset:] if body_offset <= len(text) else None
    return Source(path, rel, shown, kind, tuple(fields), tuple(malformed), body, body_index + 1)
