"""The ledger's rules (ledger_policy), once for both stores: each row the policy is given, and the
row it makes of it (None: refused, nothing written)."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from self_promoting_blog.promote.ledger_policy import (
    baseline,
    checkpointed,
    claimed,
    finished,
    noted,
)
from self_promoting_blog.promote.rows import CLAIMABLE, ArticleRef, Claim, Owner, Row, Spaced

NOW = 10_000.0
REF = ArticleRef("https://blog.example/articles/a/", "A (new title)", "2024-05-01", "id-a")
# Another machine's run: whether it is gone depends on its lease alone, never on this host.
ELSEWHERE = Owner("ci-run", host="ci-runner-7", pid=4242)
ME = Owner("this-run", host="ci-runner-8", pid=1)
OLD = Row(REF.url, "mastodon", "acct", "failed", "A", "2024-05-01", "id-a", idem_key="key-0",
          progress={"media": "m1"}, post_id="p0", post_url="https://m.test/p0", detail="HTTP 500",
          owner=None, updated=NOW - 3600, attempts=2)


def row(**changes: object) -> Row:
    return replace(OLD, **changes)


def sending_for(owner: Owner, age: float) -> Row:
    return row(state="sending", owner=owner.tag(), updated=NOW - age, detail=None)


CLAIMED = Row(REF.url, "mastodon", "acct", "sending", REF.title, REF.date, REF.article_id,
              idem_key="key-0", progress={"media": "m1"}, post_id="p0",
              post_url="https://m.test/p0", detail=None, owner=ME.tag(), updated=NOW, attempts=3)

CLAIMS = [  # (case, the row now, allow, stale_after, the claimed row or None, resumed)
    ("no row yet: a new key, first attempt", None, CLAIMABLE, 900,
     replace(CLAIMED, idem_key="key-new", progress={}, post_id=None, post_url=None, attempts=1),
     False),
    ("failed: key, checkpoints and post link kept for life", OLD, CLAIMABLE, 900, CLAIMED, False),
    ("pending", row(state="pending"), CLAIMABLE, 900, CLAIMED, False),
    ("skipped", row(state="skipped"), CLAIMABLE, 900, CLAIMED, False),
    ("a row without a key takes the new one", row(idem_key=None), CLAIMABLE, 900,
     replace(CLAIMED, idem_key="key-new"), False),
    ("posted is never claimed", row(state="posted"), CLAIMABLE | {"baseline", "unknown"}, 900,
     None, False),
    ("moved is never claimed", row(state="moved"), CLAIMABLE | {"baseline", "unknown"}, 900,
     None, False),
    ("baseline needs --backfill", row(state="baseline"), CLAIMABLE, 900, None, False),
    ("baseline with --backfill", row(state="baseline"), CLAIMABLE | {"baseline"}, 900, CLAIMED,
     False),
    ("unknown needs --retry-unknown", row(state="unknown"), CLAIMABLE, 900, None, False),
    ("unknown with --retry-unknown", row(state="unknown"), frozenset({"unknown"}), 900, CLAIMED,
     False),
    ("sending for a live lease is not taken", sending_for(ELSEWHERE, 60), CLAIMABLE, 900, None,
     False),
    ("sending for a stale lease is resumed", sending_for(ELSEWHERE, 901), CLAIMABLE, 900, CLAIMED,
     True),
    ("sending with no owner is resumed", row(state="sending", owner=None), frozenset(), 900,
     CLAIMED, True),
]


@pytest.mark.parametrize(("old", "allow", "stale_after", "expected", "resumed"),
                         [case[1:] for case in CLAIMS], ids=[case[0] for case in CLAIMS])
def test_claimed(old, allow, stale_after, expected, resumed):
    before = copy.deepcopy(old)
    claim = claimed(old, REF, "mastodon", "acct", "key-new", ME, NOW, allow=allow,
                    stale_after=stale_after)
    assert old == before  # the policy never changes the row it is given
    if expected is None:
        assert claim is None
    else:
        assert claim is not None and (claim.row, claim.resumed) == (expected, resumed)
        if old is not None:
            assert claim.row.progress is not old.progress  # a change can never leak back


SAVED, PLAN = {"text": "As an earlier try sent it"}, {"text": "As the article says now"}
PLANS = [  # (case, the row now, whether an earlier try may have sent it: its text stays)
    ("failed: nothing went out, the new text goes", row(progress=SAVED), False),
    ("pending (deferred)", row(state="pending", progress=SAVED), False),
    ("pending after an unanswered try", row(state="pending", progress={**SAVED, "unsure": True}),
     True),
    ("a network's checkpoint says a request left", row(progress={**SAVED, "rkey": "3abc"}), True),
    ("unknown, retried", row(state="unknown", progress=SAVED), True),
    ("its run crashed mid-send", replace(sending_for(ELSEWHERE, 901), progress=SAVED), True),
    ("saved before this change: no text yet", replace(sending_for(ELSEWHERE, 901), progress={}),
     True),
]


@pytest.mark.parametrize(("old", "unsure"), [case[1:] for case in PLANS],
                         ids=[case[0] for case in PLANS])
def test_a_claim_saves_its_plan_unless_an_earlier_try_may_have_sent_another(old, unsure):
    claim = claimed(old, REF, "mastodon", "acct", "k", ME, NOW, allow=CLAIMABLE | {"unknown"},
                    stale_after=900, plan=PLAN)
    assert isinstance(claim, Claim) and claim.unsure == unsure
    expected = SAVED if unsure and old.progress else PLAN
    assert claim.row.progress == {**old.progress, **expected}


def test_a_claim_within_the_gap_of_the_accounts_last_post_is_spaced():
    def claim(old: Row | None, last: float | None) -> object:
        return claimed(old, REF, "mastodon", "acct", "k", ME, NOW, allow=CLAIMABLE,
                       stale_after=900, last_post=last, gap=1800)

    assert claim(None, NOW - 60) == Spaced(NOW - 60, NOW + 1740)
    assert isinstance(claim(None, NOW - 1800), Claim) and isinstance(claim(None, None), Claim)
    assert claim(row(state="posted"), NOW - 60) is None  # not claimable: said first


CHECKPOINTS = [  # (case, the row now, name, value, the row after)
    ("adds a value", OLD, "rkey", "3abc",
     row(progress={"media": "m1", "rkey": "3abc"}, updated=NOW)),
    ("replaces a value", OLD, "media", ["m1", "m2"], row(progress={"media": ["m1", "m2"]},
                                                          updated=NOW)),
    ("no row: nothing to write", None, "rkey", "3abc", None),
]


@pytest.mark.parametrize(("old", "name", "value", "expected"), [c[1:] for c in CHECKPOINTS],
                         ids=[c[0] for c in CHECKPOINTS])
def test_checkpointed(old, name, value, expected):
    before = copy.deepcopy(old)
    assert checkpointed(old, name, value, NOW) == expected
    assert old == before


SENDING = sending_for(ME, 5)
FINISHES = [  # (case, the row now, state, detail, post_id, post_url, the row after)
    ("posted: the post is recorded, the owner released", SENDING, "posted", None, "p1",
     "https://m.test/p1", row(state="posted", detail=None, post_id="p1",
                              post_url="https://m.test/p1", updated=NOW)),
    ("posted without a link keeps the one it had", SENDING, "posted", None, None, None,
     row(state="posted", detail=None, updated=NOW)),
    ("an empty answer never erases a known post", SENDING, "posted", None, "", "",
     row(state="posted", detail=None, updated=NOW)),
    ("failed with the network's words", SENDING, "failed", "HTTP 400: too long", None, None,
     row(state="failed", detail="HTTP 400: too long", updated=NOW)),
    ("unknown", SENDING, "unknown", "no answer", None, None,
     row(state="unknown", detail="no answer", updated=NOW)),
    ("released to pending", SENDING, "pending", None, None, None,
     row(state="pending", detail=None, updated=NOW)),
    ("no row: nothing to write", None, "posted", None, "p1", None, None),
]


@pytest.mark.parametrize(("old", "state", "detail", "post_id", "post_url", "expected"),
                         [c[1:] for c in FINISHES], ids=[c[0] for c in FINISHES])
def test_finished(old, state, detail, post_id, post_url, expected):
    before = copy.deepcopy(old)
    assert finished(old, state, detail=detail, post_id=post_id, post_url=post_url,
                    now=NOW) == expected
    assert old == before


@pytest.mark.parametrize("state", ["sending", "deleted", ""])
@pytest.mark.parametrize("old", [SENDING, None], ids=["a row", "no row"])
def test_finished_refuses_a_state_that_is_not_final(old, state):
    with pytest.raises(ValueError, match=f"not a final state: {state}"):
        finished(old, state, detail=None, post_id=None, post_url=None, now=NOW)


NOTES = [  # (case, the row now, state, post_url, only_from, the row after)
    ("no row: a new one from the article", None, "skipped", None, CLAIMABLE,
     Row(REF.url, "mastodon", "acct", "skipped", REF.title, REF.date, REF.article_id,
         detail="why", updated=NOW)),
    ("an allowed row changes state, keeps its key and link", OLD, "skipped", None, CLAIMABLE,
     row(state="skipped", detail="why", updated=NOW)),
    ("posted by hand: the link is recorded", OLD, "posted", "https://m.test/hand", CLAIMABLE,
     row(state="posted", detail="why", post_url="https://m.test/hand", updated=NOW)),
    ("a sending row's owner is released", sending_for(ELSEWHERE, 5), "moved", None,
     frozenset({"sending"}), row(state="moved", detail="why", owner=None, updated=NOW)),
    ("a row in another state stays as it is", row(state="posted"), "skipped", None, CLAIMABLE,
     None),
    ("baseline is not overwritten unless allowed", row(state="baseline"), "skipped", None,
     CLAIMABLE, None),
]


@pytest.mark.parametrize(("old", "state", "post_url", "only_from", "expected"),
                         [c[1:] for c in NOTES], ids=[c[0] for c in NOTES])
def test_noted(old, state, post_url, only_from, expected):
    before = copy.deepcopy(old)
    assert noted(old, REF, "mastodon", "acct", state, "why", post_url=post_url,
                 only_from=only_from, now=NOW) == expected
    assert old == before


def test_baseline_adds_each_article_once_and_only_where_no_row_is():
    second = ArticleRef("https://blog.example/articles/b/", "B", "2024-05-02")
    rows = baseline([REF, second, REF], {second.url}, "bluesky", "acct", NOW)
    assert rows == [Row(REF.url, "bluesky", "acct", "baseline", REF.title, REF.date,
                        REF.article_id, detail="published before promotion was set up",
                        updated=NOW)]
    assert baseline([], set(), "bluesky", "acct", NOW) == []
