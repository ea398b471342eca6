"""What a deploy did (or would do), shown with rich."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console
from rich.text import Text

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
    """Print one line: uploaded, unchanged, deleted, bytes, time (and the CDN invalidation)."""
    verbs = ("Would deploy", "would upload", "would delete") if result.dry_run else (
        "Deployed", "uploaded", "deleted")
    kept = f", {result.kept} kept" if result.kept else ""
    line = (f"{verbs[0]} to {result.target}: {len(result.uploaded)} files {verbs[1]} "
            f"({human_bytes(result.bytes_sent)}), {result.unchanged} unchanged, "
            f"{len(result.deleted)} {verbs[2]}{kept} in {result.seconds:.1f} s.")
    console.print(Text.assemble(("✔ ", "bold green"), line), soft_wrap=True)
    if result.invalidation:
        console.print(f"  CDN: {result.invalidation}", highlight=False)
