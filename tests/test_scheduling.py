"""scheduling: future-dated articles stay out of production until their date, marked in dev."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pelican.plugins import signals

from self_promoting_blog.build.build import build_site as staged_build
from self_promoting_blog.writing.calendar import read_calendar
from tests.support.site import ROOT, site_settings, write_site

ZONE = ZoneInfo("Europe/Stockholm")  # pelicanconf TIMEZONE


def when(**delta) -> str:
    """A Date value relative to now, so the test never goes stale."""
    return (datetime.now(ZONE) + timedelta(**delta)).strftime("%Y-%m-%d %H:%M")


def article(title: str, date: str, extra: str = "", body: str = "Some text.") -> str:
    return f"Title: {title}\nDate: {date}\nCategory: Tips\nTags: planning\n{extra}\n{body}\n"


# The future article's title, slug and text each carry a word found nowhere else.
SITE = {
    "articles/past.md": article("Already Out", when(days=-3)),
    "articles/just-now.md": article("Went Out Two Minutes Ago", when(minutes=-2)),
    "articles/future.md": article("Zeppelin Launch Plan", when(days=10),
                                  body="Text about the quixotic zeppelin."),
    "articles/idea.md": article("Half Written Idea", when(days=-1), "Status: draft\n",
                                body="Nothing yet about marmalade."),
    "pages/wip.md": "Title: Kumquat Page\nStatus: draft\n\nA page about kumquats.\n",
}
SECRETS = (b"zeppelin", b"Zeppelin", b"marmalade", b"Half Written", b"half-written", b"umquat")


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> tuple[Path, object]:
    tmp = tmp_path_factory.mktemp("prod")
    content = write_site(tmp, SITE)
    result = staged_build(ROOT / "publishconf.py", production=True, overrides={
        "PATH": str(content), "OUTPUT_PATH": str(tmp / "output"), "CACHE_PATH": str(tmp / "c")})
    return tmp / "output", result


def test_future_article_and_drafts_are_in_no_file_of_a_production_build(production):
    output, result = production
    assert result.ok, result.errors
    files = [p for p in output.rglob("*") if p.is_file()]
    leaks = [str(p.relative_to(output)) for p in files
             if any(s in p.read_bytes() or s in str(p).encode() for s in SECRETS)]
    assert leaks == []
    assert (output / "articles" / "already-out" / "index.html").is_file()
    assert (output / "articles" / "went-out-two-minutes-ago" / "index.html").is_file()
    assert not (output / "drafts").exists()
    # The same build's listings, feed and sitemap do carry the published ones.
    for listing in ("index.html", "feeds/all.atom.xml", "sitemap.xml"):
        if (output / listing).exists():
            assert b"already-out" in (output / listing).read_bytes(), listing


def test_production_summary_counts_what_was_held_back(production):
    _, result = production
    assert (result.articles, result.scheduled, result.drafts, result.pages) == (2, 1, 1, 0)


def test_development_build_shows_the_future_article_marked_scheduled(build_site):
    seen: dict[str, bool] = {}

    def record(generators):
        for generator in generators:
            for item in getattr(generator, "articles", []):
                seen[item.slug] = item.scheduled

    with signals.all_generators_finalized.connected_to(record):
        output = build_site(files=SITE)
    assert seen == {"already-out": False, "went-out-two-minutes-ago": False,
                    "zeppelin-launch-plan": True}
    page = (output / "articles" / "zeppelin-launch-plan" / "index.html").read_text()
    assert "badge-scheduled" in page  # the theme's "Scheduled" badge
    assert "badge-scheduled" not in (output / "articles" / "already-out" / "index.html").read_text()
    assert (output / "drafts" / "half-written-idea.html").is_file()  # drafts preview in dev


def test_calendar_lists_scheduled_soonest_first_and_recent_newest_first(tmp_path):
    files = {f"articles/f{n}.md": article(f"Future {n}", when(days=n)) for n in (9, 2, 30)}
    files |= {f"articles/p{n}.md": article(f"Past {n}", when(days=-n)) for n in (5, 1, 3, 8)}
    files["articles/draft.md"] = article("Draft", when(days=4), "Status: draft\n")
    files["articles/bad.md"] = article("Bad", "2026-02-30")
    calendar = read_calendar(site_settings(tmp_path, write_site(tmp_path, files)), recent=3)
    assert [i.title for i in calendar.scheduled] == ["Future 2", "Future 9", "Future 30"]
    assert [i.title for i in calendar.published] == ["Past 1", "Past 3", "Past 5"]
    assert calendar.scheduled[0].file == "content/articles/f2.md"
    assert calendar.drafts == 1
    assert calendar.unreadable == ("content/articles/bad.md",)
