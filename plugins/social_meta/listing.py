"""Values for pages that are not one article or page: home, category, tag, author, archives, 404."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

from social_meta import jsonld
from social_meta.image import ImageMeta
from social_meta.meta import SocialMeta
from social_meta.settings import MetaSettings
from social_meta.urls import absolute

_DIRECT_TITLES = {"archives": "Archives", "categories": "Categories", "tags": "Tags",
                  "authors": "Authors", "404": "Page not found"}


@dataclass(frozen=True)
class SiteSocial:
    """Site-wide values, put in the template context as `social_site`."""

    settings: MetaSettings
    image: ImageMeta | None

    def title(self, ctx: Mapping[str, Any]) -> str:
        """`Social Media · Signal & Reach`, `Archives · ...`, or the site name on the home page."""
        name = self.settings.site_name
        subject = next((str(ctx[key]) for key in ("category", "tag", "author") if ctx.get(key)), "")
        if not subject and ctx.get("period"):
            subject = "Archives " + " ".join(str(part) for part in ctx["period"])
        subject = subject or _DIRECT_TITLES.get(str(ctx.get("page_name") or ""), "")
        paginated = ctx.get("articles_page")
        number = getattr(paginated, "number", 1)
        if number and number > 1:
            subject = f"{subject or name}, page {number}"
        return f"{subject} · {name}" if subject else name

    def for_listing(self, ctx: Mapping[str, Any]) -> SocialMeta:
        s = self.settings
        output_file = str(ctx.get("output_file") or "")
        is_404 = ctx.get("page_name") == "404" or output_file.rsplit("/", 1)[-1] == "404.html"
        path = output_file.removesuffix("index.html")
        canonical = None if is_404 else absolute(s.site_url, path)
        title = self.title(ctx)
        structured = None
        if path == "" and canonical is not None:  # the home page
            structured = jsonld.graph(jsonld.web_page(
                kind="WebSite", name=s.site_name, description=s.site_description, url=canonical))
        return SocialMeta(og_type="website", title=title, description=s.site_description,
                          canonical=canonical, site_name=s.site_name, locale=s.locale,
                          image=self.image, fediverse_creator=s.fediverse_creators.get("", ""),
                          x_site=s.x_site, rel_me=s.rel_me, robots="noindex" if is_404 else "",
                          jsonld=structured)


@pass_context
def social_meta_for_page(ctx: Context) -> SocialMeta | None:
    """Jinja global `social_meta()`: the current article's or page's values, else the listing's."""
    content = ctx.get("article") or ctx.get("page")
    meta = getattr(content, "social", None)
    if meta is not None:
        return meta
    site = ctx.get("social_site")
    return site.for_listing(ctx) if site is not None else None
