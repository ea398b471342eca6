"""The headers promotion reads that a writer can get wrong: ``Followups:``, ``Evergreen:`` and
``Responses:``.

promote would otherwise find out only when it runs: an empty or repeated follow-up (X, Facebook
and LinkedIn refuse a repeated text), a ``{placeholder}`` it never fills, or an ``Evergreen:``
that is neither yes nor no (then the article is never shared again); the build, only in its log:
a ``Responses:`` that is neither on nor off (then the article shows no replies).
"""

from __future__ import annotations

import re

from self_promoting_blog.check.problems import Problem, error
from self_promoting_blog.content.header import Source
from self_promoting_blog.content.yes_no import yes_no

# What promote fills in a follow-up's text (as in a Social: text); any other {name} stays as is.
FILLED = ("{url}", "{hashtags}")
_PLACEHOLDER = re.compile(r"\{[^{}\s]*\}")


def check_followups(source: Source) -> list[Problem]:
    """Each line of Followups: is one follow-up: not empty, not a repeat, no unknown {field}."""
    field = source.first("followups")
    if field is None:
        return []
    if not field.value.strip():
        return [error(source.shown, field.line, "Followups", "Followups is empty",
                      "write one follow-up per line, indented under \"Followups:\" (each goes "
                      "out on its day, with the link), or delete the line")]
    problems = []
    seen: dict[str, int] = {}
    number = 0
    for offset, line in enumerate(field.value.split("\n")):
        text = " ".join(line.split())
        if not text:
            continue
        number += 1
        where = field.line + offset
        if text in seen:
            problems.append(error(
                source.shown, where, "Followups",
                f"Follow-up {number} repeats follow-up {seen[text]} word for word",
                "write a different text: X, Facebook and LinkedIn refuse a post they have "
                "seen, and readers skip it"))
        seen.setdefault(text, number)
        unknown = [found for found in _PLACEHOLDER.findall(text) if found not in FILLED]
        if unknown:
            problems.append(error(
                source.shown, where, "Followups",
                f'Follow-up {number} has "{unknown[0]}", which is not filled in, so it would be '
                "posted as written",
                "write the words themselves; only {url} (the link) and {hashtags} are filled in"))
    return problems


def check_evergreen(source: Source) -> list[Problem]:
    """Evergreen: says yes or no."""
    return _yes_or_no(source, "Evergreen", "yes nor no", "the article is never shared again",
                      'write "Evergreen: no" to keep it from being shared again, or delete the '
                      "line (yes)")


def check_responses(source: Source) -> list[Problem]:
    """Responses: says on or off."""
    return _yes_or_no(source, "Responses", "on nor off", "the article shows no replies",
                      'write "Responses: off" to show none under it, or delete the line (on)')


def _yes_or_no(source: Source, header: str, neither: str, so: str, fix: str) -> list[Problem]:
    """The header `header`, when written, says one of the yes/no words; else what follows."""
    field = source.first(header.lower())
    if field is None or yes_no(field.value) is not None:
        return []
    return [error(source.shown, field.line, header,
                  f'{header} "{field.value.strip()}" is neither {neither}, so {so}', fix)]
