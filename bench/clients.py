"""The load generators: wrk, a streaming raw-socket client, a pipelining filler, and an RSS watcher.

All loops here are bounded in count and in time.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

from peers import HOST, REGION, BenchError, rss_kib

from emulator.sigv4 import UNSIGNED_PAYLOAD, sign_headers

PIECE = 1 << 20  # the raw client writes and reads 1 MiB at a time
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


# -- wrk ----------------------------------------------------------------------------------------------------------
def run_wrk(url: str, seconds: float, script: Path | None = None, conns: int = 16, threads: int = 2) -> dict:
    binary = shutil.which("wrk")
    if binary is None:
        raise BenchError("wrk not found: run bench/setup.sh")
    argv = [binary, f"-c{conns}", f"-t{threads}", f"-d{seconds:g}s", "--timeout", "10s"]
    if script is not None:
        argv += ["-s", str(script)]
    argv.append(url)
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60).stdout
    except subprocess.TimeoutExpired:
        raise BenchError(f"wrk did not finish within {seconds + 60:.0f} s") from None
    rps = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if rps is None:
        raise BenchError(f"wrk printed no Requests/sec: {out.strip()[-300:]}")
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    latency = re.search(r"Latency\s+([\d.]+\w+)", out)
    return {
        "rps": float(rps.group(1)),
        "requests": int(total.group(1)) if total else None,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": [int(x) for x in errors.groups()] if errors else [0, 0, 0, 0],
        "latency_avg": latency.group(1) if latency else None,
    }


def write_put_script(path: Path, size: int) -> Path:
    path.write_text(
        'wrk.method = "PUT"\n'
        f'wrk.body = string.rep("a", {size})\n'
        # moto (Flask) would parse a form content type and drop the body: say what it is.
        'wrk.headers["Content-Type"] = "application/octet-stream"\n'
    )
    return path


# -- a raw HTTP/1.1 client over one socket -------------------------------------------------------------------------
class Responses:
    """Reads HTTP/1.1 responses (Content-Length framed, as every server here sends) off a socket, in order."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()

    def _fill(self) -> None:
        data = self.sock.recv(1 << 16)
        if not data:
            raise BenchError("the server closed the connection")
        self.buf += data

    def head(self) -> tuple[int, bytes, int]:
        """Status, raw head and Content-Length of the next response; the body is left unread."""
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            if len(self.buf) > 1 << 16:
                raise BenchError("a response head over 64 KiB")
            self._fill()
        head = bytes(self.buf[: end + 2])
        del self.buf[: end + 4]
        status = int(head[9:12])
        match = _CONTENT_LENGTH.search(head)
        return status, head, int(match.group(1)) if match else 0

    def body(self, length: int) -> bytes:
        while len(self.buf) < length:
            self._fill()
        out = bytes(self.buf[:length])
        del self.buf[:length]
        return out

    def discard(self, length: int, scratch: memoryview) -> None:
        """Read ``length`` body bytes into a scratch buffer that is thrown away (recv_into, no copies kept)."""
        take = min(length, len(self.buf))
        del self.buf[:take]
        left = length - take
        while left:
            n = self.sock.recv_into(scratch, min(left, len(scratch)))
            if n == 0:
                raise BenchError(f"the server closed the connection with {left} body bytes unread")
            left -= n

    def response(self) -> tuple[int, bytes, bytes]:
        status, head, length = self.head()
        return status, head, self.body(length)


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection((HOST, port), timeout=120)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _head_bytes(method: str, target: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {target} HTTP/1.1"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def signed(server, method: str, target: str) -> dict[str, str]:
    """Header-signed SigV4 with UNSIGNED-PAYLOAD (the body is streamed, never hashed by the client)."""
    url = f"{server.endpoint}{target}"
    hdrs = sign_headers(method, url, {}, UNSIGNED_PAYLOAD, server.access_key, server.secret_key, REGION, now())
    return {"Host": f"{HOST}:{server.port}", **hdrs}


def stream_put(server, target: str, source: Path, repeat: int = 1) -> dict:
    """PUT the file (``repeat`` times over, as one body) in 1 MiB writes; MB/s from first byte out to answer in."""
    size = source.stat().st_size * repeat
    headers = {**signed(server, "PUT", target), "Content-Length": str(size), "Content-Type": "application/octet-stream"}
    buf = bytearray(PIECE)
    view = memoryview(buf)
    with _connect(server.port) as sock:
        started = time.perf_counter()
        sock.sendall(_head_bytes("PUT", target, headers))
        for _ in range(repeat):
            with open(source, "rb", buffering=0) as fh:
                while True:
                    n = fh.readinto(buf)
                    if not n:
                        break
                    sock.sendall(view[:n])
        status, _, body = Responses(sock).response()
        seconds = time.perf_counter() - started
    if status != 200:
        raise BenchError(f"PUT {target} to {server.name} answered {status}: {body[:300]!r}")
    return {"bytes": size, "seconds": seconds, "mb_s": size / seconds / 1e6}


def stream_get(server, target: str, *, sign: bool = True, expect: int | None = None) -> dict:
    """GET into a 1 MiB buffer that is discarded; MB/s from request out to last byte in."""
    headers = signed(server, "GET", target) if sign else {"Host": f"{HOST}:{server.port}"}
    scratch = memoryview(bytearray(PIECE))
    with _connect(server.port) as sock:
        started = time.perf_counter()
        sock.sendall(_head_bytes("GET", target, headers))
        reader = Responses(sock)
        status, _, length = reader.head()
        if status != 200:
            raise BenchError(f"GET {target} from {server.name} answered {status}: {reader.body(length)[:300]!r}")
        reader.discard(length, scratch)
        seconds = time.perf_counter() - started
    if expect is not None and length != expect:
        raise BenchError(f"GET {target} from {server.name} gave {length} bytes, not {expect}")
    return {"bytes": length, "seconds": seconds, "mb_s": length / seconds / 1e6}


def md5_rate(data: bytes) -> dict:
    """Single-core MD5 over the same bytes, in the same 1 MiB pieces the server receives them."""
    view = memoryview(data)
    started = time.perf_counter()
    h = hashlib.md5()
    for pos in range(0, len(data), PIECE):
        h.update(view[pos : pos + PIECE])
    h.hexdigest()
    seconds = time.perf_counter() - started
    return {"bytes": len(data), "seconds": seconds, "mb_s": len(data) / seconds / 1e6}


# -- filling a bucket fast: pipelined, header-signed empty PUTs --------------------------------------------------
class FastSigner:
    """SigV4 header signing for an empty-bodied PUT/GET to a plain path, with the signing key derived once a day.

    Checked against emulator.sigv4.sign_headers at construction, so a mistake here fails loudly, not as 403s.
    """

    def __init__(self, server) -> None:
        self.server = server
        self.host = f"{HOST}:{server.port}"
        self._day = ""
        self._stamp = ""
        self._stamp_at = 0.0
        sample = "/bench/check"
        moment = now()
        expected = sign_headers(
            "PUT",
            f"{server.endpoint}{sample}",
            {},
            UNSIGNED_PAYLOAD,
            server.access_key,
            server.secret_key,
            REGION,
            moment,
        )
        got = self.headers("PUT", sample, moment)
        if got["Authorization"] != expected["Authorization"]:
            raise BenchError("bench FastSigner disagrees with emulator.sigv4.sign_headers")

    def _key(self, day: str) -> bytes:
        if day != self._day:
            k = ("AWS4" + self.server.secret_key).encode()
            for part in (day, REGION, "s3", "aws4_request"):
                k = hmac.new(k, part.encode(), hashlib.sha256).digest()
            self._day, self._signing_key = day, k
        return self._signing_key

    def headers(self, method: str, path: str, moment: datetime.datetime | None = None) -> dict[str, str]:
        if moment is not None:
            stamp = moment.strftime("%Y%m%dT%H%M%SZ")
        else:
            t = time.time()
            if t - self._stamp_at > 1.0:
                self._stamp, self._stamp_at = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t)), t
            stamp = self._stamp
        day = stamp[:8]
        scope = f"{day}/{REGION}/s3/aws4_request"
        canonical = (
            f"{method}\n{path}\n\nhost:{self.host}\nx-amz-content-sha256:{UNSIGNED_PAYLOAD}\n"
            f"x-amz-date:{stamp}\n\nhost;x-amz-content-sha256;x-amz-date\n{UNSIGNED_PAYLOAD}"
        )
        to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        sig = hmac.new(self._key(day), to_sign.encode(), hashlib.sha256).hexdigest()
        return {
            "Authorization": f"AWS4-HMAC-SHA256 Credential={self.server.access_key}/{scope}, "
            f"SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={sig}",
            "x-amz-date": stamp,
            "x-amz-content-sha256": UNSIGNED_PAYLOAD,
        }


def fill_bucket(
    server, bucket: str, count: int, key_of, *, connections: int = 4, batch: int = 256, time_limit: float = 900.0
) -> dict:
    """PUT ``count`` empty objects named ``key_of(i)`` over ``connections`` keep-alive connections, each sending
    ``batch`` pipelined requests before reading their answers. Every answer must be 200."""
    signer = FastSigner(server)
    deadline = time.monotonic() + time_limit
    failures: list[BaseException] = []
    done = [0] * connections
    lock = threading.Lock()

    def worker(index: int) -> None:
        try:
            with _connect(server.port) as sock:
                reader = Responses(sock)
                for first in range(index * batch, count, batch * connections):
                    if failures:
                        return
                    if time.monotonic() > deadline:
                        raise BenchError(f"filling {bucket} took over {time_limit:.0f} s")
                    last = min(count, first + batch)
                    parts = []
                    for i in range(first, last):
                        path = f"/{bucket}/{key_of(i)}"
                        hdrs = signer.headers("PUT", path)
                        parts.append(
                            f"PUT {path} HTTP/1.1\r\nHost: {signer.host}\r\nContent-Length: 0\r\n"
                            f"Authorization: {hdrs['Authorization']}\r\nx-amz-date: {hdrs['x-amz-date']}\r\n"
                            f"x-amz-content-sha256: {UNSIGNED_PAYLOAD}\r\n\r\n"
                        )
                    sock.sendall("".join(parts).encode())
                    for _ in range(first, last):
                        status, _, body = reader.response()
                        if status != 200:
                            raise BenchError(f"filling {bucket}: a PUT answered {status}: {body[:200]!r}")
                    with lock:
                        done[index] += last - first
        except BaseException as exc:  # reported by the caller
            failures.append(exc)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(time_limit + 60)
    seconds = time.perf_counter() - started
    if failures:
        raise failures[0]
    if sum(done) != count:
        raise BenchError(f"filling {bucket}: {sum(done)} of {count} PUTs done")
    return {"keys": count, "seconds": seconds, "puts_per_s": count / seconds}


# -- memory ------------------------------------------------------------------------------------------------------
def _reset_hwm(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0: write 5 to clear_refs); False where not allowed."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class MemWatch:
    """Peak RSS of some processes over a block: VmHWM (reset at the start) and VmRSS sampled every 5 ms."""

    def __init__(self, pids: dict[str, int], interval: float = 0.005) -> None:
        self.pids = pids
        self.interval = interval
        self.idle: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.hwm_reset: dict[str, bool] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            for name, pid in self.pids.items():
                rss = rss_kib(pid)
                if rss is not None and rss > self.peak.get(name, 0):
                    self.peak[name] = rss

    def __enter__(self) -> MemWatch:
        for name, pid in self.pids.items():
            self.idle[name] = rss_kib(pid) or 0
            self.peak[name] = self.idle[name]
            self.hwm_reset[name] = _reset_hwm(pid)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)
        for name, pid in self.pids.items():
            if self.hwm_reset[name]:
                hwm = rss_kib(pid, "VmHWM")
                if hwm is not None:
                    self.peak[name] = max(self.peak[name], hwm)

    def report(self) -> dict[str, dict]:
        return {
            name: {
                "idle_mib": round(self.idle[name] / 1024, 1),
                "peak_mib": round(self.peak[name] / 1024, 1),
                "over_idle_mib": round((self.peak[name] - self.idle[name]) / 1024, 1),
                "source": "VmHWM+VmRSS" if self.hwm_reset[name] else "VmRSS sampled",
            }
            for name in self.pids
        }
