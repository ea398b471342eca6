"""FakeServer: a real HTTP server on 127.0.0.1 that records requests and can misbehave on cue.

httpx's test-server pattern with the standard library: ``ThreadingHTTPServer(("127.0.0.1", 0))``
in a daemon thread. Subclasses implement ``handle(request) -> Reply`` strictly to one network's
contract. ``script(...)`` queues behaviours consumed by the next matching requests:

- ``Reply(status, body, headers)`` answer this instead (a 429 with Retry-After, a 500, ...)
- ``Delay(seconds)``                handle normally after a pause (slow reply / read timeout)
- ``Drop(process=False)``           close the socket with a reset and no answer (optionally
                                     after handling it, i.e. the post landed but no reply came)
- ``Hang()``                        hold the request until ``release(then=...)``: ``"answer"``
                                     handles it (the post lands), ``"drop"`` discards it unseen;
                                     ``hung`` is set when a request is being held (crash tests)
- ``Hang(handled=True)``            handle the request (the post lands), then hold its answer
                                     until ``release``: ``"answer"`` sends it, ``"drop"`` resets
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        """A header value, case-insensitively."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    @property
    def json(self) -> Any:
        """The body parsed as JSON (None when it is not JSON)."""
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    @property
    def form(self) -> dict[str, list[str]]:
        """The body parsed as application/x-www-form-urlencoded."""
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)


@dataclass
class Reply:
    """A response to send: status, JSON-able or raw body, headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        """The body as bytes (dicts and lists become JSON)."""
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


@dataclass
class Delay:
    """Handle the request normally after `seconds`."""

    seconds: float


@dataclass
class Drop:
    """Reset the connection without answering; with `process`, handle the request first."""

    process: bool = False


@dataclass
class Hang:
    """Hold the request (with `handled`, its answer) until the test calls `release`."""

    handled: bool = False


Action = Reply | Delay | Drop | Hang


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # the stdlib's signature
        """Stay quiet; tests read `FakeServer.requests`."""

    def _any(self) -> None:
        self.server.fake._serve(self)  # type: ignore[attr-defined]

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _any


class FakeServer:
    """Base fake: records requests, applies scripted behaviours, delegates to `handle`."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.handled = 0  # requests fully dealt with (answered, dropped or discarded)
        self.lock = threading.RLock()
        self.hung = threading.Event()
        self._release = threading.Event()
        self._release_mode = "answer"
        self._script: list[tuple[str | None, str | None, Action]] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        daemon=True)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Start serving in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release held requests, stop serving and close the socket."""
        self.release("drop")
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port>"""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # -- scripting ---------------------------------------------------------------------------

    def script(self, *actions: Action, path: str | None = None, method: str | None = None) -> None:
        """Queue behaviours for the next requests whose path contains `path` (any if None)
        and whose method is `method` (any if None)."""
        with self.lock:
            self._script.extend((path, method, action) for action in actions)

    def reset(self) -> None:
        """Forget the requests and queued behaviours, and hold again: for a server that outlives
        one test. Call it once nothing is held (``release``, then ``settled``)."""
        with self.lock:
            self.requests.clear()
            self._script.clear()
            self.handled = 0
        self.hung.clear()
        self._release.clear()
        self._release_mode = "answer"

    def release(self, then: str = "answer") -> None:
        """Let held requests go: "answer" handles them, "drop" discards them unanswered."""
        self._release_mode = then
        self._release.set()

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> bool:
        """Poll `predicate()` until true or `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.02)
        return False

    def requests_to(self, fragment: str, method: str | None = None) -> list[Recorded]:
        """Recorded requests whose path contains `fragment` (and with `method`, if given)."""
        with self.lock:
            return [r for r in self.requests
                    if fragment in r.path and (method is None or r.method == method)]

    # -- serving -----------------------------------------------------------------------------

    def handle(self, request: Recorded) -> Reply:
        """Answer one request; subclasses implement their network's contract."""
        return Reply(404, {"error": "not found"})

    def _next_action(self, method: str, path: str) -> Action | None:
        with self.lock:
            for index, (fragment, verb, action) in enumerate(self._script):
                if (fragment is None or fragment in path) and verb in (None, method):
                    del self._script[index]
                    return action
        return None

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        request = Recorded(handler.command, parts.path, query, dict(handler.headers.items()), body)
        with self.lock:
            self.requests.append(request)
        try:
            self._act(handler, request, self._next_action(handler.command, parts.path))
        finally:
            with self.lock:
                self.handled += 1

    def _act(self, handler: BaseHTTPRequestHandler, request: Recorded,
             action: Action | None) -> None:
        if isinstance(action, Hang):
            held = self.handle(request) if action.handled else None
            self.hung.set()
            self._release.wait()
            action = held if self._release_mode == "answer" else Drop()
        if isinstance(action, Delay):
            time.sleep(action.seconds)
            action = None
        if isinstance(action, Drop):
            if action.process:
                self.handle(request)
            return self._reset(handler)
        reply = action if isinstance(action, Reply) else self.handle(request)
        self._write(handler, reply)

    def settled(self, timeout: float = 10.0) -> bool:
        """Wait until every request received so far has been dealt with."""
        return self.wait_for(lambda: self.handled == len(self.requests), timeout)

    def _write(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        data = reply.encoded()
        try:
            handler.send_response(reply.status)
            headers = {"Content-Type": "application/json; charset=utf-8", **reply.headers}
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            if handler.command != "HEAD":
                handler.wfile.write(data)
            handler.wfile.flush()
        except OSError:
            handler.close_connection = True  # the client is gone (killed in a crash test)

    def _reset(self, handler: BaseHTTPRequestHandler) -> None:
        """Abort the connection with a TCP reset and no answer."""
        handler.close_connection = True
        try:
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                          struct.pack("ii", 1, 0))
            handler.connection.close()
        except OSError:
            pass


class NetworkFake(FakeServer, ABC):
    """A social network's fake: what ``tests/fakes/<network>.py`` exposes as ``Fake``."""

    @abstractmethod
    def env(self) -> dict[str, str]:
        """The environment variables that point promote at this fake, with its credentials."""

    @abstractmethod
    def posts(self) -> list[Any]:
        """What the network holds now, oldest first (statuses, records, messages, ...)."""
