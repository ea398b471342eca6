"""`invoke livereload`'s latency: from saving an article to the reloaded page, at each size.

Beside it, what the same edit cost with the old livereload (a full development build per change)
and our full production build from the build table. Targets (issue #15): ≤ 0.5 s at 1,000
articles and ≤ 1 s at 5,000 (median), the preview's peak memory ≤ 2× bare Pelican's build peak.
Each measurement runs in its own process (bench/preview_child.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from statistics import median
from typing import Any

from bench.builds import ROOT, BenchError, SiteDirs

TARGETS_S = {1000: 0.5, 5000: 1.0}
MEMORY_RATIO = 2.0


def _child(mode: str, dirs: SiteDirs, runs: int) -> dict[str, Any]:
    key = f"preview-{mode}"
    logs = dirs.root / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    spec_file, result_file = logs / f"{key}.spec.json", logs / f"{key}.result.json"
    result_file.unlink(missing_ok=True)
    cache, output = dirs.cache(key), dirs.output(key)
    for folder in (cache, output):
        shutil.rmtree(folder, ignore_errors=True)
    spec = {"mode": mode, "settings_file": str(ROOT / "pelicanconf.py"), "runs": runs,
            "result": str(result_file),
            "override": {"PATH": str(dirs.content), "OUTPUT_PATH": str(output),
                         "CACHE_PATH": str(cache)}}
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    log = logs / f"{key}.log"
    with log.open("wb") as out:
        done = subprocess.run([sys.executable, "-m", "bench.preview_child", str(spec_file)],
                              cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, check=False)
    if done.returncode != 0 or not result_file.is_file():
        raise BenchError(f"bench: the {key} measurement exited with {done.returncode}; its log "
                         f"is {log}:\n{log.read_text(errors='replace')[-1500:]}")
    return dict(json.loads(result_file.read_text(encoding="utf-8")))


def measure_preview(sites: dict[int, SiteDirs], runs: int, say: Callable[[str], None],
                    builds: list[dict[str, Any]]) -> dict[str, Any]:
    """Per size: the preview's median latency over `runs` edits (at least 5), the old rebuild's
    median, and the report lines and targets."""
    found: dict[str, Any] = {"sizes": [], "lines": [], "targets": []}
    for size, dirs in sorted(sites.items()):
        shown = dirs.content / "articles" / "post-00001.md"
        original = shown.read_bytes()
        try:
            live = _child("preview", dirs, max(runs, 5))
            old = _child("rebuild", dirs, runs)
        finally:
            shown.write_bytes(original)
        row = {"articles": size, "median_s": median(live["latencies_s"]),
               "update_median_s": median(live["updates_s"]),
               "first_update_s": live["first_update_s"], "peak_rss_mb": live["peak_rss_mb"],
               "first_workers_rss_mb": live["first_workers_rss_mb"],
               "editing_rss_mb": live["editing_rss_mb"],
               "rebuild_median_s": median(old["rebuilds_s"]),
               "full_s": _ours_full(builds, size),
               "bare_rss_mb": _bare_rss(builds, size)}
        found["sizes"].append(row)
        say(f"{size:>5} articles, livereload: {row['median_s']:.2f} s from save to page "
            f"(was {row['rebuild_median_s']:.2f} s), {row['peak_rss_mb']:.0f} MB")
        found["lines"].append(_line(row))
        found["targets"].extend(_targets(row))
    return found


def _ours_full(builds: list[dict[str, Any]], size: int) -> float | None:
    for row in builds:
        if row["articles"] == size and row["runs"].get("ours"):
            return float(median(r["seconds"] for r in row["runs"]["ours"]))
    return None


def _bare_rss(builds: list[dict[str, Any]], size: int) -> float | None:
    for row in builds:
        if row["articles"] == size and row["runs"].get("bare"):
            return float(median(r["peak_rss_mb"] for r in row["runs"]["bare"]))
    return None


def _line(row: dict[str, Any]) -> tuple[str, str]:
    full = f", full production build {row['full_s']:.2f} s" if row["full_s"] else ""
    return (f"livereload, {row['articles']:,} articles: save → reloaded page (median)",
            f"{row['median_s']:.2f} s (update {row['update_median_s']:.2f} s; first "
            f"{row['first_update_s']:.1f} s); until now {row['rebuild_median_s']:.2f} s"
            f"{full}; peak {row['peak_rss_mb']:.0f} MB ({row['first_workers_rss_mb']:.0f} MB of "
            f"card workers at the first read), {row['editing_rss_mb']:.0f} MB while editing")


def _targets(row: dict[str, Any]) -> list[dict[str, Any]]:
    size, rows = row["articles"], []
    if size in TARGETS_S:
        limit = TARGETS_S[size]
        rows.append({"name": f"livereload at {size:,}", "target": f"≤ {limit} s save → page",
                     "measured": f"{row['median_s']:.2f} s", "met": row["median_s"] <= limit})
    if row["bare_rss_mb"]:
        ratio = row["peak_rss_mb"] / row["bare_rss_mb"]
        rows.append({"name": f"livereload memory at {size:,}",
                     "target": f"≤ {MEMORY_RATIO:.0f}× bare Pelican's build peak",
                     "measured": f"{ratio:.2f}×", "met": ratio <= MEMORY_RATIO})
    return rows


def main(argv: list[str]) -> int:
    """`python -m bench.preview_bench 200 [RUNS]`: measure one size alone, print the line."""
    from bench.builds import prepare_site

    size, runs = int(argv[0]), int(argv[1]) if len(argv) > 1 else 5
    work = ROOT / "bench" / "work"
    found = measure_preview({size: prepare_site(work, size, 2024)}, runs, print, [])
    for what, figure in found["lines"]:
        print(f"{what}: {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
