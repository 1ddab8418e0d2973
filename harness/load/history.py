"""The consistency history: one record per operation, made by the Locust user that ran it.

Every record has the invocation and completion times (the worker's wall clock, ``time.time()``), the worker process
and the connection (one Locust user = one connection pool) that ran it, the HTTP status and S3 error code, and:

- PutObject: the write's token (also sent as ``x-amz-meta-load-token``) and the body's MD5;
- GetObject / HeadObject: the token read back (None for a 404) and the MD5 of the body / the ETag;
- DeleteObject: nothing more (a delete is a write of "absent");
- ListObjects: the key slots listed.

Workers send their records to the master in batches over Locust's own messaging (``s3load_history``); the master
appends them to one JSON-lines file, which the checker reads after the run. Records are plain lists on the wire.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass, field, fields, replace


@dataclass(frozen=True)
class Op:
    id: str
    op: str  # S3 operation name
    key: int | None  # key slot (None for bucket-level operations)
    worker: str
    conn: str
    start: float
    end: float
    status: int | None  # None: no response (transport error, timeout)
    code: str | None = None  # S3 error code of an error response
    value: str | None = None  # token written (PUT) or read back (GET/HEAD 200)
    md5: str | None = None  # body MD5 (PUT, GET) or ETag (HEAD)
    size: int = 0
    listed: tuple[int, ...] | None = None  # ListObjects: the key slots listed

    def row(self) -> list:
        return list(astuple(self))

    @classmethod
    def from_row(cls, row: list) -> Op:
        values = list(row)
        if values[-1] is not None:
            values[-1] = tuple(values[-1])
        return cls(*values)

    def brief(self, t0: float = 0.0) -> dict:
        """The record as an anomaly shows it: times relative to the run's start, in seconds."""
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "listed"}
        d["start"], d["end"] = round(self.start - t0, 6), round(self.end - t0, 6)
        if self.listed is not None:
            d["listed"] = list(self.listed)
        return d


def write_lines(path: str, lines: Iterable[dict]) -> None:
    with open(path, "a", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, separators=(",", ":")) + "\n")


def read_lines(path: str) -> Iterator[dict]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


@dataclass(frozen=True)
class WorkerSummary:
    """What a worker says about itself at the end: how hard it worked and whether it was the bottleneck."""

    worker: str
    requests: int
    wall_seconds: float
    cpu_seconds: float
    signer_per_second: float
    cpu_warning: bool
    clock_offset: float  # worker clock minus master clock, estimated from a ping (seconds)
    clock_uncertainty: float  # half the ping's round trip
    complete: bool  # False when the worker hit --max-requests or lost records

    @property
    def signed_per_cpu_second(self) -> float:
        return self.requests / self.cpu_seconds if self.cpu_seconds > 0 else 0.0


@dataclass(frozen=True)
class History:
    ops: list[Op]
    workers: list[WorkerSummary]
    announced: list[str]  # workers that said hello (a worker that never sends its summary lost records)
    started: float
    finished: float
    flags: dict = field(default_factory=dict)  # the master's: cpu_warning, worker_cpu_warning

    @property
    def skew(self) -> float:
        """The widest clock uncertainty between any worker and the master: every window is widened by it."""
        return max((abs(w.clock_offset) + w.clock_uncertainty for w in self.workers), default=0.0)

    @property
    def missing_workers(self) -> list[str]:
        done = {w.worker for w in self.workers}
        return sorted(set(self.announced) - done)


def load_history(path: str) -> History:
    """Read the master's JSON-lines file: {"hello": w}, {"clock": {...}}, {"ops": [rows]}, {"summary": {...}},
    {"run": {...}}."""
    ops: list[Op] = []
    clocks: dict[str, dict] = {}
    flags: dict = {}
    workers: list[WorkerSummary] = []
    announced: list[str] = []
    started = finished = 0.0
    for line in read_lines(path):
        if "ops" in line:
            ops.extend(Op.from_row(r) for r in line["ops"])
        elif "summary" in line:
            workers.append(WorkerSummary(**line["summary"]))
        elif "hello" in line:
            announced.append(line["hello"])
        elif "clock" in line:
            c = line["clock"]
            if c["worker"] not in clocks or c["uncertainty"] < clocks[c["worker"]]["uncertainty"]:
                clocks[c["worker"]] = c  # the ping with the shortest round trip bounds the offset best
        elif "run" in line:
            started = line["run"].get("started", started)
            finished = line["run"].get("finished", finished)
            flags.update({k: v for k, v in line["run"].items() if k not in ("started", "finished")})
    if ops and not started:
        started = min(o.start for o in ops)
    if ops and not finished:
        finished = max(o.end for o in ops)
    workers = [replace(w, clock_offset=clocks[w.worker]["offset"], clock_uncertainty=clocks[w.worker]["uncertainty"])
               if w.worker in clocks else w for w in workers]
    return History(ops=ops, workers=workers, announced=announced, started=started, finished=finished, flags=flags)
