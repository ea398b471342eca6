"""Find ``{filename}``, ``{static}`` and ``{attach}`` links and images that point at nothing."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

from .header import Source
from .problems import Problem, error

# Pelican's INTRASITE_LINK_REGEX accepts {what} and the older |what| spelling.
LINK_RE = re.compile(r"[{|](?P<what>filename|static|attach)[|}](?P<target>[^\s)\"'<>\]]*)")
IMAGE_BEFORE_RE = re.compile(r"(!\[[^\]]*\]\(\s*<?|<img\b[^>]*\bsrc\s*=\s*[\"']?)$", re.IGNORECASE)
CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")


def _lines(source: Source) -> Iterator[tuple[int, str]]:
    """(line number, text) of header values and body lines, skipping code the reader won't link."""
    for field in source.fields:
        yield field.line, field.value
    fence: str | None = None
    for offset, line in enumerate(source.body):
        marker = FENCE_RE.match(line)
        if marker and (fence is None or marker.group(1) == fence):
            fence = None if fence else marker.group(1)
            continue
        if fence is None:
            # Blank out code spans, keeping columns, so `{filename}` in prose about Pelican is fine.
            yield source.body_start + offset, CODE_SPAN_RE.sub(lambda m: " " * len(m[0]), line)


def resolve(source: Source, content_root: Path, target: str) -> Path | None:
    """The file a link target names, resolved like Pelican (``/x`` from the content root)."""
    path = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if not path:
        return None
    base = content_root if path.startswith("/") else source.path.parent
    return Path(os.path.normpath(base / path.lstrip("/")))


def _shown(path: Path, content_root: Path) -> str:
    try:
        return f"{content_root.name}/{path.relative_to(content_root).as_posix()}"
    except ValueError:
        return str(path)


def check_links(source: Source, content_root: Path) -> list[Problem]:
    """One error per link or image whose target file does not exist in the content folder."""
    problems = []
    root = Path(os.path.normpath(content_root))
    for number, text in _lines(source):
        for match in LINK_RE.finditer(text):
            target = match["target"]
            path = resolve(source, root, target)
            if path is None:
                continue
            inside = path.is_relative_to(root)
            if inside and path.is_file():
                continue
            what = "image" if IMAGE_BEFORE_RE.search(text[: match.start()]) else "link"
            where = (f"there is no {_shown(path, root)}" if inside
                     else "it is outside the content folder")
            problems.append(error(
                source.shown, number, what,
                f'The {what} "{match[0]}" points at nothing ({where})',
                "correct the path (a path starting with / starts in the content folder), "
                f"or remove the {what}"))
    return problems
