"""Does the manifest still describe the content? Compare it with content/ and the settings files.

A production build writes the manifest; any article, page, image or settings file changed after
that (or no manifest at all) means promote would show or send text from an older build. The
check is a walk of content/ reading modification times only: a few milliseconds for thousands of
articles.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class ManifestSource:
    """What the manifest is built from, and how to build it again (for `invoke promote`)."""

    settings_files: tuple[Path, ...]    # pelicanconf.py, publishconf.py
    rebuild: Callable[[], bool]         # a production build; True when it succeeded


@dataclass(frozen=True)
class Staleness:
    """The manifest's age against its sources: `changed` lists files newer than it."""

    manifest: Path
    built: float | None                 # the manifest's modification time; None: there is none
    changed: tuple[Path, ...] = ()      # newest first

    @property
    def stale(self) -> bool:
        """True when there is no manifest or a source changed after it was written."""
        return self.built is None or bool(self.changed)

    def reason(self, root: Path) -> str:
        """Why the manifest cannot be used, naming the newest changed file."""
        if self.built is None:
            return (f"there is no manifest yet ({_shown(self.manifest, root)}); a production "
                    "build writes it")
        built = datetime.fromtimestamp(self.built).strftime("%Y-%m-%d %H:%M")
        newest = _shown(self.changed[0], root)
        more = len(self.changed) - 1
        others = f" and {more} other file{'s' if more > 1 else ''}" if more else ""
        return (f"{newest}{others} changed after the production build that wrote the manifest "
                f"({built})")


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _files(folder: Path) -> Iterable[os.DirEntry[str]]:
    """Every file under `folder`, skipping hidden ones and editor backups (name~)."""
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name.endswith("~"):
            continue
        if entry.is_dir():
            yield from _files(Path(entry.path))
        elif entry.is_file():
            yield entry


def check_manifest(manifest: Path, content: Path, settings_files: Iterable[Path]) -> Staleness:
    """Compare the manifest's modification time with content/'s files and the settings files."""
    try:
        built = manifest.stat().st_mtime
    except FileNotFoundError:
        return Staleness(manifest, None)
    changed = [(entry.stat().st_mtime, Path(entry.path)) for entry in _files(content)
               if entry.stat().st_mtime > built]
    changed += [(path.stat().st_mtime, path) for path in settings_files
                if path.is_file() and path.stat().st_mtime > built]
    return Staleness(manifest, built, tuple(path for _, path in sorted(changed, reverse=True)))
