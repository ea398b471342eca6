"""Is the article live, with the preview the networks will scrape? Checked once per run.

The article's canonical URL must answer 200 and its page's ``og:url``, ``og:title`` and
``og:image`` must be what the manifest says; a CDN still serving the old page gets a bounded wait
(``PROMOTE_LIVE_WAIT``, polling every ``PROMOTE_LIVE_INTERVAL``: ``self_promoting_blog.live``
fetches and polls, this module judges). Several network threads asking about one article share
one check. A page that answers with other tags carries, besides the reason to wait, the error to
report when the next run finds the very same tags (``LiveResult.lasting``): by then waiting will
not fix it.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from functools import partial
from html.parser import HTMLParser

from self_promoting_blog.live import LiveResult, poll
from self_promoting_blog.promote.manifest import Entry

TAGS = ("og:url", "og:title", "og:image")


class _OpenGraph(HTMLParser):
    """Collects <meta property="og:…" content="…"> from a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta":
            return
        values = dict(attrs)
        key = values.get("property") or values.get("name") or ""
        if key in TAGS and key not in self.tags:
            self.tags[key] = values.get("content") or ""


def open_graph(html: str) -> dict[str, str]:
    """The og:url/og:title/og:image values of an HTML page."""
    parser = _OpenGraph()
    parser.feed(html)
    parser.close()
    return parser.tags


def judge_page(entry: Entry, page: str) -> LiveResult:
    """Whether the page's og: tags are the manifest's; if not, which differs and how to fix it."""
    tags = open_graph(page)
    expected = {"og:url": entry.url, "og:title": entry.title, "og:image": entry.image or ""}
    for tag in TAGS:
        found = tags.get(tag)
        if found is not None and " ".join(found.split()) == " ".join(expected[tag].split()):
            continue
        problem = (f"the live page has no {tag} tag" if found is None else
                   f"the live page's {tag} is {found!r}, not {expected[tag]!r}")
        fix = ("check SITEURL in publishconf.py (or the SITEURL variable): it must be the address "
               "readers use; then `invoke publish`" if tag == "og:url" else
               "deploy the current build (`invoke publish`); if it is deployed, purge the CDN's "
               f"copy of {entry.url}")
        return LiveResult(False, f"{problem} (a CDN may still serve the old page; the next run "
                                 "checks again)",
                          f"{entry.source or entry.url}: {problem} on two runs in a row: {fix}")
    return LiveResult(True)


class LiveChecker:
    """Checks each article once per run, however many networks ask."""

    def __init__(self, enabled: bool, wait: float, interval: float, timeout: float) -> None:
        self.enabled = enabled
        self.wait = wait
        self.interval = interval
        self.timeout = timeout
        self._results: dict[str, Future[LiveResult]] = {}
        self._lock = threading.Lock()

    def check(self, entry: Entry) -> LiveResult:
        """The (possibly shared) result for `entry`."""
        if not self.enabled:
            return LiveResult(True)
        with self._lock:
            future = self._results.get(entry.url)
            mine = future is None
            if future is None:
                future = self._results[entry.url] = Future()
        if mine:
            results = poll([entry.url], partial(judge_page, entry), self.wait, self.interval,
                           timeout=self.timeout)
            future.set_result(results[entry.url])
        return future.result()
