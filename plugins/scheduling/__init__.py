"""scheduling: an article dated in the future goes live by itself on its date.

Development build (WITH_FUTURE_DATES = True): the article is built and listed like any other,
with ``article.scheduled = True`` so the theme shows a "Scheduled" badge.

Production build (WITH_FUTURE_DATES = False): Pelican turns a future article into a draft.
This plugin then removes every draft (scheduled or written ``Status: draft``) and every draft
page from the generators before any other plugin runs its ``*_generator_finalized`` receiver,
so no page, listing, feed, sitemap, card or promotion manifest can include one. publishconf.py
also sets the DRAFT_*SAVE_AS settings to "" so Pelican itself writes no draft, should this
plugin ever fail to register. What was held back is kept on ``generator.held_back`` for counts.
"""

from __future__ import annotations

from datetime import datetime
from itertools import chain
from typing import Any

from pelican import signals

from self_promoting_blog.content.schedule import is_scheduled, now_like
from self_promoting_blog.generator_lists import every_article


def _written_status(article: Any) -> str:
    # Pelican overwrites .status with "draft" for a future date; metadata keeps what was written.
    return str(article.metadata.get("status", "published"))


def mark_and_hold_back(generator: Any) -> None:
    """Set ``article.scheduled`` on every article; in production, drop all drafts."""
    everything = every_article(generator)
    now: datetime | None = now_like(everything[0].date) if everything else None
    for article in everything:
        article.scheduled = is_scheduled(getattr(article, "date", None),
                                         _written_status(article), now)
    if not generator.settings.get("WITH_FUTURE_DATES", True):
        generator.held_back = list(chain(generator.drafts, generator.drafts_translations))
        # In place: the template context holds these same list objects.
        generator.drafts[:] = []
        generator.drafts_translations[:] = []


def hold_back_pages(generator: Any) -> None:
    """In production, drop draft pages so nothing can write or list them."""
    if not generator.settings.get("WITH_FUTURE_DATES", True):
        generator.held_back = list(chain(generator.draft_pages, generator.draft_translations))
        generator.draft_pages[:] = []
        generator.draft_translations[:] = []


def register() -> None:
    """Connect the receivers (module level: Pelican holds receivers weakly)."""
    signals.article_generator_finalized.connect(mark_and_hold_back)
    signals.page_generator_finalized.connect(hold_back_pages)
