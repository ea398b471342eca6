"""`invoke stats`: read back what the due posts earned, store the samples, show the numbers.

Every network in PROMOTE_NETWORKS is asked in its own thread about its posts that are due
(``cadence``); each network's samples are added to the ledger's store, and the replies it gave
replace the stored ones, as soon as it is done, so a failure elsewhere loses none. One network's
failure never stops the others.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

from self_promoting_blog.errors import UsageError
from self_promoting_blog.promote.command import check_credentials, setup_logging
from self_promoting_blog.promote.credentials import NetworkSetup
from self_promoting_blog.promote.http import HttpClient
from self_promoting_blog.promote.ledger import open_ledger
from self_promoting_blog.promote.networks import adapter_class
from self_promoting_blog.promote.responses import ResponseStore
from self_promoting_blog.promote.responses_sqlite import open_responses
from self_promoting_blog.promote.rows import Row
from self_promoting_blog.promote.samples import Latest, Sample, SampleStore
from self_promoting_blog.promote.samples_sqlite import open_samples
from self_promoting_blog.promote.settings import PromoteSettings, load_settings
from self_promoting_blog.stats.cadence import MAX_PER_RUN, Due, due_posts
from self_promoting_blog.stats.fetch import Fetched, Pace, fetch
from self_promoting_blog.stats.table import stats_json, stats_table, summarize

SHOWN_DUE = 10  # due posts a dry run lists per network


def stats(pelican: Mapping[str, Any], *, dry_run: bool = False, since: str | None = None,
          article: str | None = None, json_out: TextIO | None = None, report: bool = False,
          console: Console | None = None, now: Callable[[], float] = time.time,
          sleep: Callable[[float], None] = time.sleep) -> int:
    """Fetch (or, with `dry_run`, list) the due posts' counts, then print the numbers.

    `json_out` takes them as JSON instead of a table; `report` also writes the HTML report.
    Exit status 1 when a network refused the token or a request got no answer.
    """
    console = console or Console()
    setup_logging(console)
    if since:
        _check_date(since)
    settings = load_settings(pelican)
    ledger = open_ledger(settings.ledger, settings.ledger_path, pelican, read_only=True)
    try:
        rows = ledger.rows()
    finally:
        ledger.close()
    store = open_samples(settings.ledger, settings.ledger_path, pelican, read_only=dry_run)
    try:
        latest = store.latest()
        due = _due_by_network(settings, rows, latest, now())
        if dry_run:
            print_plan(console, settings, due)
            code = 0
        else:
            responses = open_responses(settings.ledger, settings.ledger_path, pelican)
            try:
                results = _fetch_all(console, settings, due, store, responses, now, sleep)
            finally:
                responses.close()
            print_fetched(console, results)
            code = 1 if any(r.failed or (r.stopped and not r.rate_limited)
                            for r in results) else 0
            latest = store.latest()
        # Only the report draws the whole series.
        samples = store.samples() if report else []
    finally:
        store.close()
    _show(console, rows, latest, since, article, json_out)
    if report:
        _report(console, settings, rows, samples)
    return code


def _check_date(since: str) -> None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
        raise UsageError(f"stats: --since {since!r} is not a date; write it as YYYY-MM-DD.")


def _due_by_network(settings: PromoteSettings, rows: Sequence[Row], latest: Latest,
                    now: float) -> dict[str, list[Due]]:
    """Each network's due posts (at most MAX_PER_RUN), most overdue first."""
    due: dict[str, list[Due]] = {name: [] for name in settings.networks}
    for item in due_posts([r for r in rows if r.network in due], latest, now):
        due[item.row.network].append(item)
    return due


def print_plan(console: Console, settings: PromoteSettings, due: dict[str, list[Due]]) -> None:
    """What a run would ask each network now; nothing is sent."""
    console.print(Text("stats: dry run: nothing is sent; this is what a run would ask now.",
                       style="bold"))
    for name, items in due.items():
        cls = adapter_class(name)
        if cls.no_counts:
            console.print(f"{cls.label}: no counts ({cls.no_counts}).")
            continue
        asked = items[:MAX_PER_RUN]
        requests = -(-len(asked) // max(1, cls.read_batch))
        later = f"; {len(items) - len(asked)} more on the next run" if len(items) > len(asked) \
            else ""
        console.print(f"{cls.label}: {len(asked)} posts due, {requests} requests{later}.")
        for item in asked[:SHOWN_DUE]:
            when = "never read" if item.last is None else "last read " + time.strftime(
                "%Y-%m-%d %H:%M UTC", time.gmtime(item.last.fetched))
            console.print(Text(f"  {item.row.title or item.row.url}: {item.row.post_url} "
                               f"({when})"))
        if len(asked) > SHOWN_DUE:
            console.print(f"  … and {len(asked) - SHOWN_DUE} more")


def _adapters(settings: PromoteSettings, setups: Sequence[NetworkSetup],
              console: Console) -> dict[str, Any]:
    adapters = {}
    for setup in setups:
        cls = setup.adapter
        if setup.config is None:
            names = ", ".join(dict.fromkeys(f.variable for f in setup.blocking))
            console.print(Text(f"{cls.label}: not read: fix {names} first "
                               "(`invoke promote --dry-run` lists what is wrong).",
                               style="yellow"))
            continue
        client = HttpClient(cls.name, settings.connect_timeout, settings.read_timeout)
        adapters[cls.name] = cls(setup.config, client)
    return adapters


def _fetch_all(console: Console, settings: PromoteSettings, due: dict[str, list[Due]],
               store: SampleStore, responses: ResponseStore, now: Callable[[], float],
               sleep: Callable[[float], None]) -> list[Fetched]:
    """Every network in its own thread; each one's samples and replies stored as soon as it is
    done."""
    readable = [name for name, items in due.items()
                if items and not adapter_class(name).no_counts]
    for name in due:
        cls = adapter_class(name)
        if cls.no_counts:
            console.print(f"{cls.label}: no counts ({cls.no_counts}).")
        elif cls.no_replies:
            console.print(f"{cls.label}: replies not read ({cls.no_replies}).")
    adapters = _adapters(settings, check_credentials(settings, readable), console)
    pace = Pace(settings.max_wait, settings.max_retries, settings.backoff, sleep)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=True) as progress:

        def run(name: str) -> Fetched:
            items = due[name][:MAX_PER_RUN]
            task = progress.add_task(name, total=len(items))
            try:
                result = fetch(adapters[name], items, now, pace,
                               lambda n: progress.advance(task, n))
                store.add(result.samples)
                responses.replace(result.threads)
            finally:
                adapters[name].close()
            result.left += len(due[name]) - len(items)
            return result

        with ThreadPoolExecutor(max_workers=max(1, len(adapters))) as pool:
            return list(pool.map(run, adapters))


def print_fetched(console: Console, results: Sequence[Fetched]) -> None:
    """One line per network: how many posts were read, and anything that went wrong."""
    for result in results:
        label = adapter_class(result.network).label
        gone = f" ({result.gone} deleted)" if result.gone else ""
        left = f"; {result.left} due on the next run" if result.left else ""
        replies = sum(len(thread.replies) for thread in result.threads)
        shown = f", {replies} replies to show" if replies else ""
        console.print(f"{label}: {len(result.samples)} posts read{gone}{shown}{left}.")
        if result.stopped:
            console.print(Text(f"{label}: stopped: {result.stopped}", style="yellow"))
        for failure in result.failed:
            console.print(Text(f"{label}: no answer: {failure}", style="yellow"))


def _show(console: Console, rows: Sequence[Row], latest: Latest, since: str | None,
          article: str | None, json_out: TextIO | None) -> None:
    articles = summarize(rows, latest, since, article)
    if json_out is not None:
        json_out.write(stats_json(articles) + "\n")
    elif articles:
        labels = {name: adapter_class(name).label for a in articles for name in a.networks}
        console.print(stats_table(articles, labels))
    else:
        console.print("stats: no announced post matches; `invoke promote` announces articles.")


def _report(console: Console, settings: PromoteSettings, rows: Sequence[Row],
            samples: Sequence[Sample]) -> None:
    from self_promoting_blog.stats.report import write_report

    path = report_path(settings)
    write_report(path, rows, samples)
    console.print(f"stats: the report is {path} (open it in a browser; it is not deployed).")


def report_path(settings: PromoteSettings) -> Path:
    """The HTML report's file: beside the SQLite ledger, outside output/ (never deployed)."""
    return settings.ledger_path.parent / "stats.html"
