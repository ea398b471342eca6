"""Engagement samples kept in the deploy bucket, beside the ledger object (PROMOTE_LEDGER =
"bucket").

One gzip-compressed JSON object per calendar month of fetches, at ``<ledger folder>/stats/
<YYYY-MM>.json.gz``, so no object grows without end and a run rewrites only this month's. Adding
samples is read → append → conditional write, as the ledger does: ``If-None-Match: *`` creates a
month, ``If-Match: <ETag read>`` replaces it, and a 412 (another run wrote in between) reads the
fresh object and appends again; samples already there are not added twice, so a write whose
answer was lost and is redone keeps one copy. Two overlapping runs lose no sample.

Each post's newest sample is also kept in one object, ``<ledger folder>/stats-latest.json.gz``,
so a build reads one object, not every month. It says which version of each month it covers
(the month object's ETag, and its count of samples: a month only grows, so the larger count is
the newer version); a reader lists the months (one request) and reads again only those whose
ETag differs from the one covered: a month written by a run that crashed before the latest
object, or by an older version of this blog. Each add writes the month, then merges everything
that month now holds into the latest object with the same conditional write, and catches up
any other month it does not cover (all of them, the first time, in a bucket from before it).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from self_promoting_blog.promote.bucket_objects import BucketObjects
from self_promoting_blog.promote.samples import Latest, Sample, latest_samples

FORMAT = "signal-and-reach engagement samples 1"
LATEST_FORMAT = "signal-and-reach latest engagement samples 1"
MONTH = re.compile(r"(\d{4}-\d{2})\.json\.gz")


def samples_prefix(ledger_key: str) -> str:
    """Where the monthly objects go: a ``stats/`` folder beside the ledger object."""
    return posixpath.join(posixpath.dirname(ledger_key), "stats") + "/"


def month_of(fetched: float) -> str:
    """The month (UTC) whose object holds a sample fetched at `fetched`."""
    return datetime.fromtimestamp(fetched, UTC).strftime("%Y-%m")


@dataclass
class Newest:
    """The latest object: each post's newest sample in the months it covers, and which
    version of each it covers: {month: (ETag, count of samples)}."""

    samples: Latest = field(default_factory=dict)
    months: dict[str, tuple[str, int]] = field(default_factory=dict)

    def merge(self, month: str, held: list[Sample], etag: str | None) -> None:
        """Take in everything `month`'s object held at `etag`."""
        latest_samples(held, into=self.samples)
        # A month only grows, so the larger count is the newer version: a run that merges an
        # older version after another run merged a newer one leaves the newer one named.
        if etag and len(held) >= self.months.get(month, ("", -1))[1]:
            self.months[month] = (etag, len(held))

    def document(self) -> dict[str, Any]:
        """The latest object as the bucket keeps it (the same content: the same document)."""
        return {"format": LATEST_FORMAT,
                "samples": [asdict(self.samples[post]) for post in sorted(self.samples)],
                "months": {month: {"etag": etag, "count": count}
                           for month, (etag, count) in sorted(self.months.items())}}


class BucketSamples(BucketObjects[Sample]):
    """Samples as monthly objects in the bucket; each add is one conditional write per month,
    then one to the latest object."""

    fmt, field, what = FORMAT, "samples", "samples"

    def to_json(self, item: Sample) -> dict[str, Any]:
        return asdict(item)

    def from_json(self, data: dict[str, Any]) -> Sample:
        return Sample(**data)

    @property
    def latest_key(self) -> str:
        """The latest object's key: beside the months' folder, never listed with them."""
        return self.prefix.rstrip("/") + "-latest.json.gz"

    def add(self, samples: Sequence[Sample]) -> None:
        """Append the samples to their months' objects, each with a conditional write; then
        merge what those months now hold into the latest object, with another."""
        months: dict[str, list[Sample]] = {}
        for sample in samples:
            months.setdefault(month_of(sample.fetched), []).append(sample)
        written = {}
        for month, new in sorted(months.items()):

            def append(held: list[Sample], new: list[Sample] = new) -> list[Sample] | None:
                seen = {s.key() for s in held}
                missing = [s for s in new if s.key() not in seen]
                return held + missing if missing else None

            written[month] = self.update(f"{self.prefix}{month}.json.gz", append)
        if not written:
            return
        listed = self._months()

        def bring_up_to_date(document: dict[str, Any] | None) -> dict[str, Any] | None:
            newest = self._newest(document)
            for month, (held, etag) in written.items():
                newest.merge(month, held, etag)
            changed = self._catch_up(newest, listed).document()
            return None if changed == document else changed

        self.update_document(self.latest_key, LATEST_FORMAT, bring_up_to_date)

    def samples(self) -> list[Sample]:
        """Every month's samples, oldest fetch first."""
        found = [sample for month in sorted(self._months())
                 for sample in self.read(f"{self.prefix}{month}.json.gz")[0]]
        return sorted(found, key=lambda s: s.fetched)

    def latest(self) -> Latest:
        """Each post's newest sample: the latest object, with any month it does not cover as
        listed now read and merged."""
        document, _ = self.read_document(self.latest_key, LATEST_FORMAT)
        return self._catch_up(self._newest(document), self._months()).samples

    def _months(self) -> dict[str, str]:
        """Every month's object: {month: its ETag}."""
        found = {}
        for key, etag in self.etags().items():
            month = MONTH.fullmatch(key[len(self.prefix):])
            if month:
                found[month[1]] = etag
        return found

    def _newest(self, document: dict[str, Any] | None) -> Newest:
        """The latest object's content (none yet: empty, covering no month)."""
        if document is None:
            return Newest()
        try:
            return Newest({s.post(): s for s in map(self.from_json, document["samples"])},
                          {month: (str(v["etag"]), int(v["count"]))
                           for month, v in document["months"].items()})
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise self.unreadable(self.latest_key, exc) from None

    def _catch_up(self, newest: Newest, listed: dict[str, str]) -> Newest:
        """`newest` with every month listed (by ETag) that it does not cover read and merged;
        started again from nothing when a month it covers is no longer there."""
        if not newest.months.keys() <= listed.keys():
            newest = Newest()
        for month, etag in sorted(listed.items()):
            covered = newest.months.get(month)
            if not etag or covered is None or covered[0] != etag:
                newest.merge(month, *self.read(f"{self.prefix}{month}.json.gz"))
        return newest


def open_bucket_samples(pelican_settings: Any, read_only: bool = False) -> BucketSamples:
    """The samples beside the ledger object named by DEPLOY_TARGET and DEPLOY_LEDGER_KEY."""
    return BucketSamples.beside_ledger(pelican_settings, samples_prefix, read_only)
