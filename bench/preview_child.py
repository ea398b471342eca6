"""One preview measurement in a fresh process: `python -m bench.preview_child SPEC.json`.

SPEC (written by bench/preview_bench.py): ``mode``, ``settings_file``, ``override`` (Pelican
settings: the site's content, output and cache folders), ``runs`` and ``result`` (where to write
the outcome as JSON).

- ``mode: "preview"``: start `invoke livereload`'s server (build/preview) on 127.0.0.1, then
  `runs` times: let it finish its work after the last update (a writer pauses between saves),
  edit one article (bench.sites.edit_article) and ask for that article's page every 10 ms until
  it answers with the edit. The latency is from the file's save to that answer: the watcher
  seeing the change, the update and the page drawn. Also the first update (every file read) and
  the process tree's peak memory: overall (the first update draws every social card in worker
  processes when their cache is cold) and while editing (sampled every 20 ms).
- ``mode: "rebuild"``: what the same edit cost until now: the full development build (build_site,
  pelicanconf.py) that the old `invoke livereload` ran after each change, `runs` times.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from rich.console import Console

from bench.child import TreeMemory
from bench.sites import edit_article

ARTICLE = "articles/post-00001/"


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as answer:
        return bytes(answer.read())


def preview(spec: dict[str, Any]) -> dict[str, Any]:
    from self_promoting_blog.build.preview.server import LivePreview
    from self_promoting_blog.build.preview.site import PreviewSite

    content = Path(spec["override"]["PATH"])
    site = PreviewSite(spec["settings_file"], spec["override"])
    live = LivePreview(site, "127.0.0.1", 0, Console(file=open(os.devnull, "w")))
    latencies, updates = [], []
    try:
        with TreeMemory() as memory:
            started = time.perf_counter()
            live.start()
            first = time.perf_counter() - started
            site.finish()
        with TreeMemory() as editing:
            for run in range(1, spec["runs"] + 1):
                site.finish()
                time.sleep(0.3)
                wanted = f"Updated in edit {run}:".encode()
                edit_article(content, run)
                saved = time.perf_counter()
                while wanted not in _fetch(live.url + ARTICLE):
                    time.sleep(0.01)
                latencies.append(time.perf_counter() - saved)
                updates.append(site.last_update.seconds if site.last_update else 0.0)
    finally:
        live.stop()
    return {"latencies_s": latencies, "updates_s": updates, "first_update_s": first,
            "peak_rss_mb": max(memory.peak_kb, editing.peak_kb) / 1024,
            "first_workers_rss_mb": memory.workers_peak_kb / 1024,
            "editing_rss_mb": editing.sampled_peak_kb / 1024}


def rebuild(spec: dict[str, Any]) -> dict[str, Any]:
    from self_promoting_blog.build.build import build_site

    content = Path(spec["override"]["PATH"])
    seconds = []
    for run in range(1, spec["runs"] + 1):
        edit_article(content, 1000 + run)
        started = time.perf_counter()
        result = build_site(spec["settings_file"], production=False, overrides=spec["override"])
        seconds.append(time.perf_counter() - started)
        if not result.replaced:
            raise SystemExit(f"the development build failed: {result.errors[:3]}")
    return {"rebuilds_s": seconds}


def main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    outcome = (preview if spec["mode"] == "preview" else rebuild)(spec)
    Path(spec["result"]).write_text(json.dumps(outcome | {"ok": True}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
