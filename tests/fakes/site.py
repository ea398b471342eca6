"""FakeSite: the deployed blog as promote's live check sees it (pages with og: tags, card images).

Pages are either added by hand (``publish``) or served from a real Pelican output folder
(``serve_output``), so a test can deploy a production build to it. ``html_as`` picks how HTML is
labelled (``SERVED_AS``), as different real servers label the same UTF-8 file.
"""

from __future__ import annotations

import codecs
import html
import io
import mimetypes
from pathlib import Path

from PIL import Image

from tests.fakes.server import FakeServer, Recorded, Reply

# How a web server labels an HTML file: (Content-Type, bytes put before the file).
SERVED_AS = {
    # S3 deploys (site_deploy/kinds.py) and most CDNs name the charset.
    "charset": ("text/html; charset=utf-8", b""),
    # nginx's and Apache's defaults, and Python's http.server, send no charset (mime.types has
    # none; http.server's guess_type gives "text/html"): the page's own <meta charset> must decide.
    "no charset": ("text/html", b""),
    # A page saved by an editor as "UTF-8 with BOM", from a server that sends no charset.
    "bom": ("text/html", codecs.BOM_UTF8),
}


def card_png(colour: str = "#102a43") -> bytes:
    """A small real PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", (120, 63), colour).save(buffer, "PNG")
    return buffer.getvalue()


def og_page(url: str, title: str, image: str | None) -> str:
    """An article page carrying the three og: tags promote checks."""
    tags = [("og:url", url), ("og:title", title)] + ([("og:image", image)] if image else [])
    meta = "\n".join(f'<meta property="{k}" content="{html.escape(v)}">' for k, v in tags)
    return (f"<!doctype html><html><head><title>{html.escape(title)}</title>\n{meta}\n</head>"
            f"<body><h1>{html.escape(title)}</h1></body></html>")


class FakeSite(FakeServer):
    """A static web server for the blog."""

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, tuple[int, str, bytes]] = {}
        self.output: Path | None = None
        self.html_as = "charset"

    def url(self, path: str) -> str:
        """Absolute URL of a path on this site."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def publish(self, path: str, title: str, image: str | None = "auto",
                og_url: str | None = None) -> str:
        """Serve an article page at `path` (and its card image); return its URL."""
        url = self.url(path)
        if image == "auto":
            image = self.url(f"cards/{path.strip('/').split('/')[-1]}.png")
        if image and image.startswith(self.base_url):
            self.files[image.removeprefix(self.base_url)] = (200, "image/png", card_png())
        page = og_page(og_url or url, title, image)
        self.files["/" + path.lstrip("/")] = (200, "text/html", page.encode())
        return url

    def unpublish(self, path: str) -> None:
        """Make `path` answer 404."""
        self.files.pop("/" + path.lstrip("/"), None)

    def serve_output(self, output: Path) -> None:
        """Serve a Pelican output folder (index.html for folder URLs)."""
        self.output = output

    def handle(self, request: Recorded) -> Reply:
        """GET a page or an image."""
        if request.path in self.files:
            status, kind, body = self.files[request.path]
            return self._reply(status, kind, body)
        if self.output is not None:
            target = self.output / request.path.lstrip("/")
            if target.is_dir():
                target = target / "index.html"
            if target.is_file():
                kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                return self._reply(200, kind, target.read_bytes())
        return Reply(404, b"<h1>Not found</h1>", {"Content-Type": "text/html"})

    def _reply(self, status: int, kind: str, body: bytes) -> Reply:
        if kind == "text/html":
            kind, before = SERVED_AS[self.html_as]
            body = before + body
        return Reply(status, body, {"Content-Type": kind})
