"""One line on the machine a bench ran on: cores, memory, CPU, load, Python, Pelican, date."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any


def _meminfo_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe() -> dict[str, Any]:
    """The facts that make two bench results comparable (or not)."""
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(_meminfo_gib(), 1),
        "cpu": _cpu_model(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "pelican": version("pelican"),
        "os": f"{platform.system()} {platform.release()}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def machine_line(machine: dict[str, Any]) -> str:
    """One line, e.g. `2 cores, 23.4 GiB, Intel Xeon ..., load 3.1 at start; Python 3.11.7,
    Pelican 4.12.0; 2026-11-23`."""
    load = machine.get("load_average") or [0]
    return (f"{machine['cores']} cores, {machine['memory_gib']} GiB RAM, {machine['cpu']}, "
            f"load {load[0]:.1f} at start; {machine['os']}; Python {machine['python']}, "
            f"Pelican {machine['pelican']}; {machine['date']}")
