"""Promotion benchmark (on demand, never a timed test):

1. `promote` with nothing new over a 5,000-article manifest (target < 0.5 s), measured in-process
   as `invoke promote` runs it (including the check that no file in content/ is newer than the
   manifest, over 5,000 article files) and as a fresh `python -c` process (interpreter start
   and imports included, without that check);
   The same with a campaign (windows, a gap, two follow-ups per article, evergreen re-sharing
   on every network) and a year of posted announcements, follow-ups and evergreen slots in the
   ledger, the current period's included (target < 0.5 s in-process);
2. 10 new articles to 4 networks whose 127.0.0.1 servers each take 200 ms per request: all four
   together should take about as long as the slowest one alone (they run in parallel).

    .venv/bin/python -m bench.promote_bench [--articles 5000] [--runs 5]

``measure(work, say)`` returns the figures plus ``targets`` rows for bench/summary.py.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from self_promoting_blog.promote.evergreen import load_evergreen, site_key
from self_promoting_blog.promote.freshness import ManifestSource
from self_promoting_blog.promote.ledger import ArticleRef, Ledger
from self_promoting_blog.promote.rows import slot_key
from tests.fakes.site import FakeSite
from tests.fakes.world import FIRST_FOUR, World, new_fake

ROOT = Path(__file__).resolve().parent.parent


def _slow(fake: Any, seconds: float) -> Any:
    """Make every answer of `fake` take `seconds` longer (a distant API)."""
    handle = fake.handle

    def delayed(request: Any) -> Any:
        time.sleep(seconds)
        return handle(request)

    fake.handle = delayed
    return fake


def _world(work: Path, names: list[str], delay: float) -> tuple[World, list[Any]]:
    site = FakeSite().start()
    world = World(work, site, names, lambda name: _slow(new_fake(name), delay).start())
    world.overrides.update({"PROMOTE_MAX_PER_RUN": 10, "PROMOTE_LIVE_WAIT": 0})
    return world, [site, *world.fakes.values()]


def _stop(servers: list[Any]) -> None:
    for server in servers:
        server.stop()


def _articles(world: World, count: int, start_day: int, publish: bool) -> None:
    """Add `count` articles (in memory), then write the manifest once."""
    for i in range(count):
        day = start_day + i
        slug = f"post-{day:05d}"
        date = time.strftime("%Y-%m-%dT09:00:00+00:00", time.gmtime(1_500_000_000 + day * 86400))
        if publish:
            world.site.publish(f"articles/{slug}/", slug.replace("-", " ").capitalize())
        world.articles.append({
            "url": world.site.url(f"articles/{slug}/"), "slug": slug,
            "title": slug.replace("-", " ").capitalize(), "summary": f"Summary of {slug}.",
            "date": date, "tags": ["content marketing", "seo"], "category": "Strategy",
            "image": world.site.url(f"cards/{slug}.png"), "article_id": None, "promote": True,
            "social": None, "social_by_network": {}, "hashtags": None, "source": slug})
    world.write_manifest()


def _sources(world: World, count: int) -> ManifestSource:
    """One Markdown file per article in content/, older than the manifest, and the settings."""
    folder = world.root / "content" / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    settings = world.root / "publishconf.py"
    for path in [settings, *(folder / f"post-{day:05d}.md" for day in range(count))]:
        path.write_text("Title: x\n", encoding="utf-8")
        os.utime(path, (1_500_000_000, 1_500_000_000))
    return ManifestSource((settings,), rebuild=lambda: False)  # a rebuild would fail the run


CAMPAIGN = {"PROMOTE_WINDOWS": {"mastodon": ["Mon-Fri 08:00-10:00"],
                                 "bluesky": ["daily 07:00-22:00"]},
            "PROMOTE_GAP_MINUTES": 30, "TIMEZONE": "Europe/Stockholm",
            "PROMOTE_FOLLOW_UPS": [{"after_days": 3}, {"after_days": 14}],
            "PROMOTE_EVERGREEN": {"networks": list(FIRST_FOUR), "every_days": 2,
                                  "min_age_days": 30, "repeat_after_days": 90, "per_run": 1}}


def _year_of_slots(world: World, days: int = 365) -> None:
    """The newest `days` articles announced and both follow-ups sent, and an evergreen post
    every two days up to the current period's, on every network."""
    ledger = Ledger(world.root / ".promote" / "ledger.sqlite3")
    evergreen = load_evergreen(CAMPAIGN["PROMOTE_EVERGREEN"])
    assert evergreen is not None
    start = evergreen.period(datetime.now(UTC))
    try:
        accounts = {(r.network, r.account) for r in ledger.rows()}
        for index, article in enumerate(world.articles[-days:]):
            for network, account in accounts:
                for slot in ("announce", "followup-1", "followup-2"):
                    ref = ArticleRef(slot_key(article["url"], slot), article["title"],
                                     article["date"])
                    ledger.note(ref, network, account, "posted", "bench",
                                only_from=frozenset({"baseline"}))
                if index % 2 == 0:
                    when = start - timedelta(days=index)
                    ledger.note(ArticleRef(site_key(world.site.base_url.rstrip("/"),
                                                    evergreen.slots(when)[0]),
                                           article["title"], article["date"]),
                                network, account, "posted", "bench")
    finally:
        ledger.close()


def nothing_new(work: Path, articles: int, runs: int, campaign: bool = False) -> dict[str, Any]:
    """Seconds for a promote run that finds nothing new (nor any slot due) in a large manifest."""
    world, servers = _world(work / f"nothing-new{'-campaign' * campaign}", list(FIRST_FOUR), 0.0)
    try:
        _articles(world, articles, 0, publish=False)
        source = _sources(world, articles)
        assert world.promote().code == 0  # first run: everything becomes baseline
        if campaign:
            world.overrides.update(CAMPAIGN)
            for article in world.articles:
                article["followups"] = ["A quote from it.", "A statistic from it."]
            world.write_manifest()
            os.utime(world.root / ".promote" / "manifest.json")
            _year_of_slots(world)
        inproc = []
        for _ in range(runs):
            started = time.perf_counter()
            run = world.promote(source=source)
            inproc.append(time.perf_counter() - started)
            assert run.code == 0 and "nothing new" in run.output, run.output
        process = []
        for _ in range(0 if campaign else runs):
            started = time.perf_counter()
            child = world.spawn()
            child.communicate(timeout=120)
            process.append(time.perf_counter() - started)
        requests = sum(len(s.requests) for s in servers)
    finally:
        _stop(servers)
    return {"articles": articles, "networks": len(FIRST_FOUR),
            "in_process_s": statistics.median(inproc),
            "process_s": statistics.median(process) if process else None,
            "requests_sent": requests}


def parallel(work: Path, new: int, delay: float) -> dict[str, Any]:
    """Seconds to post `new` articles to each network alone, then to all four at once."""
    timings: dict[str, float] = {}
    posts: dict[str, int] = {}
    for names in [[n] for n in FIRST_FOUR] + [list(FIRST_FOUR)]:
        label = "+".join(names) if len(names) > 1 else names[0]
        world, servers = _world(work / f"parallel-{label}", names, delay)
        try:
            _articles(world, 1, 0, publish=True)
            assert world.promote().code == 0  # baseline
            _articles(world, new, 10, publish=True)
            started = time.perf_counter()
            run = world.promote()
            timings[label] = time.perf_counter() - started
            assert run.code == 0, run.output
            posts[label] = sum(len(world.posts(n)) for n in names)
        finally:
            _stop(servers)
    slowest = max(timings[n] for n in FIRST_FOUR)
    together = timings["+".join(FIRST_FOUR)]
    return {"new_articles": new, "delay_s": delay, "seconds": timings, "posts": posts,
            "slowest_alone_s": slowest, "all_four_s": together, "ratio": together / slowest}


def measure(work: Path, say: Callable[[str], None] = print, articles: int = 5000,
            runs: int = 5) -> dict[str, Any]:
    """Both measurements, with target rows in bench/summary.py's format."""
    work.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="promote-bench-", dir=work))
    try:
        say(f"promote: nothing new over {articles:,} articles …")
        idle = nothing_new(scratch, articles, runs)
        say(f"promote: nothing due over {articles:,} articles and a year of campaign slots …")
        quiet = nothing_new(scratch, articles, runs, campaign=True)
        say("promote: 10 new articles, 4 networks at 200 ms per request …")
        fan = parallel(scratch, 10, 0.2)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    targets = [
        {"name": f"promote, nothing new, {articles:,} articles", "target": "< 0.5 s",
         "measured": f"{idle['in_process_s']:.3f} s in-process, {idle['process_s']:.2f} s as a "
                     "new process", "met": idle["in_process_s"] < 0.5},
        {"name": f"promote, nothing due, {articles:,} articles, a year of campaign slots "
                 "(evergreen on)",
         "target": "< 0.5 s", "measured": f"{quiet['in_process_s']:.3f} s in-process",
         "met": quiet["in_process_s"] < 0.5},
        {"name": "promote 10 articles × 4 networks at 200 ms", "target": "≈ one network alone",
         "measured": f"{fan['all_four_s']:.1f} s vs {fan['slowest_alone_s']:.1f} s "
                     f"({fan['ratio']:.2f}×)", "met": fan["ratio"] <= 1.25}]
    return {"nothing_new": idle, "campaign_nothing_due": quiet, "parallel": fan,
            "targets": targets}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    args = parser.parse_args(argv)
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    result = measure(args.work, lambda line: sys.stderr.write(line + "\n"), args.articles,
                     args.runs)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
