"""plugins/feeds: Atom, RSS and JSON Feed from real Pelican builds, read the way readers read them.

Most builds use Pelican's simple theme with only the feeds plugin (so another part's work in
progress cannot hide a feeds bug), plus our theme's static folder for the feed icon. One build
uses the real theme and every plugin, for autodiscovery and the Subscribe link and page.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
from lxml import etree

from feeds.absolutize import absolutize_html
from feeds.sanitize import html_to_text, xml_safe
from feeds.settings import SettingsError
from tests.support.site import ROOT, run_pelican, serving, site_settings, write_site

NS = {"a": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/",
      "dc": "http://purl.org/dc/elements/1.1/", "media": "http://search.yahoo.com/mrss/"}
DEV = "http://127.0.0.1:8000"
# A 1×1 PNG, so `Image:` points at a real file with a real size.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")

HOSTILE = "Tom & Jerry <b>bold</b> ]]> \x01\x08\x1f\ufffe 🚀 שלום עולם"
HOSTILE_CLEAN = "Tom & Jerry <b>bold</b> ]]>  🚀 שלום עולם"


def article(title: str, date: str, category: str, tags: str, body: str = "Text.",
            **meta: str) -> str:
    extra = "".join(f"{key}: {value}\n" for key, value in meta.items())
    return (f"Title: {title}\nDate: {date}\nCategory: {category}\nTags: {tags}\n{extra}\n"
            f"{body}\n")


HOSTILE_BODY = """Read [the next one]({filename}/articles/second.md),
[a relative page](../elsewhere/), a footnote[^1] and ![a picture]({static}/images/pic.png).

<img srcset="wide.png 2x, /narrow.png 1x" src="pic.png" alt="x">
<a href='mailto:team@example.com'>mail</a> <a href="https://example.com/?a=1&amp;b=2">abs</a>

<script>var s = "<a href='not-a-link'>";</script>

[^1]: The note."""

SITE = {
    "articles/hostile.md": article(HOSTILE, "2024-01-10 09:00", "Strategy", "growth, seo",
                                   HOSTILE_BODY, Slug="hostile",
                                   Summary="Why & how <em>it</em> works.",
                                   Image="{static}/images/pic.png", Modified="2024-01-20 10:00"),
    "articles/second.md": article("Second", "2024-02-10 09:00", "Social", "growth", Slug="second"),
    "articles/third.md": article("Third", "2024-03-10 09:00", "Social", "video", Slug="third"),
    "articles/fourth.md": article("Fourth", "2024-04-10 09:00", "Strategy", "seo", Slug="fourth"),
    "articles/fifth.md": article("Fifth", "2024-05-10 09:00", "Strategy", "growth", Slug="fifth"),
    "articles/draft.md": article("A draft", "2024-06-01 09:00", "Strategy", "growth",
                                 Status="draft", Slug="draft"),
    "articles/hidden.md": article("A hidden one", "2024-06-02 09:00", "Strategy", "growth",
                                  Status="hidden", Slug="hidden"),
    "articles/future.md": article("From the future", "2099-01-01 09:00", "Strategy",
                                  "growth, someday", Slug="future"),
}
PUBLISHED = {"hostile": "2024-01-10", "second": "2024-02-10", "third": "2024-03-10",
             "fourth": "2024-04-10", "fifth": "2024-05-10"}
MEMBERS = {"category/strategy": ["fifth", "fourth", "hostile"],
           "category/social": ["third", "second"],
           "tag/growth": ["fifth", "second", "hostile"], "tag/seo": ["fourth", "hostile"],
           "tag/video": ["third"], "tag/someday": []}
MAX_ITEMS = 4


def simple_build(root: Path, files: dict[str, str], production: bool = False, **overrides) -> Path:
    """Build with the simple theme, only the feeds plugin, and our feed icon."""
    content = write_site(root, files)
    (content / "images").mkdir(exist_ok=True)
    (content / "images" / "pic.png").write_bytes(PNG)
    settings = dict(THEME="simple", PLUGINS=["feeds"], FEED_MAX_ITEMS=MAX_ITEMS,
                    DIRECT_TEMPLATES=["index", "categories", "tags", "archives"],
                    THEME_STATIC_PATHS=["static", str(ROOT / "theme" / "static")])
    settings.update(overrides)
    return run_pelican(site_settings(root, content, production, **settings))


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return simple_build(tmp_path_factory.mktemp("feeds"), SITE)


def feed_files(out: Path) -> list[Path]:
    return sorted((out / "feeds").rglob("*.*"))


def xml_root(path: Path) -> etree._Element:
    return etree.fromstring(path.read_bytes(), etree.XMLParser(recover=False))


def atom_ids(path: Path) -> list[str]:
    return xml_root(path).xpath("a:entry/a:id/text()", namespaces=NS)


def rss_ids(path: Path) -> list[str]:
    return xml_root(path).xpath("channel/item/guid/text()")


def json_ids(path: Path) -> list[str]:
    return [item["id"] for item in json.loads(path.read_text("utf-8"))["items"]]


def url_of(slug: str) -> str:
    return f"{DEV}/articles/{slug}/"


# -- well-formed, valid, complete -----------------------------------------------------------

def test_every_feed_parses_strictly_and_without_bozo(out):
    xml_files = [p for p in feed_files(out) if p.suffix == ".xml"]
    assert len(xml_files) == 2 * (1 + len(MEMBERS))
    for path in xml_files:
        xml_root(path)  # raises on any well-formedness error
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == ("atom10" if path.name.endswith(".atom.xml") else "rss20")


def test_json_feeds_carry_what_json_feed_1_1_requires(out):
    json_files = [p for p in feed_files(out) if p.suffix == ".json"]
    assert len(json_files) == 1 + len(MEMBERS)
    for path in json_files:
        feed = json.loads(path.read_text("utf-8"))
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert isinstance(feed["title"], str) and feed["title"]
        assert feed["feed_url"] == f"{DEV}/{path.relative_to(out).as_posix()}"
        assert isinstance(feed["home_page_url"], str) and isinstance(feed["items"], list)
        assert all(isinstance(a["name"], str) for a in feed["authors"])
        for item in feed["items"]:
            assert isinstance(item["id"], str) and item["id"]
            assert isinstance(item["content_html"], str) and item["content_html"]
            assert isinstance(item["url"], str) and isinstance(item["title"], str)
            for key in ("date_published", "date_modified"):
                assert datetime.fromisoformat(item[key]).tzinfo is not None  # RFC 3339
            assert all(isinstance(tag, str) for tag in item["tags"])
            assert isinstance(item["summary"], str)


def test_site_feeds_hold_the_newest_published_articles_newest_first(out):
    newest = sorted(PUBLISHED, key=PUBLISHED.get, reverse=True)[:MAX_ITEMS]
    expected = [url_of(slug) for slug in newest]
    assert atom_ids(out / "feeds/all.atom.xml") == expected
    assert rss_ids(out / "feeds/all.rss.xml") == expected
    assert json_ids(out / "feeds/all.json") == expected


def test_drafts_hidden_and_future_articles_are_in_no_feed(out):
    assert (out / "articles/future/index.html").exists()  # the dev build shows it on the site...
    for path in feed_files(out):
        text = path.read_text("utf-8")
        for slug, title in (("draft", "A draft"), ("hidden", "A hidden one"),
                            ("future", "From the future")):
            assert title not in text and f"/articles/{slug}/" not in text, (path, slug)


def test_category_and_tag_feeds_hold_only_their_own_articles(out):
    for name, slugs in MEMBERS.items():
        expected = [url_of(slug) for slug in slugs][:MAX_ITEMS]
        assert atom_ids(out / f"feeds/{name}.atom.xml") == expected, name
        assert rss_ids(out / f"feeds/{name}.rss.xml") == expected, name
        assert json_ids(out / f"feeds/{name}.json") == expected, name
    title = xml_root(out / "feeds/tag/seo.atom.xml").findtext("a:title", namespaces=NS)
    assert title == "Signal & Reach: articles tagged seo"


def test_entries_carry_summary_author_terms_dates_and_card_image(out):
    feed = xml_root(out / "feeds/tag/seo.atom.xml")
    entry = feed.xpath("a:entry[a:id=$id]", id=url_of("hostile"), namespaces=NS)[0]
    assert entry.findtext("a:summary", namespaces=NS) == "Why & how it works."
    assert entry.findtext("a:author/a:name", namespaces=NS) == "Maya Lindqvist"
    assert entry.xpath("a:category/@term", namespaces=NS) == ["Strategy", "growth", "seo"]
    assert entry.findtext("a:published", namespaces=NS) == "2024-01-10T09:00:00+01:00"
    assert entry.findtext("a:updated", namespaces=NS) == "2024-01-20T10:00:00+01:00"
    enclosure = entry.xpath("a:link[@rel='enclosure']", namespaces=NS)[0].attrib
    assert dict(enclosure) == {"rel": "enclosure", "type": "image/png", "length": str(len(PNG)),
                               "href": f"{DEV}/images/pic.png"}
    rss = xml_root(out / "feeds/tag/seo.rss.xml")
    item = rss.xpath("channel/item[guid=$id]", id=url_of("hostile"))[0]
    assert item.findtext("dc:creator", namespaces=NS) == "Maya Lindqvist"
    assert item.findtext("pubDate") == "Wed, 10 Jan 2024 09:00:00 +0100"
    assert item.find("enclosure").attrib["url"] == f"{DEV}/images/pic.png"
    assert item.findtext("description") == "Why &amp; how it works."  # HTML, as RSS readers expect
    data = next(i for i in json.loads((out / "feeds/tag/seo.json").read_text())["items"]
                if i["id"] == url_of("hostile"))
    assert data["image"] == f"{DEV}/images/pic.png"
    assert data["tags"] == ["Strategy", "growth", "seo"]
    assert data["date_modified"] == "2024-01-20T10:00:00+01:00"


def test_feed_level_title_links_language_icon_and_updated(out):
    feed = xml_root(out / "feeds/category/social.atom.xml")
    assert feed.findtext("a:title", namespaces=NS) == "Signal & Reach: Social"
    assert feed.findtext("a:subtitle", namespaces=NS).startswith("Content and social-media")
    assert feed.xpath("a:link[@rel='self']/@href", namespaces=NS) == [
        f"{DEV}/feeds/category/social.atom.xml"]
    assert feed.xpath("a:link[@rel='alternate']/@href", namespaces=NS) == [
        f"{DEV}/category/social/"]
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert feed.findtext("a:icon", namespaces=NS) == f"{DEV}/theme/images/feed-icon.png"
    assert (out / "theme/images/feed-icon.png").is_file()
    assert feed.findtext("a:updated", namespaces=NS) == "2024-03-10T09:00:00+01:00"  # "third"
    channel = xml_root(out / "feeds/category/social.rss.xml").find("channel")
    assert channel.findtext("link") == f"{DEV}/category/social/"
    assert channel.xpath("a:link[@rel='self']/@href", namespaces=NS) == [
        f"{DEV}/feeds/category/social.rss.xml"]
    assert channel.findtext("language") == "en"
    assert channel.findtext("image/url") == f"{DEV}/theme/images/feed-icon.png"
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")).isoformat() == (
        "2024-03-10T09:00:00+01:00")
    empty = xml_root(out / "feeds/tag/someday.atom.xml")  # only a scheduled article: no entry yet
    assert empty.findall("a:entry", namespaces=NS) == []
    assert empty.findtext("a:updated", namespaces=NS) == "2024-05-10T09:00:00+02:00"


# -- absolute URLs and hostile text ----------------------------------------------------------

class _Urls(HTMLParser):
    """Every URL in an HTML fragment's tags."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"href", "src", "poster", "cite", "action", "data"} and value is not None:
                self.urls.append(value)
            elif name == "srcset" and value:
                self.urls += [part.split()[0] for part in value.split(",")]


def html_urls(fragment: str) -> list[str]:
    parser = _Urls()
    parser.feed(fragment)
    return parser.urls


def xml_urls(root: etree._Element) -> list[str]:
    """Every URL an XML feed states, in attributes, URL elements and embedded HTML."""
    urls = [value for el in root.iter() if isinstance(el.tag, str)
            for name, value in el.attrib.items()
            if name in {"href", "url", "uri", "scheme", "domain"}]
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el).localname
        if name in {"id", "guid", "link", "icon", "logo", "uri", "url"} and (el.text or "").strip():
            urls.append(el.text.strip())
        if name in {"content", "encoded", "description", "summary"} and el.text:
            urls += html_urls(el.text)
    return urls


def is_absolute(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in {"mailto", "data"})


def test_no_relative_url_anywhere_in_any_feed(out):
    for path in feed_files(out):
        if path.suffix == ".json":
            feed = json.loads(path.read_text("utf-8"))
            urls = [feed["home_page_url"], feed["feed_url"], feed["icon"], feed["favicon"]]
            for item in feed["items"]:
                urls += [item["id"], item["url"], item.get("image", DEV)]
                urls += [a["url"] for a in item.get("authors", []) + item.get("attachments", [])]
                urls += html_urls(item["content_html"])
        else:
            urls = xml_urls(xml_root(path))
        assert urls, path
        relative = [url for url in urls if not is_absolute(url)]
        assert relative == [], path


def test_content_links_and_images_resolve_where_the_article_put_them(out):
    feed = json.loads((out / "feeds/all.json").read_text("utf-8"))
    assert url_of("hostile") not in [i["id"] for i in feed["items"]]  # beyond MAX_ITEMS
    html = json.loads((out / "feeds/tag/seo.json").read_text())["items"][1]["content_html"]
    urls = html_urls(html)
    assert urls[:4] == [url_of("second"), f"{DEV}/articles/elsewhere/",
                        f"{url_of('hostile')}#fn:1", f"{DEV}/images/pic.png"]
    assert f"{url_of('hostile')}wide.png" in urls and f"{DEV}/narrow.png" in urls
    assert "mailto:team@example.com" in urls and "https://example.com/?a=1&b=2" in urls
    assert "<a href='not-a-link'>" in html  # script text is not markup: left alone


def test_an_article_reads_the_same_in_every_feed_that_lists_it(out):
    # "hostile" sits in its category's feed and two tag feeds, with relative links resolved.
    lists_it = ["category/strategy", "tag/growth", "tag/seo"]
    assert all("hostile" in MEMBERS[name] for name in lists_it)
    atom = [xml_root(out / f"feeds/{name}.atom.xml").xpath("a:entry[a:id=$id]",
                                                           id=url_of("hostile"), namespaces=NS)[0]
            for name in lists_it]
    rss = [xml_root(out / f"feeds/{name}.rss.xml").xpath("channel/item[guid=$id]",
                                                         id=url_of("hostile"))[0]
           for name in lists_it]
    items = [next(i for i in json.loads((out / f"feeds/{name}.json").read_text("utf-8"))["items"]
                  if i["id"] == url_of("hostile")) for name in lists_it]
    for entries in (atom, rss):
        assert len({etree.tostring(entry, encoding="unicode") for entry in entries}) == 1
    assert len({json.dumps(item, sort_keys=True) for item in items}) == 1
    html = items[0]["content_html"]
    assert url_of("second") in html_urls(html)  # {filename} link, resolved
    assert atom[0].findtext("a:content", namespaces=NS) == html
    assert rss[0].findtext("content:encoded", namespaces=NS) == html


def test_relative_urls_resolve_in_any_script_and_attribute_case():
    base = "https://site.example/a/"
    assert absolutize_html('<p>Café <A HREF="x.html">x</A></p>', base) \
        == '<p>Café <a href="https://site.example/a/x.html">x</A></p>'
    assert absolutize_html('<p>Cafe <img SrcSet="i.png 2x"></p>', base) \
        == '<p>Cafe <img srcset="https://site.example/a/i.png 2x"></p>'
    for untouched in ('<p>Café <a href="https://x.example/">x</a></p>', "<p>src = here</p>"):
        assert absolutize_html(untouched, base) == untouched


def test_hostile_title_round_trips_through_every_format(out):
    feed = xml_root(out / "feeds/tag/seo.atom.xml")
    assert feed.xpath("a:entry/a:title/text()", namespaces=NS)[1] == HOSTILE_CLEAN
    rss = xml_root(out / "feeds/tag/seo.rss.xml")
    assert rss.xpath("channel/item/title/text()")[1] == HOSTILE_CLEAN
    assert json.loads((out / "feeds/tag/seo.json").read_text("utf-8"))["items"][1]["title"] \
        == HOSTILE_CLEAN
    for name in ("seo.atom.xml", "seo.rss.xml"):
        parsed = feedparser.parse((out / "feeds/tag" / name).read_bytes())
        assert parsed.entries[1].title == HOSTILE_CLEAN, name
    raw = (out / "feeds/tag/seo.atom.xml").read_text("utf-8")
    assert "🚀 שלום עולם" in raw  # written as characters, not escaped or transliterated


def test_xml_safe_drops_only_what_xml_forbids():
    kept = "tab\t nl\n cr\r & < ]]> é 🚀 שלום \u200f \ue000 \ufffd"
    assert xml_safe(kept) == kept
    assert xml_safe("a\x00b\x0bc\x1fd\ud800e\uffff") == "abcde"
    assert html_to_text("<p>One &amp; two</p><p>three<script>x()</script></p>") == "One & two three"


def test_absolutize_leaves_everything_but_relative_urls_byte_for_byte():
    base = "https://site.example/articles/a/"
    untouched = '<p class=x>Hi &amp; <a href="https://abs/">a</a><!-- <a href="c"> --></p>'
    assert absolutize_html(untouched, base) == untouched
    assert absolutize_html('<p>x <A HREF=y.html TITLE="t">y</A> z</p>\n<img src="i.png"/>', base) \
        == '<p>x <a href="https://site.example/articles/a/y.html" title="t">y</A> z</p>\n' \
           '<img src="https://site.example/articles/a/i.png" />'


# -- stable across rebuilds and edits -------------------------------------------------------

def test_ids_and_order_survive_a_rebuild_and_an_edit_of_the_text(tmp_path):
    site = {name: SITE[name] for name in ("articles/second.md", "articles/third.md",
                                          "articles/fourth.md")}
    first = simple_build(tmp_path, site)
    before = {p.relative_to(first): p.read_bytes() for p in feed_files(first)}
    again = simple_build(tmp_path, site)
    assert {p.relative_to(again): p.read_bytes() for p in feed_files(again)} == before

    site["articles/third.md"] = article("Third, retitled", "2024-03-10 09:00", "Social", "video",
                                        "A rewritten body.", Slug="third")
    edited = simple_build(tmp_path, site)
    expected = [url_of("fourth"), url_of("third"), url_of("second")]
    assert atom_ids(edited / "feeds/all.atom.xml") == expected
    assert rss_ids(edited / "feeds/all.rss.xml") == expected
    assert json_ids(edited / "feeds/all.json") == expected
    assert "A rewritten body." in (edited / "feeds/all.atom.xml").read_text("utf-8")


# -- plain XML for feed readers -------------------------------------------------------------

def test_feeds_are_plain_xml_with_no_stylesheet(out):
    """Browsers are removing XSLT (Chromium shows a red warning over any page that uses it), so
    the feeds carry no <?xml-stylesheet?>: people get the Subscribe page instead."""
    for path in feed_files(out):
        if path.suffix == ".xml":
            head = path.read_bytes()[:300]
            assert b"<?xml-stylesheet" not in head, path
            xml_root(path)
    assert not (out / "theme/xsl").exists()


def test_production_feeds_use_siteurl_under_a_subpath(tmp_path, monkeypatch):
    monkeypatch.setenv("SITEURL", "https://example.org/blog")
    out = simple_build(tmp_path, {"articles/second.md": SITE["articles/second.md"]},
                       production=True)
    feed = xml_root(out / "feeds/all.atom.xml")
    assert feed.findtext("a:id", namespaces=NS) == "https://example.org/blog/feeds/all.atom.xml"
    assert atom_ids(out / "feeds/all.atom.xml") == ["https://example.org/blog/articles/second/"]
    assert feed.findtext("a:icon", namespaces=NS) == (
        "https://example.org/blog/theme/images/feed-icon.png")


def test_a_theme_without_the_icon_gets_feeds_without_one_and_a_clear_warning(tmp_path,
                                                                            pelican_logs):
    out = simple_build(tmp_path, {"articles/second.md": SITE["articles/second.md"]},
                       THEME_STATIC_PATHS=["static"])
    assert xml_root(out / "feeds/all.atom.xml").findtext("a:icon", namespaces=NS) is None
    warnings = [r.getMessage() for r in pelican_logs.records if r.getMessage().startswith("feeds:")]
    assert len(warnings) == 1, warnings
    assert "feed-icon.png" in warnings[0] and 'set FEEDS_ICON = ""' in warnings[0]


# -- settings ------------------------------------------------------------------------------

@pytest.mark.parametrize(("setting", "value", "says"), [
    ("FEEDS_TAG_ATOM", "feeds/tags.atom.xml", '"{slug}"'),
    ("FEEDS_ALL_RSS", "/feeds/all.rss.xml", 'without a leading "/"'),
    ("FEEDS_ALL_JSON", "feeds/all.atom.xml", "FEEDS_ALL_ATOM already writes this file"),
    ("FEED_MAX_ITEMS", 0, "at least 1"),
    ("FEEDS_DEV_SITEURL", "localhost:8000", "absolute http(s) address"),
])
def test_a_setting_that_cannot_work_stops_the_build_and_names_itself(tmp_path, setting, value,
                                                                     says):
    with pytest.raises(SettingsError) as error:
        simple_build(tmp_path, {"articles/second.md": SITE["articles/second.md"]},
                     **{setting: value})
    assert str(error.value).startswith(f"feeds: {setting} = {value!r} cannot work")
    assert says in str(error.value)


def test_feeds_switched_off_one_by_one_are_not_written(tmp_path):
    out = simple_build(tmp_path, {"articles/second.md": SITE["articles/second.md"]},
                       FEEDS_ALL_ATOM=None, FEEDS_ALL_RSS="", FEEDS_ALL_JSON=None,
                       FEEDS_TAG_ATOM=None, FEEDS_TAG_RSS=None, FEEDS_TAG_JSON=None,
                       FEED_MAX_ITEMS=None)
    written = {p.relative_to(out / "feeds").as_posix() for p in feed_files(out)}
    assert written == {"category/social.atom.xml", "category/social.rss.xml",
                       "category/social.json"}
    assert atom_ids(out / "feeds/category/social.atom.xml") == [url_of("second")]


# -- the real theme: autodiscovery and Subscribe ---------------------------------------------

THEMED_SITE = {
    "articles/second.md": SITE["articles/second.md"],
    "articles/third.md": SITE["articles/third.md"],
}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.alternates: list[dict[str, str]] = []
        self.anchors: list[dict[str, str]] = []
        self.subscribe = ""  # the href of the footer's Subscribe link
        self._in_link = ""

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "link" and attrs.get("rel") == "alternate":
            self.alternates.append(attrs)
        elif tag == "a" and attrs.get("type", "").startswith("application/"):
            self.anchors.append(attrs)
        elif tag == "a":
            self._in_link = attrs.get("href", "")

    def handle_data(self, data):
        if self._in_link and data.strip() == "Subscribe":
            self.subscribe = self._in_link

    def handle_endtag(self, tag):
        if tag == "a":
            self._in_link = ""


def page_links(out: Path, page: str) -> _Links:
    parser = _Links()
    parser.feed((out / page).read_text("utf-8"))
    return parser


def target(out: Path, page: str, href: str) -> Path:
    """The file a relative href on `page` points at."""
    return out / urlsplit(urljoin(f"{DEV}/{page}", href)).path.lstrip("/")


@pytest.fixture(scope="module")
def themed(tmp_path_factory) -> Path:
    """The real theme with every plugin pelicanconf lists."""
    root = tmp_path_factory.mktemp("themed")
    return run_pelican(site_settings(root, write_site(root, THEMED_SITE)))


@pytest.mark.parametrize(("page", "own"), [
    ("index.html", None), ("articles/second/index.html", None), ("archives/index.html", None),
    ("category/social/index.html", "category/social"), ("tag/video/index.html", "tag/video"),
])
def test_every_page_advertises_feeds_that_exist(themed, page, own):
    links = page_links(themed, page)
    site = [("application/atom+xml", "Signal & Reach (Atom)", "feeds/all.atom.xml"),
            ("application/rss+xml", "Signal & Reach (RSS)", "feeds/all.rss.xml"),
            ("application/feed+json", "Signal & Reach (JSON Feed)", "feeds/all.json")]
    found = [(a["type"], a["title"], target(themed, page, a["href"]).relative_to(themed).as_posix())
             for a in links.alternates]
    assert found[:3] == site
    expected_own = [] if own is None else [f"feeds/{own}.atom.xml", f"feeds/{own}.rss.xml",
                                           f"feeds/{own}.json"]
    assert [path for _, _, path in found[3:]] == expected_own
    assert all((themed / path).is_file() for _, _, path in found)
    # The visible Subscribe link opens the Subscribe page; the formats and, on a category's or
    # tag's page, its own feeds link the feeds themselves.
    assert target(themed, page, links.subscribe) == themed / "subscribe"
    assert (themed / "subscribe/index.html").is_file()
    feeds = [target(themed, page, a["href"]).relative_to(themed).as_posix()
             for a in links.anchors]
    assert feeds[:3] == [path for _, _, path in site]
    assert set(feeds[3:]) == set(expected_own)
    assert all((themed / path).is_file() for path in feeds)


def test_the_subscribe_page_gives_addresses_topics_and_dates_for_people(themed):
    page = etree.HTML((themed / "subscribe/index.html").read_text("utf-8"))
    assert page.findtext(".//h1") == "Subscribe"
    assert page.xpath("//textarea[@id='feed-address']/text()") == [f"{DEV}/feeds/all.atom.xml"]
    assert page.xpath("//label[@for='feed-address']/text()") == ["Feed address"]
    assert page.xpath("//ul[@class='feed-formats']//a/@href") == [f"{DEV}/feeds/all.rss.xml",
                                                                  f"{DEV}/feeds/all.json"]
    topics = page.xpath("//ul[@class='topic-feeds']/li")
    assert [li.findtext("a") for li in topics] == ["Social"]
    assert topics[0].xpath(".//a/@href")[1:] == [f"{DEV}/feeds/category/social.atom.xml",
                                                 f"{DEV}/feeds/category/social.rss.xml",
                                                 f"{DEV}/feeds/category/social.json"]
    latest = page.xpath("//ol[@class='subscribe-latest']/li")
    assert [(li.findtext("time"), li.findtext("a")) for li in latest] == [
        ("10 March 2024", "Third"), ("10 February 2024", "Second")]
    assert latest[0].xpath("time/@datetime") == ["2024-03-10T09:00:00+01:00"]


def test_cards_become_enclosures(themed):
    item = xml_root(themed / "feeds/all.rss.xml").find("channel/item")
    enclosure = item.find("enclosure").attrib
    card = themed / urlsplit(enclosure["url"]).path.lstrip("/")
    assert card.is_file() and enclosure["length"] == str(card.stat().st_size)
    assert enclosure["type"] == "image/png"


# -- what a person sees when they click a feed -----------------------------------------------

@pytest.fixture
def served(tmp_path) -> Iterator[tuple[str, Path]]:
    """A 127.0.0.1 static host for tmp_path/output, started before the build knows its port."""
    output = tmp_path / "output"
    output.mkdir()
    with serving(output) as base:
        yield base, output


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_the_subscribe_page_in_a_browser_shows_the_whole_address_and_copies_it(served, browser,
                                                                                width):
    base, output = served
    run_pelican(site_settings(output.parent, write_site(output.parent, THEMED_SITE),
                              FEEDS_DEV_SITEURL=base))
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{base}/subscribe/", wait_until="load")
    box = page.evaluate("""() => {
        const field = document.querySelector('#feed-address'), r = field.getBoundingClientRect();
        return {value: field.value, left: r.left, right: r.right,
                wide: document.documentElement.clientWidth,
                cut: field.scrollWidth > field.clientWidth
                     || field.scrollHeight > field.clientHeight + 1};
    }""")
    assert box["value"] == f"{base}/feeds/all.atom.xml"
    assert not box["cut"] and 0 <= box["left"] and box["right"] <= box["wide"], box
    page.get_by_role("button", name="Copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == f"{base}/feeds/all.atom.xml"
    assert page.get_by_role("status").inner_text() == f"Copied: {base}/feeds/all.atom.xml"
    assert all(url.startswith(base + "/") for url in requested), requested
    context.close()


def test_feeds_are_kept_in_the_build_cache_unless_it_is_off(tmp_path):
    """A second build copies every feed; the copies and a build without the cache are the same."""
    first = simple_build(tmp_path / "on", SITE)
    kept = list((tmp_path / "on" / "cache" / "feeds").glob("*/*"))
    assert len(kept) == len(list((first / "feeds").rglob("*.*")))
    again = simple_build(tmp_path / "on", SITE)
    off = simple_build(tmp_path / "off", SITE, BUILD_CACHE=False)
    assert not (tmp_path / "off" / "cache" / "feeds").exists()
    for feed in (first / "feeds").rglob("*.*"):
        name = feed.relative_to(first)
        assert (again / name).read_bytes() == feed.read_bytes() == (off / name).read_bytes()


def test_a_kept_feed_is_the_outputs_file_and_one_written_over_in_place_is_not_used(tmp_path):
    """A feed taken from the cache is a hard link to it, so a write into the output's file
    reaches the kept one: the next build sees it changed (same size, new time) and renders it."""
    first = simple_build(tmp_path / "on", SITE)
    feed = first / "feeds" / "all.atom.xml"
    kept = list((tmp_path / "on" / "cache" / "feeds").glob("*/*"))
    assert sum(path.samefile(feed) for path in kept) == 1
    original = feed.read_bytes()
    with feed.open("r+b") as file:  # as an editor or a plugin writing over the path would
        file.write(original[:5].upper())
    again = simple_build(tmp_path / "on", SITE)
    assert (again / "feeds" / "all.atom.xml").read_bytes() == original
    off = simple_build(tmp_path / "off", SITE, BUILD_CACHE=False)
    for name in feed_files(off):
        assert (again / name.relative_to(off)).read_bytes() == name.read_bytes()


def test_where_files_cannot_be_linked_kept_feeds_are_copied(tmp_path, monkeypatch):
    def refuse(source: object, target: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", refuse)
    first = simple_build(tmp_path / "on", SITE)
    original = {name: name.read_bytes() for name in feed_files(first)}
    kept = set((tmp_path / "on" / "cache" / "feeds").glob("*/*"))
    again = simple_build(tmp_path / "on", SITE)
    assert set((tmp_path / "on" / "cache" / "feeds").glob("*/*")) == kept  # none rendered
    assert len(kept) == len(original)
    for name, data in original.items():
        taken = again / name.relative_to(first)
        assert taken.read_bytes() == data
        assert not any(path.samefile(taken) for path in kept)
