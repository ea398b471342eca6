"""Responses kept in the deploy bucket, beside the ledger object (PROMOTE_LEDGER = "bucket").

One gzip-compressed JSON object per network, at ``<ledger folder>/responses/<network>.json.gz``,
so each network's run rewrites only its own. A fetch's replies replace those of the posts it
asked about, in a conditional write (``bucket_objects``): when another run wrote in between, the
fresh object is read and the replacement applied again, keeping the later fetch of any post both
runs asked about.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import asdict
from itertools import groupby
from typing import Any

from self_promoting_blog.promote.bucket_objects import BucketObjects
from self_promoting_blog.promote.replies import PublicReply
from self_promoting_blog.promote.responses import Response, Thread, replace

FORMAT = "signal-and-reach responses 1"


def responses_prefix(ledger_key: str) -> str:
    """Where the objects go: a ``responses/`` folder beside the ledger object."""
    return posixpath.join(posixpath.dirname(ledger_key), "responses") + "/"


class BucketResponses(BucketObjects[Response]):
    """Responses as one object per network in the bucket."""

    fmt, field, what = FORMAT, "responses", "responses"

    def to_json(self, item: Response) -> dict[str, Any]:
        return asdict(item)

    def from_json(self, data: dict[str, Any]) -> Response:
        return Response(**{**data, "reply": PublicReply(**data["reply"])})

    def replace(self, threads: Sequence[Thread]) -> None:
        """Each network's object: the fetched posts' replies replaced, one conditional write."""
        by_network = sorted(threads, key=lambda t: t.network)
        for network, group in groupby(by_network, key=lambda t: t.network):
            fetched = list(group)

            def change(held: list[Response], fetched: list[Thread] = fetched) -> list[Response]:
                return replace(held, fetched)

            self.update(f"{self.prefix}{network}.json.gz", change)

    def responses(self) -> list[Response]:
        """Every network's stored replies."""
        return [response for key in self.keys() for response in self.read(key)[0]]


def open_bucket_responses(pelican_settings: Any, read_only: bool = False) -> BucketResponses:
    """The responses beside the ledger object named by DEPLOY_TARGET and DEPLOY_LEDGER_KEY."""
    return BucketResponses.beside_ledger(pelican_settings, responses_prefix, read_only)
