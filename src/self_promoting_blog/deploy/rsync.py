"""Deploy output/ with the system rsync (over ssh for rsync://user@host:/path)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field

from rich.console import Console

from self_promoting_blog.deploy.errors import DeploySettingsError, StorageError
from self_promoting_blog.deploy.plan import check_delete_cap
from self_promoting_blog.deploy.report import DeployResult, print_paths
from self_promoting_blog.deploy.settings import DeploySettings
from self_promoting_blog.deploy.target import RsyncTarget

# --checksum: Pelican rewrites every file on each build, so times say nothing about content.
# --delay-updates: changed files land together at the end; --delete-after: deletions come last.
BASE = ["rsync", "--recursive", "--links", "--times", "--checksum", "--compress",
        "--delay-updates", "--itemize-changes", "--stats"]
_SENT = re.compile(r"^[<>]f(\S+) (.+)$")
_DELETED = re.compile(r"^\*deleting +(.+)$")
_BYTES = re.compile(r"^Total transferred file size: ([\d,.]+)", re.M)


def rsync_command(settings: DeploySettings, target: RsyncTarget, preview: bool) -> list[str]:
    """Return the rsync command line: a preview (--dry-run, counts every deletion) or the sync."""
    command = list(BASE)
    if settings.delete:
        command.append("--delete-after")
        command += [f"--filter=protect {pattern}" for pattern in settings.keep]
    # The preview must list every deletion; the sync keeps rsync's own cap as a second guard.
    command.append("--dry-run" if preview else f"--max-delete={settings.max_deletes}")
    return command + [f"{settings.output_path}/", target.destination.rstrip("/") + "/"]


def _run(command: list[str], target: RsyncTarget) -> str:
    if shutil.which("rsync") is None:
        raise DeploySettingsError(
            "DEPLOY_TARGET", str(target), "install it (apt-get install rsync, or bash .ci/setup)",
            owner="deploy", problem="is an rsync target, but rsync is not installed")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()] or ["no message"]
        hint = ("check the host, the user and your ssh key" if done.returncode == 255
                else "check DEPLOY_TARGET and the destination's permissions")
        raise StorageError(f"deploy: rsync to {target} failed (exit {done.returncode}): "
                           f"{lines[0]}; {hint}, then rerun")
    return done.stdout


@dataclass
class RsyncChanges:
    """What rsync sent and deleted, read from its --itemize-changes output."""

    sent: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def parse_itemized(stdout: str) -> RsyncChanges:
    """Read rsync's --itemize-changes lines: `<f+++++++++ path` was sent, `*deleting path`
    deleted."""
    changes = RsyncChanges()
    for line in stdout.splitlines():
        if sent := _SENT.match(line):
            changes.sent.append(sent.group(2))
        elif deleted := _DELETED.match(line):
            changes.deleted.append(deleted.group(1))
    return changes


def deploy_rsync(settings: DeploySettings, target: RsyncTarget, console: Console, *,
                 dry_run: bool = False) -> DeployResult:
    """Preview with --dry-run (to enforce the delete cap before anything changes), then sync."""
    started = time.monotonic()
    stdout = _run(rsync_command(settings, target, preview=True), target)
    check_delete_cap(parse_itemized(stdout).deleted, settings, str(target))
    if not dry_run:
        stdout = _run(rsync_command(settings, target, preview=False), target)
    done = parse_itemized(stdout)
    total = sum(1 for path in settings.output_path.rglob("*") if path.is_file())
    sent_bytes = _BYTES.search(stdout)
    result = DeployResult(str(target), dry_run, done.sent, done.deleted, total - len(done.sent),
                          0, int(re.sub(r"[,.]", "", sent_bytes.group(1))) if sent_bytes else 0)
    if dry_run:
        print_paths(result, console)
    result.seconds = time.monotonic() - started
    return result
