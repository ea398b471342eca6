"""Related articles by shared tags, and chronological neighbours."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import chain, islice
from typing import Any


def _chronological(article: Any) -> tuple[Any, str]:
    # The slug breaks ties between articles published at the same minute, so order is stable.
    return article.date, getattr(article, "slug", "")


def _tags(article: Any) -> frozenset[str]:
    # Tags by slug, which is how Pelican's Tag compares: sets of str compare in C, not via
    # Tag.__eq__ in Python.
    return frozenset(tag.slug for tag in getattr(article, "tags", None) or ())


def related_by_tags(articles: Sequence[Any], count: int) -> dict[int, list[Any]]:
    """Map id(article) to up to `count` others, most shared tags first, then newest first.

    Tags are indexed once (tag -> ranks, newest first); each article then reads only as much of
    its tags' lists as the answer needs (see _best_ranks), so the work never grows with all pairs.
    """
    ranked = sorted(articles, key=_chronological, reverse=True)  # rank 0 is the newest
    tag_sets = [_tags(article) for article in ranked]
    index: dict[str, list[int]] = defaultdict(list)
    for rank, tags in enumerate(tag_sets):
        for tag in tags:
            index[tag].append(rank)
    related: dict[int, list[Any]] = {}
    for rank, article in enumerate(ranked):
        best = _best_ranks(rank, tag_sets, index, count) if count else []
        related[id(article)] = [ranked[other] for other in best]
    return related


def _best_ranks(
    rank: int, tag_sets: list[frozenset[str]], index: dict[str, list[int]], count: int
) -> list[int]:
    """Ranks of the `count` best matches for the article at `rank`.

    With k tags, an article sharing s of them appears in at least one of the k - s + 1 shortest
    tag lists. So the lists are read shortest first, and as soon as `count` articles share s or
    more tags the rest cannot beat them (and those sharing all k tags are the shortest list's
    newest that carry them all). The longest list (a tag on nearly every article) only
    ever adds one-tag matches, newest first, so it is read only as far as needed.
    """
    mine = tag_sets[rank]
    lists = sorted((index[tag] for tag in mine), key=len)
    if lists:  # every article sharing all k tags is in the shortest list: take its newest
        full = islice(
            (other for other in lists[0] if other != rank and tag_sets[other] >= mine), count
        )
        best = list(full)
        if len(best) == count:
            return best
    scores = {rank: 0}  # the article itself: seen, never chosen
    for shared in range(len(lists), 1, -1):
        for other in lists[len(lists) - shared]:
            if other not in scores:
                scores[other] = len(mine & tag_sets[other])
        strong = [other for other, score in scores.items() if score >= shared]
        if len(strong) >= count:
            return sorted(strong, key=lambda other: (-scores[other], other))[:count]
    strong = sorted(
        (other for other, score in scores.items() if score > 1),
        key=lambda other: (-scores[other], other),
    )
    need = count - len(strong)
    if need <= 0 or not lists:
        return strong[:count]
    from_short = (other for other, score in scores.items() if score == 1)
    from_longest = islice((other for other in lists[-1] if other not in scores), need)
    return strong + sorted(chain(from_short, from_longest))[:need]


def link_neighbours(articles: Sequence[Any]) -> None:
    """Set prev_article (older) and next_article (newer) on each article; None at the ends."""
    oldest_first = sorted(articles, key=_chronological)
    for position, article in enumerate(oldest_first):
        article.prev_article = oldest_first[position - 1] if position else None
        article.next_article = (
            oldest_first[position + 1] if position + 1 < len(oldest_first) else None
        )
