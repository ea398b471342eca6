"""How much plugins/feeds adds to a Pelican build of 5,000 articles (budget: at most 10 %).

Run on demand, not in the test suite:

    .venv/bin/python bench/feeds_overhead.py [--articles 5000] [--runs 3]

It writes synthetic articles (~800 words, 8 categories, 3 of 60 tags each) under bench/work/,
then builds them with bare Pelican (simple theme, no plugins, Pelican's own feeds off) and with
only the feeds plugin added, alternating the two so machine noise hits both alike. Each build
runs in a fresh Python process; the time is Pelican's own run (plugin loading included), and the
figure is the median of the runs. The verdict uses CPU time (user + system of the build), since
wall time on a shared machine swings with the neighbours' load; wall time is shown beside it.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work" / "feeds"
BUDGET = 10.0
WORDS = ("audience reach signal content channel measure share headline editor network story "
         "reader campaign brand search evergreen analytics community newsletter format").split()

# One build, in a child process. Prints [CPU s, wall s, feeds CPU s]: the build (plugin loading
# included) and, for the feeds build, the CPU time spent importing the plugin and inside its
# receivers, which measures its own work apart from the machine's noise.
CHILD = """
import json, sys, time
from importlib.machinery import PathFinder
from importlib.util import module_from_spec
override = json.loads(sys.argv[1])
cpu, wall, spent = time.process_time(), time.perf_counter(), [0.0]
if override["PLUGINS"]:
    # Load the plugin as Pelican does (from PLUGIN_PATHS, as a top-level module); Pelican then
    # reuses this module from sys.modules, receivers wrapped below included.
    spec = PathFinder.find_spec("feeds", override["PLUGIN_PATHS"])
    feeds = sys.modules["feeds"] = module_from_spec(spec)
    spec.loader.exec_module(feeds)

    def timed(receiver):
        def run(*args, **kwargs):
            started = time.process_time()
            try:
                return receiver(*args, **kwargs)
            finally:
                spent[0] += time.process_time() - started
        return run

    for name in ("check_settings", "prepare", "write"):
        setattr(feeds, name, timed(getattr(feeds, name)))
    spent[0] += time.process_time() - cpu
from pelican import Pelican
from pelican.settings import read_settings
Pelican(read_settings(None, override=override)).run()
print(json.dumps([time.process_time() - cpu, time.perf_counter() - wall, spent[0]]))
"""


def write_articles(count: int) -> Path:
    """Write `count` articles (once; reused while the count is unchanged)."""
    content = WORK / f"content-{count}"
    if (content / "done").exists():
        return content
    rng = random.Random(5)
    tags = [f"topic-{n}" for n in range(60)]
    (content / "articles").mkdir(parents=True, exist_ok=True)
    for n in track(range(count), description=f"Writing {count} articles"):
        paragraphs = ["\n".join(" ".join(rng.choices(WORDS, k=16)) for _ in range(5))
                      for _ in range(10)]
        body = "\n\n".join(paragraphs) + f"\n\n[Related](../post-{(n + 1) % count}/) and " \
            f"![chart](/images/chart-{n % 7}.png)\n"
        day = f"20{10 + n // 365 % 15:02d}-{n % 12 + 1:02d}-{n % 28 + 1:02d} {n % 24:02d}:00"
        (content / "articles" / f"post-{n}.md").write_text(
            f"Title: Post {n}: {' '.join(rng.choices(WORDS, k=5))}\nDate: {day}\n"
            f"Category: Category {n % 8}\nTags: {', '.join(rng.sample(tags, 3))}\n"
            f"Slug: post-{n}\n\n{body}", encoding="utf-8")
    (content / "done").write_text("")
    return content


def settings(content: Path, output: Path, with_feeds: bool) -> dict:
    off = dict.fromkeys(("FEED_ALL_ATOM", "FEED_ALL_RSS", "CATEGORY_FEED_ATOM",
                         "CATEGORY_FEED_RSS", "TAG_FEED_ATOM", "TAG_FEED_RSS", "AUTHOR_FEED_ATOM",
                         "AUTHOR_FEED_RSS", "TRANSLATION_FEED_ATOM"))
    return {**off, "PATH": str(content), "OUTPUT_PATH": str(output), "THEME": "simple",
            "SITEURL": "https://bench.example", "SITENAME": "Bench", "AUTHOR": "Bench",
            "TIMEZONE": "UTC", "ARTICLE_PATHS": ["articles"], "ARTICLE_URL": "articles/{slug}/",
            "ARTICLE_SAVE_AS": "articles/{slug}/index.html", "CACHE_CONTENT": False,
            "LOAD_CONTENT_CACHE": False, "DELETE_OUTPUT_DIRECTORY": True,
            "PLUGIN_PATHS": [str(ROOT / "plugins")], "PLUGINS": ["feeds"] if with_feeds else [],
            "FEED_MAX_ITEMS": 20}


def build_seconds(content: Path, with_feeds: bool) -> tuple[float, float, float]:
    output = WORK / ("out-feeds" if with_feeds else "out-bare")
    override = json.dumps(settings(content, output, with_feeds))
    done = subprocess.run([sys.executable, "-c", CHILD, override], capture_output=True,
                          text=True, check=True)
    cpu, wall, own = json.loads(done.stdout.strip().splitlines()[-1])
    return cpu, wall, own


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    console = Console()
    content = write_articles(args.articles)
    times: dict[bool, list[tuple[float, float, float]]] = {False: [], True: []}
    for run in range(1, args.runs + 1):
        for with_feeds in (False, True):
            label = "with feeds" if with_feeds else "bare"
            with console.status(f"Run {run}/{args.runs}: building {label}..."):
                times[with_feeds].append(build_seconds(content, with_feeds))
            cpu, wall, _ = times[with_feeds][-1]
            console.print(f"run {run} {label}: {cpu:.2f} s CPU, {wall:.2f} s wall")
    overhead = report(console, times, args)
    return 0 if overhead <= BUDGET else 1


def report(console: Console, times: dict[bool, list[tuple[float, float, float]]],
           args: argparse.Namespace) -> float:
    """Print the table and the verdict; return the CPU-time overhead in percent."""
    medians = {key: [statistics.median(t[i] for t in runs) for i in (0, 1, 2)]
               for key, runs in times.items()}
    (bare_cpu, bare_wall, _), (feeds_cpu, feeds_wall, own) = medians[False], medians[True]
    table = Table(title=f"Pelican build, {args.articles} articles (median of {args.runs})")
    for column in ("build", "CPU s", "wall s", "CPU s per run"):
        table.add_column(column)
    for label, key in (("bare Pelican", False), ("+ plugins/feeds", True)):
        cpu, wall, _ = medians[key]
        table.add_row(label, f"{cpu:.2f}", f"{wall:.2f}",
                      ", ".join(f"{t[0]:.2f}" for t in times[key]))
    console.print(table)
    overhead = (feeds_cpu - bare_cpu) / bare_cpu * 100
    wall_overhead = (feeds_wall - bare_wall) / bare_wall * 100
    feed_files = sum(1 for _ in (WORK / "out-feeds" / "feeds").rglob("*.*"))
    verdict = "within" if overhead <= BUDGET else "OVER"
    console.print(f"feeds overhead: {overhead:+.1f} % CPU ({wall_overhead:+.1f} % wall), "
                  f"{feed_files} feed files; {verdict} the {BUDGET:.0f} % budget")
    console.print(f"the plugin's own work (import + receivers): {own:.2f} s CPU = "
                  f"{own / bare_cpu * 100:.1f} % of the bare build")
    return overhead


if __name__ == "__main__":
    sys.exit(main())
