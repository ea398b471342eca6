"""Both sample stores, the SQLite ledger file and the bucket (SeaweedFS on 127.0.0.1), against one
contract: samples are only ever added, another handle reads them back, a repeat is kept once, and
runs adding at the same time lose none; ``latest()`` answers what the whole series says, after
overlapping runs, a run that crashed between the month and the latest object, and in a store
from before it. And both responses stores: a fetch replaces the replies of the posts it asked
about (not an older answer), and runs writing at once lose none."""

from __future__ import annotations

import random
import sqlite3
import threading
from collections.abc import Callable, Iterator

import pytest

from self_promoting_blog.promote.adapters.base import PublicReply
from self_promoting_blog.promote.ledger_bucket import ledger_key
from self_promoting_blog.promote.responses import ResponseStore, Thread
from self_promoting_blog.promote.responses_bucket import open_bucket_responses
from self_promoting_blog.promote.responses_sqlite import SqliteResponses
from self_promoting_blog.promote.samples import Sample, SampleStore, latest_samples
from self_promoting_blog.promote.samples_bucket import BucketSamples, open_bucket_samples
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


def test_latest_is_each_posts_newest_sample_as_the_whole_series_says(open_store):
    shuffled = random.Random(7)
    series = [sample(post, fetched, likes=n) for n, (post, fetched) in enumerate(
        (post, JUNE + step * 86400 * 9) for post in range(12) for step in range(8))]
    shuffled.shuffle(series)  # older samples arrive after newer ones, months interleave
    writer = open_store()
    for start in range(0, len(series), 10):
        writer.add(series[start:start + 10])
    writer.add(series[:5])  # a repeat changes nothing
    reader = open_store()
    latest = reader.latest()
    assert latest == latest_samples(reader.samples())
    assert sorted((s.post_id, s.fetched) for s in latest.values()) == [
        (str(post), JUNE + 7 * 86400 * 9) for post in sorted(range(12), key=str)]


def test_runs_adding_at_once_lose_no_sample(open_store):
    handles = [open_store() for _ in range(4)]
    start = threading.Barrier(len(handles))

    def add(index: int) -> None:
        start.wait()
        handles[index].add([sample(n, JUNE + index * 3600 + n, likes=index) for n in range(5)])

    threads = [threading.Thread(target=add, args=(i,)) for i in range(len(handles))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reader = open_store()
    assert len(reader.samples()) == 20
    latest = reader.latest()
    assert latest == latest_samples(reader.samples())
    assert sorted(s.likes for s in latest.values()) == [3] * 5


def test_a_conditional_write_refused_adds_again_on_the_fresh_object(s3_env, monkeypatch):
    settings = {"DEPLOY_TARGET": f"s3://{s3_env.new_bucket()}/blog",
                "S3_ENDPOINT_URL": s3_env.endpoint_url, "SITEURL": "https://blog.test"}
    mine, theirs = open_bucket_samples(settings), open_bucket_samples(settings)
    mine.add([sample(1)])
    read = mine.read_document
    interleaved = []

    def read_then_let_them_write(key, fmt):  # another run writes between our read and our write
        found = read(key, fmt)
        if not interleaved:
            interleaved.append(key)
            theirs.add([sample(2)])
        return found

    monkeypatch.setattr(mine, "read_document", read_then_let_them_write)
    mine.add([sample(3)])
    assert mine.conflicts == 1
    assert sorted(s.post_id for s in theirs.samples()) == ["1", "2", "3"]
    keys = s3_env.objects(settings["DEPLOY_TARGET"].split("/")[2])
    assert "promote/stats/2026-05.json.gz" in keys and ledger_key(settings) not in keys


def bucket_settings(s3_env) -> dict[str, str]:
    return {"DEPLOY_TARGET": f"s3://{s3_env.new_bucket()}/blog",
            "S3_ENDPOINT_URL": s3_env.endpoint_url, "SITEURL": "https://blog.test"}


def months_read(store: BucketSamples, monkeypatch) -> list[str]:
    """The month objects `store` reads from now on."""
    read, keys = store.read, []

    def reading(key):
        keys.append(key.rsplit("/", 1)[-1])
        return read(key)

    monkeypatch.setattr(store, "read", reading)
    return keys


def test_the_latest_object_reads_no_month_it_covers_even_after_overlapping_runs(s3_env,
                                                                               monkeypatch):
    settings = bucket_settings(s3_env)
    handles = [open_bucket_samples(settings) for _ in range(3)]
    start = threading.Barrier(len(handles))

    def add(index: int) -> None:
        start.wait()
        handles[index].add([sample(n, JUNE + index * 60 + n) for n in range(4)] +
                           [sample(n, JULY + index * 60) for n in range(2)])

    threads = [threading.Thread(target=add, args=(i,)) for i in range(len(handles))]
    for each in threads:
        each.start()
    for each in threads:
        each.join()
    reader = open_bucket_samples(settings, read_only=True)
    reads = months_read(reader, monkeypatch)
    latest = reader.latest()
    assert reads == []  # one GET of the latest object, one listing
    assert latest == latest_samples(reader.samples())
    assert sorted(s.fetched for s in latest.values()) == [JUNE + 122, JUNE + 123] + [JULY + 120] * 2


def test_a_run_that_crashed_before_the_latest_object_loses_no_sample(s3_env, monkeypatch):
    settings = bucket_settings(s3_env)
    crashed = open_bucket_samples(settings)
    crashed.add([sample(1, JUNE), sample(2, JUNE)])
    update = crashed.update_document

    def crash_at_the_latest_object(key, fmt, change):
        if key == crashed.latest_key:
            raise KeyboardInterrupt("killed")
        return update(key, fmt, change)

    monkeypatch.setattr(crashed, "update_document", crash_at_the_latest_object)
    with pytest.raises(KeyboardInterrupt):
        crashed.add([sample(1, JUNE + 3600, likes=9)])  # in June's object, not in the latest
    reader = open_bucket_samples(settings, read_only=True)
    reads = months_read(reader, monkeypatch)
    assert reader.latest()[sample(1).post()].likes == 9
    assert reads == ["2026-05.json.gz"]  # its ETag is not the one the latest object covers
    open_bucket_samples(settings).add([sample(3, JUNE + 60)])  # merges all June now holds
    reads.clear()
    latest = reader.latest()
    assert reads == [] and latest == latest_samples(reader.samples())
    assert latest[sample(1).post()].likes == 9


def test_a_bucket_from_before_the_latest_object_reads_every_month_until_the_next_run(
        s3_env, monkeypatch):
    settings = bucket_settings(s3_env)
    old = open_bucket_samples(settings)
    old.add([sample(1, JUNE), sample(1, JULY, likes=4), sample(2, JUNE, likes=1)])
    old.client.delete_object(Bucket=old.bucket, Key=old.latest_key)  # as an older blog left it
    reader = open_bucket_samples(settings, read_only=True)
    reads = months_read(reader, monkeypatch)
    assert reader.latest() == latest_samples(reader.samples())
    assert sorted(reads) == ["2026-05.json.gz", "2026-05.json.gz", "2026-07.json.gz",
                             "2026-07.json.gz"]  # latest() and samples() each read both
    open_bucket_samples(settings).add([sample(2, JULY + 60, likes=2)])  # builds it
    reads.clear()
    latest = reader.latest()
    assert reads == []
    assert {s.post_id: s.likes for s in latest.values()} == {"1": 4, "2": 2}


def test_a_ledger_file_from_before_the_latest_table_answers_and_gets_it(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    with sqlite3.connect(path) as db:  # the samples table as an older blog made it
        db.execute("CREATE TABLE samples (url TEXT NOT NULL, network TEXT NOT NULL, account TEXT "
                   "NOT NULL, post_id TEXT NOT NULL, fetched REAL NOT NULL, likes INTEGER, "
                   "reposts INTEGER, replies INTEGER, quotes INTEGER, gone INTEGER NOT NULL "
                   "DEFAULT 0, PRIMARY KEY (url, network, account, fetched))")
        db.executemany("INSERT INTO samples (url, network, account, post_id, fetched, likes) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       [(s.url, s.network, s.account, s.post_id, s.fetched, s.likes) for s in
                        (sample(1, JUNE, likes=1), sample(1, JULY, likes=4), sample(2, JUNE))])
    db.close()
    build = SqliteSamples(path, read_only=True)  # a build: cannot add the table
    assert {s.post_id: s.likes for s in build.latest().values()} == {"1": 4, "2": None}
    stats = SqliteSamples(path)  # the next `invoke stats` adds it, filled
    stats.add([sample(2, JULY, likes=7), sample(1, JUNE + 60, likes=0)])
    with sqlite3.connect(path) as db:
        kept = dict(db.execute("SELECT post_id, likes FROM samples_latest").fetchall())
    db.close()
    assert kept == {"1": 4, "2": 7}
    assert build.latest() == latest_samples(build.samples())
    build.close()
    stats.close()


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
