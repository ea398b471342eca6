"""Build the values head_meta.html prints for an article or a page: OG, X card, JSON-LD."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from markupsafe import Markup

from self_promoting_blog.build_memo import BuildMemo, kept_with_file
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
    jsonld: Markup | StructuredData | None = None


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


@dataclass(frozen=True)
class MetaInputs:
    """All an article's or page's SocialMeta is made of besides the settings: ``build_meta``
    reads nothing else, so equal inputs give equal values (and a preview update reuses them)."""

    is_article: bool
    title: str
    description: str
    canonical: str
    lang: str | None
    draft: bool
    image: ImageMeta | None
    authors: tuple[tuple[str, str], ...]  # (name, absolute URL)
    published: str = ""
    modified: str = ""
    section: str = ""
    tags: tuple[str, ...] = ()
    category: tuple[str, str] | None = None  # (name, absolute URL), for the breadcrumbs


def meta_inputs(content: Any, context: Mapping[str, Any], settings: MetaSettings,
                is_article: bool) -> tuple[MetaInputs, str | None]:
    """What the page's SocialMeta is made of, and the problem with its own image, if any."""
    image, problem = pick_image(content, context, settings)
    authors = tuple((str(a), absolute(settings.site_url, a.url))
                    for a in getattr(content, "authors", None) or [])
    dated: dict[str, Any] = {}
    if is_article:
        date = content.date
        category = getattr(content, "category", None)
        dated = {"published": date.isoformat(),
                 "modified": getattr(content, "modified", date).isoformat(),
                 "section": str(category or ""),
                 "tags": tuple(str(tag) for tag in getattr(content, "tags", []) or []),
                 "category": None if category is None else (
                     category.name, absolute(settings.site_url, category.url))}
    return MetaInputs(
        is_article=is_article, title=str(content.title or "").strip(),
        description=description(content, settings.description_length),
        canonical=absolute(settings.site_url, content.url), lang=getattr(content, "lang", None),
        draft=getattr(content, "status", "published") == "draft", image=image, authors=authors,
        **dated), problem


def _creator(authors: tuple[tuple[str, str], ...], settings: MetaSettings) -> str:
    creators = settings.fediverse_creators
    for name, _url in authors:
        if name in creators:
            return creators[name]
    return creators.get("", "")


def _structured(inputs: MetaInputs, settings: MetaSettings) -> Markup:
    home = absolute(settings.site_url, "")
    logo = default_image(settings.publisher_logo, settings.site_name, settings.site_url)
    trail = [(settings.site_name, home)]
    canonical = inputs.canonical
    if not inputs.is_article:
        page = jsonld.web_page(kind="WebPage", name=inputs.title, description=inputs.description,
                               url=canonical or home)
        return jsonld.graph(page, jsonld.breadcrumbs([*trail, (inputs.title, canonical)]))
    if inputs.category is not None:
        trail.append(inputs.category)
    posting = jsonld.blog_posting(
        headline=inputs.title, description=inputs.description, url=canonical,
        published=inputs.published, modified=inputs.modified, authors=list(inputs.authors),
        image=inputs.image, publisher_node=jsonld.publisher(settings.site_name, home, logo),
        section=inputs.section, keywords=list(inputs.tags))
    return jsonld.graph(posting, jsonld.breadcrumbs([*trail, (inputs.title, canonical)]))


@dataclass(frozen=True, slots=True)
class StructuredData:
    """An article's or page's JSON-LD, serialised each time its page prints it and not kept:
    only that page shows it (kept for every article, it took ~1.3 KB each)."""

    inputs: MetaInputs
    settings: MetaSettings

    def __html__(self) -> str:
        return _structured(self.inputs, self.settings)

    __str__ = __html__


def build_meta(settings: MetaSettings, inputs: MetaInputs) -> SocialMeta:
    """The SocialMeta of a page made of these inputs."""
    dated: dict[str, Any] = {}
    if inputs.is_article:
        dated = {"published": inputs.published, "modified": inputs.modified,
                 "section": inputs.section, "tags": inputs.tags,
                 "author_urls": tuple(link for _, link in inputs.authors)}
    lang = inputs.lang
    return SocialMeta(
        og_type="article" if inputs.is_article else "website",
        title=inputs.title,
        description=inputs.description,
        canonical=inputs.canonical,
        site_name=settings.site_name,
        locale=settings.locale if not lang or settings.locale.startswith(lang) else lang,
        image=inputs.image,
        fediverse_creator=_creator(inputs.authors, settings),
        x_site=settings.x_site,
        rel_me=settings.rel_me,
        robots="noindex" if inputs.draft else "",
        jsonld=StructuredData(inputs, settings),
        **dated,
    )


class MetaValues:
    """build_meta remembered from one build to the next while the settings stay the same."""

    def __init__(self) -> None:
        self.settings: MetaSettings | None = None
        self.memo: BuildMemo[SocialMeta] | None = None

    def next_build(self) -> None:
        if self.memo is not None:
            self.memo.next_build()

    def __call__(self, settings: MetaSettings, inputs: MetaInputs) -> SocialMeta:
        if self.memo is None or settings != self.settings:
            self.settings, self.memo = settings, BuildMemo(partial(build_meta, settings))
        return self.memo(inputs)


# Each preview update hands the unchanged pages' same inputs again (see BuildMemo).
META_VALUES = MetaValues()


def content_meta(content: Any, context: Mapping[str, Any], settings: MetaSettings,
                 is_article: bool) -> tuple[SocialMeta, list[str]]:
    """SocialMeta for an article or page, and the problems that would spoil its previews.

    The live preview keeps them with the content while its file and the settings stay the same
    (``kept_with_file``): they are made of nothing else, unless the page names its own image,
    which is looked up among the static files.
    """
    kept = kept_with_file(content)
    if kept is not None and (known := kept.get("social_meta")) and known[0] == settings:
        return known[1], list(known[2])
    inputs, problem = meta_inputs(content, context, settings, is_article)
    meta, found = META_VALUES(settings, inputs), [problem] if problem else []
    if kept is not None and not content.metadata.get("image"):
        kept["social_meta"] = (settings, meta, tuple(found))
    return meta, found
