"""The rules: each takes one parsed source (or what was kept of every source) and returns the
problems it finds."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED

from self_promoting_blog.check.problems import Problem, error, warning
from self_promoting_blog.content.entries import Entry, example_date, impossible_part, parse_date
from self_promoting_blog.content.header import Field, Source

STATUSES = ("published", "draft", "hidden")
# Metadata Pelican itself reads (its readers, contents and URL settings).
PELICAN_KEYS = frozenset({
    "title", "date", "modified", "category", "tags", "slug", "author", "authors", "summary",
    "status", "lang", "translation", "template", "save_as", "url", "timezone", "date_format",
})
DATE_FORMAT = "YYYY-MM-DD HH:MM"
MARKUP_RE = re.compile(r"<[^>]+>|\]\([^)]*\)|[*_`\[\]]")


def _short(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_readable(source: Source) -> list[Problem]:
    if source.unreadable is None:
        return []
    return [error(source.shown, None, "file",
                  f"The file is not saved as UTF-8 text ({source.unreadable})",
                  "open it in your editor and save it with the UTF-8 encoding")]


def check_header_lines(source: Source, known: frozenset[str]) -> list[Problem]:
    """A header line without ``Key: value`` ends the header early, losing what follows."""
    problems = []
    for bad in source.malformed:
        word, _, rest = bad.text.partition(" ")
        key = word.strip("=:-")
        if key.lower() in known:
            fix = f'write it as "{key}: {rest.lstrip(" =:-")}"'
        elif bad.fields_after:
            fix = 'write it as "Key: value" (with a colon after the key), or delete it'
        else:
            problems.append(warning(
                source.shown, bad.line, "header",
                f'There is no blank line after the header, so "{_short(bad.text)}" starts '
                "the text", "put one blank line between the header and the text"))
            continue
        problems.append(error(
            source.shown, bad.line, "header",
            f'"{_short(bad.text)}" is not a "Key: value" line, so the header ends here and the '
            "lines below it are lost", fix))
    return problems


def check_title(source: Source) -> list[Problem]:
    titles = source.all("title")
    if not titles:
        return [error(source.shown, 1, "Title", "Title is missing",
                      'add a line "Title: Your headline" at the top of the file')]
    problems = []
    if not titles[0].value.strip():
        problems.append(error(source.shown, titles[0].line, "Title", "Title is empty",
                              'write the headline after "Title:"'))
    if len(titles) > 1:
        problems.append(error(source.shown, titles[1].line, "Title",
                              f"Title is written twice (lines {titles[0].line} and "
                              f"{titles[1].line})", "keep one Title line and delete the other"))
    return problems


def _date_problem(source: Source, field: Field, timezone: str) -> Problem | None:
    name = field.key.capitalize()
    value = field.value.strip()
    if not value:
        return error(source.shown, field.line, name, f"{name} is empty",
                     f"write it as {DATE_FORMAT}, for example {example_date()}")
    try:
        parse_date(value, timezone)
    except (ValueError, OverflowError):
        if impossible := impossible_part(value):
            what, fix = impossible
            return error(source.shown, field.line, name,
                         f'{name} "{value}" is not on the calendar: {what}', fix)
        return error(source.shown, field.line, name,
                     f'{name} "{value}" is not a date the blog can read',
                     f"write it as {DATE_FORMAT}, for example {example_date()}")
    return None


def check_dates(source: Source, entry: Entry, settings: Mapping[str, Any]) -> list[Problem]:
    """Date and Modified must be real dates; an article needs a Date (unless the site gives one)."""
    timezone = settings.get("TIMEZONE") or "UTC"
    zone = source.first("timezone")
    if zone is not None:
        try:
            parse_date("2000-01-01", zone.value.strip())
            timezone = zone.value.strip()
        except (KeyError, ValueError):
            return [error(source.shown, zone.line, "Timezone",
                          f'Timezone "{zone.value}" is not a time zone name',
                          f"write one like {timezone}, or delete the line to use the site's")]
    problems = [p for name in ("date", "modified") if (field := source.first(name))
                if (p := _date_problem(source, field, timezone))]
    if source.kind == "article" and source.first("date") is None and entry.date is None:
        problems.append(error(source.shown, 1, "Date", "Date is missing",
                              f'add a line "Date: {DATE_FORMAT}" under the title (when the '
                              "article goes live)"))
    return problems


def check_status(source: Source) -> list[Problem]:
    field = source.first("status")
    value = field.value.strip() if field else ""
    if not field or not value or value in STATUSES:
        return []
    if value.lower() in STATUSES:
        fix = f'write it in lower case: "{value.lower()}"'
    else:
        fix = ("write published (on the site), draft (kept off the site) or hidden "
               "(on the site, but not listed)")
    return [error(source.shown, field.line, "Status",
                  f'Status "{value}" is not one of {", ".join(STATUSES)}', fix)]


def missing_category_line(source: Source) -> int | None:
    """The line to point at when an article has no Category; None when it needs no warning."""
    field = source.first("category")
    if source.kind != "article" or (field and field.value.strip()):
        return None
    return field.line if field else 1


def check_category(missing: Iterable[tuple[str, int]], default: str,
                   in_use: list[str]) -> list[Problem]:
    """An article with no Category is filed under the site's default one: say so.

    ``missing`` is (file, line) of each such article; the fix lists the categories of every
    file, so this runs once all of them are read.
    """
    example = in_use[0] if in_use else default
    known = f" (in use: {', '.join(in_use)})" if in_use else ""
    return [warning(shown, line, "Category",
                    f'Category is missing, so the article is filed under "{default}"',
                    f'add a line "Category: {example}"{known}') for shown, line in missing]


def check_body(source: Source, entry: Entry) -> list[Problem]:
    if source.unreadable or (source.body and not source.body.isspace()):
        return []
    noun = "article" if source.kind == "article" else "page"
    line = source.body_start if source.body is not None else None
    make = warning if entry.status == "draft" else error
    return [make(source.shown, line, "body", f"The {noun} has no text",
                 f"write the {noun} below the header, after one blank line")]


def check_summary(source: Source, limit: int) -> list[Problem]:
    field = source.first("summary")
    if field is None:
        return []
    length = len(" ".join(MARKUP_RE.sub("", field.value).split()))
    if length <= limit:
        return []
    return [warning(source.shown, field.line, "Summary",
                    f"Summary is {length} characters, too long to share (previews and posts "
                    f"cut it after {limit})", f"shorten it to {limit} characters or fewer")]


def check_keys(source: Source, known: frozenset[str]) -> list[Problem]:
    """Warn about a key that is a near miss of a known one, and about repeated single keys."""
    problems = []
    for field in source.fields:
        if field.name in known:
            continue
        guess = difflib.get_close_matches(field.name, sorted(known), n=1, cutoff=0.75)
        if guess:
            problems.append(warning(
                source.shown, field.line, field.key,
                f'"{field.key}" is not a field the blog knows, so it is ignored',
                f'did you mean "{guess[0].capitalize()}"? Rename it'))
    for name, allowed in DUPLICATES_DEFINITIONS_ALLOWED.items():
        fields = source.all(name)
        if not allowed and len(fields) > 1:
            problems.append(warning(source.shown, fields[1].line, fields[1].key,
                                    f"{fields[1].key} is written twice (lines {fields[0].line} and "
                                    f"{fields[1].line}); the blog uses line {fields[0].line}",
                                    "keep one and delete the other"))
    return problems


@dataclass(frozen=True)
class SlugClaim:
    """What the slug rule keeps of one entry until every file is read (not the file's text)."""

    kind: str
    draft: bool
    lang: str
    slug: str
    shown: str
    line: int  # of its Slug line, else its Title line, else 1

    @classmethod
    def of(cls, entry: Entry) -> SlugClaim | None:
        """None for an entry without a slug: it claims no address."""
        if not entry.slug:
            return None
        field = entry.source.first("slug") or entry.source.first("title")
        return cls(entry.kind, entry.status == "draft", entry.lang, entry.slug,
                   entry.source.shown, field.line if field else 1)


def check_slugs(claims: Iterable[SlugClaim]) -> list[Problem]:
    """Two live articles (or pages, or drafts) in one language may not share a slug."""
    first: dict[tuple[str, bool, str, str], SlugClaim] = {}
    problems = []
    for claim in claims:
        other = first.setdefault((claim.kind, claim.draft, claim.lang, claim.slug), claim)
        if other is claim:
            continue
        problems.append(error(
            claim.shown, claim.line, "Slug",
            f'Slug "{claim.slug}" is also used by {other.shown}, and two {claim.kind}s '
            "cannot share one address", "give one of them a different Slug (or Title)"))
    return problems
