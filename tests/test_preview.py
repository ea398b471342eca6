"""`invoke livereload`'s preview: every answer is what a full development build writes, after
every kind of edit; a broken file or template shows its error in the browser, which reloads by
itself once the file is fixed.

The preview runs in this process (build/preview/server.py's LivePreview, on a free port of
127.0.0.1, watching a small site in tmp_path). After each edit the test waits for the preview's
update, runs a full development build of the same files (build_site) and fetches every file it
wrote from the preview: HTML answers must equal the file once the reload hook is removed
(pages.without_reload_hook, the one difference), every other file must be equal as it is.
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pelican.plugins import signals
from rich.console import Console

from self_promoting_blog.build.preview import server
from self_promoting_blog.build.preview.pages import without_reload_hook
from self_promoting_blog.build.preview.server import LivePreview
from self_promoting_blog.build.preview.site import PreviewSite
from self_promoting_blog.content import stamps
from tests.support.site import PYTHON, ROOT, write_site

CATEGORIES = ["Strategy", "Email", "Video"]
TAGS = ["reach", "metrics", "planning", "writing", "audience"]
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>\n'


def _article(n: int) -> str:
    tags = ", ".join(TAGS[(n + k) % len(TAGS)] for k in range(2))
    slug = "" if n == 3 else f"Slug: post-{n:02d}\n"  # post 3 takes its address from its title
    return (f"Title: Post number {n}\nDate: 2024-0{1 + n % 9}-{10 + n:02d} 09:00\n"
            f"Category: {CATEGORIES[n % 3]}\nTags: {tags}\n{slug}Summary: Summary of post {n}.\n\n"
            f"Paragraph one of post {n}, linking [the first post]({{filename}}/articles/p00.md)."
            f"\n\n## A section\n\nMore text for post {n}.\n")


SITE = {f"articles/p{n:02d}.md": _article(n) for n in range(14)}
# A summary linking to post 3, whose address changes with its title: read once, resolved anew.
SITE["articles/p01.md"] = SITE["articles/p01.md"].replace(
    "Summary of post 1.", "Summary of post 1, after [post 3]({filename}/articles/p03.md).")
# A file outside STATIC_PATHS is copied because a text links to it ({static}).
SITE["articles/p02.md"] = SITE["articles/p02.md"].replace(
    "More text for post 2.", "More text for post 2, with [a guide]({static}/downloads/guide.txt).")
SITE["downloads/guide.txt"] = "A guide.\n"
SITE["pages/about.md"] = "Title: About\nSlug: about\n\nAbout this blog.\n"
SITE["images/dot.svg"] = SVG


def _settings(tmp_path: Path, output: str, cache: str = "cache") -> dict[str, object]:
    return {"PATH": str(tmp_path / "content"), "OUTPUT_PATH": str(tmp_path / output),
            "CACHE_PATH": str(tmp_path / cache), "THEME": str(ROOT / "theme"),
            "PLUGIN_PATHS": [str(ROOT / "plugins")]}


@pytest.fixture
def preview(tmp_path: Path, monkeypatch) -> Iterator[LivePreview]:
    # The tests finish each update themselves: what a page is before and after must not differ.
    monkeypatch.setattr(server, "FINISH_AFTER", 600)
    monkeypatch.setattr(stamps, "SETTLED_NS", -10**18)  # keep files written a moment ago
    write_site(tmp_path, SITE)
    site = PreviewSite(ROOT / "pelicanconf.py", _settings(tmp_path, "unused"))
    live = LivePreview(site, "127.0.0.1", 0, Console(file=open(os.devnull, "w")))
    live.start()
    try:
        yield live
    finally:
        live.stop()


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _edit(preview: LivePreview, change: Callable[[], None]) -> None:
    """Make a change and wait until the preview has updated for it."""
    seen = preview.site.version
    change()
    assert preview.site.wait_for_change(seen, 20), "the preview did not update after the edit"


def _full_build(tmp_path: Path, n: int, cache: str = "cache") -> dict[str, bytes]:
    """A full development build into full-<n>/, in its own process: builds in this one would
    share the plugins' state with the preview's update running beside them."""
    output = tmp_path / f"full-{n}"
    script = ("import json, sys; from self_promoting_blog.build.build import build_site; "
              "r = build_site(sys.argv[1], production=False, overrides=json.loads(sys.argv[2])); "
              "sys.exit(0 if r.replaced else r.errors)")
    subprocess.run([PYTHON, "-c", script, str(ROOT / "pelicanconf.py"),
                    json.dumps(_settings(tmp_path, output.name, cache))], check=True,
                   timeout=300)
    return {path.relative_to(output).as_posix(): path.read_bytes()
            for path in output.rglob("*") if path.is_file()}


def _address(path: str) -> str:
    return "/" + path.removesuffix("index.html")


def _assert_same_as_full_build(preview: LivePreview, built: dict[str, bytes], gone: set[str],
                               edit: str) -> None:
    # First the pages an update records alone when asked (the page open in the browser), then,
    # once every page is recorded and the files written after them are there, all the others.
    writer = preview.site.state.writer
    assert writer is not None and not writer.completed
    alone = [path for path in built if path in writer.first_pages]
    assert {path.split("/")[0] for path in alone} >= {"articles", "tag", "category", "about"}
    for path in alone:
        _assert_same_file(preview, path, built[path], edit)
    assert not writer.completed, f"after {edit}: every page was recorded to answer one"
    preview.site.finish()  # the files written after the pages, not waiting for the timer
    assert writer.completed
    for path, expected in built.items():
        _assert_same_file(preview, path, expected, edit)
    missing = built["404.html"]
    for path in (gone - built.keys()) | {"no/such/page/"}:
        status, body = _get(preview.url.rstrip("/") + _address(path))
        assert status == 404, f"after {edit}: {path} is gone from the build but answered {status}"
        assert without_reload_hook(body.decode()).encode() == missing, path


def _assert_same_file(preview: LivePreview, path: str, expected: bytes, edit: str) -> None:
    status, body = _get(preview.url.rstrip("/") + _address(path))
    assert status == 200, f"after {edit}: {path} answered {status}"
    if path.endswith(".html"):
        text = body.decode()
        assert text.count("/__preview__/reload.js") == 1, f"after {edit}: {path} hook"
        assert re.search(r'reload\.js\?v=\d+"></script></body>', text), path
        body = without_reload_hook(text).encode()
    if path == "sitemap.xml":  # listing pages are dated with the time of the build
        body, expected = _undated(body), _undated(expected)
    assert body == expected, f"after {edit}: {path} differs from the full build"


def _undated(sitemap: bytes) -> bytes:
    """The sitemap without the dates that are the time of the build (listing pages and pages
    without a date): the preview's are the time of its last update, so today's."""
    today = time.strftime("%Y-%m-%dT").encode()
    assert re.search(rb"<lastmod>" + today, sitemap)
    return re.sub(rb"<lastmod>" + today + rb"[^<]*</lastmod>", b"<lastmod>today</lastmod>",
                  sitemap)


def _rewrite(path: Path, old: str, new: str) -> Callable[[], None]:
    def change() -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, (old, path)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def test_every_file_equals_the_full_build_after_each_kind_of_edit(preview, tmp_path):
    articles = tmp_path / "content" / "articles"
    p03, p05 = articles / "p03.md", articles / "p05.md"
    edits: list[tuple[str, Callable[[], None]]] = [
        ("the text", _rewrite(p05, "More text for post 5.", "Rewritten text, now longer.")),
        ("the title (and so the address)", _rewrite(p03, "Post number 3", "A new headline")),
        ("the title, same address (its card)", _rewrite(p05, "Post number 5", "Post five")),
        ("the date, into the future", _rewrite(p05, "Date: 2024-06-15", "Date: 2099-07-15")),
        ("the tags", _rewrite(p05, "Tags: reach, metrics", "Tags: brand new tag")),
        ("the category", _rewrite(p05, "Category: Video", "Category: Email")),
        ("the status: draft", _rewrite(p05, "Summary:", "Status: draft\nSummary:")),
        ("the status: hidden", _rewrite(p05, "Status: draft", "Status: hidden")),
        ("the status: published", _rewrite(p05, "Status: hidden", "Status: published")),
        ("a new article", lambda: (articles / "p99.md").write_text(
            _article(9).replace("post-09", "brand-new").replace("number 9", "number 99"),
            encoding="utf-8")),
        ("a deleted article", lambda: (articles / "p07.md").unlink()),
    ]
    seen = _full_build(tmp_path, 0)
    _assert_same_as_full_build(preview, seen, set(), "the first update")
    for n, (edit, change) in enumerate(edits, 1):
        _edit(preview, change)
        built = _full_build(tmp_path, n)
        _assert_same_as_full_build(preview, built, set(seen), f"an edit of {edit}")
        seen |= built
    kinds = {"articles/post-05/", "category/email/", "tag/brand-new-tag/", "author/",
             "archives/", "about/", "page/2/", "feeds/", "cards/post-05.png", "sitemap.xml",
             "images/dot.svg", "theme/", "drafts/", "subscribe/", "downloads/guide.txt"}
    covered = {kind for kind in kinds if any(kind in path for path in seen)}
    assert covered == kinds, f"page types missing from the comparison: {kinds - covered}"


def test_a_cold_card_cache_is_drawn_in_the_preview_process_with_the_same_cards_and_feeds(
        tmp_path, monkeypatch):
    """A worker process drawing every card beside the first update was a third of the
    preview's memory: the preview draws them itself once the page is served, and its cards
    and feeds (which give each card's size) are those of a full build with its own cold cache."""
    monkeypatch.setattr(stamps, "SETTLED_NS", -10**18)
    write_site(tmp_path, SITE)
    started: list[list[str]] = []
    popen = subprocess.Popen

    def recording_popen(args, *rest, **options):
        started.append(list(args))
        return popen(args, *rest, **options)

    monkeypatch.setattr(subprocess, "Popen", recording_popen)
    site = PreviewSite(ROOT / "pelicanconf.py", _settings(tmp_path, "unused"))
    site.update()
    assert site.answer("/articles/post-05/").status == 200
    assert site.finish() == ()
    assert not [args for args in started if "self_promoting_blog.cards.worker" in args]
    monkeypatch.setattr(subprocess, "Popen", popen)
    built = _full_build(tmp_path, 0, cache="full-cache")
    cards = [path for path in built if path.startswith("cards/")]
    assert len(cards) == 16  # 14 articles, the about page and the site's card
    for path in cards + [path for path in built if path.startswith("feeds/")]:
        answer = site.answer("/" + path)
        assert (answer.status, answer.body) == (200, built[path]), path


def test_only_changed_files_are_read_again_and_nothing_outside_is_served(tmp_path, monkeypatch):
    monkeypatch.setattr(stamps, "SETTLED_NS", -10**18)  # trust files written a moment ago
    write_site(tmp_path, SITE)
    site = PreviewSite(ROOT / "pelicanconf.py", _settings(tmp_path, "unused"))
    first = site.update()
    site.finish()
    assert len(first.read) == 15  # 14 articles and a page
    p05 = tmp_path / "content" / "articles" / "p05.md"
    _rewrite(p05, "More text", "Other text")()
    second = site.update()
    site.finish()
    assert second.read == (str(p05),)
    assert b"Other text for post 5." in site.answer("/articles/post-05/").body
    assert site.answer("/articles/post-05").location == "/articles/post-05/"
    (tmp_path / "secret.txt").write_text("not part of the site")
    # the update's folder is tmp_path/cache/preview/<n>/: three levels below secret.txt
    for outside in ("../../../secret.txt", "/../../../secret.txt",
                    "/%2e%2e/%2e%2e/%2e%2e/secret.txt"):
        assert site.answer(outside).status == 404, outside


def _wait_for_text(page, text: str, timeout: float = 20) -> None:
    page.wait_for_function("t => document.body && document.body.innerText.includes(t)", arg=text,
                           timeout=timeout * 1000)


def test_a_broken_file_shows_its_error_and_the_page_reloads_once_fixed(preview, browser,
                                                                      tmp_path):
    page = browser.new_page()
    page.goto(preview.url + "articles/post-05/")
    assert "Post number 5" in page.title()
    p05 = tmp_path / "content" / "articles" / "p05.md"
    _edit(preview, _rewrite(p05, "Date: 2024-06-15 09:00", "Date: the fifteenth of July"))
    _wait_for_text(page, "This page cannot be shown")
    text = page.inner_text("body")
    assert "content/articles/p05.md:2" in text  # file:line, from content_check's problem
    assert "Date" in text and "Fix:" in text
    status, _ = _get(preview.url + "articles/post-05/")
    assert status == 500
    _edit(preview, _rewrite(p05, "Date: the fifteenth of July", "Date: 2024-06-15 09:00"))
    _wait_for_text(page, "Paragraph one of post 5")
    assert "Post number 5" in page.title()
    page.close()


@pytest.mark.parametrize("broken, kind", [
    ("{{ article.title | no_such_filter }}", "TemplateAssertionError"),  # found when compiled
    ("{{ article.no_such_field.title() }}", "UndefinedError"),  # found when the page is drawn
])
def test_a_template_error_shows_the_template_and_line(tmp_path, broken, kind):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    write_site(tmp_path, SITE)
    site = PreviewSite(ROOT / "pelicanconf.py", _settings(tmp_path, "unused") | {
        "THEME": str(theme)})
    site.update()
    article = theme / "templates" / "article.html"
    lines = article.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[5].startswith("{% block content %}")
    article.write_text("".join(lines[:6] + [broken + "\n"] + lines[6:]), encoding="utf-8")
    site.update()
    answer = site.answer("/articles/post-05/")
    assert answer.status == 500
    text = answer.body.decode()
    assert f"templates/article.html:7</code><p>{kind}" in text, text
    assert "reload.js" in text
    article.write_text("".join(lines), encoding="utf-8")
    site.update()
    assert site.answer("/articles/post-05/").status == 200
    # and nothing the crashed update left behind spoils the files written after the pages
    sitemap = site.answer("/sitemap.xml")
    assert sitemap.status == 200 and sitemap.body.count(b"<loc>/articles/post-05/</loc>") == 1


def test_garbage_collection_is_off_only_between_an_update_and_its_finish(tmp_path, monkeypatch):
    """An update runs without the collector (a collection costs up to a second at 5,000
    articles); it is back on once the deferred work is done, and right away after a crashed
    update, so the preview never keeps its garbage for good. The first update, which reads
    every file, runs with it (the garbage of thousands of reads would stay in memory)."""
    monkeypatch.setattr(stamps, "SETTLED_NS", -10**18)
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    write_site(tmp_path, SITE)
    site = PreviewSite(ROOT / "pelicanconf.py", _settings(tmp_path, "unused") | {
        "THEME": str(theme)})
    try:
        site.update()
        assert gc.isenabled()
        site.finish()
        site.update()
        assert not gc.isenabled()
        assert site.answer("/articles/post-05/").status == 200
        site.finish()
        assert gc.isenabled()
        article = theme / "templates" / "article.html"
        article.write_text(article.read_text(encoding="utf-8").replace(
            "{% block content %}", "{% block content %}{{ 1 | no_such_filter }}", 1),
            encoding="utf-8")
        assert site.update().crashed
        assert gc.isenabled()

        def broken(state):
            raise RuntimeError("a failure past Pelican's run")

        site._replace = broken
        with pytest.raises(RuntimeError):
            site.update()
        assert gc.isenabled()
    finally:
        gc.enable()


def test_an_address_changed_after_every_file_is_read_is_reported_and_not_kept_again(
        tmp_path, monkeypatch):
    """Addresses are worked out once per file read (build/preview/addresses.py), once every
    file is read: a plugin changing one later is named, and they are no longer kept."""
    monkeypatch.setattr(stamps, "SETTLED_NS", -10**18)
    write_site(tmp_path, SITE)
    site = PreviewSite(ROOT / "pelicanconf.py", _settings(tmp_path, "unused"))

    def rename(generators: list[object]) -> None:
        for article in getattr(generators[0], "articles", []):
            if article.slug == "post-05":
                article.slug = "renamed"

    with signals.all_generators_finalized.connected_to(rename):
        site.update()
        errors = site.finish()
    assert len(errors) == 1 and "articles/p05.md: url" in errors[0], errors
    assert not site.addresses.enabled
    site.update()
    assert site.finish() == ()
    assert site.answer("/articles/post-05/").status == 200
