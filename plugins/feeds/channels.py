"""Which feeds the site has (all articles, each category, each tag) and where each one lives."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from feeds.settings import FORMATS, FeedsSettings

MIME_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml",
              "json": "application/feed+json"}
LABELS = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}


@dataclass(frozen=True)
class FeedLink:
    """One feed file: what the theme needs for `<link rel="alternate">` and Subscribe links."""

    format: str
    label: str
    mime: str
    path: str  # relative to the output folder and to SITEURL
    url: str  # absolute
    title: str  # e.g. "Signal & Reach: Strategy (Atom)"


@dataclass
class Channel:
    """One feed in all its formats: its title, its HTML page and the articles it draws from."""

    scope: str  # "ALL", "CATEGORY" or "TAG"
    name: str  # the category or tag name; "" for the site feed
    slug: str
    title: str
    home_url: str
    links: tuple[FeedLink, ...]
    articles: list[Any] = field(default_factory=list)

    def link(self, fmt: str) -> FeedLink | None:
        """Return this channel's link in one format, or None when that format is off."""
        return next((link for link in self.links if link.format == fmt), None)


def absolute(settings: FeedsSettings, path: str) -> str:
    """Return the absolute URL of a path relative to the site root."""
    return f"{settings.base_url}/{path.lstrip('/')}"


def _channel(settings: FeedsSettings, scope: str, name: str, slug: str, title: str,
             home_path: str, articles: list[Any]) -> Channel:
    links = []
    for fmt in FORMATS:
        template = settings.paths[scope][fmt]
        if template is None:
            continue
        path = template.replace("{slug}", slug)
        links.append(FeedLink(fmt, LABELS[fmt], MIME_TYPES[fmt], path, absolute(settings, path),
                              f"{title} ({LABELS[fmt]})"))
    return Channel(scope, name, slug, title, absolute(settings, home_path), tuple(links),
                   articles)


def _titled(template: str, site: str, name: str) -> str:
    # str.replace, not str.format: a tag named "{x}" must not break the title.
    return template.replace("{site}", site).replace("{name}", name)


def plan_channels(settings: FeedsSettings, articles: list[Any],
                  categories: Iterable[tuple[Any, list[Any]]],
                  tags: Iterable[tuple[Any, list[Any]]]) -> list[Channel]:
    """List every channel: the site's, then one per category and one per tag."""
    channels = [_channel(settings, "ALL", "", "", settings.site_name, "", articles)]
    for scope, groups, template in (("CATEGORY", categories, settings.category_title),
                                    ("TAG", tags, settings.tag_title)):
        for wrapper, members in groups:
            title = _titled(template, settings.site_name, wrapper.name)
            channels.append(_channel(settings, scope, wrapper.name, wrapper.slug, title,
                                     wrapper.url, list(members)))
    return [channel for channel in channels if channel.links]


def template_context(channels: list[Channel]) -> dict[str, Any]:
    """Shape the channels for templates: FEEDS.site, FEEDS.category[slug], FEEDS.tag[slug]."""
    site = next((list(c.links) for c in channels if c.scope == "ALL"), [])
    by_slug: dict[str, dict[str, list[FeedLink]]] = {"CATEGORY": {}, "TAG": {}}
    for channel in channels:
        if channel.scope in by_slug:
            by_slug[channel.scope][channel.slug] = list(channel.links)
    return {"site": site, "category": by_slug["CATEGORY"], "tag": by_slug["TAG"]}
