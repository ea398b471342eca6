"""What the plugins give the theme: attributes on Pelican's objects, context keys, Jinja names.

Pelican hands templates its own articles, pages, categories and tags; the plugins under plugins/
add to them during the build, and theme/templates (and other plugins: feeds read the cards,
social_meta the scheduled flag) read what they add. This module is the one list of those names
and their types. tests/test_theme_contract.py reads every plugin's source and fails when a plugin
sets a name that is not declared here, or when a name declared here is set by no plugin.

The plugins' own classes are described by what readers use of them (Protocols), so this module
imports no plugin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypedDict

from pelican.contents import Article, Content

# -- the values plugins create ------------------------------------------------------------------


class FeedLink(Protocol):
    """One feed's autodiscovery link (feeds.channels.FeedLink)."""

    label: str  # "Atom", "RSS", "JSON"
    mime: str
    path: str  # relative to the output folder and to SITEURL
    title: str


class SiteFeeds(TypedDict):
    """``FEEDS``: the site's feeds, and each category's and tag's by slug."""

    site: list[FeedLink]
    category: dict[str, list[FeedLink]]
    tag: dict[str, list[FeedLink]]


class ShareLink(Protocol):
    """One share button or link (share_links.links.ShareLink)."""

    key: str  # also the CSS class share-<key>
    label: str
    name: str
    href: str  # "" for actions only script can do (copy, the device's share sheet)
    action: str
    icon: str  # inline SVG, already safe (Markup)


class ShareLinks(Protocol):
    """``article.share_links`` (share_links.links.ShareLinks): iterate it for the links."""

    @property
    def url(self) -> str: ...

    @property
    def title(self) -> str: ...

    def __iter__(self) -> Iterator[ShareLink]: ...


class Card(Protocol):
    """A social card image (social_cards.cards.Card)."""

    path: str  # relative to the output folder, also its URL relative to SITEURL
    alt: str
    width: int
    height: int
    type: str


class ImageMeta(Protocol):
    """The preview image a page announces (social_meta.image.ImageMeta)."""

    url: str
    alt: str
    width: int | None
    height: int | None
    type: str | None


class SocialMeta(Protocol):
    """One page's canonical URL, description, Open Graph and X values (social_meta.meta)."""

    og_type: str  # "article" or "website"
    title: str
    description: str
    canonical: str | None  # None on pages that must not be indexed (404)
    site_name: str
    locale: str
    image: ImageMeta | None
    published: str
    modified: str
    section: str
    tags: tuple[str, ...]
    author_urls: tuple[str, ...]
    fediverse_creator: str
    x_site: str
    rel_me: tuple[str, ...]
    robots: str
    jsonld: str | None  # already escaped for <script> (Markup)


class SiteSocial(Protocol):
    """``social_site``: the site-wide values, and a listing page's (social_meta.listing)."""

    image: ImageMeta | None

    def for_listing(self, ctx: Any) -> SocialMeta: ...


# -- what plugins set on Pelican's objects ------------------------------------------------------


class OnContent(Protocol):
    """Set on every article and page, drafts, hidden ones and translations included."""

    social: SocialMeta  # social_meta
    social_card: Card | None  # social_cards; None when the page's own Image is its preview
    translations: list[Content]  # Pelican's own; content_check drops a duplicate-slug file


class OnArticle(OnContent, Protocol):
    """Set on every article (published, hidden, draft, translation)."""

    reading_time: int  # article_extras: whole minutes, at least 1
    related_articles: list[Article]  # article_extras: [] on all but published articles
    prev_article: Article | None  # article_extras: the published article just older
    next_article: Article | None  # article_extras: the published article just newer
    scheduled: bool  # scheduling: dated in the future, goes live by itself
    share_links: ShareLinks  # share_links
    # promote, published articles: (network label, post URL, counts such as "3 likes, 1 repost")
    syndication: list[tuple[str, str, str]]
    # promote, published articles: the public replies to show (responses_shown.Shown: network,
    # url, author_name, author_handle, author_url, published, published_text, edited, html
    # [sanitized], counts); [] when there are none or `Responses: off`
    responses: list[Any]


class OnWrapper(Protocol):
    """Set on every Category and Tag object (Pelican makes one per article, all get it)."""

    feeds: list[FeedLink]  # feeds: that category's or tag's feeds


class OnGenerator(Protocol):
    """Set on the articles and pages generators."""

    held_back: list[Content]  # scheduling, production builds: the drafts left out, for counts
    # article_extras (taxonomy_pages), on the articles generator: Pelican's methods that write the
    # tag, category and author pages, replaced by linear ones making the same write calls
    generate_tags: Callable[[Any], None]
    generate_categories: Callable[[Any], None]
    generate_authors: Callable[[Any], None]


# -- what plugins put in Jinja's context and environment ----------------------------------------


class Context(TypedDict, total=False):
    """Keys plugins add to the template context."""

    COPYRIGHT_YEARS: str  # article_extras: "2025–2026", "" with no published article
    FEEDS: SiteFeeds  # feeds
    social_site: SiteSocial  # social_meta
    social_site_card: Card  # social_cards, when cards are on: the listing pages' card


class Filters(TypedDict):
    """Jinja filters plugins add."""

    plain_summary: Callable[[Article], str]  # article_extras: the summary without its tags
    url_of: Callable[[Content], str]  # article_extras: `content.url`, worked out once
    render_once: Callable[..., str]  # article_extras: `macro(*args)`, rendered once per build


class Globals(TypedDict):
    """Jinja globals plugins add."""

    social_meta: Callable[..., SocialMeta | None]  # social_meta: the page rendering's values
