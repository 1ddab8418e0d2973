"""Start and stop the servers the benchmark compares: the emulator, moto's server, s3rver and nginx.

Every server is a child process started here and ended by its PID (SIGTERM, then SIGKILL) in ``Peers.close``.
Nothing listens anywhere but 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
S3RVER_JS = BENCH / ".node" / "node_modules" / "s3rver" / "bin" / "s3rver.js"
HOST = "127.0.0.1"
REGION = "us-east-1"
BUCKET = "bench"
START_TIMEOUT = 60.0


class BenchError(RuntimeError):
    """A peer could not be started or answered wrongly: reported in one line."""


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    port: int
    access_key: str
    secret_key: str
    log: Path
    extra: dict = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def tail(self, lines: int = 5) -> str:
        try:
            return " | ".join(self.log.read_text(errors="replace").strip().splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """End this server by its PID: SIGTERM, then SIGKILL after 10 s."""
        if self.proc.poll() is not None:
            return
        try:
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        except ProcessLookupError:
            pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _wait_http(server: Server, path: str = "/", timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise BenchError(f"{server.name} exited at start (code {server.proc.returncode}): {server.tail()}")
        try:
            urllib.request.urlopen(f"{server.endpoint}{path}", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers: an S3 error to an unsigned request is an answer
        except OSError:
            time.sleep(0.1)
    raise BenchError(f"{server.name} did not answer on port {server.port} within {timeout:.0f} s: {server.tail()}")


class Peers:
    """Owns every process it starts; ``close`` ends them all by PID."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.servers: list[Server] = []

    def _popen(self, name: str, argv: list[str], **kw) -> tuple[subprocess.Popen, Path]:
        log = self.workdir / f"{name}.log"
        fh = open(log, "wb")
        try:
            proc = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **kw)
        finally:
            fh.close()
        return proc, log

    def _track(self, server: Server) -> Server:
        self.servers.append(server)
        return server

    def emulator(self, name: str, *, buckets: tuple[str, ...] = (BUCKET,), data_dir: Path | None = None) -> Server:
        ready = self.workdir / f"{name}.ready.json"
        argv = [
            sys.executable,
            "-m",
            "emulator",
            "--host",
            HOST,
            "--port",
            "0",
            "--access-key",
            "benchAK",
            "--secret-key",
            "benchSK",
            "--ready-file",
            str(ready),
            "--quiet",
        ]
        for b in buckets:
            argv += ["--bucket", b]
        if data_dir is not None:
            argv += ["--data-dir", str(data_dir)]
        proc, log = self._popen(name, argv, cwd=str(REPO))
        server = self._track(Server(name, proc, 0, "benchAK", "benchSK", log))
        deadline = time.monotonic() + START_TIMEOUT
        while not ready.exists():
            if proc.poll() is not None:
                raise BenchError(f"{name} exited at start (code {proc.returncode}): {server.tail()}")
            if time.monotonic() > deadline:
                raise BenchError(f"{name} wrote no ready file within {START_TIMEOUT:.0f} s: {server.tail()}")
            time.sleep(0.05)
        server.port = int(json.loads(ready.read_text())["endpoint_url"].rsplit(":", 1)[1])
        return server

    def moto(self) -> Server:
        port = free_port()
        proc, log = self._popen("moto", [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)])
        server = self._track(Server("moto", proc, port, "testing", "testing", log))
        _wait_http(server, "/moto-api/")
        return server

    def s3rver(self) -> Server:
        if not S3RVER_JS.exists():
            raise BenchError("s3rver is not installed: run bench/setup.sh")
        node = shutil.which("node")
        if node is None:
            raise BenchError("node not found: run bench/setup.sh")
        port = free_port()
        data = self.workdir / "s3rver-data"
        data.mkdir(exist_ok=True)
        argv = [
            node,
            str(S3RVER_JS),
            "-d",
            str(data),
            "-a",
            HOST,
            "-p",
            str(port),
            "--silent",
            "--no-vhost-buckets",
            "--configure-bucket",
            BUCKET,
        ]
        proc, log = self._popen("s3rver", argv)
        server = self._track(Server("s3rver", proc, port, "S3RVER", "S3RVER", log))
        _wait_http(server)
        return server

    def nginx(self, root: Path) -> Server:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.path.exists(binary):
            raise BenchError("nginx not found: run bench/setup.sh")
        port = free_port()
        prefix = self.workdir / "nginx"
        (prefix / "logs").mkdir(parents=True, exist_ok=True)
        conf = prefix / "nginx.conf"
        # One process, one worker's worth of CPU (the emulator is one event loop too); Debian's defaults otherwise:
        # sendfile on, so this is the kernel's zero-copy path, the physical reference. /nosendfile/ is the same
        # files through nginx's read()/write() path, for information.
        conf.write_text(f"""
daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen {HOST}:{port};
        root {root};
        location /nosendfile/ {{ sendfile off; alias {root}/; }}
    }}
}}
""")
        proc, log = self._popen("nginx", [binary, "-p", str(prefix), "-c", str(conf)])
        server = self._track(Server("nginx", proc, port, "", "", log))
        _wait_http(server)
        return server

    def stop(self, server: Server) -> None:
        server.stop()
        if server in self.servers:
            self.servers.remove(server)

    def close(self) -> None:
        for server in reversed(self.servers):
            try:
                server.stop()
            except Exception as exc:  # keep ending the others
                print(f"bench: could not stop {server.name} (pid {server.pid}): {exc}", file=sys.stderr)
        self.servers.clear()


def rss_kib(pid: int, field_name: str = "VmRSS") -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None
