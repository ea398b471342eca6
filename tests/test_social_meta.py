"""Head metadata from real builds: canonical, Open Graph, X card, JSON-LD, robots.txt, sitemap."""

from __future__ import annotations

import json
import logging
import os
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image

from social_meta.jsonld import script_json
from social_meta.settings import SettingsError, load_settings
from tests.support.site import PYTHON, ROOT, run_pelican, site_settings, write_site

SITE = "https://blog.example.org"
HOSTILE = '</script><script>alert(1)</script> "quotes" & <b>tags</b>'
HOSTILE_TAG = '"><svg onload=alert(1)>'


def article(title: str, slug: str, extra: str = "", summary: str = "A short summary.",
            body: str = "Body text.", tags: str = "reach, share buttons") -> str:
    summary_line = f"Summary: {summary}\n" if summary else ""
    return (f"Title: {title}\nDate: 2024-03-05 10:00\nModified: 2024-04-01 08:30\n"
            f"Category: Field Notes\nTags: {tags}\nSlug: {slug}\n"
            f"{summary_line}{extra}\n{body}\n")


def head(path: Path) -> dict[str, list[str]]:
    """Every <meta property|name> value and <link rel> href in the page's head."""
    page = lxml_html.fromstring(path.read_bytes())
    found: dict[str, list[str]] = defaultdict(list)
    for meta in page.xpath("//head/meta[@property or @name]"):
        found[meta.get("property") or meta.get("name")].append(meta.get("content"))
    for link in page.xpath("//head/link[@rel='canonical' or @rel='me']"):
        found[link.get("rel")].append(link.get("href"))
    return found


def graph(path: Path) -> dict[str, dict]:
    """The JSON-LD nodes of a page, by @type."""
    page = lxml_html.fromstring(path.read_bytes())
    scripts = page.xpath("//script[@type='application/ld+json']/text()")
    assert len(scripts) == 1
    data = json.loads(scripts[0])
    assert data["@context"] == "https://schema.org"
    return {node["@type"]: node for node in data["@graph"]}


def write_png(path: Path, size: tuple[int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, "#336699").save(path)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("meta")
    content = write_site(root, {
        "articles/plain.md": article("Plain & simple", "plain"),
        "articles/hostile.md": article(HOSTILE, "hostile", tags=HOSTILE_TAG),
        "articles/photo.md": article("With a photo", "photo",
                                     "Image: {static}/images/photo.png\n"
                                     "Image_Alt: A blue square\n"),
        "articles/vector.md": article("With a diagram", "vector",
                                      "Image: {static}/images/diagram.svg\nImage_Alt: A diagram\n"),
        "articles/long.md": article("Long", "long", summary="",
                                    body="Word " * 120 + "\n\nSecond paragraph."),
        "articles/remote.md": article("Remote picture", "remote",
                                      "Image: https://cdn.example.org/pic.jpg?v=2\n"
                                      "Image_Width: 1600\nImage_Height: 900\n"
                                      "Image_Alt: A remote picture\n"),
        "articles/described.md": article("Described", "described",
                                         "Description: What <meta> previews should say.\n"),
        "pages/about.md": "Title: About us\nSlug: about\nSummary: Who writes here.\n\nWe write.\n",
        "images/diagram.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
    })
    write_png(content / "images/photo.png", (800, 420))
    conf = site_settings(root, content, production=True, SITEURL=SITE,
                         SOCIAL_META_FEDIVERSE_CREATOR="@maya@mastodon.example",
                         SOCIAL_META_REL_ME=["https://mastodon.example/@maya"],
                         SOCIAL_META_X_SITE="@signalreach")
    return run_pelican(conf)


def test_article_head_has_every_preview_tag(site):
    tags = head(site / "articles/plain/index.html")
    url = f"{SITE}/articles/plain/"
    assert tags["canonical"] == [url] and tags["og:url"] == [url]
    assert tags["description"] == tags["og:description"] == ["A short summary."]
    assert tags["og:type"] == ["article"] and tags["og:title"] == ["Plain & simple"]
    assert tags["og:site_name"] == ["Signal & Reach"] and tags["og:locale"] == ["en_US"]
    assert tags["og:image"] == [f"{SITE}/cards/plain.png"]
    assert (tags["og:image:width"], tags["og:image:height"]) == (["1200"], ["630"])
    assert tags["og:image:alt"] == ["Plain & simple · Field Notes · 5 March 2024 · Signal & Reach"]
    assert tags["article:published_time"] == ["2024-03-05T10:00:00+01:00"]
    assert tags["article:modified_time"] == ["2024-04-01T08:30:00+02:00"]
    assert tags["article:section"] == ["Field Notes"]
    assert tags["article:tag"] == ["reach", "share buttons"]
    assert tags["twitter:card"] == ["summary_large_image"]
    assert tags["twitter:site"] == ["@signalreach"]
    assert tags["fediverse:creator"] == ["@maya@mastodon.example"]
    assert tags["me"] == ["https://mastodon.example/@maya"]


def test_article_json_ld_is_a_blog_posting_with_breadcrumbs(site):
    nodes = graph(site / "articles/plain/index.html")
    post, crumbs = nodes["BlogPosting"], nodes["BreadcrumbList"]
    url = f"{SITE}/articles/plain/"
    assert post["headline"] == "Plain & simple" and post["description"] == "A short summary."
    assert (post["datePublished"], post["dateModified"]) == (
        "2024-03-05T10:00:00+01:00", "2024-04-01T08:30:00+02:00")
    assert post["author"] == [{"@type": "Person", "name": "Maya Lindqvist",
                               "url": f"{SITE}/author/maya-lindqvist/"}]
    assert post["image"] == {"@type": "ImageObject", "url": f"{SITE}/cards/plain.png",
                             "width": 1200, "height": 630}
    assert post["publisher"]["name"] == "Signal & Reach"
    assert post["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert [(i["name"], i["item"]) for i in crumbs["itemListElement"]] == [
        ("Signal & Reach", f"{SITE}/"), ("Field Notes", f"{SITE}/category/field-notes/"),
        ("Plain & simple", url)]


def test_hostile_title_reads_back_unchanged_and_cannot_break_out(site):
    raw = (site / "articles/hostile/index.html").read_text(encoding="utf-8")
    ld = raw.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in ld and ">" not in ld and "&" not in ld
    assert graph(site / "articles/hostile/index.html")["BlogPosting"]["headline"] == HOSTILE
    tags = head(site / "articles/hostile/index.html")
    assert tags["og:title"] == [HOSTILE]
    assert tags["article:tag"] == [HOSTILE_TAG]
    assert graph(site / "articles/hostile/index.html")["BlogPosting"]["keywords"] == [HOSTILE_TAG]
    assert "<svg onload" not in raw
    assert script_json({"t": "</script><!--"}) == '{"t":"\\u003c/script\\u003e\\u003c!--"}'


def test_own_raster_image_replaces_the_card_and_svg_does_not(site):
    photo = head(site / "articles/photo/index.html")
    assert photo["og:image"] == [f"{SITE}/images/photo.png"]
    assert (photo["og:image:width"], photo["og:image:height"]) == (["800"], ["420"])
    assert photo["og:image:alt"] == photo["twitter:image:alt"] == ["A blue square"]
    assert graph(site / "articles/photo/index.html")["BlogPosting"]["image"]["url"] == (
        f"{SITE}/images/photo.png")
    remote = head(site / "articles/remote/index.html")
    assert remote["og:image"] == ["https://cdn.example.org/pic.jpg?v=2"]
    assert (remote["og:image:width"], remote["og:image:height"]) == (["1600"], ["900"])
    assert remote["og:image:type"] == ["image/jpeg"]
    assert not (site / "cards/photo.png").exists() and not (site / "cards/remote.png").exists()
    # Networks cannot show SVG previews: the generated card stands in.
    assert head(site / "articles/vector/index.html")["og:image"] == [f"{SITE}/cards/vector.png"]


def test_descriptions_prefer_description_then_summary_then_body(site):
    long = head(site / "articles/long/index.html")["description"][0]
    assert len(long) <= 200 and long.endswith("…") and long.startswith("Word Word")
    assert head(site / "articles/described/index.html")["description"] == [
        "What <meta> previews should say."]


def test_pages_and_listings_have_their_own_values(site):
    about = head(site / "about/index.html")
    assert about["og:type"] == ["website"] and about["canonical"] == [f"{SITE}/about/"]
    assert about["og:image"] == [f"{SITE}/cards/pages/about.png"]
    assert "article:published_time" not in about
    assert set(graph(site / "about/index.html")) == {"WebPage", "BreadcrumbList"}
    home = head(site / "index.html")
    assert home["canonical"] == [f"{SITE}/"] and home["og:title"] == ["Signal & Reach"]
    assert home["og:image"] == [f"{SITE}/cards/site/home.png"]
    assert home["me"] == ["https://mastodon.example/@maya"]
    assert graph(site / "index.html")["WebSite"]["url"] == f"{SITE}/"
    category = head(site / "category/field-notes/index.html")
    assert category["og:title"] == ["Field Notes · Signal & Reach"]
    assert category["canonical"] == [f"{SITE}/category/field-notes/"]
    missing = head(site / "404.html")
    assert missing["robots"] == ["noindex"] and "canonical" not in missing


def test_robots_txt_names_the_absolute_sitemap(site):
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {SITE}/sitemap.xml" in robots.splitlines()
    assert "User-agent: *" in robots
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{SITE}/articles/plain/</loc>" in sitemap
    assert "404.html" not in sitemap


def test_a_writers_own_robots_txt_is_kept_with_a_warning(tmp_path, pelican_logs):
    content = write_site(tmp_path, {"articles/a.md": article("A", "a"),
                                    "extra/robots.txt": "User-agent: *\nDisallow: /private/\n"})
    output = run_pelican(site_settings(
        tmp_path, content, production=True, SITEURL=SITE,
        STATIC_PATHS=["extra/robots.txt"],
        EXTRA_PATH_METADATA={"extra/robots.txt": {"path": "robots.txt"}}))
    assert (output / "robots.txt").read_text(encoding="utf-8") == (
        "User-agent: *\nDisallow: /private/\n")
    warnings = [r.getMessage() for r in pelican_logs.records
                if r.getMessage().startswith("social_meta:")]
    assert len(warnings) == 1 and "does not name the sitemap" in warnings[0]


def test_dev_build_is_relative_and_only_warns(tmp_path, pelican_logs):
    content = write_site(tmp_path, {
        "articles/a.md": article("No summary", "a", summary="", body=""),
    })
    output = run_pelican(site_settings(tmp_path, content))
    assert head(output / "articles/a/index.html")["canonical"] == ["/articles/a/"]
    messages = [(r.levelname, r.getMessage()) for r in pelican_logs.records
                if r.getMessage().startswith("social_meta:")]
    assert messages == [("WARNING", "social_meta: content/articles/a.md: no description for link "
                         "previews; add a 'Summary:' line (one or two sentences, under 200 "
                         "characters) to the file's header")]
    robots = (output / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap:" not in robots.replace("# No Sitemap line", "")


def test_production_problems_are_errors_naming_file_and_fix(tmp_path, pelican_logs):
    content = write_site(tmp_path, {
        "articles/typo.md": article("Typo", "typo", "Image: {static}/images/nope.png\n"),
        "articles/bare.md": article("Bare", "bare", summary="", body=""),
    })
    output = run_pelican(site_settings(tmp_path, content, production=True, SITEURL=SITE,
                                       SOCIAL_CARDS_ENABLED=False))
    errors = sorted(r.getMessage() for r in pelican_logs.records
                    if r.levelno == logging.ERROR and r.getMessage().startswith("social_meta:"))
    assert errors == [
        "social_meta: content/articles/bare.md: no description for link previews; add a "
        "'Summary:' line (one or two sentences, under 200 characters) to the file's header",
        "social_meta: content/articles/bare.md: no preview image; add 'Image: "
        "{static}/images/<file>.png' (1200×630 suits every network) or leave "
        "SOCIAL_CARDS_ENABLED on so a card is drawn",
        "social_meta: content/articles/typo.md: Image '{static}/images/nope.png' is not a file "
        "Pelican copies (STATIC_PATHS); put it in content/images/ and write 'Image: "
        "{static}/images/<file>', or remove the line to use the generated social card",
    ]
    assert "og:image" not in head(output / "articles/typo/index.html")


def test_production_build_with_fatal_errors_fails(tmp_path):
    """The command CI and the staged publish run: pelican --fatal errors with publishconf."""
    content = write_site(tmp_path, {"articles/typo.md": article(
        "Typo", "typo", "Image: images/missing.jpg\n")})
    env = {**os.environ, "SITEURL": SITE, "COLUMNS": "400"}  # rich wraps log lines at COLUMNS
    result = subprocess.run(
        [PYTHON, "-m", "pelican", str(content), "-s", str(ROOT / "publishconf.py"),
         "-o", str(tmp_path / "out"), "--cache-path", str(tmp_path / "cache"),
         "-t", str(ROOT / "theme"), "--fatal", "errors"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0
    assert ("social_meta: content/articles/typo.md: Image 'images/missing.jpg' is not a file "
            "Pelican copies") in result.stdout + result.stderr


def test_settings_are_validated():
    with pytest.raises(SettingsError, match=r"write it as '@name@instance\.social'"):
        load_settings({"SOCIAL_META_FEDIVERSE_CREATOR": "maya@mastodon.example"})
    with pytest.raises(SettingsError, match="SOCIAL_META_REL_ME entry 'javascript:alert"):
        load_settings({"SOCIAL_META_REL_ME": ["javascript:alert(1)"]})
    per_author = load_settings({"SOCIAL_META_FEDIVERSE_CREATOR": {"Ann": "@ann@social.example"}})
    assert per_author.fediverse_creators == {"Ann": "@ann@social.example"}
    assert load_settings({"RELATIVE_URLS": True}).strict is False
    assert load_settings({"RELATIVE_URLS": False}).strict is True


def test_values_are_reused_only_for_the_same_inputs_and_settings():
    """A livereload update hands the unchanged pages' same inputs again: their values are
    reused; a changed input or setting gives new ones."""
    from dataclasses import replace

    from social_meta.meta import MetaInputs, MetaValues

    values = MetaValues()
    settings = load_settings({"SITEURL": SITE, "SITENAME": "Signal"})
    inputs = MetaInputs(is_article=False, title="About", description="Who writes here.",
                        canonical=f"{SITE}/about/", lang=None, draft=False, image=None,
                        authors=())
    first = values(settings, inputs)
    values.next_build()
    assert values(settings, inputs) is first
    assert values(settings, replace(inputs, title="Us")).title == "Us"
    renamed = values(load_settings({"SITEURL": SITE, "SITENAME": "Reach"}), inputs)
    assert renamed.site_name == "Reach" and "Reach" in str(renamed.jsonld)
    # JSON-LD is serialised when its page prints it, not kept as text for every page.
    assert not isinstance(first.jsonld, str)
    assert json.loads(first.jsonld.__html__())["@graph"][0]["url"] == f"{SITE}/about/"
