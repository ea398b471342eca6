"""`invoke calendar`: per network, what promotion posts when, with the text under --dry-run."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rich.console import Console

from self_promoting_blog.writing.calendar_report import print_promotion
from tests.fakes.world import NEW
from tests.test_promote_campaigns import QUOTE

MONDAY_NOON = datetime(2030, 1, 7, 12, 0, tzinfo=UTC)


def agenda(world, texts: bool) -> str:
    out = io.StringIO()
    print_promotion(world.settings(), Console(file=out, width=200, color_system=None), texts,
                    MONDAY_NOON)
    return out.getvalue()


def test_the_calendar_lists_queued_announcements_follow_ups_and_evergreen_picks(make_world):
    world = make_world("mastodon", "telegram")  # old-news: recorded as baseline
    world.overrides = {"PROMOTE_WINDOWS": {"mastodon": ["Mon-Fri 08:00-10:00"]},
                       "PROMOTE_FOLLOW_UPS": [{"after_days": 3}],
                       "PROMOTE_EVERGREEN": {"networks": ["telegram"], "every_days": 2}}
    world.article("fresh-idea", date=NEW, followups=[QUOTE])
    shown = agenda(world, texts=False)
    rows = [" ".join(line.strip("│ ").split()) for line in shown.splitlines() if "│" in line]
    rows = [row for row in rows if row and not row.startswith("When")]
    assert "Mastodon: to be posted" in shown and "Telegram: to be posted" in shown
    assert rows == [
        # Mastodon: the announcement waits for Tuesday's window; its follow-up three days on,
        # Thursday noon, waits for Friday's.
        "Tue 8 Jan 2030 08:00 │ announcement │ Fresh idea",
        "in 20 hours │ │ " + world.site.url("articles/fresh-idea/"),
        "Fri 11 Jan 2030 08:00 │ follow-up 1 │ Fresh idea",
        "in 3 days │ │ " + world.site.url("articles/fresh-idea/"),
        # Telegram posts at any time: now, and the baseline article is this period's evergreen.
        "Mon 7 Jan 2030 12:00 │ announcement │ Fresh idea",
        "now │ │ " + world.site.url("articles/fresh-idea/"),
        "Mon 7 Jan 2030 12:00 │ evergreen │ Old news",
        "now │ │ " + world.site.url("articles/old-news/"),
        "Thu 10 Jan 2030 12:00 │ follow-up 1 │ Fresh idea",
        "in 3 days │ │ " + world.site.url("articles/fresh-idea/")], shown
    dry = agenda(world, texts=True)
    assert "Article and text" in dry
    assert QUOTE in dry and "utm_content=followup-1" in dry
    assert "utm_source=telegram&utm_medium=social&utm_campaign=old-news&utm_content=evergreen-" \
        in dry.replace("\n", "").replace("│", "").replace(" ", "")


def test_the_calendar_says_why_it_shows_no_promotion(make_world):
    world = make_world("mastodon", baseline=False)
    assert "Promotion: promote: no manifest at" in agenda(world, texts=False)
    world.overrides = {"PROMOTE_NETWORKS": []}
    assert "Promotion is off: PROMOTE_NETWORKS is empty" in agenda(world, texts=False)


def test_a_queued_announcements_follow_ups_count_from_when_it_goes_out(make_world):
    world = make_world("mastodon")
    world.overrides = {"PROMOTE_WINDOWS": {"mastodon": ["Mon 08:00-10:00"]},
                       "PROMOTE_FOLLOW_UPS": [{"after_days": 3}]}
    world.article("fresh-idea", date=NEW, followups=[QUOTE])
    shown = agenda(world, texts=False)
    rows = [" ".join(line.strip("│ ").split()) for line in shown.splitlines() if "│" in line]
    dated = [row for row in rows if row.startswith(("Mon", "Tue", "Wed", "Thu", "Fri"))]
    # Monday noon: the announcement waits a week for the next Monday window; its follow-up is
    # due three days after that (Thursday) and waits for the Monday after.
    assert dated == ["Mon 14 Jan 2030 08:00 │ announcement │ Fresh idea",
                     "Mon 21 Jan 2030 08:00 │ follow-up 1 │ Fresh idea"], shown


def test_a_ledger_this_machine_cannot_read_is_said_not_raised(make_world, monkeypatch):
    world = make_world("mastodon")
    world.article("fresh-idea", date=NEW)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    world.overrides = {"PROMOTE_LEDGER": "bucket", "DEPLOY_TARGET": "rsync://host/site"}
    shown = agenda(world, texts=False)
    assert "Promotion: the ledger cannot be read here (" in shown, shown
