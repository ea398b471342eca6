"""`invoke check` on the headers promotion reads: Followups:, Evergreen: and Responses:."""

from __future__ import annotations

import pytest

from self_promoting_blog.check.checker import check_site
from tests.support.site import site_settings, write_site

HEAD = "Title: Fine\nDate: 2025-03-01 09:00\nCategory: Tips\n"

CASES = {
    "empty followups": (
        HEAD + "Followups:\n\nText.\n",
        'content/articles/a.md:4: Followups is empty; write one follow-up per line, indented '
        'under "Followups:" (each goes out on its day, with the link), or delete the line'),
    "repeated follow-up": (
        HEAD + "Followups: Owned channels compound.\n    A statistic.\n"
               "    Owned  channels compound.\n\nText.\n",
        "content/articles/a.md:6: Follow-up 3 repeats follow-up 1 word for word; write a "
        "different text: X, Facebook and LinkedIn refuse a post they have seen, and readers "
        "skip it"),
    "unknown placeholder": (
        HEAD + "Followups:\n    Read {title} again: {url}\n\nText.\n",
        'content/articles/a.md:5: Follow-up 1 has "{title}", which is not filled in, so it '
        "would be posted as written; write the words themselves; only {url} (the link) and "
        "{hashtags} are filled in"),
    "evergreen neither yes nor no": (
        HEAD + "Evergreen: sometimes\n\nText.\n",
        'content/articles/a.md:4: Evergreen "sometimes" is neither yes nor no, so the article '
        'is never shared again; write "Evergreen: no" to keep it from being shared again, or '
        "delete the line (yes)"),
    "responses neither on nor off": (
        HEAD + "Responses: maybe\n\nText.\n",
        'content/articles/a.md:4: Responses "maybe" is neither on nor off, so the article shows '
        'no replies; write "Responses: off" to show none under it, or delete the line (on)'),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_bad_promotion_header_is_an_error_at_its_line_with_the_fix(tmp_path, case):
    text, expected = CASES[case]
    result = check_site(site_settings(tmp_path, write_site(tmp_path, {"articles/a.md": text})))
    assert [str(p) for p in result.problems] == [expected]
    assert [p.is_error for p in result.problems] == [True]


def test_good_promotion_headers_pass(tmp_path):
    text = (HEAD + "Evergreen: No\nResponses: OFF\nFollowups: Owned channels compound: {url}\n"
                   "    A statistic worth sharing. {hashtags}\n\nText.\n")
    result = check_site(site_settings(tmp_path, write_site(tmp_path, {"articles/a.md": text})))
    assert result.problems == ()
