"""The community setup's own virtual environment, bench/work/community-venv (git-ignored).

pelican-seo and pelican-share-post are namespace plugins. They stay out of .venv: Pelican imports
every installed `pelican.plugins.*` package on every build, even when PLUGINS names others
(`load_plugins` calls `get_namespace_plugins()` first), which adds their import time (about
0.4 s, BeautifulSoup included) to each of our builds and test builds. So (b) runs in a venv of
its own, with every package that .venv also has pinned to .venv's version (Pelican, Markdown,
Pygments, Jinja...), so only the plugins differ.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from bench.builds import BenchError

VENV = Path(__file__).resolve().parent / "work" / "community-venv"
PLUGINS = ["pelican-sitemap>=1.2", "pelican-seo>=1.2", "pelican-share-post>=1.1"]


def community_python(say: Callable[[str], None]) -> Path:
    """The community venv's python, created (once) with .venv's versions as constraints.

    It lives in bench/work/ whatever --work says, so runs with another work folder (the smoke
    test's) share it.
    """
    venv = VENV
    python = venv / "bin" / "python"
    stamp = venv / ".bench-ready"
    frozen = _frozen()
    if stamp.is_file() and stamp.read_text() == frozen:
        return python
    say("Setting up the community setup's venv (bench/work/community-venv)...")
    constraints = venv.parent / "community-constraints.txt"
    constraints.parent.mkdir(parents=True, exist_ok=True)
    constraints.write_text(frozen)
    steps = [[sys.executable, "-m", "venv", "--clear", str(venv)],
             [str(python), "-m", "pip", "install", "-q", "-c", str(constraints),
              "pelican[markdown]", *PLUGINS]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BenchError(f"bench: could not set up {venv}: {' '.join(step)} said:\n"
                             f"{done.stderr[-1500:]}\nFix: check the network to PyPI, then run "
                             "the bench again (it retries from scratch).")
    stamp.write_text(frozen)
    return python


def _frozen() -> str:
    """`pip freeze` of .venv without the project itself: the versions (b) must match."""
    done = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
                          capture_output=True, text=True, check=True)
    lines = [line for line in done.stdout.splitlines()
             if "==" in line and not line.lower().startswith(("pelican-seo", "pelican-share-post"))]
    return "\n".join(sorted(lines)) + "\n"
