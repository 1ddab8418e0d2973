"""32 concurrent clients doing mixed PUT/GET/HEAD/DELETE/LIST on overlapping keys, against the memory store and
the disk store: no 5xx, no connection errors, and every read is one a correct store could give.

Every operation gets two ticks of one global clock: ``start`` before the request is sent, ``end`` after its answer
arrived. A write's result is its version (a PUT) or absence (a DELETE); the key starts absent. A read of a key (GET,
HEAD, or one key's presence or absence in a listing) returning result ``r`` is consistent when some write ``w`` of
that key with result ``r`` satisfies both:

* ``w.start < read.end`` — the version had been sent before the answer came back (nothing read from the future);
* no write ``w2`` of the key ran wholly after ``w`` and wholly before the read (``w.end < w2.start`` and
  ``w2.end < read.start``) — ``w`` was not overwritten, as far as the clients could know, before the read began.

So a read returns the last write acknowledged before it began, or a write it overlapped. A listing is consistent when
every key it shows, with the ETag it shows, and every key it leaves out, is such a read over the listing's interval.
Bodies are ``key:version:`` plus padding derived from both, so a GET also proves the body whole.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import threading
import time
from dataclasses import dataclass, field

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from .conftest import BUCKET, client, new_emulator

CLIENTS = 32
OPS_PER_CLIENT = 60
WALL_CAP_SECONDS = 20.0  # ends a slow run early; never asserted on
KEYS = [f"load/{i:02d}" for i in range(16)]
MAX_PAD = 48 * 1024
INITIAL = -1  # the tick of the (absent) state every key starts in


def body_for(key: str, version: int) -> bytes:
    pad = int.from_bytes(hashlib.sha256(f"{key}:{version}".encode()).digest()[:4], "big") % MAX_PAD
    return f"{key}:{version}:".encode() + bytes([version % 251]) * pad


def etag_for(key: str, version: int) -> str:
    return f'"{hashlib.md5(body_for(key, version)).hexdigest()}"'


@dataclass
class Write:
    key: str
    version: int | None  # None: a DELETE
    start: int
    end: int | None = None  # None: never acknowledged


@dataclass(frozen=True)
class Read:
    key: str
    result: int | None  # the version seen; None: absent
    start: int
    end: int
    how: str


def _initial() -> dict[str, list[Write]]:
    return {k: [Write(k, None, INITIAL, INITIAL)] for k in KEYS}


@dataclass
class History:
    writes: dict[str, list[Write]] = field(default_factory=_initial)
    reads: list[Read] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    versions: itertools.count = field(default_factory=itertools.count)
    _clock: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def tick(self) -> int:
        with self._lock:
            return next(self._clock)

    def begin_write(self, key: str, version: int | None) -> Write:
        write = Write(key, version, self.tick())
        with self._lock:
            self.writes[key].append(write)
        return write

    def version_by_etag(self, key: str, etag: str) -> int | None:
        with self._lock:
            found = [w.version for w in self.writes[key] if w.version is not None and etag_for(key, w.version) == etag]
        if not found:
            self.failures.append(f"{key}: ETag {etag} is no version ever written")
        return found[0] if found else None


def consistent(read: Read, writes: list[Write]) -> bool:
    done = [w for w in writes if w.end is not None]
    for w in writes:
        if w.version != read.result or w.start >= read.end:
            continue
        if w.end is None or not any(w.end < w2.start and w2.end < read.start for w2 in done):
            return True
    return False


# -- one client ---------------------------------------------------------------------------------------------------


def _missing(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] in ("NoSuchKey", "404")


def do_put(s3, h: History, key: str) -> None:
    write = h.begin_write(key, next(h.versions))
    s3.put_object(Bucket=BUCKET, Key=key, Body=body_for(key, write.version))
    write.end = h.tick()


def do_delete(s3, h: History, key: str) -> None:
    write = h.begin_write(key, None)
    s3.delete_object(Bucket=BUCKET, Key=key)
    write.end = h.tick()


def do_get(s3, h: History, key: str) -> None:
    start = h.tick()
    try:
        body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    except ClientError as exc:
        if not _missing(exc):
            raise
        h.reads.append(Read(key, None, start, h.tick(), "GET"))
        return
    end = h.tick()
    name, version, _ = body.split(b":", 2)
    if name.decode() != key or body != body_for(key, int(version)):
        h.failures.append(f"GET {key}: a torn or foreign body ({len(body)} bytes, claims {name!r}:{version!r})")
        return
    h.reads.append(Read(key, int(version), start, end, "GET"))


def do_head(s3, h: History, key: str) -> None:
    start = h.tick()
    try:
        etag = s3.head_object(Bucket=BUCKET, Key=key)["ETag"]
    except ClientError as exc:
        if not _missing(exc):
            raise
        h.reads.append(Read(key, None, start, h.tick(), "HEAD"))
        return
    h.reads.append(Read(key, h.version_by_etag(key, etag), start, h.tick(), "HEAD"))


def do_list(s3, h: History, _key: str) -> None:
    start = h.tick()
    page = s3.list_objects(Bucket=BUCKET, Prefix="load/")
    end = h.tick()
    listed = {item["Key"]: item for item in page.get("Contents", [])}
    if set(listed) - set(KEYS):
        h.failures.append(f"LIST shows keys never written: {sorted(set(listed) - set(KEYS))}")
    for key in KEYS:
        item = listed.get(key)
        version = None if item is None else h.version_by_etag(key, item["ETag"])
        if item is not None and version is not None and item["Size"] != len(body_for(key, version)):
            h.failures.append(f"LIST {key}: size {item['Size']} is not that of version {version}")
        h.reads.append(Read(key, version, start, end, "LIST"))


OPERATIONS = [(do_put, 35), (do_get, 25), (do_head, 15), (do_delete, 10), (do_list, 15)]


def run_client(s3, h: History, seed: int, deadline: float) -> None:
    rng = random.Random(seed)
    ops, weights = zip(*OPERATIONS, strict=True)
    for _ in range(OPS_PER_CLIENT):
        if time.monotonic() > deadline:
            return
        op = rng.choices(ops, weights)[0]
        key = rng.choice(KEYS)
        try:
            op(s3, h, key)
        except ClientError as exc:
            status = exc.response["ResponseMetadata"].get("HTTPStatusCode")
            h.failures.append(f"{op.__name__} {key}: HTTP {status} {exc.response['Error'].get('Code')}")
        except (BotoCoreError, OSError) as exc:
            h.failures.append(f"{op.__name__} {key}: {exc!r}")


# -- the test -----------------------------------------------------------------------------------------------------


def run_load(emu) -> History:
    h = History()
    clients = [client(emu, max_pool_connections=2) for _ in range(CLIENTS)]  # boto3 makes clients one at a time
    deadline = time.monotonic() + WALL_CAP_SECONDS
    threads = [threading.Thread(target=run_client, args=(c, h, n, deadline)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for key in KEYS:  # a last read of every key, after every write ended
        do_get(clients[0], h, key)
    for c in clients:
        c.close()
    return h


@pytest.mark.parametrize("store", ["memory", "disk"])
def test_32_clients_mixed_operations_on_overlapping_keys(tmp_path, store):
    data_dir = str(tmp_path / "data") if store == "disk" else None
    with new_emulator(tls=False, data_dir=data_dir) as emu:
        h = run_load(emu)
        errors = [r for r in emu.requests if r[2] >= 500]
    assert not h.failures, h.failures[:10]
    assert not errors, errors[:10]
    wrong = [r for r in h.reads if not consistent(r, h.writes[r.key])]
    assert not wrong, [(r, [(w.version, w.start, w.end) for w in h.writes[r.key]]) for r in wrong[:3]]
    kinds = {r.how for r in h.reads}
    assert kinds == {"GET", "HEAD", "LIST"} and sum(len(w) for w in h.writes.values()) > len(KEYS)


def test_the_consistency_check_refuses_stale_and_future_reads():
    writes = [Write("k", None, INITIAL, INITIAL), Write("k", 1, 1, 2), Write("k", 2, 3, 4), Write("k", 3, 9, None)]
    assert consistent(Read("k", 2, 5, 6, "GET"), writes)
    assert not consistent(Read("k", 1, 5, 6, "GET"), writes)  # overwritten by version 2 before the read began
    assert not consistent(Read("k", None, 5, 6, "GET"), writes)  # the initial absence is long gone
    assert not consistent(Read("k", 3, 5, 6, "GET"), writes)  # version 3 was sent only after the read ended
    assert consistent(Read("k", 3, 5, 10, "GET"), writes)  # ... but overlapping it, it may be seen
    assert consistent(Read("k", 1, 2, 6, "GET"), writes)  # version 2 overlapped the read
