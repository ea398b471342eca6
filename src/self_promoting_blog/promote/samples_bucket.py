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

import posixpath
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from self_promoting_blog.promote.bucket_objects import BucketObjects
from self_promoting_blog.promote.samples import Sample

FORMAT = "signal-and-reach engagement samples 1"


def samples_prefix(ledger_key: str) -> str:
    """Where the monthly objects go: a ``stats/`` folder beside the ledger object."""
    return posixpath.join(posixpath.dirname(ledger_key), "stats") + "/"


def month_of(fetched: float) -> str:
    """The month (UTC) whose object holds a sample fetched at `fetched`."""
    return datetime.fromtimestamp(fetched, UTC).strftime("%Y-%m")


class BucketSamples(BucketObjects[Sample]):
    """Samples as monthly objects in the bucket; each add is one conditional write per month."""

    fmt, field, what = FORMAT, "samples", "samples"

    def to_json(self, item: Sample) -> dict[str, Any]:
        return asdict(item)

    def from_json(self, data: dict[str, Any]) -> Sample:
        return Sample(**data)

    def add(self, samples: Sequence[Sample]) -> None:
        """Append the samples to their months' objects, each with a conditional write."""
        months: dict[str, list[Sample]] = {}
        for sample in samples:
            months.setdefault(month_of(sample.fetched), []).append(sample)
        for month, new in sorted(months.items()):

            def append(held: list[Sample], new: list[Sample] = new) -> list[Sample] | None:
                seen = {s.key() for s in held}
                missing = [s for s in new if s.key() not in seen]
                return held + missing if missing else None

            self.update(f"{self.prefix}{month}.json.gz", append)

    def samples(self) -> list[Sample]:
        """Every month's samples, oldest fetch first."""
        found = [sample for key in self.keys() for sample in self.read(key)[0]]
        return sorted(found, key=lambda s: s.fetched)


def open_bucket_samples(pelican_settings: Any, read_only: bool = False) -> BucketSamples:
    """The samples beside the ledger object named by DEPLOY_TARGET and DEPLOY_LEDGER_KEY."""
    return BucketSamples.beside_ledger(pelican_settings, samples_prefix, read_only)
