"""Start a new article (`invoke new`): a file with every field filled in that passes the check."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from self_promoting_blog.check.names import closest, name_key
from self_promoting_blog.check.placeholders import BODY, summary_for
from self_promoting_blog.content.entries import (
    Entry,
    example_date,
    impossible_part,
    read_entries,
    slug_from,
)
from self_promoting_blog.content.sources import find_sources
from self_promoting_blog.errors import NewPostError

WHEN_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d")


@dataclass(frozen=True)
class NewPost:
    path: Path
    shown: str  # content/articles/slug.md
    slug: str
    date: datetime
    category: str
    tags: tuple[str, ...]
    status: str


def parse_when(text: str | None, timezone: str) -> datetime:
    """Read --date (YYYY-MM-DD HH:MM or YYYY-MM-DD) in the site's time zone.

    Without --date: now, to the minute.
    """
    zone = ZoneInfo(timezone)
    if not text:
        # Rounded down, never up: a date even seconds ahead would count as scheduled.
        return datetime.now(zone).replace(second=0, microsecond=0)
    for fmt in WHEN_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=zone)
        except ValueError:
            continue
    if impossible := impossible_part(text):
        what, fix = impossible
        raise NewPostError(f'--date "{text}" is not on the calendar: {what}; {fix}')
    raise NewPostError(f'--date "{text}" is not a date and time the blog can use; write it as '
                       f'YYYY-MM-DD HH:MM, for example --date "{example_date()}"')


def _default_tags(entries: list[Entry], category: str) -> tuple[str, ...]:
    """The category's three most used tags: a starting point the writer edits."""
    counts = Counter(t for e in entries if e.category == category for t in e.tags)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0].lower()))
    return tuple(tag for tag, _ in ranked[:3]) or (category.lower(),)


def _refuse_clash(path: Path, slug: str, entries: list[Entry], shown: str) -> None:
    if path.exists():
        raise NewPostError(f"{shown} already exists and is left as it is; pick another title, "
                           "or pass --slug to name the new file")
    for entry in entries:
        if entry.slug == slug:
            raise NewPostError(f'{entry.source.shown} already uses the slug "{slug}"; pick '
                               "another title, or pass --slug")


def _pick_category(asked: str | None, known: list[str], create: bool, default: str) -> str:
    """The category asked for, spelt as the articles already spell it; a new one only when
    asked to create it, so a typo does not quietly start a category of its own."""
    asked = " ".join((asked or "").split())
    if not asked:
        if create:
            raise NewPostError("--new-category starts the category given with --category; add "
                               '--category "Its name"')
        return known[0] if known else default
    same = [name for name in known if name_key(name) == name_key(asked)]
    if same:
        return same[0]
    if create or not known:
        return asked
    hint = closest(asked, known)
    fix = (f'did you mean "{hint}"? To start "{asked}" as a new category, add --new-category'
           if hint else "pick one of them, or add --new-category to start it")
    raise NewPostError(f'there is no category "{asked}" yet (in use: {", ".join(known)}); {fix}')


def create_post(settings: Mapping[str, Any], title: str, *, when: str | None = None,
                category: str | None = None, tags: str | None = None, slug: str | None = None,
                draft: bool = False, new_category: bool = False) -> NewPost:
    """Write content/<articles>/<slug>.md and return what was written; never overwrites."""
    title = " ".join(title.split())
    if not title:
        raise NewPostError('the title is empty; write it in quotes: invoke new "My headline"')
    date = parse_when(when, settings.get("TIMEZONE") or "UTC")
    slug = slug_from(slug or title, settings)
    if not slug:
        raise NewPostError(f'"{title}" gives no usable address; pass --slug my-article')
    entries = [e for e in read_entries(find_sources(settings), settings) if e.kind == "article"]
    root = Path(settings["PATH"])
    folder = root / (list(settings.get("ARTICLE_PATHS") or [""])[0])
    path = folder / f"{slug}.md"
    shown = f"{root.name}/{path.relative_to(root).as_posix()}"
    _refuse_clash(path, slug, entries, shown)
    known = sorted({e.category for e in entries if e.category}, key=str.lower)
    category = _pick_category(category, known, new_category,
                              settings.get("DEFAULT_CATEGORY", "misc"))
    tag_list = tuple(t.strip() for t in tags.split(",") if t.strip()) if tags else \
        _default_tags(entries, category)
    status = "draft" if draft else "published"
    header = {"Title": title, "Date": date.strftime("%Y-%m-%d %H:%M"), "Category": category,
              "Tags": ", ".join(tag_list), "Slug": slug,
              "Summary": summary_for(title), "Status": status}
    text = "".join(f"{key}: {value}\n" for key, value in header.items()) + f"\n{BODY}\n"
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": fail rather than overwrite
        handle.write(text)
    return NewPost(path, shown, slug, date, category, tag_list, status)
