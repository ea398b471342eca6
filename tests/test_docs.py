"""The documentation's links lead somewhere, and its generated settings tables match the code."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from self_promoting_blog.derived.settings_reference import PARTS, ROOT, read_defaults

PAGES = sorted([ROOT / "README.md", ROOT / "ARCHITECTURE.md", ROOT / "CONTRIBUTING.md",
                *(ROOT / "docs").rglob("*.md")])
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
CODE_SPAN = re.compile(r"(`+).+?\1", re.S)
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def anchors(markdown: str) -> set[str]:
    """The ids GitHub gives the page's headings (lower case, punctuation dropped, - for spaces,
    -1, -2 … for repeats)."""
    seen: dict[str, int] = {}
    found = set()
    for title in HEADING.findall(FENCE.sub("", markdown)):
        slug = re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def relative_links(markdown: str) -> list[str]:
    """Every link and image target outside code that is not a URL with a scheme."""
    prose = CODE_SPAN.sub("", FENCE.sub("", markdown))
    return [target for target in LINK.findall(prose)
            if not re.match(r"[a-z][a-z0-9+.-]*:", target, re.I)]


def broken_links(page: Path) -> list[str]:
    """Each relative link of `page` whose file or heading does not exist, with why."""
    problems = []
    for target in relative_links(page.read_text(encoding="utf-8")):
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            problems.append(f"{target}: no such file {os.path.relpath(dest, page.parent)}")
        elif anchor and dest.suffix == ".md" and \
                anchor not in anchors(dest.read_text(encoding="utf-8")):
            problems.append(f"{target}: {os.path.relpath(dest, page.parent)} has no heading "
                            f"#{anchor}")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading(page: Path) -> None:
    problems = broken_links(page)
    assert not problems, f"{page.relative_to(ROOT)}: " + "; ".join(problems)


def test_the_link_check_finds_a_missing_file_and_a_missing_heading(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other page\n\n## Why `this`, and how?\n")
    page.write_text("[ok](other.md#why-this-and-how) [gone](missing.md) "
                    "[no heading](other.md#nowhere) `[in code](missing.md)` "
                    "[web](https://example.com/x.md) [here](#a-title)\n\n# A title\n")
    problems = [problem.split(":")[0] for problem in broken_links(page)]
    assert problems == ["missing.md", "other.md#nowhere"]


def test_the_settings_reference_reads_each_key_with_its_own_comment() -> None:
    package = ROOT / "src" / "self_promoting_blog"
    promote = {s.name: s for s in read_defaults(package / "promote" / "settings.py")}
    feeds = {s.name: s for s in read_defaults(ROOT / "plugins/feeds/settings.py")}
    assert promote["PROMOTE_MAX_PER_RUN"].default == "5"
    assert promote["PROMOTE_MAX_PER_RUN"].comment.startswith("At most this many posts")
    assert promote["PROMOTE_LEDGER_PATH"].comment == ""  # covered by the comment above it
    assert feeds["FEEDS_SUBTITLE"].comment == "None: SITESUBTITLE, else SITE_DESCRIPTION"
    assert feeds["FEEDS_CATEGORY_TITLE"].comment == ""  # not FEEDS_ICON's comment
    names = [s.name for part in PARTS for s in read_defaults(ROOT / part.module)]
    assert len(names) == len(set(names)) and "DEPLOY_GZIP_TYPES" in names
