"""The command behind `invoke deploy` (tasks.py stays thin); `invoke publish` reuses its parts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.text import Text

from self_promoting_blog.deploy.deploy import deploy
from self_promoting_blog.deploy.errors import DeployError
from self_promoting_blog.deploy.report import DeployResult, print_summary
from self_promoting_blog.deploy.settings import load_settings
from self_promoting_blog.env import export_storage_credentials, project_env_file


def print_error(message: str, console: Console) -> None:
    """Print a one-line failure (the message already names what to fix)."""
    console.print(Text.assemble(("✖ ", "bold red"), message), soft_wrap=True)


def deploy_site(pelican: Mapping[str, Any], console: Console, *, protected: Mapping[str, str],
                dry_run: bool = False, force: bool = False) -> DeployResult:
    """Load the deploy settings (and .env) and deploy; raise DeployError on any fault.

    `protected`: the bucket keys the sync must leave alone (see `deploy.deploy`)."""
    export_storage_credentials(project_env_file(pelican))
    result = deploy(load_settings(pelican), console, dry_run=dry_run, force=force,
                    protected=protected)
    print_summary(result, console)
    return result


def run_deploy(pelican: Mapping[str, Any], console: Console, *, protected: Mapping[str, str],
               dry_run: bool = False, force: bool = False) -> int:
    """`invoke deploy`: deploy and print the summary, or one line saying what to fix; exit code."""
    try:
        deploy_site(pelican, console, dry_run=dry_run, force=force, protected=protected)
    except DeployError as exc:
        print_error(str(exc), console)
        return 1
    return 0
