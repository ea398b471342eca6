"""Fixtures only (no test imports this module): a clean environment, real Pelican builds in
temporary folders, Chromium, the deployed site and the networks' fakes, and S3.

What tests import by name lives in ``tests/support/`` (site builds) and ``tests/fakes/`` (the
fakes and the promote ``World``).
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fakes.s3 import (
    ACCESS_KEY,
    SECRET_KEY,
    S3Proxy,
    S3Server,
    serve_moto,
    start_seaweed,
)
from tests.fakes.server import NetworkFake
from tests.fakes.site import FakeSite
from tests.fakes.world import World, start_fake
from tests.support.site import CHROMIUM, CHROMIUM_ARGS, ROOT, run_pelican, site_settings, write_site


def pytest_configure(config):
    """Declare the `network` marker (pytest runs with --strict-markers)."""
    config.addinivalue_line("markers", "network(name): the network a test module is about; its "
                            "tests get `world` and `network_fake` for it")


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


# -- site builds (tests/support/site.py) ---------------------------------------------------------


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


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium through Playwright (never a downloaded browser)."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `bash .ci/setup --test`"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# -- promote: the deployed site, each network's fake, and a World wiring them together ---------


@pytest.fixture
def fake_site() -> Iterator[FakeSite]:
    """The deployed blog as promote's live check sees it (tests/fakes/site.py)."""
    with FakeSite() as site:
        yield site


@pytest.fixture
def fake() -> Iterator[Callable[[str], NetworkFake]]:
    """fake(network): this test's running fake of `network` (tests/fakes/<network>.py), the same
    one on every call and in the test's World; all are stopped after the test."""
    running: dict[str, NetworkFake] = {}

    def get(network: str) -> NetworkFake:
        if network not in running:
            running[network] = start_fake(network)
        return running[network]

    yield get
    for started in running.values():
        started.stop()


@pytest.fixture
def make_world(tmp_path, fake_site, fake) -> Callable[..., World]:
    """make_world(*networks, baseline=True): a World (tests/fakes/world.py) with the fakes of
    `networks`; with `baseline`, past its first run (one old article, recorded as baseline)."""

    def make(*networks: str, baseline: bool = True) -> World:
        world = World(tmp_path, fake_site, networks, fake)
        if baseline:
            world.baseline()
        return world

    return make


def _marked_network(request) -> str:
    marker = request.node.get_closest_marker("network")
    if marker is None:
        pytest.fail(f"`{request.fixturename}` needs the module's network: mark the module with "
                    'pytestmark = pytest.mark.network("<name>")', pytrace=False)
    return marker.args[0]


@pytest.fixture
def world(request, make_world) -> World:
    """A blog whose only network is the module's (``pytest.mark.network``), past its first run."""
    return make_world(_marked_network(request))


@pytest.fixture
def network_fake(request, fake) -> NetworkFake:
    """The fake of the module's network (``pytest.mark.network``): the world's, when the test
    has one."""
    return fake(_marked_network(request))


# -- S3 (tests/fakes/s3.py) ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3(tmp_path_factory) -> Iterator[S3Server]:
    """One SeaweedFS for the whole test session; each test makes its own bucket."""
    server = start_seaweed(tmp_path_factory.mktemp("seaweedfs"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_env(s3, monkeypatch, tmp_path) -> S3Server:
    """The standard AWS variables set to the test identity, and nothing read from ~/.aws."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
                 "AWS_ENDPOINT_URL_CLOUDFRONT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return s3


@pytest.fixture
def s3_proxy(s3) -> Iterator[S3Proxy]:
    """An S3Proxy in front of the session's SeaweedFS (passes everything until told otherwise)."""
    proxy = S3Proxy(s3.endpoint_url)
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory) -> Iterator[str]:
    """moto's server on a free port (it speaks CloudFront); yields its URL."""
    with serve_moto(tmp_path_factory.mktemp("moto")) as url:
        yield url
