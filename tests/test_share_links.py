"""Share links: the intent table, SHARE_NETWORKS, and the links the theme renders in a build."""

from __future__ import annotations

import gc
import re
import weakref
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import html as lxml_html

from share_links.intents import INTENTS
from share_links.links import ShareLinks, build_links
from share_links.settings import DEFAULTS, SettingsError, load_settings
from tests.support.site import ROOT, run_pelican, site_settings, write_site

SHARE_JS = ROOT / "theme" / "static" / "js" / "share.js"
SHARE_CSS = ROOT / "theme" / "static" / "css" / "share.css"
TITLE = 'Tom & "Jerry" <b>100%</b> + #tags? 🚀 שלום'
URL = "https://blog.example.org/articles/tom-jerry/"

# Where each network's compose URL carries the title and the canonical URL (share-intents.md).
CARRIERS = {
    "bluesky": ("text", "text"), "mastodon": ("text", "text"), "linkedin": (None, "url"),
    "x": ("text", "url"), "facebook": (None, "u"), "threads": ("text", "url"),
    "reddit": ("title", "url"), "hackernews": ("t", "u"), "telegram": ("text", "url"),
    "whatsapp": ("text", "text"), "pinterest": ("description", "url"), "email": ("subject", "body"),
}


def article(title: str = "Plain title", slug: str = "plain", extra: str = "") -> str:
    return (f"Title: {title}\nDate: 2024-03-05 10:00\nCategory: Tests\nTags: one, two\n"
            f"Slug: {slug}\nSummary: A short summary.\n{extra}\nBody text.\n")


def settings(**values: object) -> dict[str, object]:
    return {"SITEURL": "https://blog.example.org", **values}


def test_every_intent_carries_exactly_the_title_and_canonical_url():
    values = {"title": TITLE, "url": URL, "text": "Desc", "image": "https://i.example/c.png",
              "via": ""}
    every = load_settings(settings(SHARE_NETWORKS=list(CARRIERS)))
    links = {link.key: link for link in build_links(values, every)}
    assert set(links) == set(CARRIERS)
    for key, (title_param, url_param) in CARRIERS.items():
        query = parse_qs(urlsplit(links[key].href).query, keep_blank_values=True)
        url_value = query[url_param][0]
        assert url_value == URL or url_value.endswith(URL), key
        if title_param:
            assert query[title_param][0].startswith(TITLE), key
        # Nothing the writer typed survives unencoded: no raw space, quote, <, #, & or +.
        raw_query = urlsplit(links[key].href).query
        assert not re.search(r'[ "<>#+]', raw_query), (key, raw_query)
    assert parse_qs(urlsplit(links["bluesky"].href).query)["text"] == [f"{TITLE}\n\n{URL}"]
    assert links["mastodon"].href.startswith("https://mastodon.social/share?")
    assert parse_qs(urlsplit(links["pinterest"].href).query)["media"] == ["https://i.example/c.png"]
    assert links["email"].href.startswith("mailto:?subject=")


def test_script_only_actions_have_no_link_and_pinterest_needs_an_image():
    values = {"title": "T", "url": URL, "text": "", "image": "", "via": ""}
    chosen = load_settings(settings(SHARE_NETWORKS=["pinterest", "copy", "native", "x"]))
    links = build_links(values, chosen)
    assert [(link.key, link.href, link.action) for link in links[:2]] == [
        ("copy", "", "copy"), ("native", "", "native")]
    assert [link.key for link in links] == ["copy", "native", "x"]


def test_x_via_and_validated_settings():
    values = {"title": "T", "url": URL, "text": "", "image": "", "via": "signalreach"}
    only_x = load_settings(settings(SHARE_NETWORKS=["x"], SHARE_X_VIA="@signalreach"))
    x = build_links(values, only_x)
    assert parse_qs(urlsplit(x[0].href).query)["via"] == ["signalreach"]
    assert len(DEFAULTS["SHARE_NETWORKS"]) == 10 and set(DEFAULTS["SHARE_NETWORKS"]) <= set(INTENTS)
    with pytest.raises(SettingsError, match=r"unknown \['myspace'\].*bluesky, mastodon"):
        load_settings(settings(SHARE_NETWORKS=["x", "myspace"]))
    with pytest.raises(SettingsError, match="listed twice"):
        load_settings(settings(SHARE_NETWORKS=["x", "x"]))
    for bad in ("https://mastodon.social", "javascript:alert(1)", "evil.com/@x?"):
        with pytest.raises(SettingsError, match="SHARE_MASTODON_INSTANCE"):
            load_settings(settings(SHARE_MASTODON_INSTANCE=bad))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("share")
    content = write_site(root, {"articles/plain.md": article(TITLE, "tom-jerry"),
                                "articles/other.md": article("Other post", "other")})
    conf = site_settings(root, content, production=True, SITEURL="https://blog.example.org",
                         SHARE_NETWORKS=["threads", "email", "mastodon", "copy", "native", "x"])
    return run_pelican(conf)


def test_rendered_links_follow_the_setting_and_open_safely(built):
    page = lxml_html.fromstring((built / "articles/tom-jerry/index.html").read_bytes())
    section = page.xpath("//section[@class='share']")[0]
    assert section.get("data-url") == URL and section.get("data-title") == TITLE
    controls = section.xpath(".//ul[@class='share-list']/li/*[contains(@class, 'share-link')]")
    assert [c.get("aria-label") for c in controls] == [
        "Share on Threads", "Share by email", "Share on Mastodon", "Copy link",
        "More ways to share", "Share on X"]
    for link in section.xpath(".//a[contains(@class, 'share-link')]"):
        assert link.get("rel") == "noopener noreferrer"
        is_mail = link.get("href").startswith("mailto:")
        assert link.get("target") == (None if is_mail else "_blank")
        # Icons are inline SVG, hidden from assistive technology (the link has the name).
        assert link.xpath("./*[local-name()='svg'][@aria-hidden='true']")
    threads = section.xpath(".//a[contains(@class, 'share-threads')]/@href")[0]
    assert parse_qs(urlsplit(threads).query) == {"text": [TITLE], "url": [URL]}
    # Script-only controls are hidden until share.js shows them.
    for button in section.xpath(".//button[@data-share]"):
        assert button.getparent().get("hidden") is not None
    scripts = page.xpath("//script[@src]")
    assert [s.get("src") for s in scripts] == ["https://blog.example.org/theme/js/share.js"]
    assert scripts[0].get("defer") is not None


def test_each_page_shares_its_own_article(built):
    """Links are worked out while a page renders and kept for that page only: each article's
    page carries its own title and URL, whichever page was rendered before it."""
    for slug, title in (("tom-jerry", TITLE), ("other", "Other post")):
        page = lxml_html.fromstring((built / f"articles/{slug}/index.html").read_bytes())
        url = f"https://blog.example.org/articles/{slug}/"
        section = page.xpath("//section[@class='share']")[0]
        assert (section.get("data-url"), section.get("data-title")) == (url, title)
        x = section.xpath(".//a[contains(@class, 'share-x')]/@href")[0]
        assert parse_qs(urlsplit(x).query) == {"text": [title], "url": [url]}


def test_links_are_kept_for_the_page_rendering_only():
    settings_ = load_settings(settings())
    one, two = (SimpleNamespace(title=t, url=f"articles/{t}/") for t in ("one", "two"))
    shares = [ShareLinks(one, settings_), ShareLinks(two, settings_)]
    for share, name in zip(shares * 2, ["one", "two"] * 2, strict=True):
        assert [link.href for link in share if link.key == "linkedin"] == [
            "https://www.linkedin.com/sharing/share-offsite/?url=https%3A%2F%2Fblog.example.org"
            f"%2Farticles%2F{name}%2F"]
    shown = weakref.ref(next(iter(shares[1])))
    assert list(shares[0])  # the next page renders: its links replace the last page's
    gc.collect()
    assert shown() is None


def test_share_assets_are_small_and_self_contained():
    script = SHARE_JS.read_text(encoding="utf-8")
    assert len(SHARE_JS.read_bytes()) < 2048, "share.js must stay under 2 KB as shipped"
    assert not re.search(r"\b(import|fetch|XMLHttpRequest|eval|innerHTML)\b", script)
    # The only URL share.js builds is https://<validated host>/share.
    assert re.findall(r'"(https?:[^"]*)"', script) == ["https://"]
    style = SHARE_CSS.read_text(encoding="utf-8")
    assert "url(" not in style and "@import" not in style
