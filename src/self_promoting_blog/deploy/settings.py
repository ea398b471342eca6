"""Deploy settings, read in one place: DEFAULTS, overridden by publishconf.py, then the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from self_promoting_blog.deploy.errors import DeploySettingsError
from self_promoting_blog.deploy.target import Target, parse_target

DEFAULTS: dict[str, Any] = {
    # s3://bucket/prefix, rsync://user@host:/path or gh-pages; empty = deploy refuses, saying so.
    "DEPLOY_TARGET": "",
    # Any S3-compatible endpoint (MinIO, SeaweedFS, R2, B2...); empty = AWS S3.
    "S3_ENDPOINT_URL": "",
    # Delete objects (or rsync files) that are no longer in output/.
    "DEPLOY_DELETE": True,
    # Remote paths (globs, relative to the site root) a sync never deletes.
    "DEPLOY_KEEP": [],
    # A sync that would delete more than this many files stops before changing anything.
    "DEPLOY_MAX_DELETES": 100,
    # Parallel uploads to S3.
    "DEPLOY_WORKERS": 16,
    # Cache-Control by kind of file; fingerprinted = a hex hash in the file name (style.3fa9c2e1.css).
    "DEPLOY_CACHE_CONTROL": {
        "page": "public, max-age=300",
        "feed": "public, max-age=300",
        "asset": "public, max-age=3600",
        "fingerprinted": "public, max-age=31536000, immutable",
    },
    # Extra or replacement Content-Types by file suffix, e.g. {".rss.xml": "text/xml; charset=utf-8"}.
    "DEPLOY_CONTENT_TYPES": {},
    # With an S3 target: store text gzipped, served with Content-Encoding: gzip (S3 never
    # compresses on the fly; rsync and GitHub Pages servers do, so this leaves them alone).
    "DEPLOY_GZIP": True,
    # The media types stored gzipped: every text type the site has (kinds.py), none already compressed.
    "DEPLOY_GZIP_TYPES": [
        "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
        "application/feed+json", "application/manifest+json", "application/xml", "text/xml",
        "application/atom+xml", "application/rss+xml", "text/xsl", "text/plain", "text/csv",
        "text/markdown", "image/svg+xml",
    ],
    # With an S3 target: invalidate the changed paths on this CloudFront distribution after a sync.
    "CLOUDFRONT_DISTRIBUTION_ID": "",
    # With an S3 target and PROMOTE_LEDGER = "bucket": the promotion ledger's key in the bucket.
    # It must lie outside the site's prefix (so the site never serves it); the sync never deletes it.
    "DEPLOY_LEDGER_KEY": "promote/ledger.json.gz",
    # DEPLOY_TARGET = "gh-pages": the branch ghp-import writes and the remote it pushes to.
    "DEPLOY_GH_PAGES_BRANCH": "gh-pages",
    "DEPLOY_GH_PAGES_REMOTE": "origin",
}
# Set per machine or per CI job, so the environment wins over publishconf.py.
ENV_NAMES = ("DEPLOY_TARGET", "S3_ENDPOINT_URL", "CLOUDFRONT_DISTRIBUTION_ID")
CACHE_KINDS = ("page", "feed", "asset", "fingerprinted")
_MEDIA_TYPE = re.compile(r"[\w.+-]+/[\w.+-]+")  # type/subtype, no parameters


@dataclass(frozen=True)
class DeploySettings:
    """Validated deploy settings."""

    target: Target | None
    target_text: str
    endpoint_url: str | None
    delete: bool
    keep: tuple[str, ...]
    max_deletes: int
    workers: int
    cache_control: Mapping[str, str]
    content_types: Mapping[str, str]
    gzip_types: frozenset[str]  # empty when DEPLOY_GZIP is False
    cloudfront_distribution_id: str | None
    ledger_key: str
    siteurl: str
    output_path: Path
    digests_file: Path | None  # under CACHE_PATH: see digests.py


def load_settings(pelican_settings: Mapping[str, Any],
                  environ: Mapping[str, str] | None = None) -> DeploySettings:
    """Merge DEFAULTS, the Pelican settings and the environment; raise on an unusable value."""
    environ = os.environ if environ is None else environ
    merged = {name: pelican_settings.get(name, default) for name, default in DEFAULTS.items()}
    for name in ENV_NAMES:
        if environ.get(name, "").strip():
            merged[name] = environ[name].strip()
    target_text = str(merged["DEPLOY_TARGET"] or "").strip()
    target = parse_target(target_text, str(merged["DEPLOY_GH_PAGES_BRANCH"]),
                          str(merged["DEPLOY_GH_PAGES_REMOTE"])) if target_text else None
    return DeploySettings(
        target=target,
        target_text=target_text,
        endpoint_url=str(merged["S3_ENDPOINT_URL"]).rstrip("/") or None,
        delete=bool(merged["DEPLOY_DELETE"]),
        keep=tuple(_str_list("DEPLOY_KEEP", merged["DEPLOY_KEEP"])),
        max_deletes=_int("DEPLOY_MAX_DELETES", merged["DEPLOY_MAX_DELETES"], 0, 10**9),
        workers=_int("DEPLOY_WORKERS", merged["DEPLOY_WORKERS"], 1, 64),
        cache_control=MappingProxyType(_cache_control(merged["DEPLOY_CACHE_CONTROL"])),
        content_types=MappingProxyType(_content_types(merged["DEPLOY_CONTENT_TYPES"])),
        gzip_types=_gzip_types(merged["DEPLOY_GZIP"], merged["DEPLOY_GZIP_TYPES"]),
        cloudfront_distribution_id=str(merged["CLOUDFRONT_DISTRIBUTION_ID"] or "") or None,
        ledger_key=str(merged["DEPLOY_LEDGER_KEY"]).strip("/"),
        siteurl=str(pelican_settings.get("SITEURL", "") or ""),
        output_path=Path(pelican_settings.get("OUTPUT_PATH", "output")),
        digests_file=(Path(pelican_settings["CACHE_PATH"]) / "deploy-gzip-digests.json"
                      if pelican_settings.get("CACHE_PATH") else None),
    )


def _int(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DeploySettingsError(
            f"deploy: {name} = {value!r} in publishconf.py must be a whole number from {low} to {high}")
    return value


def _str_list(name: str, value: Any) -> list[str]:
    if isinstance(value, str) or not all(isinstance(item, str) for item in value):
        raise DeploySettingsError(
            f'deploy: {name} = {value!r} in publishconf.py must be a list of strings, e.g. ["downloads/*"]')
    return [item.strip("/") for item in value]


def _gzip_types(enabled: Any, types: Any) -> frozenset[str]:
    if not isinstance(enabled, bool):
        raise DeploySettingsError(
            f"deploy: DEPLOY_GZIP = {enabled!r} in publishconf.py must be True or False")
    if not isinstance(types, list | tuple | set | frozenset) or not all(
            isinstance(item, str) and _MEDIA_TYPE.fullmatch(item) for item in types):
        raise DeploySettingsError(
            f"deploy: DEPLOY_GZIP_TYPES = {types!r} in publishconf.py must be a list of media types "
            'without parameters, e.g. ["text/html", "text/css"]')
    return frozenset(item.lower() for item in types) if enabled else frozenset()


def _cache_control(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or set(value) - set(CACHE_KINDS):
        raise DeploySettingsError(
            f"deploy: DEPLOY_CACHE_CONTROL = {value!r} in publishconf.py must be a dict whose keys are "
            f"among {', '.join(CACHE_KINDS)}")
    merged = {**DEFAULTS["DEPLOY_CACHE_CONTROL"], **value}
    for kind, header in merged.items():
        if not isinstance(header, str) or not header.strip() or "\n" in header:
            raise DeploySettingsError(
                f"deploy: DEPLOY_CACHE_CONTROL[{kind!r}] = {header!r} must be a one-line header value "
                'such as "public, max-age=300"')
    return merged


def _content_types(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and k.startswith(".") and isinstance(v, str) and "/" in v
            for k, v in value.items()):
        raise DeploySettingsError(
            f"deploy: DEPLOY_CONTENT_TYPES = {value!r} in publishconf.py must map suffixes to types, "
            'e.g. {".rss.xml": "text/xml; charset=utf-8"}')
    return {k.lower(): v for k, v in value.items()}
