"""`invoke bench`: this blog against bare Pelican and the community setup, in one run.

    .venv/bin/python -m bench.run [--sizes 200,1000,5000] [--runs 3] [--skip-lighthouse] ...

Writes bench/results/latest.json (every run and the summary), latest.md (the tables, for the
README) and build-times.png (the chart), and prints the tables. Working files (synthetic sites,
outputs, logs, the community venv, Lighthouse) go under bench/work/, which git ignores.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from bench.builds import (
    BenchError,
    SiteDirs,
    full_builds,
    prepare_site,
    profile_ours,
)
from bench.chart import draw_chart
from bench.community_env import community_python
from bench.machine import describe
from bench.report import markdown, print_report
from bench.summary import summarize

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("preview", "feeds", "deploy", "promote", "page", "lighthouse")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,1000,5000",
                        help="article counts, comma-separated (default 200,1000,5000)")
    parser.add_argument("--runs", type=int, default=3, help="full builds per setup and size")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the synthetic articles")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    for part in PARTS:
        parser.add_argument(f"--skip-{part}", action="store_true", help=f"leave out: {part}")
    parser.add_argument("--profile", choices=("auto", "always", "never"), default="auto",
                        help="profile our build with pyinstrument: when a target is missed "
                             "(auto), always, or never")
    parser.add_argument("--profile-size", type=int, default=1000,
                        help="articles in the profiled build (default 1000)")
    parser.add_argument("--report", type=Path, metavar="RAW_JSON",
                        help="measure nothing: write the results and tables again from a raw "
                             "file (bench/work/partial.json after an interrupted run)")
    args = parser.parse_args(argv)
    try:
        args.sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--sizes {args.sizes!r}: write article counts like 200,1000,5000")
    if not args.sizes or min(args.sizes) < 2 or args.runs < 1:
        parser.error("--sizes needs counts of at least 2 articles, and --runs at least 1")
    return args


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {"sizes": args.sizes, "runs": args.runs, "seed": args.seed,
            "skipped": [p for p in PARTS if getattr(args, f"skip_{p.replace('-', '_')}")],
            "profile": args.profile}


def measure(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    """Run every part that was not skipped; return the raw results.

    The full builds come first and a failure there stops the bench. Any later part that fails is
    recorded under "failed" (with the reason) and the others still run; the raw results so far
    are saved to bench/work/partial.json after each step, so a long run is never lost.
    """
    say, work = console.print, args.work.resolve()
    raw: dict[str, Any] = {"machine": describe(), "options": _options(args), "builds": [],
                           "failed": {}}
    pythons = {"community": community_python(say)}
    sites: dict[int, SiteDirs] = {}
    for size in args.sizes:
        with console.status(f"Writing {size:,} synthetic articles..."):
            sites[size] = prepare_site(work, size, args.seed)
        raw["builds"].append(full_builds(sites[size], size, args.runs, say, pythons).as_dict())
        _checkpoint(raw, work)
    runs = args.runs
    for part, run in _parts(sites, runs, work, say, args, raw["builds"]).items():
        if getattr(args, f"skip_{part}"):
            continue
        try:
            raw[part] = run()
        except Exception as exc:  # one part's failure must not lose the others
            raw["failed"][part] = f"{type(exc).__name__}: {exc}"[:1500]
            console.print(f"[red]✖ {part} failed:[/] {raw['failed'][part]}")
        _checkpoint(raw, work)
    return raw


def _parts(sites: dict[int, SiteDirs], runs: int, work: Path, say: Any,
           args: argparse.Namespace, raw_builds: list[dict[str, Any]]) -> dict[str, Any]:
    """The optional parts, in the order they run, as callables.

    Feeds, deploy and promote use the largest size (their budgets are set for 5,000 articles);
    the livereload latency is measured at every size, beside that size's full builds.
    """
    largest = max(sites)
    site = sites[largest]

    def feeds() -> dict[str, Any]:
        from bench.feeds_budget import feeds_builds

        return feeds_builds(site, largest, runs, say)

    def deploy() -> dict[str, Any]:
        from bench.deploy_bench import measure_deploy  # the deploy helper's bench

        return measure_deploy(site, largest, work, say)

    def promote() -> dict[str, Any]:
        from bench.promote_bench import measure as measure_promote  # the promotion helper's

        return with_promote_lines(measure_promote(work / "promote", say, articles=largest))

    def page() -> dict[str, Any]:
        from bench.page import measure_page

        return measure_page(work, say, not args.skip_lighthouse)

    def preview() -> dict[str, Any]:
        from bench.preview_bench import measure_preview

        return measure_preview(sites, runs, say, raw_builds)

    return {"feeds": feeds,
            "preview": preview,
            "deploy": deploy, "promote": promote, "page": page}


def _checkpoint(raw: dict[str, Any], work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    (work / "partial.json").write_text(json.dumps(raw, indent=1), encoding="utf-8")


def with_promote_lines(found: dict[str, Any]) -> dict[str, Any]:
    """Report lines for bench/promote_bench.py's figures."""
    idle, fan = found["nothing_new"], found["parallel"]
    alone = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in fan["seconds"].items()
                      if "+" not in name)
    found["lines"] = [
        (f"promote, nothing new, {idle['articles']:,} articles, {idle['networks']} networks",
         (f"{idle['in_process_s']:.3f} s in-process, {idle['process_s']:.2f} s as a new "
          f"process, {idle['requests_sent']} requests sent")),
        ((f"promote {fan['new_articles']} new articles, servers answering after "
          f"{fan['delay_s'] * 1000:.0f} ms"),
         f"all four {fan['all_four_s']:.1f} s; alone: {alone}")]
    return found


def maybe_profile(args: argparse.Namespace, raw: dict[str, Any], console: Console) -> None:
    """Profile our build at --profile-size when a target is missed (or when asked to)."""
    missed = [t for t in summarize(raw)["targets"] if t["met"] is False]
    if args.profile == "never" or (args.profile == "auto" and not missed):
        return
    size = args.profile_size
    with console.status(f"Writing {size:,} synthetic articles..."):
        dirs = prepare_site(args.work, size, args.seed)
    try:
        raw["profile"] = profile_ours(dirs, size, console.print)
    except Exception as exc:  # keep the measurements already made
        raw["failed"]["profile"] = f"{type(exc).__name__}: {exc}"[:1500]


def write_results(raw: dict[str, Any], results: Path, console: Console) -> dict[str, Any]:
    """latest.json, latest.md and build-times.png under `results`; return the summary."""
    summary = summarize(raw)
    results.mkdir(parents=True, exist_ok=True)
    (results / "latest.json").write_text(json.dumps(raw | {"summary": summary}, indent=1) + "\n",
                                         encoding="utf-8")
    (results / "latest.md").write_text(markdown(raw, summary), encoding="utf-8")
    draw_chart(raw, summary, results / "build-times.png")
    print_report(raw, summary, console)
    shown = [str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in
             (results / "latest.json", results / "latest.md", results / "build-times.png")]
    console.print(f"Wrote {', '.join(shown)}.")
    return summary


def main(argv: list[str] | None = None, console: Console | None = None) -> int:
    """Run the bench; exit status 0 (even when a target is missed), 1 when a part failed."""
    console = console or Console(highlight=False)
    args = parse_args(argv)
    if args.report:
        raw = json.loads(args.report.read_text(encoding="utf-8"))
        raw.pop("summary", None)
        write_results(raw, args.results.resolve(), console)
        return 0
    started = time.monotonic()
    try:
        raw = measure(args, console)
        maybe_profile(args, raw, console)
    except BenchError as exc:
        console.print(f"[red]✖[/] {exc}")
        return 1
    raw["seconds"] = time.monotonic() - started
    write_results(raw, args.results.resolve(), console)
    console.print(f"Bench finished in {raw['seconds'] / 60:.1f} min.")
    return 1 if raw["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
