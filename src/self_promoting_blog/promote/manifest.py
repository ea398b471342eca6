"""The promotion manifest: what a production build published, written outside output/.

The build side (``entry_for``, ``write_manifest``) turns Pelican articles into plain JSON: canonical
URL, title, summary, tags, category, date, card image URL and the writer's per-article overrides.
The promote side (``read_manifest``) reads it back as ``Entry`` objects, oldest first. Nothing here
talks to a network, and no credential is ever written.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from self_promoting_blog.content.yes_no import yes_no
from self_promoting_blog.promote.errors import ManifestError
from self_promoting_blog.promote.networks import known_networks

log = logging.getLogger("promote")
VERSION = 1


@dataclass(slots=True)  # not frozen: built for every article of a large manifest, fast
class Entry:
    """One published article as promotion sees it."""

    url: str
    slug: str
    title: str
    summary: str
    date: str
    tags: tuple[str, ...] = ()
    category: str = ""
    image: str | None = None
    article_id: str | None = None
    promote: bool = True
    social: str | None = None
    social_by_network: dict[str, str] = field(default_factory=dict)
    hashtags: tuple[str, ...] | None = None
    source: str = ""
    followups: tuple[str, ...] = ()   # the writer's `Followups:`, one text each
    evergreen: bool = True            # `Evergreen: no` keeps it out of re-sharing


_FIELDS = tuple(f.name for f in fields(Entry))


class _Text(HTMLParser):
    """Collects the text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    return " ".join(unescape("".join(parser.parts)).split())


def _meta_text(value: Any) -> str | None:
    if value is None:
        return None
    text = "\n".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    return text.strip() or None


def _flag(meta: Mapping[str, Any], source: str, name: str, refused: str) -> bool:
    value = yes_no(meta.get(name))
    if value is not None:
        return value
    header = name.capitalize()
    log.warning("promote: %s: %s: %r is neither yes nor no; the article is not %s until it "
                "says `%s: yes` or `%s: no`.", source, header, _meta_text(meta.get(name)),
                refused, header, header)
    return False


def _overrides(meta: Mapping[str, Any], source: str) -> dict[str, str]:
    found: dict[str, str] = {}
    networks: list[str] = []  # listed only for an article that overrides a text
    for key, value in meta.items():
        if not key.lower().startswith("social_"):
            continue
        network = key.lower().removeprefix("social_")
        networks = networks or known_networks()
        if network not in networks:
            log.warning("promote: %s: Social_%s: no network called %r; use one of Social_%s.",
                        source, network.capitalize(), network,
                        ", Social_".join(n.capitalize() for n in networks))
            continue
        text = _meta_text(value)
        if text:
            found[network] = text
    return found


def _hashtags(meta: Mapping[str, Any]) -> tuple[str, ...] | None:
    text = _meta_text(meta.get("hashtags"))
    if text is None:
        return None
    parts = text.split(",") if "," in text else text.split()
    return tuple(part.strip().lstrip("#") for part in parts if part.strip("# "))


def _followups(meta: Mapping[str, Any]) -> tuple[str, ...]:
    """`Followups:` one text per line (Markdown gives a list when it has continuation lines)."""
    value = meta.get("followups")
    lines = value if isinstance(value, (list, tuple)) else str(value or "").splitlines()
    return tuple(text for line in lines if (text := " ".join(str(line).split())))


def _image(article: Any, siteurl: str, settings: Mapping[str, Any]) -> str | None:
    """The absolute card image URL when social_meta has not computed it: Image: or the card."""
    image = _meta_text(article.metadata.get("image"))
    if image:
        return image if "://" in image else f"{siteurl}/{image.lstrip('/')}"
    if settings.get("SOCIAL_CARDS_ENABLED", True):
        folder = str(settings.get("SOCIAL_CARDS_PATH", "cards")).strip("/")
        return f"{siteurl}/{folder}/{article.slug}.png"
    return None


def entry_for(article: Any, settings: Mapping[str, Any]) -> Entry:
    """Turn one Pelican article into a manifest entry.

    URL, title, description and image are the values plugins/social_meta put in the page's
    og: tags (``article.social``), so the live check compares like with like.
    """
    siteurl = str(settings.get("SITEURL", "")).rstrip("/")
    meta = article.metadata
    content = os.path.dirname(os.path.abspath(settings.get("PATH") or "."))
    source = os.path.relpath(article.source_path, content) \
        if getattr(article, "source_path", None) else article.slug
    og = getattr(article, "social", None)
    og = og if hasattr(og, "canonical") else None
    image = getattr(og.image, "url", None) if og and og.image else None
    return Entry(
        url=(og.canonical if og and og.canonical else None) or f"{siteurl}/{article.url}",
        slug=article.slug,
        title=og.title if og else str(article.title).strip(),
        summary=og.description if og else plain_text(getattr(article, "summary", "") or ""),
        date=article.date.isoformat(),
        tags=tuple(tag.name for tag in getattr(article, "tags", []) or []),
        category=getattr(getattr(article, "category", None), "name", "") or "",
        image=image or _image(article, siteurl, settings),
        article_id=_meta_text(meta.get("id")),
        promote=_flag(meta, source, "promote", "announced"),
        social=_meta_text(meta.get("social")),
        social_by_network=_overrides(meta, source),
        hashtags=_hashtags(meta),
        source=source,
        followups=_followups(meta),
        evergreen=_flag(meta, source, "evergreen", "shared again"),
    )


def write_manifest(entries: Iterable[Entry], path: Path, siteurl: str) -> int:
    """Write the manifest atomically (temp file + rename); return the number of articles."""
    items = sorted(entries, key=lambda e: (e.date, e.url))
    head = {"version": VERSION, "siteurl": siteurl,
            "generated": datetime.now(UTC).isoformat(timespec="seconds")}
    # One article per line, each encoded by json's C encoder (indent= falls back to the
    # pure-Python one, which took longer than building the whole manifest), from its fields as
    # they are (dataclasses.asdict copies every value deeply first, for nothing json needs).
    articles = ",\n".join(json.dumps({name: getattr(e, name) for name in _FIELDS},
                                      ensure_ascii=False) for e in items)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".manifest-", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "articles": [\n' + articles
                  + "\n]}\n")
    os.chmod(temp, 0o644)  # mkstemp makes it private; it holds nothing secret
    os.replace(temp, path)
    return len(items)


def read_manifest(path: Path) -> list[Entry]:
    """Read the manifest, oldest article first; raise ManifestError saying how to make one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"promote: no manifest at {path}. A production build writes it: run "
                            "`invoke publish` (or build with publishconf.py) first.") from None
    except (OSError, ValueError) as exc:
        raise ManifestError(f"promote: cannot read the manifest {path}: {exc}. Rebuild the "
                            "site with publishconf.py to rewrite it.") from None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ManifestError(f"promote: {path} is not a version-{VERSION} manifest. Rebuild "
                            "the site with publishconf.py to rewrite it.")
    entries = []
    for item in data.get("articles", []):
        item["tags"] = tuple(item.get("tags") or ())
        item["followups"] = tuple(item.get("followups") or ())
        if item.get("hashtags") is not None:
            item["hashtags"] = tuple(item["hashtags"])
        entries.append(Entry(**item))
    return sorted(entries, key=lambda e: (e.date, e.url))
