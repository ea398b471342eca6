"""The demo site's production build, byte for byte: one sha256 per file in output/.

    .venv/bin/python -m tests.production_digest --write    refresh tests/data/production-digests.txt

The build runs as `invoke preview` does (`build_site` on publishconf.py) in a child process, into
a temporary folder, under libfaketime with a frozen clock: pelican-sitemap stamps undated pages
with the current time, and content/articles/content-calendar-2027.md stays scheduled only until
its date. SITEURL and DEPLOY_TARGET are unset so the environment cannot change the site.
Card images are drawn cold (a fresh cache), so their bytes depend on Pillow and fontTools: the
header records the versions of every library that shapes the output.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

from tests.fakes.s3 import shifted_clock_env

ROOT = Path(__file__).resolve().parent.parent
DIGESTS = ROOT / "tests" / "data" / "production-digests.txt"
FROZEN_AT = "2026-12-01 12:00:00"
REFRESH = ".venv/bin/python -m tests.production_digest --write"
# The distributions whose versions change bytes in output/ (HTML, feeds, sitemap, card PNGs).
SHAPING = ("pelican", "Markdown", "Pygments", "Jinja2", "feedgen", "lxml", "pelican-sitemap",
           "pillow", "fonttools", "zlib-ng")

_BUILD = """
import sys
from self_promoting_blog.build.build import build_site
result = build_site(sys.argv[1], production=True,
                    overrides={"OUTPUT_PATH": sys.argv[2], "CACHE_PATH": sys.argv[3]})
print("\\n".join(result.errors))
sys.exit(0 if result.ok else 1)
"""


def versions() -> dict[str, str]:
    """The installed version of every distribution in SHAPING."""
    return {name: version(name) for name in SHAPING}


def build(folder: Path) -> Path:
    """Build publishconf.py for production into `folder`/output under the frozen clock."""
    output, cache = folder / "output", folder / "cache"
    env = {k: v for k, v in os.environ.items() if k not in ("SITEURL", "DEPLOY_TARGET")}
    env |= shifted_clock_env(FROZEN_AT) | {"FAKETIME_DONT_FAKE_MONOTONIC": "1", "TZ": "UTC"}
    done = subprocess.run([sys.executable, "-c", _BUILD, str(ROOT / "publishconf.py"),
                           str(output), str(cache)], cwd=folder, env=env, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the production build failed (exit {done.returncode}):\n"
                           f"{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return output


def digests(output: Path) -> dict[str, str]:
    """`./relative/path` -> sha256 of every file under `output` (sha256sum's naming)."""
    return {f"./{path.relative_to(output).as_posix()}":
            hashlib.sha256(path.read_bytes()).hexdigest()
            for path in output.rglob("*") if path.is_file()}


def render(found: dict[str, str], shaping: dict[str, str]) -> str:
    """The digest file: a header, then sorted `sha256  path` lines."""
    header = [
        "# The demo site's production build (publishconf.py), one `sha256  path` line per file.",
        f"# Refresh after reading the diff: {REFRESH}",
        f"# frozen clock: {FROZEN_AT} UTC (libfaketime)",
        "# versions: " + ", ".join(f"{name} {v}" for name, v in shaping.items()),
    ]
    return "\n".join(header + [f"{found[p]}  {p}" for p in sorted(found)]) + "\n"


def parse(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """(path -> sha256, distribution -> version) from a digest file."""
    found: dict[str, str] = {}
    shaping: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("# versions: "):
            pairs = (item.rsplit(" ", 1) for item in line.removeprefix("# versions: ").split(", "))
            shaping = {name: v for name, v in pairs}
        elif line and not line.startswith("#"):
            digest, path = line.split("  ", 1)
            found[path] = digest
    return found, shaping


def compare(expected: dict[str, str], found: dict[str, str]) -> list[str]:
    """One line per added, removed or changed path; empty when the builds are identical."""
    return ([f"added:   {p}" for p in sorted(found.keys() - expected.keys())]
            + [f"removed: {p}" for p in sorted(expected.keys() - found.keys())]
            + [f"changed: {p}" for p in sorted(found.keys() & expected.keys())
               if found[p] != expected[p]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true",
                        help=f"rewrite {DIGESTS.relative_to(ROOT)} (else print the differences)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="production-digest-") as tmp:
        found = digests(build(Path(tmp)))
    if args.write:
        DIGESTS.parent.mkdir(parents=True, exist_ok=True)
        DIGESTS.write_text(render(found, versions()), encoding="utf-8")
        print(f"wrote {len(found)} digests to {DIGESTS.relative_to(ROOT)}")
        return 0
    expected, _ = parse(DIGESTS.read_text(encoding="utf-8"))
    differences = compare(expected, found)
    print("\n".join(differences) or f"identical: {len(found)} files")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
