"""The replies shown under each article at the next build, read from the ledger's store.

Keyed by URL path, as the "Also on" links are, so development and production builds show the
same. Every reply's HTML is somebody else's: it is sanitized here, at build time (so a sanitizer
upgrade applies to replies fetched long ago), by nh3 (the Ammonia sanitizer) down to paragraphs,
line breaks and links; a link keeps only an http(s) address and gets ``rel="ugc nofollow
noopener"``; no script, style, iframe, image, event handler or ``javascript:`` URL survives. The
owner's hide file (RESPONSES_HIDDEN_FILE) leaves out replies and authors. Nothing is fetched: a
build without network access shows what `invoke stats` stored last.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import NamedTuple

import nh3
from markupsafe import Markup

from self_promoting_blog.promote.networks import adapter_class, known_networks
from self_promoting_blog.promote.responses import Response
from self_promoting_blog.promote.responses_sqlite import open_responses
from self_promoting_blog.promote.settings import PromoteSettings
from self_promoting_blog.promote.stored import read_or_warn
from self_promoting_blog.promote.syndication import counts_text, url_path

log = logging.getLogger("promote")
REL = "ugc nofollow noopener"
# An <a> nh3 left without an href: it writes the attributes it keeps in order, href first.
_NO_HREF = re.compile(r'<a rel="[^"]*">(.*?)</a>', re.S)


class Shown(NamedTuple):
    """One reply as the theme shows it; every text is plain (escaped by the template) but
    `html`, which is sanitized."""

    network: str          # the network's label
    url: str              # the reply on its network
    author_name: str
    author_handle: str
    author_url: str
    published: str        # ISO 8601
    published_text: str   # "2 June 2024"
    edited: bool
    html: Markup
    counts: str           # "3 likes, 1 repost" ("" for none)


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(tags={"p", "br", "a", "span"}, attributes={"a": {"href"}},
                       link_rel=REL, url_schemes={"http", "https"}, url_relative="deny",
                       clean_content_tags={"script", "style"})


def sanitize(content: str) -> Markup:
    """Somebody else's HTML, made safe to put in our page; a link whose address was dropped
    (javascript:, relative) becomes its text, so no link on the page leads nowhere."""
    return Markup(_NO_HREF.sub(r"\1", _cleaner().clean(content)))


def web_url(url: str) -> str:
    """`url` when it is an http(s) address, else "" (never a javascript: or data: link)."""
    return url if url.lower().startswith(("http://", "https://")) else ""


def _day(iso: str) -> str:
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return ""
    return f"{when.day} {when:%B %Y}"


def read_hidden(path: Path) -> frozenset[str]:
    """The hide file's entries (reply URLs, handles, profile URLs), lower-cased, without a
    handle's leading @; none when there is no file. A line starting with # is a comment, and
    so is the rest of a line after " #"."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return frozenset()
    entries = (line.split(" #", 1)[0].strip() for line in text.splitlines()
               if line.strip() and not line.lstrip().startswith("#"))
    return frozenset(entry.lower().lstrip("@").rstrip("/") for entry in entries)


def hidden(response: Response, entries: frozenset[str]) -> bool:
    """The owner hid this reply, or its author."""
    reply = response.reply
    return any(value.lower().lstrip("@").rstrip("/") in entries
               for value in (reply.url, reply.author_handle, reply.author_url) if value)


def shown(response: Response, label: str) -> Shown:
    """One stored reply as the theme shows it, on the network called `label`."""
    reply = response.reply
    return Shown(label, web_url(reply.url), reply.author_name, reply.author_handle,
                 web_url(reply.author_url), reply.published, _day(reply.published),
                 bool(reply.edited), sanitize(reply.content), counts_text(reply))


def responses_by_article(settings: PromoteSettings, hide_file: Path) -> dict[str, list[Shown]]:
    """{article URL path: its replies, oldest first}, from the ledger's store (none when it
    cannot be read: the build goes on and says why)."""
    stored: list[Response] = read_or_warn("responses", lambda: open_responses(
        settings.ledger, settings.ledger_path, settings.pelican, read_only=True),
        lambda store: store.responses(), [])
    entries = read_hidden(hide_file)
    labels = {name: adapter_class(name).label
              for name in {r.network for r in stored} & set(known_networks())}
    found: dict[str, list[Response]] = {}
    for response in stored:
        if response.network in labels and not hidden(response, entries):
            found.setdefault(url_path(response.article), []).append(response)
    return {path: [shown(r, labels[r.network])
                   for r in sorted(replies, key=lambda r: r.reply.published)]
            for path, replies in found.items()}
