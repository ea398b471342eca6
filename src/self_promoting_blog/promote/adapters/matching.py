"""Recognising an article among a network's posts, whatever tracking query its links carry."""

from __future__ import annotations

from urllib.parse import urlsplit

from self_promoting_blog.promote.adapters.base import URL_RE


def same_article(found: str, article_url: str) -> bool:
    """True when URL `found` is the article (host and path equal; query and fragment ignored)."""
    a, b = urlsplit(found.strip()), urlsplit(article_url)
    return bool(a.netloc) and (a.netloc.lower(), a.path.rstrip("/")) == \
        (b.netloc.lower(), b.path.rstrip("/"))


def mentions_article(text: str, article_url: str) -> bool:
    """True when any URL written in `text` is the article."""
    return any(same_article(m.group(), article_url) for m in URL_RE.finditer(text or ""))
