"""Local servers for output/: plain and auto-rebuilding (the live preview is build/preview/)."""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any

from pelican.server import ComplexHTTPRequestHandler, RootedHTTPServer
from pelican.utils import wait_for_changes
from rich.console import Console
from rich.text import Text

from self_promoting_blog.errors import ServeError


class _Server(ThreadingMixIn, RootedHTTPServer):
    # Threads, so one slow browser tab never stalls the others.
    allow_reuse_address = True
    daemon_threads = True


class _Handler(ComplexHTTPRequestHandler):
    """Pelican's handler, answering a missing address with the site's 404 page like a real host.

    Pelican's own handler sends no response at all for a missing file, which browsers show as
    a broken connection rather than the theme's 404 page.
    """

    path: str  # the request path (Pelican's handler is untyped)

    def do_GET(self) -> None:
        found = self.get_path_that_exists(self.path.split("?", 1)[0])
        if found is not None:
            self.path = found
            SimpleHTTPRequestHandler.do_GET(self)
            return
        send_not_found(self, Path(self.base_path))


def send_not_found(handler: BaseHTTPRequestHandler, root: Path) -> None:
    """Answer 404 with the site's own 404.html, as a static host does (a bare 404 without it)."""
    page = root / "404.html"
    if not page.is_file():
        BaseHTTPRequestHandler.send_error(handler, 404)
        return
    body = page.read_bytes()
    handler.send_response(404)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def serve(root: Path, host: str, port: int, console: Console) -> None:
    """Serve root at http://host:port/ until Ctrl-C (it follows each swap of output/)."""
    if not root.is_dir():
        raise ServeError(f"Nothing to serve: {root}/ does not exist yet. "
                         "Run `invoke build` first, or `invoke reserve` to build and serve.")
    try:
        server = _Server(str(root), (host, port), _Handler)
    except OSError as exc:
        raise ServeError(f"Cannot serve on {host}:{port}: {exc.strerror}. Another server is "
                         f"probably using that port: stop it, or pass --port {port + 1}.") from exc
    console.print(f"Serving {root}/ at [bold]http://{host}:{port}/[/] — press Ctrl-C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("Stopped serving.")
    finally:
        server.server_close()


def _guarded(rebuild: Callable[[], Any], console: Console) -> Callable[[], None]:
    """A rebuild that reports, rather than ends the watch on, a settings file mid-edit."""

    def run() -> None:
        try:
            rebuild()
        except Exception as exc:
            console.print(Text.assemble(("✖ Could not build: ", "bold red"),
                                        f"{type(exc).__name__}: {exc}"), soft_wrap=True)

    return run


def regenerate(settings_file: Path, settings: dict[str, Any], rebuild: Callable[[], Any],
               console: Console) -> None:
    """Rebuild after every change to the content, the theme or the settings, until Ctrl-C."""
    rebuild = _guarded(rebuild, console)
    rebuild()
    try:
        while True:
            console.print("Watching content/, the theme and the settings; Ctrl-C to stop.")
            changes = wait_for_changes(str(settings_file), settings)
            changed = {Path(path).name for _, path in changes}
            console.print(f"Changed: {', '.join(sorted(changed))}; rebuilding…")
            rebuild()
    except KeyboardInterrupt:
        console.print("Stopped watching.")
