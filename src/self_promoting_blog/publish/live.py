"""Wait until the pages a deploy sent answer 200 where readers (and networks) will fetch them."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import requests
from rich.console import Console


@dataclass
class LiveResult:
    """Which URLs answered 200, which never did (with their last answer), and how long it took."""

    live: list[str] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def _answer(session: requests.Session, url: str) -> str:
    try:
        # no-cache: ask a CDN to check its origin rather than replay a cached 404.
        response = session.get(url, timeout=10, headers={"Cache-Control": "no-cache"})
    except requests.RequestException as exc:
        return type(exc).__name__
    return "200" if response.status_code == 200 else f"HTTP {response.status_code}"


def wait_until_live(urls: Iterable[str], wait: float, interval: float,
                    console: Console) -> LiveResult:
    """Poll each URL until it answers 200 or `wait` seconds pass."""
    started = time.monotonic()
    result = LiveResult(missing=dict.fromkeys(urls, "not checked"))
    with requests.Session() as session, console.status("publish: checking the new pages…") as shown:
        while True:
            for url in list(result.missing):
                answer = _answer(session, url)
                if answer == "200":
                    del result.missing[url]
                    result.live.append(url)
                else:
                    result.missing[url] = answer
            left = wait - (time.monotonic() - started)
            if not result.missing or left <= 0:
                break
            shown.update(f"publish: waiting for {len(result.missing)} new pages to answer 200 "
                         f"({left:.0f} s left)…")
            time.sleep(min(interval, left))
    result.seconds = time.monotonic() - started
    return result
