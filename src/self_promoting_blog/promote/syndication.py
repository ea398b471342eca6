"""Where each article was announced, and what each post earned, read from the ledger's store for
the next build's "Also on:" links.

Links are keyed by URL path, so a development build (relative URLs) shows the same links as the
production build. Only posts readers can open are listed (a Discord message link is not), and
not one its network reported deleted. Each link carries the counts of the latest `invoke stats`
("3 likes, 1 repost"; "" before any).
"""

from __future__ import annotations

import logging
from typing import NamedTuple
from urllib.parse import urlsplit

from self_promoting_blog.promote.ledger import open_ledger
from self_promoting_blog.promote.networks import adapter_class, known_networks
from self_promoting_blog.promote.replies import PublicReply
from self_promoting_blog.promote.rows import ANNOUNCE, Row
from self_promoting_blog.promote.samples import Latest, Sample
from self_promoting_blog.promote.samples_sqlite import open_samples
from self_promoting_blog.promote.settings import PromoteSettings
from self_promoting_blog.promote.stored import read_or_warn

log = logging.getLogger("promote")
# Each kind, in the words a reader sees: (field, one, many).
WORDS = (("likes", "like", "likes"), ("reposts", "repost", "reposts"),
         ("replies", "reply", "replies"), ("quotes", "quote", "quotes"))


class Syndicated(NamedTuple):
    """One "Also on" link: the network's label, the post's URL, and what it earned."""

    label: str
    post_url: str
    counts: str


def url_path(url: str) -> str:
    """The path of an absolute or relative URL, with a leading slash."""
    return "/" + urlsplit(url).path.lstrip("/")


def counts_text(sample: Sample | PublicReply | None) -> str:
    """"3 likes, 1 repost": the kinds a post earned any of ("" for none, or before any fetch)."""
    if sample is None:
        return ""
    found = [(getattr(sample, field, None) or 0, one, many) for field, one, many in WORDS]
    return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in found if n)


def _read(settings: PromoteSettings) -> tuple[list[Row], Latest]:
    """The ledger's rows and the latest sample of each post (none when they cannot be read)."""
    where = (settings.ledger, settings.ledger_path, settings.pelican)
    rows: list[Row] = read_or_warn("syndication links",
                                   lambda: open_ledger(*where, read_only=True),
                                   lambda ledger: ledger.rows(), [])
    if not rows:  # no posts, no counts to read
        return [], {}
    return rows, read_or_warn("the syndication links' counts",
                              lambda: open_samples(*where, read_only=True),
                              lambda store: store.latest(), {})


def syndication_links(settings: PromoteSettings) -> dict[str, list[Syndicated]]:
    """{article URL path: [(network label, post URL, counts), …]} from posted and moved
    announcements (follow-ups are not listed)."""
    rows, latest = _read(settings)
    known = set(known_networks())
    adapters = {name: adapter_class(name) for name in {row.network for row in rows} & known}
    links: dict[str, list[Syndicated]] = {}
    for row in rows:
        post_url = row.post_url or ""
        if row.state not in ("posted", "moved") or row.network not in adapters or \
                row.slot != ANNOUNCE or \
                not post_url.startswith(("https://", "http://")):
            continue
        sample = latest.get((row.url, row.network, row.account))
        cls = adapters[row.network]
        if cls.public_posts and not (sample and sample.gone):
            links.setdefault(url_path(row.url), []).append(
                Syndicated(cls.label, post_url, counts_text(sample)))
    for found in links.values():
        found.sort()
    return links
