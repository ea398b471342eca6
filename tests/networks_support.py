"""What every test_network_*.py shares: a world past its baseline run, ledger rows, adapters.

A network's test module gets its ``world`` fixture with ``world = network_world("<name>")``;
tests that drive an adapter directly build it with ``adapter_for`` and hand it ``message_for``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from self_promoting_blog.promote.adapters.base import Card, Message, NetworkAdapter
from self_promoting_blog.promote.credentials import network_config
from self_promoting_blog.promote.http import HttpClient
from self_promoting_blog.promote.rows import Row
from tests.fakes.site import FakeSite
from tests.fakes.world import PromoteWorld

CORPORATE = ("x", "linkedin", "facebook", "threads")  # fakes that carry their own env()
ALL = ("mastodon", "bluesky", "telegram", "discord", *CORPORATE)
NEW = "2024-06-01T09:00:00+02:00"  # an article date after the baseline's


class World(PromoteWorld):
    """PromoteWorld that also knows the X, LinkedIn, Facebook and Threads fakes."""

    def env(self) -> dict[str, str]:
        """Every running fake's credentials."""
        env = super().env()
        for name in CORPORATE:
            if name in self.fakes:
                env |= self.fakes[name].env()
        return env

    def posts(self, network: str) -> list:
        """What a fake holds (for X: tweets; the others: posts)."""
        if network == "x":
            return self.fakes["x"].tweets
        if network in CORPORATE:
            return self.fakes[network].posts
        return super().posts(network)

    def announce(self, slug: str) -> tuple[int, str]:
        """Add the new article `slug` and run promote: exit code, output folded to one line."""
        self.article(slug, date=NEW)
        run = self.promote()
        return run.code, " ".join(run.output.split())

    def row(self, network: str, slug: str) -> Row:
        """The ledger row of the article `slug` on `network`."""
        ledger = self.ledger()
        try:
            return next(r for r in ledger.rows(network) if r.url.endswith(f"/{slug}/"))
        finally:
            ledger.close()


def world_of(request: Any, tmp_path: Path, fake_site: FakeSite, names: Any) -> World:
    """A world with the fakes of `names`, after its first run (one old article, baseline)."""
    world = World(tmp_path, fake_site, {n: request.getfixturevalue(f"fake_{n}") for n in names})
    world.article("old-news", date="2024-01-01T09:00:00+01:00")
    assert world.promote().code == 0  # first run: baseline everywhere
    return world


def network_world(network: str) -> Any:
    """The `world` fixture of a module about one network."""

    @pytest.fixture
    def world(request: Any, tmp_path: Path, fake_site: FakeSite) -> World:
        return world_of(request, tmp_path, fake_site, [network])

    return world


def adapter_for(cls: type[NetworkAdapter], fake: Any, *timeouts: float) -> Any:
    """An adapter of `cls` configured for `fake`, as promote builds it."""
    return cls(network_config(cls, fake.env()), HttpClient(cls.name, *timeouts))


def message_for(limit: int, url: str = "https://blog.example/articles/a/") -> Message:
    """A short composed message linking `url`, for calling an adapter directly."""
    return Message("A " + url, url, Card(url, "A", "", None), 25, limit, url)
