"""``--data-dir``: what survives a restart, what an aborted upload leaves (nothing), where keys land on disk (inside
the directory, one file each), what a reader sees during an overwrite (one whole version), and memory that does not
grow with the object's size."""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import os
import socket
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.config import ConfigError
from emulator.storage import ObjectMeta, disk
from emulator.storage.disk import DiskStorage

from .conftest import (
    ACCESS_KEY,
    BUCKET,
    OTHER_ACCESS_KEY,
    OTHER_BUCKET,
    OTHER_SECRET_KEY,
    SECRET_KEY,
    client,
    new_emulator,
)
from .rawhttp import sign, signed_request
from .test_crash import Standalone, body_for, start_standalone, version_of

MIB = 1 << 20
BIG_MIB = int(os.environ.get("S3_EMULATOR_BIG_MIB", "256"))  # 1024 to measure the 1 GiB case
RSS_BOUND_MIB = 64
NASTY_KEYS = [
    "../../etc/passwd",
    "/absolute/path",
    "a/../../b",
    "./x",
    ".",
    "..",
    "...",
    "a//b",
    "trailing/",
    "nul\x00byte",
    "Case",
    "case",
    "CASE",
    "\u00e9",  # é precomposed ...
    "e\u0301",  # ... and decomposed: different keys
    "stra\u00dfe",
    "STRASSE",
    "\U0001f600 emoji",
    "con",
    "nul.txt",
    "trailing dot.",
    "back\\slash",
    "\u202eright-to-left",
    "k" * 1024,
    "\u00e9" * 512,  # 1024 bytes of UTF-8
]


# -- helpers ------------------------------------------------------------------------------------------------------


def meta_for(key: str, body: bytes, **kw) -> ObjectMeta:
    return ObjectMeta(
        key=key,
        size=len(body),
        etag=f'"{hashlib.md5(body).hexdigest()}"',
        last_modified=1_700_000_000.0,
        content_type=kw.pop("content_type", "binary/octet-stream"),
        **kw,
    )


def put(store: DiskStorage, bucket: str, key: str, body: bytes, **kw) -> ObjectMeta:
    """What PutObject does: stream into a writer, then commit (in an event loop, as the server does)."""
    writer = store.writer(bucket, key)
    for pos in range(0, len(body), 100_000):
        writer.write(body[pos : pos + 100_000])
    return asyncio.run(writer.commit(meta_for(key, body, **kw)))


def read(store: DiskStorage, bucket: str, key: str) -> bytes | None:
    opened = store.open(bucket, key)
    return None if opened is None else b"".join(opened[1].chunks(0, opened[0].size))


def files_under(root: Path) -> list[Path]:
    return [Path(d) / f for d, _, names in os.walk(root) for f in names]


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob(".tmp-*")]


@pytest.fixture
def store(tmp_path) -> Iterator[DiskStorage]:
    s = DiskStorage(str(tmp_path / "data"))
    s.create_bucket(BUCKET, ACCESS_KEY)
    yield s
    s.close()


# -- restarts -----------------------------------------------------------------------------------------------------


def test_restart_keeps_objects_metadata_and_deletions(tmp_path):
    data = str(tmp_path / "data")
    with new_emulator(tls=False, data_dir=data) as emu:
        s3 = client(emu)
        s3.put_object(
            Bucket=BUCKET,
            Key="docs/a.txt",
            Body=b"alpha",
            ContentType="text/plain",
            ContentEncoding="identity",
            CacheControl="max-age=60",
            Metadata={"colour": "blue", "n": "1"},
            ChecksumAlgorithm="SHA256",
        )
        s3.put_object(Bucket=BUCKET, Key="empty", Body=b"")
        s3.put_object(Bucket=BUCKET, Key="gone", Body=b"to be deleted")
        s3.delete_object(Bucket=BUCKET, Key="gone")
        s3.put_object(Bucket=BUCKET, Key="docs/a.txt", Body=b"alpha v2", ContentType="text/plain", Metadata={"v": "2"})
        first = s3.get_object(Bucket=BUCKET, Key="docs/a.txt", ChecksumMode="ENABLED")
        listing = s3.list_objects(Bucket=BUCKET)["Contents"]
    with new_emulator(tls=False, data_dir=data) as emu:
        s3 = client(emu)
        again = s3.get_object(Bucket=BUCKET, Key="docs/a.txt", ChecksumMode="ENABLED")
        assert again["Body"].read() == b"alpha v2"
        for field in ("ETag", "ContentType", "Metadata", "LastModified", "ContentLength", "ChecksumCRC32"):
            assert again.get(field) == first.get(field), field
        assert s3.get_object(Bucket=BUCKET, Key="empty")["Body"].read() == b""
        with pytest.raises(ClientError) as exc:
            s3.head_object(Bucket=BUCKET, Key="gone")
        assert exc.value.response["Error"]["Code"] == "404"
        assert s3.list_objects(Bucket=BUCKET)["Contents"] == listing


def test_headers_and_checksums_survive(tmp_path):
    data = str(tmp_path / "data")
    with new_emulator(tls=False, data_dir=data) as emu:
        client(emu).put_object(
            Bucket=BUCKET,
            Key="h",
            Body=b"x",
            ContentDisposition='attachment; filename="a b.txt"',
            ContentLanguage="fr",
            Metadata={"Mixed-Case": "v a l"},
            ChecksumAlgorithm="SHA256",
        )
        before = client(emu).head_object(Bucket=BUCKET, Key="h", ChecksumMode="ENABLED")
    with new_emulator(tls=False, data_dir=data) as emu:
        after = client(emu).head_object(Bucket=BUCKET, Key="h", ChecksumMode="ENABLED")
    for field in ("ContentDisposition", "ContentLanguage", "Metadata", "ChecksumSHA256", "ETag", "LastModified"):
        assert after.get(field) == before.get(field), field
    assert after["ChecksumSHA256"]


def test_buckets_keep_owner_and_creation_date(tmp_path, monkeypatch):
    data = str(tmp_path / "data")
    monkeypatch.setattr(disk.time, "time", lambda: 1_000_000_000.9)  # made long ago: a re-creation would show
    made = DiskStorage(data)
    made.create_bucket(BUCKET, ACCESS_KEY)
    made.create_bucket(OTHER_BUCKET, OTHER_ACCESS_KEY)
    made.create_bucket("extra-bucket", ACCESS_KEY)
    made.close()
    monkeypatch.undo()
    long_ago = datetime.fromtimestamp(1_000_000_000, timezone.utc)
    with new_emulator(tls=False, data_dir=data, allow_bucket_admin=True) as emu:
        mine = {b["Name"]: b["CreationDate"] for b in client(emu).list_buckets()["Buckets"]}
        theirs = client(emu, access_key=OTHER_ACCESS_KEY, secret_key=OTHER_SECRET_KEY).list_buckets()["Buckets"]
        assert mine == {BUCKET: long_ago, "extra-bucket": long_ago}
        assert [(b["Name"], b["CreationDate"]) for b in theirs] == [(OTHER_BUCKET, long_ago)]
        client(emu).delete_bucket(Bucket="extra-bucket")
        client(emu).create_bucket(Bucket="new-bucket")
        client(emu).put_object(Bucket="new-bucket", Key="k", Body=b"v")
    with new_emulator(tls=False, data_dir=data) as emu:
        names = [b["Name"] for b in client(emu).list_buckets()["Buckets"]]
        assert names == [BUCKET, "new-bucket"]
        assert client(emu).get_object(Bucket="new-bucket", Key="k")["Body"].read() == b"v"
    assert not list((tmp_path / "data" / "buckets").glob(".*"))


def test_a_bucket_made_by_the_command_line_is_kept(tmp_path):
    data = tmp_path / "data"
    emu = start_standalone(data, tmp_path, "--bucket", "cli-made")
    try:
        raw = signed_request(emu, "PUT", "/cli-made/k", {}, b"value")
        assert raw[0] == 200
    finally:
        assert emu.stop() == 0
    emu = start_standalone(data, tmp_path)  # without --bucket cli-made this time
    try:
        assert signed_request(emu, "GET", "/cli-made/k")[2] == b"value"
    finally:
        assert emu.stop() == 0


# -- the durability protocol --------------------------------------------------------------------------------------


def test_commit_fsyncs_file_then_renames_then_fsyncs_directory(store, monkeypatch):
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    def replace(src, dst) -> None:
        events.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(disk.os, "fsync", fsync)
    monkeypatch.setattr(disk.os, "replace", replace)
    writer = store.writer(BUCKET, "k")
    writer.write(b"body")
    assert store.head(BUCKET, "k") is None and events == []

    async def commit() -> None:
        await writer.commit(meta_for("k", b"body"))
        events.append("acknowledged")

    asyncio.run(commit())
    assert events == ["fsync file", "rename", "fsync dir", "acknowledged"]
    assert read(store, BUCKET, "k") == b"body"
    events.clear()
    assert store.delete(BUCKET, "k")  # outside an event loop the directory fsync is immediate
    assert events == ["fsync dir"]


def test_a_delete_is_made_durable_by_close(tmp_path, monkeypatch):
    data = str(tmp_path / "data")
    s = DiskStorage(data)
    s.create_bucket(BUCKET, ACCESS_KEY)
    put(s, BUCKET, "k", b"v")
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(disk.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])

    async def delete_then_close() -> int:
        assert s.delete(BUCKET, "k")
        s.close()  # without yielding to the loop: close makes the delete durable itself
        return len(synced)

    assert asyncio.run(delete_then_close()) >= 1
    reopened = DiskStorage(data)
    assert reopened.head(BUCKET, "k") is None
    reopened.close()


def test_the_file_holds_body_then_metadata_then_footer(store):
    put(store, BUCKET, "k", b"0123456789", metadata=(("a", "b"),))
    (path,) = [p for p in files_under(Path(store.root) / "buckets") if p.name != "bucket.json"]
    raw = path.read_bytes()
    assert raw.startswith(b"0123456789") and raw.endswith(disk.MAGIC)
    assert disk.read_object_meta(str(path)) == store.head(BUCKET, "k")


# -- aborted uploads ----------------------------------------------------------------------------------------------


def test_abort_leaves_nothing(store):
    put(store, BUCKET, "k", b"old")
    writer = store.writer(BUCKET, "k")
    writer.write(b"new but never committed" * 1000)
    assert len(temp_files(Path(store.root))) == 1
    writer.abort()
    assert temp_files(Path(store.root)) == []
    assert read(store, BUCKET, "k") == b"old"


def test_a_failed_commit_leaves_nothing(store):
    writer = store.writer(BUCKET, "k")
    writer.write(b"abc")
    try:
        with pytest.raises(ValueError):  # the size in the metadata disagrees with the bytes written
            asyncio.run(writer.commit(meta_for("k", b"abcd")))
    finally:
        writer.abort()
    assert temp_files(Path(store.root)) == [] and store.head(BUCKET, "k") is None


def test_leftovers_of_a_crash_are_removed_at_start(tmp_path):
    data = tmp_path / "data"
    s = DiskStorage(str(data))
    s.create_bucket(BUCKET, ACCESS_KEY)
    put(s, BUCKET, "kept", b"kept")
    s.writer(BUCKET, "half").write(b"half an upload")  # neither committed nor aborted: as a SIGKILL leaves it
    (data / "buckets" / ".tmp-0000").mkdir()  # a bucket creation cut short
    (data / "buckets" / ".deleted-0000").mkdir()  # a bucket deletion cut short
    s.close()
    assert len(temp_files(data)) == 2
    again = DiskStorage(str(data))
    try:
        assert temp_files(data) == [] and not (data / "buckets" / ".deleted-0000").exists()
        assert list(again.keys_from(BUCKET, "")) == ["kept"] and read(again, BUCKET, "kept") == b"kept"
    finally:
        again.close()


class _UnsignedPayload(S3SigV4Auth):
    def payload(self, request) -> str:
        return "UNSIGNED-PAYLOAD"


def unsigned_headers(endpoint_url: str, method: str, target: str, size: int) -> dict[str, str]:
    """SigV4 headers (botocore's signer) for a body streamed as UNSIGNED-PAYLOAD, even over plain HTTP."""
    request = AWSRequest(method=method, url=endpoint_url + target, headers={"Content-Length": str(size)})
    _UnsignedPayload(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def _partial_put(endpoint_url: str, target: str, declared: int, sent: bytes) -> socket.socket:
    """A signed PUT that promises ``declared`` bytes and sends ``sent``; the socket is left open."""
    headers = unsigned_headers(endpoint_url, "PUT", target, declared)
    parts = urlsplit(endpoint_url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    lines = [f"PUT {target} HTTP/1.1", f"Host: {parts.netloc}", *(f"{k}: {v}" for k, v in headers.items())]
    head = "\r\n".join(lines) + "\r\n\r\n"
    sock.sendall(head.encode() + sent)
    return sock


def _wait_until(condition, what: str) -> None:
    for _ in range(500):  # bounded polling, not a timing assertion
        if condition():
            return
        time.sleep(0.02)
    pytest.fail(f"never happened: {what}")


def test_a_client_that_disconnects_mid_upload_leaves_nothing(tmp_path):
    data = tmp_path / "data"
    with new_emulator(tls=False, data_dir=str(data)) as emu:
        s3 = client(emu)
        s3.put_object(Bucket=BUCKET, Key="k", Body=b"old")
        sock = _partial_put(emu.endpoint_url, f"/{BUCKET}/k", 8 * MIB, b"x" * MIB)
        _wait_until(lambda: temp_files(data), "the upload's temporary file appeared")
        sock.close()
        _wait_until(lambda: not temp_files(data), "the temporary file was removed")
        assert s3.get_object(Bucket=BUCKET, Key="k")["Body"].read() == b"old"
        s3.put_object(Bucket=BUCKET, Key="k", Body=b"new")  # and the server goes on serving
    assert len([p for p in files_under(data / "buckets") if p.name != "bucket.json"]) == 1


def test_a_refused_body_leaves_nothing(tmp_path):
    data = tmp_path / "data"
    with new_emulator(tls=False, data_dir=str(data)) as emu:
        md5_of_other = "XrY7u+Ae7tCTyyK7j1rNww=="  # base64 MD5 of b"hello world"
        status, _, body = signed_request(emu, "PUT", f"/{BUCKET}/bad", {"Content-MD5": md5_of_other}, b"not it")
        assert status == 400 and b"BadDigest" in body
        assert temp_files(data) == []
        assert [p.name for p in files_under(data / "buckets")] == ["bucket.json", "bucket.json"]


# -- keys on disk -------------------------------------------------------------------------------------------------


def _check_layout(root: Path, keys: dict[str, bytes]) -> None:
    """Every file is inside the root, object files are named by lower-case hex only, one per key."""
    real_root = os.path.realpath(root)
    objects = []
    for path in files_under(root):
        assert os.path.realpath(path).startswith(real_root + os.sep), path
        if path.parent.name == "objects":
            objects.append(path.name)
    assert all(len(n) == 64 and set(n) <= set("0123456789abcdef") for n in objects), objects
    assert len({n.lower() for n in objects}) == len(keys)  # distinct even on a case-insensitive filesystem


key_text = st.text(st.characters(codec=None), min_size=1, max_size=30)  # any code point, surrogates included
key_paths = st.lists(st.sampled_from(["..", ".", "", "etc", "passwd", "\x00", "A", "a", "\u00e9", "/"]), min_size=1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(key_text, key_paths.map("/".join), st.sampled_from(NASTY_KEYS)), min_size=1, max_size=12))
def test_any_keys_stay_inside_the_directory_and_never_collide(keys):
    keys = [k for k in keys if k]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        s = DiskStorage(str(root))
        s.create_bucket(BUCKET, ACCESS_KEY)
        expected: dict[str, bytes] = {}
        for n, key in enumerate(keys):
            expected[key] = f"{n}:".encode() + key.encode("utf-8", "surrogatepass")
            put(s, BUCKET, key, expected[key])
        s.close()
        _check_layout(root, expected)
        assert set(os.listdir(tmp)) == {"data"}
        again = DiskStorage(str(root))
        try:
            assert list(again.keys_from(BUCKET, "")) == sorted(expected)
            for key, body in expected.items():
                assert read(again, BUCKET, key) == body
                assert again.head(BUCKET, key).key == key
        finally:
            again.close()


def test_nasty_keys_over_http_roundtrip_across_a_restart(tmp_path):
    data = tmp_path / "data"
    with new_emulator(tls=False, data_dir=str(data)) as emu:
        s3 = client(emu)
        for key in NASTY_KEYS:
            s3.put_object(Bucket=BUCKET, Key=key, Body=key.encode())
    assert sorted(os.listdir(tmp_path)) == ["data"]
    _check_layout(data, dict.fromkeys(NASTY_KEYS, b""))
    with new_emulator(tls=False, data_dir=str(data)) as emu:
        s3 = client(emu)
        for key in NASTY_KEYS:
            assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == key.encode(), key
        listed = [o["Key"] for o in s3.list_objects(Bucket=BUCKET)["Contents"]]  # botocore url-encodes, decodes
        assert listed == sorted(NASTY_KEYS)


def test_a_foreign_or_busy_directory_is_refused(tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "thesis.tex").write_text("precious")
    with pytest.raises(ConfigError, match="not empty"):
        DiskStorage(str(tmp_path / "home"))
    assert os.listdir(tmp_path / "home") == ["thesis.tex"]
    first = DiskStorage(str(tmp_path / "data"))
    try:
        with pytest.raises(ConfigError, match="in use"):
            DiskStorage(str(tmp_path / "data"))
    finally:
        first.close()
    (tmp_path / "data" / "FORMAT").write_text("something else\n")
    with pytest.raises(ConfigError, match="unknown format"):
        DiskStorage(str(tmp_path / "data"))


def test_an_initialisation_cut_short_is_finished(tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    (root / "LOCK").touch()
    (root / ".tmp-0123").write_text("s3-emulator data")  # the FORMAT file being written when the power went
    DiskStorage(str(root)).close()
    assert sorted(os.listdir(root)) == ["FORMAT", "LOCK", "buckets"]


def test_a_file_removed_behind_the_emulators_back_is_a_missing_key(store):
    put(store, BUCKET, "k", b"v")
    os.unlink(Path(store.root, "buckets", disk.name_for(BUCKET), "objects", disk.name_for("k")))
    assert store.open(BUCKET, "k") is None and store.head(BUCKET, "k") is None


def test_a_corrupt_object_file_is_skipped_not_deleted(store, caplog):
    put(store, BUCKET, "good", b"good")
    put(store, BUCKET, "bad", b"bad body")
    path = Path(store.root, "buckets", disk.name_for(BUCKET), "objects", disk.name_for("bad"))
    path.write_bytes(path.read_bytes()[:-3])  # as a disk that lost a sector would leave it
    store.close()
    again = DiskStorage(store.root)
    try:
        assert list(again.keys_from(BUCKET, "")) == ["good"]
        assert path.exists() and "ignoring object file" in caplog.text
    finally:
        again.close()


# -- readers during writes ----------------------------------------------------------------------------------------


def test_an_open_body_is_a_snapshot(store):
    old = os.urandom(3 * MIB + 5)
    put(store, BUCKET, "k", old)
    meta, body = store.open(BUCKET, "k")
    pieces = body.chunks(0, meta.size)
    first = next(pieces)
    put(store, BUCKET, "k", b"new")  # replaced mid-read
    assert first + b"".join(pieces) == old
    meta2, body2 = store.open(BUCKET, "k")
    store.delete(BUCKET, "k")  # deleted before the read starts
    assert b"".join(body2.chunks(0, meta2.size)) == b"new" and meta2.size == 3
    assert store.open(BUCKET, "k") is None


@settings(max_examples=30, deadline=None)
@given(start=st.integers(0, 3 * MIB), length=st.integers(0, 3 * MIB))
def test_chunks_yield_the_range_in_pieces_of_at_most_1_mib(start, length):
    with tempfile.TemporaryDirectory() as tmp:
        s = DiskStorage(tmp)
        s.create_bucket(BUCKET, ACCESS_KEY)
        data = bytes(range(256)) * (3 * MIB // 256) + b"tail"
        put(s, BUCKET, "k", data)
        meta, body = s.open(BUCKET, "k")
        end = min(start + length, meta.size)
        start = min(start, end)
        pieces = list(body.chunks(start, end))
        assert b"".join(pieces) == data[start:end] and all(len(p) <= MIB for p in pieces)
        s.close()


def test_get_during_concurrent_overwrites_returns_one_whole_version(tmp_path):
    versions = 24
    key = "hot"
    with new_emulator(tls=False, data_dir=str(tmp_path / "data")) as emu:
        writer_s3, readers = client(emu), [client(emu) for _ in range(3)]
        writer_s3.put_object(Bucket=BUCKET, Key=key, Body=body_for(key, "v0", 3 * MIB))
        done = threading.Event()
        seen: list[str] = []
        problems: list[str] = []

        def write() -> None:
            for n in range(1, versions + 1):
                writer_s3.put_object(Bucket=BUCKET, Key=key, Body=body_for(key, f"v{n}", 3 * MIB))
            done.set()

        def read_loop(s3) -> None:
            for _ in range(200):  # bounded; usually ends with the writer
                try:
                    seen.append(version_of(key, _get_whole(s3, key), 3 * MIB))
                except AssertionError as exc:
                    problems.append(str(exc))
                if done.is_set():
                    return

        threads = [threading.Thread(target=write)] + [threading.Thread(target=read_loop, args=(r,)) for r in readers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not problems, problems[:3]
        assert seen and set(seen) <= {f"v{n}" for n in range(versions + 1)}
        head = writer_s3.head_object(Bucket=BUCKET, Key=key)
        assert head["ETag"] == f'"{hashlib.md5(body_for(key, f"v{versions}", 3 * MIB)).hexdigest()}"'


def _get_whole(s3, key: str) -> bytes:
    got = s3.get_object(Bucket=BUCKET, Key=key)
    body = got["Body"].read()
    assert got["ETag"] == f'"{hashlib.md5(body).hexdigest()}"', "ETag and body disagree"
    return body


# -- memory -------------------------------------------------------------------------------------------------------


def _rss_kib(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/{pid}/status")


class RssSampler(threading.Thread):
    """Peak resident memory of a process: VmHWM after a reset where the kernel allows it, and sampled VmRSS."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self._done = pid, 0, threading.Event()
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
            self.hwm = True
        except OSError:
            self.hwm = False

    def run(self) -> None:
        while not self._done.wait(0.01):
            self.peak = max(self.peak, _rss_kib(self.pid, "VmRSS"))

    def finish(self) -> int:
        self._done.set()
        self.join()
        return max(self.peak, _rss_kib(self.pid, "VmHWM") if self.hwm else 0)


def _pattern(size: int) -> Iterator[bytes]:
    block = hashlib.sha256(b"big").digest() * (MIB // 32)
    for pos in range(0, size, MIB):
        yield block[: min(MIB, size - pos)]


def _stream_put(emu: Standalone, target: str, size: int) -> str:
    headers = unsigned_headers(emu.endpoint_url, "PUT", target, size)
    parts = urlsplit(emu.endpoint_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
    try:
        conn.putrequest("PUT", target, skip_host="host" in {k.lower() for k in headers})
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        for piece in _pattern(size):
            conn.send(piece)
        resp = conn.getresponse()
        assert resp.status == 200, resp.read()
        resp.read()
        return resp.getheader("ETag")
    finally:
        conn.close()


def _stream_get(emu: Standalone, target: str) -> tuple[int, str]:
    parts = urlsplit(emu.endpoint_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
    try:
        conn.request("GET", target, headers=sign(emu, "GET", target))
        resp = conn.getresponse()
        assert resp.status == 200
        md5, total = hashlib.md5(), 0
        while piece := resp.read(MIB):
            md5.update(piece)
            total += len(piece)
        return total, md5.hexdigest()
    finally:
        conn.close()


def test_memory_does_not_grow_with_object_size(tmp_path, capsys):
    size = BIG_MIB * MIB
    emu = start_standalone(tmp_path / "data", tmp_path)
    try:
        _stream_put(emu, f"/{BUCKET}/warm-up", 4 * MIB)  # the code paths of a streamed PUT and GET are loaded
        _stream_get(emu, f"/{BUCKET}/warm-up")
        idle = _rss_kib(emu.pid, "VmRSS")
        sampler = RssSampler(emu.pid)
        sampler.start()
        try:
            etag = _stream_put(emu, f"/{BUCKET}/big", size)
            total, digest = _stream_get(emu, f"/{BUCKET}/big")
        finally:
            peak = sampler.finish()
        expected = hashlib.md5()
        for piece in _pattern(size):
            expected.update(piece)
        assert (total, digest, etag) == (size, expected.hexdigest(), f'"{expected.hexdigest()}"')
    finally:
        emu.stop()
    with capsys.disabled():
        grew = (peak - idle) // 1024
        print(f"\n[rss] {BIG_MIB} MiB PUT+GET: idle {idle // 1024} MiB, peak {peak // 1024} MiB, +{grew} MiB")
    assert peak - idle < RSS_BOUND_MIB * 1024, f"idle {idle} KiB, peak {peak} KiB"
