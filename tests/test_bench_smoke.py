"""The bench keeps working: `bench.run` on 20 articles, one run, without deploy, promote or
Lighthouse. No timing is asserted; the outputs, their keys and what each setup built are."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from bench.run import main as run_bench

pytestmark = pytest.mark.browser  # the reader's page part drives headless Chromium


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory) -> tuple[int, str, Path, Path]:
    """One smoke run of the bench into a temporary work folder and results folder."""
    root = tmp_path_factory.mktemp("bench")
    work, results = root / "work", root / "results"
    out = io.StringIO()
    code = run_bench(["--sizes", "20", "--runs", "1", "--skip-deploy", "--skip-promote",
                      "--skip-lighthouse", "--profile", "always", "--profile-size", "20",
                      "--work", str(work), "--results", str(results)],
                     Console(file=out, width=200, color_system=None))
    return code, out.getvalue(), work, results


def test_writes_the_json_with_every_measured_part(bench_run):
    code, printed, _, results = bench_run
    assert code == 0, printed
    data = json.loads((results / "latest.json").read_text(encoding="utf-8"))
    assert {"machine", "options", "builds", "feeds", "preview", "page", "profile",
            "summary"} <= set(data)
    assert data["failed"] == {}
    assert {"cores", "memory_gib", "python", "pelican", "date"} <= set(data["machine"])
    [size] = data["builds"]
    assert size["articles"] == 20
    for key in ("bare", "community", "ours"):
        [run], [warm] = size["runs"][key], size["warm"][key]
        assert run["seconds"] > 0 and run["peak_rss_mb"] > 0 and run["files"] > 20
        assert run["peak_pss_mb"] > 0 and warm["seconds"] > 0 and warm["files"] == run["files"]
    [row] = data["summary"]["builds"]
    assert set(row["ratios"]) == {
        "time_ours_bare", "time_ours_community", "rss_ours_bare", "rss_ours_community",
        "pss_ours_bare", "pss_ours_community", "warm_ours_bare", "warm_ours_community",
        "warm_ours_bare_cold"}
    assert data["summary"]["feeds"]["overhead_pct"] is not None
    names = {t["name"] for t in data["summary"]["targets"]}
    assert {"cold build at 20", "warm build after one edit at 20", "peak RSS", "peak PSS",
            "livereload memory at 20", "article page (HTML+CSS+JS)",
            "third-party requests"} <= names
    [preview] = data["preview"]["sizes"]
    assert preview["articles"] == 20 and preview["median_s"] > 0 < preview["rebuild_median_s"]
    heaviest = data["page"]["heaviest"]
    assert heaviest["bytes_by_type"]["html"] > 0 and heaviest["bytes_by_type"]["css"] > 0
    assert heaviest["third_party"] == []
    groups = data["profile"]["breakdown"]["groups_s"]
    assert "social_cards" in groups and "theme templates" in groups
    # the package's parts are grouped too, beside the plugins that call them
    assert "self_promoting_blog.cards" in groups and "self_promoting_blog.check" in groups


def test_prints_the_tables_and_writes_markdown_and_chart(bench_run):
    _, printed, _, results = bench_run
    for heading in ("Production build", "(c)/(a)", "warm (c)/cold (a)", "Other measurements",
                    "Targets", "livereload, 20 articles", "Wrote "):
        assert heading in printed
    markdown = (results / "latest.md").read_text(encoding="utf-8")
    assert "| articles | (a) s | (b) s | (c) s |" in markdown and "| 20 |" in markdown
    assert "Machine: " in markdown and "Pelican 4." in markdown
    png = (results / "build-times.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


def test_each_setup_builds_what_it_claims(bench_run):
    """(a) has no plugin output, (b) has pelican-seo's Open Graph tags, (c) our theme and cards."""
    *_, work, _ = bench_run
    site = work / "sites" / "20"
    page = "articles/post-00003/index.html"
    bare = (site / "output-bare" / page).read_text(encoding="utf-8")
    community = (site / "output-community" / page).read_text(encoding="utf-8")
    ours = (site / "output-ours" / page).read_text(encoding="utf-8")
    assert "og:title" not in bare and (site / "output-bare" / "feeds" / "all.atom.xml").is_file()
    assert 'property="og:title"' in community
    assert (site / "output-community" / "sitemap.xml").is_file()
    assert "/theme/css/site.css" in ours and 'property="og:image"' in ours
    assert (site / "output-ours" / "cards").is_dir()
    assert "<rss" in (site / "output-ours" / "feeds" / "all.rss.xml").read_text(encoding="utf-8")
