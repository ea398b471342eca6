"""A public reply to one of our posts: kept in the responses store and shown by the build.

Its own module, apart from the adapters that fetch it, so the build reads and shows replies
without importing the adapters' HTTP client.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PublicReply:
    """A public reply to one of our posts, as its network gives it.

    `content` is the network's HTML (Bluesky's text: escaped, its links, mentions and hashtags
    made links), not yet sanitized: the build sanitizes it, so a sanitizer upgrade applies to
    every reply already stored. Times are ISO 8601.
    """

    reply_id: str
    url: str
    author_name: str
    author_handle: str
    author_url: str
    published: str
    content: str
    edited: str | None = None
    likes: int | None = None
    reposts: int | None = None
