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

from pelican.writers import FileOverwriteFailedError, Writer


@dataclass
class RecordedPage:
    """One page as Pelican would have rendered it: the template and its context."""

    template: Any
    localcontext: dict[str, Any]
    shared_context: dict[str, Any]
    source: str | None  # the article's or page's file, for the error page

    def render(self) -> str:
        """What Pelican would have written (callers serialise renders: see ``_write_file``)."""
        # Pelican sets the shared context's localsiteurl before each render, so that contents
        # resolve their links relative to the page being written.
        if self.localcontext["localsiteurl"]:
            self.shared_context["localsiteurl"] = self.localcontext["localsiteurl"]
        return str(self.template.render(self.localcontext))


class _DeferredTemplate:
    """Stands in for a template: 'rendering' it records the context instead."""

    def __init__(self, template: Any, shared_context: dict[str, Any]) -> None:
        self.template = template
        self.shared_context = shared_context

    def render(self, localcontext: dict[str, Any]) -> RecordedPage:
        content = localcontext.get("article") or localcontext.get("page")
        return RecordedPage(self.template, localcontext, self.shared_context,
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
        super().write_file(name, _DeferredTemplate(template, context), context, *args, **kwargs)

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        # Pelican's rules, without opening the file: a second write of one path fails unless
        # it overrides, and the first overriding write wins over any later one.
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(f'Failed to overwrite "{filename}" a second time')
            return _Keeper(self.pages, None)
        if filename in self._written_files and not override:
            raise FileOverwriteFailedError(f'Failed to overwrite "{filename}": Pelican has '
                                           "already written it (set `override=True` if meant)")
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        return _Keeper(self.pages, os.path.relpath(filename, self.output_path).replace(os.sep, "/"))
