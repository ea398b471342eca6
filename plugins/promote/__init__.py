"""promote, build side: write the promotion manifest and show where articles were announced.

A production build (absolute SITEURL, RELATIVE_URLS off: publishconf.py) writes the manifest
outside output/; every build reads the ledger and its samples (read-only) and sets
``article.syndication`` to ``[(network label, post URL, counts), …]`` for the theme's "Also on:"
links, and ``article.responses`` to the public replies `invoke stats` read back (sanitized,
unless RESPONSES is off or the article says ``Responses: off``). The build never talks to a social
network.
"""

from __future__ import annotations

import logging
from typing import Any

from pelican import signals

from self_promoting_blog.promote.manifest import entry_for, write_manifest
from self_promoting_blog.promote.responses_settings import load_responses_settings, responses_off
from self_promoting_blog.promote.responses_shown import responses_by_article
from self_promoting_blog.promote.settings import load_settings
from self_promoting_blog.promote.syndication import syndication_links, url_path

log = logging.getLogger(__name__)
_collected: dict[str, Any] = {}


def is_production(settings: dict[str, Any]) -> bool:
    """True for a build whose URLs are absolute (publishconf.py)."""
    siteurl = str(settings.get("SITEURL") or "")
    return siteurl.startswith(("http://", "https://")) and not settings.get("RELATIVE_URLS")


def collect(generators: list[Any]) -> None:
    """Attach syndication links to articles; remember them for the manifest."""
    for generator in generators:
        articles = getattr(generator, "articles", None)
        if articles is None or not hasattr(generator, "drafts"):
            continue
        settings = load_settings(generator.settings)
        links = syndication_links(settings)
        options = load_responses_settings(generator.settings)
        replies = responses_by_article(settings, options.hidden_file) if options.enabled else {}
        for article in articles:
            path = url_path(article.url)
            article.syndication = links.get(path, [])
            off = responses_off(article.metadata, article.relative_source_path)
            article.responses = [] if off else replies.get(path, [])
        _collected["articles"] = list(articles)
        _collected["settings"] = generator.settings


def write(pelican: Any) -> None:
    """Write the manifest after a production build."""
    settings = _collected.pop("settings", None) or pelican.settings
    articles = _collected.pop("articles", [])
    if not is_production(settings):
        return
    promote = load_settings(settings)
    count = write_manifest((entry_for(a, settings) for a in articles), promote.manifest_path,
                           promote.siteurl)
    log.info("promote: manifest of %d articles written to %s", count, promote.manifest_path)


def register() -> None:
    """Connect the build-side receivers."""
    signals.all_generators_finalized.connect(collect)
    signals.finalized.connect(write)
