"""Recognising an article, and one of its posts (its slot), among a network's posts.

Every post of an article links it with the same tracking query but for ``utm_content``: none on
the announcement, the slot's name on any other post (``followup-1``, ``evergreen-…``). So the
link tells the announcement and each follow-up apart, and recovery after a crash never takes the
announcement for a follow-up. With ``PROMOTE_UTM = False`` every post links the bare article:
then a slot other than the announcement is told by its text (without its links) instead, and
the announcement, whose text an evergreen re-share may repeat, by not being a post the ledger
already holds for another row (``Message.taken``).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

from self_promoting_blog.promote.adapters.base import URL_RE, Message
from self_promoting_blog.promote.rows import ANNOUNCE


def same_article(found: str, article_url: str) -> bool:
    """True when URL `found` is the article (host and path equal; query and fragment ignored)."""
    a, b = urlsplit(found.strip()), urlsplit(article_url)
    return bool(a.netloc) and (a.netloc.lower(), a.path.rstrip("/")) == \
        (b.netloc.lower(), b.path.rstrip("/"))


def mentions_article(text: str, article_url: str) -> bool:
    """True when any URL written in `text` is the article."""
    return any(same_article(m.group(), article_url) for m in URL_RE.finditer(text or ""))


def _content(url: str) -> str | None:
    """The ``utm_content`` of `url` (which of an article's posts links it), None without one."""
    values = parse_qs(urlsplit(html.unescape(url.strip())).query).get("utm_content")
    return values[-1] if values else None


def _words(text: str) -> list[str]:
    """`text` without its links, as words (HTML entities read: X and Mastodon escape `&`)."""
    return URL_RE.sub(" ", html.unescape(text or "")).split()


def is_slot_post(message: Message, post_id: str, urls: Iterable[str], text: str = "") -> bool:
    """True when post `post_id`, linking `urls` with `text`, is `message`'s own post (its slot).

    Never a post the ledger holds for another row. Then the link decides: the article's URL with
    the slot's ``utm_content`` (none: the announcement). A follow-up or evergreen post whose link
    carries no ``utm_content`` (UTM tags off) is told by its words instead, the links left out
    (networks rewrite them, e.g. to t.co).
    """
    if post_id in message.taken:
        return False
    mine = [url for url in urls if same_article(url, message.article_url)]
    ours = _content(message.link)
    if ours is not None or message.slot == ANNOUNCE:
        return any(_content(url) == ours for url in mine)
    return bool(mine) and _words(text) == _words(message.text)


def links_in(text: str) -> list[str]:
    """The URLs written out in `text`."""
    return [m.group() for m in URL_RE.finditer(text or "")]
