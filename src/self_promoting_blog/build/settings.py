"""The build's own settings (pelicanconf.py, publishconf.py), read in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from self_promoting_blog.errors import SettingsError
from self_promoting_blog.settings import merged

DEFAULTS: dict[str, Any] = {
    # Keep what each Markdown file parses to in CACHE_PATH/reader/ and reuse it while the file's
    # bytes, the settings, the plugins' code and the libraries are unchanged. Replaces Pelican's
    # own content cache (CACHE_CONTENT), which the build turns off. Also keeps the compiled
    # templates (CACHE_PATH/templates/), the feed files (CACHE_PATH/feeds/) and each file's
    # content check results (CACHE_PATH/check/), each under a key of everything it is made from.
    "BUILD_CACHE": True,
    # Use a second core: forked processes parse the files the cache lacks and render pages
    # beside the build. False builds in one process; the output is the same byte for byte.
    "BUILD_PARALLEL": True,
}


@dataclass(frozen=True)
class BuildSettings:
    """Validated build settings."""

    cache: bool
    parallel: bool


def load_settings(pelican: Mapping[str, Any]) -> BuildSettings:
    """Read the BUILD_* settings; raise SettingsError naming a bad one."""
    given = merged(pelican, DEFAULTS)
    for name, value in given.items():
        if not isinstance(value, bool):
            raise SettingsError(name, value, "set True or False", owner="build",
                                problem="must be True or False")
    return BuildSettings(given["BUILD_CACHE"], given["BUILD_PARALLEL"])
