"""An API version the owner pins in the environment (Facebook's Graph API, LinkedIn-Version).

Networks retire old versions on a schedule, so the owner can move to a newer one without a code
change; the settings loader checks its shape before anything is sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from self_promoting_blog.promote.adapters.base import ConfigFinding, EnvVar


@dataclass(frozen=True)
class ApiVersion:
    """The variable pinning a network's API version: its default, shape and how to write one."""

    setting: str                # the environment variable, e.g. FACEBOOK_API_VERSION
    default: str
    pattern: re.Pattern[str]
    what: str                   # what it must be, e.g. "a Graph API version"
    how: str                    # the fix, e.g. 'Write it like "{default}".'
    help: str                   # what it is, e.g. "the Graph API version"

    def env_var(self) -> EnvVar:
        """The optional variable, for the adapter's `env_vars`."""
        return EnvVar(self.setting, f"{self.help}, default {self.default}", required=False,
                      default=self.default)

    def value(self, env: Mapping[str, str]) -> str:
        """The version set in `env`, else the default."""
        return env.get(self.setting) or self.default

    def check(self, env: Mapping[str, str]) -> list[ConfigFinding]:
        """The finding naming the variable when the version has the wrong shape (else none)."""
        version = self.value(env)
        if self.pattern.match(version):
            return []
        return [ConfigFinding(self.setting, f"{version!r} is not {self.what}",
                              self.how.format(default=self.default))]
