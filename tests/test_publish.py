"""The ledger that travels with the site (an object in the deploy bucket, conditional writes), and
`invoke publish` end to end: build → check → deploy → wait until live → promote.

Against SeaweedFS on 127.0.0.1 (checks credentials, honours If-Match / If-None-Match) and the
promotion helper's fake networks.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from rich.console import Console

from self_promoting_blog.promote.errors import LedgerError
from self_promoting_blog.promote.ledger import ACTIVE_RUNS, CLAIMABLE, ArticleRef, Ledger, Owner
from self_promoting_blog.promote.ledger_bucket import DEFAULT_KEY, BucketLedger, open_bucket_ledger
from self_promoting_blog.publish.pipeline import publish
from tests.fakes.mastodon import TOKEN as MASTODON_TOKEN
from tests.fakes.s3 import SECRET_KEY, BucketSite, free_ports, shifted_clock_env
from tests.support.site import write_site

LEDGER_KEY = DEFAULT_KEY


def bucket_settings(s3_env, bucket: str, **more) -> dict:
    return {"DEPLOY_TARGET": f"s3://{bucket}/blog", "S3_ENDPOINT_URL": s3_env.endpoint_url,
            "SITEURL": "https://blog.example.test", **more}


def ledger_scenario(ledger) -> tuple[list, list[dict]]:
    """Every state change the runner makes, with what each returned, and the rows at the end."""
    live, dead = Owner("live-run"), Owner("dead-run")
    ACTIVE_RUNS.add("live-run")
    old, new, late, crashed = (ArticleRef(f"https://blog.example.test/articles/{slug}/",
                                          slug.title(), f"2024-0{n}-01")
                               for n, slug in enumerate(("old", "new", "late", "crashed"), 1))
    net, acct = "mastodon", "acct-1"
    said = [ledger.is_first_run(net, acct), ledger.start_account(net, acct, [old]),
            ledger.start_account(net, acct, [old, new]), ledger.is_first_run(net, acct)]
    claim = ledger.claim(new, net, acct, "key-new", live)
    said += [(claim.row.state, claim.row.idem_key, claim.resumed),
             ledger.claim(new, net, acct, "key-other", live),  # held by a live run
             ledger.claim(old, net, acct, "key-old", live)]    # baseline needs --backfill
    ledger.checkpoint(new.url, net, acct, "rkey", "3kabc")
    ledger.finish(new.url, net, acct, "posted", post_id="1", post_url="https://m.test/1")
    said += [ledger.note(late, net, acct, "skipped", "not live yet"),
             ledger.note(new, net, acct, "skipped", "posted rows stay posted")]
    ledger.claim(late, net, acct, "key-late", live)
    ledger.finish(late.url, net, acct, "failed", detail="HTTP 500")
    again = ledger.claim(late, net, acct, "key-late-2", live)
    said.append((again.row.idem_key, again.row.attempts))
    ledger.finish(late.url, net, acct, "unknown", detail="no answer")
    said += [ledger.claim(late, net, acct, "k", live),
             ledger.claim(late, net, acct, "k", live, allow=CLAIMABLE | {"unknown"}) is not None]
    ledger.finish(late.url, net, acct, "posted", post_url="https://m.test/2")
    ledger.claim(crashed, net, acct, "key-crashed", dead)  # its run died without finishing
    resumed = ledger.claim(crashed, net, acct, "key-x", live)
    said.append((resumed.resumed, resumed.row.idem_key))
    ledger.finish(crashed.url, net, acct, "pending")
    rows = [{k: v for k, v in asdict(r).items() if k not in ("updated", "owner")}
            for r in ledger.rows()]
    return said, rows


def test_bucket_ledger_behaves_exactly_like_the_sqlite_ledger(s3_env, tmp_path):
    sqlite = Ledger(tmp_path / "ledger.sqlite3")
    expected = ledger_scenario(sqlite)
    sqlite.close()
    bucket = s3_env.new_bucket()
    got = ledger_scenario(open_bucket_ledger(bucket_settings(s3_env, bucket)))
    assert got == expected
    assert [row["state"] for row in got[1]] == ["baseline", "posted", "posted", "pending"]
    # A fresh reader (another machine) sees the same ledger.
    reread = open_bucket_ledger(bucket_settings(s3_env, bucket), read_only=True).rows()
    assert [r.state for r in reread] == ["baseline", "posted", "posted", "pending"]


def interleave(first: BucketLedger, second: BucketLedger, change) -> None:
    """Make `second` write between `first`'s read and `first`'s conditional write."""
    write = first._write

    def late_write(write_id: str) -> None:
        first._write = write
        change(second)
        write(write_id)

    first._write = late_write


def test_conditional_write_fails_reloads_and_claims_nothing(s3_env):
    bucket = s3_env.new_bucket()
    settings = bucket_settings(s3_env, bucket)
    here, there = open_bucket_ledger(settings), open_bucket_ledger(settings)
    article = ArticleRef("https://blog.example.test/articles/new/", "New", "2024-05-01")
    ACTIVE_RUNS.update({"run-here", "run-there"})
    # Both start on an empty bucket: the other creates the object first (If-None-Match: *).
    interleave(here, there, lambda other: other.start_account("mastodon", "a", []))
    assert here.start_account("mastodon", "a", [article]) == 0  # re-decided: not a first run
    assert here.conflicts == 1
    # Both read the ledger; the other claims the article first (If-Match on the old ETag).
    interleave(here, there, lambda other: other.claim(article, "mastodon", "a", "k1",
                                                      Owner("run-there")))
    assert here.claim(article, "mastodon", "a", "k2", Owner("run-here")) is None
    assert here.conflicts == 2
    row = there.get(article.url, "mastodon", "a")
    assert (row.state, row.idem_key, row.owner.endswith("run-there")) == ("sending", "k1", True)


def test_ledger_object_is_private_and_outside_the_site(s3_env):
    bucket = s3_env.new_bucket()
    ledger = open_bucket_ledger(bucket_settings(s3_env, bucket))
    ledger.start_account("mastodon", "a", [])
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(f"{s3_env.endpoint_url}/{bucket}/{LEDGER_KEY}")
    assert anonymous.value.code == 403
    assert not LEDGER_KEY.startswith("blog/")
    with pytest.raises(LedgerError, match="lies inside the site .* so the site would serve"):
        open_bucket_ledger(bucket_settings(s3_env, bucket, DEPLOY_TARGET=f"s3://{bucket}"))


@pytest.mark.parametrize(("settings", "env", "expected"), [
    ({"DEPLOY_TARGET": "gh-pages"}, {}, "PROMOTE_LEDGER = 'bucket' keeps the ledger in the S3 "
                                        "deploy bucket, but DEPLOY_TARGET is 'gh-pages'"),
    ({"DEPLOY_TARGET": "s3://no-such-bucket/blog"}, {}, "bucket 'no-such-bucket' does not exist"),
    ({}, {"AWS_SECRET_ACCESS_KEY": "not-the-secret"}, "AWS_SECRET_ACCESS_KEY does not belong"),
])
def test_bucket_ledger_faults_are_one_line(s3_env, monkeypatch, settings, env, expected):
    bucket = s3_env.new_bucket()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(LedgerError) as failed:
        open_bucket_ledger(bucket_settings(s3_env, bucket, **settings))
    assert expected in str(failed.value) and str(failed.value).startswith("promote: ")
    assert "\n" not in str(failed.value) and SECRET_KEY not in str(failed.value)
    assert "not-the-secret" not in str(failed.value)


@pytest.fixture
def world(make_world, s3_env):
    """A promote world (fake site, fake Mastodon) whose ledger is kept in a fresh bucket."""
    made = make_world("mastodon", baseline=False)
    made.overrides = {"PROMOTE_LEDGER": "bucket", "DEPLOY_TARGET":
                      f"s3://{s3_env.new_bucket()}/blog", "S3_ENDPOINT_URL": s3_env.endpoint_url}
    return made


def test_two_processes_publishing_at_once_post_once(world, s3_env, s3_proxy, monkeypatch):
    world.article("older")
    assert world.promote().code == 0  # the first run records `older` as baseline
    world.article("fresh", date="2024-06-01T09:00:00+02:00")
    # The other machine reads the ledger and decides to claim `fresh`; its write waits at the gate.
    s3_proxy.gate = gate = threading.Event()
    monkeypatch.setenv("S3_ENDPOINT_URL", s3_proxy.endpoint_url)
    other = world.spawn()
    assert s3_proxy.waiting.wait(60), other.communicate()[0]
    monkeypatch.delenv("S3_ENDPOINT_URL")
    # Meanwhile this machine claims, posts and records it.
    here = world.promote()
    assert here.code == 0, here.output
    gate.set()
    output, _ = other.communicate(timeout=120)
    assert other.returncode == 0, output
    # The other's conditional write was refused; it reloaded and posted nothing.
    assert (LEDGER_KEY, 412) in s3_proxy.statuses
    assert "another promote run has it" in output
    statuses = world.posts("mastodon")
    assert len(statuses) == 1 and "/articles/fresh/" in statuses[0]["text"]
    ledger = open_bucket_ledger(world.settings(), read_only=True)
    assert {r.url.split("/")[-2]: r.state for r in ledger.rows("mastodon")} == {
        "older": "baseline", "fresh": "posted"}


def test_two_racing_processes_never_post_an_article_twice(world):
    world.article("older")
    assert world.promote().code == 0
    for n in range(4):
        world.article(f"new-{n}", date=f"2024-06-0{n + 1}T09:00:00+02:00")
    runs = [world.spawn(), world.spawn()]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    texts = [status["text"] for status in world.posts("mastodon")]
    assert sorted(t.split("/articles/")[1].split("/")[0] for t in texts) == [
        f"new-{n}" for n in range(4)]


def test_dry_run_reads_the_bucket_ledger_and_writes_nothing(world, s3_env):
    world.article("older")
    world.promote()
    bucket = world.overrides["DEPLOY_TARGET"].split("/")[2]
    before = s3_env.client().head_object(Bucket=bucket, Key=LEDGER_KEY)["ETag"]
    world.article("fresh", date="2024-06-01T09:00:00+02:00")
    run = world.promote(dry_run=True)
    assert run.code == 0 and "fresh" in run.output.lower()
    assert s3_env.client().head_object(Bucket=bucket, Key=LEDGER_KEY)["ETag"] == before
    assert world.posts("mastodon") == []


def test_the_tokens_never_reach_the_bucket(world, s3_env):
    world.article("older")
    world.promote()
    world.article("fresh", date="2024-06-01T09:00:00+02:00")
    world.promote()
    bucket = world.overrides["DEPLOY_TARGET"].split("/")[2]
    raw = s3_env.objects(bucket)[LEDGER_KEY].body
    text = gzip.decompress(raw).decode()
    assert "/articles/fresh/" in text and MASTODON_TOKEN not in text and SECRET_KEY not in text
    assert os.environ.get("AWS_SECRET_ACCESS_KEY") == SECRET_KEY  # it was there to leak


# -- invoke publish, end to end -------------------------------------------------------------------

TINY_SITE = {
    "articles/older.md": "Title: Older news\nDate: 2024-03-01 09:00\nCategory: Strategy\n"
                         "Tags: reach\nSummary: Already out before promotion was set up.\n\n"
                         + "An article that was published long ago. " * 20,
    "pages/about.md": "Title: About\n\nWho writes here.\n",
}


def due_article(minutes: int) -> str:
    due = datetime.now(UTC) + timedelta(minutes=minutes)
    return ("Title: Due on Thursday\nDate: " + due.strftime("%Y-%m-%dT%H:%M:%S+00:00") +
            "\nCategory: Strategy\nTags: reach\nSummary: Goes live and is announced by itself."
            "\n\n" + "Scheduled for later, announced once. " * 20)


@pytest.fixture
def blog(demo_copy, s3_env, fake):
    """A copy of the project with a tiny site, publishing to a bucket served at 127.0.0.1."""
    shutil.rmtree(demo_copy / "content")
    write_site(demo_copy, {**TINY_SITE, "articles/due.md": due_article(5)})
    with (demo_copy / "publishconf.py").open("a") as conf:
        conf.write('\nPROMOTE_NETWORKS = ["mastodon"]\nPROMOTE_LIVE_WAIT = 5\n'
                   "PROMOTE_LIVE_INTERVAL = 0.2\nPUBLISH_LIVE_WAIT = 20\n"
                   "PUBLISH_LIVE_INTERVAL = 0.2\n")
    bucket = s3_env.new_bucket()
    mastodon = fake("mastodon")
    with BucketSite(s3_env, bucket, "blog/") as web:
        env = {**os.environ, "DEPLOY_TARGET": f"s3://{bucket}/blog", "SITEURL": web.base_url,
               "S3_ENDPOINT_URL": s3_env.endpoint_url, "COLUMNS": "200", **mastodon.env()}
        yield SimpleNamespace(root=demo_copy, bucket=bucket, web=web, mastodon=mastodon, env=env)


def invoke_publish(blog, *flags: str, later: str | None = None,
                   **env: str) -> subprocess.CompletedProcess:
    """Run `invoke publish` in the blog's folder; `later` shifts the clock (libfaketime): +10m."""
    extra = {**env, **(shifted_clock_env(later) if later else {})}
    return subprocess.run([sys.executable, "-m", "invoke", "publish", *flags], cwd=blog.root,
                          env={**blog.env, **extra}, capture_output=True, text=True, timeout=240)


def fetch(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=10).status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_publish_announces_an_article_once_when_its_date_passes(blog, s3_env):
    first = invoke_publish(blog)
    assert first.returncode == 0, first.stdout + first.stderr
    for stage in ("build", "check", "deploy", "wait until live", "promote", "stats"):
        assert f"publish: {stage}" in first.stdout
    assert "publish: done" in first.stdout
    assert fetch(blog.web.base_url + "/articles/older-news/") == 200
    assert fetch(blog.web.base_url + "/articles/due-on-thursday/") == 404  # not yet due
    assert blog.mastodon.statuses == []  # the first run records `older` as baseline, posts nothing
    # The date passes. A dry run shows what would go out, and sends nothing anywhere.
    dry = invoke_publish(blog, "--dry-run", later="+10m")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "upload  articles/due-on-thursday/index.html  (new, text/html" in dry.stdout
    assert "Due on Thursday" in dry.stdout.split("publish: promote")[1]
    assert fetch(blog.web.base_url + "/articles/due-on-thursday/") == 404
    assert blog.mastodon.statuses == []
    # The date passed. A publish that cannot reach the storage stops before announcing anything...
    down = invoke_publish(blog, later="+10m", S3_ENDPOINT_URL=f"http://127.0.0.1:{free_ports(1)[0]}")
    assert down.returncode == 1
    assert "publish: stopped at deploy. deploy: cannot reach the storage at" in down.stdout
    assert "Traceback" not in down.stdout + down.stderr
    assert blog.mastodon.statuses == []
    # ...and the next one picks up: deploys the due article, waits until it is live, announces it.
    second = invoke_publish(blog, later="+10m")
    assert second.returncode == 0, second.stdout + second.stderr
    assert fetch(blog.web.base_url + "/articles/due-on-thursday/") == 200
    assert re.search(r"The [12] article pages this deploy sent answer 200", second.stdout)
    texts = [status["text"] for status in blog.mastodon.statuses]
    assert len(texts) == 1 and f"{blog.web.base_url}/articles/due-on-thursday/" in texts[0]
    # After promote, stats read what the new post earned into the bucket, beside the ledger.
    [status] = blog.mastodon.statuses
    assert second.stdout.index("publish: promote") < second.stdout.index("publish: stats")
    assert [r.path for r in blog.mastodon.requests_to("/api/v1/statuses/", "GET")] == \
        [f"/api/v1/statuses/{status['id']}"]
    [samples_key] = [k for k in s3_env.objects(blog.bucket) if k.startswith("promote/stats/")]
    third = invoke_publish(blog, later="+11m")
    assert third.returncode == 0, third.stdout + third.stderr
    assert len(blog.mastodon.statuses) == 1  # announced exactly once
    assert len(blog.mastodon.requests_to("/api/v1/statuses/", "GET")) == 1  # not due yet
    # A stats failure (here: samples it cannot read) is reported; the publish succeeds.
    s3_env.client().put_object(Bucket=blog.bucket, Key=samples_key, Body=b"not samples")
    fourth = invoke_publish(blog, later="+12m")
    assert fourth.returncode == 0, fourth.stdout + fourth.stderr
    assert "holds no samples this blog wrote" in fourth.stdout
    assert "stats could not read everything" in fourth.stdout
    assert "publish: done" in fourth.stdout
    assert MASTODON_TOKEN not in fourth.stdout
    # The ledger travelled with the site: in the bucket, outside the site, never served.
    assert LEDGER_KEY in s3_env.objects(blog.bucket)
    assert fetch(f"{blog.web.base_url}/{LEDGER_KEY}") == 404
    assert MASTODON_TOKEN not in first.stdout + second.stdout + third.stdout
    assert SECRET_KEY not in first.stdout + second.stdout + third.stdout


def test_publish_stops_at_a_broken_settings_file_in_one_line(tmp_path):
    conf = tmp_path / "publishconf.py"
    for text, expected in (
            ("SITEURL = \n", "publishconf.py could not be read (SyntaxError: invalid syntax"),
            ("PUBLISH_LIVE_WAIT = -3\n",
             "PUBLISH_LIVE_WAIT = -3 in publishconf.py must be a number")):
        conf.write_text(text)
        out = io.StringIO()
        assert publish(conf, Console(file=out, width=300)) == 1
        assert out.getvalue().startswith(f"✖ publish: stopped at settings. {expected}")
        assert len(out.getvalue().strip().splitlines()) == 1


def test_publish_stops_at_a_failed_build_and_deploys_nothing(demo_copy, s3_env, monkeypatch):
    shutil.rmtree(demo_copy / "content")
    write_site(demo_copy, {"articles/bad.md": "Title: Bad date\nDate: 2026-02-30 10:00\n\nText.\n"})
    bucket = s3_env.new_bucket()
    monkeypatch.setenv("DEPLOY_TARGET", f"s3://{bucket}/blog")
    monkeypatch.setenv("S3_ENDPOINT_URL", s3_env.endpoint_url)
    out = io.StringIO()
    assert publish(demo_copy / "publishconf.py", Console(file=out, width=300)) == 1
    text = out.getvalue()
    assert "2026-02-30" in text  # the build's own error, naming the file's problem
    assert "✖ publish: stopped at build. The production build failed (errors above); nothing " \
           "was deployed or announced" in text
    assert "publish: deploy" not in text and s3_env.objects(bucket) == {}
