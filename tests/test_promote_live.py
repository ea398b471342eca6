"""The live check reads pages as browsers do, and says when waiting will not fix a page.

Titles in any script must reach every network however the site's server labels its HTML:
with a charset, without one (nginx's and Python's http.server's default), or with a BOM. A page
whose og: tags still differ from the build on the next run is an error with its fix, not a skip.
"""

from __future__ import annotations

import codecs

import pytest

from self_promoting_blog.live import decode_html
from self_promoting_blog.promote.networks import known_networks
from tests.fakes.site import SERVED_AS
from tests.fakes.world import FIRST_FOUR, NEW, World
from tests.support.site import serving

ALL = known_networks()

# Titles as marketers write them: accents and emoji, CJK, Thai, curly quotes and dashes.
TITLES = {
    "cafe-stories": "Café stories that travel 📣",
    "reach-in-chinese": "内容营销：让每个故事走得更远",
    "reach-in-thai": "การตลาดเนื้อหาที่คนอยากแชร์",
    "earn-the-share": "Don’t post — “earn” the share",
    "uber-reichweite": "Über Reichweite: señales que cuentan",
}


# -- decoding a fetched page --------------------------------------------------------------------


@pytest.mark.parametrize("content_type, body, text", [
    # No BOM, no charset, no <meta charset>: UTF-8 (requests' .text would say ISO-8859-1).
    ("text/html", "<p>Café 📣".encode(), "<p>Café 📣"),
    (None, "<p>内容营销".encode(), "<p>内容营销"),
    # The header's charset, by its WHATWG label: "iso-8859-1" means windows-1252 (’ is 0x92).
    ("text/html; charset=ISO-8859-1", b"<p>Don\x92t", "<p>Don’t"),
    ("text/html; charset=utf-8", "<p>Über".encode(), "<p>Über"),
    # A BOM beats the header (a server's default label, the file's own bytes) and is dropped.
    ("text/html; charset=iso-8859-1", codecs.BOM_UTF8 + "<p>Café".encode(), "<p>Café"),
    ("text/html", codecs.BOM_UTF16_LE + "<p>ไทย".encode("utf-16-le"), "<p>ไทย"),
    # No header charset: the <meta> prescan of the first bytes, both spellings.
    ("text/html", b'<meta charset="windows-1252"><p>caf\xe9',
     '<meta charset="windows-1252"><p>café'),
    ("text/html", b'<meta http-equiv="Content-Type" content="text/html; charset=shift_jis">'
     b"\x82\xa0", '<meta http-equiv="Content-Type" content="text/html; charset=shift_jis">あ'),
    # The header beats the <meta>.
    ("text/html; charset=utf-8", '<meta charset="iso-8859-1"><p>é'.encode(),
     '<meta charset="iso-8859-1"><p>é'),
    # A label nobody knows is ignored, so the <meta> decides.
    ("text/html; charset=no-such-thing", '<meta charset="utf-8"><p>é'.encode(),
     '<meta charset="utf-8"><p>é'),
    # A <meta> that says UTF-16 in ASCII bytes cannot be right: browsers read UTF-8.
    ("text/html", '<meta charset="utf-16"><p>é'.encode(), '<meta charset="utf-16"><p>é'),
    # Bytes that are not UTF-8 become U+FFFD rather than an exception.
    ("text/html", b"<p>caf\xe9 au lait", "<p>caf\ufffd au lait"),
])
def test_decode_html_follows_the_browsers_order(content_type, body, text):
    assert decode_html(body, content_type) == text


# -- every title on every network, however the server labels the page ---------------------------


@pytest.mark.parametrize("html_as", list(SERVED_AS))
def test_titles_in_any_script_post_once_on_every_network(make_world, fake_site, html_as):
    fake_site.html_as = html_as
    world = make_world(*ALL)
    for day, (slug, title) in enumerate(TITLES.items(), start=1):
        world.article(slug, title, date=f"2024-06-0{day}T09:00:00+02:00")
    run = world.promote()
    assert run.code == 0, run.output
    assert_each_title_posted_once(world, ALL)
    again = world.promote()
    assert again.code == 0 and "skipped" not in again.output, again.output
    assert {n: len(world.posts(n)) for n in ALL} == dict.fromkeys(ALL, len(TITLES))


def assert_each_title_posted_once(world: World, names: list[str]) -> None:
    for name in names:
        states = world.states(name)
        assert {slug: states[slug] for slug in TITLES} == dict.fromkeys(TITLES, "posted"), name
        assert len(world.posts(name)) == len(TITLES), name
    telegram = [m["text"] for m in world.posts("telegram")]
    assert [text.split("\n")[0] for text in telegram] == list(TITLES.values())


def test_a_real_pelican_build_on_python_http_server_announces_every_title_once(
        make_world, build_site, fake_site):
    """http.server sends `Content-Type: text/html` with no charset, like nginx's default."""
    world = make_world(*ALL, baseline=False)
    output = world.root / "output"
    output.mkdir()
    files = {"articles/old.md": article("An older piece", "2024-01-05")}
    with serving(output) as siteurl:
        world.overrides["SITEURL"] = siteurl

        def build() -> None:
            build_site(files=files, production=True, SITEURL=siteurl, OUTPUT_PATH=str(output))

        build()
        assert world.promote().code == 0  # the first run: the old piece is the baseline
        for day, (slug, title) in enumerate(TITLES.items(), start=1):
            files[f"articles/{slug}.md"] = article(title, f"2024-06-0{day}", slug)
        build()
        run = world.promote()
        assert run.code == 0, run.output
        assert_each_title_posted_once(world, ALL)
        assert world.promote().code == 0
    assert {n: len(world.posts(n)) for n in ALL} == dict.fromkeys(ALL, len(TITLES))
    assert not fake_site.requests  # every page came from http.server


def article(title: str, date: str, slug: str | None = None) -> str:
    """A Markdown article as a writer saves it."""
    header = f"Title: {title}\nDate: {date} 09:00\nCategory: Strategy\nTags: content marketing\n"
    header += f"Summary: Why “{title}” travels.\n" + (f"Slug: {slug}\n" if slug else "")
    return header + "\nBody.\n"


# -- a page that will not fix itself -------------------------------------------------------------


def counts(world) -> dict[str, int]:
    return {n: len(world.posts(n)) for n in FIRST_FOUR}


@pytest.fixture
def world(make_world):
    """Four networks past their first run."""
    world = make_world(*FIRST_FOUR, baseline=False)
    world.article("first-steps", date="2024-01-10T09:00:00+01:00")
    assert world.promote().code == 0
    return world


def test_a_tag_mismatch_seen_twice_is_an_error_with_the_fix_then_posts_once_fixed(world):
    world.article("stale-card", "Stale card", date=NEW)
    old_card = world.site.url("cards/old.png")
    world.site.publish("articles/stale-card/", "Stale card", old_card)
    first = world.promote()  # a CDN may still serve the old page: wait for the next run
    assert first.code == 0 and "stale-card" not in str(counts(world))
    assert world.states("telegram")["stale-card"] == "skipped"
    assert "og:image is" in first.output and "failed" not in first.output
    for _ in range(2):  # still the same page on the next runs: the owner has to act
        run = world.promote()
        assert run.code == 1
        assert {n: world.states(n)["stale-card"] for n in FIRST_FOUR} == dict.fromkeys(
            FIRST_FOUR, "failed")
        text = " ".join(run.output.split())
        assert (f"articles/stale-card.md: the live page's og:image is '{old_card}', not "
                f"'{world.site.url('cards/stale-card.png')}' on two runs in a row: deploy the "
                "current build (`invoke publish`)") in text
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 0)
    world.site.publish("articles/stale-card/", "Stale card")
    fixed = world.promote()
    assert fixed.code == 0, fixed.output
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 1)
    assert world.promote().code == 0 and counts(world) == dict.fromkeys(FIRST_FOUR, 1)


def test_a_wrong_og_url_seen_twice_points_at_siteurl(world):
    world.article("moved-host", "Moved host", date=NEW)
    world.site.publish("articles/moved-host/", "Moved host",
                       og_url="https://staging.example/articles/moved-host/")
    assert world.promote().code == 0
    run = world.promote()
    assert run.code == 1 and world.states("discord")["moved-host"] == "failed"
    text = " ".join(run.output.split())
    assert "og:url is 'https://staging.example/articles/moved-host/', not " \
           f"'{world.site.url('articles/moved-host/')}'" in text
    assert "check SITEURL in publishconf.py" in text
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 0)


def test_a_different_mismatch_on_the_next_run_is_waited_for_again(world):
    world.article("changing", "Changing", date=NEW)
    world.site.publish("articles/changing/", "Changing", world.site.url("cards/old.png"))
    world.promote()
    world.site.publish("articles/changing/", "Changing, an older title")  # the deploy moved on
    run = world.promote()
    assert run.code == 0 and world.states("mastodon")["changing"] == "skipped"
    assert "og:title is 'Changing, an older title'" in run.output


def test_a_page_that_is_not_there_stays_a_skip_run_after_run(world):
    world.article("not-yet", date=NEW, publish=False)
    for _ in range(3):
        run = world.promote()
        assert run.code == 0 and "answered 404, not 200" in run.output
        assert world.states("bluesky")["not-yet"] == "skipped"
    assert counts(world) == dict.fromkeys(FIRST_FOUR, 0)
