"""The demo articles' SVG charts stay legible on a phone.

An article image scales down to the text column (site.css: `img { max-width: 100% }`), so a
chart's text shrinks with it. On a 390 px phone the column is 390 - 2 × 16 px gutter = 358 px;
every label must still render at 11 CSS px or more there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.support.site import ROOT

SVG = "{http://www.w3.org/2000/svg}"
TEXT_TAGS = {f"{SVG}text", f"{SVG}tspan", f"{SVG}textPath"}
PHONE_COLUMN_PX = 358
MIN_TEXT_PX = 11
CHARTS = sorted((ROOT / "content" / "images").glob("*.svg"))


def _number(svg: Path, element: etree._Element, name: str) -> float:
    value = str(element.get(name))
    try:
        return float(value.removesuffix("px"))
    except ValueError:
        pytest.fail(f"{svg.name}: {name}={value!r} on line {element.sourceline} is not a number "
                    f"in user units; write it as one (for example {name}=\"16\")")


def _font_size(svg: Path, element: etree._Element) -> float:
    """The font-size attribute in force: the element's own, else its nearest ancestor's."""
    for node in (element, *element.iterancestors()):
        if node.get("font-size") is not None:
            return _number(svg, node, "font-size")
    return 16.0  # CSS `medium`, the initial value


def _own_text(element: etree._Element) -> str:
    """The characters this element draws itself: its text and its children's tails."""
    runs = [element.text or ""] + [child.tail or "" for child in element]
    return " ".join(run.strip() for run in runs if run.strip())


def test_the_demo_has_charts():
    assert len(CHARTS) >= 7, f"expected the demo's charts in {ROOT / 'content' / 'images'}"


def small_labels(svg: Path) -> tuple[float, list[str]]:
    """The width the chart is shown at on a 390 px phone, and each label drawn below 11 px there."""
    root = etree.parse(str(svg)).getroot()
    assert root.get("width") is not None and root.get("viewBox") is not None, (
        f"{svg.name}: give the <svg> a width and a viewBox, so its size on the page is known")
    shown_width = min(PHONE_COLUMN_PX, _number(svg, root, "width"))
    scale = shown_width / float(root.get("viewBox").split()[2])
    return shown_width, [
        f"{text!r} renders at {_font_size(svg, element) * scale:.1f} px"
        for element in root.iter(*TEXT_TAGS)
        if (text := _own_text(element)) and _font_size(svg, element) * scale < MIN_TEXT_PX
    ]


def test_the_check_reads_inherited_sizes_tspans_and_the_phone_width(tmp_path):
    svg = tmp_path / "chart.svg"
    svg.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 716 100" width="716">'
        '<title>never drawn</title><g font-size="24"><text>big enough<tspan font-size="20">'
        'small tspan</tspan> text tail</text><g font-size="21"><text>inherited</text></g></g>'
        '<text>default 16</text></svg>')
    # Shown at 358 of 716 units: half size, so 22 units is the least that reads at 11 px.
    assert small_labels(svg) == (358, ["'small tspan' renders at 10.0 px",
                                       "'inherited' renders at 10.5 px",
                                       "'default 16' renders at 8.0 px"])


@pytest.mark.parametrize("svg", CHARTS, ids=lambda path: path.name)
def test_every_label_is_at_least_11px_on_a_390px_phone(svg: Path):
    shown_width, too_small = small_labels(svg)
    assert not too_small, (
        f"{svg.name} is shown {shown_width:g} px wide on a 390 px phone, so these labels are below "
        f"{MIN_TEXT_PX} px; enlarge them or narrow the viewBox:\n  " + "\n  ".join(too_small))
