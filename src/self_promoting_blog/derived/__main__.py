"""``python -m self_promoting_blog.derived --check | --write`` from the project folder.

``--check`` exits 1 naming every derived text that is stale (CI and tests/test_derived.py run it);
``--write`` brings them up to date. Both exit 1 on what only a person can fix (a missing file or
marker line), saying what to add.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from self_promoting_blog.derived import compare, write


def main(argv: list[str] | None = None) -> int:
    """Run the command; return its exit code."""
    parser = argparse.ArgumentParser(prog="python -m self_promoting_blog.derived",
                                     description="Check or write the files derived from the code.")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--check", action="store_true", help="fail naming every stale file")
    what.add_argument("--write", action="store_true", help="bring every derived file up to date")
    parser.add_argument("--root", type=Path, default=Path.cwd(),
                        help="the project folder (default: the current one)")
    args = parser.parse_args(argv)
    if not (args.root / "pyproject.toml").is_file():
        print(f"{args.root} is not the project folder (no pyproject.toml): run this from the "
              "project folder, or give --root.", file=sys.stderr)
        return 1
    outcome = compare(args.root)
    if args.write:
        for path in write(args.root, outcome):
            print(f"wrote {path}")
    else:
        for line in outcome.stale:
            print(line, file=sys.stderr)
    for line in outcome.errors:
        print(line, file=sys.stderr)
    return 1 if outcome.errors or (args.check and outcome.stale) else 0


if __name__ == "__main__":
    sys.exit(main())
