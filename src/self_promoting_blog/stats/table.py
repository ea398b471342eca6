"""The numbers: each article's latest counts per network, totals, as a table or JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rich.table import Table
from rich.text import Text

from self_promoting_blog.promote.rows import ANNOUNCE, Row, split_slot
from self_promoting_blog.promote.samples import COUNTS, Latest, Sample
from self_promoting_blog.stats.cadence import readable


@dataclass
class NetworkNumbers:
    """One article's latest counts on one network (summed over its accounts)."""

    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    fetched: float = 0.0
    gone: bool = False
    post_url: str | None = None

    def add(self, sample: Sample, post_url: str | None, announcement: bool = True) -> None:
        """Count one post's latest sample in (an account's announcement, or a follow-up: its
        counts add up, but the link and "deleted" are the announcement's)."""
        for name in COUNTS:
            value = getattr(sample, name)
            if value is not None:
                setattr(self, name, (getattr(self, name) or 0) + value)
        self.fetched = max(self.fetched, sample.fetched)
        if announcement:
            self.gone = sample.gone
            self.post_url = self.post_url or post_url

    @property
    def total(self) -> int:
        """Every interaction counted."""
        return sum(getattr(self, name) or 0 for name in COUNTS)


@dataclass
class ArticleNumbers:
    """One article: its title, date, and its latest counts on every network."""

    url: str
    title: str
    date: str
    networks: dict[str, NetworkNumbers] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Every interaction on every network."""
        return sum(n.total for n in self.networks.values())


def summarize(rows: Iterable[Row], latest: Latest,
              since: str | None = None, article: str | None = None) -> list[ArticleNumbers]:
    """Articles with their `latest` counts, highest total first; `since` (YYYY-MM-DD) keeps
    articles dated then or later, `article` those whose URL or title contains it. A follow-up's
    counts are added to its article's on the same network."""
    found: dict[str, ArticleNumbers] = {}
    for row in filter(readable, rows):
        if since and row.article_date[:10] < since:
            continue
        url, slot = row.article, split_slot(row.url)[1]
        if article and article.lower() not in f"{url} {row.title}".lower():
            continue
        entry = found.setdefault(url, ArticleNumbers(url, row.title, row.article_date))
        sample = latest.get((row.url, row.network, row.account))
        numbers = entry.networks.setdefault(row.network, NetworkNumbers())
        if sample is not None:
            numbers.add(sample, row.post_url, announcement=slot == ANNOUNCE)
        elif slot == ANNOUNCE:
            numbers.post_url = numbers.post_url or row.post_url
    return sorted(found.values(), key=lambda a: (-a.total, a.date, a.url))


def _cell(numbers: NetworkNumbers | None) -> Text:
    if numbers is None:
        return Text("")
    if numbers.gone:
        return Text("deleted", style="dim")
    if not numbers.fetched:
        return Text("not read yet", style="dim")
    parts = ["–" if getattr(numbers, n) is None else str(getattr(numbers, n)) for n in COUNTS]
    return Text("/".join(parts))


def stats_table(articles: Sequence[ArticleNumbers], labels: dict[str, str]) -> Table:
    """Articles × networks: likes/reposts/replies/quotes in each cell, totals at the right and
    at the bottom; "–" where a network does not count that kind."""
    networks = sorted({name for a in articles for name in a.networks})
    table = Table(title="Engagement: likes/reposts/replies/quotes (latest fetch)",
                  show_footer=True)
    table.add_column("Article", footer="Total")
    for name in networks:
        table.add_column(labels.get(name, name), justify="right", footer=str(sum(
            a.networks[name].total for a in articles if name in a.networks)))
    table.add_column("Total", justify="right", footer=str(sum(a.total for a in articles)),
                     style="bold")
    for entry in articles:
        table.add_row(Text(entry.title or entry.url), *(_cell(entry.networks.get(name))
                                                          for name in networks),
                      str(entry.total))
    return table


def stats_json(articles: Sequence[ArticleNumbers]) -> str:
    """The same numbers as JSON: one object per article, highest total first."""
    def when(seconds: float) -> str | None:
        return datetime.fromtimestamp(seconds, UTC).isoformat() if seconds else None

    return json.dumps([{
        "url": a.url, "title": a.title, "date": a.date, "total": a.total,
        "networks": {name: {**{n: getattr(numbers, n) for n in COUNTS}, "total": numbers.total,
                            "gone": numbers.gone, "fetched": when(numbers.fetched),
                            "post_url": numbers.post_url}
                     for name, numbers in sorted(a.networks.items())}}
        for a in articles], indent=2, ensure_ascii=False)
