"""Category and tag names that are near misses of an established one ("Strtegy" beside
"Strategy", "Social media" beside "social-media"): each spelling gets its own page and list.

Two names are near misses when they differ only by case and separators (space, -, _, .), or when
difflib's similarity of those forms is at least 0.87: a letter missing, doubled or swapped in a
word of four letters or more ("Strtegy", "marketting", "Startegy", "blogs" beside "blog"). A
letter *changed* in a word of up to seven letters stays below it, since that is how different
short words differ ("SEO"/"SEM", "content"/"context", "writing"/"waiting"); so do "AI"/"API".
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher, get_close_matches

from .problems import Problem, warning

SEPARATORS_RE = re.compile(r"[\s_.-]+")
SIMILAR = 0.87
FEW = 2  # a name used by this many articles or fewer, beside a more used near miss, is a slip


def name_key(name: str) -> str:
    """The name without case and separators: "Social media" and "social-media" give one key."""
    return SEPARATORS_RE.sub("", name.casefold())


def _ratio(matcher: SequenceMatcher, other: str) -> float:
    """Similarity, with difflib's cheap upper bounds tried first (most names fail those)."""
    matcher.set_seq1(other)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


def near_miss(name: str, candidates: list[str]) -> str | None:
    """The candidate that ``name`` is a near miss of (the most similar); None if none is."""
    key = name_key(name)
    matcher = SequenceMatcher(None, "", key)
    best, best_ratio = None, 0.0
    for candidate in candidates:
        other = name_key(candidate)
        ratio = 1.0 if other == key else _ratio(matcher, other)
        if ratio >= SIMILAR and ratio > best_ratio:
            best, best_ratio = candidate, ratio
    return best


def closest(name: str, candidates: list[str]) -> str | None:
    """A near miss, else the candidate most like ``name`` if any is fairly like it."""
    found = near_miss(name, candidates)
    if found is None:
        keys = {name_key(c): c for c in candidates}
        match = get_close_matches(name_key(name), list(keys), n=1, cutoff=0.6)
        found = keys[match[0]] if match else None
    return found


@dataclass
class NameUses:
    """How many articles use each category (or tag), and where the first few of them do."""

    field: str  # "Category" or "Tag"
    counts: Counter[str] = field(default_factory=Counter)
    uses: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # (file, line)

    def add(self, name: str, shown: str, line: int) -> None:
        self.counts[name] += 1
        # Only a name with FEW uses or fewer can be a slip: keep no more places than that.
        if self.counts[name] <= FEW:
            self.uses.setdefault(name, []).append((shown, line))

    def check(self) -> list[Problem]:
        """A warning at each use of a rarely used name that is a near miss of a more used one."""
        problems = []
        by_use = sorted(self.counts, key=lambda n: (-self.counts[n], n))
        first_used_by: dict[int, int] = {}  # a count -> where the names used that often start
        for index, name in enumerate(by_use):
            first_used_by.setdefault(self.counts[name], index)
        for name in by_use:
            count = self.counts[name]
            if count > FEW:
                continue
            if not (meant := near_miss(name, by_use[:first_used_by[count]])):
                continue
            others = "no other article" if count == 1 else "one other article"
            for shown, line in self.uses[name]:
                problems.append(warning(
                    shown, line, self.field,
                    f'{self.field} "{name}" is used by {others} and is close to "{meant}" '
                    f"({self.counts[meant]} articles)",
                    f'did you mean "{meant}"? Write it the same way in every article'))
        return problems
