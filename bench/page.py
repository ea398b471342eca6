"""The reader's page: what an article page of the demo blog costs a reader, in headless Chromium.

The demo blog (content/) is built for production with SITEURL pointing at a local server that
compresses text with gzip and sends the deploy's Cache-Control headers, as the CDN would. Every
article page is loaded with Playwright (Debian's /usr/bin/chromium); each request is recorded
with its transferred size (headers + encoded body) and whether it left 127.0.0.1. The heaviest
page is reported, and Lighthouse (bench/lighthouse.py) audits it.
"""

from __future__ import annotations

import gzip
import shutil
import socket
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from threading import Thread
from typing import Any
from urllib.parse import urlsplit

from bench.builds import Progress, SiteDirs, build
from bench.setups import OURS

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update"]
TEXT = ("text/", "application/javascript", "application/json", "image/svg+xml",
        "application/xml", "application/atom+xml", "application/rss+xml")
BUDGET_KB, BUDGET_REQUESTS = 30, 4


class _Handler(SimpleHTTPRequestHandler):
    """Static files with gzip for text and Cache-Control as the deploy sets it."""

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def send_head(self):  # type: ignore[override] - same contract as the stdlib's
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        kind = self.guess_type(str(path))
        if not path.is_file() or "gzip" not in self.headers.get("Accept-Encoding", "") \
                or not kind.startswith(TEXT):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", kind if "charset" in kind or not kind.startswith(
            "text/") else f"{kind}; charset=utf-8")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Cache-Control", "public, max-age=300" if kind.startswith("text/html")
                         else "public, max-age=3600")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return BytesIO(body)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(folder: Path, port: int) -> Iterator[str]:
    """Serve `folder` at http://127.0.0.1:port until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(_Handler, directory=str(folder)))
    server.daemon_threads = True
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


def _kind(resource_type: str, content_type: str) -> str:
    if resource_type == "document":
        return "html"
    if resource_type == "stylesheet" or "css" in content_type:
        return "css"
    if resource_type == "script" or "javascript" in content_type:
        return "js"
    if resource_type == "image" or content_type.startswith("image/"):
        return "image"
    return "font" if resource_type == "font" else "other"


def load_page(browser: Any, url: str) -> dict[str, Any]:
    """Load one page in a fresh context; bytes by type, requests, third-party requests."""
    context = browser.new_context()
    page = context.new_page()
    seen: list[Any] = []
    page.on("requestfinished", lambda request: seen.append(request))
    page.on("requestfailed", lambda request: seen.append(request))
    page.goto(url, wait_until="networkidle")
    host = urlsplit(url).netloc
    by_type: dict[str, int] = defaultdict(int)
    third = []
    for request in seen:
        if urlsplit(request.url).scheme == "data":
            continue
        if urlsplit(request.url).netloc != host:
            third.append(request.url)
        response = request.response()
        sizes = request.sizes() if response else {}
        kind = _kind(request.resource_type, (response.headers.get("content-type", "")
                                             if response else ""))
        by_type[kind] += sizes.get("responseBodySize", 0) + sizes.get("responseHeadersSize", 0)
    context.close()
    requests = [r for r in seen if urlsplit(r.url).scheme != "data"]
    no_images = [r for r in requests if _kind(r.resource_type, "") != "image"]
    return {"url": url, "bytes_by_type": dict(by_type), "requests": len(requests),
            "requests_without_images": len(no_images), "third_party": third,
            "kb_without_images": sum(v for k, v in by_type.items() if k != "image") / 1024}


def build_demo(work: Path, siteurl: str, say: Progress) -> Path:
    """Build content/ for production with SITEURL = the local server; return the output."""
    dirs = SiteDirs(work / "page", ROOT / "content")
    shutil.rmtree(dirs.root, ignore_errors=True)
    run = build(OURS, dirs, dirs.root / "logs" / "demo.log", siteurl=siteurl)
    say(f"demo blog built for the reader's page in {run.seconds:.2f} s ({run.files} files)")
    return dirs.output(OURS.key)


def measure_page(work: Path, say: Progress, lighthouse: bool) -> dict[str, Any]:
    """Every article page of the demo blog in Chromium; the heaviest one in detail."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    output = build_demo(work, f"http://127.0.0.1:{port}", say)
    pages = sorted(p.parent for p in (output / "articles").glob("*/index.html"))
    with serve(output, port) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        loads = [load_page(browser, f"{base}/{d.relative_to(output).as_posix()}/")
                 for d in pages]
        browser.close()
        heaviest = max(loads, key=lambda load: load["kb_without_images"])
        say(f"reader's page: {len(loads)} article pages loaded; heaviest {heaviest['url']}")
        audit = None
        if lighthouse:
            from bench.lighthouse import run_lighthouse

            audit = run_lighthouse(heaviest["url"], work, say)
    return summarize_page(loads, heaviest, audit)


def summarize_page(loads: list[dict[str, Any]], heaviest: dict[str, Any],
                   audit: dict[str, Any] | None) -> dict[str, Any]:
    """Lines and targets for the report (Lighthouse's included when it ran)."""
    path = urlsplit(heaviest["url"]).path
    kinds = ", ".join(f"{kind} {size / 1024:.1f} KB"
                      for kind, size in sorted(heaviest["bytes_by_type"].items()))
    third = sum(len(load["third_party"]) for load in loads)
    lines = [(f"article page {path} (heaviest of {len(loads)}; gzip, transferred)",
              (f"{kinds}; {heaviest['requests']} requests "
               f"({heaviest['requests_without_images']} without images), "
               f"{len(heaviest['third_party'])} third-party")),
             ("third-party requests, all article pages", str(third))]
    targets = [
        {"name": "article page (HTML+CSS+JS)", "target": f"≤ {BUDGET_KB} KB",
         "measured": f"{heaviest['kb_without_images']:.1f} KB",
         "met": heaviest["kb_without_images"] <= BUDGET_KB},
        {"name": "article page requests (images aside)", "target": f"≤ {BUDGET_REQUESTS}",
         "measured": str(heaviest["requests_without_images"]),
         "met": heaviest["requests_without_images"] <= BUDGET_REQUESTS},
        {"name": "third-party requests", "target": "0", "measured": str(third), "met": third == 0},
    ]
    result = {"pages": loads, "heaviest": heaviest, "lines": lines, "targets": targets}
    if audit:
        result["lighthouse"] = audit
        result["lines"] += audit["lines"]
        result["targets"] += audit["targets"]
    return result
