"""Where `DEPLOY_TARGET` points: an S3 bucket and prefix, an rsync destination, or GitHub Pages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from self_promoting_blog.deploy.errors import DeploySettingsError

FORMS = "s3://bucket/prefix, rsync://user@host:/path or gh-pages"
# Bucket names as S3 allows them (3-63 lower-case letters, digits, dots, hyphens).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class S3Target:
    """A bucket and the key prefix the site lives under ('' or ending in '/')."""

    bucket: str
    prefix: str

    def key(self, rel: str) -> str:
        """Return the object key of a file at `rel` in output/."""
        return self.prefix + rel

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


@dataclass(frozen=True)
class RsyncTarget:
    """An rsync destination: `user@host:/path` (over ssh) or an rsync daemon URL."""

    destination: str

    def __str__(self) -> str:
        return f"rsync://{self.destination}" if ":" in self.destination else self.destination


@dataclass(frozen=True)
class GhPagesTarget:
    """The gh-pages branch of the current git repository, pushed to its remote."""

    branch: str
    remote: str

    def __str__(self) -> str:
        return f"gh-pages ({self.remote}/{self.branch})"


Target = S3Target | RsyncTarget | GhPagesTarget


def parse_target(value: str, gh_branch: str = "gh-pages", gh_remote: str = "origin") -> Target:
    """Parse a DEPLOY_TARGET value; raise DeploySettingsError naming it when it is wrong."""
    value = value.strip()
    if value.startswith("s3://"):
        return _parse_s3(value)
    if value.startswith("rsync://"):
        rest = value.removeprefix("rsync://")
        if not rest or rest.startswith("/"):
            raise _invalid(value, "names no host", "write rsync://user@host:/path")
        # `user@host:/path` goes over ssh; `host/module/path` (no colon) is an rsync daemon URL.
        return RsyncTarget(rest if ":" in rest else value)
    if value == "gh-pages":
        return GhPagesTarget(gh_branch, gh_remote)
    raise _invalid(value, "is not a target this blog knows", f"write one of {FORMS} in "
                   "publishconf.py or the DEPLOY_TARGET environment variable")


def _parse_s3(value: str) -> S3Target:
    bucket, _, prefix = value.removeprefix("s3://").partition("/")
    if not _BUCKET.match(bucket):
        raise _invalid(value, "has no valid bucket name", "write s3://bucket/prefix "
                       "(3-63 lower-case letters, digits, dots or hyphens)")
    prefix = prefix.strip("/")
    if "//" in prefix:
        raise _invalid(value, "has an empty folder in its prefix", "remove the '//'")
    return S3Target(bucket, prefix + "/" if prefix else "")


def _invalid(value: str, problem: str, fix: str) -> DeploySettingsError:
    # No "in publishconf.py": the value may come from there or from the environment.
    return DeploySettingsError("DEPLOY_TARGET", value, fix, problem=problem, owner="deploy")
