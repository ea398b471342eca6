"""Print content_check's findings for `invoke check`: grouped by file, errors first (rich)."""

from __future__ import annotations

from itertools import groupby

from rich.console import Console
from rich.text import Text

from self_promoting_blog.check.checker import CheckResult


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _verdict(result: CheckResult) -> str:
    stopping = sum(p.stops_production for p in result.warnings)
    those = ("the warning that says so" if stopping == 1
             else f"the {stopping} warnings that say so")
    if result.errors:
        return "Errors stop a production build" + (f", and so do {those}." if stopping else ".")
    if stopping:
        verb = "stops" if stopping == 1 else "stop"
        return f"{those[0].upper()}{those[1:]} {verb} a production build."
    return "Warnings don't stop a build."


def print_check(result: CheckResult, console: Console) -> None:
    """One block per file, one line per problem (``line N  what; fix``), then a summary."""
    for file, problems in groupby(result.problems, key=lambda p: p.file):
        console.print(Text(file, style="bold"))
        for problem in problems:
            style = "red" if problem.is_error else "yellow"
            console.print(Text.assemble(
                "  ", (f"{problem.severity.value:<8}", f"bold {style}"),
                (f"{problem.where}: ", "dim"), problem.message, "; ", (problem.fix, "italic")),
                soft_wrap=True)
    checked = f"Checked {_plural(result.articles, 'article')} and {_plural(result.pages, 'page')}"
    if not result.problems:
        console.print(Text.assemble(("✔ ", "bold green"), f"{checked}: no problems."))
    else:
        counts = (f"{_plural(len(result.errors), 'error')}, "
                  f"{_plural(len(result.warnings), 'warning')}")
        mark = ("✖ ", "bold red") if result.errors else ("⚠ ", "bold yellow")
        console.print(Text.assemble(mark, f"{checked}: {counts}. {_verdict(result)}"),
                      soft_wrap=True)
    console.print(Text("Plain links and images (/articles/…, ../…) are checked by each build, "
                       "against the files it writes.", style="dim"), soft_wrap=True)
