"""One article's Atom and RSS entry XML, rendered once per build and kept small between feeds.

An article sits in the site feed, its category's feed and one feed per tag. feedgen would render
its entry again for each of them (dates, escaping, extensions), so it is rendered once. A live
lxml tree, though, costs about ten times its text in memory, and the article's HTML is most of
that text: keeping every entry's tree until the last feed was written cost ~15 MB on a
1,000-article site. So each format's XML is kept as serialised bytes without the content (about
1 KB), the content stays the one string the article already holds, and each feed gets a fresh
tree with the content put back: the same elements, hence the same bytes, as feedgen's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from feedgen.entry import FeedEntry
from lxml import etree


@dataclass(frozen=True)
class _Template:
    """An entry's XML with the content left out, and the children that held it."""

    xml: bytes
    slots: tuple[int, ...]

    @classmethod
    def of(cls, element: etree._Element, content: str) -> _Template:
        # Found by value, not by name: wherever feedgen put the content (Atom <content>, RSS
        # <content:encoded>, or <description> when there is no summary), the same text goes back.
        slots = tuple(i for i, child in enumerate(element) if content and child.text == content)
        for i in slots:
            element[i].text = None
        return cls(etree.tostring(element, encoding="utf-8"), slots)

    def fill(self, content: str) -> etree._Element:
        element = etree.fromstring(self.xml)
        for i in self.slots:
            element[i].text = content
        return element


class SharedEntry:
    """Stands in for a feedgen entry in every feed that lists the article.

    It answers what feedgen's FeedGenerator asks of an entry: `register_extension` when added
    to a feed, `atom_entry` or `rss_entry` when the feed is serialised.
    """

    def __init__(self, entry: FeedEntry, content: str, formats: Iterable[str]) -> None:
        """Render `entry` in each of `formats` ("atom", "rss"); `content` is its HTML."""
        self._content = content
        render = {"atom": entry.atom_entry, "rss": entry.rss_entry}
        self._templates = {fmt: _Template.of(render[fmt](), content) for fmt in formats}

    def register_extension(self, *args: object, **kwargs: object) -> None:
        """Ignore the feed's extensions: the entry's own were applied when it was rendered."""

    def atom_entry(self, extensions: bool = True) -> etree._Element:
        return self._templates["atom"].fill(self._content)

    def rss_entry(self, extensions: bool = True) -> etree._Element:
        return self._templates["rss"].fill(self._content)
