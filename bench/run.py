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

from bench.builds import BenchError, SiteDirs, full_builds, incremental_builds, prepare_site
from bench.chart import draw_chart
from bench.community_env import community_python
from bench.machine import describe
from bench.report import markdown, print_report
from bench.summary import summarize

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("incremental", "feeds", "deploy", "promote", "page", "lighthouse")


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
    """Run every part that was not skipped; return the raw results."""
    say = console.print
    raw: dict[str, Any] = {"machine": describe(), "options": _options(args), "builds": []}
    pythons = {"community": community_python(args.work.resolve(), say)}
    sites: dict[int, SiteDirs] = {}
    for size in args.sizes:
        with console.status(f"Writing {size:,} synthetic articles..."):
            sites[size] = prepare_site(args.work, size, args.seed)
        raw["builds"].append(full_builds(sites[size], size, args.runs, say, pythons).as_dict())
    largest = max(args.sizes)
    if not args.skip_feeds:
        from bench.feeds_budget import feeds_builds

        raw["feeds"] = feeds_builds(sites[largest], largest, args.runs, say)
    if not args.skip_incremental:
        raw["incremental"] = incremental_builds(sites[largest], largest, args.runs, say).as_dict()
    if not args.skip_deploy:
        from bench.deploy_part import measure_deploy

        raw["deploy"] = measure_deploy(sites[largest], largest, args.work.resolve(), say)
    if not args.skip_promote:
        from bench.promotion import measure_promotion

        raw["promote"] = measure_promotion(sites[largest], largest, args.work.resolve(), say)
    if not args.skip_page:
        from bench.page import measure_page

        raw["page"] = measure_page(args.work.resolve(), say, not args.skip_lighthouse)
    return raw


def maybe_profile(args: argparse.Namespace, raw: dict[str, Any], console: Console) -> None:
    """Profile our build at --profile-size when a target is missed (or when asked to)."""
    missed = [t for t in summarize(raw)["targets"] if t["met"] is False]
    if args.profile == "never" or (args.profile == "auto" and not missed):
        return
    from bench.profile import profile_ours

    size = args.profile_size
    with console.status(f"Writing {size:,} synthetic articles..."):
        dirs = prepare_site(args.work, size, args.seed)
    raw["profile"] = profile_ours(dirs, size, console.print)


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
    return 0


if __name__ == "__main__":
    sys.exit(main())
