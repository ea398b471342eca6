"""Build into a sibling folder and swap it into place only when the build succeeded.

output/ is never written while a build runs: Pelican writes ``output.tmp-<pid>/``; on success
the old output/ is renamed to ``output.old-<pid>-<n>/``, the new one renamed to output/, and the
old one removed in the background, so the build does not wait for thousands of deletions. Both
renames happen within one parent folder, so each is atomic; a failed or interrupted build leaves
output/ exactly as it was. Folders left by a build that died are removed by the next one.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from pathlib import Path

LEFTOVER_KINDS = ("tmp", "old")
_swaps = itertools.count()  # one process (livereload) swaps many times: each old folder is new


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
            pid = path.name.removeprefix(f"{output.name}.{kind}-").split("-")[0]
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


def remove_in_background(folder: Path) -> None:
    """Delete a folder without waiting: `rm` detached by a shell that exits at once."""
    try:
        subprocess.run(["sh", "-c", 'rm -rf -- "$1" &', "sh", str(folder)], check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError):  # no POSIX shell (Windows)
        shutil.rmtree(folder, ignore_errors=True)


def swap_into_place(staging: Path, output: Path) -> None:
    """Replace output/ with staging/ (output/ is missing only between two renames)."""
    if output.exists():
        old = output.with_name(f"{output.name}.old-{os.getpid()}-{next(_swaps)}")
        os.replace(output, old)
        os.replace(staging, output)
        remove_in_background(old)
    else:
        os.replace(staging, output)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def remove_output(output: Path) -> list[Path]:
    """Delete output/ and any leftovers of interrupted builds; return what was removed."""
    removed = remove_leftovers(output)
    if output.exists():
        shutil.rmtree(output)
        removed.insert(0, output)
    return removed
