"""Print what a build did, for people: one summary line, then problems (rich)."""

from __future__ import annotations

import os
from pathlib import Path

from rich.console import Console
from rich.text import Text

from self_promoting_blog.build.build import BuildResult


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def shown_path(path: Path) -> str:
    """A path as short as possible: relative to the current folder when inside it."""
    try:
        return os.path.relpath(path) + "/" if path.is_relative_to(Path.cwd()) else f"{path}/"
    except ValueError:
        return f"{path}/"


def _what(result: BuildResult) -> str:
    parts = [_plural(result.articles, "article"), _plural(result.pages, "page")]
    if result.production:
        held = [_plural(n, w) for n, w in ((result.scheduled, "scheduled article"),
                                          (result.drafts, "draft")) if n]
        tail = f"; held back: {', '.join(held)}" if held else ""
        return f"{', '.join(parts)}, {_plural(result.files, 'file')}{tail}"
    if result.scheduled:
        parts[0] += f" ({result.scheduled} scheduled, marked as such)"
    if result.drafts:
        parts.append(f"{_plural(result.drafts, 'draft')} (under drafts/)")
    return f"{', '.join(parts)}, {_plural(result.files, 'file')}"


def headline(result: BuildResult) -> Text:
    """The one-line summary: what was built, where, how long, and whether it worked."""
    kind = "production site" if result.production else "development preview"
    where = shown_path(result.output)
    took = f"{result.seconds:.1f} s"
    if result.ok:
        return Text.assemble(("✔ ", "bold green"),
                             f"Built the {kind} in {where} in {took}: {_what(result)}.")
    errors = _plural(len(result.errors), "error")
    if result.replaced:
        return Text.assemble(("✖ ", "bold red"), f"Built the {kind} in {where} in {took} ",
                             (f"with {errors}", "bold red"), f": {_what(result)}. The files "
                             "with errors are missing or wrong in it, and a production build "
                             "refuses to run until they are fixed.")
    return Text.assemble(("✖ ", "bold red"), (f"The {kind} build failed with {errors}", "bold red"),
                         f" after {took}; {where} was left exactly as it was.")


def _problems(console: Console, title: str, lines: tuple[str, ...], style: str) -> None:
    # One unwrapped line per problem, so a message can be searched for and copied whole.
    console.rule(Text(title, style=f"bold {style}"), align="left", style=style)
    for line in lines:
        console.print(Text.assemble(("• ", f"bold {style}"), line), soft_wrap=True)


def print_build(result: BuildResult, console: Console) -> None:
    """Warnings, then errors, then the summary line, so errors and verdict stay on screen."""
    if result.warnings:
        _problems(console, _plural(len(result.warnings), "warning"), result.warnings, "yellow")
    if result.errors:
        _problems(console, f"{_plural(len(result.errors), 'error')}: fix these", result.errors,
                  "red")
    console.print(headline(result), soft_wrap=True)
    local = result.siteurl.startswith(("http://127.0.0.1", "http://localhost"))
    if result.ok and result.production and result.siteurl and not local:
        # Absolute links send a browser to the live site, so a local look needs a local SITEURL.
        console.print(f"  Its links point at {result.siteurl}. To click through it here: "
                      "SITEURL=http://127.0.0.1:8000 invoke preview, then invoke serve.",
                      soft_wrap=True)
