"""Share links for one article, built from the intent table with every value percent-encoded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from string import Formatter
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from share_links.icons import icon
from share_links.intents import INTENTS, Intent
from share_links.settings import ShareSettings


@dataclass(frozen=True)
class ShareLink:
    key: str  # "bluesky"; also the CSS class share-bluesky
    label: str
    name: str
    href: str  # empty for script-only actions (copy, native)
    action: str
    icon: Markup


@lru_cache(maxsize=64)
def _encoded_template(template: str) -> str:
    """The template with its literal text percent-encoded; its {fields} are left as they are.

    Percent-encoding works character by character, so filling this with encoded values gives
    the encoding of the filled template: each article's values are encoded once, not once per
    network that uses them.
    """
    return "".join(quote(literal, safe="").replace("{", "{{").replace("}", "}}")
                   + (f"{{{field}}}" if field is not None else "")
                   for literal, field, _, _ in Formatter().parse(template))


def intent_url(intent: Intent, values: dict[str, str], encoded: dict[str, str],
               instance: str) -> str:
    """The compose URL: base + each non-empty parameter, encoded as a URL component."""
    query = []
    for param, template in intent.params:
        if template.format(**values).strip():
            query.append(f"{param}={_encoded_template(template).format(**encoded)}")
    return intent.base.format(instance=instance) + "?" + "&".join(query)


def build_links(values: dict[str, str], settings: ShareSettings) -> list[ShareLink]:
    """One ShareLink per configured network, in SHARE_NETWORKS order."""
    encoded = {name: quote(value, safe="") for name, value in values.items()}
    links = []
    for key in settings.networks:
        intent = INTENTS[key]
        if intent.needs_image and not values.get("image"):
            continue  # Pinterest pins a picture; without one there is nothing to pin
        href = (intent_url(intent, values, encoded, settings.mastodon_instance)
                if intent.base else "")
        links.append(ShareLink(key, intent.label, intent.name, href, intent.action,
                               icon(intent.icon)))
    return links


class ShareLinks:
    """`article.share_links`: iterable ShareLinks plus the canonical url and title for share.js.

    Worked out when the theme reads it, i.e. while the article's page renders: by then
    social_meta has set the canonical URL and preview image, whatever order the plugins
    registered in. Only that one page shows them, so nothing is kept on the article.
    """

    __slots__ = ("_content", "_settings")

    def __init__(self, content: Any, settings: ShareSettings) -> None:
        self._content = content
        self._settings = settings

    @property
    def _social(self) -> Any:
        return getattr(self._content, "social", None)

    @property
    def url(self) -> str:
        social = self._social
        if social is not None and social.canonical:
            return social.canonical
        return f"{self._settings.site_url}/{self._content.url}"

    @property
    def title(self) -> str:
        return str(self._content.title)

    @property
    def links(self) -> list[ShareLink]:
        return _links_of(self)

    def __iter__(self) -> Iterator[ShareLink]:
        return iter(self.links)

    def __bool__(self) -> bool:
        return bool(self.links)


# The theme reads a page's links a few times while it renders (is there any, each link, is one
# Mastodon's), then never again: only the page rendering now keeps its links (kept on every
# article, they took ~3 KB each: 15 MB of a 5,000-article build's memory).
@lru_cache(maxsize=1)
def _links_of(share: ShareLinks) -> list[ShareLink]:
    social = share._social
    image = social.image.url if social is not None and social.image is not None else ""
    text = social.description if social is not None and social.description else share.title
    values = {"title": share.title, "url": share.url, "text": text, "image": image,
              "via": share._settings.x_via}
    return build_links(values, share._settings)
