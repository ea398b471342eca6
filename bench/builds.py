"""Cold and warm builds: each in a fresh `python bench/child.py` process.

Builds alternate (a), (b), (c) within each run, so a burst of machine noise hits all three
alike. Before each cold build the output folder and the cache folder are removed (not timed):
every cold build starts from nothing, our card cache included. The warm builds have folders of
their own, primed once per size by a build with the caches on (Pelican's content cache for (a)
and (b), ours for (c)); before each run's warm builds one article is edited, so each warm build
is the rebuild after one edit.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pyinstrument.session import Session

from bench.profile import breakdown
from bench.setups import OURS, SETUPS, Setup
from bench.sites import edit_article, write_site

ROOT = Path(__file__).resolve().parent.parent
CHILD = ROOT / "bench" / "child.py"


class BenchError(RuntimeError):
    """A build or a measurement failed; the message says which and where its log is."""


@dataclass
class BuildRun:
    """One build: seconds, peak memory (with its helper processes'), files written.

    RSS counts a page shared by several processes (a forked helper's copy-on-write pages) once
    per process; PSS divides it among them.
    """

    seconds: float
    peak_rss_mb: float
    files: int
    profile: dict[str, Any] | None = None
    workers_peak_rss_mb: float = 0.0
    peak_pss_mb: float = 0.0


@dataclass
class SiteDirs:
    """Where one size's content, outputs, caches and logs live."""

    root: Path
    content: Path

    def output(self, key: str) -> Path:
        return self.root / f"output-{key}"

    def cache(self, key: str) -> Path:
        return self.root / f"cache-{key}"


@dataclass
class SizeResult:
    """Every cold and warm run of every setup at one article count."""

    articles: int
    runs: dict[str, list[BuildRun]] = field(default_factory=dict)
    warm: dict[str, list[BuildRun]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"articles": self.articles,
                "runs": {k: [asdict(r) for r in v] for k, v in self.runs.items()},
                "warm": {k: [asdict(r) for r in v] for k, v in self.warm.items()}}


def run_child(spec: dict[str, Any], log: Path, python: Path | None = None) -> dict[str, Any]:
    """Run one build in a new process (of `python`, default this one); return its report.

    With a profile, the child saves pyinstrument's session and the breakdown is made here, so
    the child imports nothing from bench (it also runs under the community setup's venv).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    spec_file, result_file = log.with_suffix(".spec.json"), log.with_suffix(".result.json")
    result_file.unlink(missing_ok=True)
    spec_file.write_text(json.dumps(spec | {"result": str(result_file)}), encoding="utf-8")
    with log.open("wb") as out:
        # Run in the log's folder: pelican-seo writes seo_report.html into the working folder.
        done = subprocess.run([str(python or sys.executable), str(CHILD), str(spec_file)],
                              cwd=log.parent, stdout=out, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, check=False)
    if done.returncode != 0 or not result_file.is_file():
        tail = log.read_text(errors="replace")[-1500:]
        raise BenchError(f"bench: the build exited with {done.returncode}; its log is {log}:\n"
                         f"{tail}")
    outcome = json.loads(result_file.read_text(encoding="utf-8"))
    if not outcome.get("ok"):
        raise BenchError(f"bench: our production build failed ({log}): "
                         + "; ".join(outcome.get("errors", [])[:5]))
    if "session" in outcome:
        outcome["profile"] = breakdown(Session.load(outcome.pop("session")), ROOT)
    return outcome


def build(setup: Setup, dirs: SiteDirs, log: Path, *, cold: bool = True,
          content_cache: bool = False, profile: Path | None = None,
          python: Path | None = None, siteurl: str | None = None, series: str = "") -> BuildRun:
    """Build the site one way; with `cold`, remove its output and caches first (not timed).

    `series` names a separate pair of output and cache folders (the warm builds' "-warm").
    """
    output, cache = dirs.output(setup.key + series), dirs.cache(setup.key + series)
    if cold:
        for folder in (output, cache):
            shutil.rmtree(folder, ignore_errors=True)
    spec = setup.spec(dirs.content, output, cache, content_cache=content_cache, siteurl=siteurl)
    if profile is not None:
        spec["profile"] = str(profile)
    outcome = run_child(spec, log, python)
    _wait_for_background_removal(output)
    files = sum(1 for p in output.rglob("*") if p.is_file())
    return BuildRun(outcome["seconds"], outcome["peak_rss_mb"], files, outcome.get("profile"),
                    outcome.get("workers_peak_rss_mb", 0.0), outcome.get("peak_pss_mb", 0.0))


def _wait_for_background_removal(output: Path, timeout_s: float = 60.0) -> None:
    """Wait (untimed) until the folders our build deletes in the background are gone.

    The build returns as soon as its new output is in place and leaves `rm -rf` of the old one
    (`<output>.old-*`, build/staging.py) running; that deletion would otherwise slow whichever
    build the bench runs next. Only a prefix ending in "." names them: `output-ours.` is not a
    prefix of the warm series' `output-ours-warm`.
    """
    deadline = time.monotonic() + timeout_s
    while any(output.parent.glob(f"{output.name}.*")) and time.monotonic() < deadline:
        time.sleep(0.05)


def prepare_site(work: Path, articles: int, seed: int) -> SiteDirs:
    """Write (or reuse) the synthetic site of `articles` articles."""
    root = work.resolve() / "sites" / str(articles)
    return SiteDirs(root, write_site(root, articles, seed))


Progress = Callable[[str], None]


def full_builds(dirs: SiteDirs, articles: int, runs: int, say: Progress,
                pythons: Mapping[str, Path], setups: tuple[Setup, ...] = SETUPS) -> SizeResult:
    """`runs` cold builds and `runs` warm rebuilds of each setup, alternating setups.

    `pythons` maps a setup's key to the interpreter it runs in (default: this one).
    """
    result = SizeResult(articles, {s.key: [] for s in setups}, {s.key: [] for s in setups})
    logs = dirs.root / "logs"
    for setup in setups:  # prime the warm series' caches
        build(setup, dirs, logs / f"{setup.key}-warm-prime.log", content_cache=True,
              python=pythons.get(setup.key), series="-warm")
    edited = dirs.content / "articles" / "post-00001.md"
    original = edited.read_bytes()
    try:
        for run in range(1, runs + 1):
            for setup in setups:
                started = time.monotonic()
                one = build(setup, dirs, logs / f"{setup.key}-{run}.log",
                            python=pythons.get(setup.key))
                result.runs[setup.key].append(one)
                say(f"{articles:>5} articles, run {run}/{runs}, {setup.label}: "
                    f"{one.seconds:6.2f} s, {one.peak_rss_mb:5.0f} MB, {one.files} files "
                    f"({time.monotonic() - started:.0f} s with start-up)")
            edit_article(dirs.content, run)
            for setup in setups:
                one = build(setup, dirs, logs / f"{setup.key}-warm-{run}.log", cold=False,
                            content_cache=True, python=pythons.get(setup.key), series="-warm")
                result.warm[setup.key].append(one)
                say(f"{articles:>5} articles, run {run}/{runs}, {setup.label}, warm after one "
                    f"edit: {one.seconds:6.2f} s, {one.peak_rss_mb:5.0f} MB")
    finally:
        edited.write_bytes(original)
    return result


def profile_ours(dirs: Any, articles: int, say: Any) -> dict[str, Any]:
    """Build (c) once under pyinstrument; return the breakdown and lines for the report."""
    html = dirs.root / f"profile-ours-{articles}.html"
    run = build(OURS, dirs, dirs.root / "logs" / "profile.log", profile=html)
    found = run.profile or {}
    total = found.get("total_s") or run.seconds
    say(f"{articles:>5} articles, (c) under pyinstrument: {run.seconds:.2f} s; report: {html}")
    groups = ", ".join(f"{name} {seconds:.2f} s ({seconds / total:.0%})"
                       for name, seconds in list(found.get("groups_s", {}).items())[:8])
    lines = [(f"profile of (c), {articles:,} articles (pyinstrument, inclusive time)",
              f"{total:.2f} s in all; {groups}")]
    for hot in found.get("hot", [])[:8]:
        lines.append((f"  hot spot: {hot['group']} · {hot['function']} ({hot['where']})",
                      f"{hot['seconds']:.2f} s ({hot['seconds'] / total:.0%})"))
    for leaf in found.get("self_time", [])[:8]:
        lines.append((f"  self time: {leaf['function']} ({leaf['where']}), under {leaf['group']}",
                      f"{leaf['seconds']:.2f} s ({leaf['seconds'] / total:.0%})"))
    return {"articles": articles, "seconds": run.seconds, "html": str(html),
            "breakdown": found, "lines": lines}
