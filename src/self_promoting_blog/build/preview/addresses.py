"""Each article's and page's address (``url``, ``save_as``) worked out once per update.

Pelican works an address out anew from the content's metadata every time it is asked, and an
update asks for each one several times (the writer, social_meta, promote, every listing that
links to it): at 5,000 articles that was a sixth of an update. Once every generator has read
and finalized its content (``static_generator_finalized``: the static generator runs last), no
receiver changes what an address is made of, so from then on the first answer is kept on the
object. ``verify`` works every kept address out again after the page asked for is served: a
plugin that changed one later is named, and the memo is off from then on.

Static files are left out: an ``{attach}`` link moves one while pages render.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pelican import signals
from pelican.contents import Article, Content, Page

from self_promoting_blog.generator_lists import every_article, every_page

KEYS = ("url", "save_as")
_MEMO = "_preview_addresses"  # the kept answers, in the object's own __dict__
_ORIGINAL = {key: Content.__dict__[key] for key in KEYS}


def _remembered(key: str) -> property:
    compute = _ORIGINAL[key].fget

    def get(content: Any) -> Any:
        memo = content.__dict__.get(_MEMO)
        if memo is None:
            return compute(content)
        if key not in memo:
            memo[key] = compute(content)
        return memo[key]

    return property(get)


_REMEMBERED = {key: _remembered(key) for key in KEYS}


class AddressMemo:
    """The addresses of the contents of the current update."""

    def __init__(self) -> None:
        self.enabled = True
        self.contents: list[Any] = []
        self._depth = 0  # answering() entered this many times (finish() runs inside answer())

    def _freeze(self, _static_generator: Any) -> None:
        """static_generator_finalized: every content is read; keep addresses from now on."""
        for content in self.contents:
            content.__dict__[_MEMO] = {}

    def _articles(self, generator: Any) -> None:
        self.contents.extend(c for c in every_article(generator) if isinstance(c, Article))

    def _pages(self, generator: Any) -> None:
        self.contents.extend(c for c in every_page(generator) if isinstance(c, Page))

    @contextmanager
    def updating(self) -> Iterator[None]:
        """For one update: note its contents as generators finalize, keep from the freeze on."""
        self.contents = []
        if not self.enabled:
            yield
            return
        with (signals.article_generator_finalized.connected_to(self._articles),
              signals.page_generator_finalized.connected_to(self._pages),
              signals.static_generator_finalized.connected_to(self._freeze), self.answering()):
            yield

    @contextmanager
    def answering(self) -> Iterator[None]:
        """While this is entered, a content's address comes from its memo when it has one."""
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
        changed = []
        for content in self.contents:
            memo = content.__dict__.get(_MEMO) or {}
            for key, kept in memo.items():
                if _ORIGINAL[key].fget(content) != kept:
                    changed.append(f"{content.source_path}: {key}")
        if changed:
            self.enabled = False
        return changed
