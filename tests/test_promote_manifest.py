"""Build side, with real Pelican builds: the manifest, then promote against the deployed build,
then the next build's "Also on:" links read from the ledger."""

from __future__ import annotations

import json
import os
import re
import subprocess

from tests.fakes.world import FIRST_FOUR
from tests.support.site import PYTHON

ARTICLES = {
    "articles/old.md": """Title: An Older Piece
Date: 2024-01-05 09:00
Category: Strategy
Tags: content marketing, SEO
Summary: Old but <em>gold</em> &amp; still read.

Body.
""",
    "articles/quiet.md": """Title: Internal Notes
Date: 2024-02-01 09:00
Category: Strategy
Tags: notes
Summary: Not for the networks.
Promote: no

Body.
""",
    "articles/launch.md": """Title: The Launch Post
Date: 2024-03-01 09:00
Category: Strategy
Tags: launch, email marketing
Summary: Everything about the launch.
Id: launch-2024
Social: We launched. Read the story:
Social_Bluesky: Bluesky, we launched!
Hashtags: growth, B2B

Body.
""",
}


def manifest_of(output):
    return json.loads((output.parent / ".promote" / "manifest.json").read_text(encoding="utf-8"))


def test_a_production_build_writes_the_manifest_outside_output(build_site, pelican_logs):
    odd = ARTICLES["articles/old.md"].replace("An Older Piece", "Odd Override").replace(
        "Category:", "Social_Myspace: hello\nCategory:")
    output = build_site(files={**ARTICLES, "articles/odd.md": odd},
        production=True, SITEURL="https://blog.example.org")
    data = manifest_of(output)
    by_slug = {a["slug"]: a for a in data["articles"]}
    old = by_slug["an-older-piece"]
    assert old["url"] == "https://blog.example.org/articles/an-older-piece/"
    assert old["title"] == "An Older Piece" and old["summary"] == "Old but gold & still read."
    assert old["tags"] == ["content marketing", "SEO"] and old["category"] == "Strategy"
    assert old["date"].startswith("2024-01-05T09:00:00")
    assert old["image"] == "https://blog.example.org/cards/an-older-piece.png"
    assert by_slug["internal-notes"]["promote"] is False
    launch = by_slug["the-launch-post"]
    assert (launch["article_id"], launch["social"], launch["hashtags"]) == (
        "launch-2024", "We launched. Read the story:", ["growth", "B2B"])
    assert launch["social_by_network"] == {"bluesky": "Bluesky, we launched!"}
    assert [a["date"][:10] for a in data["articles"]] == sorted(a["date"][:10]
                                                                 for a in data["articles"])
    assert not list(output.rglob("manifest.json")) and not list(output.rglob("*.sqlite3"))
    assert "promote: content/articles/odd.md: Social_Myspace: no network called 'myspace'; use " \
           "one of Social_Bluesky, Social_Discord," in pelican_logs.text


def test_a_development_build_writes_no_manifest(build_site):
    output = build_site(files=ARTICLES)
    assert not (output.parent / ".promote" / "manifest.json").exists()


def test_build_deploy_promote_then_the_next_build_links_the_posts(build_site, make_world,
                                                                  fake_site):
    world = make_world(*FIRST_FOUR, baseline=False)
    files = dict(ARTICLES)
    output = build_site(files=files, production=True, SITEURL=fake_site.base_url,
                        OUTPUT_PATH=str(world.root / "output"))
    fake_site.serve_output(output)
    first = world.promote()
    assert first.code == 0, first.output  # first run: baseline
    files["articles/new.md"] = ARTICLES["articles/old.md"].replace(
        "An Older Piece", "A Brand New Piece").replace("2024-01-05", "2024-04-01")
    output = build_site(files=files, production=True, SITEURL=fake_site.base_url,
                        OUTPUT_PATH=str(world.root / "output"))
    run = world.promote()
    assert run.code == 0, run.output
    assert {n: len(world.posts(n)) for n in FIRST_FOUR} == dict.fromkeys(FIRST_FOUR, 1)
    text = world.posts("mastodon")[0]["text"]
    assert text.startswith("A Brand New Piece\n\nOld but gold & still read.\n\n"
                           f"{fake_site.base_url}/articles/a-brand-new-piece/?utm_source=mastodon")
    world.fakes["mastodon"].engage(world.posts("mastodon")[0]["id"], likes=3, reposts=1)
    assert world.stats().code == 0  # what came back goes to the ledger's store…
    output = build_site(files=files, production=True, SITEURL=fake_site.base_url,
                        OUTPUT_PATH=str(world.root / "output"))
    page = (output / "articles" / "a-brand-new-piece" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a class="u-syndication" rel="syndication" href="([^"]+)">(\w+)</a>',
                       page)
    assert sorted(label for _, label in links) == ["Bluesky", "Mastodon", "Telegram"]
    assert ("https://t.me/signalreach/1", "Telegram") in links  # Discord links are members-only
    # …and the next build shows it beside the post's link (only kinds it earned any of).
    assert re.search(r'>Mastodon</a> <span class="syndication-counts">\(3 likes, 1 repost\)'
                     r'</span>', page)
    assert '>Bluesky</a>,' in page  # read, nothing earned yet: no counts shown
    old_page = (output / "articles" / "an-older-piece" / "index.html").read_text(encoding="utf-8")
    assert "u-syndication" not in old_page
    secrets = [v for k, v in world.env().items() if k.endswith(("TOKEN", "PASSWORD"))]
    secrets.append(world.env()["DISCORD_WEBHOOK_URL"].rsplit("/", 1)[1])
    for path in [p for p in world.root.rglob("*") if p.is_file()]:
        data = path.read_bytes()
        assert not any(secret.encode() in data for secret in secrets), path


def test_the_invoke_tasks_dry_run_and_report_in_a_copy_of_the_project(demo_copy, make_world):
    """`invoke promote` / `invoke report` as the owner types them (tasks.py wiring)."""

    def invoke(*args):
        return subprocess.run([PYTHON, "-m", "invoke", *args], cwd=demo_copy, text=True,
                              check=False, capture_output=True, timeout=180,
                              env={**os.environ, "COLUMNS": "200"})

    world = make_world(baseline=False)  # no fakes: it writes the manifest invoke reads
    assert world.root == demo_copy
    world.article("hello-world", title="Hello, world", date="2024-06-01T09:00:00+02:00")
    off = invoke("promote")
    assert off.returncode == 0 and "PROMOTE_NETWORKS is empty" in off.stdout
    dry = invoke("promote", "--dry-run", "--backfill", "--", "-e",
                 'PROMOTE_NETWORKS=["bluesky", "telegram"]')
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "Bluesky · Hello, world" in dry.stdout and "/300 graphemes" in dry.stdout
    assert "Bluesky: a real run would skip it until these are fixed\n  ✖ BLUESKY_HANDLE is not " \
           "set." in dry.stdout
    assert not (demo_copy / ".promote" / "ledger.sqlite3").exists()
    real = invoke("promote", "--", "-e", 'PROMOTE_NETWORKS=["telegram"]')
    assert real.returncode == 1 and "✖ TELEGRAM_BOT_TOKEN is not set" in real.stdout
    report = invoke("report", "--json")
    assert report.returncode == 0 and json.loads(report.stdout) == []
    mark = invoke("promote", "--mark-posted", "https://x.example/a/")
    assert mark.returncode == 1 and "--mark-posted needs --network" in mark.stdout + mark.stderr
