"""Is a page live where readers (and the networks' scrapers) will fetch it? Polled until it is.

Publish waits for the pages a deploy sent to answer 200; promote, before announcing an article,
also judges the page's og: tags (``promote.live``). Both poll here: each URL is fetched through
``HttpClient`` (redacted errors, no proxies from the environment), again every `interval` until
it is ready or `wait` seconds have passed, the last check falling on the deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
)

from self_promoting_blog.promote.errors import NetworkError
from self_promoting_blog.promote.http import HttpClient


@dataclass(frozen=True)
class LiveResult:
    """`ok`, or the reason a page is not ready; for a page that waiting will not fix, also the
    error with its fix (`lasting`), to report once the same reason is seen again."""

    ok: bool
    reason: str = ""
    lasting: str = ""


# Judges a page that answered 200, from its decoded text.
Judge = Callable[[str], LiveResult]


def decode_html(body: bytes, content_type: str | None) -> str:
    """The page's text, decoded the way browsers decode it (WHATWG's order, as w3lib's
    ``html_to_unicode``): a BOM, the Content-Type charset, the ``<meta>`` prescan, else UTF-8;
    bad bytes become U+FFFD.

    requests' ``Response.text`` would read any ``text/*`` answer without a charset as ISO-8859-1,
    which is what nginx, Apache and Python's http.server send for a UTF-8 page by default.
    """
    if (read_bom(body)[0] is None and http_content_type_encoding(content_type) is None
            and (html_body_declared_encoding(body) or "").startswith("utf-16")):
        # WHATWG's prescan turns a <meta> UTF-16 into UTF-8 (the <meta> was read as ASCII bytes,
        # so the page cannot be UTF-16); w3lib would decode it as UTF-16.
        content_type = "text/html; charset=utf-8"
    return html_to_unicode(content_type, body, default_encoding="utf-8")[1]


def fetch(client: HttpClient, url: str, judge: Judge | None = None,
          headers: Mapping[str, str] | None = None) -> LiveResult:
    """One GET of `url` (redirects followed): ready when it answers 200 and `judge` agrees."""
    try:
        response = client.request("GET", url, allow_redirects=True, headers=headers)
    except NetworkError as exc:
        return LiveResult(False, f"{url} did not answer ({exc.message})")
    if response.status_code != 200:
        return LiveResult(False, f"{url} answered {response.status_code}, not 200")
    if judge is None:
        return LiveResult(True)
    return judge(decode_html(response.content, response.headers.get("Content-Type")))


def poll(urls: Iterable[str], judge: Judge | None, wait: float, interval: float, *,
         timeout: float, headers: Mapping[str, str] | None = None,
         on_wait: Callable[[int, float], None] | None = None) -> dict[str, LiveResult]:
    """Each URL's result once it is ready or `wait` seconds have passed, in the order given.

    Only the URLs not ready yet are fetched again; before each pause `on_wait(how many are not
    ready, seconds left)` is called. `timeout` bounds connecting and reading each answer.
    """
    started = time.monotonic()
    results: dict[str, LiveResult] = {}
    pending = list(dict.fromkeys(urls))
    client = HttpClient("live check", timeout, timeout)
    try:
        while True:
            for url in pending:
                results[url] = fetch(client, url, judge, headers)
            pending = [url for url in pending if not results[url].ok]
            left = wait - (time.monotonic() - started)
            if not pending or left <= 0:
                return results
            if on_wait is not None:
                on_wait(len(pending), left)
            time.sleep(min(interval, left))
    finally:
        client.close()
