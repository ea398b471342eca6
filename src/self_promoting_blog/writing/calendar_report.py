"""Print the publishing calendar as two tables, then promotion's agenda per network (rich)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from self_promoting_blog.promote.agenda import NetworkAgenda, read_agenda
from self_promoting_blog.promote.campaign import load_campaign
from self_promoting_blog.writing.calendar import Calendar, CalendarItem

DATE_FORMAT = "%a %-d %b %Y %H:%M"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def relative(delta: timedelta) -> str:
    """A rough, readable size of a time span: "3 days", "5 hours", "12 minutes"."""
    seconds = abs(delta.total_seconds())
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            return _plural(int(seconds // size), unit)
    return "less than a minute"


def _table(title: str, when: str, items: tuple[CalendarItem, ...], now: datetime,
           future: bool) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", expand=True)
    table.add_column(when, style="cyan", no_wrap=True)
    table.add_column("Title and file", ratio=1, overflow="fold")
    table.add_column("Category", min_width=10)
    for item in items:
        span = relative(item.date - now)
        date = Text.assemble(item.date.strftime(DATE_FORMAT), "\n",
                             (f"in {span}" if future else f"{span} ago", "dim"))
        table.add_row(date, Text.assemble(item.title, "\n", (item.file, "dim")),
                      item.category or "")
    return table


def print_calendar(calendar: Calendar, console: Console) -> None:
    """Scheduled (soonest first), then recently published, then a one-line summary."""
    zone = calendar.scheduled[0].date.tzname() if calendar.scheduled else ""
    if calendar.scheduled:
        console.print(_table(f"Scheduled ({zone})", "Goes live", calendar.scheduled,
                             calendar.now, True))
    else:
        console.print("Nothing is scheduled: every article with a Date in the future shows "
                      "up here.")
    if calendar.published:
        console.print(_table("Recently published", "Published", calendar.published,
                             calendar.now, False))
    summary = (f"{_plural(len(calendar.scheduled), 'scheduled article')}, "
               f"{_plural(calendar.drafts, 'draft')}")
    if calendar.scheduled:
        nxt = calendar.scheduled[0]
        summary += f"; next: “{nxt.title}” in {relative(nxt.date - calendar.now)}"
    console.print(Text(summary + ".", style="bold"), soft_wrap=True)
    if calendar.unreadable:
        console.print(Text(f"Left out, since their Title or Date can't be read: "
                           f"{', '.join(calendar.unreadable)} (run invoke check).",
                           style="yellow"), soft_wrap=True)


def print_agenda(agendas: list[NetworkAgenda], note: str, zone: tzinfo, now: datetime,
                 console: Console) -> None:
    """Per network, what promotion posts when (with each text when the agenda has them)."""
    if note:
        console.print(Text(f"Promotion: {note}", style="yellow"), soft_wrap=True)
        return
    for agenda in agendas:
        if not agenda.items:
            console.print(f"{agenda.label}: nothing to post.")
            continue
        table = Table(title=f"{agenda.label}: to be posted", title_justify="left",
                      title_style="bold", expand=True)
        table.add_column("When", style="cyan", no_wrap=True)
        table.add_column("What", no_wrap=True)
        table.add_column("Article" + (" and text" if agenda.items[0].text is not None else ""),
                         ratio=1, overflow="fold")
        for item in agenda.items:
            local = item.when.astimezone(zone)
            when = Text.assemble(local.strftime(DATE_FORMAT), "\n", (
                "now" if item.when <= now else f"in {relative(item.when - now)}", "dim"))
            article = Text.assemble(item.title, "\n", (item.url, "dim"))
            if item.text is not None:
                article.append("\n\n" + item.text)
            table.add_row(when, item.what, article)
        console.print(table)


def print_promotion(publish: Mapping[str, Any], console: Console, texts: bool = False,
                    now: datetime | None = None) -> None:
    """Promotion's agenda from the production settings (`publish`), in the site's time zone."""
    now = now or datetime.now(UTC)
    agendas, note = read_agenda(publish, now, texts)
    print_agenda(agendas, note, load_campaign(publish).zone, now, console)
