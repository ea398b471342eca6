"""An adapter built as promote builds it, and a message to hand it: for the tests that call one
adapter directly, against its network's fake."""

from __future__ import annotations

from typing import Any

from self_promoting_blog.promote.adapters.base import Card, Message, NetworkAdapter
from self_promoting_blog.promote.credentials import network_config
from self_promoting_blog.promote.http import HttpClient
from tests.fakes.world import NetworkFake


def adapter_for(cls: type[NetworkAdapter], fake: NetworkFake, *timeouts: float) -> Any:
    """An adapter of `cls` configured for `fake`, as promote builds it."""
    return cls(network_config(cls, fake.env()), HttpClient(cls.name, *timeouts))


def message_for(limit: int, url: str = "https://blog.example/articles/a/") -> Message:
    """A short composed message linking `url`, for calling an adapter directly."""
    return Message("A " + url, url, Card(url, "A", "", None), 25, limit, url)
