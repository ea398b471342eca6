"""`invoke publish`: each stage prints its summary; the first that fails stops the rest.

    build (publishconf.py) → check → deploy → wait until the deployed articles answer 200 → promote
    → stats (what the posts earned so far; reported, never a reason to fail the publish)

Nothing is lost when a stage fails: a failed build leaves output/ and the target as they were, a
deploy that stops halfway is finished by the next one (it sends only what differs), and articles
not yet announced stay in the manifest minus the ledger, so the next publish announces them.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from self_promoting_blog.build.build import build_site, load
from self_promoting_blog.build.report import print_build
from self_promoting_blog.check.checker import check_site
from self_promoting_blog.check.report import print_check
from self_promoting_blog.deploy.command import deploy_site, print_error
from self_promoting_blog.deploy.errors import DeployError
from self_promoting_blog.deploy.report import DeployResult
from self_promoting_blog.deploy.settings import load_settings as load_deploy_settings
from self_promoting_blog.deploy.target import FORMS
from self_promoting_blog.env import export_storage_credentials, project_env_file
from self_promoting_blog.errors import BlogError, PublishStopped
from self_promoting_blog.live import poll
from self_promoting_blog.promote.command import promote
from self_promoting_blog.promote.http import redact
from self_promoting_blog.promote.ledger_bucket import protected_keys
from self_promoting_blog.promote.pending import urls_to_announce
from self_promoting_blog.publish.settings import load_settings
from self_promoting_blog.stats.command import stats

NEXT = "the next `invoke publish` picks up from here"
# Each check of a new page: seconds to connect, and again to read the answer.
PAGE_TIMEOUT = 10
# Ask a CDN to check its origin rather than replay a cached 404.
NO_CACHE = {"Cache-Control": "no-cache"}


def _stage(console: Console, name: str) -> None:
    console.rule(Text(f"publish: {name}", style="bold"), align="left")


def _build(settings_file: Path, overrides: Mapping[str, Any], console: Console) -> None:
    result = build_site(settings_file, production=True, overrides=overrides)
    print_build(result, console)
    if not result.ok:
        raise PublishStopped("The production build failed (errors above); nothing was deployed or "
                             "announced, output/ and the site are as they were")


def _check(pelican: Mapping[str, Any], console: Console) -> None:
    result = check_site(pelican)
    print_check(result, console)
    if result.errors:
        raise PublishStopped("The content check found errors (above); nothing was deployed or "
                             "announced")


def deployed_articles(pelican: Mapping[str, Any], result: DeployResult) -> list[str] | None:
    """Return the URLs of the articles promote will look at whose pages this deploy sent.

    None when nothing will be announced (the promote stage says why), so there is nothing to
    wait for.
    """
    urls = urls_to_announce(pelican)
    if urls is None:
        return None
    siteurl = str(pelican.get("SITEURL", "")).rstrip("/")
    sent = set(result.uploaded)
    deployed = []
    for url in urls:
        rel = url.removeprefix(siteurl + "/")
        if rel + ("index.html" if rel.endswith("/") or not rel else "") in sent:
            deployed.append(url)
    return deployed


def _wait(pelican: Mapping[str, Any], result: DeployResult, console: Console) -> None:
    settings = load_settings(pelican)
    urls = deployed_articles(pelican, result)
    if urls is None:
        console.print("Nothing will be announced (see promote below), so there is nothing to "
                      "wait for.")
        return
    started = time.monotonic()
    with console.status("publish: checking the new pages…") as shown:
        results = poll(urls, None, settings.live_wait, settings.live_interval,
                       timeout=PAGE_TIMEOUT, headers=NO_CACHE,
                       on_wait=lambda pending, left: shown.update(
                           f"publish: waiting for {pending} new pages to answer 200 "
                           f"({left:.0f} s left)…"))
    seconds = time.monotonic() - started
    missing = [page for page in results.values() if not page.ok]
    if missing:
        raise PublishStopped(f"{missing[0].reason}, still after {seconds:.0f} s "
                             f"(PUBLISH_LIVE_WAIT = {settings.live_wait:.0f}); the site is "
                             f"deployed but nothing was announced; check the CDN or SITEURL, "
                             f"{NEXT}")
    console.print(Text.assemble(("✔ ", "bold green"), f"The {len(urls)} article pages this deploy "
                                f"sent answer 200 ({seconds:.1f} s)."))


def _deploy(pelican: Mapping[str, Any], console: Console, dry_run: bool) -> DeployResult | None:
    """Deploy (or show what a deploy would change). A dry run without DEPLOY_TARGET says it
    would stop here and goes on, so it still shows the promotion plan."""
    if dry_run and load_deploy_settings(pelican).target is None:
        console.print(Text.assemble(
            ("! ", "bold yellow"), "DEPLOY_TARGET is not set, so a real publish would stop here "
            f"(set it in publishconf.py or the environment to one of {FORMS}). Showing what "
            "promote would do once the site is deployed:"))
        return None
    return deploy_site(pelican, console, dry_run=dry_run, protected=protected_keys(pelican))


def _promote(pelican: Mapping[str, Any], console: Console, dry_run: bool) -> None:
    try:
        code = promote(pelican, dry_run=dry_run, console=console)
    except BlogError as exc:  # a bad setting, option, manifest or ledger: promote's own words
        raise PublishStopped(str(exc)) from None
    if code != 0:
        raise PublishStopped("Promote reported posts that failed or need a decision (table "
                             f"above); the site is live, {NEXT}")


def _stats(pelican: Mapping[str, Any], console: Console, dry_run: bool) -> None:
    """Read back the due posts' counts; the next build shows them. A failure is only reported:
    the site is live and announced, and the next run asks again."""
    try:
        code = stats(pelican, dry_run=dry_run, console=console)
    except Exception as exc:  # whatever went wrong, the publish itself succeeded
        code = 1
        console.print(Text.assemble(("! ", "bold yellow"), f"stats: {redact(exc)}"))
    if code != 0:
        console.print(Text.assemble(("! ", "bold yellow"), "stats could not read everything "
                                    "(above); the publish is done, and the next `invoke stats` "
                                    "or publish asks again."))


def _read_settings(settings_file: Path, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Pelican's production settings; a broken settings file stops here, in one line."""
    try:
        pelican = load(settings_file, overrides)
    except Exception as exc:
        raise PublishStopped(f"{settings_file.name} could not be read "
                             f"({type(exc).__name__}: {exc}); fix it and rerun") from None
    load_settings(pelican)  # a bad PUBLISH_* setting stops us before anything goes out
    return pelican


def publish(settings_file: Path, console: Console, *, overrides: Mapping[str, Any] | None = None,
            dry_run: bool = False) -> int:
    """Run every stage; return the exit code (0 when all of them succeeded)."""
    started = time.monotonic()
    overrides = dict(overrides or {})
    stage = "settings"
    try:
        pelican = _read_settings(settings_file, overrides)
        # The build reads the bucket ledger (syndication links).
        export_storage_credentials(project_env_file(pelican))
        _stage(console, stage := "build")
        _build(settings_file, overrides, console)
        _stage(console, stage := "check")
        _check(pelican, console)
        _stage(console, stage := "deploy")
        result = _deploy(pelican, console, dry_run)
        if result is not None and not dry_run:
            _stage(console, stage := "wait until live")
            _wait(pelican, result, console)
        _stage(console, stage := "promote")
        _promote(pelican, console, dry_run)
        _stage(console, stage := "stats")
        _stats(pelican, console, dry_run)
    except (BlogError, DeployError) as exc:
        print_error(f"publish: stopped at {stage}. {exc}", console)
        return 1
    console.print(Text.assemble(("✔ ", "bold green"), f"publish: {'dry run ' if dry_run else ''}"
                                f"done in {time.monotonic() - started:.1f} s."))
    return 0
