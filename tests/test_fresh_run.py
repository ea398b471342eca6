"""Builds in one long-lived process (tests, the live preview, `publish`) behave like builds in a
new process: a build that crashed does not leave the next one without its sitemap."""

from __future__ import annotations

import shutil
from pathlib import Path

from self_promoting_blog.build.build import build_site
from tests.support.site import ROOT, write_site

ARTICLE = "Title: Only one\nDate: 2024-05-01 10:00\nCategory: Strategy\nSummary: One.\n\nText.\n"


def test_a_crashed_build_does_not_cost_the_next_build_its_sitemap(tmp_path: Path) -> None:
    content = write_site(tmp_path, {"articles/only-one.md": ARTICLE})
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    article = theme / "templates" / "article.html"
    good = article.read_text(encoding="utf-8")
    overrides = {"PATH": str(content), "OUTPUT_PATH": str(tmp_path / "output"),
                 "CACHE_PATH": str(tmp_path / "cache"), "THEME": str(theme)}

    article.write_text(good.replace("{% block content %}",
                                    "{% block content %}{{ article.nothing.here() }}", 1),
                       encoding="utf-8")
    crashed = build_site(ROOT / "pelicanconf.py", production=False, overrides=overrides)
    assert not crashed.replaced and any("UndefinedError" in e for e in crashed.errors)

    article.write_text(good, encoding="utf-8")
    result = build_site(ROOT / "pelicanconf.py", production=False, overrides=overrides)
    assert result.replaced, result.errors
    sitemap = (tmp_path / "output" / "sitemap.xml").read_text(encoding="utf-8")
    assert "/articles/only-one/" in sitemap
