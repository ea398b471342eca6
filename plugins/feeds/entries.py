"""One article as a feed entry: every value each format needs, absolute and XML-safe, built once.

The same article can sit in the site feed, its category's feed and one feed per tag, in three
formats each; building its pieces here once keeps that repetition cheap.
"""

from __future__ import annotations

import mimetypes
import os
import re
import stat
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from feeds.absolutize import absolute_url, absolutize_html
from feeds.channels import absolute
from feeds.sanitize import html_to_text, xml_safe
from feeds.selection import aware
from feeds.settings import FeedsSettings
from self_promoting_blog.content.html_memo import html_once

_INTRASITE = re.compile(r"^\{(static|attach|filename)\}")


@dataclass(frozen=True)
class Image:
    """The article's card image, as an enclosure: absolute URL, MIME type, size in bytes."""

    url: str
    mime: str
    length: int


@dataclass(frozen=True)
class Person:
    name: str
    url: str


@dataclass(frozen=True)
class Term:
    """A category or tag: its name and the absolute URL of its page."""

    name: str
    url: str


@dataclass(frozen=True)
class FeedItem:
    """Everything the three formats say about one article."""

    id: str  # the canonical URL: stable across rebuilds and edits of the text
    url: str
    title: str
    content_html: str
    summary: str  # plain text
    authors: tuple[Person, ...]
    category: Term | None
    tags: tuple[Term, ...]
    published: datetime
    updated: datetime
    image: Image | None
    language: str


def _image_url(article: Any, settings: FeedsSettings, page_url: str) -> str | None:
    """Return the article's social card URL (plugins/social_cards), else its `Image:`, else None."""
    card_path = getattr(getattr(article, "social_card", None), "path", "")
    if card_path:
        return absolute(settings, card_path)
    value = article.metadata.get("image")
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if _INTRASITE.match(value):
        # Pelican's own resolver for {static}/{attach}/{filename} links, as used for summaries.
        resolved = article._update_content(f'<img src="{value}">', settings.base_url)
        value = resolved[len('<img src="'):-len('">')]
    elif value.startswith("/"):
        value = absolute(settings, value)
    return absolute_url(value, page_url)


def image_for(url: str | None, settings: FeedsSettings, output_path: Path) -> Image | None:
    """Describe an image URL; its size is read from the output when the file is ours."""
    if not url:
        return None
    path = urlsplit(url).path
    mime = mimetypes.guess_type(path)[0] or "image/png"
    length = 0  # the RSS Best Practices Profile's value for a size that cannot be known
    prefix = settings.base_url + "/"
    if url.startswith(prefix):
        with suppress(OSError, ValueError):  # not in the output (or no file name): unknown
            found = os.stat(os.path.join(output_path, unquote(urlsplit(url[len(prefix):]).path)))
            length = found.st_size if stat.S_ISREG(found.st_mode) else 0
    return Image(xml_safe(url), mime, length)


def _term(wrapper: Any, settings: FeedsSettings) -> Term:
    return Term(xml_safe(str(wrapper.name)), absolute(settings, wrapper.url))


def _authors(article: Any, settings: FeedsSettings) -> tuple[Person, ...]:
    authors = getattr(article, "authors", None) or []
    people = tuple(Person(xml_safe(str(a.name)), absolute(settings, a.url)) for a in authors)
    if people or not settings.author:
        return people
    return (Person(xml_safe(settings.author), settings.base_url + "/"),)


def build_item(article: Any, settings: FeedsSettings, output_path: Path, tz: tzinfo) -> FeedItem:
    """Turn a Pelican article into a FeedItem."""
    url = absolute(settings, article.url)
    content = absolutize_html(html_once(article, settings.base_url), url)
    published = aware(article.date, tz).replace(microsecond=0)
    modified = getattr(article, "modified", None)
    updated = (aware(modified, tz).replace(microsecond=0) if isinstance(modified, datetime)
               else published)
    category = getattr(article, "category", None)
    return FeedItem(
        id=url,
        url=url,
        title=xml_safe(str(article.title)),
        content_html=xml_safe(content),
        summary=html_to_text(article.summary or ""),
        authors=_authors(article, settings),
        category=_term(category, settings) if category else None,
        tags=tuple(_term(tag, settings) for tag in getattr(article, "tags", None) or []),
        published=published,
        updated=max(updated, published),
        image=image_for(_image_url(article, settings, url), settings, output_path),
        language=str(getattr(article, "lang", "") or settings.language),
    )
