"""social_cards: a 1200×630 PNG card per article and page.

Sets, for social_meta and the theme:
- ``content.social_card``: a ``cards.Card`` (path, width, height, alt), or None when cards are off;
  social_meta uses it as the preview image, and sets it to None when the page's own `Image:` is a
  picture networks can show (so that card is not drawn, and feeds use the page's image);
- ``context["social_site_card"]``: the card for listing pages (home, category, tag, archives).
Cards are drawn with Pillow, cached by a hash of their inputs under CACHE_PATH, and linked (or
copied) to SOCIAL_CARDS_PATH in the output; a rebuild with nothing changed draws none. Missing
cards are drawn by worker processes while Pelican reads and writes (painter.py), or at the end in
the build's own process with SOCIAL_CARDS_WORKERS off (the live preview).

This file imports nothing else, so a worker importing the package does not load Pelican.
"""

from __future__ import annotations


def register() -> None:
    from social_cards.plugin import connect

    connect()
