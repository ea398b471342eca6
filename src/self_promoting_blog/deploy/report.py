"""What a deploy did (or would do), shown with rich."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console
from rich.text import Text

from self_promoting_blog.deploy.plan import SyncPlan


@dataclass
class DeployResult:
    """The outcome of one deploy; in a dry run, what it would have done."""

    target: str
    dry_run: bool = False
    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: int = 0
    bytes_sent: int = 0  # as sent: gzipped files count their gzipped size
    seconds: float = 0.0
    invalidation: str | None = None
    gzipped: int = 0  # files of `uploaded` stored gzipped (DEPLOY_GZIP)


def human_bytes(size: float) -> str:
    """Return a size as people read it (12.3 kB)."""
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def files(count: int) -> str:
    """Return "1 file" or "N files"."""
    return f"{count} file{'' if count == 1 else 's'}"


def _line(console: Console, text: str) -> None:
    console.print(text, soft_wrap=True, highlight=False, markup=False)


def print_plan(plan: SyncPlan, target: str, console: Console) -> None:
    """List, in upload order, every upload and deletion a sync would make."""
    console.print(f"[bold]deploy --dry-run[/]: what a deploy to {target} would do", highlight=False)
    for phase, uploads in plan.phases():
        console.print(f"[bold]{phase}[/]")
        for upload in uploads:
            size = human_bytes(upload.file.sent_size)
            if upload.file.gzipped:
                size += f" gzipped from {human_bytes(upload.file.size)}"
            _line(console, f"  upload  {upload.file.rel}  ({'new' if upload.new else 'changed'}, "
                           f"{upload.content_type}, {upload.cache_control}, {size})")
    if plan.deletions:
        console.print("[bold]deletions[/]")
    for rel in plan.deletions:
        _line(console, f"  delete  {rel}")
    for rel in plan.kept:
        _line(console, f"  keep    {rel}  (not in output/; kept by DEPLOY_DELETE or DEPLOY_KEEP)")


def print_paths(result: DeployResult, console: Console) -> None:
    """List what an rsync or gh-pages deploy would send and delete."""
    console.print(f"[bold]deploy --dry-run[/]: what a deploy to {result.target} would do",
                  highlight=False)
    for rel in result.uploaded:
        _line(console, f"  upload  {rel}")
    for rel in result.deleted:
        _line(console, f"  delete  {rel}")


def print_summary(result: DeployResult, console: Console) -> None:
    """Print one line: uploaded, unchanged, deleted, bytes, time (and the CDN invalidation)."""
    kept = f", {result.kept} kept" if result.kept else ""
    gzipped = f", {result.gzipped} gzipped" if result.gzipped else ""
    sent = human_bytes(result.bytes_sent) + gzipped
    if result.dry_run:
        line = (f"Dry run for {result.target}: {files(len(result.uploaded))} to upload "
                f"({sent}), {result.unchanged} unchanged, "
                f"{len(result.deleted)} to delete{kept}; nothing was changed.")
    else:
        line = (f"Deployed to {result.target} in {result.seconds:.1f} s: "
                f"{files(len(result.uploaded))} uploaded ({sent}), "
                f"{result.unchanged} unchanged, "
                f"{len(result.deleted)} deleted{kept}.")
    console.print(Text.assemble(("✔ ", "bold green"), line), soft_wrap=True)
    if result.invalidation:
        _line(console, f"  CDN: {result.invalidation}")
