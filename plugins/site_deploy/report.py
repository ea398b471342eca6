"""What a deploy did (or would do), shown with rich."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

from site_deploy.plan import SyncPlan


@dataclass
class DeployResult:
    """The outcome of one deploy; in a dry run, what it would have done."""

    target: str
    dry_run: bool = False
    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: int = 0
    bytes_sent: int = 0
    seconds: float = 0.0
    invalidation: str | None = None


def human_bytes(size: float) -> str:
    """Return a size as people read it (12.3 kB)."""
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def print_plan(plan: SyncPlan, target: str, console: Console) -> None:
    """List, in order, every upload and deletion a sync would make."""
    console.print(f"[bold]deploy --dry-run[/] to {target}: nothing is changed")
    for phase, uploads in plan.phases():
        console.print(f"[bold]{phase}[/]")
        for upload in uploads:
            why = "new" if upload.new else "changed"
            console.print(f"  upload  {upload.file.rel}  ({why}, {upload.content_type}, "
                          f"{upload.cache_control}, {human_bytes(upload.file.size)})", highlight=False)
    if plan.deletions:
        console.print("[bold]deletions[/]")
        for rel in plan.deletions:
            console.print(f"  delete  {rel}", highlight=False)
    for rel in plan.kept:
        console.print(f"  keep    {rel}  (not in output/, kept by DEPLOY_DELETE/DEPLOY_KEEP)",
                      highlight=False)


def print_summary(result: DeployResult, console: Console) -> None:
    """Print one table: uploaded, unchanged, deleted, bytes, time."""
    verb = "would upload" if result.dry_run else "uploaded"
    table = Table(title=f"deploy{' (dry run)' if result.dry_run else ''} to {result.target}",
                  show_header=False, title_justify="left")
    table.add_row(verb, f"{len(result.uploaded)} files")
    table.add_row("unchanged", f"{result.unchanged} files")
    table.add_row("would delete" if result.dry_run else "deleted", f"{len(result.deleted)} files")
    if result.kept:
        table.add_row("kept", f"{result.kept} files not in output/")
    table.add_row("bytes", human_bytes(result.bytes_sent))
    table.add_row("time", f"{result.seconds:.1f} s")
    if result.invalidation:
        table.add_row("CDN", result.invalidation)
    console.print(table)
