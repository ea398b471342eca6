"""Where each article was announced, read from the ledger for the next build's "Also on:" links.

Links are keyed by URL path, so a development build (relative URLs) shows the same links as the
production build. Only posts readers can open are listed (a Discord message link is not).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from self_promoting_blog.promote.errors import PromoteError
from self_promoting_blog.promote.ledger import open_ledger
from self_promoting_blog.promote.networks import adapter_class, known_networks
from self_promoting_blog.promote.rows import ANNOUNCE
from self_promoting_blog.promote.settings import PromoteSettings

log = logging.getLogger("promote")


def url_path(url: str) -> str:
    """The path of an absolute or relative URL, with a leading slash."""
    return "/" + urlsplit(url).path.lstrip("/")


def syndication_links(settings: PromoteSettings) -> dict[str, list[tuple[str, str]]]:
    """{article URL path: [(network label, post URL), …]} from posted and moved announcements
    (follow-ups are not listed)."""
    try:
        ledger = open_ledger(settings.ledger, settings.ledger_path, settings.pelican,
                             read_only=True)
        try:
            rows = ledger.rows()
        finally:
            ledger.close()
    except PromoteError as exc:
        log.warning("promote: syndication links left out: %s", exc)
        return {}
    known = set(known_networks())
    adapters = {name: adapter_class(name) for name in {row.network for row in rows} & known}
    links: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        post_url = row.post_url or ""
        if row.state not in ("posted", "moved") or row.network not in adapters or \
                row.slot != ANNOUNCE or \
                not post_url.startswith(("https://", "http://")):
            continue
        cls = adapters[row.network]
        if cls.public_posts:
            links.setdefault(url_path(row.url), []).append((cls.label, post_url))
    for found in links.values():
        found.sort()
    return links
