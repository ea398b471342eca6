"""Responses settings: the one place the build reads whether and which replies are shown.

Relative paths are resolved against the project root (the folder that holds OUTPUT_PATH).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from self_promoting_blog.content.yes_no import yes_no
from self_promoting_blog.env import project_root
from self_promoting_blog.errors import SettingsError
from self_promoting_blog.settings import merged

log = logging.getLogger("promote")
DEFAULTS: dict[str, Any] = {
    # Show the public replies `invoke stats` read back under each article; False: none anywhere
    # (an article's `Responses: off` turns them off for that article alone).
    "RESPONSES": True,
    # Replies never shown: one reply URL, author handle (@name@server, @name.bsky.social) or
    # author profile URL a line; `#` starts a comment.
    "RESPONSES_HIDDEN_FILE": "responses-hidden.txt",
}


@dataclass(frozen=True)
class ResponsesSettings:
    """Whether replies are shown, and the owner's list of hidden replies and authors."""

    enabled: bool
    hidden_file: Path


def load_responses_settings(settings: Mapping[str, Any]) -> ResponsesSettings:
    """RESPONSES and RESPONSES_HIDDEN_FILE, with their defaults."""
    given = merged(settings, DEFAULTS)
    if not isinstance(given["RESPONSES"], bool):
        raise SettingsError("RESPONSES", given["RESPONSES"], "write True or False",
                            problem="is not True or False", owner="promote")
    path = Path(str(given["RESPONSES_HIDDEN_FILE"])).expanduser()
    return ResponsesSettings(given["RESPONSES"],
                             path if path.is_absolute() else project_root(settings) / path)


def responses_off(metadata: Mapping[str, Any], source: str) -> bool:
    """An article whose header says ``Responses: off`` (or no); a value that is neither on nor
    off is said once, naming the file, and keeps them off until it says which."""
    value = yes_no(metadata.get("responses"))
    if value is not None:
        return not value
    log.warning("promote: %s: Responses: %r is neither on nor off; its replies are not shown "
                "until it says `Responses: on` or `Responses: off`.", source,
                str(metadata.get("responses")).strip())
    return True
