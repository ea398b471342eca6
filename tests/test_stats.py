"""`invoke stats` against the strict fakes: the exact read requests, samples as a time series,
the cadence, rate limits, deleted posts, a missing permission, dry run, table, JSON, report."""

from __future__ import annotations

import io
import json
import re
import time

import pytest
from lxml import html as lxml_html

from self_promoting_blog.promote.adapters.base import Counts, Engagement, PublicReply
from self_promoting_blog.promote.rows import Row, slot_key
from self_promoting_blog.promote.samples import Sample, latest_samples
from self_promoting_blog.stats.cadence import DAY, HOUR, WEEK, Due, due_posts, interval
from self_promoting_blog.stats.fetch import Pace, fetch
from self_promoting_blog.stats.report import render_report
from self_promoting_blog.stats.table import summarize
from tests.fakes import mastodon
from tests.fakes.server import Reply
from tests.fakes.world import NEW

pytestmark = pytest.mark.network("mastodon")
HOURS_LATER = 2 * HOUR  # past the grace a just-made post gets before "deleted" is believed


def reads(world):
    """The counts' reads (a post with replies also has its context read: test_responses.py)."""
    return [r for r in world.fakes["mastodon"].requests_to("/api/v1/statuses/", "GET")
            if not r.path.endswith("/context")]


def announced(world, slug="reach", title="Reach & you"):
    world.article(slug, title=title, date=NEW)
    assert world.promote().code == 0
    return world.fakes["mastodon"].statuses[-1]["id"]


def test_each_fetch_adds_a_sample_and_the_table_shows_the_latest(world):
    status = announced(world)
    world.fakes["mastodon"].engage(status, likes=3, reposts=1, replies=2)
    start = time.time()
    first = world.stats(now=lambda: start)
    assert first.code == 0, first.output
    [request] = reads(world)
    assert request.path == f"/api/v1/statuses/{status}"
    assert request.header("Authorization") == f"Bearer {mastodon.TOKEN}"
    world.fakes["mastodon"].engage(status, likes=7, reposts=1, replies=2)
    second = world.stats(now=lambda: start + HOUR)
    assert second.code == 0, second.output
    samples = world.samples()
    assert [(s.likes, s.reposts, s.replies, s.quotes) for s in samples] == [(3, 1, 2, None),
                                                                            (7, 1, 2, None)]
    assert samples[1].fetched - samples[0].fetched == HOUR
    assert re.search(r"Reach & you\s+│\s+7/1/2/–\s+│\s+10", second.output), second.output
    assert "Mastodon: 1 posts read." in second.output
    assert mastodon.TOKEN not in first.output + second.output


def test_a_post_is_not_asked_again_until_it_is_due(world):
    announced(world)
    start = time.time()
    assert world.stats(now=lambda: start).code == 0
    assert world.stats(now=lambda: start + 10 * 60).code == 0  # ten minutes later: not due
    assert len(reads(world)) == 1
    assert world.stats(now=lambda: start + HOUR).code == 0
    assert len(reads(world)) == 2


def test_429_waits_for_the_reset_and_keeps_the_sample(world):
    announced(world)
    world.fakes["mastodon"].script(mastodon.rate_limited(reset_in=1), path="/api/v1/statuses/",
                                   method="GET")
    waits: list[float] = []
    run = world.stats(sleep=waits.append)
    assert run.code == 0, run.output
    assert len(reads(world)) == 2 and len(world.samples()) == 1
    assert len(waits) == 1 and 0 < waits[0] <= 2.1


def test_a_rate_limit_longer_than_the_wait_leaves_the_post_for_the_next_run(world):
    announced(world)
    world.fakes["mastodon"].script(Reply(429, {"error": "Too many requests"},
                                         {"Retry-After": "600"}), path="/api/v1/statuses/")
    run = world.stats(sleep=lambda s: pytest.fail("waited past PROMOTE_MAX_WAIT"))
    assert run.code == 0, run.output
    assert "Mastodon: stopped: rate limited" in run.output and "1 due on the next run" in \
        run.output
    assert world.samples() == []


def test_a_deleted_post_is_recorded_as_gone_and_never_asked_again(world):
    status = announced(world)
    world.fakes["mastodon"].delete(status)
    later = time.time() + HOURS_LATER
    run = world.stats(now=lambda: later)
    assert run.code == 0 and "(1 deleted)" in run.output, run.output
    [sample] = world.samples()
    assert sample.gone
    assert world.stats(now=lambda: later + 30 * DAY).code == 0
    assert len(reads(world)) == 1
    assert "deleted" in world.stats(now=lambda: later + 31 * DAY).output


def test_a_missing_scope_is_named_once_and_stops_the_network(world):
    announced(world, "one")
    announced(world, "two", title="Two")
    world.fakes["mastodon"].scopes.discard("read:statuses")
    run = world.stats()
    assert run.code == 1
    assert run.output.count("read:statuses") == 1, run.output
    assert "This action is outside the authorized scopes" in run.output
    assert len(reads(world)) == 1 and world.samples() == []


def test_dry_run_says_what_it_would_fetch_and_sends_nothing(world):
    announced(world)
    run = world.stats(dry_run=True)
    assert run.code == 0, run.output
    assert "Mastodon: 1 posts due, 1 requests." in run.output
    assert "Reach & you: " + world.fakes["mastodon"].statuses[0]["url"] + " (never read)" in \
        " ".join(run.output.split())
    assert reads(world) == [] and world.samples() == []


def test_json_and_filters(world):
    status = announced(world)
    announced(world, "other", title="Other")
    world.fakes["mastodon"].engage(status, likes=4)
    assert world.stats().code == 0
    out = io.StringIO()
    assert world.stats(json_out=out, article="reach").code == 0
    [entry] = json.loads(out.getvalue())
    assert entry["title"] == "Reach & you" and entry["total"] == 4
    assert entry["networks"]["mastodon"]["likes"] == 4
    assert entry["networks"]["mastodon"]["quotes"] is None
    out = io.StringIO()
    assert world.stats(json_out=out, since="2099-01-01").code == 0
    assert json.loads(out.getvalue()) == []
    assert "write it as YYYY-MM-DD" in world.stats(since="June").output


def test_networks_without_counts_say_so_and_are_not_asked(make_world):
    world = make_world("telegram", "discord")
    world.article("quiet", date=NEW)
    assert world.promote().code == 0
    before = {name: len(fake.requests) for name, fake in world.fakes.items()}
    run = world.stats()
    assert run.code == 0, run.output
    text = " ".join(run.output.split())
    assert "Telegram: no counts (the Bot API cannot read a channel's messages" in text
    assert "Discord: no counts (a webhook cannot read the channel" in text
    assert {name: len(fake.requests) for name, fake in world.fakes.items()} == before


def test_the_report_is_one_self_contained_file(world):
    status = announced(world, title='<script>alert("x")</script> $5 tips')
    world.fakes["mastodon"].engage(status, likes=2, replies=1)
    assert world.stats(report=True).code == 0
    page = (world.root / ".promote" / "stats.html").read_text(encoding="utf-8")
    tree = lxml_html.fromstring(page)
    assert not tree.xpath("//script | //link | //img | //iframe | //object")
    loaded = tree.xpath("//@src | //@href | //@*[local-name()='href']")
    assert all(not str(v).startswith(("http:", "https:", "//")) for v in loaded), loaded
    assert "url(http" not in page and "@import" not in page
    assert len(tree.xpath("//*[local-name()='svg']")) == 3
    assert '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; $5 tips' in page
    assert not (world.root / "output").exists()


def row(network: str, posted: float, url: str = "https://blog.test/a/") -> Row:
    return Row(url, network, "acct", "posted", "A", "2024-06-01", post_id="p1",
               post_url="https://net.test/p1", updated=posted)


def test_cadence_young_posts_often_old_posts_rarely():
    assert [interval(age) for age in (0, DAY, 3 * DAY, 40 * DAY)] == [HOUR, HOUR, DAY, WEEK]
    now = 1_000 * DAY
    fresh, month, old = row("a", now - HOUR), row("b", now - 10 * DAY), row("c", now - 90 * DAY)

    def sampled(r: Row, ago: float, gone: bool = False) -> Sample:
        return Sample(r.url, r.network, r.account, "p1", now - ago, gone=gone)

    due = lambda *samples: [d.row.network for d in due_posts(  # noqa: E731
        [fresh, month, old], latest_samples(samples), now)]
    assert due() == ["c", "b", "a"]  # never read: all due, oldest post first
    assert due(sampled(fresh, HOUR), sampled(month, 2 * HOUR), sampled(old, DAY)) == ["a"]
    assert due(sampled(fresh, 56 * 60), sampled(month, DAY), sampled(old, 6 * DAY)) == \
        ["b", "a"]  # a run a few minutes early still counts
    assert due(sampled(fresh, 2 * HOUR, gone=True), sampled(month, 0), sampled(old, WEEK)) == \
        ["c"]


def test_report_escapes_and_draws_without_samples():
    page = render_report([], [], __import__("datetime").datetime(2026, 1, 1))
    assert page.count("No samples yet.") == 3


def test_a_follow_up_counts_toward_its_article_not_as_an_article_of_its_own():
    announced = row("mastodon", 0.0)
    follow_up = Row(slot_key(announced.url, "followup-1"), "mastodon", "acct", "posted", "A",
                    "2024-06-01", post_id="p2", post_url="https://net.test/p2", updated=5.0)
    samples = [Sample(announced.url, "mastodon", "acct", "p1", 10.0, likes=3, reposts=1),
               Sample(follow_up.url, "mastodon", "acct", "p2", 10.0, likes=2, gone=True)]
    [article] = summarize([announced, follow_up], latest_samples(samples))
    assert article.url == "https://blog.test/a/"
    numbers = article.networks["mastodon"]
    assert (numbers.likes, numbers.reposts, article.total) == (5, 1, 6)
    assert numbers.post_url == "https://net.test/p1" and not numbers.gone


def test_an_answer_the_adapter_cannot_read_fails_its_batch_not_the_run(world):
    announced(world)
    world.fakes["mastodon"].script(Reply(200, []), path="/api/v1/statuses/")  # not a status
    run = world.stats()
    assert run.code == 1, run.output
    assert "AttributeError" in run.output and "Traceback" not in run.output
    assert world.samples() == []
    assert world.stats(now=lambda: time.time() + HOUR).code == 0  # asked again next time
    assert len(world.samples()) == 1


def test_replies_to_an_evergreen_re_share_are_kept_for_its_article():
    evergreen = Row(slot_key("https://blog.test/", "evergreen-2026-12-02"), "mastodon", "acct",
                    "posted", post_id="p9", updated=0.0,
                    progress={"evergreen": {"article": "https://blog.test/old/"}})
    reply = PublicReply("r1", "https://net.test/r1", "Ana", "@ana", "https://net.test/@ana",
                        "2026-12-02T10:00:00Z", "<p>Still true.</p>")

    class Adapter:
        name, read_batch = "mastodon", 1

        def read_back(self, post_ids):
            return {"p9": Engagement(Counts(replies=1), (reply,))}

    result = fetch(Adapter(), [Due(evergreen, None, 0.0)], lambda: 10 * HOUR,
                   Pace(0, 0, 0, lambda s: None))
    [thread] = result.threads
    assert thread.article == "https://blog.test/old/" and thread.replies == (reply,)
