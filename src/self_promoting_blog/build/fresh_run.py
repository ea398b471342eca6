"""A Pelican run in a long-lived process (tests, the live preview, `publish`) that starts as it
would in a new process.

pelican-sitemap keeps per-process state: the time it was imported (its `<lastmod>` for listing
pages) and the first Pelican it saw, whose `finalized` alone writes the sitemap. A run that never
reached `finalized` (it crashed, or the preview dropped it) would otherwise leave every later run
in the process without a sitemap.
"""

from __future__ import annotations

import sys
from datetime import datetime


def start_fresh_run() -> None:
    """Reset pelican-sitemap, if loaded, to the state of a freshly started process."""
    sitemap = sys.modules.get("pelican.plugins.sitemap.sitemap")
    if sitemap is None:
        return
    generator = sitemap.generator
    generator.now = datetime.now()
    generator._main_pelican = None  # the plugin has no public reset
    generator.page_queue = []
