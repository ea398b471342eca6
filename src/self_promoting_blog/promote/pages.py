"""A fetched HTML page's text, decoded the way browsers decode it.

requests' ``Response.text`` reads any ``text/*`` answer without a charset as ISO-8859-1, which is
what nginx, Apache and Python's http.server send for a UTF-8 page by default: "Café" would read as
"CafÃ©". Browsers follow the WHATWG order instead, and so does w3lib's ``html_to_unicode``: a BOM,
then the Content-Type charset, then the ``<meta charset>`` / ``http-equiv`` prescan of the first
bytes, then the default, UTF-8 here; labels map as WHATWG says ("iso-8859-1" is windows-1252).
"""

from __future__ import annotations

from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
)


def decode_html(body: bytes, content_type: str | None) -> str:
    """The page's text: BOM, header charset, <meta> prescan, else UTF-8; bad bytes become U+FFFD."""
    if (read_bom(body)[0] is None and http_content_type_encoding(content_type) is None
            and (html_body_declared_encoding(body) or "").startswith("utf-16")):
        # WHATWG's prescan turns a <meta> UTF-16 into UTF-8 (the <meta> was read as ASCII bytes,
        # so the page cannot be UTF-16); w3lib would decode it as UTF-16.
        content_type = "text/html; charset=utf-8"
    return html_to_unicode(content_type, body, default_encoding="utf-8")[1]
