"""Deploy output/ to the gh-pages branch with ghp-import, as pelican-quickstart does, and push
it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from rich.console import Console

from self_promoting_blog.deploy.errors import DeploySettingsError, StorageError
from self_promoting_blog.deploy.plan import check_delete_cap
from self_promoting_blog.deploy.report import DeployResult, print_paths
from self_promoting_blog.deploy.settings import DeploySettings
from self_promoting_blog.deploy.target import GhPagesTarget

# Files ghp-import adds itself: never counted as deletions.
_GHP_FILES = {".nojekyll", "CNAME"}


def _git(repo: Path, *args: str, stdin: str | None = None, check: bool = True) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], input=stdin, capture_output=True,
                          text=True, check=False)
    if check and done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise StorageError(f"deploy: git {args[0]} failed: {message}; fix it, then rerun")
    return done.stdout if done.returncode == 0 else ""


def find_repo(output: Path) -> Path:
    """Return the git repository output/ belongs to."""
    done = subprocess.run(["git", "-C", str(output.parent), "rev-parse", "--show-toplevel"],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DeploySettingsError(
            "DEPLOY_TARGET", "gh-pages", "run `git init` and add the remote", owner="deploy",
            problem=f"needs {output} inside a git repository with a remote")
    return Path(done.stdout.strip())


def branch_files(repo: Path, target: GhPagesTarget) -> dict[str, str]:
    """Fetch the published branch and return {path: blob id} (empty for a first deploy)."""
    _git(repo, "fetch", "--quiet", target.remote,
         f"+refs/heads/{target.branch}:refs/remotes/{target.remote}/{target.branch}", check=False)
    listing = _git(repo, "ls-tree", "-r", "-z", f"{target.remote}/{target.branch}", check=False)
    files = {}
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        files[path] = meta.split()[2]
    return files


def local_files(repo: Path, output: Path) -> dict[str, str]:
    """Return {path in output/: git blob id}."""
    paths = sorted(p for p in output.rglob("*") if p.is_file())
    ids = _git(repo, "hash-object", "--stdin-paths", stdin="\n".join(map(str, paths)) + "\n")
    return {p.relative_to(output).as_posix(): blob
            for p, blob in zip(paths, ids.split(), strict=True)}


def cname(siteurl: str) -> list[str]:
    """Return ghp-import's --cname option for a custom domain at the root of SITEURL."""
    parts = urlsplit(siteurl)
    host = parts.hostname or ""
    custom = host and not host.endswith(".github.io") and parts.path in ("", "/")
    return ["--cname", host] if custom else []


def deploy_ghpages(settings: DeploySettings, target: GhPagesTarget, console: Console, *,
                   dry_run: bool = False) -> DeployResult:
    """Commit output/ as the whole gh-pages branch and push it, unless the plan is refused."""
    started = time.monotonic()
    output = settings.output_path.resolve()
    repo = find_repo(output)
    remote, local = branch_files(repo, target), local_files(repo, output)
    changed = sorted(rel for rel, blob in local.items() if remote.get(rel) != blob)
    deleted = sorted(set(remote) - set(local) - _GHP_FILES)
    check_delete_cap(deleted, settings, str(target))
    sizes = sum((output / rel).stat().st_size for rel in changed)
    result = DeployResult(str(target), dry_run, changed, deleted, len(local) - len(changed), 0,
                          sizes)
    if dry_run:
        print_paths(result, console)
    elif changed or deleted:
        env = dict(os.environ)
        if not _git(repo, "config", "user.name", check=False).strip():
            env.setdefault("GIT_COMMITTER_NAME", "invoke deploy")
            env.setdefault("GIT_COMMITTER_EMAIL", "deploy@localhost")
        command = [sys.executable, "-m", "ghp_import", "--no-jekyll", "--push",
                   "--branch", target.branch, "--remote", target.remote,
                   "--message", f"Publish {settings.siteurl}", *cname(settings.siteurl),
                   str(output)]
        done = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            message = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise StorageError(f"deploy: ghp-import could not publish to {target}: {message}; "
                               "fix it (DEPLOY_GH_PAGES_REMOTE, DEPLOY_GH_PAGES_BRANCH, push "
                               "rights), then rerun")
    result.seconds = time.monotonic() - started
    return result
