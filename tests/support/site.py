"""Helpers for tests that build a site: write its content, load its settings, run Pelican, serve
the output on 127.0.0.1, and the Chromium the browser tests drive.

Plain functions and constants, imported by name (``from tests.support.site import ...``); the
fixtures built on them live in ``tests/conftest.py``, which no test imports.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pelican import Pelican
from pelican.settings import read_settings

from self_promoting_blog.build.logcapture import forget_shown_logs
from self_promoting_blog.build.serve import send_not_found

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this
# closed network refuses; the sandbox needs privileges CI's root user does not have.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


def write_site(root: Path, files: dict[str, str]) -> Path:
    """Write {relative path: text} under root/content and return the content folder."""
    content = root / "content"
    for rel, text in files.items():
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return content


def site_settings(tmp_path: Path, content: Path | None = None, production: bool = False,
                  **overrides: Any) -> dict[str, Any]:
    """Load pelicanconf (or publishconf) with the content and output redirected into tmp_path."""
    conf = ROOT / ("publishconf.py" if production else "pelicanconf.py")
    override = {
        "PATH": str(content or ROOT / "content"),
        "OUTPUT_PATH": str(tmp_path / "output"),
        "CACHE_PATH": str(tmp_path / "cache"),
        "THEME": str(ROOT / "theme"),
        "PLUGIN_PATHS": [str(ROOT / "plugins")],
    }
    override.update(overrides)
    return read_settings(str(conf), override=override)


def run_pelican(settings: dict[str, Any]) -> Path:
    """Run a real Pelican build in-process and return its output folder.

    Like each build of `invoke livereload`, it starts with Pelican's memory of shown log lines
    cleared: otherwise a summary identical to an earlier test's would be dropped.
    """
    forget_shown_logs()
    Pelican(settings).run()
    return Path(settings["OUTPUT_PATH"])


class StaticHost(SimpleHTTPRequestHandler):
    """Serve a built site quietly, answering a missing address with 404.html like a real host."""

    def log_message(self, format: str, *args: Any) -> None:  # the stdlib's signature
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code == 404:
            send_not_found(self, Path(self.directory))
        else:
            super().send_error(code, message, explain)


@contextmanager
def serving(directory: Path) -> Iterator[str]:
    """Serve directory from a thread on 127.0.0.1 and yield its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(StaticHost, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
