"""A recording forward proxy on 127.0.0.1: wire capture for a client in any language (Go, JavaScript, rclone, curl,
minio-py), redacted like boto3's.

The client is pointed at the recorder in one of two ways and trusts the recorder's own trustme CA (``ca_bundle``
holds it and the target's CA):

- as its **forward proxy** (``proxy_url``): absolute-form ``GET http://host/...`` requests, or ``CONNECT host:443``
  after which the recorder answers TLS in the tunnel with a certificate for ``host`` from its CA (the CONNECT
  handling of the emulator's own proxy front, emulator/server.py);
- as its **endpoint** (``endpoint_url``, plain HTTP or TLS as the target is): origin-form requests, for targets
  reached without a proxy (a Go client never sends a request for 127.0.0.1 through a proxy from the environment).

Each request is forwarded to the target unchanged: same method, path and query, same headers (Host included, so
SigV4 signatures stay valid), same body and framing (a chunked request stays chunked), through the target's own
proxy when it has one (virtual-hosted style without DNS). The answer goes back byte for byte (framed with a
Content-Length). Every exchange is recorded as an ``Exchange`` with its Authorization and signature query
parameters redacted before it is stored (harness.observation.redact_*): no secret is ever kept.
Bodies are held in memory: the harness's objects are at most tens of MiB.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import ssl
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from harness.observation import Exchange, redact_headers, redact_url

HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "upgrade",
       "transfer-encoding"}
TIMEOUT = 120


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    tunnel: tuple[str, int] | None = None
    upstream: http.client.HTTPConnection | None = None
    upstream_key: tuple | None = None

    def log_message(self, *a):  # the exchanges are recorded, not logged
        pass

    def do_CONNECT(self):
        host, _, port = self.path.rpartition(":")
        self.send_response(200, "Connection Established")
        self.end_headers()
        self.wfile.flush()
        ctx = self.server.recorder.server_context(host.strip("[]"))
        try:
            conn = ctx.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            self.close_connection = True
            return
        self.connection = conn
        self.rfile = conn.makefile("rb", self.rbufsize)
        self.wfile = conn.makefile("wb", 0)
        self.tunnel = (host, int(port or 443))
        self.close_connection = False

    def _read_body(self) -> tuple[bytes | None, bool]:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # HTTP trailers (none from the clients under test)
                    return b"".join(parts), True
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return (self.rfile.read(length) if length else None), False

    def _target_url(self) -> str:
        if self.path.startswith(("http://", "https://")):
            return self.path
        if self.tunnel is not None:
            host, port = self.tunnel
            return f"https://{host}{'' if port == 443 else f':{port}'}{self.path}"
        return self.server.recorder.reverse_base + self.path

    def _handle(self):
        rec = self.server.recorder
        url = self._target_url()
        body, chunked = self._read_body()
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP]
        started = time.time()
        ex = Exchange(self.command, url, dict(self.headers.items()), None, {}, started)
        try:
            status, reason, rheaders, data = self._forward(url, headers, body, chunked)
        except (OSError, http.client.HTTPException) as e:
            ex.duration, ex.error = time.time() - started, f"{type(e).__name__}: {e}"[:300]
            rec.add(ex)
            self.upstream = None
            self.send_error(502, "recorder: upstream failed")
            return
        ex.status, ex.response_headers, ex.duration = status, dict(rheaders), time.time() - started
        rec.add(ex)
        self.send_response(status, reason)
        for k, v in rheaders:
            if k.lower() not in HOP and not (k.lower() == "content-length" and self.command != "HEAD"):
                self.send_header(k, v)
        if self.command != "HEAD":
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD" and data:
            self.wfile.write(data)

    do_GET = do_PUT = do_HEAD = do_DELETE = do_POST = _handle

    def _forward(self, url, headers, body, chunked):
        u = urlsplit(url)
        conn, path = self._connection(u)
        conn.putrequest(self.command, path, skip_host=True, skip_accept_encoding=True)
        for k, v in headers:
            conn.putheader(k, v)
        if chunked:
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            if body:
                conn.send(b"%x\r\n%s\r\n" % (len(body), body))
            conn.send(b"0\r\n\r\n")
        else:
            conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        if resp.will_close:
            conn.close()
            self.upstream = None
        return resp.status, resp.reason, resp.getheaders(), data

    def _connection(self, u) -> tuple[http.client.HTTPConnection, str]:
        """A kept-alive connection to the target (through its proxy when it has one) and the request target."""
        rec = self.server.recorder
        port = u.port or (443 if u.scheme == "https" else 80)
        key = (u.scheme, u.hostname, port)
        origin = u.path + (f"?{u.query}" if u.query else "")
        if self.upstream is None or self.upstream_key != key:
            proxy = urlsplit(rec.target_proxy) if rec.target_proxy else None
            if u.scheme == "https":
                via = (proxy.hostname, proxy.port) if proxy else (u.hostname, port)
                conn = http.client.HTTPSConnection(*via, timeout=TIMEOUT, context=rec.client_context())
                if proxy:
                    conn.set_tunnel(u.hostname, port)
            else:
                via = (proxy.hostname, proxy.port) if proxy else (u.hostname, port)
                conn = http.client.HTTPConnection(*via, timeout=TIMEOUT)
            self.upstream, self.upstream_key = conn, key
        absolute = u.scheme == "http" and rec.target_proxy
        return self.upstream, (f"http://{u.netloc}{origin}" if absolute else origin)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    recorder: Recorder


_CA: tuple | None = None
_CA_LOCK = threading.Lock()


def shared_ca() -> tuple:
    """(trustme CA, PEM path): one CA for every recorder of this process, so that a helper started once per run
    (node, Go) can be told once to trust it (NODE_EXTRA_CA_CERTS); the PEM lives in a private dir."""
    global _CA
    with _CA_LOCK:
        if _CA is None:
            import atexit
            import shutil

            import trustme

            ca = trustme.CA()
            d = tempfile.mkdtemp(prefix="harness-recorder-ca-")
            os.chmod(d, 0o700)
            path = os.path.join(d, "ca.pem")
            ca.cert_pem.write_to_path(path)
            atexit.register(shutil.rmtree, d, True)
            _CA = (ca, path)
        return _CA


class Recorder:
    """One recording proxy for one target (its endpoint, proxy and CA); ``take()`` returns what was recorded."""

    def __init__(self, endpoint_url: str, target_proxy: str | None = None, target_ca: str | None = None):
        self.reverse_base = endpoint_url.rstrip("/")
        self.target_proxy = target_proxy
        self.target_ca = target_ca
        self._ca = shared_ca()[0]
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()
        self._log: list[Exchange] = []
        self._dir = tempfile.mkdtemp(prefix="harness-recorder-")
        os.chmod(self._dir, 0o700)
        self.ca_bundle = os.path.join(self._dir, "ca.pem")
        pem = self._ca.cert_pem.bytes()
        if target_ca:
            with open(target_ca, "rb") as f:
                pem += b"\n" + f.read()
        with open(self.ca_bundle, "wb") as f:
            f.write(pem)
        self._servers = [self._serve(None)]
        self.proxy_url = f"http://127.0.0.1:{self._servers[0].server_address[1]}"
        if urlsplit(endpoint_url).scheme == "https":
            self._servers.append(self._serve(self.server_context("127.0.0.1")))
            self.endpoint_url = f"https://127.0.0.1:{self._servers[1].server_address[1]}"
        else:
            self.endpoint_url = self.proxy_url

    def _serve(self, tls: ssl.SSLContext | None) -> _Server:
        srv = _Server(("127.0.0.1", 0), _Handler)
        srv.recorder = self
        if tls is not None:
            srv.socket = tls.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
        threading.Thread(target=srv.serve_forever, daemon=True, name="harness-recorder").start()
        return srv

    def server_context(self, host: str) -> ssl.SSLContext:
        with self._lock:
            if host not in self._contexts:
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                self._ca.issue_cert(host).configure_cert(ctx)
                self._contexts[host] = ctx
            return self._contexts[host]

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.target_ca) if self.target_ca else ssl.create_default_context()

    def add(self, ex: Exchange) -> None:
        red = Exchange(ex.method, redact_url(ex.url), redact_headers(ex.request_headers), ex.status,
                       dict(ex.response_headers), ex.started, ex.duration, ex.error)
        with self._lock:
            self._log.append(red)

    def take(self) -> list[Exchange]:
        """The exchanges recorded since the last call, oldest first."""
        with self._lock:
            out, self._log = self._log, []
        return out

    def close(self) -> None:
        for srv in self._servers:
            srv.shutdown()
            srv.server_close()
        import shutil

        shutil.rmtree(self._dir, ignore_errors=True)


_SHARED: dict[tuple, Recorder] = {}
_SHARED_LOCK = threading.Lock()


def shared_recorder(endpoint_url: str, target_proxy: str | None = None, target_ca: str | None = None) -> Recorder:
    """The process's one recorder for an upstream (started on first use, closed at exit). Steps of a process run
    one at a time (pytest-xdist workers are processes), so the drivers of one target share it: each takes the
    exchanges of its own step. One per driver cost a server (and 0.5 s to shut down) for each of hundreds of
    drivers."""
    key = (endpoint_url, target_proxy, target_ca)
    with _SHARED_LOCK:
        rec = _SHARED.get(key)
        if rec is None:
            rec = _SHARED[key] = Recorder(endpoint_url, target_proxy, target_ca)
            if len(_SHARED) == 1:
                import atexit

                atexit.register(_close_shared)
        return rec


def _close_shared() -> None:
    for rec in list(_SHARED.values()):
        rec.close()
    _SHARED.clear()


@contextlib.contextmanager
def recording(endpoint_url: str, target_proxy: str | None = None, target_ca: str | None = None):
    rec = Recorder(endpoint_url, target_proxy, target_ca)
    try:
        yield rec
    finally:
        rec.close()

