"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/); feedgen writes only Atom and RSS."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from feeds.atom_rss import FeedMeta
from feeds.entries import FeedItem

VERSION = "https://jsonfeed.org/version/1.1"


def rfc3339(moment: datetime) -> str:
    """Format a timezone-aware datetime as RFC 3339, as JSON Feed requires."""
    return moment.isoformat(timespec="seconds")


def item_object(item: FeedItem) -> dict[str, Any]:
    """Return one item as JSON Feed wants it."""
    obj: dict[str, Any] = {
        "id": item.id,
        "url": item.url,
        "title": item.title,
        "content_html": item.content_html,
        "date_published": rfc3339(item.published),
        "date_modified": rfc3339(item.updated),
        "language": item.language,
    }
    if item.summary:
        obj["summary"] = item.summary
    if item.image:
        # JSON Feed's own field for "the main image"; attachments are for podcasts and files.
        obj["image"] = item.image.url
    if item.authors:
        obj["authors"] = [{"name": p.name, "url": p.url} for p in item.authors]
    # JSON Feed has tags only, so the category leads them; feed-to-social tools turn these into
    # hashtags.
    names = ([item.category.name] if item.category else []) + [t.name for t in item.tags]
    if names:
        obj["tags"] = list(dict.fromkeys(names))
    return obj


def _dumps(value: Any) -> str:
    # Compact, because `indent` switches json to its pure-Python encoder, several times slower.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def item_json(item: FeedItem) -> bytes:
    """Serialise one item (UTF-8, characters kept as they are), once for every feed it is in."""
    return _dumps(item_object(item)).encode("utf-8")


def json_document(meta: FeedMeta, items: list[bytes], self_url: str) -> list[bytes]:
    """Serialise a JSON Feed 1.1 document around items from `item_json`, as pieces to write.

    The bytes are those of json.dumps on the whole feed: its "items" come last, so the feed
    object's closing brace gives way to the list of items already serialised.
    """
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": meta.title,
        "home_page_url": meta.home_url,
        "feed_url": self_url,
        "language": meta.language,
    }
    if meta.subtitle:
        feed["description"] = meta.subtitle
    if meta.icon:
        feed["icon"] = meta.icon
        feed["favicon"] = meta.icon
    if meta.author:
        feed["authors"] = [{"name": meta.author}]
    head = _dumps(feed).removesuffix("}").encode("utf-8")
    return [head, b',"items":[', b",".join(items), b"]}\n"]
