"""Build the values head_meta.html prints for an article or a page: OG, X card, JSON-LD."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup

from social_meta import jsonld
from social_meta.describe import description
from social_meta.image import ImageMeta, card_image, default_image, own_image, shows_in_previews
from social_meta.settings import MetaSettings
from social_meta.urls import absolute


@dataclass(frozen=True)
class SocialMeta:
    """Everything a page says about itself to networks and search engines (plain text values)."""

    og_type: str  # "article" or "website"
    title: str
    description: str
    canonical: str | None  # None on pages that must not be indexed (404)
    site_name: str
    locale: str
    image: ImageMeta | None
    published: str = ""
    modified: str = ""
    section: str = ""
    tags: tuple[str, ...] = ()
    author_urls: tuple[str, ...] = ()
    fediverse_creator: str = ""
    x_site: str = ""
    rel_me: tuple[str, ...] = ()
    robots: str = ""
    jsonld: Markup | None = None


def fallback_image(content: Any, settings: MetaSettings) -> ImageMeta | None:
    """The page's social card, else SOCIAL_META_DEFAULT_IMAGE."""
    card = getattr(content, "social_card", None)
    if card is not None:
        return card_image(card, settings.site_url)
    return default_image(settings.default_image, str(content.title), settings.site_url)


def pick_image(content: Any, context: Mapping[str, Any], settings: MetaSettings
               ) -> tuple[ImageMeta | None, str | None]:
    """The page's own `Image:` when networks can show it, else its card; and any problem."""
    value = str(content.metadata.get("image") or "").strip()
    if not value or not shows_in_previews(value):
        # No Image, or an SVG: the theme may show it on the page, previews use the card.
        return fallback_image(content, settings), None
    image, problem = own_image(content, context, settings.site_url)
    return (image, None) if image else (fallback_image(content, settings), problem)


def _creator(authors: list[Any], settings: MetaSettings) -> str:
    creators = settings.fediverse_creators
    for author in authors:
        if str(author) in creators:
            return creators[str(author)]
    return creators.get("", "")


def _structured(content: Any, meta: SocialMeta, canonical: str, settings: MetaSettings,
                is_article: bool, authors: list[tuple[str, str]]) -> Markup:
    home = absolute(settings.site_url, "")
    logo = default_image(settings.publisher_logo, settings.site_name, settings.site_url)
    trail = [(settings.site_name, home)]
    if not is_article:
        page = jsonld.web_page(kind="WebPage", name=meta.title, description=meta.description,
                               url=canonical or home)
        return jsonld.graph(page, jsonld.breadcrumbs([*trail, (meta.title, canonical)]))
    category = getattr(content, "category", None)
    if category is not None:
        trail.append((category.name, absolute(settings.site_url, category.url)))
    posting = jsonld.blog_posting(
        headline=meta.title, description=meta.description, url=canonical,
        published=meta.published, modified=meta.modified, authors=authors, image=meta.image,
        publisher_node=jsonld.publisher(settings.site_name, home, logo),
        section=meta.section, keywords=list(meta.tags))
    return jsonld.graph(posting, jsonld.breadcrumbs([*trail, (meta.title, canonical)]))


def content_meta(content: Any, context: Mapping[str, Any], settings: MetaSettings,
                 is_article: bool) -> tuple[SocialMeta, list[str]]:
    """SocialMeta for an article or page, and the problems that would spoil its previews."""
    image, problem = pick_image(content, context, settings)
    authors = list(getattr(content, "authors", None) or [])
    author_links = [(str(a), absolute(settings.site_url, a.url)) for a in authors]
    lang = getattr(content, "lang", None)
    canonical = absolute(settings.site_url, content.url)
    dated: dict[str, Any] = {}
    if is_article:
        date = content.date
        dated = {"published": date.isoformat(),
                 "modified": getattr(content, "modified", date).isoformat(),
                 "section": str(getattr(content, "category", "") or ""),
                 "tags": tuple(str(tag) for tag in getattr(content, "tags", []) or []),
                 "author_urls": tuple(link for _, link in author_links)}
    meta = SocialMeta(
        og_type="article" if is_article else "website",
        title=str(content.title or "").strip(),
        description=description(content, settings.description_length),
        canonical=canonical,
        site_name=settings.site_name,
        locale=settings.locale if not lang or settings.locale.startswith(lang) else lang,
        image=image,
        fediverse_creator=_creator(authors, settings),
        x_site=settings.x_site,
        rel_me=settings.rel_me,
        robots="noindex" if getattr(content, "status", "published") == "draft" else "",
        **dated,
    )
    meta = replace(meta, jsonld=_structured(content, meta, canonical, settings, is_article,
                                            author_links))
    return meta, [problem] if problem else []
