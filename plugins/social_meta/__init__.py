"""social_meta: canonical URL, description, Open Graph, X card and JSON-LD values for the theme.

Sets, for theme/templates/partials/head_meta.html:
- ``content.social`` (a ``meta.SocialMeta``) on every article and page, drafts included;
- ``social_site`` in the template context (site-wide values and listing pages);
- the Jinja global ``social_meta()``, which returns the right SocialMeta for the page rendering.
Writes ``robots.txt`` naming the sitemap. Reports, per article, what would spoil a shared link
(ERROR in production builds, so they fail).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator

from self_promoting_blog.generator_lists import every_article, every_page
from social_meta.checks import (
    missing_alt,
    problems,
    report,
    report_missing_alt,
    site_problem,
    source_label,
)
from social_meta.describe import DESCRIPTIONS
from social_meta.image import card_image, default_image
from social_meta.listing import SiteSocial, social_meta_for_page
from social_meta.meta import META_VALUES, content_meta
from social_meta.robots import write_robots
from social_meta.settings import load_settings


def add_template_global(generator: Any) -> None:
    """Give every template `social_meta()`, called while pages render, once the values exist."""
    generator.env.globals["social_meta"] = social_meta_for_page


def _annotate(generator: Any, contents: list[Any], is_article: bool) -> None:
    settings = load_settings(generator.settings)
    for content in contents:
        meta, found = content_meta(content, generator.context, settings, is_article)
        content.social = meta
        card = getattr(content, "social_card", None)
        if card is not None and meta.image is not None and meta.image.url != card_image(
                card, settings.site_url).url:
            # The page's own Image is its preview: no card for it (feeds read social_card too).
            content.social_card = None
        found += problems(meta, settings, image_reported=bool(found))
        if not found and not missing_alt(content, meta):
            continue  # nothing to say, so no need of the file's label (one relpath a file)
        label = source_label(content, generator.settings)
        ships = getattr(content, "status", "published") != "draft"
        report(label, found, fatal=settings.strict and is_article and ships)
        report_missing_alt(label, content, meta)


def annotate_all(generators: list[Any]) -> None:
    """Compute every page's values once all content and static files are known."""
    first = generators[0]
    settings = load_settings(first.settings)
    DESCRIPTIONS.next_build()
    META_VALUES.next_build()
    problem = site_problem(settings)
    if problem:
        report("publishconf.py", [problem], fatal=True)
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            _annotate(generator, every_article(generator), is_article=True)
        elif isinstance(generator, PagesGenerator):
            _annotate(generator, every_page(generator), is_article=False)
    card = first.context.get("social_site_card")
    image = (card_image(card, settings.site_url) if card is not None
             else default_image(settings.default_image, settings.site_name, settings.site_url))
    first.context["social_site"] = SiteSocial(settings, image)


def write_robots_txt(pelican: Any) -> None:
    if load_settings(pelican.settings).robots_txt:
        write_robots(Path(pelican.output_path), pelican.settings)


def register() -> None:
    """Connect the receivers (module level, since Pelican holds receivers weakly)."""
    signals.generator_init.connect(add_template_global)
    signals.all_generators_finalized.connect(annotate_all)
    signals.finalized.connect(write_robots_txt)
