"""Both ledger stores, SQLite and the bucket object (SeaweedFS on 127.0.0.1), against one
contract: every change is written whole before it returns, another handle (process, machine)
reads it back, a refused change writes nothing, and of racing claims exactly one wins."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from self_promoting_blog.promote.ledger import ACTIVE_RUNS, ArticleRef, Ledger, LedgerBackend, Owner
from self_promoting_blog.promote.ledger_bucket import open_bucket_ledger
from self_promoting_blog.promote.rows import Claim, Spaced

REF = ArticleRef("https://blog.example.test/articles/a/", "A", "2024-05-01", "id-a")
OLDER = ArticleRef("https://blog.example.test/articles/old/", "Old", "2023-01-01")
NET, ACCT = "mastodon", "acct"


@pytest.fixture(params=["sqlite", "bucket"])
def open_store(request, tmp_path) -> Iterator[Callable[[], LedgerBackend]]:
    """Opens a new handle on one ledger, as another process or machine would."""
    opened: list[LedgerBackend] = []
    if request.param == "sqlite":
        def new_handle() -> LedgerBackend:
            return Ledger(tmp_path / "ledger.sqlite3")
    else:
        s3_server = request.getfixturevalue("s3_env")
        settings = {"DEPLOY_TARGET": f"s3://{s3_server.new_bucket()}/blog",
                    "S3_ENDPOINT_URL": s3_server.endpoint_url, "SITEURL": "https://blog.test"}

        def new_handle() -> LedgerBackend:
            return open_bucket_ledger(settings)

    def opener() -> LedgerBackend:
        opened.append(new_handle())
        return opened[-1]

    yield opener
    for handle in opened:
        handle.close()


@pytest.fixture
def run() -> Iterator[Owner]:
    owner = Owner(run_id="store-test")
    ACTIVE_RUNS.add(owner.run_id)
    yield owner
    ACTIVE_RUNS.discard(owner.run_id)


def states(ledger: LedgerBackend) -> list[tuple[str, str, str | None, dict, int]]:
    return [(r.url.rsplit("/", 2)[1], r.state, r.idem_key, r.progress, r.attempts)
            for r in ledger.rows()]


def test_every_change_is_stored_whole_and_read_back_by_another_handle(open_store, run):
    ledger, other = open_store(), open_store()
    assert ledger.is_first_run(NET, ACCT)
    assert ledger.start_account(NET, ACCT, [OLDER, OLDER]) == 1
    assert ledger.start_account(NET, ACCT, [OLDER, REF]) == 0  # once per account
    assert not other.is_first_run(NET, ACCT) and other.is_first_run("bluesky", ACCT)
    assert states(other) == [("old", "baseline", None, {}, 0)]

    claim = ledger.claim(REF, NET, ACCT, "key-1", run)
    assert claim is not None and (claim.row.state, claim.resumed) == ("sending", False)
    assert other.get(REF.url, NET, ACCT) == claim.row
    ledger.checkpoint(REF.url, NET, ACCT, "media", ["m1"])
    assert states(other)[1] == ("a", "sending", "key-1", {"media": ["m1"]}, 1)

    # Refused: another run's claim, a note over a sending row, a non-final finish.
    assert other.claim(REF, NET, ACCT, "key-2", Owner(run_id="elsewhere")) is None
    assert not other.note(REF, NET, ACCT, "skipped", "not live")
    with pytest.raises(ValueError, match="not a final state"):
        ledger.finish(REF.url, NET, ACCT, "sending")
    assert states(other)[1] == ("a", "sending", "key-1", {"media": ["m1"]}, 1)

    ledger.finish(REF.url, NET, ACCT, "posted", post_id="p1", post_url="https://m.test/p1")
    posted = other.get(REF.url, NET, ACCT)
    assert (posted.state, posted.post_id, posted.post_url, posted.owner) == (
        "posted", "p1", "https://m.test/p1", None)
    assert other.claim(REF, NET, ACCT, "key-3", run, allow=frozenset({"baseline"})) is None
    assert other.note(OLDER, NET, ACCT, "moved", "moved to /a/", only_from=frozenset({"baseline"}))
    assert [(r.state, r.detail) for r in ledger.rows()] == [("moved", "moved to /a/"),
                                                             ("posted", None)]
    # Changes to rows that do not exist write nothing.
    ledger.checkpoint("https://blog.example.test/nowhere/", NET, ACCT, "n", 1)
    ledger.finish("https://blog.example.test/nowhere/", NET, ACCT, "failed")
    assert len(other.rows()) == 2 and other.get("https://blog.example.test/nowhere/", NET,
                                                ACCT) is None


def race(open_store: Callable[[], LedgerBackend], claim: Callable[..., object]
         ) -> tuple[list[Owner], list[object]]:
    """Six racers, each with its own handle (its own process), call `claim(handle, owner, n)`
    at once: the owners whose claim won, and what the others got."""
    owners = [Owner(run_id=f"racer-{i}") for i in range(6)]
    handles = {owner.run_id: open_store() for owner in owners}
    ACTIVE_RUNS.update(handles)
    won: list[Owner] = []
    lost: list[object] = []
    start = threading.Barrier(len(owners))

    def one(number: int, owner: Owner) -> None:
        start.wait()
        got = claim(handles[owner.run_id], owner, number)
        if isinstance(got, Claim):
            won.append(owner)
        else:
            lost.append(got)

    threads = [threading.Thread(target=one, args=item) for item in enumerate(owners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ACTIVE_RUNS.difference_update(handles)
    return won, lost


def test_only_one_of_many_racing_claims_wins(open_store):
    won, lost = race(open_store, lambda handle, owner, number: handle.claim(
        REF, NET, ACCT, f"key-{owner.run_id}", owner))
    assert len(won) == 1 and lost == [None] * 5
    row = open_store().get(REF.url, NET, ACCT)
    assert (row.state, row.idem_key, row.attempts) == ("sending", f"key-{won[0].run_id}", 1)
    assert row.owner.endswith(won[0].run_id)


def test_of_racing_claims_of_different_slots_within_the_gap_one_wins(open_store, run):
    slots = [ArticleRef(f"{REF.url}#promote-slot=followup-{n}", "A", REF.date) for n in range(6)]
    won, lost = race(open_store, lambda handle, owner, number: handle.claim(
        slots[number], NET, ACCT, f"key-{number}", owner, gap=1800))
    spaced = [got for got in lost if isinstance(got, Spaced)]
    assert len(won) == 1 and len(spaced) == 5, lost
    ledger = open_store()
    [posting] = [row for row in ledger.rows(NET) if row.state == "sending"]
    assert {(got.last, got.until) for got in spaced} == {(posting.updated,
                                                          posting.updated + 1800)}
    # The gap is one network account's; a claim without one (a thread's later part) is not
    # held; a post that failed does not count.
    assert isinstance(ledger.claim(REF, "bluesky", ACCT, "k", run, gap=1800), Claim)
    assert isinstance(ledger.claim(REF, NET, ACCT, "k", run, gap=1800), Spaced)
    ledger.finish(posting.url, NET, ACCT, "failed", detail="HTTP 400")
    assert isinstance(ledger.claim(REF, NET, ACCT, "k", run, gap=1800), Claim)
    assert isinstance(ledger.claim(ArticleRef(posting.url, "A", REF.date), NET, ACCT, "k", run),
                      Claim)
