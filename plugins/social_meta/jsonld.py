"""JSON-LD (schema.org) for search engines, serialised so no value can end the <script>."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from social_meta.image import ImageMeta

_HTML_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def script_json(data: Any) -> Markup:
    """JSON for inside <script type="application/ld+json">.

    `<`, `>` and `&` become \\u escapes (still the same JSON value), so a title such as
    `</script><script>alert(1)` cannot close the element or open a comment.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in _HTML_SAFE.items():
        text = text.replace(char, escape)
    return Markup(text)


def _image(image: ImageMeta | None) -> dict[str, Any] | None:
    if image is None:
        return None
    node: dict[str, Any] = {"@type": "ImageObject", "url": image.url}
    if image.width and image.height:
        node.update(width=image.width, height=image.height)
    return node


def breadcrumbs(trail: list[tuple[str, str]]) -> dict[str, Any]:
    """BreadcrumbList from (name, absolute URL) pairs, home first."""
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": index, "name": name, "item": url}
            for index, (name, url) in enumerate(trail, start=1)
        ],
    }


def publisher(name: str, url: str, logo: ImageMeta | None) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "Organization", "name": name, "url": url}
    if logo is not None:
        node["logo"] = _image(logo)
    return node


def blog_posting(*, headline: str, description: str, url: str, published: str, modified: str,
                 authors: list[tuple[str, str]], image: ImageMeta | None,
                 publisher_node: dict[str, Any], section: str, keywords: list[str]
                 ) -> dict[str, Any]:
    """BlogPosting with what Google's article guidelines ask for."""
    node: dict[str, Any] = {
        "@type": "BlogPosting",
        "headline": headline,
        "description": description,
        "datePublished": published,
        "dateModified": modified,
        "author": [{"@type": "Person", "name": name, "url": link} for name, link in authors],
        "publisher": publisher_node,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
    }
    if image is not None:
        node["image"] = _image(image)
    if section:
        node["articleSection"] = section
    if keywords:
        node["keywords"] = keywords
    return node


def web_page(*, kind: str, name: str, description: str, url: str) -> dict[str, Any]:
    """WebSite (home page) or WebPage (a page such as About)."""
    return {"@type": kind, "name": name, "description": description, "url": url}


def graph(*nodes: dict[str, Any]) -> Markup:
    """One script body holding every node, sharing one @context."""
    return script_json({"@context": "https://schema.org", "@graph": list(nodes)})
