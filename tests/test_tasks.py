"""The writer's tasks, run as a writer runs them: `invoke …` in a copy of the project."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from self_promoting_blog.build.build import build_site as staged_build
from self_promoting_blog.check.placeholders import BODY, SUMMARY_END
from tests.support.site import PYTHON, ROOT, write_site

ZONE = ZoneInfo("Europe/Stockholm")  # pelicanconf TIMEZONE
BAD_DATE = ('content/articles/foo.md:3: Date "2026-02-30" is not on the calendar: February 2026 '
            "has 28 days; pick a day that exists")
BAD_LINE = ('content/articles/tips.md:3: "Tags tips, social" is not a "Key: value" line, so the '
            'header ends here and the lines below it are lost; write it as "Tags: tips, social"')


def invoke(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([PYTHON, "-m", "invoke", *args], cwd=project, env=env, text=True,
                          capture_output=True, timeout=180)


def write_over_placeholders(path: Path) -> None:
    """What a writer does with the file `invoke new` made: their own Summary and text."""
    text = path.read_text().replace(SUMMARY_END, ": what it says.")
    path.write_text(text.replace(BODY, "The article's own text."))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_new_creates_an_article_that_builds_and_never_overwrites(demo_copy):
    made = invoke(demo_copy, "new", "Some Title", "--tags", "alpha, beta")
    assert made.returncode == 0, made.stderr
    assert "Created content/articles/some-title.md" in made.stdout
    path = demo_copy / "content" / "articles" / "some-title.md"
    header = dict(line.split(": ", 1) for line in path.read_text().split("\n\n")[0].splitlines())
    assert header["Title"] == "Some Title" and header["Slug"] == "some-title"
    assert header["Tags"] == "alpha, beta" and header["Category"] and header["Summary"]
    written = datetime.strptime(header["Date"], "%Y-%m-%d %H:%M").replace(tzinfo=ZONE)
    assert timedelta(0) <= datetime.now(ZONE) - written < timedelta(minutes=5)

    built = invoke(demo_copy, "build")
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Built the development preview in output/" in built.stdout
    page = (demo_copy / "output" / "articles" / "some-title" / "index.html").read_text()
    assert "Some Title" in page
    assert "articles/some-title/" in (demo_copy / "output" / "index.html").read_text()

    before = path.read_bytes()
    again = invoke(demo_copy, "new", "Some Title")
    assert again.returncode == 1
    assert "content/articles/some-title.md already exists" in again.stderr
    assert path.read_bytes() == before

    (demo_copy / "content" / "articles" / "other-file.md").write_text(
        "Title: X\nDate: 2025-01-01 09:00\nSlug: taken\n\nText.\n")
    clash = invoke(demo_copy, "new", "Taken")
    assert clash.returncode == 1
    assert 'content/articles/other-file.md already uses the slug "taken"' in clash.stderr
    assert not (demo_copy / "content" / "articles" / "taken.md").exists()


def test_new_says_how_to_call_it_and_refuses_a_category_that_is_a_slip(demo_copy):
    articles = demo_copy / "content" / "articles"
    before = sorted(p.name for p in articles.iterdir())
    example = f"{datetime.now().year + 1}-01-15 09:00"  # in the future whenever it is read
    for untitled in (invoke(demo_copy, "new"), invoke(demo_copy, "new", "--date", example)):
        assert untitled.returncode == 1
        assert untitled.stderr == (
            'invoke new needs the headline, in quotes: invoke new "Why Short Videos Win" '
            f'[--date "{example}"] [--category Strategy] [--draft]. invoke --help new lists '
            "every option.\n")
    shown_help = invoke(demo_copy, "new", "--help")
    assert shown_help.returncode == 0
    assert f'timezone, e.g. "{example}" (default: now)' in " ".join(shown_help.stdout.split())
    assert "--new-category" in shown_help.stdout

    typo = invoke(demo_copy, "new", "Plan", "--category", "Strtegy")
    assert typo.returncode == 1
    assert typo.stderr == (
        'Not created: there is no category "Strtegy" yet (in use: Distribution, Measurement, '
        'Social Media, Strategy); did you mean "Strategy"? To start "Strtegy" as a new category, '
        "add --new-category.\n")
    assert sorted(p.name for p in articles.iterdir()) == before

    made = invoke(demo_copy, "new", "Podcast Plan", "--category", "Podcasts", "--new-category")
    assert made.returncode == 0, made.stderr
    assert "Category: Podcasts" in made.stdout
    spelt = invoke(demo_copy, "new", "--category", "social-media", "--title", "Short Clips")
    assert spelt.returncode == 0, spelt.stderr
    assert "Category: Social Media" in spelt.stdout  # as the other articles spell it


def test_errors_fail_check_and_preview_and_keep_the_old_output(demo_copy):
    first = invoke(demo_copy, "preview")
    assert first.returncode == 0, first.stdout + first.stderr
    before = snapshot(demo_copy / "output")
    articles = demo_copy / "content" / "articles"
    (articles / "foo.md").write_text("Title: Foo\nCategory: Tips\nDate: 2026-02-30\n\nText.\n")
    (articles / "tips.md").write_text("Title: Tips\nDate: 2025-01-01\nTags tips, social\n"
                                      "Category: Tips\n\nText.\n")

    check = invoke(demo_copy, "check")
    assert check.returncode == 1
    assert BAD_DATE in check.stdout and BAD_LINE in check.stdout
    assert "2 errors, 0 warnings" in check.stdout
    # It reads sources only: it does not claim to have checked what only the build can.
    assert ("Plain links and images (/articles/…, ../…) are checked by each build, against the "
            "files it writes.") in check.stdout

    failed = invoke(demo_copy, "preview")
    assert failed.returncode == 1
    assert f"content_check: {BAD_DATE}" in failed.stdout
    assert "build failed with 2 errors" in failed.stdout
    assert "output/ was left exactly as it was" in failed.stdout
    assert snapshot(demo_copy / "output") == before
    assert sorted(p.name for p in demo_copy.glob("output*")) == ["output"]

    dev = invoke(demo_copy, "build")  # a preview still builds, loudly, and exits 1
    assert dev.returncode == 1
    assert f"content_check: {BAD_DATE}" in dev.stdout and "with 2 errors" in dev.stdout
    assert (demo_copy / "output" / "articles" / "tips" / "index.html").is_file()


def test_scheduled_article_stays_out_of_production_and_is_in_the_calendar(demo_copy):
    soon, later = (datetime.now(ZONE) + timedelta(days=d) for d in (10, 20))
    for title, date in (("Airship Followup", later), ("Zeppelin Launch", soon)):
        made = invoke(demo_copy, "new", title, "--date", date.strftime("%Y-%m-%d %H:%M"))
        assert made.returncode == 0 and "scheduled: it goes live on" in made.stdout
        slug = title.lower().replace(" ", "-")
        write_over_placeholders(demo_copy / "content" / "articles" / f"{slug}.md")

    built = invoke(demo_copy, "preview")
    assert built.returncode == 0, built.stdout + built.stderr
    assert "scheduled article" in built.stdout  # "held back: N scheduled articles"
    assert "SITEURL=http://127.0.0.1:8000 invoke preview, then invoke serve" in built.stdout
    leaks = [name for name, data in snapshot(demo_copy / "output").items()
             if b"eppelin" in data or b"irship" in data or "eppelin" in name]
    assert leaks == []

    calendar = invoke(demo_copy, "calendar")
    assert calendar.returncode == 0, calendar.stderr
    out = calendar.stdout
    assert soon.strftime("%a %-d %b %Y %H:%M") in out and later.strftime("%a %-d %b %Y") in out
    assert out.index("Zeppelin Launch") < out.index("Airship Followup") < out.index(
        "Recently published")


def test_serve_answers_on_the_chosen_port_and_shows_the_404_page(demo_copy):
    (demo_copy / "output").mkdir()
    (demo_copy / "output" / "index.html").write_text("<title>Signal &amp; Reach</title>")
    (demo_copy / "output" / "404.html").write_text("<h1>Not found here</h1>")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([PYTHON, "-m", "invoke", "serve", "--port", str(port)],
                              cwd=demo_copy, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as reply:
                    body = reply.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "invoke serve did not answer"
                time.sleep(0.2)
        assert reply.status == 200 and "Signal &amp; Reach" in body
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no/such/page/")
        assert missing.value.code == 404
        assert "Not found here" in missing.value.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)


def _answer(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url) as reply:
                return str(reply.read().decode())
        except OSError:
            assert time.monotonic() < deadline, f"{url} did not answer"
            time.sleep(0.1)


def test_livereload_serves_from_memory_and_prints_each_update(demo_copy):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = demo_copy / "livereload.log"
    with log.open("wb") as out:
        server = subprocess.Popen([PYTHON, "-m", "invoke", "livereload", "--port", str(port)],
                                  cwd=demo_copy, stdout=out, stderr=subprocess.STDOUT,
                                  env={**os.environ, "COLUMNS": "200"})
    try:
        page = f"http://127.0.0.1:{port}/articles/rss-feeds-still-matter/"
        assert "reload.js" in _answer(page, time.monotonic() + 60)
        source = demo_copy / "content" / "articles" / "rss-feeds-still-matter.md"
        source.write_text(source.read_text() + "\nA sentence added while previewing.\n")
        deadline = time.monotonic() + 30
        while "A sentence added while previewing." not in _answer(page, deadline):
            assert time.monotonic() < deadline, "the edit never showed"
            time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)
    printed = log.read_text()
    assert f"Live preview at http://127.0.0.1:{port}/" in printed
    assert re.search(r"content/articles/rss-feeds-still-matter\.md changed; updated in "
                     r"\d+\.\d\d s \(1 file read; \d+ articles", printed), printed
    assert "Stopped the live preview." in printed
    assert not (demo_copy / "output").exists()  # the preview lives in memory


def _dead_pid() -> int:
    child = subprocess.Popen([PYTHON, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_crashed_build_keeps_output_and_leftovers_of_dead_builds_are_cleared(tmp_path):
    content = write_site(tmp_path, {"articles/a.md": "Title: A\nDate: 2025-01-01\n\nText.\n"})
    options = {"PATH": str(content), "OUTPUT_PATH": str(tmp_path / "output"),
               "CACHE_PATH": str(tmp_path / "cache")}
    assert staged_build(ROOT / "pelicanconf.py", production=False, overrides=options).ok
    before = snapshot(tmp_path / "output")
    dead, alive = tmp_path / f"output.tmp-{_dead_pid()}", tmp_path / f"output.tmp-{os.getppid()}"
    for leftover in (dead, alive, tmp_path / f"output.old-{_dead_pid()}"):
        (leftover / "x").mkdir(parents=True)

    crashed = staged_build(ROOT / "pelicanconf.py", production=False,
                           overrides={**options, "DIRECT_TEMPLATES": ["index", "no-such-page"]})
    assert not crashed.replaced and not crashed.ok
    assert crashed.errors[-1].startswith("The build stopped: PelicanTemplateNotFound")
    assert snapshot(tmp_path / "output") == before
    # Another build's folder (its process still runs) is left alone; dead ones are gone.
    assert sorted(p.name for p in tmp_path.glob("output*")) == sorted(["output", alive.name])


def test_a_rebuild_replaces_output_and_the_old_one_is_removed_without_waiting(tmp_path):
    content = write_site(tmp_path, {"articles/a.md": "Title: First\nDate: 2025-01-01\n\nText.\n"})
    options = {"PATH": str(content), "OUTPUT_PATH": str(tmp_path / "output"),
               "CACHE_PATH": str(tmp_path / "cache")}
    for title in ("First", "Second", "Third"):  # two swaps by one process: distinct old folders
        (content / "articles/a.md").write_text(f"Title: {title}\nDate: 2025-01-01\n\nText.\n")
        assert staged_build(ROOT / "pelicanconf.py", production=False, overrides=options).ok
        assert f">{title}<" in (tmp_path / "output/index.html").read_text()
    deadline = time.monotonic() + 20
    while [p.name for p in tmp_path.glob("output.*")]:
        assert time.monotonic() < deadline, list(tmp_path.glob("output.*"))
        time.sleep(0.05)
