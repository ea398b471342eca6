"""Fetching the article's card image for a network that uploads it (Bluesky, LinkedIn).

The fetch is the same everywhere: GET (following redirects), a 200 with an ``image/*`` type, and
no more bytes than the network takes. What a failure means differs, so each adapter decides:
Bluesky retries a bad answer and posts a too-big image's card without a picture; LinkedIn posts
without a thumbnail either way.
"""

from __future__ import annotations

from dataclasses import dataclass

from self_promoting_blog.promote.http import HttpClient


@dataclass(frozen=True)
class CardImage:
    """The image's bytes and media type (``image/png``), ready to upload."""

    content: bytes
    kind: str


class CardImageUnusable(Exception):
    """The card image cannot be attached; str() says why."""


class CardImageTooBig(CardImageUnusable):
    """The image answered fine but is over the network's size limit."""

    def __init__(self, url: str, size: int, max_bytes: int) -> None:
        self.url = url
        self.size = size
        super().__init__(f"the card image {url} is {size:,} bytes, over the {max_bytes:,}-byte "
                         "limit")


def fetch_card_image(client: HttpClient, url: str, max_bytes: int) -> CardImage:
    """The image at `url`; raise CardImageUnusable when it cannot be used (NetworkError when the
    request itself fails)."""
    image = client.request("GET", url, allow_redirects=True)
    kind = image.headers.get("Content-Type", "").split(";")[0].strip()
    if image.status_code != 200 or not kind.startswith("image/"):
        raise CardImageUnusable(f"the card image {url} answered {image.status_code} "
                                f"{kind or 'without a type'}")
    if len(image.content) > max_bytes:
        raise CardImageTooBig(url, len(image.content), max_bytes)
    return CardImage(image.content, kind)
