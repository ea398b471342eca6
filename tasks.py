"""Tasks for Signal & Reach (invoke). `invoke --list` lists them, `invoke --help NAME` explains one.

Every task is thin: it calls the package (src/self_promoting_blog) and prints a short summary;
an expected failure (BlogError) ends it with its one-line message and exit code 1. Pelican runs
in-process; its own options pass through after `--`: `invoke build -- -e SITEURL='"http://x"'`.

Sections: settings · helpers · build and preview · writing · (deploy and promote go below).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict

from invoke import task
from invoke.exceptions import Exit
from invoke.parser import ParserContext
from rich.console import Console

from self_promoting_blog.build.build import BuildResult, build_site, load, overrides_from_cli
from self_promoting_blog.build.preview.server import live
from self_promoting_blog.build.report import print_build, shown_path
from self_promoting_blog.build.serve import regenerate as watch_and_rebuild
from self_promoting_blog.build.serve import serve as serve_folder
from self_promoting_blog.build.staging import remove_output
from self_promoting_blog.check.checker import check_site
from self_promoting_blog.check.report import print_check
from self_promoting_blog.content.entries import example_date
from self_promoting_blog.errors import BlogError
from self_promoting_blog.writing.calendar import read_calendar
from self_promoting_blog.writing.calendar_report import print_calendar, print_promotion
from self_promoting_blog.writing.new_post import create_post
from self_promoting_blog.writing.new_post_report import print_new_post

ROOT = Path(__file__).resolve().parent

# ── settings ────────────────────────────────────────────────────────────────────────────────
class _Config(TypedDict):
    settings_base: Path
    settings_publish: Path
    host: str
    port: int
    recent: int


CONFIG: _Config = {
    "settings_base": ROOT / "pelicanconf.py",  # development build (`build`, `serve`, `check`…)
    "settings_publish": ROOT / "publishconf.py",  # production build (`preview`, `publish`)
    "host": "127.0.0.1",  # where `serve`, `reserve` and `livereload` listen
    "port": 8000,
    "recent": 5,  # published articles listed by `calendar`
}
console = Console(highlight=False)


# ── helpers ─────────────────────────────────────────────────────────────────────────────────
def _run(body: Callable[..., None]) -> Callable[..., None]:
    """The task `body`, ending with the message and exit code 1 on an expected failure (the
    one place tasks catch BlogError; anything else is a bug and keeps its traceback)."""

    @functools.wraps(body)  # invoke reads the task's name, docstring and options from `body`
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            body(*args, **kwargs)
        except BlogError as exc:
            raise Exit(str(exc), code=1) from exc

    return run


def _pelican_options() -> dict[str, Any]:
    """Pelican's options given after `--`, taken from the command line as typed (invoke's
    remainder string would lose the quotes that -e KEY='"text"' needs)."""
    return overrides_from_cli(sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else [])


def _settings(publish: bool = False) -> dict[str, Any]:
    """Pelican's settings, with any options given after `--`."""
    return load(CONFIG["settings_publish" if publish else "settings_base"], _pelican_options())


def _build(publish: bool, out: Console = console) -> BuildResult:
    with out.status("Building the production site…" if publish else "Building…"):
        result = build_site(CONFIG["settings_publish" if publish else "settings_base"],
                            production=publish, overrides=_pelican_options())
    print_build(result, out)
    return result


def _exit_unless(ok: bool) -> None:
    if not ok:
        raise Exit(code=1)


# ── build and preview ───────────────────────────────────────────────────────────────────────
@task
@_run
def clean(c):
    """Remove output/ (and folders left by interrupted builds)."""
    removed = remove_output(Path(_settings()["OUTPUT_PATH"]))
    console.print(f"Removed {', '.join(shown_path(p) for p in removed)}." if removed
                  else "Nothing to remove.")


@task
@_run
def build(c):
    """Build the development preview into output/ (scheduled articles shown, marked)."""
    _exit_unless(_build(publish=False).ok)


@task
@_run
def rebuild(c):
    """`clean`, then `build`."""
    clean(c)
    build(c)


@task
@_run
def regenerate(c):
    """`build`, then rebuild after every change to content/, the theme or the settings."""
    watch_and_rebuild(CONFIG["settings_base"], _settings(), lambda: _build(False), console)


@task(help={"port": "port to listen on (default 8000)"})
@_run
def serve(c, port=CONFIG["port"]):
    """Serve output/ at http://127.0.0.1:8000/."""
    serve_folder(Path(_settings()["OUTPUT_PATH"]), CONFIG["host"], int(port), console)


@task(help={"port": "port to listen on (default 8000)"})
@_run
def reserve(c, port=CONFIG["port"]):
    """`build`, then `serve` (serves even with content errors, so you can look)."""
    _exit_unless(_build(publish=False).replaced)
    serve(c, port)


@task(help={"port": "port to listen on (default 8000)"})
@_run
def livereload(c, port=CONFIG["port"]):
    """Preview from memory: each page drawn when opened, the tab reloaded after every change
    (output/ is left alone; errors show in the browser)."""
    live(CONFIG["settings_base"], _pelican_options(), CONFIG["host"], int(port), console)


@task
@_run
def preview(c):
    """Build the production site (publishconf.py) into output/; on any error, output/ stays."""
    _exit_unless(_build(publish=True).ok)


# ── writing ─────────────────────────────────────────────────────────────────────────────────
@task(help={"title": "the headline, in quotes",
            "category": "an existing category (default: the first one); a new one needs "
                        "--new-category",
            "new-category": "start the category given with --category (no article uses it yet)",
            "tags": 'comma-separated tags (default: the category\'s most used), e.g. "seo, email"',
            "date": f'when it goes live, in the site\'s timezone, e.g. "{example_date()}" '
                    "(default: now); a date in the future schedules the article",
            "slug": "the address: articles/<slug>/ (default: from the title)",
            "draft": "create it as a draft (kept off the site)"})
@_run
def new(c, title, category=None, tags=None, date=None, slug=None, draft=False, new_category=False):
    """Start an article: content/articles/<slug>.md with every field filled in."""
    post = create_post(_settings(), title, when=date, category=category, tags=tags, slug=slug,
                       draft=draft, new_category=new_category)
    print_new_post(post, console)


def _before_invoke_reads_new(argv: list[str]) -> None:
    """invoke's parser takes whatever follows `new` as the headline, even --help, and without one
    it only says "'new' did not receive required positional arguments". So, before it parses:
    `invoke new --help` runs as `invoke --help new`, and `invoke new` alone says how to call it."""
    args = argv[1:]
    if "new" not in args or {"-h", "--help"} & set(args[:args.index("new")]):
        return
    at = args.index("new")
    flags = ParserContext(args=new.get_arguments()).flags
    tokens = iter(args[at + 1:])
    for token in tokens:
        if token in ("-h", "--help"):
            os.execv(sys.executable, [sys.executable, "-m", "invoke", *args[:at], "--help", "new"])
        if token == "--":
            break
        flag = flags.get(token.split("=", 1)[0])
        if not token.startswith("-") or (flag is not None and flag.name == "title"):
            return  # the headline, or --title with it
        if flag is not None and flag.takes_value and "=" not in token:
            next(tokens, None)
    raise SystemExit(f'invoke new needs the headline, in quotes: invoke new "Why Short Videos '
                     f'Win" [--date "{example_date()}"] [--category Strategy] [--draft]. '
                     "invoke --help new lists every option.")


# Runs as invoke loads this file, before it parses the tasks' arguments.
_before_invoke_reads_new(sys.argv)


@task
@_run
def check(c):
    """Check every article and page; list each problem with its fix (exit 1 if any error)."""
    result = check_site(_settings())
    print_check(result, console)
    _exit_unless(not result.errors)


@task(help={"recent": "how many published articles to list (default 5)",
            "dry-run": "also show the exact text of each post promotion will send"})
@_run
def calendar(c, recent=CONFIG["recent"], dry_run=False):
    """Scheduled articles (soonest first), the most recently published ones, and per network
    what promotion posts when (announcements, follow-ups, evergreen picks)."""
    print_calendar(read_calendar(_settings(), int(recent)), console)
    print_promotion(_settings(publish=True), console, texts=dry_run)


# ── deploy and promote ──────────────────────────────────────────────────────────────────────
@task(help={"dry-run": "show each post as readers will see it; post nothing (rebuilds the site "
                       "first if content changed since the last production build)",
            "json": "with --dry-run: the planned posts as JSON on stdout (README, Promotion)",
            "network": "only this network (one of PROMOTE_NETWORKS)",
            "backfill": "also announce articles published before promotion was set up, oldest "
                        "first",
            "since": "with --backfill: only articles dated YYYY-MM-DD or later",
            "retry-unknown": "send again the posts whose fate was unknown (after checking they "
                             "are not there)",
            "mark-posted": "ARTICLE_URL: record it as posted on --network (after checking it is "
                           "there)",
            "post-url": "with --mark-posted: the post's address, for the article's 'Also on' "
                        "links"})
@_run
def promote(c, dry_run=False, json=False, network=None, backfill=False, since=None,
            retry_unknown=False, mark_posted=None, post_url=None):
    """Announce newly published articles on each of PROMOTE_NETWORKS, exactly once."""
    from self_promoting_blog.promote.command import mark_posted as settle
    from self_promoting_blog.promote.command import promote as run_promote
    from self_promoting_blog.promote.freshness import ManifestSource

    if mark_posted:
        if not network:
            raise Exit("--mark-posted needs --network NAME (the network it was posted on).", code=1)
        _exit_unless(settle(_settings(publish=True), mark_posted, network, post_url, console) == 0)
        return
    if json and not dry_run:
        raise Exit("--json goes with --dry-run: `invoke promote --dry-run --json`.", code=1)
    out = Console(stderr=True, highlight=False) if json else console  # stdout holds the JSON
    source = ManifestSource((CONFIG["settings_base"], CONFIG["settings_publish"]),
                            rebuild=lambda: _build(publish=True, out=out).ok)
    _exit_unless(run_promote(_settings(publish=True), dry_run=dry_run, network=network,
                             backfill=backfill, since=since, retry_unknown=retry_unknown,
                             source=source, json_out=sys.stdout if json else None,
                             console=out) == 0)


@task(help={"json": "print the ledger as JSON instead of a table"})
@_run
def report(c, json=False):
    """Show the promotion ledger: every article on every network, and its state."""
    from self_promoting_blog.promote.command import report as show_ledger

    _exit_unless(show_ledger(_settings(publish=True), as_json=json, console=console) == 0)


@task(help={"dry-run": "list the posts it would ask each network about now; send nothing",
            "since": "show only articles dated YYYY-MM-DD or later",
            "article": "show only articles whose URL or title contains this",
            "json": "print the numbers as JSON on stdout instead of a table",
            "report": "also write the HTML report with charts (.promote/stats.html; opens "
                      "offline, never deployed)"})
@_run
def stats(c, dry_run=False, since=None, article=None, json=False, report=False):
    """Read back likes, reposts, replies and quotes of the announced posts; show the numbers."""
    from self_promoting_blog.stats.command import stats as run_stats

    out = Console(stderr=True, highlight=False) if json else console  # stdout holds the JSON
    _exit_unless(run_stats(_settings(publish=True), dry_run=dry_run, since=since,
                           article=article, json_out=sys.stdout if json else None,
                           report=report, console=out) == 0)


@task(help={"dry-run": "list every upload and deletion it would make; change nothing",
            "force": "send every file again (after changing DEPLOY_CACHE_CONTROL or "
                     "DEPLOY_CONTENT_TYPES)"})
@_run
def deploy(c, dry_run=False, force=False):
    """Sync output/ (a production build) to DEPLOY_TARGET: changed files only, deletions last."""
    from self_promoting_blog.deploy.command import run_deploy
    from self_promoting_blog.promote.ledger_bucket import protected_keys

    pelican = _settings(publish=True)
    _exit_unless(run_deploy(pelican, console, dry_run=dry_run, force=force,
                            protected=protected_keys(pelican)) == 0)


@task(help={"dry-run": "build and check, then show what deploy and promote would do; change "
                       "nothing on the target or the networks"})
@_run
def publish(c, dry_run=False):
    """Production build → check → deploy → wait until new articles answer 200 → promote →
    stats (a failed stats fetch is reported, never fails the publish)."""
    from self_promoting_blog.publish.pipeline import publish as run_publish

    _exit_unless(run_publish(CONFIG["settings_publish"], console, dry_run=dry_run,
                             overrides=_pelican_options()) == 0)


# ── bench ───────────────────────────────────────────────────────────────────────────────────
@task(auto_shortflags=False,
      help={"sizes": "article counts, comma-separated (default 200,1000,5000)",
            "runs": "cold builds and warm rebuilds per setup and size (default 3)",
            "skip-feeds": "leave out plugins/feeds' overhead", "skip-deploy": "leave out deploy",
            "skip-promote": "leave out promote", "skip-page": "leave out the reader's page",
            "skip-lighthouse": "leave out Lighthouse",
            "profile": "pyinstrument profile of our build: auto (when a target is missed), "
                       "always or never"})
@_run
def bench(c, sizes="200,1000,5000", runs=3, skip_feeds=False, skip_deploy=False,
          skip_promote=False, skip_page=False, skip_lighthouse=False, profile="auto"):
    """Measure our build against bare Pelican and the community setup; write bench/results/."""
    from bench.run import main as run_bench

    skips = {"feeds": skip_feeds, "deploy": skip_deploy,
             "promote": skip_promote, "page": skip_page, "lighthouse": skip_lighthouse}
    flags = [f"--skip-{part}" for part, skipped in skips.items() if skipped]
    _exit_unless(run_bench(["--sizes", sizes, "--runs", str(runs), "--profile", profile, *flags],
                           console) == 0)
