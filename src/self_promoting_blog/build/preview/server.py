"""`invoke livereload`: serve the site from memory and update it after each saved change.

One thread serves requests (one more per open connection); one watches content/, the theme
and the settings file and runs an update per batch of changes, then prints what changed and
how long the update took. The work Pelican does after writing the pages is done shortly after
each update (``FINISH_AFTER``), once the browser has had the reloaded page.
"""

from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import watchfiles
from pelican.utils import FileChangeFilter
from rich.console import Console
from rich.text import Text

from self_promoting_blog.build.preview.pages import HOOK_PATH, RELOAD_JS, WAIT_PATH
from self_promoting_blog.build.preview.site import Answer, PreviewSite, Update
from self_promoting_blog.errors import ServeError

FINISH_AFTER = 0.5  # seconds after an update: the reloaded page is usually served by then
WAIT_AT_MOST = 25.0  # seconds a reload hook's request is held open before it asks again


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site: PreviewSite) -> None:
        self.site = site
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # the stdlib's signature
        pass  # the console shows updates, not every request

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        site = self.server.site
        if parts.path == HOOK_PATH:
            self._send(Answer(200, "text/javascript; charset=utf-8", RELOAD_JS.encode()))
        elif parts.path == WAIT_PATH:
            seen = parse_qs(parts.query).get("v", ["0"])[0]
            changed = site.wait_for_change(int(seen) if seen.isdigit() else -1, WAIT_AT_MOST)
            self._send(Answer(200 if changed else 204, "text/plain", b""))
        else:
            self._send(site.answer(self.path))

    def _send(self, answer: Answer) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Cache-Control", "no-store")
        if answer.location:
            self.send_header("Location", answer.location)
        self.end_headers()
        self.wfile.write(answer.body)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def report(update: Update, changed: list[str], console: Console) -> None:
    """One line per update (what changed, how long, how many files read), then its errors."""
    what = f"{', '.join(changed)} changed; " if changed else "the whole site read: "
    line = (f"{what}updated in {update.seconds:.2f} s ({_plural(len(update.read), 'file')} "
            f"read; {_plural(update.articles, 'article')}, {_plural(update.pages, 'page')})")
    if update.errors:
        console.print(Text.assemble(("✖ ", "bold red"), line,
                                    (f" with {_plural(len(update.errors), 'error')}:", "bold red")),
                      soft_wrap=True)
        for error in update.errors:
            console.print(Text.assemble(("  • ", "bold red"), error), soft_wrap=True)
    else:
        console.print(Text.assemble(("✔ ", "bold green"), line), soft_wrap=True)


class LivePreview:
    """The preview server and its watcher, started and stopped together."""

    def __init__(self, site: PreviewSite, host: str, port: int, console: Console) -> None:
        self.site = site
        self.console = console
        self.host = host
        try:
            self.http = _Server((host, port), site)
        except OSError as exc:
            raise ServeError(f"Cannot serve on {host}:{port}: {exc.strerror}. Another server "
                             f"is probably using that port: stop it, or pass --port {port + 1}."
                             ) from exc
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self._timer: threading.Timer | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.http.server_address[1]}/"

    def start(self) -> None:
        """The first update (every file read), then serve and watch in background threads."""
        report(self.site.update(), [], self.console)
        self._finish_soon()
        for target in (self.http.serve_forever, self._watch):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        if self._timer is not None:
            self._timer.cancel()
        self.http.shutdown()
        self.http.server_close()
        for thread in self.threads:
            thread.join()

    def _watched(self) -> list[str]:
        settings = self.site.settings
        paths = [str(self.site.settings_file), settings["PATH"], settings["THEME"]]
        return [os.path.abspath(p) for p in paths if p and os.path.exists(p)]

    def _watch(self) -> None:
        ignore = FileChangeFilter(ignore_file_patterns=set(self.site.settings.get("IGNORE_FILES",
                                                                                   [])))
        for changes in watchfiles.watch(*self._watched(), watch_filter=ignore,
                                        stop_event=self.stopping, debounce=400, step=20):
            paths = sorted({path for _, path in changes})
            if str(self.site.settings_file.resolve()) in paths:
                self.site.settings_changed()
            try:
                update = self.site.update()
            except Exception as exc:  # a settings file mid-edit: keep watching
                self.console.print(Text.assemble(("✖ Could not update: ", "bold red"),
                                                 f"{type(exc).__name__}: {exc}"), soft_wrap=True)
                continue
            report(update, [os.path.relpath(p) for p in paths], self.console)
            self._finish_soon()

    def _finish_soon(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(FINISH_AFTER, self._finish)
        self._timer.daemon = True
        self._timer.start()

    def _finish(self) -> None:
        for error in self.site.finish():
            self.console.print(Text.assemble(("  • ", "bold red"), error), soft_wrap=True)


def live(settings_file: Path, overrides: dict[str, Any], host: str, port: int,
         console: Console) -> None:
    """Serve the live preview at http://host:port/ until Ctrl-C."""
    preview = LivePreview(PreviewSite(settings_file, overrides), host, port, console)
    preview.start()
    console.print(f"Live preview at [bold]{preview.url}[/]: pages are drawn as you open them, and "
                  "the tab reloads after each change to content/, the theme or the settings. "
                  "Ctrl-C to stop.", soft_wrap=True)
    try:
        preview.stopping.wait()
    except KeyboardInterrupt:
        console.print("Stopped the live preview.")
    finally:
        preview.stop()
