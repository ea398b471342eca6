"""Sharing in headless Debian Chromium (Playwright): links, copy, native sheet, Mastodon, a11y.

One production build (absolute URLs pointing at the 127.0.0.1 server that serves it) holds hostile
titles; every request to any other host is recorded and answered locally, so a test can both
prove nothing leaves 127.0.0.1 and see exactly which share URL a click opened.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.support.site import run_pelican, serving, site_settings, write_site
from tests.test_share_links import CARRIERS

pytestmark = pytest.mark.browser

TITLES = {
    "quotes": "Quotes \"double\" and 'single' & ampersands",
    "script": "</script><script>alert(1)</script>",
    "img": '"><img src=x onerror=alert(1)>',
    "emoji": "Emoji 🚀🎉 and RTL עברית שלום",
}
SHARE_NETWORKS = [*list(CARRIERS), "copy", "native"]


def article(title: str, slug: str, day: int) -> str:
    return (f"Title: {title}\nDate: 2024-03-{day:02d} 10:00\nCategory: Field Notes\n"
            f"Tags: reach\nSlug: {slug}\nSummary: Summary of {slug}.\n\nBody of {slug}.\n")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    """Start the server first (its port is the SITEURL), then build the site it serves."""
    root = tmp_path_factory.mktemp("share-browser")
    output = root / "output"
    output.mkdir()
    with serving(output) as url:
        build_hostile_site(root, url)
        yield url


def build_hostile_site(root: Path, url: str) -> None:
    """Build the hostile-title articles with absolute URLs on the server at `url`."""
    files = {f"articles/{slug}.md": article(title, slug, day)
             for day, (slug, title) in enumerate(TITLES.items(), start=1)}
    files.update({f"articles/more{n}.md": article(f"More {n}", f"more{n}", 10 + n)
                  for n in range(4)})
    files["pages/about.md"] = "Title: About\nSlug: about\nSummary: About us.\n\nWe write.\n"
    content = write_site(root, files)
    run_pelican(site_settings(root, content, production=True, SITEURL=url,
                              SHARE_NETWORKS=SHARE_NETWORKS))


class Session:
    """A browser context that answers every request to a host other than 127.0.0.1 itself."""

    def __init__(self, browser: Browser, **options) -> None:
        self.external: list[str] = []
        self.dialogs: list[str] = []
        self.context: BrowserContext = browser.new_context(
            permissions=["clipboard-read", "clipboard-write"], **options)
        self.context.route("**/*", self._route)

    def _route(self, route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
            return
        self.external.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>stub</p>")

    def open(self, url: str) -> Page:
        page = self.context.new_page()
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url)
        return page

    def opened_by(self, action) -> str:
        """The URL of the tab an action opens."""
        with self.context.expect_page() as new_tab:
            action()
        return new_tab.value.url


@pytest.fixture
def session(browser) -> Iterator[Session]:
    opened = Session(browser)
    yield opened
    opened.context.close()


def article_url(site: str, slug: str) -> str:
    return f"{site}/articles/{slug}/"


PAGE_TYPES = ["", "page/2/", "articles/quotes/", "about/", "category/field-notes/", "tag/reach/",
              "author/maya-lindqvist/", "archives/", "categories/", "tags/", "authors/",
              "no-such-page/"]


def test_no_request_leaves_127_0_0_1_and_json_ld_parses_on_every_page_type(site, session):
    for path in PAGE_TYPES:
        requests: list[str] = []
        page = session.context.new_page()
        page.on("request", lambda request, seen=requests: seen.append(request.url))
        page.on("dialog", lambda dialog: (session.dialogs.append(dialog.message), dialog.dismiss()))
        response = page.goto(f"{site}/{path}", wait_until="load")
        assert response.status == (404 if path == "no-such-page/" else 200), path
        hosts = {urlsplit(url).hostname for url in requests if not url.startswith("data:")}
        assert hosts == {"127.0.0.1"}, (path, requests)
        for body in page.locator("script[type='application/ld+json']").all_text_contents():
            assert json.loads(body)["@context"] == "https://schema.org", path
        page.close()
    assert session.external == [] and session.dialogs == []


def test_hostile_titles_read_back_unchanged_everywhere(site, session):
    for slug, title in TITLES.items():
        url = article_url(site, slug)
        page = session.open(url)
        expect(page.locator("h1")).to_have_text(title)
        assert page.locator("meta[property='og:title']").get_attribute("content") == title
        ld = json.loads(page.locator("script[type='application/ld+json']").text_content())
        posting = next(node for node in ld["@graph"] if node["@type"] == "BlogPosting")
        assert posting["headline"] == title
        assert page.locator(".share").get_attribute("data-title") == title
        hrefs = {key: page.locator(f"a.share-{key}").get_attribute("href") for key in CARRIERS}
        for key, (title_param, url_param) in CARRIERS.items():
            query = parse_qs(urlsplit(hrefs[key]).query)
            assert query[url_param][0].endswith(url), key
            if title_param:
                assert query[title_param][0].startswith(title), key
        page.close()
    assert session.dialogs == [] and session.external == []


def test_copy_link_puts_the_canonical_url_on_the_clipboard_and_says_so(site, session):
    page = session.open(article_url(site, "quotes"))
    page.get_by_role("button", name="Copy link").click()
    status = page.get_by_role("status")
    expect(status).to_have_text(f"Link copied: {article_url(site, 'quotes')}")
    expect(status).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == article_url(site, "quotes")


def test_native_share_sheet_gets_title_and_url(site, session):
    session.context.add_init_script(
        "navigator.share = async (data) => { window.sharedWith = data; };")
    page = session.open(article_url(site, "emoji"))
    page.get_by_role("button", name="More ways to share").click()
    page.wait_for_function("window.sharedWith !== undefined")
    assert page.evaluate("window.sharedWith") == {"title": TITLES["emoji"],
                                                  "url": article_url(site, "emoji")}


def test_native_share_button_stays_hidden_without_the_api(site, session):
    session.context.add_init_script("delete Navigator.prototype.share;")
    page = session.open(article_url(site, "emoji"))
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    expect(page.locator("[data-share=native]")).to_be_hidden()


def test_mastodon_asks_for_a_server_validates_it_and_remembers_it(site, session):
    url = article_url(site, "quotes")
    expected_query = "text=" + quote(f"{TITLES['quotes']} {url}", safe="")
    page = session.open(url)
    page.get_by_role("link", name="Share on Mastodon").click()
    field = page.get_by_label("Your Mastodon server")
    expect(field).to_be_focused()
    for bad in ("javascript:alert(1)", "evil.com/@x?", "", "https://evil.com/x", "evil.com:8080"):
        field.fill(bad)
        field.press("Enter")
        expect(page.locator(".share-error")).to_have_text(
            "Enter your server's name, like mastodon.social")
        expect(field).to_have_attribute("aria-invalid", "true")
    page.wait_for_timeout(200)  # a popup would have opened synchronously in the submit handler
    assert len(session.context.pages) == 1 and session.external == []

    field.fill("  Example.Social/ ")
    opened = session.opened_by(lambda: field.press("Enter"))
    assert opened == f"https://example.social/share?{expected_query}"
    expect(page.locator(".share-server")).to_be_hidden()
    expect(page.locator(".share-saved")).to_have_text(
        "Mastodon server: example.social Change server")

    page.reload()  # remembered: one click goes straight to the reader's server
    opened = session.opened_by(lambda: page.get_by_role("link", name="Share on Mastodon").click())
    assert opened == f"https://example.social/share?{expected_query}"
    page.get_by_role("button", name="Change server").click()
    expect(field).to_have_value("example.social")
    field.fill("@maya@other.example")
    assert session.opened_by(lambda: field.press("Enter")).startswith("https://other.example/share?")
    assert session.dialogs == []


def test_remembered_value_is_validated_again(site, session):
    page = session.open(article_url(site, "quotes"))
    page.evaluate("localStorage.setItem('share-mastodon-server', 'javascript:alert(1)//')")
    page.reload()
    expect(page.locator(".share-saved")).to_be_hidden()
    page.get_by_role("link", name="Share on Mastodon").click()
    expect(page.get_by_label("Your Mastodon server")).to_be_focused()
    assert len(session.context.pages) == 1


def _tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element is focused, as a keyboard-only reader would."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_keyboard_only_reader_can_copy_and_share(site, session):
    url = article_url(site, "img")
    page = session.open(url)
    _tab_to(page, "[data-share=copy]")
    outline = page.locator("[data-share=copy]").evaluate(
        "e => { const s = getComputedStyle(e);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)] }")
    assert outline[0] != "none" and outline[1] >= 2, "keyboard focus is visible"
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(f"Link copied: {url}")
    assert page.evaluate("navigator.clipboard.readText()") == url

    page.keyboard.press("Shift+Tab")
    _tab_to(page, "[data-share=mastodon]")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Your Mastodon server")).to_be_focused()
    page.keyboard.type("example.social")
    assert session.opened_by(lambda: page.keyboard.press("Enter")).startswith(
        "https://example.social/share?text=")
    expect(page.locator("[data-share=mastodon]")).to_be_focused()
    assert session.dialogs == []


def test_links_work_without_javascript(site, browser):
    offline = Session(browser, java_script_enabled=False)
    try:
        url = article_url(site, "quotes")
        page = offline.open(url)
        expect(page.locator("[data-share=copy]")).to_be_hidden()
        expect(page.locator("[data-share=native]")).to_be_hidden()
        for key in CARRIERS:
            expect(page.locator(f"a.share-{key}")).to_be_visible()
        bluesky = page.get_by_role("link", name="Share on Bluesky")
        opened = offline.opened_by(bluesky.click)
        assert parse_qs(urlsplit(opened).query)["text"] == [f"{TITLES['quotes']}\n\n{url}"]
        opened = offline.opened_by(page.get_by_role("link", name="Share on Mastodon").click)
        assert opened.startswith("https://mastodon.social/share?text=")
        assert [urlsplit(u).hostname for u in offline.external] == ["bsky.app", "mastodon.social"]
    finally:
        offline.context.close()


CONTRAST_JS = """element => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  let node = element, bg = [255, 255, 255];
  while (node) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0)) { bg = c.slice(0, 3); break; }
    node = node.parentElement;
  }
  const box = element.getBoundingClientRect();
  return {fg: rgb(getComputedStyle(element).color).slice(0, 3), bg, w: box.width, h: box.height};
}"""


def _contrast(fg: list[float], bg: list[float]) -> float:
    def luminance(rgb: list[float]) -> float:
        channels = [c / 255 for c in rgb]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_names_touch_targets_and_contrast(site, browser, scheme):
    checked = Session(browser, color_scheme=scheme)
    try:
        page = checked.open(article_url(site, "quotes"))
        for name in ("Share on Bluesky", "Share on X", "Share by email", "Share on Hacker News"):
            expect(page.get_by_role("link", name=name)).to_have_count(1)
        page.get_by_role("link", name="Share on Mastodon").click()
        page.get_by_label("Your Mastodon server").fill("nope")
        page.get_by_label("Your Mastodon server").press("Enter")
        controls = page.locator(".share .share-link:visible, .share input:visible")
        assert controls.count() >= len(CARRIERS) + 2
        for index in range(controls.count()):
            found = controls.nth(index).evaluate(CONTRAST_JS)
            assert found["w"] >= 44 and found["h"] >= 44, found
            assert _contrast(found["fg"], found["bg"]) >= 4.5, found
        for text in (".share-title", ".share-help", ".share-error", ".share-server label"):
            found = page.locator(text).evaluate(CONTRAST_JS)
            assert _contrast(found["fg"], found["bg"]) >= 4.5, (text, found)
        page.get_by_role("link", name="Share on LinkedIn").focus()
        page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
        focused = page.get_by_role("link", name="Share on X")
        expect(focused).to_be_focused()
        outline = focused.evaluate(
            "e => { const s = getComputedStyle(e);"
            " return [s.outlineStyle, parseFloat(s.outlineWidth),"
            " (s.outlineColor.match(/[\\d.]+/g) || []).map(Number).slice(0, 3)] }")
        background = page.locator(".share").evaluate(CONTRAST_JS)["bg"]
        assert outline[0] == "solid" and outline[1] >= 2, outline
        assert _contrast(outline[2], background) >= 3, (outline, background)
    finally:
        checked.context.close()
