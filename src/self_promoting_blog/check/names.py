"""Category and tag names that are near misses of an established one ("Strtegy" beside
"Strategy", "Social media" beside "social-media"): each spelling gets its own page and list.

Two names are near misses when they differ only by case and separators (space, -, _, .), or by
one letter missing, extra, changed or two swapped, and difflib's similarity of those forms is at
least 0.87. That takes in a letter missing, doubled or swapped in a word of four letters or more
("Strtegy", "marketting", "Startegy", "blogs" beside "blog"), but not a letter *changed* in a word
of up to seven letters, since that is how different short words differ ("SEO"/"SEM",
"content"/"context", "writing"/"waiting"); nor "AI"/"API".
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher, get_close_matches
from functools import partial

from self_promoting_blog.check.problems import Problem, warning

SEPARATORS_RE = re.compile(r"[\s_.-]+")
SIMILAR = 0.87
FEW = 2  # a name used by this many articles or fewer, beside a more used near miss, is a slip


def name_key(name: str) -> str:
    """The name without case and separators: "Social media" and "social-media" give one key."""
    return SEPARATORS_RE.sub("", name.casefold())


def _one_shorter(key: str) -> set[str]:
    """The key and each key one letter shorter: two keys one edit apart (a letter missing,
    extra or changed, or two swapped) always share one of these."""
    return {key, *(key[:i] + key[i + 1:] for i in range(len(key)))}


class NearMisses:
    """Finds the known name that a name is a near miss of, looking only at the few known names
    one edit away (an index of their keys one letter shorter), not at every one of them."""

    def __init__(self, names: Iterable[str]) -> None:
        """``names`` in order of preference: of two equally near, the earlier one is meant."""
        self.rank: dict[str, int] = {}
        self.index: dict[str, list[str]] = {}
        for name in names:
            self.rank.setdefault(name, len(self.rank))
            for short in _one_shorter(name_key(name)):
                self.index.setdefault(short, []).append(name)

    def of(self, name: str, allowed: Callable[[str], bool] = lambda other: True) -> str | None:
        """The most similar allowed known name that ``name`` is a near miss of, or None."""
        key = name_key(name)
        matcher = SequenceMatcher(None, "", key)
        found = []
        for other in {o for short in _one_shorter(key) for o in self.index.get(short, ())}:
            if other == name or not allowed(other):
                continue
            matcher.set_seq1(name_key(other))
            ratio = matcher.ratio()
            if ratio >= SIMILAR:
                found.append((-ratio, self.rank[other], other))
        return min(found)[2] if found else None


def closest(name: str, candidates: list[str]) -> str | None:
    """A near miss, else the candidate most like ``name`` if any is fairly like it."""
    found = NearMisses(candidates).of(name)
    if found is None:
        keys = {name_key(c): c for c in candidates}
        match = get_close_matches(name_key(name), list(keys), n=1, cutoff=0.6)
        found = keys[match[0]] if match else None
    return found


@dataclass
class NameUses:
    """How many articles use each category (or tag), and where the first few of them do."""

    field: str  # "Category" or "Tag"
    # dataclasses.field spelled out: in this class body mypy reads `field` as the attribute above
    counts: Counter[str] = dataclasses.field(default_factory=Counter)
    uses: dict[str, list[tuple[str, int]]] = dataclasses.field(default_factory=dict)  # (file, line)

    def add(self, name: str, shown: str, line: int) -> None:
        self.counts[name] += 1
        # Only a name with FEW uses or fewer can be a slip: keep no more places than that.
        if self.counts[name] <= FEW:
            self.uses.setdefault(name, []).append((shown, line))

    def _used_more_than(self, count: int, name: str) -> bool:
        return self.counts[name] > count

    def check(self) -> list[Problem]:
        """A warning at each use of a rarely used name that is a near miss of a more used one."""
        problems = []
        by_use = sorted(self.counts, key=lambda n: (-self.counts[n], n))
        index = NearMisses(by_use)  # the most used first: of two equally near, it is meant
        for name in by_use:
            count = self.counts[name]
            if count > FEW:
                continue
            meant = index.of(name, partial(self._used_more_than, count))
            if meant is None:
                continue
            others = "no other article" if count == 1 else "one other article"
            for shown, line in self.uses[name]:
                problems.append(warning(
                    shown, line, self.field,
                    f'{self.field} "{name}" is used by {others} and is close to "{meant}" '
                    f"({self.counts[meant]} articles)",
                    f'did you mean "{meant}"? Write it the same way in every article'))
        return problems
