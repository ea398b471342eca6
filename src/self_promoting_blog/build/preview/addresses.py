"""Each article's and page's address (``url``, ``save_as``), worked out once per file read.

Pelican works an address out anew from the content's metadata every time it is asked, and an
update asks for each one several times (the writer, social_meta, promote, every listing that
links to it): at 5,000 articles that was a fifth of an update. An address depends on the file's
own header and the settings, and the preview reads a file again whenever it or the settings
change (``memory``); so the address of a content is kept with it
(``build_memo.kept_with_file``), worked out once every generator has read and finalized its
content (``static_generator_finalized``: the static generator runs last), as no receiver changes
what an address is made of from then on. ``verify`` works every kept
address out again once the page asked for is served: a plugin that changed one is named, and
addresses are no longer kept from then on.

Static files are left out: an ``{attach}`` link moves one while pages render.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pelican import signals
from pelican.contents import Content

from self_promoting_blog.build_memo import kept_with_file
from self_promoting_blog.generator_lists import every_article, every_page

KEYS = ("url", "save_as")
_ORIGINAL = {key: Content.__dict__[key] for key in KEYS}


def _remembered(key: str) -> property:
    compute = _ORIGINAL[key].fget

    def get(content: Any) -> Any:
        kept = kept_with_file(content)
        return kept[key] if kept is not None and key in kept else compute(content)

    return property(get)


_REMEMBERED = {key: _remembered(key) for key in KEYS}


class AddressMemo:
    """Turns the kept addresses on while the preview updates and answers."""

    def __init__(self) -> None:
        self.enabled = True
        self.contents: list[Any] = []
        self._depth = 0  # answering() entered this many times (finish() runs inside answer())

    def _freeze(self, _static_generator: Any) -> None:
        """static_generator_finalized: every content is read; work out those not yet known."""
        for content in self.contents:
            kept = kept_with_file(content)
            if kept is not None and KEYS[0] not in kept:
                kept.update({key: _ORIGINAL[key].fget(content) for key in KEYS})

    def _articles(self, generator: Any) -> None:
        self.contents.extend(every_article(generator))

    def _pages(self, generator: Any) -> None:
        self.contents.extend(every_page(generator))

    @contextmanager
    def updating(self) -> Iterator[None]:
        """For one update: note its contents as generators finalize, and their addresses."""
        self.contents = []
        with (signals.article_generator_finalized.connected_to(self._articles),
              signals.page_generator_finalized.connected_to(self._pages),
              signals.static_generator_finalized.connected_to(self._freeze), self.answering()):
            yield

    @contextmanager
    def answering(self) -> Iterator[None]:
        """While this is entered, a content's address comes from its memo when it has one."""
        if not self.enabled:
            yield
            return
        self._depth += 1
        for key in KEYS:
            setattr(Content, key, _REMEMBERED[key])
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth:
                for key in KEYS:
                    setattr(Content, key, _ORIGINAL[key])

    def verify(self) -> list[str]:
        """Each kept address that is no longer the one Pelican works out (which turns the memo
        off): the content's file and the key."""
        if not self.enabled:
            return []
        changed = []
        for content in self.contents:
            kept = kept_with_file(content) or {}
            for key in KEYS:
                if key in kept and _ORIGINAL[key].fget(content) != kept[key]:
                    changed.append(f"{content.source_path}: {key}")
        if changed:
            self.enabled = False
        return changed
