"""Articles and pages kept between preview updates, so an update reads only the files that changed.

Pelican asks its generator for a cached object before reading each file (``get_cached_data``)
and offers each object it read (``cache_data``). While an update runs, every article and page
generator answers from this memory instead: a file whose size and modification time are those it
had when it was read comes back without being read again (one that changed a moment before it
was read is read again: see ``content.stamps``).

Plugins set attributes on the objects of a build (related articles, share links, the card…)
and Pelican rewrites some metadata in place when it resolves links, so the memory keeps each
object as it was just read and hands out a fresh shallow copy, with its own metadata, in the
new build's context: an update starts from the same state a full build does.

What depends only on the file and the settings is worked out once per read and kept with the
object, shared by its copies (``build_memo.kept_with_file``): its path in the content folder
and its links to static files (which Pelican finds by searching all its HTML, each update), its
address (``addresses``), its social values (plugins/social_meta).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pelican import signals
from pelican.contents import Content
from pelican.generators import ArticlesGenerator, PagesGenerator

from self_promoting_blog.build_memo import keep_with_file, kept_with_file
from self_promoting_blog.content.stamps import Stamp, file_stamp


def _fresh(kept: Any, context: dict[str, Any]) -> Any:
    content = copy.copy(kept)
    content.metadata = dict(kept.metadata)
    content._context = context
    return content


def forget_rendered_text() -> None:
    """Drop Pelican's memo of each content's HTML and summary (kept per object, process-wide):
    it would keep every earlier update's objects alive, and links resolved against them."""
    for name in ("get_content", "get_summary"):
        Content.__dict__[name].cache.clear()


class ContentMemory:
    """Source file → (its stamp when read, the object as read)."""

    def __init__(self) -> None:
        self.kept: dict[str, tuple[Stamp, Any]] = {}
        self.read: list[str] = []  # files read (not remembered) by the last update
        self.asked: set[str] = set()  # files the last update asked for

    def forget(self) -> None:
        self.kept.clear()

    def _attach(self, generator: Any) -> None:
        """generator_init receiver: answer this generator's cache questions from memory."""
        if not isinstance(generator, (ArticlesGenerator, PagesGenerator)):
            return
        pending: dict[str, Stamp] = {}

        def get_cached_data(name: str, default: Any = None) -> Any:
            path = os.path.join(generator.path, name)
            self.asked.add(path)
            # Before reading, so an edit during the read is seen next time.
            stamp = file_stamp(path)
            kept = self.kept.get(path)
            if kept is not None and stamp is not None and kept[0] == stamp[0]:
                return _fresh(kept[1], generator.context)
            self.kept.pop(path, None)
            if stamp is not None and stamp[1]:
                pending[path] = stamp[0]
            self.read.append(path)
            return default

        def cache_data(name: str, data: Any) -> None:
            path = os.path.join(generator.path, name)
            stamp = pending.pop(path, None)
            if stamp is not None:
                keep_with_file(data)
                self.kept[path] = (stamp, _fresh(data, data._context))

        def add_source_path(content: Any, static: bool = False) -> None:
            kept = kept_with_file(content)
            if kept is None or static:
                return add_source_path_anew(content, static)
            if "source" not in kept:
                kept["source"] = content.get_relative_source_path()
            generator.context["generated_content"][kept["source"]] = content

        def add_static_links(content: Any) -> None:
            kept = kept_with_file(content)
            if kept is None:
                return add_static_links_anew(content)
            if "static_links" not in kept:
                kept["static_links"] = frozenset(content.get_static_links())
            generator.context["static_links"] |= kept["static_links"]

        add_source_path_anew, add_static_links_anew = (generator.add_source_path,
                                                       generator.add_static_links)
        generator.get_cached_data = get_cached_data
        generator.cache_data = cache_data
        generator.add_source_path = add_source_path
        generator.add_static_links = add_static_links

    @contextmanager
    def reading(self) -> Iterator[None]:
        """For one update: generators read through this memory; files now gone are forgotten."""
        self.read, self.asked = [], set()
        forget_rendered_text()
        with signals.generator_init.connected_to(self._attach):
            yield
        self.kept = {path: kept for path, kept in self.kept.items()
                     if path in self.asked or os.path.exists(path)}
