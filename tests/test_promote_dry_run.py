"""Dry runs that tell the truth: a manifest that matches the content, the first run's choices
(baseline, `--backfill --since`, `--backfill`) with the exact commands, `--json`, and
`invoke publish --dry-run` without a deploy target.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import time

import pytest
from rich.console import Console

from self_promoting_blog.promote.freshness import ManifestSource
from self_promoting_blog.publish.pipeline import publish
from tests.fakes.world import FIRST_FOUR
from tests.support.site import PYTHON, write_site

OLD, NEW = "2024-01-10T09:00:00+01:00", "2024-06-01T09:00:00+02:00"


def counts(world) -> dict[str, int]:
    return {n: len(world.posts(n)) for n in FIRST_FOUR}


# -- the first run: what would be posted where ---------------------------------------------


def sent_text(world, network: str) -> str:
    post = world.posts(network)[-1]
    return post["content"] if network == "discord" else post["text"]


def test_a_first_dry_run_shows_the_baseline_and_what_each_backfill_would_post(make_world):
    world = make_world(*FIRST_FOUR, baseline=False)
    world.article("first-steps", date=OLD)
    world.article("second-look", date="2024-02-10T09:00:00+01:00")
    world.article("just-written", title="Just written", date=NEW)
    run = world.promote(dry_run=True)
    assert run.code == 0, run.output
    out = run.output
    assert not (world.root / ".promote" / "ledger.sqlite3").exists()
    assert all(not fake.requests for fake in world.fakes.values())
    baseline = out.split("First run on Mastodon, Bluesky, Telegram and Discord: these 3 "
                         "published articles become the baseline")[1]
    assert [line.strip() for line in baseline.splitlines()[1:4]] == [
        "2024-01-10  First steps", "2024-02-10  Second look", "2024-06-01  Just written"]
    since = out.split("invoke promote --backfill --since 2024-06-01 would also post the articles "
                      "dated 2024-06-01 or later:")[1].split("invoke promote --backfill would")[0]
    assert since.count("· Just written") == 4 and "First steps" not in since
    backfill = out.split("invoke promote --backfill would post these, oldest first, at most 5 "
                         "per network per run:")[1].split("Dry run:")[0]
    assert [line.strip() for line in backfill.strip().splitlines()] == [
        "Mastodon, Bluesky, Telegram and Discord:", "First steps", "Second look", "Just written"]
    assert [line.strip() for line in out.split("Next, run one of:")[1].strip().splitlines()] == [
        "invoke promote                                 record the baseline; announce nothing",
        ("invoke promote --backfill --since 2024-06-01   also announce those dated 2024-06-01 "
         "or later"),
        "invoke promote --dry-run --backfill            see every text --backfill would post",
        "invoke promote --backfill                      announce all 3, oldest first, 5 per run"]
    # The owner follows the advice: exactly the texts shown go out, and only those.
    assert world.promote(backfill=True, since="2024-06-01").code == 0
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 1)
    for network in FIRST_FOUR:
        assert all(line in since for line in sent_text(world, network).splitlines()), network
    assert world.states("telegram") == {"first-steps": "baseline", "second-look": "baseline",
                                        "just-written": "posted"}


def test_a_long_baseline_is_listed_by_its_ends_and_only_new_networks_have_one(make_world):
    world = make_world(*FIRST_FOUR, baseline=False)
    world.overrides["PROMOTE_MAX_PER_RUN"] = 2
    world.article("first-steps", date=OLD)
    world.article("second-look", date="2024-02-10T09:00:00+01:00")
    for day in range(1, 21):
        world.article(f"old-{day:02d}", date=f"2024-03-{day:02d}T09:00:00+01:00")
    world.promote(network="mastodon")  # mastodon is past its first run; the others are not
    run = world.promote(dry_run=True, network="telegram")
    out = " ".join(run.output.split())
    assert "First run on Telegram: these 22 published articles become the baseline" in out
    assert ("2024-01-10 First steps 2024-02-10 Second look 2024-03-01 Old 01 … 11 more … "
            "2024-03-13 Old 13") in out and "Old 12" not in out and "2024-03-20 Old 20" in out
    assert ("invoke promote --network telegram --backfill would post these, oldest first, at "
            "most 2 per network per run: Telegram: First steps Second look and 20 more on the "
            "next runs") in out
    assert "invoke promote --network telegram --backfill --since 2024-03-20 " in out
    mastodon = " ".join(world.promote(dry_run=True, network="mastodon",
                                      backfill=True).output.split())
    assert "First run on" not in mastodon
    assert "Mastodon: 20 waiting, 2 would post" in mastodon


# -- the manifest matches the content ---------------------------------------------------------


def test_an_outdated_manifest_is_rebuilt_for_a_dry_run_and_refused_for_a_real_one(make_world):
    world = make_world(*FIRST_FOUR, baseline=False)
    world.article("first-steps", date=OLD)
    assert world.promote().code == 0  # first run: baseline
    world.article("fresh-idea", title="Old words", date=NEW)  # the last build's manifest
    manifest = world.root / ".promote" / "manifest.json"
    source_file = world.root / "content" / "articles" / "fresh-idea.md"
    source_file.parent.mkdir(parents=True)
    source_file.write_text("Title: New words\n", encoding="utf-8")  # edited since that build
    settings_file = world.root / "publishconf.py"
    settings_file.write_text("", encoding="utf-8")
    hour_ago = time.time() - 3600
    os.utime(manifest, (hour_ago, hour_ago))
    os.utime(settings_file, (hour_ago - 60, hour_ago - 60))
    builds = []

    def rebuild() -> bool:  # what `invoke preview` does: the manifest now says "New words"
        builds.append(len(builds) + 1)
        world.article("fresh-idea", title="New words", date=NEW)
        return True

    source = ManifestSource((settings_file,), rebuild)
    real = world.promote(source=source, network="telegram")
    assert real.code == 2 and builds == [] and counts(world) == dict.fromkeys(FIRST_FOUR, 0)
    assert real.output == (
        "promote: content/articles/fresh-idea.md changed after the production build that wrote "
        f"the manifest ({time.strftime('%Y-%m-%d %H:%M', time.localtime(hour_ago))}). Run "
        "`invoke publish` (it builds, checks, deploys, then announces), then `invoke promote "
        "--network telegram` again; `invoke promote --network telegram --dry-run` shows what it "
        "would post.")
    dry = world.promote(dry_run=True, source=source)
    assert dry.code == 0 and builds == [1]
    assert " ".join(dry.output.split()).startswith(
        "promote: content/articles/fresh-idea.md changed after the production build that wrote "
        "the manifest (")
    assert dry.output.count("· New words") == 4 and "Old words" not in dry.output
    # Fresh now: no rebuild, and the real run announces what the site shows.
    assert world.promote(source=source).code == 0 and builds == [1]
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 1)
    assert world.posts("telegram")[0]["text"].startswith("New words\n")
    # A settings file counts too, and so does a missing manifest.
    os.utime(settings_file)
    assert "publishconf.py changed after" in world.promote(source=source).output
    manifest.unlink()
    gone = world.promote(source=source)
    assert gone.code == 2 and gone.output.startswith(
        "promote: there is no manifest yet (.promote/manifest.json); a production build writes "
        "it. Run `invoke publish`")
    failed = world.promote(dry_run=True, source=ManifestSource((), lambda: False))
    assert failed.code == 2 and failed.output.endswith(
        "promote: the production build failed (errors above), so there is no current text to "
        "show; fix them and run `invoke promote --dry-run` again.")
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 1)


TINY = {
    "articles/older.md": "Title: Older news\nDate: 2024-03-01 09:00\nCategory: Strategy\n"
                         "Tags: reach\nSummary: Out before promotion was set up.\n\nBody.\n",
    "articles/latest.md": "Title: Just written\nDate: 2024-06-01 09:00\nCategory: Strategy\n"
                          "Tags: reach\nSummary: The one to announce.\n\nBody.\n",
    "pages/about.md": "Title: About\n\nWho writes here.\n",
}


@pytest.fixture
def tiny_blog(demo_copy, monkeypatch):
    """A copy of the project with a two-article site and one network, no deploy target."""
    shutil.rmtree(demo_copy / "content")
    write_site(demo_copy, TINY)
    with (demo_copy / "publishconf.py").open("a") as conf:
        conf.write('\nPROMOTE_NETWORKS = ["bluesky"]\n')
    monkeypatch.delenv("DEPLOY_TARGET", raising=False)
    return demo_copy


def invoke(root, *args) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "invoke", *args], cwd=root, text=True, check=False,
                          capture_output=True, timeout=180, env={**os.environ, "COLUMNS": "100"})


def test_invoke_promote_dry_run_builds_the_current_text_and_json_keeps_stdout_clean(tiny_blog):
    first = invoke(tiny_blog, "promote", "--dry-run")
    assert first.returncode == 0, first.stdout + first.stderr
    out = " ".join(first.stdout.split())
    assert out.startswith("promote: there is no manifest yet (.promote/manifest.json); a "
                          "production build writes it; building the production site (as `invoke "
                          "preview` does) so the dry run shows the current text. ✔ Built the "
                          "production site in output/")
    assert ("First run on Bluesky: these 2 published articles become the baseline, recorded and "
            "never posted unless you backfill: 2024-03-01 Older news 2024-06-01 Just "
            "written") in out
    assert "invoke promote --backfill --since 2024-06-01 would also post" in out
    # The writer changes the title; the next dry run says so and shows the new one.
    latest = tiny_blog / "content" / "articles" / "latest.md"
    latest.write_text(TINY["articles/latest.md"].replace("Just written", "Just rewritten ✨"))
    second = invoke(tiny_blog, "promote", "--dry-run", "--json", "--backfill", "--since",
                    "2024-06-01")
    assert second.returncode == 0, second.stderr
    assert " ".join(second.stderr.split()).startswith(
        "promote: content/articles/latest.md changed after the production build that wrote the "
        "manifest (")
    assert "✔ Built the production site" in second.stderr and "Bluesky" in second.stderr
    posts = json.loads(second.stdout)  # nothing but JSON on stdout
    assert [(p["network"], p["title"], p["status"]) for p in posts] == [
        ("bluesky", "Just rewritten ✨", "would post")]
    assert posts[0]["text"].startswith("Just rewritten ✨\n") and posts[0]["unit"] == "graphemes"
    # A real run with an outdated manifest refuses, naming the file and the command.
    os.utime(latest)
    real = invoke(tiny_blog, "promote")
    assert real.returncode == 1
    assert " ".join(real.stderr.split()).startswith(
        "promote: content/articles/latest.md changed after the production build that wrote the "
        "manifest (")
    assert "Run `invoke publish` (it builds, checks, deploys, then announces)" in real.stderr
    assert not (tiny_blog / ".promote" / "ledger.sqlite3").exists()
    assert invoke(tiny_blog, "promote", "--json").returncode == 1


def test_publish_dry_run_without_a_deploy_target_still_shows_the_promotion_plan(tiny_blog):
    out = io.StringIO()
    assert publish(tiny_blog / "publishconf.py", Console(file=out, width=100),
                   dry_run=True) == 0
    text = " ".join(out.getvalue().split())
    assert ("publish: deploy ─" in text and "! DEPLOY_TARGET is not set, so a real publish would "
            "stop here (set it in publishconf.py or the environment to one of s3://bucket/prefix, "
            "rsync://user@host:/path or gh-pages). Showing what promote would do once the site "
            "is deployed:") in text
    promote = text.split("publish: promote")[1]
    assert "First run on Bluesky: these 2 published articles become the baseline" in promote
    assert "Bluesky · Just written" in promote and "✔ publish: dry run done" in promote
    real = io.StringIO()
    assert publish(tiny_blog / "publishconf.py", Console(file=real, width=300)) == 1
    assert "✖ publish: stopped at deploy. deploy: DEPLOY_TARGET is not set" in real.getvalue()
    assert not (tiny_blog / ".promote" / "ledger.sqlite3").exists()
