"""Find ``{filename}``, ``{static}`` and ``{attach}`` links and images, and those that point at
nothing."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from self_promoting_blog.check.problems import Problem, error
from self_promoting_blog.content.header import Source

# Pelican's INTRASITE_LINK_REGEX accepts {what} and the older |what| spelling.
LINK_RE = re.compile(r"[{|](?P<what>filename|static|attach)[|}](?P<target>[^\s)\"'<>\]]*)")
IMAGE_BEFORE_RE = re.compile(r"(!\[[^\]]*\]\(\s*<?|<img\b[^>]*\bsrc\s*=\s*[\"']?)$", re.IGNORECASE)
CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
# The body is searched for these with str.find (several times faster than a regular expression
# over every line); only the few lines found are looked at in Python.
LINK_WORDS = ("filename", "static", "attach")  # the "what" of LINK_RE
FENCE_MARKERS = ("```", "~~~")  # a code fence: a line starting with one after 0-3 spaces


def _link_lines(body: str) -> set[int]:
    """Where each line that may hold a link starts: one with {filename}, |static|, {attach|…"""
    starts = set()
    for word in LINK_WORDS:
        at = body.find(word)
        while at >= 0:
            end = at + len(word)
            if at and body[at - 1] in "{|" and body[end:end + 1] in ("|", "}"):
                starts.add(body.rfind("\n", 0, at) + 1)
                end = body.find("\n", end)  # the line is in: go on from the next one
                if end < 0:
                    break
            at = body.find(word, end)
    return starts


def _fence_lines(body: str) -> dict[int, str]:
    """Where each line opening or closing a code fence starts, and its marker."""
    fences = {}
    for marker in FENCE_MARKERS:
        at = body.find(marker)
        while at >= 0:
            start = body.rfind("\n", 0, at) + 1
            indent = body[start:at]
            if len(indent) <= 3 and (not indent or indent.isspace()):
                fences[start] = marker
            # Only the start of a line can open a fence: go on from the next line.
            end = body.find("\n", at)
            at = body.find(marker, end + 1) if end >= 0 else -1
    return fences


def _body_lines(source: Source) -> Iterator[tuple[int, str]]:
    """(line number, text) of the body lines that may hold a link, outside code fences."""
    body = source.body or ""
    links = _link_lines(body)
    if not links:
        return
    fences = _fence_lines(body)
    fence: str | None = None
    number, counted_to = source.body_start, 0
    for start in sorted(links | fences.keys()):
        marker = fences.get(start)
        if marker:
            if fence is None or marker == fence:
                fence = None if fence else marker
            continue
        if fence is None:
            number += body.count("\n", counted_to, start)
            counted_to = start
            end = body.find("\n", start)
            line = body[start:] if end < 0 else body[start:end]
            # Blank out code spans, keeping columns, so `{filename}` in prose about Pelican is fine.
            yield number, CODE_SPAN_RE.sub(lambda m: " " * len(m[0]), line)


def _lines(source: Source) -> Iterator[tuple[int, str]]:
    """(line number, text) of header values and body lines, skipping code the reader won't link."""
    for field in source.fields:
        yield field.line, field.value
    yield from _body_lines(source)


class LinkTargets:
    """Where link targets lead, for one check of a site: the content folder, and which files
    exist (asked once per file, since many articles link to the same ones)."""

    def __init__(self, content_root: Path) -> None:
        self.root = os.path.normpath(content_root)
        self.root_name = Path(self.root).name
        # Inside = below the root, as Path.is_relative_to decides (any relative path is below ".").
        self._inside_prefix = "" if self.root == "." else self.root.rstrip("/") + "/"
        self._is_file: dict[str, bool] = {}

    def resolve(self, source: Source, target: str) -> str | None:
        """The normalised path a link target names, resolved like Pelican (``/x`` from the
        content root); None for a target with no path."""
        path = unquote(target.split("#", 1)[0].split("?", 1)[0])
        if not path:
            return None
        base = self.root if path.startswith("/") else os.path.dirname(source.path)
        return os.path.normpath(os.path.join(base, path.lstrip("/")))

    def is_inside(self, path: str) -> bool:
        return path == self.root or path.startswith(self._inside_prefix)

    def found_file(self, path: str) -> None:
        """A file seen in this run's walk through the sources (the targets of most links)."""
        self._is_file[os.path.normpath(path)] = True

    def is_file(self, path: str) -> bool:
        known = self._is_file.get(path)
        if known is None:
            known = self._is_file[path] = os.path.isfile(path)
        return known

    def shown(self, path: str) -> str:
        """An inside path as a writer sees it (``content/images/me.png``)."""
        rel = "." if path == self.root else path[len(self._inside_prefix):]
        return f"{self.root_name}/{rel}"


@dataclass(frozen=True)
class Link:
    """One ``{filename}``, ``{static}`` or ``{attach}`` link or image in a source."""

    line: int
    what: str  # filename, static or attach
    written: str  # as written: {filename}/articles/other.md
    kind: str  # "link" or "image"
    path: str | None  # the normalised path it names; None when it names no path


def find_links(source: Source, targets: LinkTargets) -> Iterator[Link]:
    """Every link and image in the header values and the text, outside code."""
    for number, text in _lines(source):
        for match in LINK_RE.finditer(text):
            kind = "image" if IMAGE_BEFORE_RE.search(text[: match.start()]) else "link"
            yield Link(number, match["what"], match[0], kind,
                       targets.resolve(source, match["target"]))


def missing_target(source: Source, link: Link, targets: LinkTargets) -> Problem | None:
    """An error for a link or image whose target file does not exist in the content folder."""
    if link.path is None:
        return None
    inside = targets.is_inside(link.path)
    if inside and targets.is_file(link.path):
        return None
    where = (f"there is no {targets.shown(link.path)}" if inside
             else "it is outside the content folder")
    return error(source.shown, link.line, link.kind,
                 f'The {link.kind} "{link.written}" points at nothing ({where})',
                 "correct the path (a path starting with / starts in the content folder), "
                 f"or remove the {link.kind}")
