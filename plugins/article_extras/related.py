"""Related articles by shared tags, and chronological neighbours."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from heapq import merge
from itertools import islice
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

    Two indexes, built once: tag -> ranks and pair of tags -> ranks (newest first). Every
    article sharing two or more tags with one is in the list of one of its pairs, so only those
    are scored; the rest share one tag, and the newest of them are the first ranks of its tags'
    lists that are not scored already. The work grows with the site, not with all pairs of
    articles (when tags are few, a tag is on a large share of the site).
    """
    ranked = sorted(articles, key=_chronological, reverse=True)  # rank 0 is the newest
    best = _all_best_ranks(tuple(_tags(article) for article in ranked), count)
    return {id(article): [ranked[other] for other in best[rank]]
            for rank, article in enumerate(ranked)}


@lru_cache(maxsize=1)
def _all_best_ranks(tag_sets: tuple[frozenset[str], ...], count: int) -> list[tuple[int, ...]]:
    """The best ranks for each rank. Remembered for the last site: the answer depends only on
    each rank's tags, which a preview update that changes no tag or date leaves as they were."""
    by_tag: dict[str, list[int]] = defaultdict(list)
    by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
    for rank, tags in enumerate(tag_sets):
        ordered = sorted(tags)
        for at, tag in enumerate(ordered):
            by_tag[tag].append(rank)
            for other in ordered[at + 1:]:
                by_pair[(tag, other)].append(rank)
    return [tuple(_best_ranks(rank, tag_sets, by_tag, by_pair, count)) if count else ()
            for rank in range(len(tag_sets))]


def _best_ranks(rank: int, tag_sets: tuple[frozenset[str], ...], by_tag: dict[str, list[int]],
                by_pair: dict[tuple[str, str], list[int]], count: int) -> list[int]:
    """Ranks of the `count` best matches for the article at `rank`."""
    mine = sorted(tag_sets[rank])
    scores = {rank: 0}  # the article itself: seen, never chosen
    for at, tag in enumerate(mine):
        for other_tag in mine[at + 1:]:
            for other in by_pair[(tag, other_tag)]:
                if other not in scores:
                    scores[other] = len(tag_sets[rank] & tag_sets[other])
    best = sorted((other for other, score in scores.items() if score > 1),
                  key=lambda other: (-scores[other], other))[:count]
    if len(best) < count:
        # The tags' lists merged, newest first: an article on two of them is scored already.
        newest = (other for other in merge(*(by_tag[tag] for tag in mine)) if other not in scores)
        best += islice(newest, count - len(best))
    return best


def link_neighbours(articles: Sequence[Any]) -> None:
    """Set prev_article (older) and next_article (newer) on each article; None at the ends."""
    oldest_first = sorted(articles, key=_chronological)
    for position, article in enumerate(oldest_first):
        article.prev_article = oldest_first[position - 1] if position else None
        article.next_article = (
            oldest_first[position + 1] if position + 1 < len(oldest_first) else None
        )
