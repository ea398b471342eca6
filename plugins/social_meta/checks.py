"""What would spoil a shared link: report it, naming the file and the fix.

In strict (production) builds an article's problems are ERRORs, so `pelican --fatal errors` and the
staged publish stop before a preview without title, description or image goes live.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from typing import Any

from social_meta.meta import SocialMeta
from social_meta.settings import MetaSettings
from social_meta.urls import is_public

logger = logging.getLogger(__name__)

FIX_TITLE = "no title; add a 'Title:' line at the top of the file"
FIX_DESCRIPTION = ("no description for link previews; add a 'Summary:' line (one or two "
                   "sentences, under 200 characters) to the file's header")
FIX_IMAGE = ("no preview image; add 'Image: {static}/images/<file>.png' (1200×630 suits every "
             "network) or leave SOCIAL_CARDS_ENABLED on so a card is drawn")
FIX_ALT = ("'Image:' has no 'Image_Alt:'; add one line describing the picture for readers who "
           "cannot see it")


def source_label(content: Any, settings: dict[str, Any]) -> str:
    """content/articles/foo.md: the path a writer recognises (relative to the content's parent)."""
    return _label(content.source_path, settings.get("PATH") or ".", os.getcwd())


@lru_cache(maxsize=1 << 16)
def _label(source_path: str, content_root: str, cwd: str) -> str:
    # Remembered (relative paths start from cwd): every build asks for every file's label.
    base = os.path.dirname(os.path.abspath(content_root))
    return os.path.relpath(os.path.abspath(source_path), base)


def site_problem(settings: MetaSettings) -> str | None:
    if settings.strict and not is_public(settings.site_url):
        return (f"SITEURL is {settings.site_url!r} in a production build (RELATIVE_URLS off); "
                f"canonical links, og:url and og:image need the site's absolute https:// address: "
                f"set SITEURL in publishconf.py or the SITEURL environment variable")
    return None


def problems(meta: SocialMeta, settings: MetaSettings, image_reported: bool) -> list[str]:
    """Problems a shared link would show: missing title, description or image.

    `image_reported`: the page's own `Image:` was already reported, with its own fix.
    """
    found = []
    if not meta.title:
        found.append(FIX_TITLE)
    if not meta.description:
        found.append(FIX_DESCRIPTION)
    if meta.image is None:
        if not image_reported:
            found.append(FIX_IMAGE)
    elif settings.strict and is_public(settings.site_url) and not is_public(meta.image.url):
        found.append(f"preview image {meta.image.url!r} is not an absolute http(s) URL; use a "
                     f"file under content/ or a full https:// address")
    return found


def report(label: str, found: list[str], fatal: bool) -> None:
    """Log each problem: ERROR when the page would ship broken, WARNING otherwise."""
    level = logging.ERROR if fatal else logging.WARNING
    for problem in found:
        logger.log(level, "social_meta: %s: %s", label, problem)


def missing_alt(content: Any, meta: SocialMeta) -> bool:
    """The page's own `Image:` is its preview, described by no `Image_Alt:`."""
    own = str(content.metadata.get("image") or "").strip()
    return bool(own) and meta.image is not None and not meta.image.alt


def report_missing_alt(label: str, content: Any, meta: SocialMeta) -> None:
    if missing_alt(content, meta):
        logger.warning("social_meta: %s: %s", label, FIX_ALT)
