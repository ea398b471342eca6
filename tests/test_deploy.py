"""`invoke deploy` against a real S3 server (SeaweedFS on 127.0.0.1), rsync and a git remote.

Sites are real Pelican production builds of a tiny blog, made once per module and copied per test.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from rich.console import Console

from self_promoting_blog.deploy.cdn import invalidation_paths
from self_promoting_blog.deploy.deploy import deploy
from self_promoting_blog.deploy.errors import (
    DeployError,
    DeploySettingsError,
    RefusedError,
    StorageError,
)
from self_promoting_blog.deploy.kinds import Kind, cache_control, content_type, kind_of
from self_promoting_blog.deploy.report import human_bytes
from self_promoting_blog.deploy.settings import DEFAULTS, load_settings
from self_promoting_blog.promote.ledger_bucket import DEFAULT_KEY as LEDGER_KEY
from self_promoting_blog.promote.ledger_bucket import protected_keys
from tests.fakes.s3 import SECRET_KEY, BucketSite, free_ports, shifted_clock_env
from tests.support.site import run_pelican, site_settings, write_site

SITEURL = "https://blog.example.test"
CACHE = DEFAULTS["DEPLOY_CACHE_CONTROL"]
ARTICLE = """Title: {title}
Date: {date}
Category: Strategy
Tags: reach, sharing
Summary: {title}, in one line.

{body}
"""
SITE = {
    "articles/first.md": ARTICLE.format(title="Earned beats paid", date="2024-03-01 09:00",
                                        body="Earned media compounds. " * 40),
    "articles/second.md": ARTICLE.format(title="What people share", date="2024-03-08 09:00",
                                         body="People share what makes them look good. " * 30),
    "articles/third.md": ARTICLE.format(title="Pick your networks", date="2024-03-15 09:00",
                                        body="Fewer networks, done well. " * 30),
    "pages/about.md": "Title: About\n\nWho writes here and why.\n",
}
# Files of every type a site has, added to each copy where the build did not write them.
EXTRAS = {
    "feeds/all.atom.xml": b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>',
    "feeds/all.rss.xml": b'<?xml version="1.0"?><rss version="2.0"/>',
    "feeds/all.json": b'{"version": "https://jsonfeed.org/version/1.1", "items": []}',
    "feeds/feed.xsl": b'<?xml version="1.0"?><xsl:stylesheet version="1.0"/>',
    "theme/js/share.js": b"document.documentElement.dataset.share = 'on';",
    "theme/css/site.3fa9c2e1.css": b"body{margin:0}",
    "images/diagram.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>',
    "robots.txt": b"User-agent: *\nAllow: /\n",
    "site.webmanifest": b'{"name": "Signal & Reach"}',
    "favicon.ico": b"\x00\x00\x01\x00",
    "fonts/text.woff2": b"wOF2" + bytes(64),
}


def build(root: Path, files: dict[str, str], production: bool = True) -> Path:
    content = write_site(root, files)
    overrides = {"SITEURL": SITEURL} if production else {}
    return run_pelican(site_settings(root, content, production, **overrides))


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, Path]:
    """Production builds: v1, v1 with one article edited, v1 without `second`; and a dev build."""
    edited = dict(SITE, **{"articles/first.md": SITE["articles/first.md"] + "\nOne more line.\n"})
    removed = {k: v for k, v in SITE.items() if k != "articles/second.md"}
    made = {name: build(tmp_path_factory.mktemp(name), files)
            for name, files in (("v1", SITE), ("edited", edited), ("removed", removed))}
    made["dev"] = build(tmp_path_factory.mktemp("dev"), SITE, production=False)
    return made


def site_copy(builds: dict[str, Path], name: str, dest: Path) -> Path:
    """Replace `dest` with a copy of a build plus EXTRAS; return it."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(builds[name], dest)
    for rel, data in EXTRAS.items():
        if not (dest / rel).exists():  # the real file wins once its plugin writes it
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).write_bytes(data)
    return dest


def settings_for(output: Path, target: str, endpoint: str | None = None, **more):
    pelican = {"SITEURL": SITEURL, "OUTPUT_PATH": str(output), "DEPLOY_TARGET": target,
               "S3_ENDPOINT_URL": endpoint or "", **more}
    return load_settings(pelican, environ={})


def run(settings, **flags):
    """Deploy quietly, protecting only the keys the test names (`protected=`)."""
    flags.setdefault("protected", {})
    with open(os.devnull, "w") as quiet:
        return deploy(settings, Console(file=quiet), **flags)


def files_of(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes()
            for p in output.rglob("*") if p.is_file()}


def assert_bucket_is(s3, bucket: str, prefix: str, output: Path) -> None:
    """The bucket serves exactly output/ (text gunzipped as a browser does)."""
    stored = s3.objects(bucket, prefix)
    assert {rel: obj.content for rel, obj in stored.items()} == files_of(output)


@pytest.fixture
def site(s3_env, builds, tmp_path):
    """A fresh bucket, a copy of build v1 in tmp_path/output, and settings targeting bucket/blog."""
    bucket = s3_env.new_bucket()
    output = site_copy(builds, "v1", tmp_path / "output")
    return bucket, output, settings_for(output, f"s3://{bucket}/blog", s3_env.endpoint_url)


# -- what each file is served as ------------------------------------------------------------------

@pytest.mark.parametrize(("rel", "ctype", "kind", "cache"), [
    ("articles/a/index.html", "text/html; charset=utf-8", Kind.PAGE, CACHE["page"]),
    ("theme/css/site.css", "text/css; charset=utf-8", Kind.ASSET, CACHE["asset"]),
    ("theme/css/site.3fa9c2e1.css", "text/css; charset=utf-8", Kind.ASSET, CACHE["fingerprinted"]),
    ("theme/js/share.js", "text/javascript; charset=utf-8", Kind.ASSET, CACHE["asset"]),
    ("images/diagram.svg", "image/svg+xml", Kind.ASSET, CACHE["asset"]),
    ("cards/a.png", "image/png", Kind.ASSET, CACHE["asset"]),
    ("images/20240101.png", "image/png", Kind.ASSET, CACHE["asset"]),
    ("feeds/all.atom.xml", "application/xml; charset=utf-8", Kind.FEED, CACHE["feed"]),
    ("feeds/tag/seo.rss.xml", "application/xml; charset=utf-8", Kind.FEED, CACHE["feed"]),
    ("feeds/all.json", "application/feed+json; charset=utf-8", Kind.FEED, CACHE["feed"]),
    ("sitemap.xml", "application/xml; charset=utf-8", Kind.FEED, CACHE["feed"]),
    ("feeds/feed.xsl", "text/xsl; charset=utf-8", Kind.ASSET, CACHE["asset"]),
    ("robots.txt", "text/plain; charset=utf-8", Kind.ASSET, CACHE["asset"]),
    ("site.webmanifest", "application/manifest+json; charset=utf-8", Kind.ASSET, CACHE["asset"]),
    ("favicon.ico", "image/x-icon", Kind.ASSET, CACHE["asset"]),
    ("fonts/text.woff2", "font/woff2", Kind.ASSET, CACHE["asset"]),
    ("data/plain.json", "application/json; charset=utf-8", Kind.ASSET, CACHE["asset"]),
])
def test_each_kind_of_file_gets_its_type_cache_and_phase(tmp_path, rel, ctype, kind, cache):
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(EXTRAS.get(rel, b'{"a": 1}' if rel.endswith(".json") else b"x"))
    assert content_type(rel, path, {}) == ctype
    assert kind_of(rel, ctype) is kind
    assert cache_control(rel, kind, CACHE) == cache


def test_invalidation_paths_cover_directory_urls():
    assert invalidation_paths(["index.html", "articles/a b/index.html", "feeds/all.atom.xml"]) == [
        "/", "/articles/a%20b/", "/articles/a%20b/index.html", "/feeds/all.atom.xml", "/index.html"]


# -- S3 sync ----------------------------------------------------------------------------------

def test_first_deploy_uploads_everything_with_type_and_cache_control(s3_env, site):
    bucket, output, settings = site
    result = run(settings)
    assert sorted(result.uploaded) == sorted(files_of(output))
    assert result.unchanged == 0 and result.deleted == []
    stored = s3_env.objects(bucket, "blog/")
    assert {rel: obj.content for rel, obj in stored.items()} == files_of(output)
    assert result.bytes_sent == sum(len(obj.body) for obj in stored.values())  # as sent
    expect = {
        "index.html": ("text/html; charset=utf-8", CACHE["page"]),
        "articles/earned-beats-paid/index.html": ("text/html; charset=utf-8", CACHE["page"]),
        "theme/css/site.css": ("text/css; charset=utf-8", CACHE["asset"]),
        "theme/css/site.3fa9c2e1.css": ("text/css; charset=utf-8", CACHE["fingerprinted"]),
        "theme/js/share.js": ("text/javascript; charset=utf-8", CACHE["asset"]),
        "cards/earned-beats-paid.png": ("image/png", CACHE["asset"]),
        "images/diagram.svg": ("image/svg+xml", CACHE["asset"]),
        "sitemap.xml": ("application/xml; charset=utf-8", CACHE["feed"]),
        "feeds/all.atom.xml": ("application/xml; charset=utf-8", CACHE["feed"]),
        "feeds/all.rss.xml": ("application/xml; charset=utf-8", CACHE["feed"]),
        "feeds/all.json": ("application/feed+json; charset=utf-8", CACHE["feed"]),
        "feeds/feed.xsl": ("text/xsl; charset=utf-8", CACHE["asset"]),
        "robots.txt": ("text/plain; charset=utf-8", CACHE["asset"]),
        "site.webmanifest": ("application/manifest+json; charset=utf-8", CACHE["asset"]),
        "favicon.ico": ("image/x-icon", CACHE["asset"]),
        "fonts/text.woff2": ("font/woff2", CACHE["asset"]),
    }
    assert {rel: (stored[rel].content_type, stored[rel].cache_control) for rel in expect} == expect


TEXT_FILES = ("index.html", "articles/earned-beats-paid/index.html", "theme/css/site.css",
              "theme/js/share.js", "feeds/all.atom.xml", "feeds/all.rss.xml", "feeds/all.json",
              "feeds/feed.xsl", "sitemap.xml", "robots.txt", "site.webmanifest",
              "images/diagram.svg")
TEXT_SUFFIXES = (".html", ".css", ".js", ".xml", ".json", ".xsl", ".txt", ".webmanifest", ".svg")
BINARY_FILES = ("cards/earned-beats-paid.png", "favicon.ico", "fonts/text.woff2")


def test_text_is_stored_gzipped_and_served_as_such_binary_raw(s3_env, site):
    bucket, output, settings = site
    result = run(settings)
    client = s3_env.client()
    for rel in TEXT_FILES + BINARY_FILES:
        got = client.get_object(Bucket=bucket, Key=f"blog/{rel}")
        stored, local = got["Body"].read(), (output / rel).read_bytes()
        assert got["ETag"].strip('"') == hashlib.md5(stored).hexdigest()
        if rel in TEXT_FILES:
            assert got.get("ContentEncoding") == "gzip", rel
            assert gzip.decompress(stored) == local, rel
            assert stored == gzip.compress(local, compresslevel=9, mtime=0)
        else:
            assert "ContentEncoding" not in got and stored == local, rel
    page = (output / "articles/earned-beats-paid/index.html").read_bytes()
    stored_page = client.get_object(Bucket=bucket, Key="blog/articles/earned-beats-paid/index.html")
    assert stored_page["ContentLength"] < len(page) / 2
    assert result.gzipped == sum(1 for o in s3_env.objects(bucket, "blog/").values()
                                 if o.content_encoding == "gzip") >= len(TEXT_FILES)
    # A reader's client asks with Accept-Encoding: gzip and gets the page, decoded as sent.
    with BucketSite(s3_env, bucket, "blog/") as web:
        answer = requests.get(web.base_url + "/articles/earned-beats-paid/", timeout=10)
    assert answer.headers["Content-Encoding"] == "gzip"
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert answer.content == page and "Earned beats paid" in answer.text


def test_gzip_off_stores_raw_and_switching_resends_only_the_text(s3_env, site):
    bucket, output, settings = site
    raw = settings_for(output, f"s3://{bucket}/blog", s3_env.endpoint_url, DEPLOY_GZIP=False)
    first = run(raw)
    assert first.gzipped == 0
    stored = s3_env.objects(bucket, "blog/")
    assert {rel: obj.body for rel, obj in stored.items()} == files_of(output)
    assert all(obj.content_encoding is None for obj in stored.values())
    assert run(raw).uploaded == []
    gzipped = run(settings)  # DEPLOY_GZIP back on: every text file changes its stored bytes
    assert set(TEXT_FILES) <= set(gzipped.uploaded)
    assert not set(BINARY_FILES) & set(gzipped.uploaded)
    assert gzipped.gzipped == len(gzipped.uploaded)
    assert run(settings).uploaded == []
    again = run(raw)
    assert sorted(again.uploaded) == sorted(gzipped.uploaded)
    assert all(obj.content_encoding is None for obj in s3_env.objects(bucket, "blog/").values())


def test_gzip_types_choose_what_is_compressed(s3_env, site):
    bucket, output, _ = site
    only_css = settings_for(output, f"s3://{bucket}/blog", s3_env.endpoint_url,
                            DEPLOY_GZIP_TYPES=["Text/CSS"])
    result = run(only_css)
    stored = s3_env.objects(bucket, "blog/")
    assert {rel for rel, obj in stored.items() if obj.content_encoding == "gzip"} == {
        rel for rel in stored if rel.endswith(".css")}
    assert result.gzipped == len([rel for rel in stored if rel.endswith(".css")])
    assert_bucket_is(s3_env, bucket, "blog/", output)


def expected_phase(rel: str, new: bool) -> int:
    """The phase a file must go up in, by the rule: assets, new pages, changed pages, feeds."""
    if rel.endswith(".html"):
        return 1 if new else 2
    if rel.endswith((".xml", "all.json")) or rel.startswith("feeds/") and rel.endswith(".json"):
        return 3
    return 0


def test_uploads_go_assets_then_new_pages_then_pages_then_feeds(s3_env, builds, tmp_path,
                                                                 s3_proxy):
    bucket = s3_env.new_bucket()
    output = site_copy(builds, "removed", tmp_path / "output")
    run(settings_for(output, f"s3://{bucket}/blog", s3_env.endpoint_url))
    before = files_of(output)
    # An article arrives (v1 has `second`): its page must be live before the pages linking to it.
    output = site_copy(builds, "v1", tmp_path / "output")
    (output / "theme/css/site.css").write_text("body{color:#123}")
    result = run(settings_for(output, f"s3://{bucket}/blog", s3_proxy.endpoint_url))
    events = [(what, key.removeprefix("blog/")) for what, key in s3_proxy.events]
    phases = {rel: expected_phase(rel, rel not in before) for rel in result.uploaded}
    assert set(phases.values()) == {0, 1, 2, 3}, phases
    # Every file of an earlier phase has finished uploading before any file of a later phase starts.
    for early, early_phase in phases.items():
        for late, late_phase in phases.items():
            if early_phase < late_phase:
                assert events.index(("end", early)) < events.index(("start", late)), (early, late)


def test_redeploy_without_change_uploads_nothing(s3_env, site):
    bucket, output, settings = site
    run(settings)
    again = run(settings)
    assert again.uploaded == [] and again.deleted == [] and again.bytes_sent == 0
    assert again.unchanged == len(files_of(output))


def test_editing_one_article_uploads_only_what_changed(s3_env, site, builds):
    bucket, output, settings = site
    run(settings)
    before = files_of(output)
    site_copy(builds, "edited", output)
    changed = sorted(rel for rel, data in files_of(output).items() if before.get(rel) != data)
    result = run(settings)
    assert "articles/earned-beats-paid/index.html" in changed
    assert sorted(result.uploaded) == changed
    assert_bucket_is(s3_env, bucket, "blog/", output)


def test_removed_article_is_deleted_last_and_kept_when_asked(s3_env, site, builds):
    bucket, output, settings = site
    run(settings)
    site_copy(builds, "removed", output)
    gone = sorted(set(files_of(builds["v1"])) - set(files_of(builds["removed"])))
    assert "articles/what-people-share/index.html" in gone
    kept = run(settings_for(output, f"s3://{bucket}/blog", s3_env.endpoint_url,
                            DEPLOY_DELETE=False))
    assert kept.deleted == [] and kept.kept == len(gone)
    assert set(gone) <= set(s3_env.objects(bucket, "blog/"))
    result = run(settings)
    assert result.deleted == gone
    assert_bucket_is(s3_env, bucket, "blog/", output)


def test_keep_patterns_protect_remote_files(s3_env, site):
    bucket, output, settings = site
    s3_env.client().put_object(Bucket=bucket, Key="blog/downloads/guide.pdf", Body=b"%PDF")
    result = run(settings_for(output, f"s3://{bucket}/blog", s3_env.endpoint_url,
                              DEPLOY_KEEP=["downloads/*"]))
    assert result.deleted == [] and result.kept == 1
    assert "downloads/guide.pdf" in s3_env.objects(bucket, "blog/")


def test_large_file_goes_up_in_parts_and_counts_as_unchanged_after(s3_env, site):
    bucket, output, settings = site
    big = output / "downloads" / "media-kit.pdf"
    big.parent.mkdir()
    big.write_bytes(os.urandom(9 * 1024 * 1024))
    table = output / "downloads" / "export.csv"  # text, but too big to gzip: goes up raw, in parts
    table.write_bytes(b"date,reach\n" + b"2024-03-01,1200\n" * 600_000)
    run(settings)
    for name in ("media-kit.pdf", "export.csv"):
        stored = s3_env.client().head_object(Bucket=bucket, Key=f"blog/downloads/{name}")
        assert stored["ETag"].strip('"').endswith("-2")  # really multipart
        assert "ContentEncoding" not in stored
    assert run(settings).uploaded == []
    big.write_bytes(os.urandom(9 * 1024 * 1024))
    assert run(settings).uploaded == ["downloads/media-kit.pdf"]


def test_dry_run_lists_uploads_and_deletions_and_changes_nothing(s3_env, site, builds):
    bucket, output, settings = site
    run(settings)
    site_copy(builds, "removed", output)
    (output / "index.html").write_text((output / "index.html").read_text() + "<!-- edit -->")
    before = s3_env.objects(bucket, "blog/")
    with open(os.devnull, "w") as quiet:
        buffer = Console(record=True, width=200, file=quiet)
        result = deploy(settings, buffer, protected={}, dry_run=True)
    text = buffer.export_text()
    page = (output / "index.html").read_bytes()
    assert (f"upload  index.html  (changed, text/html; charset=utf-8, {CACHE['page']}, "
            f"{human_bytes(len(gzip.compress(page, 9, mtime=0)))} gzipped from "
            f"{human_bytes(len(page))})") in text
    assert "delete  articles/what-people-share/index.html" in text
    assert result.dry_run and "index.html" in result.uploaded
    assert s3_env.objects(bucket, "blog/") == before


def test_delete_cap_stops_a_sync_that_would_empty_the_site(s3_env, site):
    bucket, output, _ = site
    capped = settings_for(output, f"s3://{bucket}/blog", s3_env.endpoint_url, DEPLOY_MAX_DELETES=5)
    run(capped)
    before = s3_env.objects(bucket, "blog/")
    for path in sorted(output.rglob("*"), reverse=True):
        if path != output / "index.html":
            path.unlink() if path.is_file() else path.rmdir()
    with pytest.raises(RefusedError) as refused:
        run(capped)
    assert str(refused.value).startswith(
        f"deploy: this sync would delete {len(before) - 1} files from s3://{bucket}/blog/, "
        "more than DEPLOY_MAX_DELETES = 5; nothing was changed.")
    assert s3_env.objects(bucket, "blog/") == before


def test_upload_failing_halfway_then_rerun_leaves_bucket_identical(s3_env, site, builds,
                                                                   s3_proxy):
    bucket, output, settings = site
    run(settings)
    v1 = s3_env.objects(bucket, "blog/")
    site_copy(builds, "removed", output)
    for n in range(6):
        (output / f"images/new-{n}.svg").write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg" id="{n}"/>')
    s3_proxy.allow_uploads = 3
    flaky = settings_for(output, f"s3://{bucket}/blog", s3_proxy.endpoint_url)
    with pytest.raises(StorageError) as failed:
        run(flaky)
    message = str(failed.value)
    assert "\n" not in message and "nothing was deleted" in message
    assert "rerun `invoke deploy`" in message
    assert SECRET_KEY not in message
    cut = {key.removeprefix("blog/") for key in s3_proxy.uploads("cut")}
    assert cut
    now = s3_env.objects(bucket, "blog/")
    for rel in cut:  # S3 kept the old object or none: never half a file
        assert now.get(rel) is None or now[rel].content in (v1[rel].content if rel in v1 else None,
                                                            (output / rel).read_bytes())
    assert "articles/what-people-share/index.html" in now  # deletions wait for a complete upload
    assert not any(key.endswith(".html") for key in s3_proxy.uploads("end"))  # pages waited
    result = run(settings)
    assert cut <= set(result.uploaded)
    assert_bucket_is(s3_env, bucket, "blog/", output)
    assert run(settings).uploaded == []


def test_ledger_object_survives_deploys_and_is_not_served(s3_env, site, builds):
    bucket, output, settings = site
    client = s3_env.client()
    client.put_object(Bucket=bucket, Key=LEDGER_KEY, Body=b'{"rows": []}')
    run(settings, protected=protected_keys({}))
    site_copy(builds, "removed", output)
    run(settings, protected=protected_keys({}))
    assert client.get_object(Bucket=bucket, Key=LEDGER_KEY)["Body"].read() == b'{"rows": []}'
    with BucketSite(s3_env, bucket, "blog/") as web:
        import urllib.error
        import urllib.request
        assert urllib.request.urlopen(web.base_url + "/").status == 200
        for path in (f"/{LEDGER_KEY}", f"/../{LEDGER_KEY}", f"/%2e%2e/{LEDGER_KEY}"):
            with pytest.raises(urllib.error.HTTPError) as missing:
                urllib.request.urlopen(web.base_url + path)
            assert missing.value.code == 404


def test_ledger_inside_the_site_prefix_is_never_deleted_nor_overwritten(s3_env, site):
    bucket, output, settings = site
    client = s3_env.client()
    client.put_object(Bucket=bucket, Key=LEDGER_KEY, Body=b"{}")
    root = settings_for(output, f"s3://{bucket}", s3_env.endpoint_url)
    result = run(root, protected=protected_keys({}))
    assert LEDGER_KEY not in result.deleted
    assert client.get_object(Bucket=bucket, Key=LEDGER_KEY)["Body"].read() == b"{}"
    (output / LEDGER_KEY).parent.mkdir()
    (output / LEDGER_KEY).write_text("[]")
    with pytest.raises(RefusedError, match="DEPLOY_LEDGER_KEY"):
        run(root, protected=protected_keys({}))


def test_deploy_protects_exactly_the_keys_it_is_told_about(s3_env, site):
    bucket, output, settings = site
    client = s3_env.client()
    told = {"blog/kept/state.json": "the state file (X_KEY); move X_KEY out of the site"}
    for key in ("blog/kept/state.json", "blog/stale.html"):
        client.put_object(Bucket=bucket, Key=key, Body=b"{}")
    result = run(settings, protected=told)
    assert "stale.html" in result.deleted and "kept/state.json" not in result.deleted
    assert client.get_object(Bucket=bucket, Key="blog/kept/state.json")["Body"].read() == b"{}"
    (output / "kept").mkdir()
    (output / "kept/state.json").write_text("[]")
    with pytest.raises(RefusedError) as refused:
        run(settings, protected=told)
    assert str(refused.value) == ("deploy: output/kept/state.json would overwrite the state file "
                                  "(X_KEY); move X_KEY out of the site")
    assert client.get_object(Bucket=bucket, Key="blog/kept/state.json")["Body"].read() == b"{}"


def test_promote_names_its_ledger_for_the_deploy_to_protect(s3_env, site):
    bucket, output, _ = site
    pelican = {"SITEURL": SITEURL, "OUTPUT_PATH": str(output), "DEPLOY_TARGET": f"s3://{bucket}",
               "S3_ENDPOINT_URL": s3_env.endpoint_url, "DEPLOY_LEDGER_KEY": "/state/ledger.gz"}
    assert protected_keys(pelican) == {"state/ledger.gz": protected_keys({})[LEDGER_KEY]}
    s3_env.client().put_object(Bucket=bucket, Key="state/ledger.gz", Body=b"{}")
    (output / "state").mkdir()
    (output / "state/ledger.gz").write_text("[]")
    with pytest.raises(RefusedError) as refused:
        run(load_settings(pelican, environ={}), protected=protected_keys(pelican))
    assert str(refused.value) == (
        "deploy: output/state/ledger.gz would overwrite the promotion ledger (DEPLOY_LEDGER_KEY); "
        "set DEPLOY_LEDGER_KEY to a key outside the site's prefix in publishconf.py")


def test_cloudfront_invalidates_exactly_the_changed_paths(s3_env, site, builds, moto_server,
                                                        monkeypatch):
    import boto3
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFRONT", moto_server)
    cloudfront = boto3.client("cloudfront", endpoint_url=moto_server)
    origin = {"Id": "site", "DomainName": "blog.s3.amazonaws.com",
              "S3OriginConfig": {"OriginAccessIdentity": ""}}
    distribution = cloudfront.create_distribution(DistributionConfig={
        "CallerReference": "deploy-test", "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "allow-all",
                                 "MinTTL": 0}})["Distribution"]["Id"]
    bucket, output, _ = site
    settings = settings_for(output, f"s3://{bucket}/blog", s3_env.endpoint_url,
                            CLOUDFRONT_DISTRIBUTION_ID=distribution)
    run(settings)
    site_copy(builds, "removed", output)
    (output / "index.html").write_text((output / "index.html").read_text() + "<!-- new -->")
    result = run(settings)
    changed = result.uploaded + result.deleted
    listing = cloudfront.list_invalidations(DistributionId=distribution)
    batches = listing["InvalidationList"]["Items"]
    assert len(batches) == 2  # one per deploy
    latest = next(b["Id"] for b in batches if b["Id"] in result.invalidation)
    answer = cloudfront.get_invalidation(DistributionId=distribution, Id=latest)
    paths = sorted(answer["Invalidation"]["InvalidationBatch"]["Paths"]["Items"])
    assert paths == invalidation_paths(changed)
    assert "/" in paths and "/index.html" in paths and "/articles/what-people-share/" in paths
    assert "/theme/css/site.css" not in paths


# -- refusals and faults: one line each, naming what to fix ----------------------------------------

def test_refuses_missing_empty_and_dev_output(s3_env, builds, tmp_path):
    bucket = s3_env.new_bucket()
    target = f"s3://{bucket}/blog"
    with pytest.raises(RefusedError, match="does not exist; build it for production"):
        run(settings_for(tmp_path / "output", target, s3_env.endpoint_url))
    (tmp_path / "output" / "theme").mkdir(parents=True)
    with pytest.raises(RefusedError, match="is empty, and deploying it would empty the site"):
        run(settings_for(tmp_path / "output", target, s3_env.endpoint_url))
    dev = site_copy(builds, "dev", tmp_path / "dev")
    with pytest.raises(RefusedError, match="it is a dev build \\(relative URLs\\)"):
        run(settings_for(dev, target, s3_env.endpoint_url))
    relative = load_settings({"SITEURL": "", "OUTPUT_PATH": str(dev), "DEPLOY_TARGET": target},
                             environ={})
    with pytest.raises(RefusedError, match="SITEURL is '', a dev setting"):
        run(relative)
    assert s3_env.objects(bucket) == {}


@pytest.mark.parametrize(("target", "env", "expected"), [
    ("", {}, "DEPLOY_TARGET is not set; set it in publishconf.py or the DEPLOY_TARGET "
             "environment"),
    ("ftp://host/site", {}, "DEPLOY_TARGET = 'ftp://host/site' is not a target this blog knows"),
    ("s3://No_Such/x", {}, "has no valid bucket name"),
    ("s3://missing-bucket/blog", {}, "bucket 'missing-bucket' does not exist at http://127.0.0.1:"),
    ("BUCKET", {"AWS_SECRET_ACCESS_KEY": "wrong-secret-value"},
     "AWS_SECRET_ACCESS_KEY does not belong to AWS_ACCESS_KEY_ID; set the matching secret"),
    ("BUCKET", {"AWS_ACCESS_KEY_ID": "AKIDUNKNOWN000000000"},
     "does not know the access key in AWS_ACCESS_KEY_ID"),
    ("BUCKET", {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""},
     "no storage credentials were found while listing s3://"),
    ("BUCKET", {"ENDPOINT": "down"}, "cannot reach the storage at http://127.0.0.1:"),
])
def test_faults_are_one_clear_line(s3_env, builds, tmp_path, monkeypatch, target, env, expected):
    bucket = s3_env.new_bucket()
    endpoint = s3_env.endpoint_url
    for name, value in env.items():
        if name == "ENDPOINT":
            endpoint = f"http://127.0.0.1:{free_ports(1)[0]}"
        elif value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name)
    output = site_copy(builds, "v1", tmp_path / "output")
    with pytest.raises(DeployError) as failed:
        run(settings_for(output, target.replace("BUCKET", f"s3://{bucket}/blog"), endpoint))
    message = str(failed.value)
    assert expected in message and "\n" not in message
    assert message.startswith("deploy: ")
    assert SECRET_KEY not in message and "wrong-secret-value" not in message
    assert s3_env.objects(bucket) == {}


def test_settings_errors_name_the_setting():
    with pytest.raises(DeploySettingsError, match="DEPLOY_MAX_DELETES = -1 in publishconf.py"):
        load_settings({"DEPLOY_MAX_DELETES": -1}, environ={})
    with pytest.raises(DeploySettingsError, match="DEPLOY_CACHE_CONTROL"):
        load_settings({"DEPLOY_CACHE_CONTROL": {"html": "no-cache"}}, environ={})
    with pytest.raises(DeploySettingsError,
                       match="DEPLOY_GZIP = 'yes' in publishconf.py must be True"):
        load_settings({"DEPLOY_GZIP": "yes"}, environ={})
    for wrong in ("text/html", ["text/html; charset=utf-8"], ["html"]):
        with pytest.raises(DeploySettingsError,
                           match=r"DEPLOY_GZIP_TYPES = .* must be a list of media"):
            load_settings({"DEPLOY_GZIP_TYPES": wrong}, environ={})
    settings = load_settings({"DEPLOY_TARGET": "s3://from-conf/x"},
                             environ={"DEPLOY_TARGET": "s3://from-env/site/"})
    assert str(settings.target) == "s3://from-env/site/"


def invoke(root: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


def test_invoke_deploy_dry_run_deploy_and_faults_in_a_terminal(demo_copy, builds, s3_env):
    bucket = s3_env.new_bucket()
    output = site_copy(builds, "v1", demo_copy / "output")
    env = {**os.environ, "DEPLOY_TARGET": f"s3://{bucket}/blog", "SITEURL": SITEURL,
           "S3_ENDPOINT_URL": s3_env.endpoint_url, "COLUMNS": "200"}
    dry = invoke(demo_copy, "deploy", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "  upload  index.html  (new, text/html; charset=utf-8, public, max-age=300" in dry.stdout
    assert s3_env.objects(bucket) == {}
    done = invoke(demo_copy, "deploy", env=env)
    text = sum(1 for rel in files_of(output) if rel.endswith(TEXT_SUFFIXES))
    sent = human_bytes(sum(len(o.body) for o in s3_env.objects(bucket, "blog/").values()))
    assert (f"Dry run for s3://{bucket}/blog/: {len(files_of(output))} files to upload "
            f"({sent}, {text} gzipped)") in dry.stdout
    assert re.search(rf"Deployed to s3://{bucket}/blog/ in [\d.]+ s: {len(files_of(output))} files "
                     rf"uploaded \({sent}, {text} gzipped\)", done.stdout)
    again = invoke(demo_copy, "deploy", env=env)
    assert f": 0 files uploaded (0 B), {len(files_of(output))} unchanged, 0 deleted" in again.stdout
    skewed = invoke(demo_copy, "deploy", env={**env, **shifted_clock_env("+30m")})
    unset = invoke(demo_copy, "deploy", env={k: v for k, v in env.items() if k != "DEPLOY_TARGET"})
    for failed, expected in (
            (skewed, "clock is more than 15 minutes off (RequestTimeTooSkewed)"),
            (unset, "deploy: DEPLOY_TARGET is not set; set it in publishconf.py")):
        assert failed.returncode == 1
        assert expected in failed.stdout and "Traceback" not in failed.stdout + failed.stderr
        assert len(failed.stdout.strip().splitlines()) == 1


# -- rsync and gh-pages -----------------------------------------------------------------------

@pytest.fixture
def fake_ssh(tmp_path, monkeypatch) -> Path:
    """An `ssh` that runs the remote command here, so rsync's real protocol runs over a pipe."""
    script = tmp_path / "fake-ssh"
    script.write_text('#!/bin/sh\n# drop ssh options and the host, run the rest locally\n'
                      'while :; do case "$1" in -l|-p|-o|-i|-F) shift 2;; -*) shift;; *) break;; '
                      'esac; done\nshift\nexec sh -c "$*"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("RSYNC_RSH", str(script))
    return script


def test_rsync_sends_changes_deletes_and_respects_the_cap(builds, tmp_path, fake_ssh):
    output = site_copy(builds, "v1", tmp_path / "output")
    remote = tmp_path / "www"
    settings = settings_for(output, f"rsync://deployer@example.test:{remote}")
    first = run(settings)
    assert sorted(first.uploaded) == sorted(files_of(output))
    assert files_of(remote) == files_of(output)
    assert run(settings).uploaded == []
    site_copy(builds, "removed", output)
    dry = run(settings, dry_run=True)
    assert "articles/what-people-share/index.html" in dry.deleted
    assert (remote / "articles/what-people-share/index.html").exists()
    capped = settings_for(output, f"rsync://deployer@example.test:{remote}", DEPLOY_MAX_DELETES=1)
    with pytest.raises(RefusedError, match="more than DEPLOY_MAX_DELETES = 1"):
        run(capped)
    result = run(settings)
    assert "articles/what-people-share/index.html" in result.deleted
    assert files_of(remote) == files_of(output)


def test_rsync_unreachable_host_is_one_line(builds, tmp_path, monkeypatch):
    output = site_copy(builds, "v1", tmp_path / "output")
    monkeypatch.setenv("RSYNC_RSH", "false")
    with pytest.raises(StorageError, match=r"rsync to rsync://u@host.invalid:/www failed \(exit"):
        run(settings_for(output, "rsync://u@host.invalid:/www"))


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout


def test_gh_pages_commits_and_pushes_the_output(builds, tmp_path, monkeypatch):
    repo, origin = tmp_path / "blog", tmp_path / "origin.git"
    git("init", "--quiet", "--bare", str(origin), cwd=tmp_path)
    repo.mkdir()
    git("init", "--quiet", cwd=repo)
    git("remote", "add", "origin", str(origin), cwd=repo)
    for name, value in (("GIT_AUTHOR_NAME", "T"), ("GIT_AUTHOR_EMAIL", "t@example.test"),
                        ("GIT_COMMITTER_NAME", "T"), ("GIT_COMMITTER_EMAIL", "t@example.test")):
        monkeypatch.setenv(name, value)
    output = site_copy(builds, "v1", repo / "output")
    settings = settings_for(output, "gh-pages")
    first = run(settings)
    published = git("ls-tree", "-r", "--name-only", "gh-pages", cwd=origin).split()
    assert set(files_of(output)) | {".nojekyll", "CNAME"} == set(published)
    assert git("show", "gh-pages:CNAME", cwd=origin).strip() == "blog.example.test"
    assert sorted(first.uploaded) == sorted(files_of(output))
    assert run(settings).uploaded == []
    site_copy(builds, "removed", output)
    result = run(settings)
    assert "articles/what-people-share/index.html" in result.deleted
    published = git("ls-tree", "-r", "--name-only", "gh-pages", cwd=origin).split()
    assert "articles/what-people-share/index.html" not in published
    manifest = git("show", "gh-pages:site.webmanifest", cwd=origin)
    assert json.loads(manifest) == {"name": "Signal & Reach"}


def test_a_redeploy_gzips_only_the_files_whose_bytes_changed(s3_env, site, tmp_path, monkeypatch):
    import self_promoting_blog.deploy.plan as plan

    bucket, output, _ = site
    settings = settings_for(output, f"s3://{bucket}/blog", s3_env.endpoint_url,
                            CACHE_PATH=str(tmp_path / "cache"))
    run(settings)
    assert (tmp_path / "cache" / "deploy-gzip-digests.json").is_file()
    page = output / TEXT_FILES[0]
    page.write_bytes(page.read_bytes() + b"\n<!-- edited -->\n")
    compressed: list[int] = []
    real_gzip = plan.gzip_body
    monkeypatch.setattr(plan, "gzip_body",
                        lambda data: compressed.append(len(data)) or real_gzip(data))
    again = run(settings)
    assert again.uploaded == [TEXT_FILES[0]]
    assert len(compressed) == 2  # its digest in the scan, its body for the upload; no other file
    assert_bucket_is(s3_env, bucket, "blog/", output)
