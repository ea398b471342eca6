"""After a sync, tell CloudFront to drop its copies of exactly the paths that changed."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from urllib.parse import quote

from self_promoting_blog.deploy.errors import StorageError
from self_promoting_blog.deploy.settings import DeploySettings
from self_promoting_blog.s3 import make_client

# Past this many paths one wildcard is cheaper (CloudFront bills per path) and within its limits.
MAX_PATHS = 1000


def invalidation_paths(rels: Iterable[str]) -> list[str]:
    """Return the URL paths of changed files; a/index.html is also served as /a/ (and index.html
    as /)."""
    paths: set[str] = set()
    for rel in rels:
        paths.add("/" + quote(rel, safe="/-._~"))
        if rel == "index.html" or rel.endswith("/index.html"):
            paths.add("/" + quote(rel.removesuffix("index.html"), safe="/-._~"))
    return sorted(paths)


def invalidate_changed(settings: DeploySettings, rels: list[str]) -> str | None:
    """Invalidate the changed paths when CLOUDFRONT_DISTRIBUTION_ID is set; return a summary
    line."""
    distribution = settings.cloudfront_distribution_id
    if not distribution or not rels:
        return None
    paths = invalidation_paths(rels)
    if len(paths) > MAX_PATHS:
        paths = ["/*"]
    reference = hashlib.sha256("\n".join(paths).encode() + str(time.time()).encode()).hexdigest()
    client = make_client(None, service="cloudfront")
    try:
        answer = client.create_invalidation(
            DistributionId=distribution,
            InvalidationBatch={"Paths": {"Quantity": len(paths), "Items": paths},
                               "CallerReference": reference[:32]})
    except Exception as exc:  # the files are live; say so and what to do
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
        raise StorageError(
            f"deploy: the files are uploaded, but CloudFront refused to invalidate {len(paths)} "
            f"paths on distribution {distribution} ({code}); check CLOUDFRONT_DISTRIBUTION_ID and "
            "that the credentials may call cloudfront:CreateInvalidation. Until then the CDN "
            "serves old copies until their Cache-Control max-age runs out") from None
    return f"invalidated {len(paths)} paths ({answer['Invalidation']['Id']})"
