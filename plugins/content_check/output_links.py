"""Plain internal links and images (``/articles/x/``, ``../x/``, ``/images/x.png``) checked
against the files the build wrote.

Pelican writes a plain address as it is, and only the finished output can tell whether it leads
anywhere (feeds, tag pages, theme files and images included), so this runs after the build has
written everything. A relative address starts from the page's own address (articles/x/), as a
browser reads it; a folder address (ending in /) needs its index.html. External addresses,
``mailto:`` and other schemes, and ``#fragment``-only links are not checked.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from self_promoting_blog.check.problems import Problem, error_in_production
from self_promoting_blog.check.settings import is_production
from self_promoting_blog.content.sources import MARKDOWN_EXTENSIONS

# <a href> and <img src>, quoted or not, as Markdown renders them and as writers type them.
URL_RE = re.compile(r"""<(?:(?P<a>a)|img)\s[^>]*?(?<![\w-])(?(a)href|src)\s*=\s*"""
                    r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'>]+))""", re.IGNORECASE)
# The generator lists of what is on the site (drafts are not; production has no scheduled ones).
LIVE_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations", "pages",
              "hidden_pages")


def site_path(href: str, page_url: Callable[[], str], prefix: str) -> str | None:
    """Where an address leads inside the site, as a path from the output folder ("articles/x/",
    "images/a.png", "" for the home page); None for an address this check leaves alone.

    `page_url` gives the page's own address, asked only for a relative one (Pelican works it
    out anew on every read)."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path or href.startswith(("{", "|")):
        return None  # external, mailto:, #fragment or ?query only, {filename}: checked before
    path = unquote(parts.path)
    if not path.startswith("/"):
        path = posixpath.join(prefix + posixpath.dirname("/" + page_url()), path)
    if prefix:
        if path != prefix and not path.startswith(prefix + "/"):
            return None  # elsewhere on the same host: not this site's to judge
        path = path[len(prefix):]
    normal = posixpath.normpath(path).lstrip("/")
    is_folder = path.endswith("/") or posixpath.basename(path) in (".", "..")
    return normal + "/" if is_folder and normal else normal


def _written(output: Path) -> set[str]:
    """Every file the build wrote, as a path from the output folder."""
    written: set[str] = set()
    top = len(str(output).rstrip(os.sep)) + 1
    for folder, _, names in os.walk(output):
        rel = folder[top:].replace(os.sep, "/")
        written.update(f"{rel}/{name}" if rel else name for name in names)
    return written


def _exists(target: str, written: set[str]) -> bool:
    if not target or target.endswith("/"):
        return target + "index.html" in written
    # A server answers /articles/x with a redirect to /articles/x/.
    return target in written or target + "/index.html" in written


def _lines_with(path: str, href: str, raw: str) -> list[int | None]:
    """The source lines an address is written on (found again only for a broken one)."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return [None]
    found: list[int | None] = [n for n, line in enumerate(lines, 1)
                               if href in line or raw in line]
    return found or [None]


def _fix(kind: str, href: str, source_path: str, content_root: str, page_url: str) -> str:
    """Name {static}/{filename} when the address is right from the source file's folder, the
    usual slip: a plain address is read from the page's address, not from the file's folder."""
    path = unquote(urlsplit(href).path)
    base = content_root if path.startswith("/") else os.path.dirname(source_path)
    beside = os.path.normpath(os.path.join(base, path.lstrip("/")))
    if beside.startswith(content_root.rstrip(os.sep) + os.sep) and os.path.isfile(beside):
        what = ("filename" if beside.rsplit(".", 1)[-1].lower() in MARKDOWN_EXTENSIONS
                else "static")
        return (f"write it as {{{what}}}{path}: a plain address starts from the page's address "
                f"(/{page_url}), not from its file's folder")
    if path.startswith("/"):
        return f"correct the address, or remove the {kind}"
    return (f"correct the address (a relative one starts from the page's address, /{page_url}), "
            f"or remove the {kind}")


class OutputLinks:
    """Keeps the live articles and pages of one build, then checks their plain addresses."""

    def __init__(self) -> None:
        self.contents: list[Any] = []

    def collect(self, generators: Iterable[Any]) -> None:
        """all_generators_finalized: what is on the site, once every plugin has filtered it."""
        self.contents = [item for generator in generators for name in LIVE_LISTS
                         for item in getattr(generator, name, ())]

    def check(self, settings: Mapping[str, Any]) -> list[Problem]:
        """finalized: one problem per source line with an address that leads to no file."""
        contents, self.contents = self.contents, []
        output = Path(settings["OUTPUT_PATH"])
        prefix = urlsplit(str(settings.get("SITEURL") or "")).path.rstrip("/")
        root = os.path.normpath(settings["PATH"])
        written: set[str] | None = None  # built once, on the first internal address
        problems = []
        for content, kind, href, raw, target in self._addresses(contents, prefix):
            if written is None:
                written = _written(output)
            if _exists(target, written):
                continue
            resolved = prefix + "/" + target
            leads = ("leads to nothing on the site" if unquote(href).startswith("/")
                     else f"leads to {resolved}, where the site has nothing")
            shown = f"{os.path.basename(root)}/{os.path.relpath(content.source_path, root)}"
            for line in _lines_with(content.source_path, href, raw):
                problems.append(error_in_production(
                    is_production(settings), shown, line, kind,
                    f'The {kind} "{href}" {leads}',
                    _fix(kind, href, content.source_path, root, content.url)))
        return sorted(problems, key=Problem.sort_key)

    @staticmethod
    def _addresses(contents: list[Any], prefix: str) -> Iterator[tuple[Any, str, str, str, str]]:
        """(content, "link" or "image", address, as written in the HTML, site path) of each
        internal address, once per page."""
        for content in contents:
            seen = set()
            url = cache(lambda content=content: str(content.url))
            for match in URL_RE.finditer(getattr(content, "_content", None) or ""):
                raw = next(value for value in match.group("dq", "sq", "bare") if value is not None)
                if raw in seen:
                    continue
                seen.add(raw)
                href = html.unescape(raw)
                target = site_path(href, url, prefix)
                if target is not None:
                    yield content, "link" if match["a"] else "image", href, raw, target


OUTPUT_LINKS = OutputLinks()
