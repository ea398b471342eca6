"""Both sample stores, the SQLite ledger file and the bucket (SeaweedFS on 127.0.0.1), against one
contract: samples are only ever added, another handle reads them back, a repeat is kept once, and
runs adding at the same time lose none. And both responses stores: a fetch replaces the replies
of the posts it asked about (not an older answer), and runs writing at once lose none."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from self_promoting_blog.promote.adapters.base import PublicReply
from self_promoting_blog.promote.ledger_bucket import ledger_key
from self_promoting_blog.promote.responses import ResponseStore, Thread
from self_promoting_blog.promote.responses_bucket import open_bucket_responses
from self_promoting_blog.promote.responses_sqlite import SqliteResponses
from self_promoting_blog.promote.samples import Sample, SampleStore
from self_promoting_blog.promote.samples_bucket import open_bucket_samples
from self_promoting_blog.promote.samples_sqlite import SqliteSamples

JUNE = 1_780_000_000.0  # 2026-05-28, UTC
JULY = JUNE + 40 * 86400


def sample(n: int, fetched: float = JUNE, **counts: int) -> Sample:
    return Sample(f"https://blog.test/{n}/", "mastodon", "acct", str(n), fetched, **counts)


@pytest.fixture(params=["sqlite", "bucket"])
def open_store(request, tmp_path) -> Iterator[Callable[[], SampleStore]]:
    """Opens a new handle on one store, as another process or machine would."""
    opened: list[SampleStore] = []
    if request.param == "sqlite":
        def new_handle() -> SampleStore:
            return SqliteSamples(tmp_path / "ledger.sqlite3")
    else:
        s3_server = request.getfixturevalue("s3_env")
        settings = {"DEPLOY_TARGET": f"s3://{s3_server.new_bucket()}/blog",
                    "S3_ENDPOINT_URL": s3_server.endpoint_url, "SITEURL": "https://blog.test"}

        def new_handle() -> SampleStore:
            return open_bucket_samples(settings)

    def opener() -> SampleStore:
        opened.append(new_handle())
        return opened[-1]

    yield opener
    for handle in opened:
        handle.close()


def test_samples_are_added_and_read_back_by_another_handle(open_store):
    first = open_store()
    first.add([sample(1, likes=2), sample(2, JULY, replies=1)])
    first.add([sample(1, JUNE + 3600, likes=5)])
    first.add([sample(1, likes=2)])  # a repeat (a retried write): kept once
    found = open_store().samples()
    assert [(s.post_id, s.fetched, s.likes, s.replies) for s in found] == [
        ("1", JUNE, 2, None), ("1", JUNE + 3600, 5, None), ("2", JULY, None, 1)]


def test_runs_adding_at_once_lose_no_sample(open_store):
    handles = [open_store() for _ in range(4)]
    start = threading.Barrier(len(handles))

    def add(index: int) -> None:
        start.wait()
        handles[index].add([sample(index * 10 + n, JUNE + n) for n in range(5)])

    threads = [threading.Thread(target=add, args=(i,)) for i in range(len(handles))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(open_store().samples()) == 20


def test_a_conditional_write_refused_adds_again_on_the_fresh_object(s3_env, monkeypatch):
    settings = {"DEPLOY_TARGET": f"s3://{s3_env.new_bucket()}/blog",
                "S3_ENDPOINT_URL": s3_env.endpoint_url, "SITEURL": "https://blog.test"}
    mine, theirs = open_bucket_samples(settings), open_bucket_samples(settings)
    mine.add([sample(1)])
    read = mine.read
    interleaved = []

    def read_then_let_them_write(key):  # another run writes between our read and our write
        found = read(key)
        if not interleaved:
            interleaved.append(key)
            theirs.add([sample(2)])
        return found

    monkeypatch.setattr(mine, "read", read_then_let_them_write)
    mine.add([sample(3)])
    assert mine.conflicts == 1
    assert sorted(s.post_id for s in theirs.samples()) == ["1", "2", "3"]
    keys = s3_env.objects(settings["DEPLOY_TARGET"].split("/")[2])
    assert "promote/stats/2026-05.json.gz" in keys and ledger_key(settings) not in keys


def thread(post: str, fetched: float, *texts: str, network: str = "mastodon") -> Thread:
    return Thread(f"https://blog.test/{post}/", network, "acct", post, fetched, tuple(
        PublicReply(f"{post}-{text}", f"https://net.test/{text}", "A", "@a@net.test",
                    "https://net.test/@a", "2026-05-28T10:00:00Z", f"<p>{text}</p>")
        for text in texts))


@pytest.fixture(params=["sqlite", "bucket"])
def open_responses_store(request, tmp_path) -> Iterator[Callable[[], ResponseStore]]:
    """Opens a new handle on one responses store, as another process or machine would."""
    opened: list[ResponseStore] = []
    if request.param == "sqlite":
        def new_handle() -> ResponseStore:
            return SqliteResponses(tmp_path / "ledger.sqlite3")
    else:
        s3_server = request.getfixturevalue("s3_env")
        settings = {"DEPLOY_TARGET": f"s3://{s3_server.new_bucket()}/blog",
                    "S3_ENDPOINT_URL": s3_server.endpoint_url, "SITEURL": "https://blog.test"}

        def new_handle() -> ResponseStore:
            return open_bucket_responses(settings)

    def opener() -> ResponseStore:
        opened.append(new_handle())
        return opened[-1]

    yield opener
    for handle in opened:
        handle.close()


def texts(store: ResponseStore) -> list[str]:
    return sorted(r.reply.content for r in store.responses())


def test_a_fetch_replaces_the_replies_of_the_posts_it_asked_about(open_responses_store):
    first = open_responses_store()
    first.replace([thread("1", JUNE, "a", "b"), thread("2", JUNE, "c"),
                   thread("3", JUNE, "d", network="bluesky")])
    first.replace([thread("1", JUNE + 3600, "b"), thread("2", JUNE + 3600)])
    assert texts(open_responses_store()) == ["<p>b</p>", "<p>d</p>"]
    first.replace([thread("1", JUNE + 60, "stale")])  # an older answer (a run that overlapped)
    assert texts(open_responses_store()) == ["<p>b</p>", "<p>d</p>"]


def test_runs_replacing_at_once_lose_no_post(open_responses_store):
    handles = [open_responses_store() for _ in range(4)]
    start = threading.Barrier(len(handles))

    def replace(index: int) -> None:
        start.wait()
        handles[index].replace([thread(str(index), JUNE, "x", "y")])

    threads = [threading.Thread(target=replace, args=(i,)) for i in range(len(handles))]
    for each in threads:
        each.start()
    for each in threads:
        each.join()
    assert len(open_responses_store().responses()) == 8
