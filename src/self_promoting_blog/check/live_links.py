"""Links (``{filename}``) to an article or page that is not on the site when the linking one is.

A production build leaves scheduled articles and drafts out, and Pelican then points a link to
one of them at the home page, without a word. The preview builds them, so the link works there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from self_promoting_blog.check.links import Link
from self_promoting_blog.check.problems import Problem, error_in_production, warning
from self_promoting_blog.content.entries import Entry

DATE_SHOWN = "%a %-d %b %Y %H:%M"  # as `invoke calendar` shows it: Thu 14 Jan 2027 09:00


@dataclass(frozen=True)
class Standing:
    """When one file is on the site: all this rule keeps of it until every file is read."""

    shown: str
    kind: str  # "article" or "page"
    state: str  # "live", "hidden", "scheduled" or "draft"
    date: datetime | None  # when a scheduled article goes live
    line: int  # the line that decides it: Status (draft, hidden) or Date (scheduled)

    @classmethod
    def of(cls, entry: Entry, now: datetime) -> Standing | None:
        """None when it cannot be told (unknown status, unreadable date: reported elsewhere)."""
        source = entry.source
        status_line = (field.line if (field := source.first("status")) else 1)
        if entry.status == "draft":
            return cls(source.shown, entry.kind, "draft", None, status_line)
        if entry.status not in ("published", "hidden"):
            return None
        if entry.kind == "article":
            # Pelican schedules articles only: a page's Date never keeps it off the site.
            if entry.date is None:
                return None
            if entry.date > now:
                date_line = field.line if (field := source.first("date")) else 1
                return cls(source.shown, entry.kind, "scheduled", entry.date, date_line)
        return cls(source.shown, entry.kind, "live" if entry.status == "published" else "hidden",
                   None, status_line)


@dataclass(frozen=True)
class LinkClaim:
    """One ``{filename}`` link to an existing file, kept until every file is read."""

    source: str  # the linking file's normalised path
    shown: str
    line: int
    written: str
    target: str  # the linked file's normalised path


class LiveLinks:
    """Collects every file's standing and every ``{filename}`` link, then judges the links."""

    def __init__(self, production: bool, now: datetime) -> None:
        self.production = production
        self.now = now
        self.standings: dict[str, Standing] = {}
        self.claims: list[LinkClaim] = []

    def note_entry(self, entry: Entry) -> None:
        if standing := Standing.of(entry, self.now):
            self.standings[os.path.normpath(entry.source.path)] = standing

    def note_link(self, entry: Entry, link: Link) -> None:
        if link.what == "filename" and link.path is not None:
            self.claims.append(LinkClaim(os.path.normpath(entry.source.path), entry.source.shown,
                                         link.line, link.written, link.path))

    def check(self) -> list[Problem]:
        problems = []
        for claim in self.claims:
            source, target = self.standings.get(claim.source), self.standings.get(claim.target)
            if source and target and (problem := self._judge(claim, source, target)):
                problems.append(problem)
        return problems

    def _judge(self, claim: LinkClaim, source: Standing, target: Standing) -> Problem | None:
        if source.state == "draft" or target.state == "live":
            return None  # a draft's links matter once it is published, and are checked then
        leads = f'The link "{claim.written}" leads to {target.shown}'
        if target.state == "hidden":
            if source.state == "hidden":
                return None  # one unlisted page leading to another: a deliberate trail
            one = "an article" if target.kind == "article" else "a page"
            return warning(claim.shown, claim.line, "link",
                           f"{leads}, which is hidden (its Status, line {target.line}): the link "
                           f"works, but it lets readers find {one} you chose not to list",
                           f"remove the link, or set Status: published to list the {target.kind}")
        if target.state == "draft":
            what = f"{leads}, which is a draft (its Status, line {target.line})"
            home = "on the site the link leads to the home page"
            fix = ("link it once it is published, publish it (Status: published), or remove the "
                   "link")
        else:
            assert target.date is not None
            what = (f"{leads}, which goes live on {target.date.strftime(DATE_SHOWN)} "
                    f"(its Date, line {target.line})")
            home = "on the site the link leads to the home page until then"
            fix = ("link it once it is live, publish it now (a Date that has passed), or remove "
                   "the link")
            if source.state == "scheduled":
                assert source.date is not None
                if target.date <= source.date:
                    return None  # live by the time this article is
                what += f", after this article ({source.date.strftime(DATE_SHOWN)})"
                home = "on the site the link would lead to the home page for a while"
                fix = (f"give {target.shown} a Date no later than this article's, link it once "
                       "it is live, or remove the link")
        consequence = f", so {home}" if self.production else f": the preview shows it, but {home}"
        return error_in_production(self.production, claim.shown, claim.line, "link",
                                   what + consequence, fix)
