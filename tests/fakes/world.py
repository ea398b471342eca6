"""World: a blog folder, its deployed site and the fakes of any networks, wired together.

Tests describe articles (``article``), write the manifest and run promote in-process
(``promote``) or as a separate process (``spawn``, for crash and concurrency tests), then read
what each fake received and what the ledger says.

A network's fake is the ``Fake`` class of ``tests/fakes/<network>.py``, found by the network's
name (``new_fake``): a ``NetworkFake`` (tests/fakes/server.py), which says how promote reaches
it (``env()``) and what it holds (``posts()``), so ``World`` knows no network by name.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from self_promoting_blog.errors import BlogError
from self_promoting_blog.promote.rows import Row
from tests.fakes.server import NetworkFake
from tests.fakes.site import FakeSite

BASELINE_DATE = "2024-01-01T09:00:00+01:00"  # the article a baseline run records
NEW = "2024-06-01T09:00:00+02:00"  # an article date after the baseline's
# The networks the engine's tests (runner, dry run, live check, manifest) run on, whose output
# they read word for word: the four promote started with.
FIRST_FOUR = ("mastodon", "bluesky", "telegram", "discord")


def new_fake(network: str) -> NetworkFake:
    """A new, not yet started fake of `network`: ``tests/fakes/<network>.py``'s ``Fake``."""
    module_name = f"tests.fakes.{network}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise LookupError(f"network {network!r} has no fake: add tests/fakes/{network}.py with "
                          "a `Fake` class (a NetworkFake: handle, env, posts)") from None
    fake: NetworkFake = module.Fake()
    return fake


def start_fake(network: str) -> NetworkFake:
    """A new fake of `network`, serving."""
    return new_fake(network).start()


@dataclass
class Run:
    """One promote run: exit status and everything it printed."""

    code: int
    output: str


class World:
    """Everything a promote run needs, on 127.0.0.1 and in a temp folder.

    `fake(network)` gives the running fake of each of `networks` (in tests, the `fake` fixture:
    ``start_fake`` once per network, stopped after the test).
    """

    def __init__(self, tmp_path: Path, site: FakeSite, networks: Iterable[str],
                 fake: Callable[[str], NetworkFake]) -> None:
        self.root = tmp_path / "blog"
        self.root.mkdir(parents=True, exist_ok=True)
        self.site = site
        self.fakes = {name: fake(name) for name in networks}
        self.articles: list[dict[str, Any]] = []
        self.overrides: dict[str, Any] = {}

    # -- configuration ---------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        """The credentials of every network's fake."""
        env: dict[str, str] = {}
        for fake in self.fakes.values():
            env |= fake.env()
        return env

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """Pelican-style settings for promote, with fast timeouts and back-offs."""
        return {"SITEURL": self.site.base_url, "OUTPUT_PATH": str(self.root / "output"),
                "PATH": str(self.root / "content"), "DEFAULT_LANG": "en",
                "PROMOTE_NETWORKS": list(self.fakes), "PROMOTE_BACKOFF": 0.01,
                "PROMOTE_MAX_WAIT": 3, "PROMOTE_LIVE_WAIT": 0, "PROMOTE_LIVE_INTERVAL": 0.05,
                "PROMOTE_CONNECT_TIMEOUT": 1.0, "PROMOTE_READ_TIMEOUT": 2.0,
                "PROMOTE_ENV_FILE": str(self.root / ".env"), **self.overrides, **overrides}

    # -- content ---------------------------------------------------------------------------

    def article(self, slug: str, title: str | None = None, date: str = "2024-05-01T09:00:00+02:00",
                publish: bool = True, **fields: Any) -> dict[str, Any]:
        """Add an article to the manifest (and, unless publish=False, to the live site)."""
        title = title or slug.replace("-", " ").capitalize()
        path = f"articles/{slug}/"
        image = fields.pop("image", self.site.url(f"cards/{slug}.png"))
        if publish:
            self.site.publish(path, title, image)
        entry = {"url": self.site.url(path), "slug": slug, "title": title,
                 "summary": fields.pop("summary", f"What {title.lower()} means for your reach."),
                 "date": date, "tags": fields.pop("tags", ["content marketing", "SEO"]),
                 "category": "Strategy", "image": image, "article_id": None, "promote": True,
                 "social": None, "social_by_network": {}, "hashtags": None,
                 "source": f"articles/{slug}.md", **fields}
        self.articles = [a for a in self.articles if a["url"] != entry["url"]] + [entry]
        self.write_manifest()
        return entry

    def write_manifest(self) -> Path:
        """Write the manifest where the settings say promote reads it."""
        path = self.root / ".promote" / "manifest.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"version": 1, "siteurl": self.site.base_url,
                                    "articles": self.articles}), encoding="utf-8")
        return path

    # -- running ---------------------------------------------------------------------------

    def promote(self, settings: dict[str, Any] | None = None, **options: Any) -> Run:
        """Run promote in this process with the fakes' credentials in the environment; a
        refusal (promote's own error, before anything runs) is exit status 2 with its message."""
        from self_promoting_blog.promote.command import promote

        return self._run(promote, settings, 160, options)

    def _run(self, command: Callable[..., int], settings: dict[str, Any] | None, width: int,
             options: dict[str, Any]) -> Run:
        """A command in this process, the fakes' credentials in the environment meanwhile; a
        refusal (BlogError: what the task prints before it exits 1) is exit status 2."""
        saved = {k: os.environ.get(k) for k in self.env()}
        os.environ.update(self.env())
        out = io.StringIO()
        try:
            code = command(settings or self.settings(), console=Console(
                file=out, width=width, color_system=None), **options)
        except BlogError as exc:
            out.write(str(exc))
            code = 2
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        return Run(code, out.getvalue())

    def stats(self, settings: dict[str, Any] | None = None, **options: Any) -> Run:
        """Run `invoke stats` in this process (as `promote`); `now` (a clock) and `sleep` go
        through."""
        from self_promoting_blog.stats.command import stats

        return self._run(stats, settings, 200, options)

    def samples(self) -> list[Any]:
        """Every engagement sample in the SQLite ledger file."""
        from self_promoting_blog.promote.samples_sqlite import SqliteSamples

        store = SqliteSamples(self.root / ".promote" / "ledger.sqlite3", read_only=True)
        try:
            return store.samples()
        finally:
            store.close()

    def responses(self) -> list[Any]:
        """Every stored reply in the SQLite ledger file."""
        from self_promoting_blog.promote.responses_sqlite import SqliteResponses

        store = SqliteResponses(self.root / ".promote" / "ledger.sqlite3", read_only=True)
        try:
            return store.responses()
        finally:
            store.close()

    def baseline(self) -> None:
        """The first run: one old article, recorded as the baseline on every network."""
        self.article("old-news", date=BASELINE_DATE)
        run = self.promote()
        assert run.code == 0, run.output

    def announce(self, slug: str) -> tuple[int, str]:
        """Add the new article `slug` and run promote: exit code, output folded to one line."""
        self.article(slug, date=NEW)
        run = self.promote()
        return run.code, " ".join(run.output.split())

    def spawn(self, extra_env: Mapping[str, str] | None = None,
              **options: Any) -> subprocess.Popen[str]:
        """Start promote in another process (same settings and credentials; `extra_env`, e.g.
        libfaketime's, on top)."""
        settings_file = self.root / "settings.json"
        settings_file.write_text(json.dumps(self.settings()), encoding="utf-8")
        code = ("import json, sys; from rich.console import Console; "
                "from self_promoting_blog.promote.command import promote; "
                f"sys.exit(promote(json.load(open({str(settings_file)!r})), "
                f"console=Console(width=160, color_system=None), **{options!r}))")
        env = {**os.environ, **self.env(), **(extra_env or {})}
        return subprocess.Popen([sys.executable, "-c", code], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def kill_while_held(self, network: str, extra_env: Mapping[str, str] | None = None,
                        **options: Any) -> None:
        """Run promote (with `options`) in another process and SIGKILL it once `network`'s fake
        holds a request (script the fake's Hang() first)."""
        fake = self.fakes[network]
        child = self.spawn(extra_env, **options)
        try:
            assert fake.hung.wait(60), child.communicate(timeout=5)[0]
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()  # reaped: its pid is really gone

    # -- reading back ----------------------------------------------------------------------

    def ledger(self) -> Any:
        """The SQLite ledger (opened read-only)."""
        from self_promoting_blog.promote.ledger import Ledger

        return Ledger(self.root / ".promote" / "ledger.sqlite3", read_only=True)

    def states(self, network: str) -> dict[str, str]:
        """{article slug: ledger state} for one network."""
        ledger = self.ledger()
        try:
            return {r.url.rstrip("/").rsplit("/", 1)[-1]: r.state for r in ledger.rows(network)}
        finally:
            ledger.close()

    def row(self, network: str, slug: str) -> Row:
        """The ledger row of the article `slug` on `network`."""
        ledger = self.ledger()
        try:
            return next(r for r in ledger.rows(network) if r.url.endswith(f"/{slug}/"))
        finally:
            ledger.close()

    def posts(self, network: str) -> list[Any]:
        """What the network's fake holds."""
        return self.fakes[network].posts()
