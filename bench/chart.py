"""The chart: build time against article count for the three setups, cold (solid) and warm after
one edit (dashed) (PNG, matplotlib Agg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display here
import matplotlib.pyplot as plt
from matplotlib.ticker import NullFormatter

from bench.machine import machine_line

STYLE = {"bare": ("(a) bare Pelican", "#6b7280", "o"),
         "community": ("(b) Pelican + sitemap, share-post, seo", "#b45309", "s"),
         "ours": ("(c) this blog (our theme, every plugin)", "#0b6b66", "D")}


def draw_chart(raw: dict[str, Any], summary: dict[str, Any], path: Path) -> Path:
    """Median build seconds per setup, with each setup's fastest and slowest run as a bar."""
    figure, axes = plt.subplots(figsize=(8, 5), dpi=110)
    for kind, line, suffix in (("setups", "-", "cold"), ("warm", "--", "warm, one edit")):
        for key, (label, colour, marker) in STYLE.items():
            points = [(row["articles"], row[kind][key]) for row in summary["builds"]
                      if key in row.get(kind, {})]
            if not points:
                continue
            xs = [n for n, _ in points]
            mids = [s["median_s"] for _, s in points]
            low = [s["median_s"] - s["min_s"] for _, s in points]
            high = [s["max_s"] - s["median_s"] for _, s in points]
            axes.errorbar(xs, mids, yerr=[low, high], label=f"{label}, {suffix}", color=colour,
                          marker=marker, capsize=4, linewidth=2, linestyle=line)
    sizes = [row["articles"] for row in summary["builds"]]
    if len(sizes) > 1 and max(sizes) / min(sizes) >= 10:
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.xaxis.set_minor_formatter(NullFormatter())  # only the sizes measured are labelled
    axes.set_xticks(sizes, [f"{n:,}" for n in sizes])
    axes.set_xlabel("articles")
    axes.set_ylabel("build, seconds (median; bars: fastest–slowest run)")
    axes.set_title(f"Production build time, {raw['options']['runs']} run(s) per point")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(loc="upper left", fontsize=7)
    figure.text(0.01, 0.01, machine_line(raw["machine"]), fontsize=6.5, color="#444444")
    figure.tight_layout(rect=(0, 0.04, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path
