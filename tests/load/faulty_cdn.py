"""A small faulty CDN on 127.0.0.1 in front of a real endpoint (the emulator): a real HTTP/1.1 reverse proxy that
forwards requests unchanged (Host included, so SigV4 signatures stay valid), with one of two faults:

- ``StaleCache``: answers a GET (objects and listings) or HEAD from its cache for ``ttl`` seconds after it first
  fetched it, whatever was written since (a CDN that does not invalidate on PUT/DELETE);
- ``Zombie``: after a DELETE, keeps answering GET/HEAD of that key with the last object it saw there, for ``ttl``
  seconds or until the next PUT (an edge that serves a deleted object for a while).
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


@dataclass(frozen=True)
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class Fault:
    def lookup(self, method: str, path: str) -> Reply | None:
        return None

    def observe(self, method: str, path: str, reply: Reply) -> None:
        pass


class StaleCache(Fault):
    def __init__(self, ttl: float):
        self.ttl = ttl
        self.cache: dict[tuple[str, str], tuple[float, Reply]] = {}
        self.lock = threading.Lock()
        self.hits = 0

    def lookup(self, method, path):
        if method not in ("GET", "HEAD"):
            return None
        with self.lock:
            hit = self.cache.get((method, path))
            if hit and time.monotonic() - hit[0] < self.ttl:
                self.hits += 1
                return hit[1]
        return None

    def observe(self, method, path, reply):
        if method in ("GET", "HEAD") and reply.status == 200:
            with self.lock:
                self.cache[(method, path)] = (time.monotonic(), reply)


class Zombie(Fault):
    def __init__(self, ttl: float):
        self.ttl = ttl
        self.last: dict[tuple[str, str], Reply] = {}  # (method, object path) -> last 200 seen
        self.dead: dict[str, float] = {}  # object path -> when deleted
        self.lock = threading.Lock()
        self.hits = 0

    def lookup(self, method, path):
        if method not in ("GET", "HEAD") or "?" in path:
            return None
        with self.lock:
            t = self.dead.get(path)
            if t is not None and time.monotonic() - t < self.ttl and (method, path) in self.last:
                self.hits += 1
                return self.last[(method, path)]
        return None

    def observe(self, method, path, reply):
        with self.lock:
            if method in ("GET", "HEAD") and reply.status == 200:
                self.last[(method, path)] = reply
            elif method == "DELETE" and reply.status < 300:
                self.dead[path] = time.monotonic()
            elif method == "PUT" and reply.status < 300:
                self.dead.pop(path, None)


class FaultyCDN:
    """``with FaultyCDN(upstream_url, fault) as cdn: cdn.url``"""

    def __init__(self, upstream: str, fault: Fault):
        up = urlsplit(upstream)
        fault_ = fault
        local = threading.local()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _upstream(self) -> http.client.HTTPConnection:
                if getattr(local, "conn", None) is None:
                    local.conn = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
                return local.conn

            def _forward(self) -> Reply:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                for attempt in range(2):  # a kept-alive upstream connection may have been closed
                    conn = self._upstream()
                    try:
                        conn.request(self.command, self.path, body=body, headers=headers)
                        resp = conn.getresponse()
                        data = resp.read()
                        return Reply(resp.status, [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP],
                                     data)
                    except (http.client.HTTPException, OSError):
                        conn.close()
                        local.conn = None
                        if attempt:
                            raise
                raise AssertionError("unreachable")

            def _serve(self) -> None:
                reply = fault_.lookup(self.command, self.path)
                if reply is None:
                    reply = self._forward()
                    fault_.observe(self.command, self.path, reply)
                else:  # the request body (none for GET/HEAD) is not forwarded
                    self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response_only(reply.status)
                for k, v in reply.headers:
                    if k.lower() != "content-length":
                        self.send_header(k, v)
                length = next((v for k, v in reply.headers if k.lower() == "content-length"), None)
                self.send_header("Content-Length", length if self.command == "HEAD" and length else
                                 str(len(reply.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(reply.body)

            do_GET = do_PUT = do_DELETE = do_HEAD = do_POST = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="faulty-cdn")

    def __enter__(self) -> FaultyCDN:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(10)
