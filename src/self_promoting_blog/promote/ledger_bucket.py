"""The posting ledger kept as one object in the deploy bucket (PROMOTE_LEDGER = "bucket").

For publishing from CI, where every machine is new: the ledger travels with the site. It has the
same rows, states and rules as the SQLite ``self_promoting_blog.promote.ledger.Ledger``. Every state change is
read → decide → conditional write: ``If-None-Match: *`` creates the object, ``If-Match: <ETag
read>`` replaces it. A 412 means another publish wrote in between, so the change is decided again
on the fresh ledger; two publishes racing from two machines can never both claim (and post) a row.

The object (gzip-compressed JSON) sits at DEPLOY_LEDGER_KEY, outside the site's prefix, so the
site never serves it and the deploy never deletes it. It is written without any public ACL.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, replace
from typing import Any, TypeVar

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from self_promoting_blog.deploy.command import load_storage_env
from self_promoting_blog.deploy.errors import DeployError
from self_promoting_blog.deploy.settings import load_settings as load_deploy_settings
from self_promoting_blog.deploy.target import S3Target
from self_promoting_blog.promote.errors import LedgerError
from self_promoting_blog.promote.ledger import (
    CLAIMABLE,
    STATES,
    ArticleRef,
    Claim,
    Owner,
    Row,
    owner_is_gone,
)
from self_promoting_blog.s3 import make_client, storage_error

FORMAT = "signal-and-reach promotion ledger 1"
# Conditional writes refused in a row before giving up (each is another publish's write).
MAX_CONFLICTS = 30
T = TypeVar("T")
log = logging.getLogger("promote")
RowKey = tuple[str, str, str]


class _Conflict(Exception):
    """The object changed since it was read (412 Precondition Failed / 409 conflict)."""


class BucketLedger:
    """The ledger as one S3 object; every state change is one conditional write."""

    def __init__(self, client: BaseClient, bucket: str, key: str, endpoint_url: str | None,
                 read_only: bool = False) -> None:
        self.client, self.bucket, self.key = client, bucket, key
        self.endpoint_url, self.read_only = endpoint_url, read_only
        self.conflicts = 0  # writes refused because another publish wrote first (then redone)
        self._lock = threading.RLock()  # the runner's network threads share one ledger
        self._rows: dict[RowKey, Row] = {}
        self._accounts: dict[str, float] = {}
        self._etag: str | None = None

    # -- the object ---------------------------------------------------------------------------

    def _fail(self, exc: BaseException, doing: str) -> LedgerError:
        where = f"s3://{self.bucket}/{self.key}"
        return LedgerError(str(storage_error(exc, self.bucket, self.endpoint_url,
                                             f"{doing} the ledger {where}", who="promote")))

    def refresh(self) -> None:
        """Load the object if it changed since the last read (a 304 costs no body)."""
        extra = {"IfNoneMatch": self._etag} if self._etag else {}
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self.key, **extra)
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 304:
                return
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                self._rows, self._accounts, self._etag = {}, {}, None
                return
            raise self._fail(exc, "reading") from None
        except Exception as exc:  # noqa: BLE001 - every storage failure becomes one clear line
            raise self._fail(exc, "reading") from None
        try:
            document = json.loads(gzip.decompress(got["Body"].read()))
            if document.get("format") != FORMAT:
                raise ValueError(f"format {document.get('format')!r}")
            rows = [Row(**row) for row in document["rows"]]
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise LedgerError(f"promote: the ledger s3://{self.bucket}/{self.key} is not a ledger "
                              f"this blog wrote ({exc}); restore it from the bucket's versions or "
                              "set DEPLOY_LEDGER_KEY to another key") from None
        self._rows = {(r.url, r.network, r.account): r for r in rows}
        self._accounts = dict(document["accounts"])
        self._etag = got["ETag"]

    def _write(self, write_id: str) -> None:
        document = {"format": FORMAT, "write_id": write_id,
                    "accounts": self._accounts, "rows": [asdict(r) for r in self._sorted()]}
        body = gzip.compress(json.dumps(document, sort_keys=True).encode(), mtime=0)
        condition = {"IfMatch": self._etag} if self._etag else {"IfNoneMatch": "*"}
        try:
            answer = self.client.put_object(
                Bucket=self.bucket, Key=self.key, Body=body, ContentType="application/gzip",
                ContentMD5=base64.b64encode(hashlib.md5(body).digest()).decode(), **condition)
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status in (409, 412):
                raise _Conflict from None
            raise self._fail(exc, "writing") from None
        except Exception as exc:  # noqa: BLE001 - the write may or may not have landed
            raise self._fail(exc, "writing") from None
        self._etag = answer["ETag"]

    def _landed(self, write_id: str) -> bool:
        """After a conflict: was it our own write, answered late (a retried request)?"""
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self.key)
            return json.loads(gzip.decompress(got["Body"].read())).get("write_id") == write_id
        except Exception as exc:  # noqa: BLE001 - every storage failure becomes one clear line
            raise self._fail(exc, "reading") from None

    def _change(self, decide: Callable[[float], tuple[bool, T]]) -> T:
        """Run `decide(now)` on the fresh ledger; if it changed something, write it conditionally."""
        if self.read_only:
            raise LedgerError("promote: the ledger is open read-only (dry run); nothing is written")
        with self._lock:
            for attempt in range(MAX_CONFLICTS):
                self.refresh()
                saved = dict(self._rows), dict(self._accounts)
                changed, result = decide(time.time())
                if not changed:
                    return result
                write_id = uuid.uuid4().hex
                try:
                    self._write(write_id)
                    return result
                except _Conflict:
                    self._rows, self._accounts = saved  # decide again on the fresh ledger
                    if self._landed(write_id):
                        self.refresh()
                        return result
                except BaseException:
                    self._rows, self._accounts = saved  # memory must not claim an unwritten change
                    raise
                self.conflicts += 1
                log.info("promote: another publish wrote the ledger first; deciding again")
                time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))
        raise LedgerError(f"promote: the ledger s3://{self.bucket}/{self.key} changed {MAX_CONFLICTS}"
                          " times while this run tried to write it (other publishes running); rerun")

    # -- reading ------------------------------------------------------------------------------

    def _sorted(self, network: str | None = None) -> list[Row]:
        rows = [r for r in self._rows.values() if network in (None, r.network)]
        return sorted(rows, key=lambda r: (r.article_date, r.url, r.network))

    def rows(self, network: str | None = None) -> list[Row]:
        """All rows (of one network), oldest article first."""
        with self._lock:
            self.refresh()
            return self._sorted(network)

    def get(self, url: str, network: str, account: str) -> Row | None:
        """One row, or None."""
        with self._lock:
            self.refresh()
            return self._rows.get((url, network, account))

    def is_first_run(self, network: str, account: str) -> bool:
        """True until `start_account` has recorded this network account's first run."""
        with self._lock:
            self.refresh()
            return f"{network}|{account}" not in self._accounts

    # -- state changes, one conditional write each --------------------------------------------

    def start_account(self, network: str, account: str, baseline: Iterable[ArticleRef]) -> int:
        """Record a network account's first run and its already-published articles as baseline."""
        refs = list(baseline)

        def decide(now: float) -> tuple[bool, int]:
            if f"{network}|{account}" in self._accounts:
                return False, 0
            self._accounts[f"{network}|{account}"] = now
            added = 0
            for ref in refs:
                if (ref.url, network, account) not in self._rows:
                    self._rows[(ref.url, network, account)] = Row(
                        ref.url, network, account, "baseline", ref.title, ref.date,
                        ref.article_id, detail="published before promotion was set up", updated=now)
                    added += 1
            return True, added

        return self._change(decide)

    def claim(self, ref: ArticleRef, network: str, account: str, key: str, owner: Owner, *,
              allow: frozenset[str] = CLAIMABLE, stale_after: float = 900.0) -> Claim | None:
        """Move a row to `sending` for `owner` if nobody else holds it; None if not claimable."""

        def decide(now: float) -> tuple[bool, Claim | None]:
            old = self._rows.get((ref.url, network, account))
            resumed = bool(old and old.state == "sending")
            if old and not (old.state in allow or (
                    resumed and owner_is_gone(old.owner, old.updated, stale_after, now))):
                return False, None
            # As in SQLite: a row keeps its key, checkpoints and post link for life.
            row = Row(ref.url, network, account, "sending", ref.title, ref.date, ref.article_id,
                      idem_key=old.idem_key if old and old.idem_key else key,
                      progress=dict(old.progress) if old else {},
                      post_id=old.post_id if old else None, post_url=old.post_url if old else None,
                      detail=None, owner=owner.tag(), updated=now,
                      attempts=(old.attempts if old else 0) + 1)
            self._rows[(ref.url, network, account)] = row
            return True, Claim(row, resumed)

        return self._change(decide)

    def _update(self, url: str, network: str, account: str, **fields: Any) -> None:
        def decide(now: float) -> tuple[bool, None]:
            old = self._rows.get((url, network, account))
            if old is None:
                return False, None
            values = {k: (v(old) if callable(v) else v) for k, v in fields.items()}
            self._rows[(url, network, account)] = replace(old, updated=now, **values)
            return True, None

        self._change(decide)

    def checkpoint(self, url: str, network: str, account: str, name: str, value: Any) -> None:
        """Store one recovery value in a `sending` row's progress and write it."""
        self._update(url, network, account, progress=lambda old: {**old.progress, name: value})

    def finish(self, url: str, network: str, account: str, state: str, *,
               detail: str | None = None, post_id: str | None = None,
               post_url: str | None = None) -> None:
        """Leave `sending`: posted / failed / unknown, or released to pending / skipped."""
        if state not in STATES or state == "sending":
            raise ValueError(f"not a final state: {state}")
        self._update(url, network, account, state=state, detail=detail, owner=None,
                     post_id=lambda old: post_id or old.post_id,
                     post_url=lambda old: post_url or old.post_url)

    def note(self, ref: ArticleRef, network: str, account: str, state: str, detail: str, *,
             post_url: str | None = None, only_from: frozenset[str] = CLAIMABLE) -> bool:
        """Record a state outside a send (skipped, moved, posted by hand) if the row allows it."""

        def decide(now: float) -> tuple[bool, bool]:
            old = self._rows.get((ref.url, network, account))
            if old and old.state not in only_from:
                return False, False
            row = old or Row(ref.url, network, account, state, ref.title, ref.date, ref.article_id)
            self._rows[(ref.url, network, account)] = replace(
                row, state=state, detail=detail, post_url=post_url or row.post_url, owner=None,
                updated=now)
            return True, True

        return self._change(decide)

    def close(self) -> None:
        """Nothing to release: every change is already in the bucket."""


def open_bucket_ledger(pelican_settings: Any, read_only: bool = False) -> BucketLedger:
    """Open the ledger object named by DEPLOY_TARGET (s3://) and DEPLOY_LEDGER_KEY."""
    load_storage_env(pelican_settings)
    try:
        deploy = load_deploy_settings(pelican_settings)
    except DeployError as exc:
        raise LedgerError(str(exc).replace("deploy: ", "promote: ", 1)) from None
    target = deploy.target
    if not isinstance(target, S3Target):
        raise LedgerError(f"promote: PROMOTE_LEDGER = 'bucket' keeps the ledger in the S3 deploy "
                          f"bucket, but DEPLOY_TARGET is {deploy.target_text or 'not set'!r}; set "
                          "DEPLOY_TARGET = 's3://bucket/site' or PROMOTE_LEDGER = 'sqlite'")
    key = deploy.ledger_key
    if not key or key.startswith(target.prefix):
        raise LedgerError(
            f"promote: DEPLOY_LEDGER_KEY {key!r} lies inside the site ({target}), so the site would "
            "serve the ledger; put the site under a prefix (DEPLOY_TARGET = 's3://bucket/site') or "
            "set DEPLOY_LEDGER_KEY to a key outside it")
    ledger = BucketLedger(make_client(deploy.endpoint_url), target.bucket, key,
                          deploy.endpoint_url, read_only)
    ledger.refresh()  # fail now, clearly, if the bucket or the credentials are wrong
    return ledger
