"""The crash-safe store behind ``--data-dir``: buckets, objects and metadata survive restarts and SIGKILL.

Layout (every name the store makes is ASCII hex or a fixed word, so no key or bucket name ever reaches a path)::

    DATA/FORMAT                            "s3-emulator data directory, format 1": refuses foreign directories
    DATA/LOCK                              flock()ed while a store has the directory open: one emulator per directory
    DATA/buckets/<sha256(name)>/bucket.json    {"name", "owner", "created"}
    DATA/buckets/<sha256(name)>/objects/<sha256(utf-8 key)>      one object: body, then metadata, then a footer
    DATA/buckets/<sha256(name)>/objects/.tmp-<random>            an upload in progress (removed at start-up)
    DATA/buckets/.tmp-<random>/, .deleted-<random>/              a bucket being created / deleted (ditto)

Durability and atomicity, in five rules:

1. One file per object holds body AND metadata: ``body | meta JSON | footer(crc32(meta), len(meta), len(body),
   magic)``. The body streams in first (the metadata, with its ETag, is only known at the end), so body and metadata
   are made durable by one fsync and become visible by one rename: they can never disagree, and no reader or restart
   can see one without the other. The JSON holds the key itself; the file name is only its SHA-256.
2. ``commit`` writes the footer, flushes and fsyncs the temporary file in a worker thread (``asyncio.to_thread``),
   then renames it over the final name, then fsyncs the directory in a worker thread, and only then returns, so a
   PUT is acknowledged only once it is durable. The rename itself runs on the event loop, in the same step as the
   in-memory index update: a rename is a metadata-only journalled call (the data is already on disk), and doing both
   in one loop step means the index and the directory always agree; so ``head``/``keys_from`` (the index) and
   ``open`` (the file behind the index entry) never see different versions, and two racing PUTs or a PUT racing a
   DELETE of the same key can never leave the index naming a version the directory does not hold.
3. A reader keeps the open file (the inode): ``open`` returns the index's metadata and a handle on the file that
   the index names at that instant; a later rename or unlink never changes what that handle reads, so a GET yields
   exactly one whole version. ``DiskBody.fileno()`` exposes the descriptor (body = bytes [0, size)) so the server
   could use ``sendfile`` later.
4. ``abort`` (a failed or disconnected upload) deletes the temporary file; after a crash, start-up deletes every
   ``.tmp-*`` file and directory. Temporary files live in the object directory, so the rename never crosses a
   filesystem.
5. DeleteObject unlinks the file and updates the index in one loop step; the protocol's ``delete`` is synchronous, so
   the directory fsync that makes it durable runs right after, in a worker thread (coalesced per directory), and
   ``close`` flushes any still pending: after a crash, a just-deleted key can at worst reappear with its last
   acknowledged version, never torn. Bucket creation and deletion fsync synchronously (rare operations).

Start-up scans the directory once and rebuilds the sorted in-memory index (``SortedDict`` key -> ObjectMeta, as the
memory store), so ``keys_from`` is O(log n) whatever the number of keys. A file whose footer, checksum, key hash or
size does not check out is logged and skipped (never deleted). Bodies stream both ways: ``write`` appends to a
1 MiB-buffered file; ``Body.chunks`` ``pread``s 1 MiB pieces from the open file, so memory does not grow with the
object's size.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import io
import json
import logging
import os
import secrets
import shutil
import struct
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from sortedcontainers import SortedDict

from ..config import ConfigError
from ..errors import ErrorCode, S3Error
from . import BucketInfo, ObjectMeta

log = logging.getLogger("emulator.storage")

FORMAT_TEXT = "s3-emulator data directory, format 1\n"
MAGIC = b"S3EMUOB1"
FOOTER = struct.Struct(">IQQ8s")  # crc32(meta JSON), len(meta JSON), len(body), MAGIC
TMP_PREFIX = ".tmp-"
DELETED_PREFIX = ".deleted-"
_PIECE = 1 << 20  # read and write in 1 MiB pieces
_MAX_META = 16 << 20  # a footer claiming more metadata than this is corrupt
_TAIL = 4096  # bytes read from an object file's end at start-up
_HEX = frozenset("0123456789abcdef")


class CorruptObject(ValueError):
    """A file in the objects directory that is not a whole object written by this store."""


def name_for(text: str) -> str:
    """The file (or directory) name of a key or bucket name: hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _is_name(entry: str) -> bool:
    return len(entry) == 64 and set(entry) <= _HEX


def fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durably(path: str, data: bytes) -> None:
    """A small file replaced atomically and durably: temp file, fsync, rename, fsync the directory."""
    folder = os.path.dirname(path)
    tmp = os.path.join(folder, f"{TMP_PREFIX}{secrets.token_hex(8)}")
    with open(tmp, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(folder)


# -- object files ------------------------------------------------------------------------------------------------


def encode_meta(meta: ObjectMeta) -> bytes:
    doc = {
        "key": meta.key,
        "size": meta.size,
        "etag": meta.etag,
        "last_modified": meta.last_modified,
        "content_type": meta.content_type,
        "headers": [list(p) for p in meta.headers],
        "metadata": [list(p) for p in meta.metadata],
        "checksums": [list(p) for p in meta.checksums],
    }
    return json.dumps(doc, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _pairs(value: list) -> tuple[tuple[str, str], ...]:
    return tuple((str(a), str(b)) for a, b in value) if value else ()


def decode_meta(raw: bytes) -> ObjectMeta:
    doc = json.loads(raw)
    return ObjectMeta(
        key=doc["key"],
        size=int(doc["size"]),
        etag=doc["etag"],
        last_modified=float(doc["last_modified"]),
        content_type=sys.intern(doc["content_type"]),  # a handful of distinct values: shared in the index
        headers=_pairs(doc["headers"]),
        metadata=_pairs(doc["metadata"]),
        checksums=_pairs(doc["checksums"]),
    )


def trailer(meta: ObjectMeta) -> bytes:
    """What follows the body in an object file: the metadata and the footer that locates it."""
    raw = encode_meta(meta)
    return raw + FOOTER.pack(zlib.crc32(raw), len(raw), meta.size, MAGIC)


def read_meta(fd: int) -> ObjectMeta:
    """The metadata of the object file open on ``fd``, checked against its footer; CorruptObject if it is not whole."""
    total = os.fstat(fd).st_size
    if total < FOOTER.size:
        raise CorruptObject("shorter than a footer")
    tail = os.pread(fd, min(total, _TAIL), total - min(total, _TAIL))  # footer and (usually) metadata: one read
    crc, meta_len, body_len, magic = FOOTER.unpack(tail[-FOOTER.size :])
    if magic != MAGIC or meta_len > _MAX_META or body_len + meta_len + FOOTER.size != total:
        raise CorruptObject("bad footer")
    if meta_len + FOOTER.size <= len(tail):
        raw = tail[len(tail) - FOOTER.size - meta_len : len(tail) - FOOTER.size]
    else:
        raw = os.pread(fd, meta_len, body_len)
    if len(raw) != meta_len or zlib.crc32(raw) != crc:
        raise CorruptObject("metadata checksum mismatch")
    try:
        meta = decode_meta(raw)
    except (ValueError, KeyError, TypeError) as exc:
        raise CorruptObject(f"bad metadata: {exc}") from None
    if meta.size != body_len:
        raise CorruptObject("size mismatch")
    return meta


def read_object_meta(path: str) -> ObjectMeta:
    fd = os.open(path, os.O_RDONLY)
    try:
        return read_meta(fd)
    finally:
        os.close(fd)


def _load_object(name: str, path: str) -> ObjectMeta | None:
    """The metadata of a stored object at start-up; None (and a warning) for a file that does not check out."""
    try:
        meta = read_object_meta(path)
    except (OSError, CorruptObject) as exc:
        log.warning("data directory: ignoring object file %s: %s", path, exc)
        return None
    if name_for(meta.key) != name:
        log.warning("data directory: ignoring object file %s: it holds key %r", path, meta.key)
        return None
    return meta


def _seal(file: io.BufferedWriter, tail: bytes) -> None:
    """Worker thread: finish an upload's temporary file and make it durable. Always closes the file."""
    try:
        file.write(tail)
        file.flush()
        os.fsync(file.fileno())
    finally:
        file.close()


# -- the store --------------------------------------------------------------------------------------------------


class DiskBody:
    """A snapshot of one stored version: an open file; bytes [0, size) are the body."""

    __slots__ = ("_file", "size")

    def __init__(self, file: io.FileIO, size: int) -> None:
        self._file = file
        self.size = size

    def fileno(self) -> int:
        """For ``sendfile``: the body is bytes [0, size) of this descriptor (valid while this object lives)."""
        return self._file.fileno()

    def chunks(self, start: int, end: int) -> Iterator[bytes]:
        fd = self._file.fileno()
        pos = start
        while pos < end:
            piece = os.pread(fd, min(_PIECE, end - pos), pos)
            if not piece:
                raise OSError(f"object file ended at {pos}, expected {end} bytes")
            yield piece
            pos += len(piece)

    def close(self) -> None:
        self._file.close()

    def __del__(self) -> None:
        file = getattr(self, "_file", None)
        if file is not None:
            file.close()


@dataclass
class _Bucket:
    info: BucketInfo
    path: str
    objects: SortedDict = field(default_factory=SortedDict)  # key -> ObjectMeta

    @property
    def objects_dir(self) -> str:
        return os.path.join(self.path, "objects")

    def object_path(self, key: str) -> str:
        return os.path.join(self.path, "objects", name_for(key))


class DiskWriter:
    """An upload streaming into a temporary file next to its final name; see the module docstring, rule 2."""

    def __init__(self, store: DiskStorage, bucket: _Bucket, key: str) -> None:
        self._store, self._bucket, self._key = store, bucket, key
        self._final = bucket.object_path(key)
        self.tmp_path = os.path.join(bucket.objects_dir, f"{TMP_PREFIX}{secrets.token_hex(8)}")
        self._file: io.BufferedWriter | None = open(self.tmp_path, "xb", buffering=_PIECE)  # noqa: SIM115
        self._size = 0
        self._committed = False

    def write(self, data: bytes) -> None:
        if self._file is None:
            raise ValueError("write after commit or abort")
        self._file.write(data)
        self._size += len(data)

    def _check_bucket(self) -> None:
        if self._store._buckets.get(self._bucket.info.name) is not self._bucket:  # deleted while streaming
            raise S3Error(ErrorCode.NoSuchBucket, fields={"BucketName": self._bucket.info.name})

    async def commit(self, meta: ObjectMeta) -> ObjectMeta:
        if self._file is None:
            raise ValueError("commit after commit or abort")
        if meta.size != self._size:
            raise ValueError(f"metadata says {meta.size} bytes, {self._size} were written")
        self._check_bucket()
        file, self._file = self._file, None
        # The worker owns (and closes) the file from here: a cancelled await leaves it to finish on its own.
        await asyncio.to_thread(_seal, file, trailer(meta))
        self._check_bucket()
        os.replace(self.tmp_path, self._final)  # with the index update, in one loop step (docstring, rule 2)
        self._committed = True
        self._bucket.objects[self._key] = meta
        await asyncio.to_thread(fsync_dir, self._bucket.objects_dir)
        return meta

    def abort(self) -> None:
        if self._committed:
            return  # visible already (a whole version); only its acknowledgement was lost
        if self._file is not None:
            self._file.close()
            self._file = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.tmp_path)


class DiskStorage:
    def __init__(self, data_dir: str) -> None:
        self.root = os.path.abspath(data_dir)
        self._buckets: dict[str, _Bucket] = {}
        self._dirty: set[str] = set()  # directories whose fsync (after a delete) is scheduled but not started
        self._flushing = threading.Lock()  # held by a directory fsync after a delete, while it runs
        self._lock: io.FileIO | None = None
        try:
            self._open()
        except OSError as exc:
            self.close()
            raise ConfigError(f"cannot use data directory {data_dir}: {exc.strerror or exc}") from None
        except ConfigError:
            self.close()
            raise

    # -- start-up ---------------------------------------------------------------------------------------------
    @property
    def buckets_dir(self) -> str:
        return os.path.join(self.root, "buckets")

    def _open(self) -> None:
        os.makedirs(self.root, exist_ok=True)
        format_file = os.path.join(self.root, "FORMAT")
        ours = {e for e in os.listdir(self.root) if e in ("LOCK", "FORMAT", "buckets") or e.startswith(TMP_PREFIX)}
        if not os.path.exists(format_file) and set(os.listdir(self.root)) - ours:
            raise ConfigError(f"data directory {self.root} is not empty and was not made by the emulator (no FORMAT)")
        self._lock = open(os.path.join(self.root, "LOCK"), "ab", buffering=0)  # noqa: SIM115
        try:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(f"data directory {self.root} is in use by another emulator") from None
        for entry in ours:
            if entry.startswith(TMP_PREFIX):  # a FORMAT write cut short
                os.unlink(os.path.join(self.root, entry))
        if not os.path.exists(format_file):
            _write_durably(format_file, FORMAT_TEXT.encode())  # first: the directory is ours from now on
        with open(format_file, encoding="utf-8", errors="replace") as fh:
            if fh.read() != FORMAT_TEXT:
                raise ConfigError(f"data directory {self.root} has an unknown format (see its FORMAT file)")
        if not os.path.isdir(self.buckets_dir):
            os.mkdir(self.buckets_dir)
            fsync_dir(self.root)
        self._scan()

    def _scan(self) -> None:
        removed = 0
        for entry in sorted(os.listdir(self.buckets_dir)):
            path = os.path.join(self.buckets_dir, entry)
            if entry.startswith((TMP_PREFIX, DELETED_PREFIX)):
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
            elif _is_name(entry):
                removed += self._load_bucket(entry, path)
            else:
                log.warning("data directory: ignoring unexpected entry %s", path)
        if removed:
            fsync_dir(self.buckets_dir)
        count = sum(len(b.objects) for b in self._buckets.values())
        log.info(
            "data directory %s: %d bucket(s), %d object(s); removed %d unfinished upload(s) or bucket change(s)",
            self.root,
            len(self._buckets),
            count,
            removed,
        )

    def _load_bucket(self, entry: str, path: str) -> int:
        try:
            with open(os.path.join(path, "bucket.json"), "rb") as fh:
                doc = json.load(fh)
            info = BucketInfo(name=doc["name"], owner=doc["owner"], created=float(doc["created"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("data directory: ignoring bucket directory %s: %s", path, exc)
            return 0
        if name_for(info.name) != entry:
            log.warning("data directory: ignoring bucket directory %s: it holds bucket %r", path, info.name)
            return 0
        found: dict[str, ObjectMeta] = {}
        removed = 0
        with os.scandir(os.path.join(path, "objects")) as entries:
            for item in entries:
                if item.name.startswith(TMP_PREFIX):
                    os.unlink(item.path)
                    removed += 1
                elif _is_name(item.name):
                    meta = _load_object(item.name, item.path)
                    if meta is not None:
                        found[meta.key] = meta
                else:
                    log.warning("data directory: ignoring unexpected file %s", item.path)
        bucket = _Bucket(info, path, SortedDict(found))  # one sort, not n inserts
        if removed:
            fsync_dir(bucket.objects_dir)
        self._buckets[info.name] = bucket
        return removed

    # -- buckets -------------------------------------------------------------------------------------------------
    def list_buckets(self) -> list[BucketInfo]:
        return sorted((b.info for b in self._buckets.values()), key=lambda b: b.name)

    def get_bucket(self, name: str) -> BucketInfo | None:
        bucket = self._buckets.get(name)
        return bucket.info if bucket else None

    def create_bucket(self, name: str, owner: str) -> BucketInfo:
        existing = self._buckets.get(name)
        if existing is not None:
            return existing.info
        info = BucketInfo(name=name, owner=owner, created=float(int(time.time())))
        staging = os.path.join(self.buckets_dir, f"{TMP_PREFIX}{secrets.token_hex(8)}")
        os.mkdir(staging)
        os.mkdir(os.path.join(staging, "objects"))
        doc = {"name": info.name, "owner": info.owner, "created": info.created}
        _write_durably(os.path.join(staging, "bucket.json"), json.dumps(doc).encode())
        path = os.path.join(self.buckets_dir, name_for(name))
        os.rename(staging, path)  # the bucket appears whole, or (after a crash) not at all
        fsync_dir(self.buckets_dir)
        self._buckets[name] = _Bucket(info, path)
        return info

    def delete_bucket(self, name: str) -> None:
        bucket = self._buckets.pop(name, None)
        if bucket is None:
            return
        trash = os.path.join(self.buckets_dir, f"{DELETED_PREFIX}{secrets.token_hex(8)}")
        os.rename(bucket.path, trash)
        fsync_dir(self.buckets_dir)
        shutil.rmtree(trash, ignore_errors=True)  # what remains after a crash goes at the next start

    def bucket_is_empty(self, name: str) -> bool:
        return not self._buckets[name].objects

    # -- objects -------------------------------------------------------------------------------------------------
    def keys_from(self, bucket: str, start: str) -> Iterator[str]:
        return self._buckets[bucket].objects.irange(minimum=start)

    def head(self, bucket: str, key: str) -> ObjectMeta | None:
        return self._buckets[bucket].objects.get(key)

    def open(self, bucket: str, key: str) -> tuple[ObjectMeta, DiskBody] | None:
        entry = self._buckets[bucket]
        meta = entry.objects.get(key)
        if meta is None:
            return None
        # The index and the directory change together (docstring, rule 2): this file is the version ``meta`` names.
        try:
            file = io.FileIO(entry.object_path(key), "r")
        except FileNotFoundError:  # removed behind the emulator's back (a /tmp cleaner, a person): gone for S3 too
            log.warning("data directory: the file of %s/%s has disappeared", bucket, key)
            del entry.objects[key]
            return None
        return meta, DiskBody(file, meta.size)

    def writer(self, bucket: str, key: str) -> DiskWriter:
        return DiskWriter(self, self._buckets[bucket], key)

    def delete(self, bucket: str, key: str) -> bool:
        entry = self._buckets[bucket]
        if key not in entry.objects:
            return False
        with contextlib.suppress(FileNotFoundError):
            os.unlink(entry.object_path(key))
        del entry.objects[key]
        self._sync_soon(entry.objects_dir)
        return True

    def _sync_soon(self, folder: str) -> None:
        """Make a deletion durable without blocking the loop: one directory fsync per burst of deletes."""
        if folder in self._dirty:
            return  # an fsync that has not started yet will cover this deletion too
        self._dirty.add(folder)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._flush(folder)
            return
        future = loop.run_in_executor(None, self._flush, folder)
        future.add_done_callback(_log_failure)

    def _flush(self, folder: str) -> None:
        with self._flushing:
            self._dirty.discard(folder)  # before the fsync: a delete from now on schedules its own
            with contextlib.suppress(FileNotFoundError):  # the bucket was deleted meanwhile
                fsync_dir(folder)

    def close(self) -> None:
        """Every acknowledged delete is durable when this returns; the directory is free for another store."""
        for folder in list(self._dirty):
            self._flush(folder)
        with self._flushing:  # an fsync that was already running has finished
            pass
        if self._lock is not None:
            self._lock.close()  # releases the flock
            self._lock = None


def _log_failure(future: asyncio.Future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("data directory: fsync after a delete failed: %r", future.exception())
