"""The theme in headless Debian Chromium (Playwright): layout, keyboard, contrast, no third parties.

The demo is built once and served from 127.0.0.1 by a thread, the way a static host serves it
(including 404.html for a missing address); a second tiny site holds content made to overflow.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from PIL import Image

from tests.support.site import run_pelican, serving, site_settings, write_site

pytestmark = pytest.mark.browser

WIDTHS = [360, 1280]

LONG_WORD = "https://example.org/" + "a-very-long-path-segment-" * 12
WIDE_SITE = {
    "articles/wide.md": (
        "Title: Wide things\nDate: 2024-01-01\nCategory: Tests\nSlug: wide\n\n"
        f"A long address with no spaces: {LONG_WORD}\n\n"
        '<img src="data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27'
        ' width=%272400%27 height=%27300%27%3E%3C/svg%3E" alt="A very wide diagram"'
        ' width="2400" height="300">\n\n'
        "| " + " | ".join(f"Column heading {i}" for i in range(12)) + " |\n"
        "|" + "---|" * 12 + "\n"
        "| " + " | ".join(f"value{i}" for i in range(12)) + " |\n\n"
        "    " + "x = 1; " * 60 + "\n"
    ),
}


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> Iterator[str]:
    output = run_pelican(site_settings(tmp_path_factory.mktemp("demo")))
    with serving(output) as url:
        yield url


@pytest.fixture(scope="module")
def wide_url(tmp_path_factory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("wide")
    output = run_pelican(site_settings(tmp, write_site(tmp, WIDE_SITE), PLUGINS=["article_extras"]))
    with serving(output) as url:
        yield url


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(width: int = 1280, scheme: str = "light"):
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def first_article_path(page, base: str) -> str:
    page.goto(base + "/")
    return urlsplit(page.locator("main .card-title a").first.evaluate("a => a.href")).path


def overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when nothing scrolls sideways)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_no_horizontal_scroll_on_index_article_and_archives(new_page, demo_url, width):
    page = new_page(width)
    for path in ["/", first_article_path(page, demo_url), "/archives/", "/tags/", "/no/such/page/"]:
        page.goto(demo_url + path)
        assert overflow(page) == 0, f"{path} scrolls sideways at {width}px"


def test_wide_images_tables_code_and_long_words_stay_inside_at_360px(new_page, wide_url):
    page = new_page(360)
    page.goto(wide_url + "/articles/wide/")
    assert overflow(page) == 0
    for selector in ["main img", "main table", "main pre"]:
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, f"{selector} sticks out: {box}"
    # The table and the code scroll inside their own box instead of widening the page.
    assert page.eval_on_selector("main table", "t => t.scrollWidth > t.clientWidth")
    assert page.eval_on_selector("main pre", "p => p.scrollWidth > p.clientWidth")


def test_skip_link_is_first_and_moves_focus_to_main(new_page, demo_url):
    page = new_page(1280)
    page.goto(demo_url + first_article_path(page, demo_url))
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "[document.activeElement.className, document.activeElement.textContent]"
    )
    assert focused == ["skip-link", "Skip to content"]
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0 and box["height"] > 0, "the focused skip link must be on screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside main, not back in the header
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_keyboard_focus_on_links_is_visible(new_page, demo_url):
    page = new_page(1280)
    page.goto(demo_url + "/")
    for _ in range(4):  # skip link, brand, then the first nav links
        page.keyboard.press("Tab")
        style = page.evaluate("""() => {
            const el = document.activeElement, s = getComputedStyle(el);
            return [el.tagName, s.outlineStyle, parseFloat(s.outlineWidth)]; }""")
        assert style[0] == "A" and style[1] != "none" and style[2] >= 2, style


def luminance(css_color: str) -> float:
    red, green, blue = (int(v) / 255 for v in re.findall(r"[\d.]+", css_color)[:3])
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_is_at_least_aa_in_both_color_schemes(new_page, demo_url, scheme):
    page = new_page(1280, scheme)
    page.goto(demo_url + first_article_path(page, demo_url))
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    for selector in [
        "body",
        "main .prose p",
        "main .meta",
        "main .kicker a",
        "main .prose a",
        "header .site-nav a",
    ]:
        color = page.eval_on_selector(selector, "e => getComputedStyle(e).color")
        ratio = contrast(color, background)
        assert ratio >= 4.5, f"{scheme}: {selector} {color} on {background} is {ratio:.2f}:1"
    dark_bg = luminance(background) < 0.2
    assert dark_bg == (scheme == "dark"), "the color scheme must follow prefers-color-scheme"


def test_every_image_has_alt_text(new_page, demo_url):
    page = new_page(1280)
    page.goto(demo_url + "/archives/")
    paths = [
        urlsplit(href).path
        for href in page.eval_on_selector_all(
            "main .archive-list a", "links => links.map(a => a.href)"
        )
    ]
    assert paths
    images = 0
    for path in paths + ["/", "/about/"]:
        page.goto(demo_url + path)
        missing = page.eval_on_selector_all(
            "img", "imgs => imgs.filter(i => !i.hasAttribute('alt')).map(i => i.src)"
        )
        assert missing == [], f"{path}: images without alt: {missing}"
        images += page.locator("img").count()
    assert images > 0, "the demo should show at least one image"


def test_pages_request_nothing_from_other_hosts(new_page, demo_url):
    page = new_page(1280)
    requested: list[str] = []

    def watch(route) -> None:
        requested.append(route.request.url)
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    page.route("**/*", watch)
    for path in [
        "/",
        first_article_path(page, demo_url),
        "/about/",
        "/archives/",
        "/missing/page/",
    ]:
        page.goto(demo_url + path)
        page.wait_for_load_state("networkidle")
    hosts = {urlsplit(url).hostname for url in requested}
    assert hosts == {"127.0.0.1"}, requested
    assert any(url.endswith("/css/site.css") for url in requested)


def test_missing_address_shows_the_styled_404_with_working_links(new_page, demo_url):
    page = new_page(360)
    response = page.goto(demo_url + "/some/deep/missing/address/")
    assert response.status == 404
    assert page.locator("main h1").inner_text() == "We couldn’t find that page"
    # Styled although the address is deep: the stylesheet resolved and loaded.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position")
        == "absolute"
    )
    page.locator("main a", has_text="Search the archives").click()
    assert urlsplit(page.url).path == "/archives/"
    assert page.locator("main h1").inner_text() == "Archives"


PHONE = 390


def test_at_390px_the_navigation_is_one_line_that_scrolls_and_every_link_is_reachable(
        new_page, demo_url, tmp_path):
    page = new_page(PHONE)
    for path in ["/", first_article_path(page, demo_url), "/subscribe/"]:
        page.goto(demo_url + path)
        tops = page.eval_on_selector_all(".site-nav a", "links => links.map(a => a.offsetTop)")
        assert len(tops) >= 6 and len(set(tops)) == 1, f"{path}: the nav wraps ({tops})"
        height = page.eval_on_selector(".site-header", "h => h.getBoundingClientRect().height")
        assert height < 120, f"{path}: the header takes {height}px of a {PHONE}px phone"
        # A screenshot of the whole page is as wide as the phone: nothing pushes it sideways.
        shot = tmp_path / f"{path.strip('/').replace('/', '-') or 'home'}-{PHONE}.png"
        page.screenshot(path=str(shot), full_page=True)
        with Image.open(shot) as image:
            assert image.width == PHONE, f"{path}: the page is {image.width}px wide"
    # The last link, off screen at first, scrolls into view when the keyboard reaches it.
    nav = page.locator(".site-nav")
    last = page.locator(".site-nav a").last
    assert last.bounding_box()["x"] + 10 > PHONE
    last.focus()
    box, frame = last.bounding_box(), nav.bounding_box()
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
