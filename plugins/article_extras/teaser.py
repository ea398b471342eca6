"""The plain-text teaser under each article in a listing, worked out once per article.

An article is listed on the home page, its category, each tag, its author and the archives;
stripping its summary's tags for every listing cost more than the rest of the card.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup


def plain_summary(article: Any) -> str:
    """`article.summary|striptags`, remembered on the article (Jinja escapes it on output)."""
    cached = article.__dict__.get("_plain_summary")
    if cached is None:
        cached = article._plain_summary = Markup(article.summary).striptags()
    return cached
