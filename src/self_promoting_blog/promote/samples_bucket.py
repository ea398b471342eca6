"""Engagement samples kept in the deploy bucket, beside the ledger object (PROMOTE_LEDGER =
"bucket").

One gzip-compressed JSON object per calendar month of fetches, at ``<ledger folder>/stats/
<YYYY-MM>.json.gz``, so no object grows without end and a run rewrites only this month's. Adding
samples is read → append → conditional write, as the ledger does: ``If-None-Match: *`` creates a
month, ``If-Match: <ETag read>`` replaces it, and a 412 (another run wrote in between) reads the
fresh object and appends again; samples already there are not added twice, so a write whose
answer was lost and is redone keeps one copy. Two overlapping runs lose no sample.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import posixpath
import random
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from self_promoting_blog.promote.errors import LedgerError
from self_promoting_blog.promote.ledger_bucket import MAX_CONFLICTS, bucket_place
from self_promoting_blog.promote.samples import Sample
from self_promoting_blog.s3 import storage_error

FORMAT = "signal-and-reach engagement samples 1"
log = logging.getLogger("promote")


def samples_prefix(ledger_key: str) -> str:
    """Where the monthly objects go: a ``stats/`` folder beside the ledger object."""
    return posixpath.join(posixpath.dirname(ledger_key), "stats") + "/"


def month_of(fetched: float) -> str:
    """The month (UTC) whose object holds a sample fetched at `fetched`."""
    return datetime.fromtimestamp(fetched, UTC).strftime("%Y-%m")


class BucketSamples:
    """Samples as monthly objects in the bucket; each add is one conditional write per month."""

    def __init__(self, client: BaseClient, bucket: str, prefix: str, endpoint_url: str | None,
                 read_only: bool = False) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.endpoint_url, self.read_only = endpoint_url, read_only
        self.conflicts = 0  # writes refused because another run wrote first (then redone)

    def _fail(self, exc: BaseException, doing: str, key: str) -> LedgerError:
        return LedgerError(str(storage_error(exc, self.bucket, self.endpoint_url,
                                             f"{doing} s3://{self.bucket}/{key}", who="stats")))

    def _read(self, key: str) -> tuple[list[Sample], str | None]:
        """One month's samples and its ETag (none yet: [], None)."""
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return [], None
            raise self._fail(exc, "reading", key) from None
        except Exception as exc:
            raise self._fail(exc, "reading", key) from None
        try:
            document = json.loads(gzip.decompress(got["Body"].read()))
            if document.get("format") != FORMAT:
                raise ValueError(f"format {document.get('format')!r}")
            samples = [Sample(**sample) for sample in document["samples"]]
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise LedgerError(f"stats: s3://{self.bucket}/{key} holds no samples this blog wrote "
                              f"({exc}); restore it from the bucket's versions or delete it")\
                from None
        return samples, str(got["ETag"])

    def _write(self, key: str, samples: list[Sample], etag: str | None) -> bool:
        """Write one month conditionally; False when another run wrote it first (409/412)."""
        document = {"format": FORMAT, "samples": [asdict(s) for s in samples]}
        body = gzip.compress(json.dumps(document, sort_keys=True).encode(), mtime=0)
        condition = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=key, Body=body, ContentType="application/gzip",
                ContentMD5=base64.b64encode(hashlib.md5(body).digest()).decode(), **condition)
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") in (409, 412):
                return False
            raise self._fail(exc, "writing", key) from None
        except Exception as exc:
            raise self._fail(exc, "writing", key) from None
        return True

    def add(self, samples: Sequence[Sample]) -> None:
        """Append the samples to their months' objects, each with a conditional write."""
        if self.read_only:
            raise LedgerError("stats: the samples are open read-only (dry run); nothing is "
                              "written")
        months: dict[str, list[Sample]] = {}
        for sample in samples:
            months.setdefault(month_of(sample.fetched), []).append(sample)
        for month, new in sorted(months.items()):
            self._append(f"{self.prefix}{month}.json.gz", new)

    def _append(self, key: str, new: list[Sample]) -> None:
        for attempt in range(MAX_CONFLICTS):
            held, etag = self._read(key)
            seen = {s.key() for s in held}
            missing = [s for s in new if s.key() not in seen]
            if not missing or self._write(key, held + missing, etag):
                return
            self.conflicts += 1
            log.info("stats: another run wrote %s first; adding the samples again", key)
            time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))
        raise LedgerError(f"stats: s3://{self.bucket}/{key} changed {MAX_CONFLICTS} times while "
                          "this run tried to add its samples (other runs writing); rerun")

    def samples(self) -> list[Sample]:
        """Every month's samples, oldest fetch first."""
        keys: list[str] = []
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix)
            for page in pages:
                keys += [item["Key"] for item in page.get("Contents", [])
                         if str(item["Key"]).endswith(".json.gz")]
        except Exception as exc:
            raise self._fail(exc, "listing", self.prefix) from None
        found = [sample for key in sorted(keys) for sample in self._read(key)[0]]
        return sorted(found, key=lambda s: s.fetched)

    def close(self) -> None:
        """Nothing to release: every sample added is already in the bucket."""


def open_bucket_samples(pelican_settings: Any, read_only: bool = False) -> BucketSamples:
    """The samples beside the ledger object named by DEPLOY_TARGET and DEPLOY_LEDGER_KEY."""
    client, target, endpoint_url, key = bucket_place(pelican_settings)
    prefix = samples_prefix(key)
    if prefix.startswith(target.prefix) or target.prefix.startswith(prefix):
        raise LedgerError(f"stats: the samples would go to {prefix!r}, inside the site "
                          f"({target}); set DEPLOY_LEDGER_KEY to a key in a folder of its own, "
                          "e.g. 'promote/ledger.json.gz'")
    return BucketSamples(client, target.bucket, prefix, endpoint_url, read_only)
