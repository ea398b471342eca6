"""content_check and links: to articles that are not live, and plain addresses checked against
what the build wrote. Real builds, since what a link leads to is the build's doing."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from content_check.output_links import site_path
from self_promoting_blog.build.build import build_site as staged_build
from self_promoting_blog.check.checker import check_site
from tests.support.site import ROOT, site_settings, write_site

ZONE = ZoneInfo("Europe/Stockholm")  # pelicanconf TIMEZONE
NOW = datetime.now(ZONE).replace(second=0, microsecond=0)
STOPS = " (a production build stops on this)"


def at(days: int) -> datetime:
    return NOW + timedelta(days=days)


def shown(date: datetime) -> str:
    return date.strftime("%a %-d %b %Y %H:%M")


def article(title: str, date: datetime, extra: str = "", body: str = "Text.") -> str:
    return (f"Title: {title}\nDate: {date:%Y-%m-%d %H:%M}\nCategory: Tips\nTags: t\n{extra}\n"
            f"{body}\n")


def _build(tmp_path: Path, content: Path, production: bool):
    conf = "publishconf.py" if production else "pelicanconf.py"
    return staged_build(ROOT / conf, production=production, overrides={
        "PATH": str(content), "OUTPUT_PATH": str(tmp_path / "output"),
        "CACHE_PATH": str(tmp_path / "cache")})


# live links (Summary, line 5, and text, lines 7 and 9) to a scheduled article, a draft and a
# hidden one; the scheduled one links to one scheduled before it (fine) and one after (not).
NOT_LIVE = {
    "articles/live.md": article(
        "Live", at(-3), "Summary: Coming soon: [this]({filename}soon.md).\n",
        "Read [soon]({filename}soon.md), [the idea]({filename}idea.md) and "
        "[the hidden one]({filename}hid.md).\n\nAlso [out]({filename}out.md)."),
    "articles/soon.md": article("Soon", at(5), body="[out]({filename}out.md) "
                                "[sooner]({filename}sooner.md) [later]({filename}later.md)"),
    "articles/sooner.md": article("Sooner", at(2)),
    "articles/later.md": article("Later", at(9)),
    # Not live: its links to what is not live either are fine.
    "articles/idea.md": article("Idea", at(-1), "Status: draft\n", "[soon]({filename}soon.md)"),
    # Unlisted, leading to another unlisted one: a deliberate trail, fine.
    "articles/hid.md": article("Hid", at(-2), "Status: hidden\n", "[more]({filename}hid2.md)"),
    "articles/hid2.md": article("Hid Two", at(-2), "Status: hidden\n"),
    "articles/out.md": article("Out", at(-5)),
}
SOON = ('content/articles/live.md:{line}: The link "{{filename}}soon.md" leads to '
        f"content/articles/soon.md, which goes live on {shown(at(5))} (its Date, line 2)")
SOON_FIX = "; link it once it is live, publish it now (a Date that has passed), or remove the link"
IDEA = ('content/articles/live.md:7: The link "{filename}idea.md" leads to '
        "content/articles/idea.md, which is a draft (its Status, line 5)")
IDEA_FIX = "; link it once it is published, publish it (Status: published), or remove the link"
HIDDEN = ('content/articles/live.md:7: The link "{filename}hid.md" leads to '
          "content/articles/hid.md, which is hidden (its Status, line 5): the link works, but it "
          "lets readers find an article you chose not to list; remove the link, or set Status: "
          "published to list the article")
LATER = ('content/articles/soon.md:6: The link "{filename}later.md" leads to '
         f"content/articles/later.md, which goes live on {shown(at(9))} (its Date, line 2), "
         f"after this article ({shown(at(5))})")
LATER_FIX = ("; give content/articles/later.md a Date no later than this article's, link it once "
             "it is live, or remove the link")


def test_a_live_link_to_a_scheduled_or_draft_article_fails_production_and_warns_in_preview(
        tmp_path):
    content = write_site(tmp_path, NOT_LIVE)
    site = ", so on the site the link leads to the home page"
    errors = [
        SOON.format(line=5) + site + " until then" + SOON_FIX,
        IDEA + site + IDEA_FIX,
        SOON.format(line=7) + site + " until then" + SOON_FIX,
        LATER + ", so on the site the link would lead to the home page for a while" + LATER_FIX,
    ]
    production = check_site(site_settings(tmp_path, content, production=True))
    assert [(str(p), p.is_error) for p in production.problems] == [
        (errors[0], True), (HIDDEN, False), (errors[1], True), (errors[2], True),
        (errors[3], True)]

    preview = ": the preview shows it, but on the site the link leads to the home page"
    warnings = [
        SOON.format(line=5) + preview + " until then" + STOPS + SOON_FIX,
        HIDDEN,
        IDEA + preview + STOPS + IDEA_FIX,
        SOON.format(line=7) + preview + " until then" + STOPS + SOON_FIX,
        LATER + ": the preview shows it, but on the site the link would lead to the home page for "
                "a while" + STOPS + LATER_FIX,
    ]
    development = check_site(site_settings(tmp_path, content))
    assert [str(p) for p in development.problems] == warnings
    assert not any(p.is_error for p in development.problems)

    failed = _build(tmp_path, content, production=True)
    assert not failed.replaced
    assert [e for e in failed.errors if e.startswith("content_check")] == [
        f"content_check: {e}" for e in errors]
    assert f"content_check: {HIDDEN}" in failed.warnings

    built = _build(tmp_path, content, production=False)
    assert built.replaced and built.errors == ()
    assert [w for w in built.warnings if w.startswith("content_check")] == [
        f"content_check: {w}" for w in warnings]
    # In the preview each link still leads to its article.
    page = (tmp_path / "output" / "articles" / "live" / "index.html").read_text()
    for href in ("../../articles/soon/", "../../drafts/idea.html", "../../articles/hid/"):
        assert f'href="{href}"' in page


# Plain addresses, in Markdown and in raw HTML, relative ones read from the page's address.
PLAIN = {
    "articles/one.md": article("One", at(-2), body=(
        "Broken: [gone](/articles/no-such/) and [a typo](../twoo/).\n\n"
        "![A chart](/images/nope.png)\n\n"
        '<img src="../images/chart.png" alt="written from the file\'s folder">\n\n'
        "Fine: [two](../two/), [two again](/articles/two), [feed](/feeds/all.atom.xml), "
        "[a tag](/tag/t/), [style](/theme/css/site.css), [robots](/robots.txt), [home](/), "
        "[here](./), [query](/articles/two/?a=1&b=2), "
        "![chart](/images/chart.png).\n\n"
        "Not checked: [mail](mailto:me@example.org), [out](https://example.org/nope/), "
        "[top](#top), [protocol-relative](//example.org/x), `[code](/in/code/)`.\n")),
    "articles/two.md": article("Two", at(-1), body="Same slip: [gone](/articles/no-such/).\n"),
    "pages/about.md": "Title: About\n\n<a href='../articles/one/'>One</a> and "
                      "<a href=\"nope.html\">a page beside this one</a>.\n",
    "images/chart.png": "not really a PNG; the check only needs the file",
}
RELATIVE_FIX = ("; correct the address (a relative one starts from the page's address, {page}), "
                "or remove the link")
PLAIN_PROBLEMS = [  # (what is wrong, the fix)
    (('content/articles/one.md:6: The link "../twoo/" leads to /articles/twoo/, where the site '
      "has nothing"), RELATIVE_FIX.format(page="/articles/one/")),
    ('content/articles/one.md:6: The link "/articles/no-such/" leads to nothing on the site',
     "; correct the address, or remove the link"),
    ('content/articles/one.md:8: The image "/images/nope.png" leads to nothing on the site',
     "; correct the address, or remove the image"),
    (('content/articles/one.md:10: The image "../images/chart.png" leads to '
      "/articles/images/chart.png, where the site has nothing"),
     ("; write it as {static}../images/chart.png: a plain address starts from the page's "
      "address (/articles/one/), not from its file's folder")),
    ('content/articles/two.md:6: The link "/articles/no-such/" leads to nothing on the site',
     "; correct the address, or remove the link"),
    (('content/pages/about.md:3: The link "nope.html" leads to /about/nope.html, where the site '
      "has nothing"), RELATIVE_FIX.format(page="/about/")),
]


@pytest.mark.parametrize("production", [True, False], ids=["production", "preview"])
def test_plain_links_and_images_are_checked_against_what_the_build_wrote(tmp_path, production):
    content = write_site(tmp_path, PLAIN)
    result = _build(tmp_path, content, production)
    if production:
        assert not result.replaced
        assert result.errors == tuple(f"content_check: {what}{fix}" for what, fix in PLAIN_PROBLEMS)
        assert result.warnings == ()
    else:
        assert result.replaced and result.errors == ()
        assert result.warnings == tuple(f"content_check: {what}{STOPS}{fix}"
                                        for what, fix in PLAIN_PROBLEMS)
    # `invoke check` cannot see the output, and does not pretend to.
    assert check_site(site_settings(tmp_path, content, production=production)).problems == ()


@pytest.mark.parametrize("href, page, prefix, expected", [
    ("/articles/x/", "articles/one/", "", "articles/x/"),
    ("../x/", "articles/one/", "", "articles/x/"),
    ("x.png", "articles/one/", "", "articles/one/x.png"),
    ("../../../../x.png", "articles/one/", "", "x.png"),  # a browser stops at the top
    ("..", "articles/one/", "", "articles/"),
    ("/", "about/", "", ""),
    ("/blog/images/a%20b.png", "articles/one/", "/blog", "images/a b.png"),
    ("../two/", "articles/one/", "/blog", "articles/two/"),
    ("/elsewhere/", "articles/one/", "/blog", None),  # the host's, not this site's
    ("https://example.org/", "articles/one/", "", None),
    ("mailto:me@example.org", "articles/one/", "", None),
    ("#top", "articles/one/", "", None),
    ("?page=2", "articles/one/", "", None),
    ("{filename}/articles/x.md", "articles/one/", "", None),
])
def test_where_a_plain_address_leads(href, page, prefix, expected):
    assert site_path(href, lambda: page, prefix) == expected
