"""AT Protocol details Bluesky needs: record keys (TIDs) and rich-text facets, both ways.

TID (https://atproto.com/specs/tid): 64 bits = 0 · 53-bit microseconds since the epoch · 10-bit
clock id, written as 13 characters of base32-sortable. Facets mark links and hashtags with UTF-8
byte offsets into the post text (start inclusive, end exclusive); a link facet's text need not be
its URI, so the text shows a short display form and the facet holds the full URL.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any
from urllib.parse import quote

import regex

from self_promoting_blog.promote.adapters.base import URL_RE, LinkSpan
from self_promoting_blog.promote.adapters.plain_text import linked_html

_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_RE = regex.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_CLOCK_ID = random.getrandbits(10)
_last = 0
_lock = threading.Lock()
# A hashtag: '#' after a start or space, not all digits, up to the next space; trailing
# punctuation is not part of it (as in Bluesky's own app).
_TAG_RE = regex.compile(r"(?:^|(?<=\s))#([^\s#\p{Cc}]+)")
_TRAILING = regex.compile(r"\p{P}+$")
PROFILE = "https://bsky.app/profile/"


def new_tid(now_us: int | None = None) -> str:
    """A fresh TID, strictly increasing within this process."""
    global _last
    with _lock:
        micros = max(now_us if now_us is not None else time.time_ns() // 1000, _last + 1)
        _last = micros
    value = (micros << 10) | _CLOCK_ID
    chars = []
    for _ in range(13):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def _byte_span(text: str, start: int, end: int) -> dict[str, int]:
    prefix = len(text[:start].encode("utf-8"))
    return {"byteStart": prefix, "byteEnd": prefix + len(text[start:end].encode("utf-8"))}


def facets(text: str, links: tuple[LinkSpan, ...] = ()) -> list[dict[str, Any]]:
    """Link and hashtag facets for `text`, in order, never overlapping.

    The article's `links` are the composer's spans (their text a display form, their target the
    full URL); any other URL written out in full links to itself.
    """
    found: list[tuple[int, int, dict[str, Any]]] = [
        (span.start, span.end, {"$type": "app.bsky.richtext.facet#link", "uri": span.target})
        for span in links]

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e, _ in found)

    for match in URL_RE.finditer(text):
        if free(match.start(), match.end()):
            found.append((match.start(), match.end(),
                          {"$type": "app.bsky.richtext.facet#link", "uri": match.group()}))
    for match in _TAG_RE.finditer(text):
        tag = _TRAILING.sub("", match.group(1))
        start, end = match.start(1) - 1, match.start(1) + len(tag)
        if tag and not tag.isdigit() and len(tag) <= 64 and free(start, end):
            found.append((start, end, {"$type": "app.bsky.richtext.facet#tag", "tag": tag}))
    return [{"index": _byte_span(text, start, end), "features": [feature]}
            for start, end, feature in sorted(found, key=lambda f: f[0])]


def _facet_target(features: Any) -> str | None:
    """Where a facet links: a link's URI, a mention's profile, a hashtag's page (on bsky.app)."""
    for feature in features if isinstance(features, list) else []:
        kind = str((feature or {}).get("$type") or "")
        if kind == "app.bsky.richtext.facet#link" and feature.get("uri"):
            return str(feature["uri"])
        if kind == "app.bsky.richtext.facet#mention" and feature.get("did"):
            return PROFILE + quote(str(feature["did"]), safe=":")
        if kind == "app.bsky.richtext.facet#tag" and feature.get("tag"):
            return "https://bsky.app/hashtag/" + quote(str(feature["tag"]), safe="")
    return None


def facet_html(text: str, facets: Any) -> str:
    """A post's text as HTML, each link, mention and hashtag facet a link to its target; a facet
    out of range, off a character boundary or overlapping another stays plain text (the app
    shows such a post's text as it is)."""
    data = text.encode("utf-8")
    spans: list[tuple[int, int, str]] = []
    for facet in facets if isinstance(facets, list) else []:
        index = (facet or {}).get("index") or {}
        start, end = index.get("byteStart"), index.get("byteEnd")
        target = _facet_target((facet or {}).get("features"))
        if isinstance(start, int) and isinstance(end, int) and target and \
                0 <= start < end <= len(data):
            try:  # byte offsets to character offsets; a cut character fails to decode
                spans.append((len(data[:start].decode("utf-8")), len(data[:end].decode("utf-8")),
                              target))
            except UnicodeDecodeError:
                continue
    return linked_html(text, spans)
