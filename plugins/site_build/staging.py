"""Build into a sibling folder and swap it into place only when the build succeeded.

output/ is never written while a build runs: Pelican writes ``output.tmp-<pid>/``; on success
the old output/ is renamed to ``output.old-<pid>/``, the new one renamed to output/, and the old
one removed. Both renames happen within one parent folder, so each is atomic; a failed or
interrupted build leaves output/ exactly as it was.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

LEFTOVER_KINDS = ("tmp", "old")


def staging_dir(output: Path) -> Path:
    """The folder this process builds into, beside output/."""
    return output.with_name(f"{output.name}.tmp-{os.getpid()}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(output: Path) -> list[Path]:
    """Remove staging/old folders left by builds that died (killed, power cut); return them."""
    removed = []
    for kind in LEFTOVER_KINDS:
        for path in output.parent.glob(f"{output.name}.{kind}-*"):
            pid = path.name.rsplit("-", 1)[-1]
            mine_or_dead = pid.isdigit() and (int(pid) == os.getpid() or not _alive(int(pid)))
            if path.is_dir() and mine_or_dead:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def prepare(output: Path) -> Path:
    """Clear leftovers and return an empty staging folder for this build."""
    remove_leftovers(output)
    staging = staging_dir(output)
    staging.mkdir(parents=True)
    return staging


def swap_into_place(staging: Path, output: Path) -> None:
    """Replace output/ with staging/ (output/ is missing only between two renames)."""
    old = output.with_name(f"{output.name}.old-{os.getpid()}")
    if output.exists():
        os.replace(output, old)
    os.replace(staging, output)
    shutil.rmtree(old, ignore_errors=True)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def remove_output(output: Path) -> list[Path]:
    """Delete output/ and any leftovers of interrupted builds; return what was removed."""
    removed = remove_leftovers(output)
    if output.exists():
        shutil.rmtree(output)
        removed.insert(0, output)
    return removed
