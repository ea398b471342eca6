"""Compare output/ with what the target holds; decide what to upload, in which order, and what to
delete."""

from __future__ import annotations

import fnmatch
import hashlib
import os
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path

from self_promoting_blog.deploy.compress import gzip_body, wants_gzip
from self_promoting_blog.deploy.digests import StoredDigests
from self_promoting_blog.deploy.errors import RefusedError
from self_promoting_blog.deploy.kinds import Kind, cache_control, content_type, kind_of
from self_promoting_blog.deploy.settings import DeploySettings

# Files above this size go up in parts of this size; an S3 multipart ETag depends on the part size,
# so the same constant computes the ETag we expect to find for an unchanged file.
PART_SIZE = 8 * 1024 * 1024


@dataclass(frozen=True)
class LocalFile:
    """A file of output/, its type, and the digests of the bytes a sync would store (gzipped or
    not)."""

    rel: str
    path: Path
    size: int
    md5: bytes
    etag: str
    content_type: str
    gzipped: bool = False
    sent_size: int = 0  # bytes stored: the gzipped size, or `size`

    def body(self) -> bytes:
        """Return the bytes to store (a file under PART_SIZE), read afresh from output/."""
        return _stored(self.path, self.gzipped)


@dataclass(frozen=True)
class Upload:
    """One file to send, with the headers it is served with."""

    file: LocalFile
    cache_control: str
    kind: Kind
    new: bool

    @property
    def content_type(self) -> str:
        return self.file.content_type

    @property
    def phase(self) -> str:
        """The upload phase, as listed by a dry run."""
        if self.kind is Kind.PAGE:
            return "new pages" if self.new else "pages"
        return "assets" if self.kind is Kind.ASSET else "feeds and sitemap"


@dataclass
class SyncPlan:
    """Uploads in their safe order, deletions (done last), and what stays as it is."""

    uploads: list[Upload] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)

    @property
    def bytes_to_send(self) -> int:
        return sum(upload.file.sent_size for upload in self.uploads)

    @property
    def gzipped(self) -> int:
        return sum(upload.file.gzipped for upload in self.uploads)

    def phases(self) -> list[tuple[str, list[Upload]]]:
        """Group the uploads by phase, in upload order."""
        groups: dict[str, list[Upload]] = {}
        for upload in self.uploads:
            groups.setdefault(upload.phase, []).append(upload)
        return list(groups.items())


def _stored(path: Path, gzipped: bool) -> bytes:
    data = path.read_bytes()
    return gzip_body(data) if gzipped else data


def _gzipped_digest(path: Path, digests: StoredDigests) -> tuple[bytes, str, int]:
    raw = hashlib.md5(path.read_bytes()).hexdigest()
    known = digests.get(raw)
    if known is None:
        data = _stored(path, gzipped=True)
        known = hashlib.md5(data).hexdigest(), len(data)
        digests.put(raw, *known)
    return bytes.fromhex(known[0]), known[0], known[1]


def digest_file(path: Path, size: int, gzipped: bool = False,
                digests: StoredDigests | None = None) -> tuple[bytes, str, int]:
    """Return the MD5 of the bytes stored for a file, the ETag S3 gives them, and their size.

    Files above PART_SIZE go up raw, in parts (multipart ETag); `gzipped` applies below it only.
    """
    if size <= PART_SIZE and gzipped and digests is not None:
        return _gzipped_digest(path, digests)
    if size <= PART_SIZE:  # nearly every file: one read, no 8 MiB buffer per file
        data = _stored(path, gzipped)
        digest = hashlib.md5(data).digest()
        return digest, digest.hex(), len(data)
    whole, parts = hashlib.md5(), []
    with path.open("rb") as handle:
        while chunk := handle.read(PART_SIZE):
            whole.update(chunk)
            parts.append(hashlib.md5(chunk).digest())
    return whole.digest(), f"{hashlib.md5(b''.join(parts)).hexdigest()}-{len(parts)}", size


def scan_output(output: Path, content_types: Mapping[str, str],
                gzip_types: AbstractSet[str] = frozenset(),
                digests_file: Path | None = None) -> dict[str, LocalFile]:
    """Type and hash every file under output/, keyed by its path relative to output/ ('/'
    separators).

    Files whose type is in `gzip_types` (DEPLOY_GZIP_TYPES) are hashed as they will be stored:
    gzipped (level 9 costs about 30 ms per MB of text, measured on this blog's output), unless
    `digests_file` remembers what the same bytes gave last time (digests.py). One thread: on small
    files the cost is Python's, and threads only add contention for the GIL (15,000 files, 310 MB,
    without gzip: about 2 s).
    """
    digests = StoredDigests(digests_file)
    found: dict[str, LocalFile] = {}
    for folder, _, names in os.walk(output):
        for name in names:
            path = Path(folder, name)
            rel = path.relative_to(output).as_posix()
            size = path.stat().st_size
            ctype = content_type(rel, path, content_types)
            gzipped = size <= PART_SIZE and wants_gzip(ctype, gzip_types)
            md5, etag, sent = digest_file(path, size, gzipped, digests)
            found[rel] = LocalFile(rel, path, size, md5, etag, ctype, gzipped, sent)
    digests.save()
    return dict(sorted(found.items()))


def _kept(rel: str, settings: DeploySettings) -> bool:
    return not settings.delete or any(fnmatch.fnmatchcase(rel, pattern)
                                      for pattern in settings.keep)


def plan_sync(local: Mapping[str, LocalFile], remote: Mapping[str, str], settings: DeploySettings,
              protected: Mapping[str, str], force: bool = False) -> SyncPlan:
    """Plan a sync; `remote` maps each path to its ETag. `protected` paths are never touched:
    each maps to what it is and how to move it, for the refusal when output/ has that path."""
    clash = sorted(set(protected) & set(local))
    if clash:
        raise RefusedError(f"deploy: output/{clash[0]} would overwrite {protected[clash[0]]}")
    plan = SyncPlan()
    for rel, item in local.items():
        old = remote.get(rel)
        if old is not None and not force and old.strip('"').lower() == item.etag:
            plan.unchanged += 1
            continue
        kind = kind_of(rel, item.content_type)
        plan.uploads.append(Upload(item, cache_control(rel, kind, settings.cache_control), kind,
                                   old is None))
    # Assets, then new pages (which changed pages link to), then changed pages, then feeds.
    plan.uploads.sort(key=lambda u: (u.kind, u.kind is Kind.PAGE and not u.new, u.file.rel))
    for rel in sorted(set(remote) - set(local) - set(protected)):
        (plan.kept if _kept(rel, settings) else plan.deletions).append(rel)
    return plan


def check_delete_cap(deletions: list[str], settings: DeploySettings, where: str) -> None:
    """Refuse a sync that would delete more than DEPLOY_MAX_DELETES files, before it changes
    anything."""
    if len(deletions) > settings.max_deletes:
        raise RefusedError(
            f"deploy: this sync would delete {len(deletions)} files from {where}, more than "
            f"DEPLOY_MAX_DELETES = {settings.max_deletes}; nothing was changed. Check output/ "
            f"(e.g. {deletions[0]} is gone from it); if that is intended, raise DEPLOY_MAX_DELETES "
            "in publishconf.py")

