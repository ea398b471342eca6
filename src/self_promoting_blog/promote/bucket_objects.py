"""gzip-compressed JSON objects in the deploy bucket, beside the ledger object, each changed only
by a conditional write (the samples' months, the responses of each network).

``update(key, change)`` reads the object and its ETag, writes ``change(items)`` with ``If-Match:
<ETag>`` (``If-None-Match: *`` for a new one), and when another run wrote in between (409/412)
reads the fresh object and applies `change` again, so two overlapping runs lose nothing;
``update_document`` does the same for a document of another shape (the samples' latest object).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from self_promoting_blog.promote import bucket_json
from self_promoting_blog.promote.errors import LedgerError
from self_promoting_blog.promote.ledger_bucket import bucket_place
from self_promoting_blog.s3 import storage_error

log = logging.getLogger("promote")
Item = TypeVar("Item")


class BucketObjects(Generic[Item]):
    """Objects under `prefix` holding a list of items under `field`, in format `fmt`."""

    fmt: str           # the document's "format", checked on every read
    field: str         # where its items are
    what: str          # what they are, in messages ("samples")

    @classmethod
    def beside_ledger(cls, pelican_settings: Any, prefix_of: Callable[[str], str],
                      read_only: bool = False) -> Self:
        """The objects under `prefix_of(the ledger's key)` in the ledger's bucket (DEPLOY_TARGET
        and DEPLOY_LEDGER_KEY), refused when that folder lies inside the site."""
        client, target, endpoint_url, key = bucket_place(pelican_settings)
        prefix = prefix_of(key)
        if prefix.startswith(target.prefix) or target.prefix.startswith(prefix):
            raise LedgerError(f"stats: the {cls.what} would go to {prefix!r}, inside the site "
                              f"({target}); set DEPLOY_LEDGER_KEY to a key in a folder of its "
                              "own, e.g. 'promote/ledger.json.gz'")
        return cls(client, target.bucket, prefix, endpoint_url, read_only)

    def __init__(self, client: BaseClient, bucket: str, prefix: str, endpoint_url: str | None,
                 read_only: bool = False) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.endpoint_url, self.read_only = endpoint_url, read_only
        self.conflicts = 0  # writes refused because another run wrote first (then redone)

    def to_json(self, item: Item) -> dict[str, Any]:
        raise NotImplementedError

    def from_json(self, data: dict[str, Any]) -> Item:
        raise NotImplementedError

    def _fail(self, exc: BaseException, doing: str, key: str) -> LedgerError:
        return LedgerError(str(storage_error(exc, self.bucket, self.endpoint_url,
                                             f"{doing} s3://{self.bucket}/{key}", who="stats")))

    def read_document(self, key: str, fmt: str) -> tuple[dict[str, Any] | None, str | None]:
        """One object's document, checked to be of format `fmt`, and its ETag (none yet: None,
        None)."""
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=key)
            body = got["Body"].read()
        except ClientError as exc:
            if bucket_json.is_missing(exc):
                return None, None
            raise self._fail(exc, "reading", key) from None
        except Exception as exc:
            raise self._fail(exc, "reading", key) from None
        try:
            return bucket_json.decode(body, fmt), str(got["ETag"])
        except (OSError, ValueError) as exc:
            raise self.unreadable(key, exc) from None

    def unreadable(self, key: str, exc: Exception) -> LedgerError:
        """The error for an object that holds no document this blog wrote."""
        return LedgerError(f"stats: s3://{self.bucket}/{key} holds no {self.what} this blog "
                           f"wrote ({exc}); restore it from the bucket's versions or delete it")

    def read(self, key: str) -> tuple[list[Item], str | None]:
        """One object's items and its ETag (none yet: [], None)."""
        document, etag = self.read_document(key, self.fmt)
        return self._items(key, document), etag

    def _items(self, key: str, document: dict[str, Any] | None) -> list[Item]:
        """The items of `key`'s document (none yet: [])."""
        if document is None:
            return []
        try:
            return [self.from_json(item) for item in document[self.field]]
        except (ValueError, TypeError, KeyError) as exc:
            raise self.unreadable(key, exc) from None

    def update_document(self, key: str, fmt: str,
                        change: Callable[[dict[str, Any] | None], dict[str, Any] | None]
                        ) -> str | None:
        """Write `change(the document held)` to `key` (None: nothing to write), again on the
        fresh document after a conflict; the ETag of the document now there."""
        if self.read_only:
            raise LedgerError(f"stats: the {self.what} are open read-only (dry run); nothing "
                              "is written")
        for attempt in range(bucket_json.MAX_CONFLICTS):
            held, etag = self.read_document(key, fmt)
            changed = change(held)
            if changed is None:
                return etag
            written = self._write(key, changed, etag)
            if written is not None:
                return written
            self.conflicts += 1
            log.info("stats: another run wrote %s first; writing the %s again", key, self.what)
            bucket_json.after_conflict(attempt)
        raise LedgerError(f"stats: s3://{self.bucket}/{key} changed {bucket_json.MAX_CONFLICTS} "
                          f"times while this run tried to write its {self.what} (other runs "
                          "writing); rerun")

    def _write(self, key: str, document: dict[str, Any], etag: str | None) -> str | None:
        """Write one object conditionally: its new ETag, or None when another run wrote it
        first (409/412)."""
        try:
            return bucket_json.put_if(self.client, self.bucket, key, bucket_json.encode(document),
                                      etag)
        except Exception as exc:
            raise self._fail(exc, "writing", key) from None

    def update(self, key: str, change: Callable[[list[Item]], list[Item] | None]
               ) -> tuple[list[Item], str | None]:
        """Write `change(items held)` to `key` (None: nothing to write), again after a conflict;
        the items now there and their ETag."""
        now: list[Item] = []

        def on_document(document: dict[str, Any] | None) -> dict[str, Any] | None:
            held = self._items(key, document)
            changed = change(held)
            now[:] = held if changed is None else changed
            return None if changed is None else {
                "format": self.fmt, self.field: [self.to_json(i) for i in changed]}

        etag = self.update_document(key, self.fmt, on_document)
        return now, etag

    def etags(self) -> dict[str, str]:
        """Every object under the prefix, with its ETag."""
        found: dict[str, str] = {}
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix)
            for page in pages:
                found.update((str(item["Key"]), str(item.get("ETag", "")))
                             for item in page.get("Contents", [])
                             if str(item["Key"]).endswith(".json.gz"))
        except Exception as exc:
            raise self._fail(exc, "listing", self.prefix) from None
        return found

    def keys(self) -> list[str]:
        """Every object under the prefix, sorted."""
        return sorted(self.etags())

    def close(self) -> None:
        """Nothing to release: every write is already in the bucket."""
