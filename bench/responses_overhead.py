"""How much showing responses adds to a build of 5,000 articles (budget: at most 3 %).

Run on demand, not in the test suite:

    .venv/bin/python bench/responses_overhead.py [--articles 5000] [--replies 3] [--runs 5]

It writes the bench's synthetic blog (bench/sites.py) under bench/work/responses/, and a ledger
file beside each of two output folders: one with no replies stored, one with `--replies` replies
under every article (the worst case: every article's replies read, sanitized and rendered; each
reply a paragraph with a mention, a hashtag and a link, as Mastodon sends them). It then builds
the blog with the project's own pelicanconf.py, theme and plugins, alternating the two so machine
noise hits both alike, each build in a fresh Python process. The verdict uses CPU time (user +
system, of the build's process and any it starts) of each variant's fastest run, since a shared
machine's noise only ever adds time; the medians, wall time and the time spent in
``responses_by_article`` (reading the store and sanitizing) are shown beside it.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sites import write_site  # noqa: E402
from self_promoting_blog.promote.adapters.base import PublicReply  # noqa: E402
from self_promoting_blog.promote.ledger import Ledger  # noqa: E402
from self_promoting_blog.promote.responses import Thread  # noqa: E402
from self_promoting_blog.promote.responses_sqlite import SqliteResponses  # noqa: E402

WORK = ROOT / "bench" / "work" / "responses"
BUDGET = 3.0
SITEURL = "https://bench.example"
REPLY = ('<p><span class="h-card"><a href="https://elsewhere.test/@signal" class="u-url mention">'
         '@<span>signal</span></a></span> Reply {n} to this: we saw the same on our blog. '
         '<a href="https://elsewhere.test/tags/reach" class="mention hashtag" rel="tag">'
         '#<span>reach</span></a> <a href="https://example.org/notes/{n}" rel="nofollow">'
         'example.org/notes/{n}</a></p>')

# One build, in a child process. Prints [wall s, responses_by_article CPU s]; the parent takes
# the CPU time of the child and every process it started (a build may render in a pool).
CHILD = """
import json, sys, time
wall, spent = time.perf_counter(), [0.0]
from pelican import Pelican
from pelican.settings import read_settings
pelican = Pelican(read_settings(sys.argv[1], override=json.loads(sys.argv[2])))
plugin = sys.modules["promote"]
read = plugin.responses_by_article

def timed(*args, **kwargs):
    started = time.process_time()
    try:
        return read(*args, **kwargs)
    finally:
        spent[0] += time.process_time() - started

plugin.responses_by_article = timed
pelican.run()
print(json.dumps([time.perf_counter() - wall, spent[0]]))
"""


def prepare(articles: int, replies: int) -> tuple[Path, dict[bool, Path]]:
    """The blog's content, and each variant's project folder (its ledger and output)."""
    content = write_site(WORK, articles)
    folders = {}
    for with_replies in (False, True):
        folder = WORK / ("with-replies" if with_replies else "none")
        shutil.rmtree(folder / ".promote", ignore_errors=True)
        ledger = folder / ".promote" / "ledger.sqlite3"
        Ledger(ledger).close()  # the same (empty) announcement ledger for both
        store = SqliteResponses(ledger)
        if with_replies:
            now = time.time()
            store.replace([Thread(
                f"{SITEURL}/articles/post-{n:05d}/", "mastodon", "acct", str(n), now,
                tuple(PublicReply(f"{n}-{r}", f"https://elsewhere.test/@reader{r}/{n}{r}",
                                  f"Reader {r}", f"@reader{r}@elsewhere.test",
                                  f"https://elsewhere.test/@reader{r}", "2026-05-28T10:00:00Z",
                                  REPLY.format(n=n), likes=r, reposts=1)
                      for r in range(replies))) for n in range(articles)])
        store.close()
        folders[with_replies] = folder
    return content, folders


def build_seconds(content: Path, folder: Path) -> tuple[float, float, float]:
    override = {"PATH": str(content), "OUTPUT_PATH": str(folder / "output"),
                "CACHE_PATH": str(folder / "cache"), "SITEURL": SITEURL, "RELATIVE_URLS": False,
                "THEME": str(ROOT / "theme"), "PLUGIN_PATHS": [str(ROOT / "plugins")],
                "DELETE_OUTPUT_DIRECTORY": True}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-c", CHILD, str(ROOT / "pelicanconf.py"),
                           json.dumps(override)], capture_output=True, text=True, check=True,
                          cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    wall, own = json.loads(done.stdout.strip().splitlines()[-1])
    return cpu, wall, own


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--replies", type=int, default=3, help="replies under every article")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    console = Console()
    with console.status("Writing the blog and the two ledgers..."):
        content, folders = prepare(args.articles, args.replies)
    times: dict[bool, list[tuple[float, float, float]]] = {False: [], True: []}
    for run in range(1, args.runs + 1):
        for with_replies in (False, True):
            label = "with replies" if with_replies else "none"
            with console.status(f"Run {run}/{args.runs}: building ({label})..."):
                times[with_replies].append(build_seconds(content, folders[with_replies]))
            cpu, wall, _ = times[with_replies][-1]
            console.print(f"run {run} {label}: {cpu:.2f} s CPU, {wall:.2f} s wall")
    shown = (folders[True] / "output" / "articles" / "post-00000" / "index.html").read_text(
        encoding="utf-8").count("p-comment")
    if shown != args.replies:
        console.print(f"[red]expected {args.replies} replies on post-00000, found {shown}[/]")
        return 2
    return 0 if report(console, times, args) <= BUDGET else 1


def report(console: Console, times: dict[bool, list[tuple[float, float, float]]],
           args: argparse.Namespace) -> float:
    """Print the table and the verdict; return the CPU-time overhead in percent."""
    medians = {key: [statistics.median(t[i] for t in runs) for i in (0, 1, 2)]
               for key, runs in times.items()}
    fastest = {key: min(t[0] for t in runs) for key, runs in times.items()}
    (none_cpu, none_wall, _), (with_cpu, with_wall, own) = medians[False], medians[True]
    table = Table(title=f"Project build, {args.articles} articles ({args.runs} runs each)")
    for column in ("build", "fastest CPU s", "median CPU s", "median wall s", "CPU s per run"):
        table.add_column(column)
    for label, key in (("no replies stored", False),
                       (f"{args.replies} replies under every article", True)):
        cpu, wall, _ = medians[key]
        table.add_row(label, f"{fastest[key]:.2f}", f"{cpu:.2f}", f"{wall:.2f}",
                      ", ".join(f"{t[0]:.2f}" for t in times[key]))
    console.print(table)
    overhead = (fastest[True] - fastest[False]) / fastest[False] * 100
    median_overhead = (with_cpu - none_cpu) / none_cpu * 100
    wall_overhead = (with_wall - none_wall) / none_wall * 100
    verdict = "within" if overhead <= BUDGET else "OVER"
    console.print(f"responses overhead: {overhead:+.1f} % CPU, fastest runs (medians: "
                  f"{median_overhead:+.1f} % CPU, {wall_overhead:+.1f} % wall); {verdict} the "
                  f"{BUDGET:.0f} % budget")
    console.print(f"reading and sanitizing them (responses_by_article): {own:.2f} s CPU = "
                  f"{own / none_cpu * 100:.1f} % of the build")
    return overhead


if __name__ == "__main__":
    sys.exit(main())
