"""Refuse to deploy what must not go live: no target, no build, an empty build, a dev build."""

from __future__ import annotations

import re

from self_promoting_blog.deploy.errors import DeploySettingsError, RefusedError
from self_promoting_blog.deploy.settings import DeploySettings
from self_promoting_blog.deploy.target import FORMS, Target

BUILD_HINT = "build it for production with `invoke preview`, or run `invoke publish`"


def require_target(settings: DeploySettings) -> Target:
    """Return the target, or say where to set it."""
    if settings.target is None:
        raise DeploySettingsError(
            "DEPLOY_TARGET", None, owner="deploy", problem="is not set",
            fix="set it in publishconf.py or the DEPLOY_TARGET environment variable to one of "
                f"{FORMS}")
    return settings.target


def check_output(settings: DeploySettings) -> None:
    """Refuse a missing or empty output/, and a build made with relative (dev) URLs."""
    output = settings.output_path
    if not output.is_dir():
        raise RefusedError(f"deploy: {output} does not exist; {BUILD_HINT}")
    if not any(path.is_file() for path in output.rglob("*")):
        raise RefusedError(f"deploy: {output} is empty, and deploying it would empty the site; "
                           f"{BUILD_HINT}")
    index = output / "index.html"
    if not index.is_file():
        raise RefusedError(f"deploy: {index} is missing, so {output} is not a built site; "
                           f"{BUILD_HINT}")
    siteurl = settings.siteurl.rstrip("/")
    if not re.match(r"^https?://[^/\s]+", siteurl):
        raise RefusedError(
            f"deploy: SITEURL is {settings.siteurl!r}, a dev setting (relative URLs); deploy "
            "reads publishconf.py, where SITEURL must be absolute, like https://blog.example.com "
            "(or set the SITEURL environment variable)")
    html = index.read_text(encoding="utf-8", errors="replace")
    if not re.search(rf"""["']{re.escape(siteurl)}(/|["'])""", html):
        raise RefusedError(
            f"deploy: {index} has no link to {siteurl}: it is a dev build (relative URLs) or was "
            f"built for another SITEURL; {BUILD_HINT}")
