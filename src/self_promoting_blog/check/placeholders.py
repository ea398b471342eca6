"""The placeholder text `invoke new` writes for the writer to replace, and the rule that finds it
left in: defined once, so the rule always knows exactly what `new` writes."""

from __future__ import annotations

import re

from self_promoting_blog.check.problems import Problem, error_in_production, warning
from self_promoting_blog.content.entries import Entry
from self_promoting_blog.content.header import Source

BODY_SENTENCES = (
    "Start with the one idea a reader should leave with, then back it up.",
    ("Replace this paragraph with your article; the Summary above is what people see when they "
     "share it."),
)
BODY = " ".join(BODY_SENTENCES)
SUMMARY_END = ": the short version, and what to do about it."


def summary_for(title: str) -> str:
    """The Summary `invoke new` writes for a title."""
    return f"{title}{SUMMARY_END}"


def _loose(sentence: str) -> str:
    """A pattern for the sentence however its lines were rewrapped."""
    return r"\s+".join(re.escape(word) for word in sentence.split())


# One pattern per sentence: each starts with a literal word, which re finds five times faster
# than the start of an alternation.
BODY_RES = tuple(re.compile(_loose(s)) for s in BODY_SENTENCES)
SUMMARY_RE = re.compile(_loose(SUMMARY_END))


def _short(text: str, words: int = 6) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def check_placeholders(source: Source, entry: Entry, production: bool) -> list[Problem]:
    """Any of `new`'s placeholder sentences in the text, or its Summary, left unchanged.

    An error in production (it would be published and announced as written); a warning in the
    preview, and for a draft, which production leaves out anyway.
    """
    found: list[tuple[int, str, str, str]] = []  # (line, field, message, fix)
    summary = source.first("summary")
    if summary is not None and SUMMARY_RE.search(summary.value):
        found.append((summary.line, "Summary",
                      (f'Summary is still the placeholder "{_short(summary.value)}" that invoke '
                       "new wrote"),
                      "write the sentence people should see when the article is shared"))
    body = source.body or ""
    lines: dict[int, str] = {}  # line -> the first placeholder sentence on it
    for match in sorted((m for pattern in BODY_RES for m in pattern.finditer(body)),
                        key=lambda m: m.start()):
        lines.setdefault(source.body_start + body.count("\n", 0, match.start()), match[0])
    for line, sentence in lines.items():
        found.append((line, "body",
                      (f'The text still has the placeholder "{_short(sentence)}" that invoke '
                       "new wrote"),
                      "replace it with your own text"))
    if entry.status == "draft":
        return [warning(source.shown, *item) for item in found]
    return [error_in_production(production, source.shown, *item) for item in found]
