"""The composer: one text per network, within its limit, counted the way that network counts.

A message is a list of segments: template literals, writer text (title, summary, category or the
article's own ``Social:`` text), the link and the hashtags. When the text is too long, the summary
is cut first, then hashtags are dropped from the end, then the title (or Social text) is cut; a cut
ends at a word (or a grapheme, for scripts without spaces) followed by an ellipsis. The link is
never cut: it carries ``utm_source=<network>&utm_medium=social&utm_campaign=<slug>``. Where a
network lets link text differ from its target, the text shows the adapter's ``link_text`` (a short
display form) and the message's ``links`` say which span links to the full URL.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import regex

from self_promoting_blog.promote.adapters.base import (
    Card,
    Limits,
    LinkSpan,
    Message,
    NetworkAdapter,
)
from self_promoting_blog.promote.errors import ComposeError
from self_promoting_blog.promote.manifest import Entry
from self_promoting_blog.promote.rows import ANNOUNCE

ELLIPSIS = "…"
# Cut these first, then drop hashtags, then these.
_CUT_FIRST = ("summary",)
_CUT_LAST = ("social", "title", "category")


@dataclass
class Segment:
    """A piece of the message: `kind` is "literal", a field name, "social" or "url"."""

    kind: str
    text: str


def tagged_url(url: str, network: str, slug: str, utm: bool = True,
               content: str | None = None) -> str:
    """The article URL with UTM parameters for `network` (existing query kept); `content`
    (``utm_content``) tells a follow-up from the announcement."""
    if not utm:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")]
    query += [("utm_source", network), ("utm_medium", "social"), ("utm_campaign", slug)]
    query += [("utm_content", content)] if content else []
    return urlunsplit(parts._replace(query=urlencode(query)))


def camel_hashtag(tag: str) -> str:
    """"content marketing" -> "ContentMarketing"; keeps inner capitals ("SEO", "iPhone")."""
    words = [w for w in regex.split(r"[^\p{L}\p{N}]+", tag) if w]
    return "".join(w[0].upper() + w[1:] for w in words)


def hashtags_for(entry: Entry) -> list[str]:
    """The article's hashtags: `Hashtags:` if set, else its tags; CamelCased, deduplicated."""
    seen: set[str] = set()
    tags: list[str] = []
    for raw in entry.hashtags if entry.hashtags is not None else entry.tags:
        tag = camel_hashtag(raw)
        if tag and not tag.isdigit() and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append("#" + tag)
    return tags


def _split_placeholders(text: str, escape: Callable[[str], str]) -> list[Segment]:
    """A writer's Social text: literal except for {url} and {hashtags}."""
    segments: list[Segment] = []
    for piece in re.split(r"(\{url\}|\{hashtags\})", text):
        if piece in ("{url}", "{hashtags}"):
            segments.append(Segment(piece[1:-1], ""))
        elif piece:
            segments.append(Segment("social", escape(piece)))
    if not any(s.kind == "url" for s in segments):
        segments += [Segment("literal", "\n\n"), Segment("url", "")]
    return segments


def segments_for(entry: Entry, adapter: type[NetworkAdapter], template: str) -> list[Segment]:
    """Lay out the message for one network before any cutting."""
    social = entry.social_by_network.get(adapter.name) or entry.social
    if social:
        segments = _split_placeholders(social, adapter.escape)
        if entry.hashtags is not None and not any(s.kind == "hashtags" for s in segments):
            segments += [Segment("literal", "\n\n"), Segment("hashtags", "")]
    else:
        segments = []
        for literal, name, _spec, _conv in string.Formatter().parse(template):
            if literal:
                segments.append(Segment("literal", literal.replace("{{", "{").replace("}}", "}")))
            if name:
                segments.append(Segment(name, ""))
    values = {"title": entry.title, "summary": entry.summary, "category": entry.category}
    for segment in segments:
        if segment.kind in values:
            segment.text = adapter.escape(values[segment.kind])
    return segments


def _marker(used: str) -> str:
    """A private-use character absent from `used`, to mark where the links go."""
    return next(c for c in map(chr, range(0xE000, 0xF900)) if c not in used)


def render(segments: list[Segment], shown: str, link: str,
           hashtags: list[str]) -> tuple[str, tuple[LinkSpan, ...]]:
    """Join the segments (the link as `shown`) and say where each link sits in the text.

    Blank lines left by empty parts collapse; the links are marked through that clean-up, since
    a span's offsets must be those of the final text.
    """
    mark = _marker("".join([shown, *hashtags, *(segment.text for segment in segments)]))
    out = []
    for segment in segments:
        if segment.kind == "url":
            out.append(mark + shown + mark)
        elif segment.kind == "hashtags":
            out.append(" ".join(hashtags))
        else:
            out.append(segment.text)
    text = "\n".join(line.rstrip() for line in "".join(out).split("\n"))
    pieces = re.sub(r"\n{3,}", "\n\n", text).strip().split(mark)
    spans, start = [], 0
    for index, piece in enumerate(pieces):
        if index % 2:
            spans.append(LinkSpan(start, start + len(piece), link))
        start += len(piece)
    return "".join(pieces), tuple(spans)


_SPACELESS = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")


def _longest(units: list[str], segment: Segment, fits: Callable[[], bool]) -> int:
    """The largest k < len(units) for which units[:k] + ellipsis fits (0 if none)."""
    low, high = 0, len(units) - 1
    while low < high:
        mid = (low + high + 1) // 2
        segment.text = "".join(units[:mid]).rstrip() + ELLIPSIS
        low, high = (mid, high) if fits() else (low, mid - 1)
    return low


def _cut_points(text: str) -> list[str]:
    """The pieces a cut may fall between: words, and the graphemes of scripts without spaces.

    Chinese, Japanese or Thai runs are one "word" to a space splitter, so cutting only at
    spaces would drop a whole sentence of them; one giant word is cut between graphemes too.
    """
    words = regex.findall(r"\S+\s*", text)
    if len(words) <= 1:
        return regex.findall(r"\X", text)
    return [unit for word in words
            for unit in (regex.findall(r"\X", word) if _SPACELESS.search(word) else [word])]


def _cut(segment: Segment, fits: Callable[[], bool]) -> None:
    """Shorten a segment to the longest prefix ending at a cut point, plus an ellipsis, that fits.

    A segment of which not even one piece fits is dropped.
    """
    units = _cut_points(segment.text)
    keep = _longest(units, segment, fits)
    segment.text = "".join(units[:keep]).rstrip() + ELLIPSIS if keep else ""


def compose(entry: Entry, adapter: type[NetworkAdapter], template: str,
            utm: bool = True, limits: Limits | None = None, slot: str = ANNOUNCE) -> Message:
    """Compose the announcement (or another `slot`'s post) of `entry` for `adapter`'s network,
    within its limit.

    `limits` are the server's own (``adapter.limits()``); without them, the network's defaults.
    """
    limits = limits or adapter.default_limits()
    link = tagged_url(entry.url, adapter.name, entry.slug, utm,
                      None if slot == ANNOUNCE else slot)
    shown = adapter.link_text(link)
    segments = segments_for(entry, adapter, template)
    hashtags = hashtags_for(entry)

    def fits() -> bool:
        return adapter.fits(render(segments, shown, link, hashtags)[0], limits)

    uncut = fits()

    for kind in _CUT_FIRST:
        for segment in (s for s in segments if s.kind == kind and s.text):
            if not fits():
                _cut(segment, fits)
    while hashtags and not fits():
        hashtags.pop()
    for kind in _CUT_LAST:
        for segment in (s for s in segments if s.kind == kind and s.text):
            if not fits():
                _cut(segment, fits)
    text, links = render(segments, shown, link, hashtags)
    if not adapter.fits(text, limits):
        raise ComposeError(f"promote: {entry.source}: the link alone is longer than "
                           f"{adapter.label}'s limit of {limits.characters}; shorten the URL.")
    card = Card(url=link, title=entry.title, description=entry.summary, image_url=entry.image)
    return Message(text=text, link=link, card=card, length=adapter.text_length(text, limits),
                   limit=limits.characters, article_url=entry.url,
                   hashtags=tuple(h for h in hashtags if h in text), links=links, slot=slot,
                   cut=not uncut)


def compose_follow_up(entry: Entry, text: str, slot: str, adapter: type[NetworkAdapter],
                      utm: bool = True, limits: Limits | None = None) -> list[Message]:
    """A follow-up: the writer's `text` and the link tagged ``utm_content=<slot>``.

    Too long for the network: where it has threads (``adapter.threads``), the parts of a thread,
    split at words, the first with the link, each within the limit; elsewhere one post cut at a
    word, like an announcement.
    """
    limits = limits or adapter.default_limits()
    source = replace(entry, social=text, social_by_network={})
    whole = compose(source, adapter, "{url}", utm, limits, slot)
    words = text.split()
    if not whole.cut or not adapter.threads or len(words) < 2:
        return [whole]

    def first_fits(count: int) -> bool:
        return not compose(replace(source, social=" ".join(words[:count])), adapter, "{url}",
                           utm, limits, slot).cut

    def chunk_fits(chunk: list[str]) -> Callable[[int], bool]:
        return lambda n: adapter.fits(adapter.escape(" ".join(chunk[:n])), limits)

    count = _most(len(words), first_fits)
    if count == 0:
        return [whole]
    parts = [compose(replace(source, social=" ".join(words[:count])), adapter, "{url}", utm,
                     limits, slot)]
    rest = words[count:]
    while rest:
        size = _most(len(rest), chunk_fits(rest))
        if size == 0:
            return [whole]  # a single word longer than the limit: one post, cut
        chunk = adapter.escape(" ".join(rest[:size]))
        parts.append(thread_part(parts[0], chunk, f"{slot}.{len(parts) + 1}", None, adapter,
                                 limits))
        rest = rest[size:]
    return parts


def with_text(message: Message, text: str, adapter: type[NetworkAdapter],
              limits: Limits) -> Message:
    """`message` saying `text` instead (what an earlier try of its row saved, whatever the
    article says by now): its link where the text shows it, the hashtags the text has."""
    shown = adapter.link_text(message.link)
    at = text.find(shown)
    return replace(message, text=text, length=adapter.text_length(text, limits),
                   links=(LinkSpan(at, at + len(shown), message.link),) if at >= 0 else (),
                   hashtags=tuple(tag for tag in message.hashtags if tag in text))


def thread_part(first: Message, text: str, slot: str, reply_to: str | None,
                adapter: type[NetworkAdapter], limits: Limits) -> Message:
    """A thread's part after the first (`slot`, e.g. ``followup-1.2``): a plain reply saying
    `text` to the post `reply_to`."""
    return replace(first, text=text, length=adapter.text_length(text, limits), links=(),
                   hashtags=(), slot=slot, cut=False, reply_to=reply_to)


def compose_evergreen(entry: Entry, text: str | None, slot: str, adapter: type[NetworkAdapter],
                      template: str, utm: bool = True, limits: Limits | None = None) -> Message:
    """An evergreen re-share: one post (never a thread), the writer's follow-up `text` or, with
    none, the announcement's own, and the link tagged ``utm_content=<slot>``."""
    if text is None:
        return compose(entry, adapter, template, utm, limits, slot)
    return compose(replace(entry, social=text, social_by_network={}), adapter, "{url}", utm,
                   limits, slot)


def _most(count: int, fits: Callable[[int], bool]) -> int:
    """The largest n <= count for which fits(n) (fits is monotone), 0 if none."""
    low, high = 0, count
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if fits(mid) else (low, mid - 1)
    return low
