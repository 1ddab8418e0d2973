"""The Locust side of s3-load: one user class that performs the seven S3 operations with signed requests, and the
plumbing that brings every worker's history to the master.

Run by ``s3-load`` (never by hand: s3-load also records the key space for cleanup, checks the history and writes
the reports), as ``locust -f <this file> --headless ...`` on one host, with ``--processes N``, or as ``--master`` /
``--worker`` processes on several hosts. Every process reads the target from the environment (the variables of
``tox -e live``: harness.targets.LIVE_VARIABLES); the master passes the run prefix and the workload to the workers
as Locust custom arguments, which Locust sends to every worker with each spawn message.

Messages (Locust's own, over its master/worker connection):
  worker -> master  s3load_hello {worker}      then s3load_ping/s3load_pong to measure the clock offset
  worker -> master  s3load_history {ops: [...]} every 0.5 s and at test_stop
  worker -> master  s3load_summary {...}        at test_stop, after the last history batch
  worker -> master  s3load_capped               when the worker reached its share of --max-requests
The master appends all of it to the history file (--s3-history). It ends the run itself after the workload's
duration with ``runner.stop()`` (which waits for the workers to stop, so their last batches arrive) and only then
quits; Locust's own --run-time is a backstop.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from dataclasses import asdict, replace

import gevent
import gevent.ssl
from locust import FastHttpUser, events, task
from locust.exception import StopUser
from locust.runners import MasterRunner, WorkerRunner

from harness.load import s3ops
from harness.load.history import Op, WorkerSummary, write_lines
from harness.load.sigv4 import Signer, signer_rate
from harness.load.workload import Draw, Workload, key_name, make_body
from harness.targets import ConfigError, Target, live_target_from_env

log = logging.getLogger("s3load")
FLUSH_SECONDS = 0.5
SUMMARY_WAIT_SECONDS = 30.0
CUT_OFF = "cut off at stop"
PINGS = 5


@events.init_command_line_parser.add_listener
def _options(parser) -> None:
    parser.add_argument("--s3-run-prefix", default="", help="s3-load: the run's key prefix (…/load/)")
    parser.add_argument("--s3-workload", default="", help="s3-load: the workload as JSON")
    parser.add_argument("--s3-max-per-worker", type=int, default=0, help="s3-load: requests one worker may send")
    parser.add_argument("--s3-history", default="", help="s3-load: master: where the merged history goes")


def new_worker_id() -> str:
    """Unique per process, made after --processes forks (a copy made before the fork would be shared)."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class State:
    """Per-process state (one per Locust process)."""

    def __init__(self) -> None:
        self.worker = new_worker_id()
        self.target: Target | None = None
        self.endpoint: s3ops.Endpoint | None = None
        self.workload: Workload | None = None
        self.prefix = ""
        self.max_requests = 0
        self.sent = 0
        self.buffer: list[list] = []
        self.pending: dict[str, dict] = {}  # conn -> the request it has in flight (recorded before it is sent)
        self.users = 0
        self.cpu0 = 0.0
        self.first = self.last = 0.0
        self.signer_rate = 0.0
        self.capped = False
        self.lost = 0
        self.flusher = None
        self.stopped = False
        self.ending = False
        # master side
        self.summaries: set[str] = set()
        self.hellos: set[str] = set()


STATE = State()


def configure(options) -> None:
    """Read the run's settings (custom arguments from the master) and the target (this host's environment)."""
    prefix = options.s3_run_prefix
    if not (prefix.startswith("s3-conformance/") and prefix.endswith("/load/")):
        raise ConfigError(f"refusing run prefix {prefix!r}: must be s3-conformance/<run-id>/load/")
    target = live_target_from_env("unused")
    STATE.target = replace(target, run_prefix=prefix)
    STATE.endpoint = s3ops.Endpoint.of(target.endpoint_url, target.bucket, target.addressing_style,
                                       target.vhost_template)
    STATE.workload = Workload.from_dict(json.loads(options.s3_workload))
    STATE.prefix = prefix
    STATE.max_requests = options.s3_max_per_worker or STATE.workload.max_requests
    if not STATE.worker.startswith(f"{socket.gethostname()}-{os.getpid()}-"):
        STATE.worker = new_worker_id()


# ---------------------------------------------------------------- messages
def _history_path(environment) -> str:
    return environment.parsed_options.s3_history


def _on_hello(environment, msg, **_) -> None:
    STATE.hellos.add(msg.data["worker"])
    write_lines(_history_path(environment), [{"hello": msg.data["worker"]}])
    gevent.spawn(_pings, environment, msg.node_id)


def _pings(environment, node_id) -> None:
    """A few pings: the checker keeps the one with the shortest round trip (the tightest clock bound)."""
    for _ in range(PINGS):
        environment.runner.send_message("s3load_ping", {"t0": time.time()}, client_id=node_id)
        gevent.sleep(0.2)


def _on_ping(environment, msg, **_) -> None:
    environment.runner.send_message("s3load_pong", {"t0": msg.data["t0"], "tw": time.time(), "worker": STATE.worker})


def _on_pong(environment, msg, **_) -> None:
    t1 = time.time()
    t0, tw = msg.data["t0"], msg.data["tw"]
    write_lines(_history_path(environment), [{"clock": {"worker": msg.data["worker"],
                                                        "offset": tw - (t0 + t1) / 2, "uncertainty": (t1 - t0) / 2}}])


def _on_history(environment, msg, **_) -> None:
    write_lines(_history_path(environment), [{"ops": msg.data["ops"]}])


def _on_summary(environment, msg, **_) -> None:
    STATE.summaries.add(msg.data["worker"])
    write_lines(_history_path(environment), [{"summary": msg.data}])


def _on_capped(environment, msg, **_) -> None:
    log.warning("a worker reached its share of --max-requests: ending the run")
    gevent.spawn(_end_run, environment)


@events.init.add_listener
def _init(environment, **_) -> None:
    runner = environment.runner
    if runner is None:
        return
    if not isinstance(runner, WorkerRunner):  # master or local: collects
        for name, fn in (("hello", _on_hello), ("pong", _on_pong), ("history", _on_history),
                         ("summary", _on_summary), ("capped", _on_capped)):
            runner.register_message(f"s3load_{name}", fn)
    if not isinstance(runner, MasterRunner):  # worker or local: runs users
        runner.register_message("s3load_ping", _on_ping)
    if isinstance(runner, WorkerRunner):
        runner.register_message("s3load_stop", _on_stop)


# ---------------------------------------------------------------- run control
def _flush(environment) -> None:
    batch, STATE.buffer = STATE.buffer, []
    if batch:
        environment.runner.send_message("s3load_history", {"ops": batch})


def _flusher(environment) -> None:
    while not STATE.stopped:
        gevent.sleep(FLUSH_SECONDS)
        _flush(environment)


def _wait_for_summaries() -> None:
    waited = 0.0
    while STATE.summaries < STATE.hellos and waited < SUMMARY_WAIT_SECONDS:  # bounded
        gevent.sleep(0.1)
        waited += 0.1


def _end_run(environment) -> None:
    """Stop the users everywhere and collect every worker's last batch and summary, then quit.

    Not Locust's own stop: a master's stop() forgets the workers once they report "stopped", and its quit() then
    has no one to tell, which leaves --processes children running. Instead each worker gets s3load_stop (it stops
    its users, which fires test_stop: last batch, summary), and the master quits once every summary is in."""
    runner = environment.runner
    if STATE.ending:  # the request cap and the duration may both end the run: once
        return
    STATE.ending = True
    if isinstance(runner, MasterRunner):
        for client in list(runner.clients.all):
            runner.send_message("s3load_stop", None, client_id=client.id)
        _wait_for_summaries()
    else:
        runner.stop()
    runner.quit()


def _on_stop(environment, msg, **_) -> None:
    environment.runner.stop()


@events.test_start.add_listener
def _start(environment, **_) -> None:
    runner = environment.runner
    opts = environment.parsed_options
    if not isinstance(runner, WorkerRunner):
        write_lines(_history_path(environment), [{"run": {"started": time.time()}}])
        duration = Workload.from_dict(json.loads(opts.s3_workload)).duration
        gevent.spawn_later(duration, _end_run, environment)
    if isinstance(runner, MasterRunner):
        return
    configure(opts)
    STATE.signer_rate = signer_rate(Signer(STATE.target.credentials.access_key, STATE.target.credentials.secret_key,
                                           STATE.target.region))
    STATE.cpu0 = time.process_time()  # after the signer's own measurement
    STATE.stopped = False
    runner.send_message("s3load_hello", {"worker": STATE.worker})
    STATE.flusher = gevent.spawn(_flusher, environment)


@events.test_stop.add_listener
def _stop(environment, **_) -> None:
    runner = environment.runner
    if not isinstance(runner, MasterRunner) and not STATE.stopped:
        STATE.stopped = True
        now = time.time()
        for conn, p in STATE.pending.items():  # cut off by the stop: sent, outcome unknown
            STATE.buffer.append(Op(id=f"{conn}/pending", worker=STATE.worker, conn=conn, end=now, status=None,
                                   code=CUT_OFF, **p).row())
        STATE.pending.clear()
        _flush(environment)
        summary = WorkerSummary(worker=STATE.worker, requests=STATE.sent,
                                wall_seconds=max(STATE.last - STATE.first, 0.0),
                                cpu_seconds=time.process_time() - STATE.cpu0, signer_per_second=STATE.signer_rate,
                                cpu_warning=bool(runner.cpu_warning_emitted), clock_offset=0.0,
                                clock_uncertainty=0.0, complete=STATE.lost == 0)
        runner.send_message("s3load_summary", asdict(summary))
    if not isinstance(runner, WorkerRunner):
        _wait_for_summaries()
        write_lines(_history_path(environment), [{"run": {
            "finished": time.time(), "cpu_warning": bool(runner.cpu_warning_emitted),
            "worker_cpu_warning": bool(getattr(runner, "worker_cpu_warning_emitted", False))}}])


# ---------------------------------------------------------------- the user
def _ssl_factory():
    ca = STATE.target.ca_bundle if STATE.target else None
    return gevent.ssl.create_default_context(cafile=ca) if ca else gevent.ssl.create_default_context()


class S3User(FastHttpUser):
    """One connection pool = one 'connection' in the history; draws operations from the workload."""

    abstract = False
    host = "http://127.0.0.1"  # every request uses an absolute URL built from the target
    network_timeout = 30.0
    connection_timeout = 10.0
    max_retries = 0  # a retried write would blur when it took effect
    concurrency = 1
    insecure = False

    def __init__(self, environment) -> None:
        if STATE.target is None:
            configure(environment.parsed_options)
        t = STATE.target
        if t.proxy_url:
            from urllib.parse import urlsplit

            p = urlsplit(t.proxy_url)
            self.proxy_host, self.proxy_port = p.hostname, p.port
        self.ssl_context_factory = _ssl_factory
        super().__init__(environment)
        STATE.users += 1
        self.conn = f"{STATE.worker}/u{STATE.users}"
        self.seq = 0
        self.draw = Draw(STATE.workload, f"{STATE.worker}/{STATE.users}")
        self.signer = Signer(t.credentials.access_key, t.credentials.secret_key, t.region)

    def wait_time(self) -> float:
        return self.draw.think()

    @task
    def one_operation(self) -> None:
        if STATE.sent >= STATE.max_requests:
            if not STATE.capped:
                STATE.capped = True
                self.environment.runner.send_message("s3load_capped", {"worker": STATE.worker})
            raise StopUser()
        STATE.sent += 1
        op = self.draw.operation()
        getattr(self, op)()

    # ------------------------------------------------------------ plumbing
    def _send(self, name: str, req: s3ops.Request, ok: tuple[int, ...], **record):
        start = time.time()
        STATE.pending[self.conn] = dict(op=name, start=start, **record)
        with self.client.request(req.method, req.url, name=name, data=req.body, headers=req.headers,
                                 catch_response=True) as resp:
            body = (resp.content or b"") if req.method != "HEAD" else b""
            end = time.time()
            status = resp.status_code or None
            if status in ok:
                resp.success()
            else:
                resp.failure(f"{status} {s3ops.error_code(status, body)}")
        STATE.pending.pop(self.conn, None)
        if not STATE.first:
            STATE.first = start
        STATE.last = end
        return start, end, status, resp, body

    def _record(self, **kw) -> None:
        self.seq += 1
        STATE.buffer.append(Op(id=f"{self.conn}/{self.seq}", worker=STATE.worker, conn=self.conn, **kw).row())

    def _key(self) -> tuple[int, str]:
        slot = self.draw.key_index()
        key = STATE.prefix + key_name(slot)
        assert key.startswith(STATE.prefix)  # every key lies under the run's load prefix (recorded by s3-load)
        return slot, key

    # ------------------------------------------------------------ the seven operations
    def ListBuckets(self) -> None:
        ep = STATE.endpoint
        req = s3ops.sign_request(self.signer, ep, "GET", ep.service_host, "/")
        start, end, status, _, body = self._send("ListBuckets", req, (200,), key=None)
        self._record(op="ListBuckets", key=None, start=start, end=end, status=status,
                     code=s3ops.error_code(status, body))

    def HeadBucket(self) -> None:
        ep = STATE.endpoint
        host, path = ep.bucket_path()
        req = s3ops.sign_request(self.signer, ep, "HEAD", host, path)
        start, end, status, _, _ = self._send("HeadBucket", req, (200,), key=None)
        self._record(op="HeadBucket", key=None, start=start, end=end, status=status,
                     code=s3ops.error_code(status, b""))

    def ListObjects(self) -> None:
        ep = STATE.endpoint
        host, path = ep.bucket_path()
        req = s3ops.sign_request(self.signer, ep, "GET", host, path, {"prefix": STATE.prefix, "max-keys": "1000"})
        start, end, status, _, body = self._send("ListObjects", req, (200,), key=None)
        listed = None
        if status == 200:
            listed, truncated = s3ops.listed_slots(body.decode("utf-8", "replace"), STATE.prefix)
            listed = None if truncated else listed  # one page holds the key space; a truncated one is not judged
        self._record(op="ListObjects", key=None, start=start, end=end, status=status,
                     code=s3ops.error_code(status, body), listed=listed)

    def PutObject(self) -> None:
        slot, key = self._key()
        token = f"{self.conn}/{self.seq + 1}"
        size = self.draw.size()
        body = make_body(token, size)
        headers, md5 = s3ops.put_headers(token, body)
        ep = STATE.endpoint
        host, path = ep.object_path(key)
        req = s3ops.sign_request(self.signer, ep, "PUT", host, path, headers=headers, body=body,
                                 sign_payload_limit=STATE.workload.sign_payload_limit)
        start, end, status, _, rbody = self._send("PutObject", req, (200,), key=slot, value=token, md5=md5,
                                                  size=size)
        self._record(op="PutObject", key=slot, start=start, end=end, status=status,
                     code=s3ops.error_code(status, rbody), value=token, md5=md5, size=size)

    def GetObject(self) -> None:
        self._read("GET", "GetObject")

    def HeadObject(self) -> None:
        self._read("HEAD", "HeadObject")

    def _read(self, method: str, name: str) -> None:
        import hashlib

        slot, key = self._key()
        ep = STATE.endpoint
        host, path = ep.object_path(key)
        req = s3ops.sign_request(self.signer, ep, method, host, path)
        start, end, status, resp, body = self._send(name, req, (200, 404), key=slot)
        value = md5 = None
        if status == 200:
            value = resp.headers.get(s3ops.TOKEN_HEADER)
            md5 = (hashlib.md5(body).hexdigest() if method == "GET"  # noqa: S324 - S3's ETag, not security
                   else (resp.headers.get("ETag") or "").strip('"'))
        self._record(op=name, key=slot, start=start, end=end, status=status, code=s3ops.error_code(status, body),
                     value=value, md5=md5, size=len(body))

    def DeleteObject(self) -> None:
        slot, key = self._key()
        ep = STATE.endpoint
        host, path = ep.object_path(key)
        req = s3ops.sign_request(self.signer, ep, "DELETE", host, path)
        start, end, status, _, body = self._send("DeleteObject", req, (204, 200), key=slot)
        self._record(op="DeleteObject", key=slot, start=start, end=end, status=status,
                     code=s3ops.error_code(status, body))

