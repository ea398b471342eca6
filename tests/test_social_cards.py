"""Social cards: 1200×630 PNGs drawn with Pillow, fitted titles, a cache keyed by their inputs."""

from __future__ import annotations

import io
import logging
import re
import struct
import zlib

import pytest
from PIL import Image, ImageChops

from self_promoting_blog.cards.draw import HEIGHT, WIDTH, CardText, Fonts, draw_card, render
from self_promoting_blog.cards.layout import drawable, fit
from self_promoting_blog.cards.settings import SettingsError, load_settings
from tests.support.site import run_pelican, site_settings, write_site

SETTINGS = load_settings({"SITENAME": "Signal & Reach", "CACHE_PATH": "/nonexistent"})
FONTS = Fonts(SETTINGS.font, SETTINGS.font_bold)
LONG_TITLE = ("An unreasonably long title about measuring earned media across seven networks, "
              "three continents and one very patient analytics team " * 4)


def article(title: str, slug: str = "post") -> str:
    return (f"Title: {title}\nDate: 2024-03-05 10:00\nCategory: Field Notes\nSlug: {slug}\n"
            f"Summary: Summary.\n\nBody.\n")


def card_log(caplog) -> str:
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("social_cards:")]
    assert len(lines) == 1, lines
    return lines[0]


def test_cards_are_1200x630_pngs_and_only_changes_are_redrawn(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    content = write_site(tmp_path, {"articles/a.md": article("First title", "first"),
                                    "articles/b.md": article("Second title", "second"),
                                    "pages/about.md": "Title: About\n\nAbout us.\n"})
    conf = site_settings(tmp_path, content)
    output = run_pelican(conf)
    cards = {p.relative_to(output / "cards").as_posix() for p in (output / "cards").rglob("*.png")}
    assert cards == {"first.png", "second.png", "pages/about.png", "site/home.png"}
    for name in cards:
        with Image.open(output / "cards" / name) as png:
            assert (png.format, png.size) == ("PNG", (WIDTH, HEIGHT))
    assert re.search(r"4 cards in cards/ \(4 drawn", card_log(caplog))
    first = (output / "cards/first.png").read_bytes()
    second = (output / "cards/second.png").read_bytes()

    caplog.clear()
    run_pelican(site_settings(tmp_path, content))
    assert re.search(r"4 cards in cards/ \(0 drawn .* 4 reused", card_log(caplog))
    assert (output / "cards/first.png").read_bytes() == first

    (content / "articles/a.md").write_text(article("A changed title", "first"), encoding="utf-8")
    caplog.clear()
    run_pelican(site_settings(tmp_path, content))
    assert re.search(r"\(1 drawn .* 3 reused .* 1 stale", card_log(caplog))
    assert (output / "cards/first.png").read_bytes() != first
    assert (output / "cards/second.png").read_bytes() == second
    assert len(list((tmp_path / "cache" / "social_cards").glob("*.png"))) == 4


def test_colours_and_fonts_come_from_settings(tmp_path):
    content = write_site(tmp_path, {"articles/a.md": article("Colours", "colours")})
    output = run_pelican(site_settings(tmp_path, content, SOCIAL_CARDS_BACKGROUND="#123456",
                                       SOCIAL_CARDS_ACCENT="rgb(200, 10, 10)"))
    with Image.open(output / "cards/colours.png") as png:
        assert png.convert("RGB").getpixel((600, 620)) == (0x12, 0x34, 0x56)
        assert png.convert("RGB").getpixel((5, 300)) == (200, 10, 10)  # the accent stripe
    with pytest.raises(SettingsError, match="SOCIAL_CARDS_BACKGROUND = 'not-a-colour'"):
        load_settings({"SOCIAL_CARDS_BACKGROUND": "not-a-colour"})
    with pytest.raises(SettingsError, match="not a font file"):
        load_settings({"SOCIAL_CARDS_FONT": str(tmp_path / "missing.ttf")})


@pytest.mark.parametrize("title", [
    "Short",
    LONG_TITLE,
    "Supercalifragilisticexpialidocious" * 6,
    "שלום עולם: מדריך ארוך מאוד לשיווק תוכן ברשתות חברתיות " * 3,
    '"><img src=x onerror=alert(1)> </script> 🚀🎉',
])
def test_titles_shrink_wrap_and_never_leave_the_box(title):
    box_width, box_height = 1040, 340
    block = fit(drawable(title, FONTS.bold), FONTS.bold, box_width, box_height, (80, 40))
    assert block.lines and block.height <= box_height
    assert all(block.font.getlength(line) <= box_width for line in block.lines)
    if title == "Short":
        assert block.font.size == 80
    if title == LONG_TITLE:
        assert block.font.size == 40 and block.lines[-1].endswith("…")
    # Nothing is drawn in the right margin or below the footer: no glyph overflowed.
    card = render(CardText("Signal & Reach", title, "Field Notes · 5 March 2024"),
                  SETTINGS.colours, FONTS).convert("RGB")
    background = Image.new("RGB", card.size, SETTINGS.colours.background)
    for box in ((WIDTH - 70, 0, WIDTH, HEIGHT), (16, HEIGHT - 30, WIDTH, HEIGHT)):
        assert ImageChops.difference(card.crop(box), background.crop(box)).getbbox() is None, box


def test_glyphs_the_font_lacks_are_dropped_not_drawn_as_boxes():
    assert drawable("Launch 🚀 day\u200d✨\n  now", FONTS.bold) == "Launch day now"
    assert drawable("Ünïcode — “quotes” & ש", FONTS.bold) == "Ünïcode — “quotes” & ש"


def test_changed_title_changes_the_picture():
    one = render(CardText("S", "One title", ""), SETTINGS.colours, FONTS)
    two = render(CardText("S", "Another title", ""), SETTINGS.colours, FONTS)
    assert ImageChops.difference(one, two).getbbox() is not None


def _chunks(png: bytes) -> dict[bytes, bytes]:
    """A PNG's chunks by type, each checked against its CRC."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(png):
        length, kind = struct.unpack("!I4s", png[at:at + 8])
        data = png[at + 8:at + 8 + length]
        assert struct.unpack("!I", png[at + 8 + length:at + 12 + length])[0] == zlib.crc32(
            kind + data), kind
        chunks[kind] = chunks.get(kind, b"") + data
        at += 12 + length
    return chunks


@pytest.mark.parametrize("text", [
    CardText("Signal & Reach", "Short", "Field Notes · 5 March 2024"),
    CardText("Signal & Reach", LONG_TITLE, "Field Notes · 5 March 2024"),  # title meets footer
    CardText("שלום", "שלום עולם: מדריך לשיווק תוכן", ""),
    # Stacked accents reach from the title up into the site name's rows, or past the card's top.
    CardText("Signal & Reach", "A" + "\u0301" * 16, "x"),
    CardText("Signal & Reach", "A" + "\u0301" * 40, "x"),
    CardText("🎉", "🎉", "🎉"),  # nothing drawable: the backdrop alone
])
def test_a_card_png_splices_the_shared_rows_into_exactly_the_drawn_card(text):
    """Rows every card shares are compressed once and spliced in: the PNG is still whole.

    Its zlib stream inflates, checksum and all, to the scanlines of the card as drawn in one
    piece, and Pillow decodes it to the same palette and pixels.
    """
    png = draw_card(text, SETTINGS.colours, FONTS)
    card = render(text, SETTINGS.colours, FONTS)
    pixels = card.tobytes()
    scanlines = b"".join(b"\0" + pixels[row:row + WIDTH]
                         for row in range(0, WIDTH * HEIGHT, WIDTH))
    assert zlib.decompress(_chunks(png)[b"IDAT"]) == scanlines
    with Image.open(io.BytesIO(png)) as decoded:
        assert (decoded.mode, decoded.size) == ("P", (WIDTH, HEIGHT))
        assert decoded.getpalette() == card.getpalette()
        assert decoded.tobytes() == pixels
    assert draw_card(text, SETTINGS.colours, FONTS) == png  # and drawn again, the same bytes


def _many_articles(count: int) -> dict[str, str]:
    return {f"articles/a{n}.md": article(f"Article number {n} about reach", f"a{n}")
            for n in range(count)}


def test_many_missing_cards_are_drawn_by_workers_exactly_as_here(tmp_path, caplog, monkeypatch):
    from self_promoting_blog.cards import painter

    caplog.set_level(logging.INFO)
    count = painter.BATCH * 2
    content = write_site(tmp_path / "pool", _many_articles(count))
    output = run_pelican(site_settings(tmp_path / "pool", content))
    drawn = re.search(r"(\d+) cards in cards/ \((\d+) drawn \((\d+) beside the build",
                      card_log(caplog))
    assert drawn and int(drawn[1]) == int(drawn[2]) == count + 1  # + the site's card
    # By a worker process (the build draws too, once its pages are written).
    assert int(drawn[3]) >= 1
    by_workers = {p.name: p.read_bytes() for p in (output / "cards").glob("a*.png")}

    # The same site where no process can be started: every card drawn in the build's, same bytes.
    def no_process(*_args, **_kwargs):
        raise OSError("cannot start a process here")

    monkeypatch.setattr(painter.subprocess, "Popen", no_process)
    caplog.clear()
    content = write_site(tmp_path / "inline", _many_articles(count))
    output = run_pelican(site_settings(tmp_path / "inline", content))
    assert re.search(rf"\({count + 1} drawn \(0 beside the build", card_log(caplog))
    assert {p.name: p.read_bytes() for p in (output / "cards").glob("a*.png")} == by_workers
    assert len(by_workers) == count

    # SOCIAL_CARDS_WORKERS off (the live preview): no process is even tried, same bytes.
    def unexpected_process(*_args, **_kwargs):
        raise AssertionError("a worker process was started with SOCIAL_CARDS_WORKERS off")

    monkeypatch.setattr(painter.subprocess, "Popen", unexpected_process)
    caplog.clear()
    content = write_site(tmp_path / "off", _many_articles(count))
    output = run_pelican(site_settings(tmp_path / "off", content, SOCIAL_CARDS_WORKERS=False))
    assert re.search(rf"\({count + 1} drawn \(0 beside the build", card_log(caplog))
    assert {p.name: p.read_bytes() for p in (output / "cards").glob("a*.png")} == by_workers

    # Workers that die at once (killed, out of memory): the build draws their cards itself.
    monkeypatch.undo()
    monkeypatch.setattr(painter.sys, "executable", "/bin/false")
    caplog.clear()
    content = write_site(tmp_path / "dying", _many_articles(count))
    output = run_pelican(site_settings(tmp_path / "dying", content))
    assert re.search(rf"\({count + 1} drawn \(0 beside the build", card_log(caplog))
    assert {p.name: p.read_bytes() for p in (output / "cards").glob("a*.png")} == by_workers


def test_a_build_script_without_a_main_guard_runs_once(tmp_path):
    """Workers must not re-run the script that started the build (multiprocessing's would)."""
    import subprocess
    import sys

    from self_promoting_blog.cards import painter
    from tests.support.site import ROOT

    content = write_site(tmp_path, _many_articles(painter.BATCH * 2))
    script = tmp_path / "build.py"
    script.write_text(
        "import logging, sys\nlogging.basicConfig(level=logging.INFO)\n"
        "from pelican import Pelican\nfrom pelican.settings import read_settings\n"
        "print('BUILD STARTS', flush=True)\n"
        f"settings = read_settings({str(ROOT / 'pelicanconf.py')!r}, override={{"
        f"'PATH': {str(content)!r}, 'OUTPUT_PATH': {str(tmp_path / 'output')!r}, "
        f"'CACHE_PATH': {str(tmp_path / 'cache')!r}}})\n"
        "Pelican(settings).run()\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("BUILD STARTS") == 1, done.stdout
    assert re.search(r"\(33 drawn \((\d+) beside the build", done.stdout + done.stderr)
    assert len(list((tmp_path / "output" / "cards").glob("a*.png"))) == 32


def test_a_card_worker_does_not_load_openssl(tmp_path):
    """Each worker is a whole interpreter beside the build: what it imports is memory the whole
    build pays for. Hashing (OpenSSL, about 4 MB) is the build's job, never a worker's."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "import self_promoting_blog.cards.worker\n"
        "from self_promoting_blog.cards.batches import Batch, draw_into_cache\n"
        "from self_promoting_blog.cards.settings import Colours\n"
        "from self_promoting_blog.cards.spec import CardText, Fonts\n"
        f"fonts = Fonts(Path({str(FONTS.regular)!r}), Path({str(FONTS.bold)!r}))\n"
        "colours = Colours((250, 250, 250), (20, 20, 20), (11, 107, 102), (90, 90, 90))\n"
        f"draw_into_cache(Batch(Path({str(tmp_path)!r}), [('k', CardText('Site', 'A title'))],"
        " colours, fonts))\n"
        "print(sorted(m for m in ('hashlib', '_hashlib') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "k.png").is_file()
    assert done.stdout.strip() == "[]"
