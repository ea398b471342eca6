"""Find the writers' Markdown files the way Pelican's generators do, and read them once."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from self_promoting_blog.content.header import Source, read_source

# The extensions Pelican's MarkdownReader claims.
MARKDOWN_EXTENSIONS = frozenset({"md", "markdown", "mkd", "mdown"})


def _walk(root: Path, folders: list[str], excludes: list[str],
          ignores: list[str]) -> Iterator[str]:
    """Yield the paths of Markdown files under root/folder, skipping excluded and ignored names
    (as strings: a site has thousands, and making each a Path cost more than finding it)."""
    excluded = {os.path.normpath(root / e) for e in excludes}
    for folder in folders:
        top = root / folder if folder else root
        if top.is_file():
            yield str(top)
            continue
        for dirpath, dirs, files in os.walk(top, topdown=True, followlinks=True):
            dirs[:] = sorted(d for d in dirs
                             if os.path.normpath(os.path.join(dirpath, d)) not in excluded
                             and not any(fnmatch.fnmatch(d, pat) for pat in ignores))
            ignored = {name for pat in ignores for name in fnmatch.filter(files, pat)}
            for name in sorted(files):
                if name in ignored:
                    continue
                if name.rsplit(".", 1)[-1].lower() in MARKDOWN_EXTENSIONS and "." in name:
                    yield os.path.join(dirpath, name)


def source_paths(settings: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(path, "article" or "page") of every source, articles first, each list sorted by path."""
    root = Path(settings["PATH"])
    ignores = list(settings.get("IGNORE_FILES", []))
    seen: set[str] = set()
    for kind, paths, excludes in (
        ("article", settings.get("ARTICLE_PATHS", [""]), settings.get("ARTICLE_EXCLUDES", [])),
        ("page", settings.get("PAGE_PATHS", ["pages"]), settings.get("PAGE_EXCLUDES", [])),
    ):
        for path in _walk(root, list(paths), list(excludes), ignores):
            if path not in seen:
                seen.add(path)
                yield path, kind


def iter_sources(settings: Mapping[str, Any]) -> Iterator[Source]:
    """Read every article and page source in source_paths' order: one file at a time, so a
    caller that does not keep them holds one file's text at most."""
    root = Path(settings["PATH"])
    for path, kind in source_paths(settings):
        yield read_source(Path(path), root, kind)


def find_sources(settings: Mapping[str, Any]) -> list[Source]:
    """Every article and page source, read (see iter_sources)."""
    return list(iter_sources(settings))
