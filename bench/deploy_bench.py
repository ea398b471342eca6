"""Deploy benchmark (on demand, never a timed test): the bench's synthetic site, built for
production, synced to SeaweedFS on 127.0.0.1 by `self_promoting_blog.deploy`.

1. the first full deploy to an empty bucket: files, bytes, seconds;
2. a redeploy with no change (should send nothing);
3. one article edited, the site rebuilt (content cache warm), redeployed: files sent (target: at
   most 20) and seconds (target: a small fraction of the first deploy).

    .venv/bin/python -m bench.deploy_bench [--articles 5000] [--work bench/work]

``measure_deploy(dirs, articles, work, say)`` returns the figures plus ``targets`` and ``lines``
rows for bench/summary.py and bench/report.py. 127.0.0.1 has no network latency, so the seconds
here are the client's work and SeaweedFS's; a real bucket adds a round trip per file sent.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from bench.builds import OURS, SiteDirs, build, prepare_site
from bench.setups import SITEURL
from bench.sites import edit_article
from self_promoting_blog.deploy.deploy import deploy
from self_promoting_blog.deploy.report import DeployResult
from self_promoting_blog.deploy.settings import load_settings
from tests.fakes.s3 import ACCESS_KEY, SECRET_KEY, start_seaweed

ROOT = Path(__file__).resolve().parent.parent
MAX_FILES_AFTER_EDIT = 20
MAX_EDIT_SHARE = 0.1  # "a small fraction" of the first full deploy's time


def _figures(result: DeployResult) -> dict[str, Any]:
    return {"files_sent": len(result.uploaded), "bytes_sent": result.bytes_sent,
            "unchanged": result.unchanged, "deleted": len(result.deleted),
            "seconds": round(result.seconds, 3), "sent": sorted(result.uploaded)}


def _deploy(output: Path, bucket: str, endpoint: str, cache: Path) -> DeployResult:
    """Deploy as `invoke deploy` does, with the build's CACHE_PATH (where deploy keeps digests)."""
    settings = load_settings({"SITEURL": SITEURL, "OUTPUT_PATH": str(output),
                              "CACHE_PATH": str(cache), "DEPLOY_TARGET": f"s3://{bucket}/site",
                              "S3_ENDPOINT_URL": endpoint}, environ={})
    with open(os.devnull, "w") as quiet:
        return deploy(settings, Console(file=quiet), protected={})


def measure_deploy(dirs: SiteDirs, articles: int, work: Path,
                   say: Callable[[str], None] = print) -> dict[str, Any]:
    """Build, deploy, redeploy, edit one article, rebuild, redeploy; return figures and targets."""
    mine = SiteDirs(work / "deploy" / str(articles), dirs.content)
    logs = mine.root / "logs"
    say(f"deploy: production build of {articles:,} articles (content cache on) …")
    first_build = build(OURS, mine, logs / "build.log", content_cache=True, siteurl=SITEURL)
    os.environ.update({"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                       "AWS_EC2_METADATA_DISABLED": "true"})
    scratch = Path(tempfile.mkdtemp(prefix="deploy-bench-", dir=work))
    server = start_seaweed(scratch)
    edited = dirs.content / "articles" / "post-00001.md"
    original = edited.read_bytes()
    try:
        bucket = server.new_bucket()
        output, cache = mine.output(OURS.key), mine.cache(OURS.key)
        say(f"deploy: first full deploy of {first_build.files:,} files …")
        full = _figures(_deploy(output, bucket, server.endpoint_url, cache))
        say(f"deploy: {full['files_sent']:,} files, {full['bytes_sent'] / 1e6:.1f} MB in "
            f"{full['seconds']:.1f} s; redeploying unchanged …")
        unchanged = _figures(_deploy(output, bucket, server.endpoint_url, cache))
        edit_article(dirs.content, int(time.time()))
        rebuilt = build(OURS, mine, logs / "rebuild.log", cold=False, content_cache=True,
                        siteurl=SITEURL)
        after_edit = _figures(_deploy(output, bucket, server.endpoint_url, cache))
        shown = ", ".join(after_edit["sent"][:25])
        more = after_edit["files_sent"] - 25
        say(f"deploy: after one edit {after_edit['files_sent']} files in "
            f"{after_edit['seconds']:.2f} s: {shown}{f' and {more} more' if more > 0 else ''}")
    finally:
        edited.write_bytes(original)
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    share = after_edit["seconds"] / full["seconds"]
    return {
        "articles": articles, "build_s": first_build.seconds, "rebuild_s": rebuilt.seconds,
        "full": full, "unchanged": unchanged, "after_edit": after_edit,
        "lines": [
            (f"deploy {articles:,} articles, first (empty bucket)",
             f"{full['files_sent']:,} files, {full['bytes_sent'] / 1e6:.1f} MB, "
             f"{full['seconds']:.1f} s"),
            ("deploy again, nothing changed",
             f"{unchanged['files_sent']} files sent, {unchanged['seconds']:.2f} s"),
            ("deploy after editing one article",
             f"{after_edit['files_sent']} files sent, {after_edit['seconds']:.2f} s")],
        "targets": [
            {"name": f"redeploy after one edit, {articles:,} articles",
             "target": f"≤ {MAX_FILES_AFTER_EDIT} files",
             "measured": f"{after_edit['files_sent']} files",
             "met": after_edit["files_sent"] <= MAX_FILES_AFTER_EDIT},
            {"name": "redeploy after one edit, time", "target": "a small fraction of the first",
             "measured": f"{after_edit['seconds']:.2f} s vs {full['seconds']:.1f} s "
                         f"({share:.1%})", "met": share <= MAX_EDIT_SHARE}],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    args = parser.parse_args(argv)
    console = Console()
    with console.status(f"Writing {args.articles:,} synthetic articles …"):
        dirs = prepare_site(args.work.resolve(), args.articles, args.seed)
    figures = measure_deploy(dirs, args.articles, args.work.resolve(), console.print)
    for what, figure in figures["lines"]:
        console.print(f"{what}: {figure}", highlight=False)
    for row in figures["targets"]:
        mark = "✔" if row["met"] else "✖"
        console.print(f"{mark} {row['name']}: {row['measured']} (target {row['target']})",
                      highlight=False)
    return 0 if all(row["met"] for row in figures["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
