"""The span of years the site has published in, for the footer's copyright line."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def copyright_years(articles: Iterable[Any]) -> str:
    """"2025–2026" over the published articles' years (scheduled ones left out); "" if none."""
    years = sorted({a.date.year for a in articles if not getattr(a, "scheduled", False)})
    if not years:
        return ""
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"
