"""Text that XML 1.0 accepts, and plain text out of HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Everything XML 1.0 forbids (https://www.w3.org/TR/xml/#charsets): C0 controls other than tab,
# newline and carriage return, lone surrogates, U+FFFE and U+FFFF. Emoji, RTL text and every
# other character pass untouched.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")

# Elements whose text is never part of what a reader sees as prose.
_INVISIBLE = frozenset({"script", "style", "template", "noscript"})
# Elements that end a line of text; without a space here "one</p><p>two" would read "onetwo".
_BREAKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p",
    "pre", "section", "table", "td", "th", "tr", "ul",
})


def xml_safe(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry, and nothing else."""
    return _XML_FORBIDDEN.sub("", text)


class _TextCollector(HTMLParser):
    """Collect the visible text of an HTML fragment, character references decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE:
            self._hidden += 1
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Return the visible text of an HTML fragment on one line, safe for XML."""
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    return xml_safe(_SPACES.sub(" ", "".join(collector.parts)).strip())
