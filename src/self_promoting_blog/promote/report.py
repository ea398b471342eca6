"""What promote shows: credential problems, the run's summary table, and the ledger report.

A dry run's previews are in ``self_promoting_blog.promote.preview``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from self_promoting_blog.promote.credentials import NetworkSetup
from self_promoting_blog.promote.ledger import Row
from self_promoting_blog.promote.runner import NetworkReport, Outcome

STYLE = {"posted": "green", "failed": "red", "unknown": "bold magenta", "skipped": "yellow",
         "waiting": "cyan", "moved": "blue", "would post": "green"}


def _cell(outcome: Outcome) -> Text:
    """Status and post URL; the reasons are listed in full under the table."""
    text = Text(outcome.status, style=STYLE.get(outcome.status, ""))
    if outcome.post_url:
        text.append(f"\n{outcome.post_url}", style="dim")
    return text


def summary_table(reports: list[NetworkReport]) -> Table:
    """Article × network: post URL, skipped (why), failed (the network's message), unknown."""
    table = Table(title="promote: this run", show_lines=True, expand=False)
    table.add_column("article", overflow="fold", max_width=40)
    for report in reports:
        table.add_column(report.label, overflow="fold", max_width=48)
    cells: dict[tuple[str, str], Outcome] = {}
    order: dict[str, str] = {}
    for report in reports:
        for outcome in report.outcomes:
            if outcome.status == "skipped" and outcome.detail == "Promote: no":
                continue
            cells[(outcome.url, report.network)] = outcome
            order.setdefault(outcome.url, outcome.title)
    for url, title in order.items():
        row: list[Any] = [Text(f"{title}\n{url}")]
        for report in reports:
            cell = cells.get((url, report.network))
            row.append(_cell(cell) if cell else Text("—", style="dim"))
        table.add_row(*row)
    return table


def network_lines(reports: list[NetworkReport], dry_run: bool = False) -> list[Text]:
    """One line per network: counts, baseline, and any reason it did not run."""
    lines = []
    for report in reports:
        if report.error:
            lines.append(Text(f"{report.label}: not run: {report.error}", style="red"))
            continue
        counts = Counter(o.status for o in report.outcomes if o.detail != "Promote: no")
        parts = [f"{n} {status}" for status, n in sorted(counts.items())]
        if report.baseline and dry_run:
            parts.append(f"first run: {len(report.baseline)} existing articles would become the "
                         "baseline (listed below)")
        elif report.baseline:
            parts.append(f"{len(report.baseline)} existing articles recorded as baseline "
                         "(not announced; `invoke promote --backfill` posts them)")
        lines.append(Text(f"{report.label}: " + (", ".join(parts) or "nothing new")))
    return lines


def print_reasons(console: Console, outcomes: Iterable[Outcome], labels: dict[str, str]) -> None:
    """Every outcome that was not (or would not be) posted, with its reason in full."""
    for outcome in outcomes:
        if outcome.status not in ("posted", "would post") and outcome.detail:
            console.print(Text(f"{labels[outcome.network]} · {outcome.title}: {outcome.status}: "
                               f"{outcome.detail}", style=STYLE.get(outcome.status, "")),
                          soft_wrap=True)


def print_summary(console: Console, reports: list[NetworkReport]) -> None:
    """The table (if anything happened), every reason in full, then a line per network."""
    shown = [o for r in reports for o in r.outcomes if o.detail != "Promote: no"]
    if shown:
        console.print(summary_table(reports))
    print_reasons(console, shown, {r.network: r.label for r in reports})
    for line in network_lines(reports):
        console.print(line, soft_wrap=True)


def print_credentials(console: Console, setups: Iterable[NetworkSetup], dry_run: bool) -> None:
    """Every credential problem, per network, all at once: ✖ stops the network, ! does not."""
    for setup in setups:
        if not setup.findings:
            continue
        label = setup.adapter.label
        if not setup.blocking:
            head = f"{label}: a warning about its credentials"
        else:
            head = (f"{label}: a real run would skip it until these are fixed" if dry_run
                    else f"{label}: skipped until these are fixed")
        console.print(Text(head, style="bold red" if setup.blocking else "bold yellow"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for finding in setup.findings:
            grid.add_row(Text("✖", style="red") if finding.blocking else Text("!", style="yellow"),
                         Text(str(finding)))
        if any(f.problem == "is not set" for f in setup.findings):
            grid.add_row("", Text(f"One-time setup: {setup.adapter.setup_help}", style="dim"))
        console.print(Padding(grid, (0, 0, 0, 2), expand=False))


def ledger_rows_json(rows: list[Row]) -> str:
    """The ledger as JSON (no secrets are ever stored in it)."""
    return json.dumps([{
        "url": r.url, "network": r.network, "account": r.account, "state": r.state,
        "title": r.title, "date": r.article_date, "post_id": r.post_id, "post_url": r.post_url,
        "detail": r.detail, "attempts": r.attempts,
        "updated": datetime.fromtimestamp(r.updated, UTC).isoformat(timespec="seconds")
        if r.updated else None} for r in rows], ensure_ascii=False, indent=2)


def ledger_table(rows: list[Row]) -> Table:
    """The ledger as a table, oldest article first."""
    table = Table(title=f"promote ledger: {len(rows)} rows", show_lines=False)
    for column in ("date", "article", "network", "state", "post / detail"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(r.article_date[:10], f"{r.title}\n{r.url}", r.network,
                      Text(r.state, style=STYLE.get(r.state, "")), r.post_url or r.detail or "")
    return table


def ledger_counts(rows: list[Row]) -> str:
    """"mastodon: 3 posted, 12 baseline; …" for the report's last line."""
    by_network: dict[str, Counter[str]] = {}
    for r in rows:
        by_network.setdefault(r.network, Counter())[r.state] += 1
    return "; ".join(f"{n}: " + ", ".join(f"{c} {s}" for s, c in sorted(counts.items()))
                     for n, counts in sorted(by_network.items())) or "the ledger is empty"
