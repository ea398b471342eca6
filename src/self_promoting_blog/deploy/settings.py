"""Deploy settings, read in one place: DEFAULTS, overridden by publishconf.py, then by the
environment."""

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
from self_promoting_blog.settings import string_list, whole_number

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
    # Cache-Control by kind of file; fingerprinted = a hex hash in the file name
    # (style.3fa9c2e1.css).
    "DEPLOY_CACHE_CONTROL": {
        "page": "public, max-age=300",
        "feed": "public, max-age=300",
        "asset": "public, max-age=3600",
        "fingerprinted": "public, max-age=31536000, immutable",
    },
    # Extra or replacement Content-Types by file suffix,
    # e.g. {".rss.xml": "text/xml; charset=utf-8"}.
    "DEPLOY_CONTENT_TYPES": {},
    # With an S3 target: store text gzipped, served with Content-Encoding: gzip (S3 never
    # compresses on the fly; rsync and GitHub Pages servers do, so this leaves them alone).
    "DEPLOY_GZIP": True,
    # The media types stored gzipped: every text type the site has (kinds.py), none already
    # compressed.
    "DEPLOY_GZIP_TYPES": [
        "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
        "application/feed+json", "application/manifest+json", "application/xml", "text/xml",
        "application/atom+xml", "application/rss+xml", "text/xsl", "text/plain", "text/csv",
        "text/markdown", "image/svg+xml",
    ],
    # With an S3 target: invalidate the changed paths on this CloudFront distribution after a sync.
    "CLOUDFRONT_DISTRIBUTION_ID": "",
    # DEPLOY_TARGET = "gh-pages": the branch ghp-import writes and the remote it pushes to.
    "DEPLOY_GH_PAGES_BRANCH": "gh-pages",
    "DEPLOY_GH_PAGES_REMOTE": "origin",
}
# Set per machine or per CI job, so the environment wins over publishconf.py.
ENV_NAMES = ("DEPLOY_TARGET", "S3_ENDPOINT_URL", "CLOUDFRONT_DISTRIBUTION_ID")
CACHE_KINDS = ("page", "feed", "asset", "fingerprinted")
WHERE = "publishconf.py"  # the file the messages send the reader to
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
        keep=_keep(merged["DEPLOY_KEEP"]),
        max_deletes=_whole_number("DEPLOY_MAX_DELETES", merged["DEPLOY_MAX_DELETES"], 0, 10**9,
                                  "the most files one sync may delete"),
        workers=_whole_number("DEPLOY_WORKERS", merged["DEPLOY_WORKERS"], 1, 64,
                              "how many uploads run at once"),
        cache_control=MappingProxyType(_cache_control(merged["DEPLOY_CACHE_CONTROL"])),
        content_types=MappingProxyType(_content_types(merged["DEPLOY_CONTENT_TYPES"])),
        gzip_types=_gzip_types(merged["DEPLOY_GZIP"], merged["DEPLOY_GZIP_TYPES"]),
        cloudfront_distribution_id=str(merged["CLOUDFRONT_DISTRIBUTION_ID"] or "") or None,
        siteurl=str(pelican_settings.get("SITEURL", "") or ""),
        output_path=Path(pelican_settings.get("OUTPUT_PATH", "output")),
        digests_file=(Path(pelican_settings["CACHE_PATH"]) / "deploy-gzip-digests.json"
                      if pelican_settings.get("CACHE_PATH") else None),
    )


def _whole_number(name: str, value: Any, low: int, high: int, meaning: str) -> int:
    return whole_number(name, value, minimum=low, maximum=high, owner="deploy", where=WHERE,
                        error=DeploySettingsError,
                        fix=f"set it to {meaning}, such as {DEFAULTS[name]} (the default)")


def _keep(value: Any) -> tuple[str, ...]:
    globs = string_list("DEPLOY_KEEP", value, owner="deploy", where=WHERE,
                        error=DeploySettingsError,
                        fix='write globs relative to the site root, e.g. ["downloads/*"]')
    return tuple(glob.strip("/") for glob in globs)


def _invalid(name: str, value: Any, problem: str, fix: str) -> DeploySettingsError:
    """The error for a setting in publishconf.py that cannot work."""
    return DeploySettingsError(name, value, fix, problem=f"in {WHERE} {problem}", owner="deploy")


def _gzip_types(enabled: Any, types: Any) -> frozenset[str]:
    if not isinstance(enabled, bool):
        raise _invalid("DEPLOY_GZIP", enabled, "must be True or False",
                      "set True to store text gzipped on S3, or False to store it as it is")
    if not isinstance(types, list | tuple | set | frozenset) or not all(
            isinstance(item, str) and _MEDIA_TYPE.fullmatch(item) for item in types):
        raise _invalid("DEPLOY_GZIP_TYPES", types,
                      "must be a list of media types without parameters",
                      'write them as type/subtype, e.g. ["text/html", "text/css"]')
    return frozenset(item.lower() for item in types) if enabled else frozenset()


def _cache_control(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or set(value) - set(CACHE_KINDS):
        raise _invalid("DEPLOY_CACHE_CONTROL", value,
                      f"must be a dict whose keys are among {', '.join(CACHE_KINDS)}",
                      'map each kind of file to its header, e.g. {"page": "no-cache"}')
    merged = {**DEFAULTS["DEPLOY_CACHE_CONTROL"], **value}
    for kind, header in merged.items():
        if not isinstance(header, str) or not header.strip() or "\n" in header:
            raise _invalid(f"DEPLOY_CACHE_CONTROL[{kind!r}]", header,
                          "must be a one-line header value",
                          'write a Cache-Control value such as "public, max-age=300"')
    return merged


def _content_types(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and k.startswith(".") and isinstance(v, str) and "/" in v
            for k, v in value.items()):
        raise _invalid("DEPLOY_CONTENT_TYPES", value, "must map suffixes to types",
                      'map each suffix, starting with ".", to a media type, e.g. '
                      '{".rss.xml": "text/xml; charset=utf-8"}')
    return {k.lower(): v for k, v in value.items()}
