"""The live check reads pages as browsers do.

Titles in any script must reach all eight networks however the site's server labels its HTML:
with a charset, without one (nginx's and Python's http.server's default), or with a BOM.
"""

from __future__ import annotations

import codecs

import pytest

from promote.pages import decode_html

from tests.conftest import serving
from tests.fakes.site import SERVED_AS
from tests.networks_support import ALL, World, world_of

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
def test_titles_in_any_script_post_once_on_all_eight_networks(request, tmp_path, fake_site,
                                                              html_as):
    fake_site.html_as = html_as
    world = world_of(request, tmp_path, fake_site, ALL)
    for day, (slug, title) in enumerate(TITLES.items(), start=1):
        world.article(slug, title, date=f"2024-06-0{day}T09:00:00+02:00")
    run = world.promote()
    assert run.code == 0, run.output
    assert_each_title_posted_once(world, ALL)
    again = world.promote()
    assert again.code == 0 and "skipped" not in again.output, again.output
    assert {n: len(world.posts(n)) for n in ALL} == dict.fromkeys(ALL, len(TITLES))


def assert_each_title_posted_once(world: World, names: tuple[str, ...]) -> None:
    for name in names:
        states = world.states(name)
        assert {slug: states[slug] for slug in TITLES} == dict.fromkeys(TITLES, "posted"), name
        assert len(world.posts(name)) == len(TITLES), name
    telegram = [m["text"] for m in world.posts("telegram")]
    assert [text.split("\n")[0] for text in telegram] == list(TITLES.values())


def test_a_real_pelican_build_on_python_http_server_announces_every_title_once(
        request, tmp_path, build_site, fake_site):
    """http.server sends `Content-Type: text/html` with no charset, like nginx's default."""
    world = World(tmp_path, fake_site, {n: request.getfixturevalue(f"fake_{n}") for n in ALL})
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
