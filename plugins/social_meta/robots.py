"""robots.txt naming the sitemap by its absolute URL (SITEURL differs per build)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from social_meta.urls import is_public

logger = logging.getLogger(__name__)

MARKER = "# Written by the social_meta plugin each build; change SOCIAL_META_* settings, not this."


def _folder_of(save_as: str) -> str:
    """'drafts/{slug}.html' -> 'drafts/': the fixed folder a URL pattern writes into."""
    fixed = save_as.split("{", 1)[0]
    return fixed[: fixed.rfind("/") + 1] if "/" in fixed else ""


def robots_txt(settings: Mapping[str, Any]) -> str:
    """Allow all but drafts; name the sitemap when pelican-sitemap runs and SITEURL is absolute."""
    site_url = str(settings.get("SITEURL") or "").rstrip("/")
    lines = [MARKER, "User-agent: *"]
    drafts = {_folder_of(str(settings.get(key) or ""))
              for key in ("DRAFT_SAVE_AS", "DRAFT_PAGE_SAVE_AS", "DRAFT_LANG_SAVE_AS")}
    lines += [f"Disallow: /{folder}" for folder in sorted(drafts) if folder]
    lines.append("Allow: /")
    plugins = settings.get("PLUGINS") or []
    uses_sitemap = any(str(name).rsplit(".", 1)[-1] == "sitemap" for name in plugins)
    if uses_sitemap and is_public(site_url):
        fmt = (settings.get("SITEMAP") or {}).get("format", "xml")
        lines += ["", f"Sitemap: {site_url}/sitemap.{fmt}"]
    elif uses_sitemap:
        lines += ["", "# No Sitemap line: SITEURL is not absolute in this (development) build."]
    return "\n".join(lines) + "\n"


def write_robots(output: Path, settings: Mapping[str, Any]) -> bool:
    """Write output/robots.txt unless the writer supplied their own; return whether written."""
    target = output / "robots.txt"
    if target.exists() and MARKER not in target.read_text(encoding="utf-8", errors="replace"):
        logger.warning("social_meta: %s comes from your content, so it was left as is and does "
                       "not name the sitemap; delete it to get the generated one, or set "
                       "SOCIAL_META_ROBOTS_TXT = False to silence this", target)
        return False
    target.write_text(robots_txt(settings), encoding="utf-8")
    return True
