"""A cached, parallel build writes the same bytes as a cold build in one process.

The reference is `build_site` with BUILD_CACHE and BUILD_PARALLEL off (it neither reads nor
writes the reader cache); the fast build keeps its cache between builds and forks its helpers.
Each build runs in a fresh process (tests/support/build_run.py), under a frozen clock as in the
production digest (pelican-sitemap stamps undated pages with the time). The site is the bench's
synthetic one, small, with a copy of the theme and of the plugins to edit, and one extra plugin
whose reader changes what Markdown parses to (so a cache blind to plugin code would serve stale
pages). Both builds share the social-card cache, filled by a first build with the real clock:
card workers cannot wait for each other under a frozen one, and cards are not what is tested.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pelican.settings import DEFAULT_CONFIG, read_settings

from bench.sites import write_site
from self_promoting_blog.build.blob_file import BlobWriter
from self_promoting_blog.build.fingerprint import reading_fingerprint
from self_promoting_blog.build.reader_cache import ReaderCache
from self_promoting_blog.build.settings import load_settings
from self_promoting_blog.errors import SettingsError
from tests.fakes.s3 import shifted_clock_env
from tests.production_digest import FROZEN_AT

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "tests" / "support" / "build_run.py"
ARTICLES = 24

SHOUT_READER = '''"""Test plugin: its reader upper-cases one word in every parsed article."""
import logging

from pelican import signals
from pelican.readers import MarkdownReader

WORD = "share"


class ShoutReader(MarkdownReader):
    def read(self, source_path):
        content, metadata = super().read(source_path)
        return content.replace(WORD, WORD.upper()), metadata


def add_reader(readers):
    readers.reader_classes["md"] = ShoutReader


def complain(text):
    """A template global for the test that edits a template to log an error while rendering."""
    logging.getLogger(__name__).error("complaint from the template: %s", text)
    return ""


def repeat():
    """The same warning from every page that calls it: Pelican shows it once."""
    logging.getLogger(__name__).warning("the same warning on every page")
    return ""


def shout(text):
    """A filter: Jinja calls it while compiling a template that applies it to a constant."""
    return text.replace(WORD, WORD.upper())


def add_global(generator):
    generator.env.globals.update(complain=complain, repeat=repeat)
    generator.env.filters["shout"] = shout


def register():
    signals.readers_init.connect(add_reader)
    signals.generator_init.connect(add_global)
'''


EXTRA_PAGE = '''"""Test plugin: writes one more page once the articles are written."""
from pelican import signals


def write_extra(generator, writer):
    template = generator.env.from_string("<p>extra page of {{ SITENAME }}</p>")
    writer.write_file("extra/index.html", template, generator.context)


def register():
    signals.article_writer_finalized.connect(write_extra)
'''


class Project:
    """The synthetic site, its editable theme and plugins, and the builds made of it."""

    def __init__(self, root: Path, demo: bool = False) -> None:
        """The synthetic site, or with `demo` the project's own content, theme and plugins."""
        self.root = root
        self.cache = root / "cache"
        self.settings: dict[str, Any] = {}
        self.builds = 0
        if demo:
            self.content = ROOT / "content"
            return
        self.content = write_site(root, ARTICLES)
        shutil.copytree(ROOT / "theme", root / "theme")
        shutil.copytree(ROOT / "plugins", root / "plugins",
                        ignore=shutil.ignore_patterns("__pycache__"))
        (root / "plugins" / "shout_reader").mkdir()
        (root / "plugins" / "shout_reader" / "__init__.py").write_text(SHOUT_READER)
        plugins = read_settings(str(ROOT / "pelicanconf.py"))["PLUGINS"]
        self.settings = {"THEME": str(root / "theme"), "PLUGIN_PATHS": [str(root / "plugins")],
                         "PLUGINS": [*plugins, "shout_reader"]}
        self.build(fast=False, frozen_clock=False)  # draws the cards

    def article(self, n: int) -> Path:
        return self.content / "articles" / f"post-{n:05d}.md"

    def newest_article(self) -> Path:
        """The article dated last: in every feed it belongs to."""
        return max(self.content.glob("articles/*.md"), key=lambda p: re.findall(
            r"^Date: (.*)$", p.read_text(encoding="utf-8"), flags=re.M)[0])

    def unlinked_article(self) -> Path:
        """An article no other one links to (a draft that is linked fails a production build)."""
        texts = "".join(p.read_text(encoding="utf-8") for p in self.content.rglob("*.md"))
        return next(self.article(n) for n in range(ARTICLES)
                    if f"post-{n:05d}.md)" not in texts)

    def edit(self, path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert re.search(old, text, flags=re.M), f"{old!r} not in {path}"
        path.write_text(re.sub(old, new, text, count=1, flags=re.M), encoding="utf-8")

    def build(self, *, fast: bool, production: bool = True, fault: str | None = None,
              frozen_clock: bool = True, ok: bool = True) -> tuple[Path, dict[str, Any]]:
        """Build into a new folder; return it and the build's report."""
        self.builds += 1
        output = self.root / f"output-{self.builds}"
        overrides = {
            "PATH": str(self.content), "OUTPUT_PATH": str(output), "CACHE_PATH": str(self.cache),
            "BUILD_CACHE": fast, "BUILD_PARALLEL": fast,
        } | self.settings
        spec = {"settings_file": str(ROOT / ("publishconf.py" if production
                                             else "pelicanconf.py")),
                "production": production, "overrides": overrides, "fault": fault}
        env = dict(os.environ)
        if frozen_clock:
            env |= shifted_clock_env(FROZEN_AT) | {"FAKETIME_DONT_FAKE_MONOTONIC": "1",
                                                   "TZ": "UTC"}
        done = subprocess.run([sys.executable, str(RUN), json.dumps(spec)], cwd=self.root,
                              env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        report = json.loads(done.stdout.strip().splitlines()[-1])
        assert report["ok"] == ok, report["errors"]
        return output, report


def files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_site(reference: Path, fast: Path, what: str) -> None:
    expected, found = files(reference), files(fast)
    differ = sorted(name for name in expected.keys() | found.keys()
                    if expected.get(name) != found.get(name))
    assert len(expected) > ARTICLES
    assert not differ, f"after {what}, {len(differ)} files differ: {differ[:10]}"


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)


def test_after_every_kind_of_edit_a_warm_parallel_build_equals_a_cold_one(project):
    first, report = project.build(fast=True)
    assert report["stats"]["parsed_ahead"] > 0 and report["stats"]["rendered_beside"] > 0
    assert_same_site(project.build(fast=False)[0], first, "a cold start")
    assert "SHARE" in (first / "articles" / "post-00003" / "index.html").read_text()

    theme = project.root / "theme" / "templates" / "article.html"
    shout = project.root / "plugins" / "shout_reader" / "__init__.py"
    edits = {
        "an article's text": lambda: project.edit(project.article(1), r"^## ", "## Edited: "),
        "a title": lambda: project.edit(project.article(2), r"^Title: .*$", "Title: Retitled"),
        "a date": lambda: project.edit(project.article(3), r"^Date: .*$",
                                       "Date: 2019-03-04 05:06"),
        "the tags": lambda: project.edit(project.article(4), r"^Tags: .*$",
                                         "Tags: brand new tag, content reach"),
        "a category": lambda: project.edit(project.article(5), r"^Category: .*$",
                                           "Category: Fresh Category"),
        "a status": lambda: project.edit(project.unlinked_article(), r"^Slug: ",
                                         "Status: draft\nSlug: "),
        "a template": lambda: project.edit(theme, r"^{% block content %}$",
                                           "{% block content %}<!-- edited template -->"
                                           "{{ 'share this'|shout }}"),
        "a setting": lambda: project.settings.update(MARKDOWN=DEFAULT_CONFIG["MARKDOWN"] | {
            "extension_configs": {"markdown.extensions.codehilite": {"css_class": "code"},
                                  "markdown.extensions.extra": {},
                                  "markdown.extensions.meta": {}}}),
        "a plugin's code": lambda: project.edit(shout, r'^WORD = "share"', 'WORD = "reader"'),
        # What only the feeds show: an entry's summary, the feeds' own settings and code.
        "a summary": lambda: project.edit(project.newest_article(), r"^Summary: .*$",
                                          "Summary: Only the feeds & the lists show this."),
        "a feeds setting": lambda: project.settings.update(FEEDS_TAG_TITLE="{name} at {site}"),
        "the feeds plugin's code": lambda: project.edit(
            project.root / "plugins" / "feeds" / "atom_rss.py",
            r'feed.generator\("Signal & Reach feeds', 'feed.generator("Edited feeds'),
    }
    for what, edit in edits.items():
        edit()
        fast, report = project.build(fast=True)
        stats = report["stats"]
        assert stats["rendered_beside"] > 0, what
        if what in ("a template",):
            assert stats["parsed"] == 0, f"{what} needs no parsing: {stats}"
        elif what in ("a setting", "a plugin's code", "a feeds setting",
                      "the feeds plugin's code"):
            assert stats["from_cache"] == 0, f"{what} must empty the cache: {stats}"
        else:
            assert stats["parsed"] == 1 and stats["from_cache"] == ARTICLES + 1, (what, stats)
        assert_same_site(project.build(fast=False)[0], fast, what)
    page = (fast / "articles" / "post-00003" / "index.html").read_text()
    assert "READER" in page and "-->share this" in page  # compiled again with the new filter
    assert b"Edited feeds" in (fast / "feeds" / "all.atom.xml").read_bytes()


@pytest.mark.parametrize("fault", ["no-fork", "kill-helpers"])
def test_a_helper_that_dies_or_cannot_start_leaves_the_same_site(project, fault):
    fast, report = project.build(fast=True, fault=fault)
    stats = report["stats"]
    if fault == "no-fork":
        assert stats["parsed_ahead"] == 0 and stats["render_calls"] == 0, stats
    else:
        assert stats["render_helper_failed"] == 1 and stats["rendered_again"] == 1, stats
    assert_same_site(project.build(fast=False)[0], fast, fault)


def test_an_error_logged_while_rendering_fails_the_build_whichever_process_rendered(project):
    """Every article page logs an error: some are rendered by the helper, whose messages the
    build logs again, so a production build fails with every one of them, as in one process."""
    theme = project.root / "theme" / "templates" / "article.html"
    project.edit(theme, r"^{% block content %}$",
                 "{% block content %}{{ complain(article.slug) }}{{ repeat() }}")
    _, fast = project.build(fast=True, ok=False)
    _, reference = project.build(fast=False, ok=False)
    assert fast["stats"]["rendered_beside"] > 0
    complaints = [e for e in reference["errors"] if "complaint from the template" in e]
    assert len(complaints) == ARTICLES
    assert sorted(fast["errors"]) == sorted(reference["errors"])
    assert reference["warnings"].count("the same warning on every page") == 1
    assert sorted(fast["warnings"]) == sorted(reference["warnings"])


def test_a_plugin_writing_pages_only_the_build_writes_leaves_the_same_site(project):
    """A receiver that writes through the writer runs in the build alone, so from there the two
    walks of the writer's calls differ: the build notices and renders the rest itself."""
    extra = project.root / "plugins" / "extra_page"
    extra.mkdir()
    (extra / "__init__.py").write_text(EXTRA_PAGE)
    project.settings["PLUGINS"] = [*project.settings["PLUGINS"], "extra_page"]
    fast, report = project.build(fast=True)
    assert report["stats"]["walks_diverged"] == 1, report["stats"]
    assert (fast / "extra" / "index.html").is_file()
    assert_same_site(project.build(fast=False)[0], fast, "a plugin that writes a page")


def test_the_sitemap_lists_every_page_once_in_a_parallel_build(project):
    output, report = project.build(fast=True, production=True)
    assert report["stats"]["rendered_beside"] > 0
    urls = Counter(re.findall(r"<loc>([^<]+)</loc>", (output / "sitemap.xml").read_text()))
    articles = [u for u in urls if "/articles/" in u]
    assert len(articles) == ARTICLES and set(urls.values()) == {1}


CHECK_ORDER = '''"""Test plugin: which starts first, read-ahead or check (in check-order.txt)."""
from pathlib import Path

import content_check
from self_promoting_blog.build import read_ahead

LOG = Path("check-order.txt")


def _noting(what, call):
    def noted(*args, **kwargs):
        with LOG.open("a") as log:
            log.write(what + "\\n")
        return call(*args, **kwargs)
    return noted


def register():
    content_check.check_site = _noting("check", content_check.check_site)
    start = read_ahead.ReadAhead.start.__func__
    read_ahead.ReadAhead.start = classmethod(_noting("read-ahead", start))
'''


def test_the_content_check_reads_the_sources_while_the_read_ahead_parses(project):
    """The check reads every source on one core before Pelican parses any: the read-ahead is
    forked first, so it parses on the other core meanwhile (0.3 s at 1,000 articles, 1.4 s at
    5,000, that the build's one core would otherwise spend alone)."""
    spy = project.root / "plugins" / "check_order"
    spy.mkdir()
    (spy / "__init__.py").write_text(CHECK_ORDER)
    project.settings["PLUGINS"] = [*project.settings["PLUGINS"], "check_order"]
    _, report = project.build(fast=True)
    assert (project.root / "check-order.txt").read_text().split() == ["read-ahead", "check"]
    assert report["stats"]["parsed_ahead"] > 0, report["stats"]


def test_the_development_build_is_the_same_cold_and_warm(project):
    reference = project.build(fast=False, production=False)[0]
    cold, _ = project.build(fast=True, production=False)
    project.build(fast=True)  # a production build between: each keeps its own fingerprint
    warm, report = project.build(fast=True, production=False)
    assert report["stats"]["from_cache"] == ARTICLES + 2, report["stats"]
    assert_same_site(reference, cold, "a cold development build")
    assert_same_site(reference, warm, "a warm development build")


def test_the_demo_site_builds_the_same_cold_warm_and_in_one_process(tmp_path):
    project = Project(tmp_path, demo=True)
    reference = project.build(fast=False)[0]
    for what in ("a cold parallel build", "a warm parallel build"):
        assert_same_site(reference, project.build(fast=True)[0], what)


def test_a_production_build_of_the_demo_site_does_not_import_the_http_client(tmp_path):
    """Importing requests and the network adapters is start-up time the build never needs: it
    names the networks and shows stored replies, but sends nothing."""
    code = (
        "import json, sys\n"
        "from self_promoting_blog.build.build import build_site\n"
        f"result = build_site({str(ROOT / 'publishconf.py')!r}, production=True, overrides="
        f"{{'OUTPUT_PATH': {str(tmp_path / 'output')!r}, 'CACHE_PATH': {str(tmp_path)!r}}})\n"
        "print(json.dumps([result.ok, sorted(m for m in sys.modules if m == 'requests'"
        " or m.startswith('self_promoting_blog.promote.adapters'))]))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [True, []]


# -- the cache's key -------------------------------------------------------------------------


class _Readers:
    readers: dict[str, Any] = {}


def _settings(tmp_path: Path, **changes: Any) -> dict[str, Any]:
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={
        "PATH": str(tmp_path), "CACHE_PATH": str(tmp_path / "cache")})
    return settings | changes


def test_the_fingerprint_follows_reading_settings_but_not_this_builds_folders(tmp_path):
    base = reading_fingerprint(_settings(tmp_path), _Readers())
    assert reading_fingerprint(_settings(tmp_path), _Readers()) == base
    assert reading_fingerprint(_settings(tmp_path, OUTPUT_PATH="/elsewhere"), _Readers()) == base
    assert reading_fingerprint(_settings(tmp_path, TYPOGRIFY=True), _Readers()) != base
    assert reading_fingerprint(_settings(tmp_path, DEFAULT_DATE_FORMAT="%Y"), _Readers()) != base


def test_a_damaged_or_foreign_cache_file_is_not_used(tmp_path):
    article, settings = _cached(tmp_path)
    file = ReaderCache.open(settings, _Readers()).file
    assert _looked_up(settings, article) == PARSED
    good = file.read_bytes()
    other = BlobWriter(file, "2:another fingerprint")  # the same file name, made for another
    other.add(os.path.relpath(article, tmp_path), hashlib.sha256(article.read_bytes()).hexdigest(),
              good[:good.index(b".")])
    other.commit()
    assert _looked_up(settings, article) is None
    for damaged in (b"\x80\x05 damaged", good[:-1], pickle.dumps({"format": 1, "entries": {}})):
        file.write_bytes(damaged)
        assert _looked_up(settings, article) is None


PARSED = ("<p>Text.</p>", {"title": "A"})


def _cached(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """An article and the settings of a cache on disk that holds its parse."""
    article = tmp_path / "a.md"
    article.write_text("Title: A\n\nText.\n")
    settings = _settings(tmp_path)
    cache = ReaderCache.open(settings, _Readers())
    cache.lookup(str(article))
    cache.store(str(article), PARSED)
    cache.save()
    return article, settings


def _looked_up(settings: dict[str, Any], article: Path) -> Any:
    """What a new cache finds for the article (closed after: it leaves no file being written)."""
    cache = ReaderCache.open(settings, _Readers())
    try:
        return cache.lookup(str(article))
    finally:
        cache.close()


def _articles(tmp_path: Path, count: int) -> list[Path]:
    found = []
    for n in range(count):
        found.append(tmp_path / f"a{n}.md")
        found[-1].write_text(f"Title: A{n}\n\nText {n}.\n")
    return found


def _parse(cache: ReaderCache, article: Path) -> Any:
    """What Pelican does with a file: look it up, else parse it and keep it."""
    found = cache.lookup(str(article))
    if found is None:
        found = (f"<p>{article.read_text().split(chr(10))[2]}</p>", {"title": article.stem})
        cache.store(str(article), found)
    return found


def test_the_cache_file_holds_what_the_last_build_used_and_is_read_an_entry_at_a_time(tmp_path):
    first, second, third = _articles(tmp_path, 3)
    settings = _settings(tmp_path)
    cache = ReaderCache.open(settings, _Readers())
    made = [_parse(cache, article) for article in (first, second, third)]
    cache.save()
    assert not list(cache.folder.glob("*.tmp-*"))

    warm = ReaderCache.open(settings, _Readers())
    assert not any(isinstance(value, bytes) for entry in warm.stored.index.values()
                   for value in entry), "the previous build's blobs are read when looked up"
    third.unlink()  # deleted: its entry goes
    second.write_text("Title: A1\n\nEdited.\n")  # edited: parsed again
    assert [_parse(warm, first), _parse(warm, second)] == [made[0], ("<p>Edited.</p>",
                                                                     {"title": "a1"})]
    assert (warm.hits, warm.misses) == (1, 1)
    warm.save()

    again = ReaderCache.open(settings, _Readers())
    assert sorted(again.stored.index) == ["a0.md", "a1.md"]
    assert again.lookup(str(first)) == made[0]
    assert again.lookup(str(second)) == ("<p>Edited.</p>", {"title": "a1"})
    again.close()
    assert list(cache.folder.iterdir()) == [again.file]


def test_a_build_that_crashes_leaves_the_previous_cache_usable(tmp_path):
    article, settings = _cached(tmp_path)
    before = ReaderCache.open(settings, _Readers()).file.read_bytes()
    crashed = ReaderCache.open(settings, _Readers())
    assert crashed.lookup(str(article)) == PARSED
    _parse(crashed, *_articles(tmp_path, 1))
    assert len(list(crashed.folder.glob("*.tmp-*"))) == 1  # being written, beside the old one
    assert crashed.file.read_bytes() == before
    crashed.close()  # what the build does when Pelican raised
    assert list(crashed.folder.iterdir()) == [crashed.file]
    assert _looked_up(settings, article) == PARSED

    # A build killed mid-way cannot close its file: the next build that saves removes it.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    left = crashed.folder / f"{crashed.file.name}.tmp-{dead}-x1"
    left.write_bytes(b"half a file")
    mine = crashed.folder / f"{crashed.file.name}.tmp-{os.getpid()}-x2"  # a build still running
    mine.write_bytes(b"being written")
    warm = ReaderCache.open(settings, _Readers())
    assert warm.lookup(str(article)) == PARSED
    warm.save()
    assert sorted(crashed.folder.iterdir()) == [crashed.file, mine]


def test_an_entry_whose_bytes_changed_is_not_used(tmp_path):
    """Neither for a source edited since, nor when the cache file's bytes changed."""
    first, second = _articles(tmp_path, 2)
    settings = _settings(tmp_path)
    cache = ReaderCache.open(settings, _Readers())
    made = [_parse(cache, article) for article in (first, second)]
    cache.save()
    data = cache.file.read_bytes()
    assert data.count(b"Text 1.") == 1
    cache.file.write_bytes(data.replace(b"Text 1.", b"Text 7."))  # a damaged disk, say
    warm = ReaderCache.open(settings, _Readers())
    assert warm.lookup(str(first)) == made[0]
    assert warm.lookup(str(second)) is None

    first.write_text("Title: A0\n\nText 0 edited.\n")
    assert _looked_up(settings, first) is None


def test_a_warm_build_hashes_each_file_once(tmp_path, monkeypatch):
    from self_promoting_blog.build import reader_cache

    article, settings = _cached(tmp_path)
    hashed: list[str] = []
    real_hash = reader_cache.file_hash
    monkeypatch.setattr(reader_cache, "file_hash", lambda path: hashed.append(path) or
                        real_hash(path))
    warm = ReaderCache.open(settings, _Readers())
    assert warm.has(str(article))  # the read-ahead's question, then Pelican's lookup
    assert warm.lookup(str(article)) == PARSED
    assert hashed == [str(article)]


def test_with_the_cache_off_its_file_is_neither_read_nor_written(tmp_path, monkeypatch):
    from self_promoting_blog.build import reader_cache

    article, settings = _cached(tmp_path)
    monkeypatch.setattr(reader_cache.BlobFile, "open",
                        lambda *_args: pytest.fail("the cache file was read"))
    off = ReaderCache.open(settings, _Readers(), from_disk=False)
    before = off.file.read_bytes()
    article.write_text("Title: A\n\nEdited.\n")
    assert off.lookup(str(article)) is None
    off.store(str(article), ("<p>Edited.</p>", {}))
    off.save()
    assert off.file.read_bytes() == before and list(off.folder.iterdir()) == [off.file]


def test_a_parse_that_logged_a_warning_is_not_kept(tmp_path):
    article = tmp_path / "a.md"
    article.write_text("Title: A\n\nText.\n")
    cache = ReaderCache.open(_settings(tmp_path), _Readers())
    with cache.warnings.counting():
        cache.lookup(str(article))
        logging.getLogger("pelican.readers").warning("a problem while parsing")
        cache.store(str(article), ("<p>Text.</p>", {}))
    assert cache.used == {}


class _ShoutingReader:
    def read(self, path: str) -> tuple[str, dict[str, Any]]:
        return Path(path).read_text().upper(), {"title": Path(path).stem}


def test_the_read_ahead_keeps_its_results_on_disk_and_never_gives_a_cut_one(tmp_path,
                                                                           monkeypatch):
    from self_promoting_blog.build import read_ahead
    from self_promoting_blog.build.reader_cache import file_hash, load

    monkeypatch.setattr(read_ahead, "free_cores", lambda: 1)
    files = [str(p) for p in _articles(tmp_path, read_ahead.MIN_FILES)]
    readers = SimpleNamespace(readers={"md": _ShoutingReader()})
    ahead = read_ahead.ReadAhead.start(readers, files, tmp_path / "cache")
    assert ahead is not None and ahead.thread is not None
    try:
        ahead.thread.join(timeout=60)  # no file is taken: the child parses them all, and ends
        assert sorted(ahead.results) == sorted(files)
        assert not any(isinstance(value, bytes) for result in ahead.results.values()
                       for value in result), "the build holds where results are, not results"
        assert os.listdir(tmp_path / "cache") == []  # the child's file has no name
        _, offset, length = ahead.results[files[0]]  # parsed last: the end of the file
        os.ftruncate(ahead.spool.fileno(), offset + length - 1)
        assert ahead.take(files[0], file_hash(files[0])) is None  # Pelican parses it
        assert ahead.take(files[1], "the hash of other bytes") is None
        for path in files[2:]:
            blob = ahead.take(path, file_hash(path))
            assert blob is not None and load(blob, {}) == _ShoutingReader().read(path)
        assert ahead.used == len(files) - 2
    finally:
        ahead.stop()


def test_build_settings_must_be_true_or_false():
    assert load_settings({}).parallel and load_settings({}).cache
    with pytest.raises(SettingsError, match="BUILD_PARALLEL = 'no' must be True or False"):
        load_settings({"BUILD_PARALLEL": "no"})


def _child(code: str) -> subprocess.Popen[bytes]:
    """A child process that says it is ready, then runs `code`."""
    child = subprocess.Popen([sys.executable, "-c", f"print('ready', flush=True)\n{code}"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert child.stdout is not None and child.stdout.readline() == b"ready\n"
    return child


def test_a_helper_is_not_kept_from_a_core_by_a_worker_asleep_on_its_input():
    from self_promoting_blog.build.forking import free_cores

    alone = free_cores()
    asleep = _child("import sys; sys.stdin.read()")  # a card worker with nothing left to draw
    busy = None
    try:
        deadline = time.monotonic() + 10
        while free_cores() != alone and time.monotonic() < deadline:
            time.sleep(0.05)  # until the child has got to its read and sleeps there
        assert free_cores() == alone
        busy = _child("while True: pass")
        assert free_cores() == alone - 1
    finally:
        for child in (asleep, busy):
            if child is not None:
                child.kill()
                child.wait()


def test_a_warm_build_renders_only_the_feeds_that_list_the_edited_article(project):
    """The site's, its category's and its tags' feeds, in three formats; the rest are copied."""
    project.build(fast=True)
    folders = list((project.cache / "feeds").iterdir())
    assert len(folders) == 1
    kept = set(os.listdir(folders[0]))
    newest = project.newest_article()
    header = newest.read_text(encoding="utf-8")
    tags = re.findall(r"^Tags: (.*)$", header, flags=re.M)[0].split(", ")
    project.edit(newest, r"^Summary: .*$", "Summary: Only the feeds & the lists show this.")
    fast, _ = project.build(fast=True)
    now = set(os.listdir(folders[0]))
    assert len(now - kept) == 3 * (1 + 1 + len(set(tags)))
    assert len(now) == len(kept) == len(files(fast / "feeds"))


def test_the_compiled_templates_key_follows_what_jinja_compiles_with():
    from jinja2 import Environment, pass_context

    from self_promoting_blog.build.templates_cache import environment_key

    def plain(text: str) -> str:
        return text

    @pass_context
    def with_context(context: Any, text: str) -> str:
        return text

    base = Environment(trim_blocks=True)
    assert environment_key(Environment(trim_blocks=True)) == environment_key(base)
    assert environment_key(Environment()) != environment_key(base)
    base.filters["f"] = plain
    key = environment_key(base)
    base.filters["f"] = with_context  # compiled with the context passed
    assert environment_key(base) != key
