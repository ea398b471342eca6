"""PromoteWorld: a blog folder, its deployed site and the four networks' fakes, wired together.

Tests describe articles (``article``), write the manifest and run promote in-process
(``promote``) or as a separate process (``spawn``, for crash and concurrency tests), then read
what each fake received and what the ledger says.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from self_promoting_blog.errors import BlogError
from tests.fakes import bluesky, mastodon, telegram
from tests.fakes.site import FakeSite

ROOT = Path(__file__).resolve().parents[2]
NETWORKS = ["mastodon", "bluesky", "telegram", "discord"]


@dataclass
class Run:
    """One promote run: exit status and everything it printed."""

    code: int
    output: str


class PromoteWorld:
    """Everything a promote run needs, on 127.0.0.1 and in a temp folder."""

    def __init__(self, tmp_path: Path, site: FakeSite, fakes: dict[str, Any]) -> None:
        self.root = tmp_path / "blog"
        self.root.mkdir(parents=True, exist_ok=True)
        self.site = site
        self.fakes = fakes
        self.articles: list[dict[str, Any]] = []
        self.overrides: dict[str, Any] = {}

    # -- configuration ---------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        """The credentials of every fake that is running."""
        env: dict[str, str] = {}
        if "mastodon" in self.fakes:
            env |= {"MASTODON_INSTANCE_URL": self.fakes["mastodon"].base_url,
                    "MASTODON_ACCESS_TOKEN": mastodon.TOKEN}
        if "bluesky" in self.fakes:
            env |= {"BLUESKY_HANDLE": bluesky.HANDLE, "BLUESKY_APP_PASSWORD": bluesky.PASSWORD,
                    "BLUESKY_SERVICE_URL": self.fakes["bluesky"].base_url}
        if "telegram" in self.fakes:
            env |= {"TELEGRAM_BOT_TOKEN": telegram.TOKEN, "TELEGRAM_CHAT_ID": telegram.CHAT,
                    "TELEGRAM_API_BASE_URL": self.fakes["telegram"].base_url}
        if "discord" in self.fakes:
            env |= {"DISCORD_WEBHOOK_URL": self.fakes["discord"].webhook_url}
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

    def promote(self, monkeypatch: Any = None, settings: dict[str, Any] | None = None,
                **options: Any) -> Run:
        """Run promote in this process with the fakes' credentials in the environment."""
        from self_promoting_blog.promote.command import promote

        saved = {k: os.environ.get(k) for k in self.env()}
        os.environ.update(self.env())
        out = io.StringIO()
        try:
            code = promote(settings or self.settings(), console=Console(
                file=out, width=160, color_system=None), **options)
        except BlogError as exc:  # what `invoke promote` prints before it exits 1
            out.write(str(exc))
            code = 2
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        return Run(code, out.getvalue())

    def spawn(self, **options: Any) -> subprocess.Popen[str]:
        """Start promote in another process (same settings and credentials)."""
        settings_file = self.root / "settings.json"
        settings_file.write_text(json.dumps(self.settings()), encoding="utf-8")
        code = ("import json, sys; from rich.console import Console; "
                "from self_promoting_blog.promote.command import promote; "
                f"sys.exit(promote(json.load(open({str(settings_file)!r})), "
                f"console=Console(width=160, color_system=None), **{options!r}))")
        env = {**os.environ, **self.env()}
        return subprocess.Popen([sys.executable, "-c", code], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

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

    def posts(self, network: str) -> list[Any]:
        """What the fake network holds: statuses, records, messages."""
        fake = self.fakes[network]
        return {"mastodon": lambda: fake.statuses, "bluesky": lambda: list(fake.records.values()),
                "telegram": lambda: fake.messages,
                "discord": lambda: list(fake.messages.values())}[network]()


def one_network_world(request: Any, tmp_path: Path, site: FakeSite, network: str) -> PromoteWorld:
    """A world with just `network`'s fake, after its first run (one old article, baseline)."""
    world = PromoteWorld(tmp_path, site, {network: request.getfixturevalue(f"fake_{network}")})
    world.article("old-news", date="2024-01-01T09:00:00+01:00")
    assert world.promote().code == 0
    return world
