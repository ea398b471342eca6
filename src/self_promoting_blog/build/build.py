"""One staged Pelican build, run in-process: what the build, preview and publish tasks call.

Production builds are strict: any ERROR logged during the build (a content_check error, a file
Pelican could not read, a plugin failure) fails the build and output/ is left untouched.
Development builds are forgiving but loud: output/ is updated so the writer can preview
everything else, the errors are listed, and the result is not ``ok`` (the task exits 1).
A build that crashes (an exception out of Pelican) never replaces output/.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from pelican import Pelican, get_config, parse_arguments
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.plugins import signals
from pelican.settings import read_settings

from self_promoting_blog.build.fresh_run import start_fresh_run
from self_promoting_blog.build.logcapture import collect_logs
from self_promoting_blog.build.speedups import Speedups
from self_promoting_blog.build.staging import discard, prepare, swap_into_place
from self_promoting_blog.errors import BuildError


@dataclass(frozen=True)
class BuildResult:
    """What a build did; ``replaced`` tells whether output/ now holds it."""

    output: Path
    production: bool
    replaced: bool = False
    articles: int = 0
    pages: int = 0
    scheduled: int = 0
    drafts: int = 0
    files: int = 0
    seconds: float = 0.0
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    siteurl: str = ""

    @property
    def ok(self) -> bool:
        return self.replaced and not self.errors


@dataclass
class _Counts:
    values: dict[str, int] = field(default_factory=dict)

    def __call__(self, generators: list[Any]) -> None:
        """all_generators_finalized receiver: count what will be written."""
        arts = next(g for g in generators if isinstance(g, ArticlesGenerator))
        pages = next(g for g in generators if isinstance(g, PagesGenerator))
        live = list(chain(arts.articles, arts.translations))
        # In production plugins/scheduling moved drafts to held_back; in development they stay.
        held = getattr(arts, "held_back", None)
        unpublished = list(held if held is not None
                           else chain(arts.drafts, arts.drafts_translations))
        scheduled = sum(bool(getattr(a, "scheduled", False)) for a in chain(live, unpublished))
        self.values = {
            "articles": len(live), "pages": len(pages.pages) + len(pages.translations),
            "scheduled": scheduled,
            "drafts": sum(not getattr(a, "scheduled", False) for a in unpublished),
        }


def overrides_from_cli(argv: list[str]) -> dict[str, Any]:
    """Settings from Pelican's own command-line options (`invoke build -- -e KEY=VALUE`)."""
    if not argv:
        return {}
    try:
        config = get_config(parse_arguments(argv))
    except ValueError as exc:
        raise BuildError(f"Pelican options after --: {exc}") from exc
    if not config.get("DEBUG"):
        config.pop("DEBUG", None)
    return config


def load(settings_file: str | Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Pelican's settings from a settings file, with overrides applied.

    Relative output and cache paths are taken from the settings file's folder (the project),
    not from wherever the command was started.
    """
    settings = read_settings(str(settings_file), override=dict(overrides or {}))
    project = Path(settings_file).resolve().parent
    for key in ("OUTPUT_PATH", "CACHE_PATH"):
        settings[key] = str(project / settings[key])
    return settings


def build_site(settings_file: str | Path, *, production: bool,
               overrides: Mapping[str, Any] | None = None) -> BuildResult:
    """Build into a staging folder; swap it into output/ unless the build must fail."""
    started = time.monotonic()
    settings = load(settings_file, overrides)
    output = Path(settings["OUTPUT_PATH"])
    staging = prepare(output)
    settings["OUTPUT_PATH"] = str(staging)
    counts = _Counts()
    crash: list[str] = []
    start_fresh_run()
    with collect_logs() as logs, signals.all_generators_finalized.connected_to(counts):
        try:
            speedups = Speedups(settings)
            with speedups.during_build():
                Pelican(settings).run()
            speedups.finish()
        except Exception as exc:
            crash.append(f"The build stopped: {type(exc).__name__}: {exc}")
    errors = tuple(logs.errors + crash)
    files = sum(len(names) for _, _, names in os.walk(staging))
    replace = not crash and not (production and errors)
    if replace:
        swap_into_place(staging, output)
    else:
        discard(staging)
    return BuildResult(output, production, replace, files=files if replace else 0,
                       seconds=time.monotonic() - started, errors=errors,
                       warnings=tuple(logs.warnings), siteurl=settings.get("SITEURL", ""),
                       **counts.values)
