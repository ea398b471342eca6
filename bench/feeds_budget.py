"""plugins/feeds' budget (at most +10 % over bare Pelican with its own feeds off), measured on the
bench's synthetic site with the settings of the feeds helper's bench/feeds_overhead.py.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict
from typing import Any

from bench.builds import BuildRun, Progress, SiteDirs, run_child
from bench.feeds_overhead import settings as feeds_settings


def feeds_builds(dirs: SiteDirs, articles: int, runs: int, say: Progress) -> dict[str, Any]:
    """`runs` alternating builds without and with plugins/feeds; each in a fresh process."""
    done: dict[str, list[BuildRun]] = {"without": [], "with": []}
    for run in range(1, runs + 1):
        for key, with_feeds in (("without", False), ("with", True)):
            output = dirs.root / f"output-feeds-{key}"
            shutil.rmtree(output, ignore_errors=True)
            override = feeds_settings(dirs.content, output, with_feeds)
            outcome = run_child({"ours": False, "settings_file": None, "override": override},
                                dirs.root / "logs" / f"feeds-{key}-{run}.log")
            files = sum(1 for p in output.rglob("*") if p.is_file())
            done[key].append(BuildRun(outcome["seconds"], outcome["peak_rss_mb"], files))
            say(f"{articles:>5} articles, run {run}/{runs}, bare Pelican {key} plugins/feeds: "
                f"{outcome['seconds']:6.2f} s")
    return {"articles": articles, "runs": {k: [asdict(r) for r in v] for k, v in done.items()}}
