"""Sync output/ to an S3 bucket: changed files only, in safe order, in parallel; deletions last."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Mapping
from concurrent.futures import CancelledError, ThreadPoolExecutor, as_completed

from boto3.s3.transfer import TransferConfig
from botocore.client import BaseClient
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from self_promoting_blog.deploy.cdn import invalidate_changed
from self_promoting_blog.deploy.errors import DeployError, RefusedError, StorageError
from self_promoting_blog.deploy.plan import (
    PART_SIZE,
    SyncPlan,
    Upload,
    check_delete_cap,
    plan_sync,
    scan_output,
)
from self_promoting_blog.deploy.report import DeployResult, human_bytes, print_plan
from self_promoting_blog.deploy.settings import DeploySettings
from self_promoting_blog.deploy.target import S3Target
from self_promoting_blog.s3 import make_client, storage_error

_TRANSFER = TransferConfig(multipart_threshold=PART_SIZE + 1, multipart_chunksize=PART_SIZE,
                           use_threads=False)


def within_site(protected: Mapping[str, str], target: S3Target) -> dict[str, str]:
    """The protected keys that lie inside the site's prefix, by path relative to the site."""
    return {key[len(target.prefix):]: what for key, what in protected.items()
            if key.startswith(target.prefix)}


def remote_etags(client: BaseClient, target: S3Target, settings: DeploySettings) -> dict[str, str]:
    """List every object under the site's prefix as {path relative to the site: ETag}."""
    found: dict[str, str] = {}
    try:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=target.bucket,
                                                                 Prefix=target.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                rel = item["Key"][len(target.prefix):]
                if rel and not rel.endswith("/"):
                    found[rel] = item["ETag"]
    except Exception as exc:  # every storage failure becomes one clear line
        raise storage_error(exc, target.bucket, settings.endpoint_url,
                            f"listing {target}") from None
    return found


def upload_file(client: BaseClient, target: S3Target, upload: Upload) -> None:
    """Send one file (gzipped when planned so); S3 stores it whole or not at all, and Content-MD5
    rejects a changed body."""
    extra = {"ContentType": upload.content_type, "CacheControl": upload.cache_control}
    if upload.file.gzipped:
        extra["ContentEncoding"] = "gzip"
    key = target.key(upload.file.rel)
    if upload.file.size > PART_SIZE:
        client.upload_file(str(upload.file.path), target.bucket, key, ExtraArgs=extra,
                           Config=_TRANSFER)
        return
    body = upload.file.body()
    if hashlib.md5(body).digest() != upload.file.md5:
        raise RefusedError(f"deploy: output/{upload.file.rel} changed while deploying; "
                           "let the build finish, then rerun")
    client.put_object(Bucket=target.bucket, Key=key, Body=body,
                      ContentMD5=base64.b64encode(upload.file.md5).decode(), **extra)


def delete_objects(client: BaseClient, target: S3Target, rels: list[str]) -> None:
    """Delete objects in batches of 1000 (the S3 limit); fail on the first object S3 refuses."""
    for start in range(0, len(rels), 1000):
        batch = [{"Key": target.key(rel)} for rel in rels[start:start + 1000]]
        answer = client.delete_objects(Bucket=target.bucket,
                                       Delete={"Objects": batch, "Quiet": True})
        for error in answer.get("Errors", []):
            raise StorageError(f"deploy: deleting {error.get('Key')} failed: {error.get('Code')} "
                               f"{error.get('Message', '')}; rerun `invoke deploy` to finish")


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("deploy: {task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[sent]}"), TimeElapsedColumn(), console=console,
                    transient=True, disable=not console.is_terminal)


def run_uploads(client: BaseClient, target: S3Target, plan: SyncPlan, settings: DeploySettings,
                console: Console) -> int:
    """Upload phase after phase (each waits for the one before); return the bytes sent."""
    sent = 0
    with _progress(console) as progress, ThreadPoolExecutor(settings.workers) as pool:
        task = progress.add_task("uploading", total=len(plan.uploads), sent="")
        for phase, uploads in plan.phases():
            progress.update(task, description=f"uploading {phase}")
            futures = {pool.submit(upload_file, client, target, u): u for u in uploads}
            failed: tuple[Upload, BaseException] | None = None
            for future in as_completed(futures):
                try:
                    future.result()
                except CancelledError:
                    continue
                except Exception as exc:  # reported below as one line
                    failed = failed or (futures[future], exc)
                    for other in futures:
                        other.cancel()
                    continue
                sent += futures[future].file.sent_size
                progress.update(task, advance=1, sent=human_bytes(sent))
            if failed:
                raise _halfway(failed, target, settings, progress.tasks[0].completed, plan)
    return sent


def _halfway(failed: tuple[Upload, BaseException], target: S3Target, settings: DeploySettings,
             done: float, plan: SyncPlan) -> DeployError:
    upload, exc = failed
    if isinstance(exc, RefusedError):
        return exc
    reason = storage_error(exc, target.bucket, settings.endpoint_url,
                           f"uploading output/{upload.file.rel}")
    return StorageError(f"{reason} — {int(done)} of {len(plan.uploads)} files were uploaded and "
                        "nothing was deleted; once fixed, rerun `invoke deploy` to send the rest")


def deploy_s3(settings: DeploySettings, target: S3Target, console: Console, *,
              protected: Mapping[str, str], dry_run: bool = False,
              force: bool = False) -> DeployResult:
    """Sync output/ to the bucket (or, with dry_run, print what a sync would do); `protected`
    bucket keys are never written nor deleted (see `deploy.deploy`)."""
    started = time.monotonic()
    client = make_client(settings.endpoint_url, settings.workers)
    local = scan_output(settings.output_path, settings.content_types, settings.gzip_types,
                        settings.digests_file)
    plan = plan_sync(local, remote_etags(client, target, settings), settings,
                     protected=within_site(protected, target), force=force)
    check_delete_cap(plan.deletions, settings, str(target))
    result = DeployResult(str(target), dry_run, [u.file.rel for u in plan.uploads],
                          list(plan.deletions), plan.unchanged, len(plan.kept), plan.bytes_to_send,
                          gzipped=plan.gzipped)
    if dry_run:
        print_plan(plan, str(target), console)
    else:
        result.bytes_sent = run_uploads(client, target, plan, settings, console)
        try:
            delete_objects(client, target, plan.deletions)
        except StorageError:
            raise
        except Exception as exc:  # every storage failure becomes one clear line
            raise storage_error(exc, target.bucket, settings.endpoint_url,
                                "deleting old files") from None
        result.invalidation = invalidate_changed(settings, result.uploaded + result.deleted)
    result.seconds = time.monotonic() - started
    return result
