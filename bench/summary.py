"""From raw runs to medians, ratios and the targets the project set itself (met or missed)."""

from __future__ import annotations

from statistics import median
from typing import Any

# Sizes at which the build-time targets apply (smaller sizes are reported, not judged).
TARGET_SIZES = (1000, 5000)


def _stats(runs: list[dict[str, Any]]) -> dict[str, float]:
    seconds = [r["seconds"] for r in runs]
    return {"median_s": median(seconds), "min_s": min(seconds), "max_s": max(seconds),
            "median_rss_mb": median(r["peak_rss_mb"] for r in runs),
            "median_workers_mb": median(r.get("workers_peak_rss_mb", 0.0) for r in runs),
            "files": runs[-1]["files"]}


def summarize_builds(builds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per article count: each setup's medians, and (c)/(a), (c)/(b) for time and memory."""
    rows = []
    for size in builds:
        setups = {key: _stats(runs) for key, runs in size["runs"].items() if runs}
        row: dict[str, Any] = {"articles": size["articles"], "setups": setups, "ratios": {}}
        ours = setups.get("ours")
        for other in ("bare", "community"):
            if ours and other in setups:
                row["ratios"][f"time_ours_{other}"] = ours["median_s"] / setups[other]["median_s"]
                row["ratios"][f"rss_ours_{other}"] = (ours["median_rss_mb"]
                                                      / setups[other]["median_rss_mb"])
        rows.append(row)
    return rows


def summarize_incremental(incremental: dict[str, Any] | None,
                          builds: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The median rebuild after one edit, and its ratio to our median cold full build."""
    if not incremental:
        return None
    full = next((row["setups"]["ours"]["median_s"] for row in builds
                 if row["articles"] == incremental["articles"] and "ours" in row["setups"]), None)
    rebuild = median(r["seconds"] for r in incremental["runs"])
    return {"articles": incremental["articles"], "median_s": rebuild, "full_s": full,
            "ratio": rebuild / full if full else None}


def summarize_feeds(feeds: dict[str, Any] | None) -> dict[str, Any] | None:
    """plugins/feeds' overhead over bare Pelican, its own feeds off (bench/feeds_overhead.py)."""
    if not feeds:
        return None
    without = median(r["seconds"] for r in feeds["runs"]["without"])
    with_feeds = median(r["seconds"] for r in feeds["runs"]["with"])
    return {"articles": feeds["articles"], "without_s": without, "with_s": with_feeds,
            "overhead_pct": (with_feeds - without) / without * 100}


def _row(name: str, target: str, measured: str, met: bool | None) -> dict[str, Any]:
    return {"name": name, "target": target, "measured": measured, "met": met}


def build_targets(builds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Full build ≤ 1.15× bare and faster than community at 1,000 and 5,000; RSS ≤ 1.2×."""
    judged = [r for r in builds if r["articles"] in TARGET_SIZES] or builds[-1:]
    rows = []
    for row in judged:
        n, ratios = f"{row['articles']:,}", row["ratios"]
        if "time_ours_bare" in ratios:
            rows.append(_row(f"full build at {n}", "≤ 1.15× bare Pelican",
                             f"{ratios['time_ours_bare']:.2f}×", ratios["time_ours_bare"] <= 1.15))
        if "time_ours_community" in ratios:
            rows.append(_row(f"full build at {n}", "faster than community",
                             f"{ratios['time_ours_community']:.2f}×",
                             ratios["time_ours_community"] < 1.0))
    rss = [(r["ratios"]["rss_ours_bare"], r["articles"]) for r in builds
           if "rss_ours_bare" in r["ratios"]]
    if rss:
        worst, at = max(rss)
        rows.append(_row("peak RSS", "≤ 1.2× bare Pelican", f"{worst:.2f}× (worst, at {at:,})",
                         worst <= 1.2))
    return rows


def other_targets(summary: dict[str, Any], raw: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets for the incremental build, feeds, promotion, deploy and the reader's page."""
    rows = []
    if inc := summary.get("incremental"):
        rows.append(_row(f"incremental rebuild at {inc['articles']:,}", "≤ 0.3× full build",
                         f"{inc['ratio']:.2f}×", inc["ratio"] <= 0.3))
    if feeds := summary.get("feeds"):
        rows.append(_row(f"feeds at {feeds['articles']:,}", "≤ +10 % over bare, feeds off",
                         f"{feeds['overhead_pct']:+.1f} %", feeds["overhead_pct"] <= 10))
    for part in ("preview", "promote"):
        rows.extend((raw.get(part) or {}).get("targets", []))
    if deploy := raw.get("deploy"):
        rows.extend(deploy.get("targets", []))
    if page := raw.get("page"):
        rows.extend(page.get("targets", []))
    rows.extend(_row(part, "measured", "failed (see above)", None)
                for part in raw.get("failed", {}))
    return rows


def summarize(raw: dict[str, Any]) -> dict[str, Any]:
    """Everything the table, the chart and the README show."""
    builds = summarize_builds(raw.get("builds", []))
    summary: dict[str, Any] = {"builds": builds,
                               "incremental": summarize_incremental(raw.get("incremental"), builds),
                               "feeds": summarize_feeds(raw.get("feeds"))}
    summary["targets"] = build_targets(builds) + other_targets(summary, raw)
    return summary
