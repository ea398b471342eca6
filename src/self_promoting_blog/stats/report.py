"""`invoke stats --report`: one self-contained HTML file with charts, opened offline.

The charts are drawn by matplotlib as SVG (text drawn as paths, so no font is fetched) and
inlined; the page has no script, stylesheet link or image URL, so it loads nothing from anywhere.
Every title and name is escaped. It is written beside the ledger, never under output/.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from matplotlib import dates
from matplotlib.figure import Figure

from self_promoting_blog.promote.networks import adapter_class, known_networks
from self_promoting_blog.promote.rows import Row
from self_promoting_blog.promote.samples import Latest, Sample, latest_samples
from self_promoting_blog.stats.cadence import readable
from self_promoting_blog.stats.table import summarize

TOP = 10  # articles in the top-articles chart
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Engagement report</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
        padding: 0 1rem; color: #1a1a1a; }}
svg {{ max-width: 100%; height: auto; }}
table {{ border-collapse: collapse; }}
th, td {{ padding: .2rem .6rem; border-bottom: 1px solid #ddd; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
</style>
</head>
<body>
<h1>Engagement report</h1>
<p>Made {made} from {count} samples. Likes, reposts, replies and quotes, as each network counts
them.</p>
{sections}
</body>
</html>
"""


def _svg(figure: Figure) -> str:
    """The figure as inline SVG markup (no XML declaration, no metadata with a date)."""
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    return text[text.index("<svg"):]


def _label(name: str) -> str:
    return adapter_class(name).label if name in known_networks() else name


def over_time(samples: Sequence[Sample]) -> Figure | None:
    """Each network's total engagement (its posts' latest counts added up) after every fetch."""
    figure = Figure(figsize=(8, 3.5))
    axes = figure.add_subplot()
    by_network: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_network[sample.network].append(sample)
    for network, found in sorted(by_network.items()):
        current: dict[tuple[str, str], int] = {}
        times: list[float] = []
        totals: list[int] = []
        for sample in sorted(found, key=lambda s: s.fetched):
            current[(sample.url, sample.account)] = sample.total()
            times.append(dates.date2num(datetime.fromtimestamp(sample.fetched, UTC)))
            totals.append(sum(current.values()))
        axes.step(times, totals, where="post", label=_label(network))
    if not by_network:
        return None
    axes.xaxis_date(UTC)
    axes.set_ylabel("likes + reposts + replies + quotes")
    axes.legend(loc="upper left")
    figure.autofmt_xdate()
    figure.tight_layout()
    return figure


def top_articles(rows: Sequence[Row], latest: Latest) -> Figure | None:
    """The articles with the most engagement, all networks together."""
    articles = [a for a in summarize(rows, latest) if a.total][:TOP]
    if not articles:
        return None
    figure = Figure(figsize=(8, 0.5 + 0.4 * len(articles)))
    axes = figure.add_subplot()
    # "$" would start matplotlib's math mode; a writer's title is plain text.
    names = [(a.title or a.url)[:60].replace("$", r"\$") for a in reversed(articles)]
    axes.barh(names, [a.total for a in reversed(articles)], color="#3b6ea5")
    axes.set_xlabel("likes + reposts + replies + quotes")
    figure.tight_layout()
    return figure


def best_hours(rows: Sequence[Row], latest: Latest) -> Figure | None:
    """Per network, the average engagement of posts by the hour (UTC) they went out."""
    by_hour: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for row in filter(readable, rows):
        sample = latest.get((row.url, row.network, row.account))
        if sample is not None and not sample.gone:
            hour = datetime.fromtimestamp(row.updated, UTC).hour
            by_hour[row.network][hour].append(sample.total())
    if not by_hour:
        return None
    figure = Figure(figsize=(8, 3.5))
    axes = figure.add_subplot()
    for network, hours in sorted(by_hour.items()):
        points = sorted((hour, sum(v) / len(v)) for hour, v in hours.items())
        axes.plot([h for h, _ in points], [m for _, m in points], marker="o",
                  label=_label(network))
    axes.set_xticks(range(0, 24, 3))
    axes.set_xlim(-0.5, 23.5)
    axes.set_xlabel("hour the post went out (UTC)")
    axes.set_ylabel("average engagement per post")
    axes.legend(loc="upper left")
    figure.tight_layout()
    return figure


def _table(rows: Sequence[Row], latest: Latest) -> str:
    lines = ["<table><thead><tr><th>Article</th><th>Networks</th><th>Total</th></tr></thead>"
             "<tbody>"]
    for entry in summarize(rows, latest):
        networks = ", ".join(f"{_label(name)} {numbers.total}"
                             for name, numbers in sorted(entry.networks.items()))
        lines.append(f"<tr><td>{escape(entry.title or entry.url)}</td><td>{escape(networks)}"
                     f"</td><td>{entry.total}</td></tr>")
    return "\n".join(lines + ["</tbody></table>"])


def render_report(rows: Sequence[Row], samples: Sequence[Sample], made: datetime) -> str:
    """The whole page: the time series drawn over time, the rest at each post's latest."""
    latest = latest_samples(samples)
    sections = []
    for title, figure in (("Engagement over time, per network", over_time(samples)),
                          ("Top articles", top_articles(rows, latest)),
                          ("Best posting hour, per network", best_hours(rows, latest))):
        body = _svg(figure) if figure is not None else "<p>No samples yet.</p>"
        sections.append(f"<h2>{escape(title)}</h2>\n{body}")
    sections.append(f"<h2>Every article</h2>\n{_table(rows, latest)}")
    return PAGE.format(made=escape(made.strftime("%Y-%m-%d %H:%M UTC")), count=len(samples),
                       sections="\n".join(sections))


def write_report(path: Path, rows: Sequence[Row], samples: Sequence[Sample]) -> None:
    """Write the report to `path` (its folder is made if needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(rows, samples, datetime.now(UTC)), encoding="utf-8")
