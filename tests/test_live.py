"""One live check for publish and promote: poll each page until it is ready or the wait is over.

Publish waits for the pages a deploy sent to answer 200, asking a CDN to skip its cache; promote
also judges each page's og: tags (tests/test_promote_live.py). Against FakeSite on 127.0.0.1.
"""

from __future__ import annotations

import io
import time

import pytest
from rich.console import Console

from self_promoting_blog.deploy.report import DeployResult
from self_promoting_blog.errors import PublishStopped
from self_promoting_blog.live import LiveResult, poll
from self_promoting_blog.promote.manifest import Entry, write_manifest
from self_promoting_blog.publish.pipeline import _wait
from tests.fakes.s3 import free_ports
from tests.fakes.server import Reply
from tests.fakes.site import FakeSite


@pytest.fixture
def site():
    with FakeSite() as server:
        yield server


def test_poll_fetches_until_200_and_gives_up_at_the_limit(site):
    url = site.publish("articles/a/", "A")
    site.script(Reply(404, b"not yet"), Reply(503, b"warming up"), path="/articles/a/")
    waits = []
    done = poll([url], None, wait=10, interval=0.01, timeout=5,
                on_wait=lambda pending, left: waits.append(pending))
    assert done == {url: LiveResult(True)}
    assert len(site.requests_to("/articles/a/")) == 3 and waits == [1, 1]
    gone = site.url("articles/never/")
    started = time.monotonic()
    late = poll([url, gone], None, wait=0.3, interval=0.05, timeout=5)
    assert time.monotonic() - started >= 0.3  # the last check falls on the deadline
    assert late == {url: LiveResult(True), gone: LiveResult(False, f"{gone} answered 404, not 200")}
    assert len(site.requests_to("/articles/a/")) == 4  # a page that answered is not asked again


def test_a_judge_reads_the_page_as_browsers_decode_it(site):
    url = site.publish("articles/cafe/", "Café stories")
    site.html_as = "no charset"  # nginx's default: requests alone would read "CafÃ©"
    seen = []

    def judge(page: str) -> LiveResult:
        seen.append(page)
        return LiveResult(True) if "<h1>Café stories</h1>" in page else LiveResult(False, "wrong")

    assert poll([url], judge, wait=0, interval=1, timeout=5) == {url: LiveResult(True)}
    assert len(seen) == 1


def test_a_page_that_cannot_be_reached_says_so():
    url = f"http://127.0.0.1:{free_ports(1)[0]}/articles/a/"
    result = poll([url], None, wait=0, interval=1, timeout=2)[url]
    host = url.removeprefix("http://")
    assert result == LiveResult(False, f"{url} did not answer (could not connect to {host})")


def publish_site(tmp_path, site: FakeSite, **settings) -> dict:
    """Pelican settings for a publish whose manifest lists articles a/ and b/ of `site`."""
    manifest = tmp_path / ".promote" / "manifest.json"
    entries = [Entry(site.url(f"articles/{slug}/"), slug, slug.upper(), "", "2024-06-01T09:00:00")
               for slug in ("a", "b")]
    write_manifest(entries, manifest, site.base_url)
    return {"SITEURL": site.base_url, "OUTPUT_PATH": str(tmp_path / "output"),
            "PROMOTE_NETWORKS": ["mastodon"], "PROMOTE_MANIFEST_PATH": str(manifest),
            "PUBLISH_LIVE_WAIT": 0.2, "PUBLISH_LIVE_INTERVAL": 0.05, **settings}


def test_publish_waits_only_for_the_articles_the_deploy_sent_and_skips_cdn_caches(tmp_path, site):
    site.publish("articles/a/", "A")
    pelican = publish_site(tmp_path, site)
    sent = DeployResult("s3://bucket/blog", uploaded=["articles/a/index.html", "index.html"])
    out = io.StringIO()
    _wait(pelican, sent, Console(file=out, width=200))
    assert "The 1 article pages this deploy sent answer 200" in out.getvalue()
    [request] = site.requests_to("/articles/")
    assert request.path == "/articles/a/" and request.header("Cache-Control") == "no-cache"


def test_publish_stops_naming_the_page_that_never_answered(tmp_path, site):
    pelican = publish_site(tmp_path, site)
    sent = DeployResult("s3://bucket/blog", uploaded=["articles/b/index.html"])
    with pytest.raises(PublishStopped) as stopped:
        _wait(pelican, sent, Console(file=io.StringIO()))
    assert str(stopped.value).startswith(
        f"{site.url('articles/b/')} answered 404, not 200, still after 0 s "
        "(PUBLISH_LIVE_WAIT = 0); the site is deployed but nothing was announced; check the CDN "
        "or SITEURL")
    assert len(site.requests_to("/articles/b/")) > 1


def test_publish_waits_for_nothing_when_nothing_will_be_announced(tmp_path, site):
    pelican = publish_site(tmp_path, site, PROMOTE_NETWORKS=[])
    out = io.StringIO()
    _wait(pelican, DeployResult("s3://bucket/blog", uploaded=["articles/a/index.html"]),
          Console(file=out, width=200))
    assert "nothing to wait for" in out.getvalue() and site.requests_to("/") == []
