"""The preview image of a page: its own raster `Image:`, else its social card, else a default."""

from __future__ import annotations

import mimetypes
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

from social_meta.urls import absolute, is_absolute

# What Facebook, X, LinkedIn, Bluesky and Mastodon render as a link preview. Not SVG.
RASTER_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
_LINK_PREFIX_RE = re.compile(r"^(\{static\}|\{attach\}|\|static\||\|attach\|)")


@dataclass(frozen=True)
class ImageMeta:
    url: str
    alt: str
    width: int | None = None
    height: int | None = None
    type: str | None = None


def image_type(path: str) -> str | None:
    return mimetypes.guess_type(path.split("?", 1)[0])[0]


def shows_in_previews(path: str) -> bool:
    """False for a file type networks cannot show (SVG); unknown types (CDN URLs) get the doubt."""
    kind = image_type(path)
    return kind is None or kind in RASTER_TYPES


def _static_lookup(value: str, content: Any, context: Mapping[str, Any]) -> Any | None:
    """The Static object for an `Image:` path, read the way Pelican reads {static} links."""
    path = _LINK_PREFIX_RE.sub("", value)
    statics = context.get("static_content", {})
    if path.startswith("/"):
        candidates = [path[1:]]
    else:  # relative to the article's folder, then (a common slip) to the content folder
        candidates = [posixpath.normpath(posixpath.join(content.relative_dir, path)), path]
    return next((statics[c] for c in candidates if statics.get(c) is not None), None)


def _size(source_path: str) -> tuple[int | None, int | None]:
    try:
        with Image.open(source_path) as picture:
            return picture.size
    except (OSError, UnidentifiedImageError):
        return None, None


def _int(value: Any) -> int | None:
    return int(value) if str(value or "").strip().isdigit() else None


def own_image(content: Any, context: Mapping[str, Any], site_url: str
              ) -> tuple[ImageMeta | None, str | None]:
    """The article's raster `Image:` as ImageMeta, or (None, the problem and its fix)."""
    value = str(content.metadata.get("image") or "").strip()
    alt = str(content.metadata.get("image_alt") or "").strip()
    meta = content.metadata
    if is_absolute(value):
        if not value.startswith(("https://", "http://")):
            return None, (f"Image {value!r} is not an http(s) URL; use https://... or a file "
                          f"in content/")
        return ImageMeta(value, alt, _int(meta.get("image_width")), _int(meta.get("image_height")),
                         image_type(value)), None
    static = _static_lookup(value, content, context)
    if static is None:
        return None, (f"Image {value!r} is not a file Pelican copies (STATIC_PATHS); put it in "
                      f"content/images/ and write 'Image: {{static}}/images/<file>', or remove the "
                      f"line to use the generated social card")
    width, height = _size(static.source_path)
    return ImageMeta(absolute(site_url, static.url), alt, width, height, image_type(value)), None


def card_image(card: Any, site_url: str) -> ImageMeta:
    """ImageMeta for a card planned by social_cards (duck-typed: path, alt, width, height, type)."""
    return ImageMeta(absolute(site_url, card.url), card.alt, card.width, card.height, card.type)


def default_image(value: str, alt: str, site_url: str) -> ImageMeta | None:
    if not value:
        return None
    return ImageMeta(absolute(site_url, value), alt, type=image_type(value))
