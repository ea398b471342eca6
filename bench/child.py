"""One build in a fresh process, so its peak memory is its own: `python bench/child.py SPEC.json`.

SPEC (written by bench/builds.py): ``ours`` (run it as `invoke preview` does, through
self_promoting_blog.build), ``settings_file``, ``override`` (Pelican settings), ``result`` (where
to write the outcome) and optionally ``profile`` (a path: profile the build with pyinstrument,
write an HTML report there and the session beside it, whose path goes into the result as
``session``; bench/builds.py breaks it down by plugin).

It runs as a script, also under the community setup's own venv, which has Pelican but not this
blog's package: it imports only Pelican (and, for our setup, the package) and nothing from bench.

The time covers reading the settings, loading the plugins and Pelican's run, not the
interpreter's start-up, which is the same for every setup. The memory is the build's whole
process tree: this process plus the worker processes our social cards are drawn in and the
helpers our build forks (read-ahead, rendering). Two sums are kept: resident memory (RSS),
which counts a page shared by forked processes once in each, and proportional memory (PSS,
from /proc/<pid>/smaps_rollup), which divides a shared page among the processes sharing it.
"""

from __future__ import annotations

import itertools
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any, Self


def _build(spec: dict[str, Any]) -> dict[str, Any]:
    if spec["ours"]:
        from self_promoting_blog.build.build import build_site

        result = build_site(spec["settings_file"], production=True, overrides=spec["override"])
        return {"articles": result.articles, "errors": list(result.errors),
                "ok": result.ok}
    from pelican import Pelican
    from pelican.settings import read_settings

    Pelican(read_settings(spec["settings_file"], override=spec["override"])).run()
    return {"ok": True, "errors": []}


PSS_EVERY = 5  # RSS samples per PSS sample


def _status_kb(pid: str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass  # the process ended between listing and reading
    return 0


def _pss_kb(pid: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass  # ended meanwhile, or a kernel without smaps_rollup
    return 0


def _descendants(pid: str) -> list[str]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += [child, *_descendants(child)]
    return found


class TreeMemory:
    """Peak memory of this process and every process it starts (card workers, forked helpers).

    The sum of the processes' resident sets, sampled every 20 ms; for one process it is that
    process's own peak (VmHWM). Sampling may miss a short spike; VmHWM never does, so a build
    without workers is measured exactly. The PSS sum is sampled every 100 ms (no exact peak
    exists; reading it makes the kernel walk every page of each process).
    """

    def __init__(self) -> None:
        self.peak_kb = 0
        self.own_peak_kb = 0
        self.workers_peak_kb = 0
        self.sampled_peak_kb = 0
        self.pss_peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = str(os.getpid())
        for tick in itertools.count():
            if self._stop.wait(0.02):
                return
            tree = _descendants(me)
            workers = sum(_status_kb(pid, "VmRSS") for pid in tree)
            self.workers_peak_kb = max(self.workers_peak_kb, workers)
            self.peak_kb = max(self.peak_kb, _status_kb(me, "VmRSS") + workers)
            if tick % PSS_EVERY == 0:  # the kernel walks every page for it: less often
                self.pss_peak_kb = max(self.pss_peak_kb,
                                       sum(_pss_kb(pid) for pid in [me, *tree]))

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sampled_peak_kb = self.peak_kb  # this span's own, however high the process was before
        own = _status_kb("self", "VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.own_peak_kb = own
        self.peak_kb = max(self.peak_kb, own)


def main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    profiler = None
    if spec.get("profile"):
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.002)
        profiler.start()
    with TreeMemory() as memory:
        started = time.perf_counter()
        outcome = _build(spec)
        seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.stop()
        report = Path(spec["profile"])
        report.write_text(profiler.output_html(), encoding="utf-8")
        session = report.with_suffix(".pyisession")
        profiler.last_session.save(session)
        outcome["session"] = str(session)
    outcome |= {"seconds": seconds, "peak_rss_mb": memory.peak_kb / 1024,
                "own_peak_rss_mb": memory.own_peak_kb / 1024,
                "workers_peak_rss_mb": memory.workers_peak_kb / 1024,
                "peak_pss_mb": memory.pss_peak_kb / 1024}
    Path(spec["result"]).write_text(json.dumps(outcome), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
