"""The SQLite ledger: committed states, conditional claims, crash detection, never deployed."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from self_promoting_blog.promote.errors import LedgerError, SettingsError
from self_promoting_blog.promote.ledger import ACTIVE_RUNS, ArticleRef, Ledger, Owner
from self_promoting_blog.promote.settings import load_settings

REF = ArticleRef("https://blog.example/articles/a/", "A", "2024-05-01T09:00:00+02:00", "id-a")


@pytest.fixture
def ledger(tmp_path):
    opened = Ledger(tmp_path / ".promote" / "ledger.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def run():
    owner = Owner(run_id="run-test")
    ACTIVE_RUNS.add(owner.run_id)
    yield owner
    ACTIVE_RUNS.discard(owner.run_id)


def other_reader(path):
    """What another process would read right now."""
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT state, idem_key, progress FROM posts").fetchall()
    finally:
        db.close()


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_sending_is_committed_before_claim_returns(ledger, run):
    claim = ledger.claim(REF, "mastodon", "acct", "key-1", run)
    assert claim is not None and not claim.resumed
    assert other_reader(ledger.path) == [("sending", "key-1", "{}")]
    ledger.checkpoint(REF.url, "mastodon", "acct", "rkeys", ["3abc"])
    assert other_reader(ledger.path) == [("sending", "key-1", '{"rkeys": ["3abc"]}')]


def test_only_one_of_many_racing_claims_wins(ledger):
    owners = [Owner(run_id=f"racer-{i}") for i in range(8)]
    ACTIVE_RUNS.update(o.run_id for o in owners)
    won: list[object] = []
    start = threading.Barrier(len(owners))

    def race(owner):
        start.wait()
        if ledger.claim(REF, "bluesky", "acct", f"key-{owner.run_id}", owner):
            won.append(owner)

    threads = [threading.Thread(target=race, args=(o,)) for o in owners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ACTIVE_RUNS.difference_update(o.run_id for o in owners)
    assert len(won) == 1


def test_a_live_owners_row_is_not_taken_but_a_dead_ones_is_resumed(ledger, run):
    ledger.claim(REF, "telegram", "acct", "key-1", run)
    ledger.checkpoint(REF.url, "telegram", "acct", "n", 1)
    assert ledger.claim(REF, "telegram", "acct", "key-2", Owner(run_id="second")) is None
    db = sqlite3.connect(ledger.path)
    db.execute("UPDATE posts SET owner=?", (f"{Owner('x').host}|{dead_pid()}|crashed",))
    db.commit()
    db.close()
    claim = ledger.claim(REF, "telegram", "acct", "key-2", Owner(run_id="second"))
    assert claim is not None and claim.resumed
    assert claim.row.idem_key == "key-1" and claim.row.progress == {"n": 1}
    assert claim.row.attempts == 2


def test_another_machines_row_waits_for_its_lease(ledger):
    ledger.claim(REF, "discord", "acct", "key-1", Owner(run_id="ci", host="ci-runner-7", pid=1))
    assert ledger.claim(REF, "discord", "acct", "k", Owner(run_id="me"), stale_after=60) is None
    time.sleep(0.05)
    claim = ledger.claim(REF, "discord", "acct", "k", Owner(run_id="me"), stale_after=0.01)
    assert claim is not None and claim.resumed


def test_baseline_and_unknown_rows_need_their_switches(ledger, run):
    assert ledger.start_account("mastodon", "acct", [REF]) == 1
    assert ledger.start_account("mastodon", "acct", [REF]) == 0   # once per account
    assert not ledger.is_first_run("mastodon", "acct") and ledger.is_first_run("bluesky", "acct")
    assert ledger.claim(REF, "mastodon", "acct", "k", run) is None
    claim = ledger.claim(REF, "mastodon", "acct", "k", run,
                         allow=frozenset({"baseline", "pending", "skipped", "failed"}))
    assert claim is not None
    ledger.finish(REF.url, "mastodon", "acct", "unknown", detail="no answer")
    assert ledger.claim(REF, "mastodon", "acct", "k", run) is None
    assert ledger.claim(REF, "mastodon", "acct", "k", run, allow=frozenset({"unknown"}))


def test_posted_rows_keep_their_post_and_are_never_claimed_again(ledger, run):
    ledger.claim(REF, "bluesky", "acct", "k", run)
    ledger.finish(REF.url, "bluesky", "acct", "posted", post_id="at://x", post_url="https://p/1")
    row = ledger.get(REF.url, "bluesky", "acct")
    assert (row.state, row.post_url, row.owner) == ("posted", "https://p/1", None)
    assert ledger.claim(REF, "bluesky", "acct", "k", run,
                        allow=frozenset({"baseline", "unknown", "failed"})) is None
    assert not ledger.note(REF, "bluesky", "acct", "skipped", "not live")


def test_read_only_ledger_that_does_not_exist_is_empty_and_stays_absent(tmp_path):
    path = tmp_path / "none" / "ledger.sqlite3"
    reader = Ledger(path, read_only=True)
    assert reader.rows() == [] and reader.is_first_run("mastodon", "a")
    assert reader.get(REF.url, "mastodon", "a") is None and not path.exists()


def test_an_unusable_path_is_a_clear_error(tmp_path):
    (tmp_path / "ledger.sqlite3").mkdir()
    with pytest.raises(LedgerError, match="PROMOTE_LEDGER_PATH"):
        Ledger(tmp_path / "ledger.sqlite3")


@pytest.mark.parametrize("name, value", [("PROMOTE_LEDGER_PATH", "output/ledger.sqlite3"),
                                         ("PROMOTE_MANIFEST_PATH", "content/manifest.json")])
def test_ledger_and_manifest_may_not_live_where_they_would_be_published(tmp_path, name, value):
    settings = {"OUTPUT_PATH": str(tmp_path / "output"), "PATH": str(tmp_path / "content"),
                name: str(tmp_path / value)}
    with pytest.raises(SettingsError, match=name):
        load_settings(settings)
