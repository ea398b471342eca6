"""share_links: share links for every article, from the one intent table in intents.py.

Sets ``article.share_links`` (a ``links.ShareLinks``: iterate it for ShareLink entries; ``.url``
is the canonical URL and ``.title`` the title) on published, hidden and draft articles and their
translations. theme/templates/partials/share.html renders it; static/js/share.js enhances it.
"""

from __future__ import annotations

from typing import Any

from pelican import signals

from self_promoting_blog.generator_lists import every_article
from share_links.links import ShareLinks
from share_links.settings import load_settings


def attach_share_links(generator: Any) -> None:
    """Give each article its (lazily built) share links."""
    settings = load_settings(generator.settings)
    for article in every_article(generator):
        article.share_links = ShareLinks(article, settings)


def register() -> None:
    """Connect the receiver (module level, since Pelican holds receivers weakly)."""
    signals.article_generator_finalized.connect(attach_share_links)
