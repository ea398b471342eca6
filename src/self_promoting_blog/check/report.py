"""Print content_check's findings for `invoke check`: grouped by file, errors first (rich)."""

from __future__ import annotations

from datetime import datetime
from itertools import groupby

from rich.console import Console
from rich.text import Text

from self_promoting_blog.check.checker import CheckResult
from self_promoting_blog.writing.new_post import NewPost


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


def print_new_post(post: NewPost, console: Console) -> None:
    """Where the new article is and when it goes live."""
    when = post.date.strftime("%a %-d %b %Y %H:%M %Z")
    if post.status == "draft":
        live = "a draft: set Status: published when it is ready"
    elif post.date > datetime.now(post.date.tzinfo):
        live = f"scheduled: it goes live on {when}"
    else:
        live = f"dated {when}: it goes live with the next publish"
    console.print(Text.assemble(("✔ ", "bold green"), "Created ", (post.shown, "bold"),
                                f", {live}."), soft_wrap=True)
    console.print(f"  Category: {post.category} · Tags: {', '.join(post.tags)} · "
                  f"address: {post.slug}. Edit the Summary line and write below the header; "
                  "`invoke check` checks it.", soft_wrap=True, markup=False)
