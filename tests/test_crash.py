"""SIGKILL the standalone emulator (``--data-dir``) in the middle of a concurrent PUT/DELETE load, restart it on the
same directory, and check that every acknowledged write is there and intact and that nothing is torn.

Each body names its key and version and is derived from them (``body_for``), so any body read back is checked
whole. Keys are of two kinds:

* owned keys: one thread alone writes each, so its operations are sequential. After the restart such a key must be
  in the state its last acknowledged operation left, or in the state of the one operation that was in flight after
  it (a PUT that reached the disk but whose answer was lost, or a DELETE) — nothing older, nothing torn.
* shared keys: every thread writes them, so operations race. Such a key must be absent or hold a whole version that
  was written in this round or held before it.

The kill point is a count of acknowledged operations (not a sleep); every round restarts on the directory the
previous round left, so recovery is exercised on top of earlier recoveries.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .conftest import ACCESS_KEY, BUCKET, SECRET_KEY

THREADS = 6
OWNED_PER_THREAD = 3
SHARED = [f"shared/{i}" for i in range(4)]
KILL_POINTS = (1, 4, 10, 18, 30, 45, 60, 80, 100, 130)  # acknowledged operations before the SIGKILL
MAX_OPS_PER_THREAD = 200  # per round: the load always ends by itself
MAX_BODY = 384 * 1024
Absent = None  # the state of a key that holds nothing


# -- the standalone emulator --------------------------------------------------------------------------------------


@dataclass
class Standalone:
    proc: subprocess.Popen
    endpoint_url: str
    ca_file: str | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)


def start_standalone(data_dir: Path, work: Path, *extra: str) -> Standalone:
    """``python -m emulator --data-dir`` on a free port; waits (bounded) for its ready file."""
    ready = work / f"ready-{uuid.uuid4().hex}.json"
    argv = [sys.executable, "-m", "emulator", "--port", "0", "--data-dir", str(data_dir), "--bucket", BUCKET]
    argv += ["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY, "--ready-file", str(ready), "--quiet", *extra]
    with open(work / "emulator.log", "ab") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=log, cwd=work)
    for _ in range(600):  # bounded wait for the ready file, not a timing assertion
        if ready.exists() or proc.poll() is not None:
            break
        time.sleep(0.02)
    if not ready.exists():
        proc.kill()
        proc.wait()
        pytest.fail(f"the emulator did not start: {(work / 'emulator.log').read_text()[-2000:]}")
    return Standalone(proc, json.loads(ready.read_text())["endpoint_url"])


def s3_client(endpoint_url: str) -> object:
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30),
    )


# -- bodies that prove themselves ---------------------------------------------------------------------------------


def body_for(key: str, version: str, max_size: int = MAX_BODY) -> bytes:
    """``key|version|`` then filler derived from both: any byte out of place is detected."""
    seed = hashlib.sha256(f"{key}|{version}".encode()).digest()
    size = int.from_bytes(seed[:4], "big") % max_size
    return f"{key}|{version}|".encode() + (seed * (size // len(seed) + 1))[:size]


def version_of(key: str, body: bytes, max_size: int = MAX_BODY) -> str:
    """The version a body claims to be; fails if the body is not exactly that version of that key."""
    parts = body.split(b"|", 2)
    assert len(parts) == 3 and parts[0].decode() == key, f"{key}: body does not name its key: {body[:80]!r}"
    version = parts[1].decode()
    assert body == body_for(key, version, max_size), f"{key}: version {version} is torn ({len(body)} bytes)"
    return version


# -- the load -----------------------------------------------------------------------------------------------------


@dataclass
class Op:
    kind: str  # "put" | "delete"
    key: str
    version: str | None
    acked: bool = False

    @property
    def result(self) -> str | None:
        return self.version if self.kind == "put" else Absent


@dataclass
class Load:
    round_no: int
    owned: list[list[str]]
    history: dict[str, list[Op]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    acked: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def record(self, op: Op) -> None:
        with self.cond:
            self.history.setdefault(op.key, []).append(op)

    def ack(self, op: Op) -> None:
        with self.cond:
            op.acked = True
            self.acked += 1
            self.cond.notify_all()

    def worker(self, thread: int, client) -> None:
        rng = random.Random(f"{self.round_no}/{thread}")
        keys = self.owned[thread] + SHARED
        for n in range(MAX_OPS_PER_THREAD):
            if self.stop.is_set():
                return
            key = rng.choice(keys)
            op = Op("delete", key, None) if rng.random() < 0.3 else Op("put", key, f"r{self.round_no}t{thread}n{n}")
            self.record(op)
            if not self._send(client, op):
                return
            self.ack(op)

    def _send(self, client, op: Op) -> bool:
        try:
            if op.kind == "put":
                client.put_object(Bucket=BUCKET, Key=op.key, Body=body_for(op.key, op.version))
            else:
                client.delete_object(Bucket=BUCKET, Key=op.key)
            return True
        except (BotoCoreError, ClientError, OSError) as exc:
            if not self.stop.is_set():  # before the kill, every operation must succeed
                self.errors.append(f"{op.kind} {op.key}: {exc!r}")
            return False

    def wait_for_acks(self, count: int) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: self.acked >= count or self.errors, timeout=120)


def run_until_killed(emu: Standalone, load: Load, kill_at: int) -> None:
    clients = [s3_client(emu.endpoint_url) for _ in range(THREADS)]  # made here: client creation is not thread-safe
    threads = [threading.Thread(target=load.worker, args=(t, clients[t])) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    reached = load.wait_for_acks(kill_at)
    load.stop.set()
    emu.kill()
    for thread in threads:
        thread.join(60)
    assert not load.errors, load.errors[:5]
    assert reached, f"only {load.acked} operations were acknowledged"


# -- what may be there after the restart --------------------------------------------------------------------------


def allowed_owned(ops: list[Op], before: str | None) -> set[str | None]:
    """Sequential operations: the last acknowledged state, or the in-flight operation after it."""
    acked = [i for i, op in enumerate(ops) if op.acked]
    last = acked[-1] if acked else -1
    allowed = {ops[last].result if last >= 0 else before}
    allowed |= {op.result for op in ops[last + 1 :]}
    return allowed


def allowed_shared(ops: list[Op], before: str | None) -> set[str | None]:
    return {before} | {op.result for op in ops}


def observe(client, keys: list[str]) -> dict[str, str | None]:
    """Each key's state read back with GET, every body checked whole; the listing must agree."""
    state: dict[str, str | None] = {}
    for key in keys:
        try:
            got = client.get_object(Bucket=BUCKET, Key=key)
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "NoSuchKey", exc
            state[key] = Absent
            continue
        body = got["Body"].read()
        state[key] = version_of(key, body)
        assert got["ETag"] == f'"{hashlib.md5(body).hexdigest()}"', key
    listed = {o["Key"]: o for o in client.list_objects(Bucket=BUCKET).get("Contents", [])}
    assert set(listed) == {k for k, v in state.items() if v is not Absent}
    for key, item in listed.items():
        assert item["Size"] == len(body_for(key, state[key]))
    return state


def object_files(data_dir: Path) -> list[str]:
    return sorted(p.name for p in data_dir.glob("buckets/*/objects/*"))


def check_recovered(
    load: Load, before: dict[str, str | None], after: dict[str, str | None], allowed: Callable[[str], set]
) -> None:
    for key, state in after.items():
        ops = load.history.get(key, [])
        assert state in allowed(key), (
            f"{key}: found {state!r}; before the round {before[key]!r}; ops "
            f"{[(op.kind, op.version, op.acked) for op in ops]}"
        )


def test_sigkill_under_load_keeps_every_acknowledged_write(tmp_path):
    data = tmp_path / "data"
    owned = [[f"own/{t}/{i}" for i in range(OWNED_PER_THREAD)] for t in range(THREADS)]
    keys = [k for group in owned for k in group] + SHARED
    state: dict[str, str | None] = dict.fromkeys(keys, Absent)
    emu = start_standalone(data, tmp_path)
    for round_no, kill_at in enumerate(KILL_POINTS):
        load = Load(round_no, owned)
        run_until_killed(emu, load, kill_at)
        emu = start_standalone(data, tmp_path)
        after = observe(s3_client(emu.endpoint_url), keys)

        def allowed(key: str, load: Load = load, before: dict = state) -> set[str | None]:
            ops = load.history.get(key, [])
            return allowed_shared(ops, before[key]) if key in SHARED else allowed_owned(ops, before[key])

        check_recovered(load, state, after, allowed)
        files = object_files(data)
        assert all(len(f) == 64 for f in files), f"left behind after the restart: {files}"
        assert len(files) == sum(v is not Absent for v in after.values())
        state = after
    assert emu.stop() == 0
    assert any(v is not Absent for v in state.values())


def test_crash_check_detects_a_torn_body():
    """The checker itself: a body cut short, or another key's body, is refused."""
    good = body_for("own/0/0", "r0t0n1")
    assert version_of("own/0/0", good) == "r0t0n1"
    with pytest.raises(AssertionError):
        version_of("own/0/0", good[:-1])
    with pytest.raises(AssertionError):
        version_of("own/0/1", body_for("own/0/0", "r0t0n1"))
    ops = [Op("put", "k", "v1", acked=True), Op("delete", "k", None, acked=True), Op("put", "k", "v3")]
    assert allowed_owned(ops, "v0") == {None, "v3"}


def test_a_leftover_upload_is_removed_at_start(tmp_path):
    """A temporary file as a crash leaves it (no commit, no abort) is gone after the restart; data stays."""
    data = tmp_path / "data"
    emu = start_standalone(data, tmp_path)
    s3_client(emu.endpoint_url).put_object(Bucket=BUCKET, Key="kept", Body=b"kept")
    emu.kill()
    objects = next(data.glob("buckets/*/objects"))
    (objects / ".tmp-0123456789abcdef").write_bytes(b"half an upload")
    emu = start_standalone(data, tmp_path)
    try:
        assert s3_client(emu.endpoint_url).get_object(Bucket=BUCKET, Key="kept")["Body"].read() == b"kept"
        assert [p.name for p in objects.iterdir() if p.name.startswith(".tmp")] == []
    finally:
        emu.stop()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")
def test_a_second_emulator_on_the_same_directory_is_refused(tmp_path):
    data = tmp_path / "data"
    emu = start_standalone(data, tmp_path)
    try:
        argv = [sys.executable, "-m", "emulator", "--port", "0", "--data-dir", str(data)]
        result = subprocess.run(
            argv + ["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 2 and "in use by another emulator" in result.stderr, result.stderr
    finally:
        emu.stop()
