"""A boto3 client for the deploy target, its credentials from .env, and storage failures
translated into one-line messages. Deploy and the bucket ledger both use it."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import boto3
from boto3.exceptions import S3UploadFailedError
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)

from self_promoting_blog.errors import StorageError

_CREDENTIALS = ("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the "
                "environment or in .env")
_UNREACHABLE = (EndpointConnectionError, ConnectTimeoutError, ConnectionClosedError,
                ReadTimeoutError)


def make_client(endpoint_url: str | None, pool_size: int = 10, service: str = "s3") -> BaseClient:
    """A client for AWS or any S3-compatible endpoint, credentials from the usual AWS places."""
    options: dict = {
        "connect_timeout": 5, "read_timeout": 60, "max_pool_connections": max(10, pool_size),
        "retries": {"max_attempts": 3, "mode": "standard"},
        # Many S3-compatible stores reject the newer default checksums; we send Content-MD5 instead.
        "request_checksum_calculation": "when_required",
        "response_checksum_validation": "when_required",
    }
    if endpoint_url and service == "s3":
        options["s3"] = {"addressing_style": "path"}  # custom endpoints rarely have bucket DNS
    try:
        return boto3.session.Session().client(
            service, endpoint_url=endpoint_url if service == "s3" else None,
            config=Config(**options))
    except ProfileNotFound as exc:
        raise StorageError(f"deploy: {exc}; fix AWS_PROFILE or {_CREDENTIALS}") from None


def redact(url: str | None) -> str:
    """Show an endpoint without any user:password in it."""
    if not url:
        return "AWS S3"
    parts = urlsplit(url)
    netloc = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def storage_error(exc: BaseException, bucket: str, endpoint_url: str | None, doing: str,
                  who: str = "deploy") -> StorageError:
    """Translate a boto3 failure into a StorageError that names the variable or setting to fix.

    `who` starts the message: the plugin whose work failed (deploy, or promote for its ledger).
    """
    if isinstance(exc, S3UploadFailedError) and isinstance(exc.__cause__ or exc.__context__,
                                                            ClientError):
        exc = exc.__cause__ or exc.__context__
    where = redact(endpoint_url)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return StorageError(f"{who}: no storage credentials were found while {doing}; "
                            f"{_CREDENTIALS}")
    if isinstance(exc, _UNREACHABLE):
        return StorageError(f"{who}: cannot reach the storage at {where} while {doing}; check "
                            "S3_ENDPOINT_URL and that the service is up, then rerun")
    if isinstance(exc, ClientError):
        return StorageError(f"{who}: {_client_error_text(exc, bucket, where, doing)}")
    if isinstance(exc, BotoCoreError | S3UploadFailedError | OSError):
        return StorageError(f"{who}: {doing} failed: {exc}")
    return StorageError(f"{who}: {doing} failed: {type(exc).__name__}: {exc}")


def _client_error_text(exc: ClientError, bucket: str, where: str, doing: str) -> str:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
    if code == "NoSuchBucket":
        return (f"bucket {bucket!r} does not exist at {where}; create it, or fix the bucket "
                "name in DEPLOY_TARGET")
    if code in ("InvalidAccessKeyId", "InvalidClientTokenId"):
        return (f"the storage at {where} does not know the access key in AWS_ACCESS_KEY_ID; "
                f"set the key of an account that may write to bucket {bucket!r}")
    if code == "SignatureDoesNotMatch":
        return (f"the storage at {where} rejected the request signature: AWS_SECRET_ACCESS_KEY "
                "does not belong to AWS_ACCESS_KEY_ID; set the matching secret")
    if code == "RequestTimeTooSkewed":
        return (f"the storage at {where} says this machine's clock is more than 15 minutes off "
                "(RequestTimeTooSkewed); set the clock right (NTP), then rerun")
    if code in ("AccessDenied", "AllAccessDisabled") or status == 403:
        return (f"the storage at {where} denied {doing} in bucket {bucket!r} ({code or status});"
                " give these credentials s3:ListBucket, s3:GetObject, s3:PutObject and"
                " s3:DeleteObject")
    message = str(error.get("Message", "")).splitlines()[0] if error.get("Message") else ""
    return f"the storage at {where} answered {status} {code} while {doing}: {message}".rstrip(": ")
