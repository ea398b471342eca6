"""What a parsed source depends on besides its own bytes: the key of the reader cache's folder.

A Markdown file's HTML and metadata depend on the reader's code and libraries and on the settings;
a change to any of them makes a new fingerprint, so no entry parsed under the old ones is used.
Covered: the Python, Pelican, Markdown, Pygments, docutils and typogrify versions; every setting
except the few that name this build's folders; the source of every reader class and
``readers_init`` receiver (a plugin's reader) and of every loaded plugin (a plugin may patch the
readers when imported). Not covered, because reading never uses them: the theme's files and the
package's code outside the plugins (it runs after reading, on the parsed content).
"""

from __future__ import annotations

import hashlib
import inspect
import platform
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

# Bump when the cache's format or what it stores changes.
FORMAT = 2
LIBRARIES = ("pelican", "markdown", "pygments", "docutils", "typogrify", "smartypants")
# The folders of one build (the staging folder's name changes every build) and this part's own
# switches: none of them changes what a file parses to.
UNREAD_SETTINGS = frozenset({"OUTPUT_PATH", "CACHE_PATH", "BUILD_CACHE", "BUILD_PARALLEL"})


def _stable(value: Any) -> str:
    """A text for a setting's value that is the same in every process (no memory addresses)."""
    if isinstance(value, Mapping):
        items = sorted((_stable(k), _stable(v)) for k, v in value.items())
        return "{" + ",".join(f"{k}:{v}" for k, v in items) + "}"
    if isinstance(value, set | frozenset):
        return "{" + ",".join(sorted(_stable(v) for v in value)) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_stable(v) for v in value) + "]"
    if isinstance(value, str | int | float | bool | bytes | Path) or value is None:
        return repr(value)
    if isinstance(value, type) or callable(value):
        module = getattr(value, "__module__", "") or ""
        return f"<{module}.{getattr(value, '__qualname__', type(value).__qualname__)}>"
    text = repr(value)
    # An object without a meaningful repr shows its address, which changes every run.
    return f"<{type(value).__module__}.{type(value).__qualname__}>" if " at 0x" in text else text


def module_sources(module: ModuleType) -> list[Path]:
    """A module's file, or every .py file of a package."""
    file = getattr(module, "__file__", None)
    if not file:
        return []
    path = Path(file)
    if path.name == "__init__.py":
        return sorted(path.parent.rglob("*.py"))
    return [path]


def _modules_of(objects: Iterable[Any]) -> set[str]:
    return {name for obj in objects if (name := getattr(obj, "__module__", None))}


class TextDigest:
    """SHA-256 over text parts, each ended by a NUL so that ("ab", "c") differs from ("a", "bc")."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()

    def __call__(self, *parts: str) -> None:
        for part in parts:
            self._sha.update(part.encode("utf-8", "surrogatepass") + b"\0")

    def hexdigest(self) -> str:
        return self._sha.hexdigest()[:32]


def version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def reading_fingerprint(settings: Mapping[str, Any], readers: Any) -> str:
    """The fingerprint of everything that decides what `readers` parse a file to.

    `readers` is Pelican's ``Readers`` (its ``readers`` maps extensions to reader objects).
    """
    feed = TextDigest()
    feed(str(FORMAT), sys.version, platform.machine())
    for library in LIBRARIES:
        feed(library, version(library))
    for key in sorted(settings):
        if key not in UNREAD_SETTINGS:
            feed(key, _stable(settings[key]))
    from pelican.plugins import signals

    receivers = [r() if callable(r) else r for r in signals.readers_init.receivers.values()]
    modules = _modules_of(type(r) for r in readers.readers.values()) | _modules_of(receivers)
    modules |= {str(name) for name in settings.get("PLUGINS") or () if isinstance(name, str)}
    modules |= {m.__name__ for m in settings.get("PLUGINS") or () if inspect.ismodule(m)}
    _feed_sources(feed, modules)
    return feed.hexdigest()


def _feed_sources(feed: TextDigest, modules: Iterable[str]) -> None:
    """Feed each loaded module's name and the hash of its source (a package: every file)."""
    for name in sorted(modules):
        module = sys.modules.get(name)
        feed(name)
        for path in module_sources(module) if module else []:
            feed(str(path.name), hashlib.sha256(path.read_bytes()).hexdigest())


def code_fingerprint(modules: Iterable[str], libraries: Iterable[str], *extra: str) -> str:
    """The fingerprint of some code: Python's version, the libraries', the modules' sources.

    For a cache of what that code makes out of values the cache's keys hold (plugins/feeds).
    """
    feed = TextDigest()
    feed(sys.version, platform.machine(), *extra)
    for library in libraries:
        feed(library, version(library))
    _feed_sources(feed, modules)
    return feed.hexdigest()
