"""A Pelican writer that records each page it is asked to write, to render it on request.

Pelican's ``Writer.write_file`` works out every file of a call (pagination included), builds
each one's template context, renders it and writes it. This writer keeps all of that except the
last two steps: the template it is given renders into a ``RecordedPage``, and the file it opens
keeps that page under its path instead of writing it. Pelican's rules on writing a path twice,
and its ``content_written`` signal (the sitemap's list of pages), are unchanged.

Even that work, for thousands of pages, was a third of an update; so the writer first only keeps
each call, and ``complete()`` makes them, in order, once the page asked for is served. Until
then ``page(path)`` makes the one call whose first page is path, aside: the same page, with no
signal sent and no path claimed.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from typing import Any

from pelican import signals
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


@dataclass
class _Call:
    """One write_file call, kept to be made later."""

    name: str
    template: Any
    context: Any
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


class RecordingWriter(Writer):
    """Records every page, by its path relative to the output folder (``a/b/index.html``)."""

    def __init__(self, output_path: str, settings: dict[str, Any]) -> None:
        super().__init__(output_path, settings=settings)
        self.pages: dict[str, RecordedPage] = {}
        self.calls: list[_Call] = []
        self.first_pages: dict[str, _Call | None] = {}  # None: a path two calls name
        self.completed = False
        self._aside: dict[str, RecordedPage] | None = None

    def write_file(self, name: Any, template: Any, context: Any, *args: Any,
                   **kwargs: Any) -> None:
        if not name:
            return  # Pelican writes nothing either
        call = _Call(name, template, context, args, kwargs)
        self.calls.append(call)
        path = posixpath.normpath(name)
        if not (os.path.isabs(path) or path.startswith("..")):
            self.first_pages[path] = None if path in self.first_pages else call

    def _make(self, call: _Call) -> None:
        deferred = _DeferredTemplate(call.template, call.context, PAGE_KEYS | call.kwargs.keys())
        super().write_file(call.name, deferred, call.context, *call.args, **call.kwargs)

    def complete(self) -> dict[str, RecordedPage]:
        """Make every call kept, in order, as Pelican would have (once: it raises what Pelican
        would have raised)."""
        if not self.completed:
            self.completed = True
            calls, self.calls, self.first_pages = self.calls, [], {}
            for call in calls:
                self._make(call)
        return self.pages

    def page(self, path: str) -> RecordedPage | None:
        """The page at path if the call that makes it is known without making them all."""
        if self.completed:
            return self.pages.get(path)
        call = self.first_pages.get(path)
        if call is None:
            return None
        self._aside = {}
        try:
            with signals.content_written.muted():
                self._make(call)
            return self._aside.get(path)
        except Exception:  # complete() raises it again, where it is shown as the crash
            return None
        finally:
            self._aside = None

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        if self._aside is not None:
            return _Keeper(self._aside, self._relative(filename))
        # Pelican's rules, without opening the file (a dropped write records nothing).
        if not book_write(self, filename, override):
            return _Keeper(self.pages, None)
        return _Keeper(self.pages, self._relative(filename))

    def _relative(self, filename: str) -> str:
        return os.path.relpath(filename, self.output_path).replace(os.sep, "/")
