"""Absolute URLs: production pages carry https://site/... everywhere a network reads a URL."""

from __future__ import annotations

import re

_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def is_absolute(url: str) -> bool:
    """True for anything with a scheme (https:, mailto:, data:) or a scheme-relative //host."""
    return bool(_SCHEME_RE.match(url)) or url.startswith("//")


def absolute(site_url: str, path: str) -> str:
    """SITEURL joined to a Pelican URL ('articles/foo/'); root-relative when SITEURL is empty."""
    if is_absolute(path):
        return path
    return f"{site_url.rstrip('/')}/{path.lstrip('/')}"


def is_public(url: str) -> bool:
    """True for an http(s) URL, the only kind a social network can fetch."""
    return url.startswith(("https://", "http://"))
