"""The commands behind `invoke promote` and `invoke report` (tasks.py stays thin)."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

from self_promoting_blog.env import layered_environment, project_root
from self_promoting_blog.errors import UsageError
from self_promoting_blog.promote.credentials import NetworkSetup, check_network
from self_promoting_blog.promote.errors import ManifestError
from self_promoting_blog.promote.freshness import ManifestSource, check_manifest
from self_promoting_blog.promote.http import HttpClient, install_log_redaction
from self_promoting_blog.promote.ledger import ArticleRef, LedgerBackend, open_ledger
from self_promoting_blog.promote.live import LiveChecker
from self_promoting_blog.promote.manifest import read_manifest
from self_promoting_blog.promote.networks import adapter_class, check_network_name
from self_promoting_blog.promote.plan import Options
from self_promoting_blog.promote.preview import (
    DryRun,
    plan_json,
    print_dry_run,
    promote_command,
    run_flags,
)
from self_promoting_blog.promote.report import (
    ledger_counts,
    ledger_rows_json,
    ledger_table,
    print_credentials,
    print_summary,
)
from self_promoting_blog.promote.runner import NetworkReport, Outcome, Runner, Target
from self_promoting_blog.promote.samples_sqlite import read_totals
from self_promoting_blog.promote.settings import PromoteSettings, load_settings

log = logging.getLogger("promote")


def pelican_settings(path: str | Path) -> dict[str, Any]:
    """Read a Pelican settings file (publishconf.py) the way Pelican does."""
    from pelican.settings import read_settings

    return read_settings(str(path))


def setup_logging(console: Console) -> None:
    """Show promote's warnings on this run's console (replacing an earlier run's handler)."""
    install_log_redaction()
    for old in [h for h in log.handlers if isinstance(h, RichHandler)]:
        log.removeHandler(old)
    handler = RichHandler(console=console, show_time=False, show_path=False)
    handler.setLevel(logging.WARNING)
    log.addHandler(handler)


def check_credentials(settings: PromoteSettings, names: list[str]) -> list[NetworkSetup]:
    """Every network's variables, checked: all problems of all networks at once."""
    env = layered_environment(settings.env_file)
    return [check_network(adapter_class(name), env, settings.language) for name in names]


def build_targets(settings: PromoteSettings, setups: list[NetworkSetup],
                  dry_run: bool) -> dict[str, Target]:
    """One Target per network: its adapter, or the credential problems that stop it.

    A dry run still composes for a network without credentials (it sends nothing).
    """
    targets: dict[str, Target] = {}
    for setup in setups:
        cls = setup.adapter
        if setup.config is None:
            names = ", ".join(dict.fromkeys(f.variable for f in setup.blocking))
            targets[cls.name] = Target(cls, error=None if dry_run else
                                       f"fix {names} first (listed above)")
            continue
        client = HttpClient(cls.name, settings.connect_timeout, settings.read_timeout)
        adapter = cls(setup.config, client)
        targets[cls.name] = Target(cls, adapter, adapter.account_id())
    return targets


def _ensure_fresh_manifest(pelican: Mapping[str, Any], settings: PromoteSettings,
                           source: ManifestSource, options: Options, network: str | None,
                           console: Console) -> None:
    """Rebuild a missing or outdated manifest for a dry run; refuse a real run with one."""
    state = check_manifest(settings.manifest_path, Path(str(pelican.get("PATH") or "content")),
                           source.settings_files)
    if not state.stale:
        return
    reason = state.reason(project_root(pelican))
    if not options.dry_run:
        flags = run_flags(options)
        again = f", then `{promote_command(network, *flags)}` again" if flags or network else ""
        raise ManifestError(f"promote: {reason}. Run `invoke publish` (it builds, checks, "
                            f"deploys, then announces){again}; "
                            f"`{promote_command(network, '--dry-run')}` shows what it would post.")
    console.print(Text(f"promote: {reason}; building the production site (as `invoke "
                       "preview` does) so the dry run shows the current text.", style="yellow"))
    if not source.rebuild():
        raise ManifestError("promote: the production build failed (errors above), so there is no "
                            "current text to show; fix them and run `invoke promote --dry-run` "
                            "again.")


def _options(settings: PromoteSettings, dry_run: bool, backfill: bool, since: str | None,
             retry_unknown: bool) -> Options:
    if since and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
        raise UsageError(f"promote: --since {since!r} is not a date; write it as YYYY-MM-DD.")
    if since and not backfill:
        raise UsageError("promote: --since only applies with --backfill "
                         "(`invoke promote --backfill --since 2024-01-01`).")
    return Options(backfill=backfill, since=since, retry_unknown=retry_unknown, dry_run=dry_run,
                   max_per_run=settings.max_per_run)


def _networks(settings: PromoteSettings, network: str | None) -> list[str]:
    if not network:
        return list(settings.networks)
    name = check_network_name(network, "--network")
    if name not in settings.networks:
        raise UsageError(f"promote: --network {name}: it is not in PROMOTE_NETWORKS "
                         f"({', '.join(settings.networks) or 'empty'}); add it in publishconf.py.")
    return [name]


def promote(pelican: Mapping[str, Any], *, dry_run: bool = False, network: str | None = None,
            backfill: bool = False, since: str | None = None, retry_unknown: bool = False,
            source: ManifestSource | None = None, json_out: TextIO | None = None,
            console: Console | None = None) -> int:
    """Run promote; print progress and a summary. Exit status 1 if anything needs attention.

    Raises a BlogError when it cannot run at all (a setting, an option, the manifest, the ledger).
    `source` (from `invoke promote`) makes a dry run rebuild an outdated manifest and a real run
    refuse one; without it the caller vouches for the manifest (`invoke publish` just built it).
    `json_out` takes a dry run's planned posts as JSON; `console` then gets only the notes.
    """
    console = console or Console()
    setup_logging(console)
    settings = load_settings(pelican)
    if not settings.networks:
        console.print("promote: PROMOTE_NETWORKS is empty in publishconf.py: nothing to do.")
        return 0
    options = _options(settings, dry_run, backfill, since, retry_unknown)
    names = _networks(settings, network)
    if source is not None:
        _ensure_fresh_manifest(pelican, settings, source, options, network, console)
    entries = read_manifest(settings.manifest_path)
    ledger = open_ledger(settings.ledger, settings.ledger_path, pelican, read_only=dry_run)
    try:
        setups = check_credentials(settings, names)
        print_credentials(console, setups, dry_run)
        targets = build_targets(settings, setups, dry_run)
        live = LiveChecker(settings.live_check and not dry_run, settings.live_wait,
                           settings.live_interval, settings.read_timeout)
        scores = _scores(pelican, settings, ledger)
        reports = _run_with_progress(console, settings, ledger, options, live, entries, targets,
                                     scores)
        if dry_run:
            plan = DryRun(reports, options, network,
                          tuple(s.adapter.label for s in setups if s.config is None))
            if json_out is None:
                plan = _first_run_alternatives(
                    plan, lambda other: Runner(settings, ledger, other, live, scores=scores).run(
                        entries, targets))
    finally:
        ledger.close()
    if dry_run:
        if json_out is not None:
            json_out.write(plan_json(plan.reports) + "\n")
        else:
            print_dry_run(console, plan)
        return 0
    print_summary(console, reports)
    bad = any(r.error for r in reports) or any(
        o.status in ("failed", "unknown") for r in reports for o in r.outcomes)
    return 1 if bad else 0


def _scores(pelican: Mapping[str, Any], settings: PromoteSettings,
            ledger: LedgerBackend) -> Callable[[], dict[str, int]]:
    """Each article's interactions from `invoke stats`' samples, read once, when evergreen
    first has a slot to fill."""
    return functools.cache(lambda: read_totals(settings.ledger, settings.ledger_path, pelican,
                                               ledger.rows()))


def _run_with_progress(console: Console, settings: PromoteSettings, ledger: LedgerBackend,
                       options: Options, live: LiveChecker, entries: list[Any],
                       targets: dict[str, Target],
                       scores: Callable[[], dict[str, int]]) -> list[NetworkReport]:
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=True, disable=options.dry_run) as progress:
        tasks: dict[str, Any] = {}

        def planned(name: str, count: int) -> None:
            tasks[name] = progress.add_task(f"{name}", total=count)

        def done(outcome: Outcome) -> None:
            if outcome.network in tasks:
                progress.advance(tasks[outcome.network])

        runner = Runner(settings, ledger, options, live, on_outcome=done, on_plan=planned,
                        scores=scores)
        return runner.run(entries, targets)


def _first_run_alternatives(plan: DryRun,
                            run: Callable[[Options], list[NetworkReport]]) -> DryRun:
    """On a first run, also plan `--backfill --since <newest article's date>` and `--backfill`."""
    first = [ref for r in plan.reports if r.first_run for ref in r.baseline]
    if plan.options.backfill or not first:
        return plan
    since = max(ref.date for ref in first)[:10]
    return replace(plan, since=since,
                   with_since=run(replace(plan.options, backfill=True, since=since)),
                   with_backfill=run(replace(plan.options, backfill=True)))


def mark_posted(pelican: Mapping[str, Any], url: str, network: str, post_url: str | None,
                console: Console | None = None) -> int:
    """Settle rows of `url` on `network` as posted by hand (after checking the network)."""
    console = console or Console()
    settings = load_settings(pelican)
    name = check_network_name(network, "--network")
    ledger = open_ledger(settings.ledger, settings.ledger_path, pelican)
    try:
        rows = [r for r in ledger.rows(name) if r.url == url]
        if not rows:
            raise UsageError(f"promote: the ledger has no {name} row for {url}; "
                             "`invoke report` lists the rows.")
        for row in rows:
            ledger.note(ArticleRef(row.url, row.title, row.article_date, row.article_id), name,
                        row.account, "posted", "marked posted by hand", post_url=post_url or None,
                        only_from=frozenset({"unknown", "sending", "pending", "skipped",
                                             "failed", "baseline"}))
    finally:
        ledger.close()
    console.print(f"promote: {url} on {name} is recorded as posted"
                  + (f" ({post_url})" if post_url else "") + ".")
    return 0


def report(pelican: Mapping[str, Any], as_json: bool = False,
           console: Console | None = None) -> int:
    """Show the ledger: a table, or JSON."""
    console = console or Console()
    settings = load_settings(pelican)
    ledger = open_ledger(settings.ledger, settings.ledger_path, pelican, read_only=True)
    rows = ledger.rows()
    ledger.close()
    if as_json:
        console.print_json(ledger_rows_json(rows)) if console.is_terminal else \
            console.out(ledger_rows_json(rows), highlight=False)
        return 0
    if not rows:
        console.print(f"promote: the ledger ({settings.ledger_path}) is empty: nothing has been "
                      "announced yet; `invoke promote` fills it.")
        return 0
    console.print(ledger_table(rows))
    console.print(ledger_counts(rows))
    return 0
