"""`invoke deploy`: check that output/ is a production build, then sync it to DEPLOY_TARGET."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console

from self_promoting_blog.deploy.ghpages import deploy_ghpages
from self_promoting_blog.deploy.guards import check_output, require_target
from self_promoting_blog.deploy.report import DeployResult
from self_promoting_blog.deploy.rsync import deploy_rsync
from self_promoting_blog.deploy.s3sync import deploy_s3
from self_promoting_blog.deploy.settings import DeploySettings
from self_promoting_blog.deploy.target import GhPagesTarget, RsyncTarget, S3Target


def deploy(settings: DeploySettings, console: Console | None = None, *,
           protected: Mapping[str, str], dry_run: bool = False,
           force: bool = False) -> DeployResult:
    """Deploy output/ (or, with dry_run, show what would change); raise DeployError on any fault.

    `protected` maps each bucket key an S3 sync must never overwrite or delete to what it is and
    how to move it, which ends the refusal when output/ holds a file at that key. Deploy protects
    nothing on its own, so every caller says what, if only `{}` (promote's ledger object:
    `ledger_bucket.protected_keys`).
    """
    console = console or Console(stderr=True)
    target = require_target(settings)
    check_output(settings)
    if isinstance(target, S3Target):
        return deploy_s3(settings, target, console, dry_run=dry_run, force=force,
                         protected=protected)
    if isinstance(target, RsyncTarget):
        return deploy_rsync(settings, target, console, dry_run=dry_run)
    if isinstance(target, GhPagesTarget):
        return deploy_ghpages(settings, target, console, dry_run=dry_run)
    raise AssertionError(f"unhandled target {target!r}")
