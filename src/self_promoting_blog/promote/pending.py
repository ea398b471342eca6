"""Which article pages promote will look at, for a caller that must wait until they are live."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from self_promoting_blog.promote.errors import PromoteError
from self_promoting_blog.promote.manifest import read_manifest
from self_promoting_blog.promote.settings import load_settings


def urls_to_announce(pelican: Mapping[str, Any]) -> list[str] | None:
    """The URLs of the manifest's articles (the ledger decides which are still to be posted).

    None when nothing will be announced: PROMOTE_NETWORKS is empty, or promotion is misconfigured
    (a bad setting, no readable manifest), which promote itself then reports with its fix.
    """
    try:
        settings = load_settings(pelican)
        if not settings.networks:
            return None
        return [entry.url for entry in read_manifest(settings.manifest_path)]
    except PromoteError:
        return None
