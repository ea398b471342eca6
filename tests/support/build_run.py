"""One `build_site` in a fresh process, with faults injected on request: `python build_run.py SPEC`.

A fresh process per build, because Pelican imports each plugin once per process (an edited
plugin would not be seen again) and pelican-sitemap writes sitemap.xml only in the first build
of a process. SPEC is JSON: ``settings_file``, ``production``, ``overrides`` and optionally
``fault``: ``"no-fork"`` (every fork fails), ``"kill-helpers"`` (the read-ahead and the render
process are killed part-way). Prints one JSON line: ok, errors, warnings and the build's stats.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any

from self_promoting_blog.build import read_ahead, speedups, split_render
from self_promoting_blog.build.build import build_site


def _no_fork() -> int:
    raise OSError("fork refused by the test")


def _kill_helpers() -> None:
    """Each helper kills itself after a few files or pages: a worker that dies mid-build."""
    parse = read_ahead._parse_backwards

    def parse_a_few(readers: Any, files: Any, taken: Any, spool: Any, out: Any) -> None:
        """The read-ahead dies after 3 files, half-way through writing the 4th's result."""
        parse(readers, files[-3:], taken, spool, out)
        spool.write(read_ahead.dump(("<p>half a res", {}))[:-12])
        spool.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    read_ahead._parse_backwards = parse_a_few  # type: ignore[assignment]
    open_for_writing = split_render.SplitWriter._open_w

    def die_mid_page(self: Any, *args: Any, **kwargs: Any) -> Any:
        """The render process dies with its 5th page claimed and not written."""
        if (self.role == split_render.CHILD and not self.redo and not self._skipping
                and self._calls >= 5):
            os.kill(os.getpid(), signal.SIGKILL)
        return open_for_writing(self, *args, **kwargs)

    split_render.SplitWriter._open_w = die_mid_page  # type: ignore[method-assign]


def main(spec_text: str) -> int:
    spec = json.loads(spec_text)
    if spec.get("fault") == "no-fork":
        os.fork = _no_fork
    elif spec.get("fault") == "kill-helpers":
        _kill_helpers()
    stats: dict[str, int] = {}
    finish = speedups.Speedups.finish

    def finish_and_keep(self: speedups.Speedups) -> None:
        finish(self)
        stats.update(self.stats)

    speedups.Speedups.finish = finish_and_keep  # type: ignore[method-assign]
    result = build_site(spec["settings_file"], production=spec["production"],
                        overrides=spec["overrides"])
    print(json.dumps({"ok": result.ok, "errors": list(result.errors),
                      "warnings": list(result.warnings), "stats": stats}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
