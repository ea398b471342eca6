"""Shared fixtures: real Pelican builds of small sites in temporary directories."""

from __future__ import annotations

import functools
import logging
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pelican import Pelican
from pelican.settings import read_settings

from self_promoting_blog.build.serve import send_not_found

ROOT = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "sites"

# Variables that would let a test reach a real network or leak a developer's tokens.
_SECRET_SUFFIXES = ("_TOKEN", "_SECRET", "_PASSWORD", "_KEY", "_WEBHOOK_URL", "_ACCESS_KEY_ID")
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """Drop tokens and proxies from the environment so every test states what it needs."""
    for name in list(os.environ):
        if name.endswith(_SECRET_SUFFIXES) or name in _PROXY_VARS:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("SITEURL", raising=False)


def write_site(root: Path, files: dict[str, str]) -> Path:
    """Write {relative path: text} under root/content and return the content folder."""
    content = root / "content"
    for rel, text in files.items():
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return content


def site_settings(tmp_path: Path, content: Path | None = None, production: bool = False, **overrides):
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


def run_pelican(settings) -> Path:
    """Run a real Pelican build in-process and return its output folder."""
    Pelican(settings).run()
    return Path(settings["OUTPUT_PATH"])


@pytest.fixture
def build_site(tmp_path):
    """Build a site: build_site(files={...} or content=Path, production=False, **settings)."""

    def build(files: dict[str, str] | None = None, content: Path | None = None,
              production: bool = False, **overrides) -> Path:
        if files is not None:
            content = write_site(tmp_path, files)
        return run_pelican(site_settings(tmp_path, content, production, **overrides))

    return build


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    """A throwaway copy of the whole project (content, theme, plugins, confs) to run tasks in."""
    dest = tmp_path / "blog"
    ignore = shutil.ignore_patterns(".venv", ".git", "output", "output.*", ".promote", "cache",
                                    "__pycache__", ".pytest_cache", "bench")
    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


@pytest.fixture
def pelican_logs(caplog):
    """Capture Pelican's warnings and errors (Pelican logs only the message)."""
    caplog.set_level(logging.WARNING)
    return caplog


PYTHON = sys.executable


# -- promote: one 127.0.0.1 fake per network, the deployed site, and all of them wired together --


def _serve(fake):
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def fake_mastodon():
    """A strict Mastodon API on 127.0.0.1 (tests/fakes/mastodon.py)."""
    from tests.fakes.mastodon import FakeMastodon
    yield from _serve(FakeMastodon())


@pytest.fixture
def fake_bluesky():
    """A strict Bluesky PDS on 127.0.0.1 (tests/fakes/bluesky.py)."""
    from tests.fakes.bluesky import FakeBluesky
    yield from _serve(FakeBluesky())


@pytest.fixture
def fake_telegram():
    """A strict Telegram Bot API on 127.0.0.1 (tests/fakes/telegram.py)."""
    from tests.fakes.telegram import FakeTelegram
    yield from _serve(FakeTelegram())


@pytest.fixture
def fake_discord():
    """A strict Discord webhook API on 127.0.0.1 (tests/fakes/discord.py)."""
    from tests.fakes.discord import FakeDiscord
    yield from _serve(FakeDiscord())


@pytest.fixture
def fake_site():
    """The deployed blog as promote's live check sees it (tests/fakes/site.py)."""
    from tests.fakes.site import FakeSite
    yield from _serve(FakeSite())


@pytest.fixture
def promote_world(tmp_path, fake_site, fake_mastodon, fake_bluesky, fake_telegram, fake_discord):
    """A blog folder, its live site and the four networks (tests/fakes/world.py)."""
    from tests.fakes.world import PromoteWorld
    return PromoteWorld(tmp_path, fake_site, {"mastodon": fake_mastodon, "bluesky": fake_bluesky,
                                              "telegram": fake_telegram, "discord": fake_discord})


# -- promote: X, LinkedIn, Facebook Page and Threads (tests/fakes/{x,linkedin,facebook,threads}.py) --


@pytest.fixture
def fake_x():
    """A strict X API v2 on 127.0.0.1 that verifies OAuth 1.0a signatures."""
    from tests.fakes.x import FakeX
    yield from _serve(FakeX())


@pytest.fixture
def fake_linkedin():
    """A strict LinkedIn Posts + Images API on 127.0.0.1."""
    from tests.fakes.linkedin import FakeLinkedIn
    yield from _serve(FakeLinkedIn())


@pytest.fixture
def fake_facebook():
    """A strict Graph API for one Facebook Page on 127.0.0.1."""
    from tests.fakes.facebook import FakeFacebook
    yield from _serve(FakeFacebook())


@pytest.fixture
def fake_threads():
    """A strict Threads API on 127.0.0.1 (containers, then publishing)."""
    from tests.fakes.threads import FakeThreads
    yield from _serve(FakeThreads())


CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this
# closed network refuses; the sandbox needs privileges CI's root user does not have.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


class StaticHost(SimpleHTTPRequestHandler):
    """Serve a built site quietly, answering a missing address with 404.html like a real host."""

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's signature
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


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium through Playwright (never a downloaded browser)."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `bash .ci/setup --test`"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
