"""gzip-compressed JSON documents in the deploy bucket, each replaced only by a conditional write:
what the ledger object (``ledger_bucket``) and the objects beside it (``bucket_objects``: the
samples, the responses) share.

A document names its ``format``, checked on every read. ``put_if`` writes with ``If-Match:
<ETag read>``, or ``If-None-Match: *`` for a new object, and says when another writer came first
(409/412): the caller reads the fresh object, decides again and waits ``after_conflict`` before
the next try.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import random
import time
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError

# Conditional writes refused in a row before giving up (each is another run's write).
MAX_CONFLICTS = 30


def status_of(exc: ClientError) -> int | None:
    """The HTTP status of a refused request."""
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status if isinstance(status, int) else None


def is_missing(exc: ClientError) -> bool:
    """True when the object does not exist (yet)."""
    return exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404")


def encode(document: dict[str, Any]) -> bytes:
    """A document as the bucket keeps it: sorted JSON, gzip-compressed, the same bytes each time."""
    return gzip.compress(json.dumps(document, sort_keys=True).encode(), mtime=0)


def decode(body: bytes, fmt: str) -> dict[str, Any]:
    """The document in `body`; ValueError (or OSError: not gzip) when it is not one of `fmt`."""
    document = json.loads(gzip.decompress(body))
    if not isinstance(document, dict) or document.get("format") != fmt:
        found = document.get("format") if isinstance(document, dict) else None
        raise ValueError(f"format {found!r}")
    return document


def put_if(client: BaseClient, bucket: str, key: str, body: bytes,
           etag: str | None) -> str | None:
    """Write `body` at `key` if the object is still the one read (`etag`; None: there was
    none): its new ETag, or None when another writer came first. Other failures raise."""
    condition = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
    try:
        answer = client.put_object(
            Bucket=bucket, Key=key, Body=body, ContentType="application/gzip",
            ContentMD5=base64.b64encode(hashlib.md5(body).digest()).decode(), **condition)
    except ClientError as exc:
        if status_of(exc) in (409, 412):
            return None
        raise
    return str(answer["ETag"])


def after_conflict(attempt: int) -> None:
    """Wait a little, longer each time, before deciding again (spreads racing writers)."""
    time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))
