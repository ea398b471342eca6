"""content_check: every rule's exact message, and what each does to a real build."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from self_promoting_blog.build.build import build_site as staged_build
from self_promoting_blog.check.checker import check_site
from self_promoting_blog.content.header import split_header
from self_promoting_blog.writing.new_post import create_post
from tests.support.site import ROOT, site_settings, write_site

# Example dates in messages are in the future whenever they are read.
NEXT_YEAR = datetime.now().year + 1
GOOD = "Title: Fine\nDate: 2025-03-01 09:00\nCategory: Tips\nTags: a, b\n\nSome text.\n"

# (files, the exact line a writer sees, is it an error)
CASES = {
    "impossible date": (
        {"articles/foo.md": "Title: Foo\nCategory: Tips\nDate: 2026-02-30\n\nText.\n"},
        'content/articles/foo.md:3: Date "2026-02-30" is not on the calendar: February 2026 has '
        "28 days; pick a day that exists", True),
    "impossible time": (
        {"articles/late.md": "Title: Late\nDate: 2026-03-01 25:00\nCategory: Tips\n\nText.\n"},
        'content/articles/late.md:2: Date "2026-03-01 25:00" is not on the calendar: 25:00 is '
        "not a time of day; pick a time from 00:00 to 23:59", True),
    "unreadable date": (
        {"articles/someday.md": "Title: Someday\nDate: next tuesday-ish\nCategory: Tips\n\n"
                                "Text.\n"},
        'content/articles/someday.md:2: Date "next tuesday-ish" is not a date the blog can read; '
        f"write it as YYYY-MM-DD HH:MM, for example {NEXT_YEAR}-01-15 09:00", True),
    "missing title": (
        {"articles/untitled.md": "Date: 2025-01-01\nCategory: Tips\n\nText.\n"},
        'content/articles/untitled.md:1: Title is missing; add a line "Title: Your headline" at '
        "the top of the file", True),
    "missing date": (
        {"articles/undated.md": "Title: Undated\nCategory: Tips\n\nText.\n"},
        'content/articles/undated.md:1: Date is missing; add a line "Date: YYYY-MM-DD HH:MM" under '
        "the title (when the article goes live)", True),
    "unknown status": (
        {"articles/status.md": "Title: Status\nDate: 2025-01-01\nStatus: publish\n"
                               "Category: Tips\n\nText.\n"},
        'content/articles/status.md:3: Status "publish" is not one of published, draft, hidden; '
        "write published (on the site), draft (kept off the site) or hidden (on the site, but "
        "not listed)", True),
    "status in capitals": (
        {"pages/about.md": "Title: About\nStatus: Hidden\n\nText.\n"},
        'content/pages/about.md:2: Status "Hidden" is not one of published, draft, hidden; '
        'write it in lower case: "hidden"', True),
    "empty body": (
        {"articles/empty.md": "Title: Empty\nDate: 2025-01-01\nCategory: Tips\n\n\n"},
        "content/articles/empty.md:5: The article has no text; write the article below the "
        "header, after one blank line", True),
    "empty page": (
        {"pages/blank.md": "Title: Blank\n"},
        "content/pages/blank.md: The page has no text; write the page below the header, after "
        "one blank line", True),
    "duplicate slug": (
        {"articles/a.md": "Title: One\nDate: 2025-01-01\nSlug: same\nCategory: Tips\n\nText.\n",
         "articles/b.md": "Title: Two\nDate: 2025-01-02\nSlug: same\nCategory: Tips\n\nText.\n"},
        'content/articles/b.md:3: Slug "same" is also used by content/articles/a.md, and two '
        "articles cannot share one address; give one of them a different Slug (or Title)", True),
    "malformed header line": (
        {"articles/tags.md": "Title: Tags\nDate: 2025-01-01\nTags tips, social\nCategory: X\n\n"
                            "Text.\n"},
        'content/articles/tags.md:3: "Tags tips, social" is not a "Key: value" line, so the '
        'header ends here and the lines below it are lost; write it as "Tags: tips, social"',
        True),
    "broken link": (
        {"articles/link.md": "Title: Link\nDate: 2025-01-01\nCategory: Tips\n\nIntro.\n\nSee [this]"
                            "({filename}/articles/gone.md).\n"},
        'content/articles/link.md:7: The link "{filename}/articles/gone.md" points at nothing '
        "(there is no content/articles/gone.md); correct the path (a path starting with / "
        "starts in the content folder), or remove the link", True),
    "broken image": (
        {"pages/photo.md": "Title: Photo\n\n![Me]({static}../images/me.png)\n"},
        'content/pages/photo.md:3: The image "{static}../images/me.png" points at nothing '
        "(there is no content/images/me.png); correct the path (a path starting with / starts "
        "in the content folder), or remove the image", True),
    "long summary": (
        {"articles/long.md": "Title: Long\nDate: 2025-01-01\nCategory: Tips\nSummary: "
                             + "word " * 50 + "\n\nT.\n"},
        "content/articles/long.md:4: Summary is 249 characters, too long to share (previews "
        "and posts cut it after 200); shorten it to 200 characters or fewer", False),
    "no category": (
        {"articles/nocat.md": "Title: Nocat\nDate: 2025-01-01\n\nText.\n",
         "articles/other.md": "Title: Other\nDate: 2025-01-01\nCategory: Tips\n\nText.\n"},
        'content/articles/nocat.md:1: Category is missing, so the article is filed under "Notes"; '
        'add a line "Category: Tips" (in use: Tips)', False),
    "misspelt key": (
        {"articles/typo.md": "Title: Typo\nDate: 2025-01-01\nCatgory: Tips\nCategory: Tips\n\n"
                             "Text.\n"},
        'content/articles/typo.md:3: "Catgory" is not a field the blog knows, so it is ignored; '
        'did you mean "Category"? Rename it', False),
}


def _check(tmp_path: Path, files: dict[str, str], **overrides):
    content = write_site(tmp_path, files)
    return check_site(site_settings(tmp_path, content, **overrides))


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_rule_reports_its_problem_exactly(tmp_path, case):
    files, expected, is_error = CASES[case]
    result = _check(tmp_path, files)
    assert [str(p) for p in result.problems] == [expected]
    assert [p.is_error for p in result.problems] == [is_error]


def test_a_clean_site_and_the_demo_content_have_no_problems(tmp_path):
    assert _check(tmp_path, {"articles/ok.md": GOOD,
                             "articles/linked.md": GOOD.replace("Fine", "Linked") +
                             "\n[ok]({filename}ok.md) `{filename}/in-code.md`\n\n"
                             "```\n[x]({filename}/in-a-fence.md)\n```\n"}).problems == ()
    demo = check_site(site_settings(tmp_path))
    assert [str(p) for p in demo.problems] == []
    assert demo.articles >= 6 and demo.pages >= 1


def test_summary_limit_is_a_setting(tmp_path):
    files = {"articles/foo.md": GOOD.replace("Tags: a, b", "Summary: " + "x" * 30)}
    assert _check(tmp_path, files).problems == ()
    (warning,) = _check(tmp_path, files, CONTENT_CHECK_SUMMARY_MAX=20).problems
    assert warning.field == "Summary" and "cut it after 20" in warning.message


def test_text_right_after_the_header_is_a_warning_not_lost_text(tmp_path):
    (problem,) = _check(tmp_path, {"articles/foo.md": "Title: Foo\nDate: 2025-01-01\n"
                                                      "Category: Tips\nStraight into the text.\n"}
                        ).problems
    assert not problem.is_error and problem.line == 4
    assert "put one blank line between the header and the text" in str(problem)


def test_header_parser_follows_markdown_meta_rules():
    fields, malformed, body = split_header(
        ["---", "Title: A", "Summary: first", "    second", "---", "Body"])
    assert [(f.key, f.value, f.line) for f in fields] == [
        ("Title", "A", 2), ("Summary", "first\nsecond", 3)]
    assert malformed == [] and body == 5


def _production(tmp_path: Path, files: dict[str, str]):
    content = write_site(tmp_path, files)
    return staged_build(ROOT / "publishconf.py", production=True, overrides={
        "PATH": str(content), "OUTPUT_PATH": str(tmp_path / "output"),
        "CACHE_PATH": str(tmp_path / "cache")})


ERRORS = [name for name, (_, _, is_error) in CASES.items() if is_error]


@pytest.mark.parametrize("case", ERRORS, ids=ERRORS)
def test_each_error_alone_fails_a_production_build(tmp_path, case):
    files, expected, _ = CASES[case]
    result = _production(tmp_path, {"articles/ok.md": GOOD, **files})
    assert not result.ok and not result.replaced
    assert f"content_check: {expected}" in result.errors


def test_production_build_fails_listing_every_error_once(tmp_path):
    files = {"articles/ok.md": GOOD}
    expected = []
    for files_of_case, message, is_error in CASES.values():
        if is_error and not set(files_of_case) & set(files):
            files.update(files_of_case)
            expected.append(f"content_check: {message}")
    result = _production(tmp_path, files)
    assert not result.ok and not result.replaced
    ours = [e for e in result.errors if e.startswith("content_check: ")]
    assert sorted(ours) == sorted(expected)
    # Pelican's own terse line about each of these files is not repeated.
    assert not [e for e in result.errors if e.startswith(("Could not process", "Skipping",
                                                          "Unknown status", "Unable to find"))]
    assert not (tmp_path / "output").exists()


def test_warnings_alone_do_not_stop_a_production_build(tmp_path):
    files = {"articles/ok.md": GOOD.replace("Category:", "Catgory: x\nCategory:")}
    result = _production(tmp_path, files)
    assert result.ok and result.articles == 1
    assert result.warnings == ('content_check: content/articles/ok.md:3: "Catgory" is not a '
                               'field the blog knows, so it is ignored; did you mean '
                               '"Category"? Rename it',)
    assert (tmp_path / "output" / "articles" / "fine" / "index.html").is_file()


def test_duplicate_slug_keeps_the_first_file_in_a_development_preview(tmp_path):
    content = write_site(tmp_path, CASES["duplicate slug"][0])
    result = staged_build(ROOT / "pelicanconf.py", production=False, overrides={
        "PATH": str(content), "OUTPUT_PATH": str(tmp_path / "output"),
        "CACHE_PATH": str(tmp_path / "cache")})
    assert result.replaced and result.articles == 1
    assert result.errors == (f"content_check: {CASES['duplicate slug'][1]}",)
    page = (tmp_path / "output" / "articles" / "same" / "index.html").read_text()
    assert "One" in page and "Two" not in page


def test_placeholder_text_left_by_new_is_an_error_in_production_and_a_warning_in_the_preview(
        tmp_path):
    content = write_site(tmp_path, {"articles/ok.md": GOOD})
    create_post(site_settings(tmp_path, content), "Fresh Idea", category="Tips")
    path = content / "articles" / "fresh-idea.md"
    # A writer who kept the first sentence, rewrapped, under a paragraph of their own.
    path.write_text(path.read_text().replace(
        "Start with the one idea a reader should leave with, then back it up. Replace this "
        "paragraph with your article; the Summary above is what people see when they share it.",
        "My own first paragraph.\n\nStart with the one idea a reader should\nleave with, then "
        "back it up."))
    summary = ('content/articles/fresh-idea.md:6: Summary is still the placeholder "Fresh Idea: '
               'the short version, and…" that invoke new wrote')
    body = ('content/articles/fresh-idea.md:11: The text still has the placeholder "Start with '
            'the one idea a…" that invoke new wrote')
    summary_fix = "; write the sentence people should see when the article is shared"
    body_fix = "; replace it with your own text"

    production = check_site(site_settings(tmp_path, content, production=True))
    assert [(str(p), p.is_error) for p in production.problems] == [
        (summary + summary_fix, True), (body + body_fix, True)]
    preview = check_site(site_settings(tmp_path, content))
    stops = " (a production build stops on this)"
    assert [(str(p), p.is_error, p.stops_production) for p in preview.problems] == [
        (summary + stops + summary_fix, False, True), (body + stops + body_fix, False, True)]

    built = _production(tmp_path, {})
    assert not built.replaced
    assert built.errors == (f"content_check: {summary}{summary_fix}",
                            f"content_check: {body}{body_fix}")

    path.write_text(path.read_text().replace("Status: published", "Status: draft"))
    draft = check_site(site_settings(tmp_path, content, production=True))
    assert [(p.line, p.is_error, p.stops_production) for p in draft.problems] == [
        (6, False, False), (11, False, False)]


def test_a_rarely_used_category_or_tag_close_to_an_established_one_is_a_warning(tmp_path):
    def article(name: str, category: str, tags: str) -> tuple[str, str]:
        return (f"articles/{name}.md", f"Title: {name}\nDate: 2025-01-01 09:00\n"
                                       f"Category: {category}\nTags: {tags}\n\nT.\n")

    # Each established name is used by three articles; each slip by one.
    established = "social-media, SEO, AI, content, writing, blog, email"
    files = dict(article(f"good{n}", "Strategy", established) for n in range(3))
    files |= dict([article("slips", "Strtegy", "Social media, emails"),
                   # Different words, however alike: no warning.
                   article("different", "Strategy", "SEM, API, context, waiting, blogging")])
    problems = _check(tmp_path, files).problems
    assert [str(p) for p in problems] == [
        'content/articles/slips.md:3: Category "Strtegy" is used by no other article and is '
        'close to "Strategy" (4 articles); did you mean "Strategy"? Write it the same way in '
        "every article",
        'content/articles/slips.md:4: Tag "Social media" is used by no other article and is '
        'close to "social-media" (3 articles); did you mean "social-media"? Write it the same way '
        "in every article",
        'content/articles/slips.md:4: Tag "emails" is used by no other article and is close to '
        '"email" (3 articles); did you mean "email"? Write it the same way in every article']
    assert not any(p.is_error for p in problems)


def test_a_second_check_reads_only_the_changed_files_and_says_what_a_fresh_one_says(
        tmp_path, monkeypatch):
    """The preview checks the site on every update: files unchanged since the last check are
    not read again, and the problems (across files too) are those a first check finds."""
    from self_promoting_blog.check import checker, facts
    from self_promoting_blog.content import stamps

    monkeypatch.setattr(stamps, "SETTLED_NS", -10**18)  # trust files written a moment ago
    monkeypatch.setattr(checker, "FACTS", facts.FactsMemory())
    read = []
    real_read = checker.read_source
    monkeypatch.setattr(checker, "read_source",
                        lambda path, *args: read.append(path.name) or real_read(path, *args))
    files = {f"articles/a{n}.md": GOOD.replace("Fine", f"Fine {n}").replace("Tips", "Strategy")
             for n in range(4)}
    files["articles/slip.md"] = GOOD.replace("Fine", "Slip").replace("Tips", "Strtegy")
    files["articles/links.md"] = (GOOD.replace("Fine", "Links").replace("Tips", "Strategy")
                                  + "\n[gone]({filename}gone.md) [a0]({filename}a0.md)\n")
    content = write_site(tmp_path, files)
    settings = site_settings(tmp_path, content)

    def fresh() -> list[str]:  # a check that keeps nothing, in this process or the cache
        monkeypatch.setattr(checker, "FACTS", facts.FactsMemory())
        return [str(p) for p in check_site({**settings, "BUILD_CACHE": False}).problems]

    first = [str(p) for p in check_site(settings).problems]
    assert first == fresh() and len(read) == 2 * len(files)
    assert any("Strtegy" in p for p in first) and any("gone.md" in p for p in first)

    read.clear()
    (content / "articles/gone.md").write_text(GOOD.replace("Fine", "Gone"), encoding="utf-8")
    (content / "articles/a1.md").write_text(GOOD.replace("Tips", "Strtegy"), encoding="utf-8")
    (content / "articles/a3.md").unlink()
    again = [str(p) for p in check_site(settings).problems]
    assert sorted(read) == ["a1.md", "gone.md"]  # the link's target appeared: links.md not read
    assert not any("gone.md" in p for p in again)
    assert again == fresh()
    assert sum("Strtegy" in p for p in again) == 2

    read.clear()
    check_site({**settings, "CONTENT_CHECK_SUMMARY_MAX": 10})
    assert len(read) == len(files)  # a setting the rules read: every file checked again


def test_a_new_process_checks_again_only_the_files_whose_bytes_changed(tmp_path, monkeypatch):
    """A build is a new process: the facts saved under CACHE_PATH by the last one are used for
    files whose bytes are the same, never for an edited file (even one whose modification time
    and size are unchanged), and not after a setting the rules read changes."""
    import os

    from self_promoting_blog.check import checker, facts
    from self_promoting_blog.content import stamps

    monkeypatch.setattr(stamps, "SETTLED_NS", -10**18)  # trust files written a moment ago
    read: list[str] = []
    real_read = checker.read_source
    monkeypatch.setattr(checker, "read_source",
                        lambda path, *args: read.append(path.name) or real_read(path, *args))
    summed = GOOD.replace("Tags:", "Summary: A short one.\nTags:")
    files = {f"articles/a{n}.md": summed.replace("Fine", f"Fine {n}") for n in range(3)}
    content = write_site(tmp_path, files)
    settings = site_settings(tmp_path, content, production=True)

    def new_process(changes: dict[str, object] | None = None) -> list[str]:
        monkeypatch.setattr(checker, "FACTS", facts.FactsMemory())
        read.clear()
        return [str(p) for p in check_site({**settings, **(changes or {})}).problems]

    assert new_process() == [] and len(read) == 3
    assert new_process() == [] and read == []
    check_site(settings)  # the same process again (a preview update) leaves the saved facts
    assert new_process() == [] and read == []

    # The same size and modification time, other bytes: a header error the writer just made.
    edited = content / "articles/a1.md"
    before = edited.stat()
    edited.write_text(files["articles/a1.md"].replace("Date:", "Dote:"), encoding="utf-8")
    assert edited.stat().st_size == before.st_size
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    problems = new_process()
    assert read == ["a1.md"] and any("a1.md" in p and "Dote" in p for p in problems)
    assert new_process() == problems and read == []  # the error is reported on every build

    lower = new_process({"CONTENT_CHECK_SUMMARY_MAX": 5})
    assert len(read) == 3 and any("Summary is" in p for p in lower)
    assert new_process({"BUILD_CACHE": False}) == problems and len(read) == 3
