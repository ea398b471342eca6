"""A Pelican writer that records each page it is asked to write, to render it on request.

Pelican's ``Writer.write_file`` works out every file of a call (pagination included), builds
each one's template context, renders it and writes it. This writer keeps all of that except the
last two steps: the template it is given renders into a ``RecordedPage``, and the file it opens
keeps that page under its path instead of writing it. Pelican's rules on writing a path twice,
and its ``content_written`` signal (the sitemap's list of pages), are unchanged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from pelican.writers import Writer

from self_promoting_blog.build.overwrites import book_write

# What Pelican's Writer sets on its copy of the context for each page, besides the call's own
# keyword arguments and the pagination keys (which are new keys).
PAGE_KEYS = frozenset({"localsiteurl", "SITEURL", "output_file"})


@dataclass
class RecordedPage:
    """One page as Pelican would have rendered it: the template and its context.

    Pelican gives each page a copy of the whole shared context (every setting, ~300 keys); a
    page keeps only what its copy has of its own, and the copy is made again to render it, so
    thousands of recorded pages cost little memory.
    """

    template: Any
    own: dict[str, Any]
    shared_context: dict[str, Any]
    source: str | None  # the article's or page's file, for the error page

    def render(self) -> str:
        """What Pelican would have written (one render at a time: it sets localsiteurl)."""
        # Pelican sets the shared context's localsiteurl before each render, so that contents
        # resolve their links relative to the page being written.
        if self.own.get("localsiteurl"):
            self.shared_context["localsiteurl"] = self.own["localsiteurl"]
        return str(self.template.render({**self.shared_context, **self.own}))


class _DeferredTemplate:
    """Stands in for a template: 'rendering' it records the page instead."""

    def __init__(self, template: Any, shared_context: dict[str, Any],
                 call_keys: frozenset[str]) -> None:
        self.template = template
        self.shared_context = shared_context
        self.call_keys = call_keys

    def render(self, localcontext: dict[str, Any]) -> RecordedPage:
        keys = (localcontext.keys() - self.shared_context.keys()) | self.call_keys
        own = {key: localcontext[key] for key in keys if key in localcontext}
        content = own.get("article") or own.get("page")
        return RecordedPage(self.template, own, self.shared_context,
                            getattr(content, "source_path", None))


class _Keeper:
    """The 'file' Pelican writes a page into: it files the recorded page under its path."""

    def __init__(self, pages: dict[str, RecordedPage], path: str | None) -> None:
        self.pages = pages
        self.path = path

    def __enter__(self) -> _Keeper:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def write(self, page: RecordedPage) -> None:
        if self.path is not None:  # None: a page Pelican chose not to overwrite
            self.pages[self.path] = page


class RecordingWriter(Writer):
    """Records every page, by its path relative to the output folder (``a/b/index.html``)."""

    def __init__(self, output_path: str, settings: dict[str, Any]) -> None:
        super().__init__(output_path, settings=settings)
        self.pages: dict[str, RecordedPage] = {}

    def write_file(self, name: Any, template: Any, context: Any, *args: Any,
                   **kwargs: Any) -> None:
        deferred = _DeferredTemplate(template, context, PAGE_KEYS | kwargs.keys())
        super().write_file(name, deferred, context, *args, **kwargs)

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        # Pelican's rules, without opening the file (a dropped write records nothing).
        if not book_write(self, filename, override):
            return _Keeper(self.pages, None)
        return _Keeper(self.pages, os.path.relpath(filename, self.output_path).replace(os.sep, "/"))
