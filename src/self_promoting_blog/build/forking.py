"""What the build's forked helpers (read_ahead, split_render) share: starting one, safely."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)


def fork_with_pipe(child: Callable[[int], None]) -> tuple[int, int] | None:
    """Fork a helper that runs `child(write end of a pipe)`; return (its pid, the read end).

    The helper never returns into the caller's code: it ends when `child` does, with status 0,
    or 1 if `child` raised (this is the one place a process is ended below tasks.py: the
    helper's own, never the build's). None when this system cannot fork or the fork fails (no
    memory, too many processes): the caller then does the work in this process.
    """
    if not hasattr(os, "fork"):
        return None
    try:
        read_end, write_end = os.pipe()
    except OSError as exc:
        logger.debug("no helper process (%s)", exc)
        return None
    try:
        pid = os.fork()
    except OSError as exc:
        logger.debug("no helper process (%s)", exc)
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:
        status = 1
        try:
            os.close(read_end)
            _close_inherited(keep=write_end)
            child(write_end)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def free_cores() -> int:
    """Cores this process may use, less one for itself and one per child process still running.

    A build's card workers (cards/painter.py) already use the other cores while cards are
    missing; a helper forked then would only take turns with them, and pay for the fork. Child
    processes are counted from /proc (Linux); elsewhere none are seen.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    running = 0
    for task in Path("/proc/self/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for pid in children:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            running += state != "Z"
    return (cores or 1) - 1 - running


def _close_inherited(keep: int) -> None:
    """In the child: close every inherited descriptor but stdio and `keep`.

    The parent's pipes to its card workers among them: a worker stops when its input closes,
    which it never would while a copy of that pipe stayed open here.
    """
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 4096)
