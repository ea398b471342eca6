"""The short display form of a link, as Bluesky's own app writes it into a post's text.

Bluesky's app (bluesky-social/social-app, ``toShortUrl`` in ``src/lib/strings/url-helpers.ts``,
applied to every link facet by ``shortenLinks`` in ``rich-text-manip.ts``) shows host, then path,
query and fragment; when those are longer than 15 characters it keeps their first 13 and adds
``...`` (three full stops, not "…"). The facet under it keeps the full URL. The app reads the parts
from a WHATWG ``URL``, so the host is lower-case and punycode, a default port is dropped, and
non-ASCII characters in the rest are percent-encoded: done the same here, so lengths (JavaScript
UTF-16 units there) are plain ASCII characters on both sides.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

_DEFAULT_PORTS = {"http": ":80", "https": ":443"}
_ASCII = "".join(map(chr, range(0x21, 0x7F)))  # kept as they are; everything else is encoded
PATH_KEPT = 15
PATH_CUT = 13
MORE = "..."


def _host(netloc: str, scheme: str) -> str:
    host = netloc.rpartition("@")[2].lower().removesuffix(_DEFAULT_PORTS[scheme])
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def display_url(url: str) -> str:
    """``https://blog.example/articles/why-reach/?utm_source=x`` → ``blog.example/articles/why...``.

    Anything but an http(s) URL is returned unchanged, as the app does.
    """
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS or not parts.netloc:
        return url
    rest = "" if parts.path == "/" else parts.path
    rest += f"?{parts.query}" if parts.query else ""
    rest += f"#{parts.fragment}" if parts.fragment else ""
    rest = quote(rest, safe=_ASCII)
    if len(rest) > PATH_KEPT:
        rest = rest[:PATH_CUT] + MORE
    return _host(parts.netloc, parts.scheme) + rest
