"""One build in a fresh process, so its peak memory is its own: `python -m bench.child SPEC.json`.

SPEC (written by bench/builds.py): ``ours`` (run it as `invoke preview` does, through
plugins/site_build), ``settings_file``, ``override`` (Pelican settings), ``result`` (where to
write the outcome) and optionally ``profile`` (a path: profile the build with pyinstrument and
write an HTML report there, plus a per-plugin breakdown into the result).

The time covers reading the settings, loading the plugins and Pelican's run, not the
interpreter's start-up, which is the same for every setup.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _build(spec: dict[str, Any]) -> dict[str, Any]:
    if spec["ours"]:
        from site_build.build import build_site

        result = build_site(spec["settings_file"], production=True, overrides=spec["override"])
        return {"articles": result.articles, "errors": list(result.errors),
                "ok": result.ok}
    from pelican import Pelican
    from pelican.settings import read_settings

    Pelican(read_settings(spec["settings_file"], override=spec["override"])).run()
    return {"ok": True, "errors": []}


def peak_rss_kb() -> int:
    """This process's peak resident memory, and its children's.

    /proc's VmHWM, not getrusage alone: Linux keeps ru_maxrss across fork and exec, so a child
    of a large parent would report the parent's size.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            own = int(line.split()[1])
            break
    else:
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]
    profiler = None
    if spec.get("profile"):
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.002)
        profiler.start()
    started = time.perf_counter()
    outcome = _build(spec)
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.stop()
        from bench.profile import breakdown

        Path(spec["profile"]).write_text(profiler.output_html(), encoding="utf-8")
        outcome["profile"] = breakdown(profiler.last_session, ROOT)
    outcome |= {"seconds": seconds, "peak_rss_mb": peak_rss_kb() / 1024}
    Path(spec["result"]).write_text(json.dumps(outcome), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
