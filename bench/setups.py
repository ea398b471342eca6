"""The three builds the bench compares, as settings for one child process each.

(a) bare       Pelican alone: PLUGINS = [], its own Atom/RSS feeds (site, category, tag), the
               bundled `simple` theme.
(b) community  the nearest community setup: (a) plus pelican-sitemap, pelican-share-post and
               pelican-seo (its Open Graph / X card enhancer on).
(c) ours       this blog's production build as `invoke preview` runs it: publishconf.py (our
               theme, every plugin in PLUGINS), through self_promoting_blog.build
               (staged, checked).

(a) and (b) take the site's shape from pelicanconf.py (URLs, pagination, time zone, folders,
items per feed), so all three write the same pages; only the theme and the plugins differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SITEURL = "https://bench.example"
# Settings that decide which pages exist and where: shared by all three setups.
SHAPE_KEYS = (
    "ARTICLE_PATHS", "PAGE_PATHS", "STATIC_PATHS", "USE_FOLDER_AS_CATEGORY", "DEFAULT_CATEGORY",
    "TIMEZONE", "DEFAULT_LANG", "DEFAULT_PAGINATION", "PAGINATED_TEMPLATES",
    "PAGINATION_PATTERNS", "SLUGIFY_SOURCE", "FEED_MAX_ITEMS", "ARTICLE_URL", "ARTICLE_SAVE_AS",
    "PAGE_URL", "PAGE_SAVE_AS", "CATEGORY_URL", "CATEGORY_SAVE_AS", "TAG_URL", "TAG_SAVE_AS",
    "AUTHOR_URL", "AUTHOR_SAVE_AS", "ARCHIVES_SAVE_AS", "CATEGORIES_SAVE_AS", "TAGS_SAVE_AS",
    "AUTHORS_SAVE_AS", "AUTHOR", "SITENAME",
)
PELICAN_FEEDS = {
    "FEED_ALL_ATOM": "feeds/all.atom.xml", "FEED_ALL_RSS": "feeds/all.rss.xml",
    "CATEGORY_FEED_ATOM": "feeds/category/{slug}.atom.xml",
    "CATEGORY_FEED_RSS": "feeds/category/{slug}.rss.xml",
    "TAG_FEED_ATOM": "feeds/tag/{slug}.atom.xml", "TAG_FEED_RSS": "feeds/tag/{slug}.rss.xml",
    "AUTHOR_FEED_ATOM": None, "AUTHOR_FEED_RSS": None, "TRANSLATION_FEED_ATOM": None,
}
COMMUNITY_PLUGINS = ["pelican.plugins.sitemap", "pelican.plugins.share_post",
                     "pelican.plugins.seo"]


@lru_cache(maxsize=1)
def site_shape() -> dict[str, Any]:
    """The shape settings as pelicanconf.py sets them."""
    from pelican.settings import read_settings

    ours = read_settings(str(ROOT / "pelicanconf.py"))
    return {key: ours[key] for key in SHAPE_KEYS} | {"SITEMAP": ours.get("SITEMAP")}


@dataclass(frozen=True)
class Setup:
    """One way of building the same content."""

    key: str
    label: str
    ours: bool = False

    def spec(self, content: Path, output: Path, cache: Path, *, content_cache: bool = False,
             siteurl: str | None = None) -> dict[str, Any]:
        """What bench/child.py needs to build `content` into `output` this way."""
        override: dict[str, Any] = {
            "PATH": str(content), "OUTPUT_PATH": str(output), "CACHE_PATH": str(cache),
            "SITEURL": siteurl or SITEURL, "RELATIVE_URLS": False,
            "CACHE_CONTENT": content_cache, "LOAD_CONTENT_CACHE": content_cache,
        }
        if self.ours:
            return {"ours": True, "settings_file": str(ROOT / "publishconf.py"),
                    "override": override}
        shape = {k: v for k, v in site_shape().items() if k != "SITEMAP"}
        override = shape | PELICAN_FEEDS | override | {
            "THEME": "simple", "PLUGINS": [], "DELETE_OUTPUT_DIRECTORY": False}
        if self.key == "community":
            override |= {"PLUGINS": COMMUNITY_PLUGINS, "SITEMAP": site_shape()["SITEMAP"],
                         "SEO_ENHANCER": True, "SEO_ENHANCER_OPEN_GRAPH": True,
                         "SEO_ENHANCER_TWITTER_CARDS": True}
        return {"ours": False, "settings_file": None, "override": override}


BARE = Setup("bare", "(a) bare Pelican")
COMMUNITY = Setup("community", "(b) community plugins")
OURS = Setup("ours", "(c) this blog", ours=True)
SETUPS = (BARE, COMMUNITY, OURS)
