"""The posting ledger kept as one object in the deploy bucket (PROMOTE_LEDGER = "bucket").

For publishing from CI, where every machine is new: the ledger travels with the site. It has the
same rows and states as the SQLite ``ledger.Ledger`` and the same rules (``ledger_policy``).
Every state change is read → apply the rule → conditional write: ``If-None-Match: *`` creates
the object, ``If-Match: <ETag read>`` replaces it. A 412 means another publish wrote in between,
so the change is decided again on the fresh ledger; two publishes racing from two machines can
never both claim (and post) a row.

The object (gzip-compressed JSON) sits at DEPLOY_LEDGER_KEY, outside the site's prefix, so the
site never serves it and the deploy never deletes it. It is written without any public ACL.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict
from typing import Any, TypeVar

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from self_promoting_blog.deploy.errors import DeployError
from self_promoting_blog.deploy.settings import load_settings as load_deploy_settings
from self_promoting_blog.deploy.target import S3Target
from self_promoting_blog.env import export_storage_credentials, project_env_file
from self_promoting_blog.promote import ledger_policy as policy
from self_promoting_blog.promote.bucket_json import (
    MAX_CONFLICTS,
    after_conflict,
    decode,
    encode,
    is_missing,
    put_if,
    status_of,
)
from self_promoting_blog.promote.errors import LedgerConflict, LedgerError
from self_promoting_blog.promote.ledger_store import RowStore
from self_promoting_blog.promote.rows import (
    CLAIMABLE,
    ArticleRef,
    Claim,
    Owner,
    Row,
    Spaced,
    last_post,
)
from self_promoting_blog.promote.settings import DEFAULTS
from self_promoting_blog.s3 import make_client, storage_error

FORMAT = "signal-and-reach promotion ledger 1"
DEFAULT_KEY: str = DEFAULTS["DEPLOY_LEDGER_KEY"]
# What a deploy is told the object is, to refuse a site file at its key (see protected_keys).
PROTECTION = ("the promotion ledger (DEPLOY_LEDGER_KEY); set DEPLOY_LEDGER_KEY to a key outside "
              "the site's prefix in publishconf.py")
T = TypeVar("T")
log = logging.getLogger("promote")
RowKey = tuple[str, str, str]


class BucketLedger(RowStore):
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
            body = got["Body"].read()
        except ClientError as exc:
            if status_of(exc) == 304:
                return
            if is_missing(exc):
                self._rows, self._accounts, self._etag = {}, {}, None
                return
            raise self._fail(exc, "reading") from None
        except Exception as exc:
            raise self._fail(exc, "reading") from None
        try:
            document = decode(body, FORMAT)
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
        try:
            etag = put_if(self.client, self.bucket, self.key, encode(document), self._etag)
        except Exception as exc:
            raise self._fail(exc, "writing") from None
        if etag is None:
            raise LedgerConflict(f"promote: the ledger s3://{self.bucket}/{self.key} changed "
                                 "since it was read (another publish wrote it)")
        self._etag = etag

    def _landed(self, write_id: str) -> bool:
        """After a conflict: was it our own write, answered late (a retried request)?"""
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self.key)
            return decode(got["Body"].read(), FORMAT).get("write_id") == write_id
        except Exception as exc:
            raise self._fail(exc, "reading") from None

    def _change(self, decide: Callable[[float], tuple[bool, T]]) -> T:
        """Run `decide(now)` on the fresh ledger; write what it changed with a conditional PUT."""
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
                except LedgerConflict:
                    self._rows, self._accounts = saved  # decide again on the fresh ledger
                    if self._landed(write_id):
                        self.refresh()
                        return result
                except BaseException:
                    self._rows, self._accounts = saved  # memory must not claim an unwritten change
                    raise
                self.conflicts += 1
                log.info("promote: another publish wrote the ledger first; deciding again")
                after_conflict(attempt)
        raise LedgerError(f"promote: the ledger s3://{self.bucket}/{self.key} changed "
                          f"{MAX_CONFLICTS} times while this run tried to write it (other publishes"
                          " running); rerun")

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

    # -- state changes: apply the policy to the fresh rows, one conditional write each ---------

    def _apply(self, url: str, network: str, account: str,
               change: Callable[[Row | None, float], Row | None]) -> Row | None:
        """Write what a ledger_policy function makes of one row (nothing when it returns None)."""

        def decide(now: float) -> tuple[bool, Row | None]:
            row = change(self._rows.get((url, network, account)), now)
            if row is not None:
                self._rows[(url, network, account)] = row
            return row is not None, row

        return self._change(decide)

    def start_account(self, network: str, account: str, baseline: Iterable[ArticleRef]) -> int:
        """Record a network account's first run and its already-published articles as baseline."""
        refs = list(baseline)

        def decide(now: float) -> tuple[bool, int]:
            if f"{network}|{account}" in self._accounts:
                return False, 0
            self._accounts[f"{network}|{account}"] = now
            existing = {url for url, net, acct in self._rows if (net, acct) == (network, account)}
            rows = policy.baseline(refs, existing, network, account, now)
            self._rows.update(((r.url, network, account), r) for r in rows)
            return True, len(rows)

        return self._change(decide)

    def claim(self, ref: ArticleRef, network: str, account: str, key: str, owner: Owner, *,
              allow: frozenset[str] = CLAIMABLE, stale_after: float = 900.0,
              plan: Mapping[str, Any] | None = None, gap: float = 0.0
              ) -> Claim | Spaced | None:
        """Move a row to `sending` for `owner` if nobody else holds it and the network's last
        post is `gap` seconds behind (decided on the ledger the conditional write replaces, so
        two runs never both post within it); None if not claimable, Spaced if too soon."""

        def decide(now: float) -> tuple[bool, Claim | Spaced | None]:
            last = last_post(row for (url, net, acct), row in self._rows.items()
                             if (net, acct) == (network, account) and url != ref.url)
            claim = policy.claimed(self._rows.get((ref.url, network, account)), ref, network,
                                   account, key, owner, now, allow=allow, stale_after=stale_after,
                                   plan=plan, last_post=last, gap=gap)
            if isinstance(claim, Claim):
                self._rows[(ref.url, network, account)] = claim.row
            return isinstance(claim, Claim), claim

        return self._change(decide)


    def close(self) -> None:
        """Nothing to release: every change is already in the bucket."""


def ledger_key(pelican_settings: Mapping[str, Any]) -> str:
    """The ledger object's key in the deploy bucket (DEPLOY_LEDGER_KEY)."""
    return str(pelican_settings.get("DEPLOY_LEDGER_KEY", DEFAULT_KEY)).strip("/")


def protected_keys(pelican_settings: Mapping[str, Any]) -> dict[str, str]:
    """The bucket keys a deploy must never overwrite or delete, each with what it is.

    The ledger's key is protected whatever PROMOTE_LEDGER says: a ledger left there by an earlier
    setting must survive until it is wanted again.
    """
    return {ledger_key(pelican_settings): PROTECTION}


def bucket_place(pelican_settings: Any) -> tuple[BaseClient, S3Target, str | None, str]:
    """The S3 client, the deploy target, its endpoint and the ledger's key (DEPLOY_TARGET and
    DEPLOY_LEDGER_KEY), checked: the ledger must lie outside the site."""
    export_storage_credentials(project_env_file(pelican_settings))
    try:
        deploy = load_deploy_settings(pelican_settings)
    except DeployError as exc:
        raise LedgerError(str(exc).replace("deploy: ", "promote: ", 1)) from None
    target = deploy.target
    if not isinstance(target, S3Target):
        raise LedgerError(f"promote: PROMOTE_LEDGER = 'bucket' keeps the ledger in the S3 deploy "
                          f"bucket, but DEPLOY_TARGET is {deploy.target_text or 'not set'!r}; set "
                          "DEPLOY_TARGET = 's3://bucket/site' or PROMOTE_LEDGER = 'sqlite'")
    key = ledger_key(pelican_settings)
    if not key or key.startswith(target.prefix):
        raise LedgerError(
            f"promote: DEPLOY_LEDGER_KEY {key!r} lies inside the site ({target}), so the site "
            "would serve the ledger; put the site under a prefix (DEPLOY_TARGET = "
            "'s3://bucket/site') or set DEPLOY_LEDGER_KEY to a key outside it")
    return make_client(deploy.endpoint_url), target, deploy.endpoint_url, key


def open_bucket_ledger(pelican_settings: Any, read_only: bool = False) -> BucketLedger:
    """Open the ledger object named by DEPLOY_TARGET (s3://) and DEPLOY_LEDGER_KEY."""
    client, target, endpoint_url, key = bucket_place(pelican_settings)
    ledger = BucketLedger(client, target.bucket, key, endpoint_url, read_only)
    ledger.refresh()  # fail now, clearly, if the bucket or the credentials are wrong
    return ledger
