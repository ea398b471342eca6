"""The bench's tables: rich on the terminal, Markdown for bench/results/ and the README."""

from __future__ import annotations

import functools
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.machine import machine_line

LABELS = {"bare": "(a) bare", "community": "(b) community", "ours": "(c) ours"}
LEGEND = ("(a) bare Pelican: simple theme, its own feeds, no plugin · (b) (a) + pelican-sitemap, "
          "pelican-share-post, pelican-seo · (c) this blog: publishconf.py, our theme, every "
          "plugin. "
          "Cold: no cache, output removed. Warm: caches of an earlier build, one article edited "
          "(Pelican's content cache for (a) and (b), ours for (c)); warm (c)/cold (a) is the "
          "goal. MB: peak resident memory (RSS) of the whole cold build, (c)'s card workers and "
          "forked helpers included (the workers' share in brackets); PSS divides the pages a "
          "forked helper shares with the build among them")
MARK = {True: "✔ met", False: "✖ missed", None: "–"}


def _memory(setup: dict[str, Any]) -> str:
    workers = setup.get("median_workers_mb", 0)
    return f"{setup['median_rss_mb']:.0f}" + (f" ({workers:.0f})" if workers >= 1 else "")


def _ratio(ratios: dict[str, float], key: str) -> str:
    return f"{ratios[key]:.2f}×" if key in ratios else "–"


def build_rows(summary: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the build table: one row per article count."""
    header = ["articles", "(a) s", "(b) s", "(c) s", "(c)/(a)", "(c)/(b)",
              "warm (a) s", "warm (b) s", "warm (c) s", "warm (c)/cold (a)",
              "(a) MB", "(b) MB", "(c) MB", "RSS (c)/(a)", "PSS (c)/(a)"]
    rows = []
    for row in summary["builds"]:
        setups, warm, ratios = row["setups"], row.get("warm", {}), row["ratios"]
        ratio = functools.partial(_ratio, ratios)
        seconds = [f"{setups[k]['median_s']:.2f}" if k in setups else "–" for k in LABELS]
        rebuilt = [f"{warm[k]['median_s']:.2f}" if k in warm else "–" for k in LABELS]
        memory = [_memory(setups[k]) if k in setups else "–" for k in LABELS]
        rows.append([f"{row['articles']:,}", *seconds, ratio("time_ours_bare"),
                     ratio("time_ours_community"), *rebuilt, ratio("warm_ours_bare_cold"),
                     *memory, ratio("rss_ours_bare"), ratio("pss_ours_bare")])
    return header, rows


def detail_rows(raw: dict[str, Any], summary: dict[str, Any]) -> list[list[str]]:
    """The other measurements, one line each: what, figure."""
    rows = []
    if feeds := summary.get("feeds"):
        rows.append([f"plugins/feeds, {feeds['articles']:,} articles "
                     "(bench/feeds_overhead.py setup)",
                     (f"{feeds['without_s']:.2f} s → {feeds['with_s']:.2f} s "
                      f"({feeds['overhead_pct']:+.1f} %)")])
    if (deploy := raw.get("deploy")) and "rebuild_s" in deploy:
        full = next((row["setups"]["ours"]["median_s"] for row in summary["builds"]
                     if row["articles"] == deploy["articles"] and "ours" in row["setups"]), None)
        ratio = f" = {deploy['rebuild_s'] / full:.2f}× the full build" if full else ""
        rows.append([(f"rebuild after one edit, {deploy['articles']:,} articles (deploy bench, "
                      "content and card caches warm, 1 run)"),
                     f"{deploy['rebuild_s']:.2f} s vs {full or 0:.2f} s{ratio}"])
    for part in ("preview", "promote", "deploy", "page", "profile"):
        for what, figure in (raw.get(part) or {}).get("lines", []):
            rows.append([what, figure])
    for part, reason in raw.get("failed", {}).items():
        rows.append([f"{part}: not measured, it failed", reason.splitlines()[0]])
    rows.extend(["note", note] for note in raw.get("notes", []))
    return rows


def print_report(raw: dict[str, Any], summary: dict[str, Any], console: Console) -> None:
    """The build table, the other figures and the targets."""
    header, rows = build_rows(summary)
    runs = raw["options"]["runs"]
    table = Table(title=f"Production build, median of {runs} run(s), cold and warm",
                  caption=f"{LEGEND}\n{machine_line(raw['machine'])}")
    for name in header:
        table.add_column(name, justify="right")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    details = detail_rows(raw, summary)
    if details:
        more = Table(title="Other measurements", show_header=False)
        more.add_column("what")
        more.add_column("figure")
        for row in details:
            more.add_row(*row)
        console.print(more)
    targets = Table(title="Targets")
    for name in ("measure", "target", "measured", ""):
        targets.add_column(name)
    for t in summary["targets"]:
        style = "green" if t["met"] else "red" if t["met"] is False else ""
        targets.add_row(t["name"], t["target"], t["measured"], f"[{style}]{MARK[t['met']]}[/]"
                        if style else MARK[t["met"]])
    console.print(targets)


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(raw: dict[str, Any], summary: dict[str, Any]) -> str:
    """The same report as Markdown (bench/results/latest.md, pasted into the README)."""
    header, rows = build_rows(summary)
    parts = [(f"Production build, median of {raw['options']['runs']} run(s), cold and warm "
              "(seconds; peak RSS in MB):"), "", _md_table(header, rows), "", LEGEND + ".", ""]
    if details := detail_rows(raw, summary):
        parts += [_md_table(["measurement", "figure"], details), ""]
    parts += [_md_table(["target", "wanted", "measured", ""],
                        [[t["name"], t["target"], t["measured"], MARK[t["met"]]]
                         for t in summary["targets"]]), "",
              f"Machine: {machine_line(raw['machine'])}.", ""]
    return "\n".join(parts)
