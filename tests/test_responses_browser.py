"""Replies under an article in headless Debian Chromium (Playwright): a hostile reply does nothing.

A production build (absolute URLs on the 127.0.0.1 server that serves it) shows replies stored as
`invoke stats` stores them, one carrying a <script>, an <img onerror> and a javascript: link.
Every request to another host is recorded and answered locally, so the test proves the page
makes none, opens no dialog and logs no error.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from self_promoting_blog.promote.adapters.base import PublicReply
from self_promoting_blog.promote.responses import Thread
from self_promoting_blog.promote.responses_sqlite import SqliteResponses
from tests.support.site import run_pelican, serving, site_settings, write_site

pytestmark = pytest.mark.browser
HOSTILE = ('<p>Read this <script>alert("script")</script>'
           '<img src="https://tracker.test/pixel.png" onerror="alert(\'img\')">'
           '<a href="javascript:alert(\'link\')" id="js">click me</a> '
           '<a href="https://elsewhere.test/tags/seo" rel="tag" onmouseover="alert(\'hover\')">'
           '#seo</a></p>')


def reply(n: int, content: str, name: str) -> PublicReply:
    return PublicReply(f"11000{n}", f"https://elsewhere.test/@{name.lower()}/11000{n}", name,
                       f"@{name.lower()}@elsewhere.test", f"https://elsewhere.test/@{name.lower()}",
                       "2024-06-02T10:00:00Z", content, likes=n)


@pytest.fixture(scope="module")
def article_url(tmp_path_factory) -> Iterator[str]:
    """Start the server first (its port is the SITEURL), then store the replies and build."""
    root = tmp_path_factory.mktemp("responses-browser")
    output = root / "output"
    output.mkdir()
    with serving(output) as url:
        store = SqliteResponses(root / ".promote" / "ledger.sqlite3")
        store.replace([Thread(f"{url}/articles/talked/", "mastodon", "acct", "1", time.time(),
                              (reply(1, HOSTILE, "Mallory"),
                               reply(2, "<p>A kind word, a long one " + "word " * 60 + "</p>",
                                     "Ana María Fernández-Olivares")))])
        store.close()
        content = write_site(root, {"articles/talked.md": (
            "Title: Talked about\nSlug: talked\nDate: 2024-06-01 09:00\nCategory: Notes\n"
            "Summary: Replies below.\n\nBody.\n")})
        run_pelican(site_settings(root, content, production=True, SITEURL=url))
        yield f"{url}/articles/talked/"


def test_a_hostile_reply_runs_nothing_and_nothing_leaves_127_0_0_1(browser, article_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    external: list[str] = []
    dialogs: list[str] = []
    errors: list[str] = []

    def route(request_route) -> None:
        if urlsplit(request_route.request.url).hostname == "127.0.0.1":
            request_route.continue_()
            return
        external.append(request_route.request.url)
        request_route.fulfill(status=200, content_type="text/html", body="<p>stub</p>")

    context.route("**/*", route)
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))
    page.goto(article_url)
    comments = page.locator(".h-entry .p-comment")
    expect(comments).to_have_count(2)
    hostile = comments.first
    expect(hostile.locator(".response-content")).to_contain_text("Read this click me #seo")
    hostile.get_by_text("#seo").hover()
    hostile.get_by_text("click me").click()
    page.wait_for_timeout(300)
    assert page.url == article_url  # the javascript: link became plain text: a click does nothing
    assert dialogs == [] and external == [] and errors == []
    assert any(url.endswith("/theme/css/responses.css") for url in loaded)
    assert {urlsplit(url).hostname for url in loaded} == {"127.0.0.1"}
    context.close()
