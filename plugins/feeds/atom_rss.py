"""Atom 1.0 (RFC 4287) and RSS 2.0 documents with feedgen.

Two feedgen 1.0 quirks are worked around here: an entry's `link()` loses `rel`, `type` and
`length` in Atom (so an enclosure would turn into a second alternate link), and RSS authors
need an e-mail address. Entry links and enclosures therefore come from a small entry extension,
and RSS names authors with `dc:creator`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension
from feedgen.ext.dc import DcEntryExtension, DcExtension
from feedgen.ext.media import MediaEntryExtension, MediaExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from feeds.entries import FeedItem, Image
from feeds.entry_xml import SharedEntry


@dataclass(frozen=True)
class FeedMeta:
    """Feed-level values shared by the three formats."""

    title: str
    subtitle: str
    home_url: str
    language: str
    author: str
    icon: str  # absolute URL or ""
    updated: datetime
    category_scheme: str  # absolute URL of the categories index
    tag_scheme: str  # absolute URL of the tags index


class LinksEntryExtension(BaseEntryExtension):
    """Write an entry's page link and its enclosure with their full attributes."""

    def __init__(self) -> None:
        self.page_url = ""
        self.image: Image | None = None

    # feedgen's extension interface: the lxml element of an entry (Atom) or item (RSS), returned.
    def extend_atom(self, entry: Any) -> Any:
        # Unqualified like feedgen's own Atom elements, which the root's default namespace covers.
        xml_elem("link", entry, rel="alternate", type="text/html", href=self.page_url)
        if self.image:
            xml_elem("link", entry, rel="enclosure", type=self.image.mime,
                     length=str(self.image.length), href=self.image.url)
        return entry

    def extend_rss(self, item: Any) -> Any:
        xml_elem("link", item).text = self.page_url
        if self.image:
            xml_elem("enclosure", item, url=self.image.url, length=str(self.image.length),
                     type=self.image.mime)
        return item


def build_entry(item: FeedItem, meta: FeedMeta) -> FeedEntry:
    """Make the feedgen entry for one item (entry_xml.SharedEntry renders it once per build)."""
    entry = FeedEntry()
    # Extension classes, not load_extension(): that imports by name on every call.
    entry.register_extension("dc", DcEntryExtension, atom=False, rss=True)
    entry.register_extension("media", MediaEntryExtension)
    entry.register_extension("links", LinksEntryExtension)
    entry.guid(item.id, permalink=True)
    entry.title(item.title)
    if item.summary:
        # Atom: a plain-text summary. RSS: the same text escaped as HTML, because readers treat
        # <description> as HTML. feedgen's setters overwrite each other, hence this order.
        entry.summary(item.summary, type="text")
        entry.description(escape(item.summary, quote=False))
    entry.content(item.content_html, type="html")  # Atom content, RSS content:encoded
    entry.published(item.published)
    entry.updated(item.updated)
    for person in item.authors:
        entry.author(name=person.name, uri=person.url)
        entry.dc.dc_creator(person.name)
    if item.category:
        entry.category(term=item.category.name, scheme=meta.category_scheme,
                       label=item.category.name)
    for tag in item.tags:
        entry.category(term=tag.name, scheme=meta.tag_scheme, label=tag.name)
    entry.links.page_url = item.url
    entry.links.image = item.image
    if item.image:
        entry.media.content(url=item.image.url, type=item.image.mime, medium="image")
        entry.media.thumbnail(url=item.image.url)
    return entry


def _generator(meta: FeedMeta, entries: list[SharedEntry], self_url: str) -> FeedGenerator:
    feed = FeedGenerator()
    feed.register_extension("dc", DcExtension, DcEntryExtension, atom=False, rss=True)
    feed.register_extension("media", MediaExtension, MediaEntryExtension)
    feed.id(self_url)
    feed.title(meta.title)
    feed.subtitle(meta.subtitle or meta.title)  # RSS requires a channel description
    feed.link(href=self_url, rel="self")
    # feedgen makes the last link RSS's <link>, which must be the HTML page.
    feed.link(href=meta.home_url, rel="alternate", type="text/html")
    feed.language(meta.language)
    feed.updated(meta.updated)
    feed.generator("Signal & Reach feeds (python-feedgen)")
    if meta.author:
        feed.author(name=meta.author)
    if meta.icon:
        feed.icon(meta.icon)
        feed.logo(meta.icon)
        feed.image(url=meta.icon, title=meta.title, link=meta.home_url)
    for entry in entries:
        feed.add_entry(entry, order="append")
    return feed


def atom_document(meta: FeedMeta, entries: list[SharedEntry], self_url: str) -> list[bytes]:
    """Serialise an Atom 1.0 feed, as pieces to write one after another."""
    return [_generator(meta, entries, self_url).atom_str(pretty=True)]


def rss_document(meta: FeedMeta, entries: list[SharedEntry], self_url: str) -> list[bytes]:
    """Serialise an RSS 2.0 feed, as pieces to write one after another."""
    return [_generator(meta, entries, self_url).rss_str(pretty=True)]
