"""What the build's forked helpers (read_ahead, split_render) share: starting one, safely."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Collection
from pathlib import Path

logger = logging.getLogger(__name__)

_AT_WORK = frozenset({"R", "D"})  # a process's state: running (or ready to), or on the disk
_LOOKS, _LOOK_APART_S = 3, 0.005


def fork_with_pipe(child: Callable[[int], None],
                   keep: Collection[int] = ()) -> tuple[int, int] | None:
    """Fork a helper that runs `child(write end of a pipe)`; return (its pid, the read end).

    The helper closes every descriptor it inherits but stdio, the pipe and those in `keep`.

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
            _close_inherited(keep={write_end, *keep})
            child(write_end)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def free_cores() -> int:
    """Cores this process may use, less one for itself and one per child process at work.

    A build's card workers (cards/painter.py) use the other cores while cards are missing; a
    helper forked then would only take turns with them, and pay for the fork. A child at work
    runs or waits for a core ("R") or for the disk ("D"); a worker that has drawn all it was
    given sleeps on its input until the build ends, and leaves its core free. A worker between
    two batches sleeps for a few milliseconds, so a sleeping child is looked at again a few
    times before it counts as idle. Child processes are seen in /proc (Linux); elsewhere none.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    idle = _children()
    at_work = 0
    for look in range(_LOOKS):
        if look:
            time.sleep(_LOOK_APART_S)
        states = {pid: _state(pid) for pid in idle}
        at_work += sum(state in _AT_WORK for state in states.values())
        idle = [pid for pid, state in states.items() if state not in _AT_WORK | {None, "Z"}]
        if not idle:
            break
    return (cores or 1) - 1 - at_work


def _children() -> list[str]:
    found: list[str] = []
    for task in Path("/proc/self/task").glob("*"):
        try:
            found += (task / "children").read_text().split()
        except OSError:
            continue
    return found


def _state(pid: str) -> str | None:
    """The process's state letter, None once it has gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def _close_inherited(keep: Collection[int]) -> None:
    """In the child: close every inherited descriptor but stdio and those in `keep`.

    The parent's pipes to its card workers among them: a worker stops when its input closes,
    which it never would while a copy of that pipe stayed open here.
    """
    start = 3
    for kept in sorted(keep):
        os.closerange(start, kept)
        start = kept + 1
    os.closerange(start, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 4096)
