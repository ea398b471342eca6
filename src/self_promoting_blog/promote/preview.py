"""What `invoke promote --dry-run` shows, and its `--json` form.

Each post appears as a reader will see it: the text with its link, the link card's title and
image, and the length counted the network's way. On a network's first run the dry run also lists
the articles that become the baseline and shows what `--backfill --since DATE` (DATE: the newest
article's) and `--backfill` would post instead, then ends with the commands to run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from self_promoting_blog.promote.ledger import ArticleRef
from self_promoting_blog.promote.networks import adapter_class
from self_promoting_blog.promote.plan import Options
from self_promoting_blog.promote.report import network_lines, print_reasons
from self_promoting_blog.promote.runner import NetworkReport, Outcome

HEAD, TAIL = 3, 8  # a long baseline is listed as its oldest HEAD and newest TAIL articles


@dataclass
class DryRun:
    """A dry run's plan; on a first run, also the same run with `--backfill [--since]`."""

    reports: list[NetworkReport]
    options: Options
    network: str | None = None                  # --network, repeated in the suggested commands
    blocked: tuple[str, ...] = ()               # labels of networks a real run would skip
    since: str | None = None                    # first run: the newest baseline article's date
    with_since: list[NetworkReport] = field(default_factory=list)
    with_backfill: list[NetworkReport] = field(default_factory=list)


def promote_command(network: str | None, *flags: str) -> str:
    """The `invoke promote` command line with `flags` (and --network, if one was given)."""
    return " ".join(["invoke promote", *(["--network", network] if network else []), *flags])


def run_flags(options: Options) -> list[str]:
    """The flags that choose what a run posts (--backfill, --since, --retry-unknown)."""
    return (["--backfill"] if options.backfill else []) + (
        ["--since", options.since] if options.since else []) + (
        ["--retry-unknown"] if options.retry_unknown else [])


def _and(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def _grouped(reports: Iterable[NetworkReport],
             key: Callable[[NetworkReport], Hashable]) -> list[tuple[str, Any]]:
    """Networks with the same `key` together: [("Mastodon and Bluesky", key), …]."""
    groups: dict[Hashable, list[str]] = {}
    for report in reports:
        groups.setdefault(key(report), []).append(report.label)
    return [(_and(labels), value) for value, labels in groups.items()]


def _posts(reports: list[NetworkReport],
           skip: frozenset[tuple[str, str]] = frozenset()) -> list[tuple[str, Outcome]]:
    """The composed posts, article by article (networks in their order), minus `skip`."""
    found = [(r.label, o) for r in reports for o in r.outcomes
             if o.message is not None and (o.network, o.url) not in skip]
    order = {url: i for i, url in enumerate(dict.fromkeys(o.url for _, o in found))}
    return sorted(found, key=lambda item: order[item[1].url])


def post_panel(label: str, outcome: Outcome) -> Panel:
    """One post as a reader will see it, its length counted the network's way underneath."""
    message = outcome.message
    assert message is not None  # only composed posts are shown
    card = Table.grid(padding=(0, 2))
    card.add_column(style="dim", no_wrap=True)
    card.add_column(overflow="fold")
    card.add_row("card", Text(message.card.title))
    card.add_row("image", Text(message.card.image_url or "none"))
    fits = message.length <= message.limit
    count = Text(f" {message.length}/{message.limit} "
                 f"{adapter_class(outcome.network).length_unit()}{'' if fits else ': too long'} ",
                 style="green" if fits else "bold red")
    return Panel(Group(Text(message.text, overflow="fold"), Text(), card),
                 title=Text(f" {label} · {outcome.title} ", style="bold"), title_align="left",
                 subtitle=count, subtitle_align="right")


def _article_list(refs: list[ArticleRef]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    shown: list[ArticleRef | None] = (list(refs) if len(refs) <= HEAD + TAIL + 1
                                      else [*refs[:HEAD], None, *refs[-TAIL:]])
    for ref in shown:
        if ref is None:  # the middle of a long list
            grid.add_row("", Text(f"… {len(refs) - HEAD - TAIL:,} more …", style="dim"))
        else:
            grid.add_row(ref.date[:10], Text(ref.title))
    return grid


def _indented(renderable: Any) -> Padding:
    return Padding(renderable, (0, 0, 0, 2), expand=False)


def _print_baseline(console: Console, reports: list[NetworkReport]) -> None:
    """The articles a first run records as baseline, once for networks where they are the same."""
    first = [r for r in reports if r.first_run and r.baseline]
    for labels, refs in _grouped(first, lambda r: tuple(r.baseline)):
        console.print()
        console.print(Text.assemble(
            "First run on ", (labels, "bold"), f": these {len(refs):,} published articles become "
            "the baseline, recorded and never posted unless you backfill:"))
        console.print(_indented(_article_list(list(refs))))


def _print_backfill(console: Console, run: DryRun) -> None:
    """What --backfill --since <newest date> (each text) and --backfill (titles) would post."""
    console.print()
    console.print(Text.assemble(
        (promote_command(run.network, "--backfill", "--since", str(run.since)), "bold cyan"),
        f" would also post the articles dated {run.since} or later:"))
    shown = frozenset((o.network, o.url) for _, o in _posts(run.reports))
    for label, outcome in _posts(run.with_since, shown):
        console.print(post_panel(label, outcome))
    console.print()
    console.print(Text.assemble(
        (promote_command(run.network, "--backfill"), "bold cyan"),
        f" would post these, oldest first, at most {run.options.max_per_run} per network per run:"))
    for labels, (titles, later) in _grouped(run.with_backfill, lambda r: (
            tuple(o.title for o in r.outcomes if o.status == "would post"),
            sum(o.status == "waiting" for o in r.outcomes))):
        lines = [Text(title) for title in titles]
        if later:
            lines.append(Text(f"and {later:,} more on the next runs", style="dim"))
        console.print(_indented(Group(Text(f"{labels}:", style="bold"),
                                      _indented(Group(*lines)))))


def _next_steps(run: DryRun, posts: bool) -> list[tuple[str, str]]:
    """The commands to run next, each with what it does."""
    net, options = run.network, run.options
    if run.since is None:
        return [(promote_command(net, *run_flags(options)), "post what is shown above")] \
            if posts else []
    count = max(len(r.baseline) for r in run.reports)
    return [(promote_command(net), "post what is shown first; record the baseline" if posts
             else "record the baseline; announce nothing"),
            (promote_command(net, "--backfill", "--since", run.since),
             f"also announce those dated {run.since} or later"),
            (promote_command(net, "--dry-run", "--backfill"),
             "see every text --backfill would post"),
            (promote_command(net, "--backfill"),
             f"announce all {count:,}, oldest first, {options.max_per_run} per run")]


def print_dry_run(console: Console, run: DryRun) -> None:
    """Every post of this run, why others are not posted, a line per network, then what next."""
    posts = _posts(run.reports)
    for label, outcome in posts:
        console.print(post_panel(label, outcome))
    shown = [o for r in run.reports for o in r.outcomes if o.detail != "Promote: no"]
    print_reasons(console, shown, {r.network: r.label for r in run.reports})
    for line in network_lines(run.reports, dry_run=True):
        console.print(line)
    _print_baseline(console, run.reports)
    if run.since is not None:
        _print_backfill(console, run)
    console.print()
    console.print("Dry run: nothing was posted and the ledger was not touched.")
    steps = _next_steps(run, bool(posts))
    if run.blocked:
        console.print(Text(f"Before a real run, fix the credentials listed above for "
                           f"{_and(list(run.blocked))}.", style="yellow"))
    if steps:
        console.print(Text("Next, run" + (" one of:" if len(steps) > 1 else ":"), style="bold"))
        grid = Table.grid(padding=(0, 3))
        grid.add_column(style="bold cyan", no_wrap=True)
        grid.add_column()
        for command, meaning in steps:
            grid.add_row(command, meaning)
        console.print(_indented(grid))


def plan_json(reports: list[NetworkReport]) -> str:
    """One object per planned post, with fixed keys (README, "Promotion › Dry run as JSON")."""
    items = []
    for report in reports:
        cls = adapter_class(report.network)
        for outcome in report.outcomes:
            if outcome.status not in ("would post", "failed"):  # failed: it cannot be composed
                continue
            message = outcome.message
            card = message.card if message else None
            items.append({
                "network": report.network, "article": outcome.url, "title": outcome.title,
                "status": outcome.status, "detail": outcome.detail or None,
                "text": message.text if message else None,
                "link": message.link if message else None,
                "length": message.length if message else None,
                "limit": message.limit if message else None, "unit": cls.length_unit(),
                "card": {"url": card.url, "title": card.title, "description": card.description,
                         "image": card.image_url} if card else None,
                "payload": cls.payload_preview(message) if message else None})
    return json.dumps(items, ensure_ascii=False, indent=2)
