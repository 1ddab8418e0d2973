"""The in-memory store: a sorted key index per bucket (sortedcontainers), immutable bytes per object."""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from sortedcontainers import SortedDict

from . import BucketInfo, ObjectMeta

_PIECE = 1 << 20  # because one huge write() of a GiB body would hold the event loop; 1 MiB pieces stream


@dataclass(frozen=True)
class MemoryBody:
    """The pieces as received, never joined: joining a large body would copy it once more (19% of a 256 MiB PUT)."""

    parts: tuple[bytes, ...]
    offsets: tuple[int, ...]  # offsets[i]: where parts[i] starts

    @classmethod
    def of(cls, parts: list[bytes]) -> MemoryBody:
        offsets, at = [], 0
        for part in parts:
            offsets.append(at)
            at += len(part)
        return cls(tuple(parts), tuple(offsets))

    def chunks(self, start: int, end: int) -> Iterator[bytes]:
        index = max(0, bisect.bisect_right(self.offsets, start) - 1)
        while start < end and index < len(self.parts):
            part, base = self.parts[index], self.offsets[index]
            view = memoryview(part)[start - base : min(end - base, len(part))]
            for pos in range(0, len(view), _PIECE):
                yield view[pos : pos + _PIECE]
            start = base + len(part)
            index += 1


@dataclass
class _Bucket:
    info: BucketInfo
    objects: SortedDict = field(default_factory=SortedDict)  # key -> (ObjectMeta, MemoryBody)


class MemoryWriter:
    def __init__(self, store: MemoryStorage, bucket: str, key: str) -> None:
        self._store, self._bucket, self._key = store, bucket, key
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self._parts.append(bytes(data))

    async def commit(self, meta: ObjectMeta) -> ObjectMeta:
        body = MemoryBody.of(self._parts)
        self._parts = []
        bucket = self._store._buckets.get(self._bucket)
        if bucket is None:  # deleted while the body was streaming in
            from ..errors import ErrorCode, S3Error

            raise S3Error(ErrorCode.NoSuchBucket, fields={"BucketName": self._bucket})
        bucket.objects[self._key] = (meta, body)
        return meta

    def abort(self) -> None:
        self._parts = []


class MemoryStorage:
    def __init__(self) -> None:
        self._buckets: dict[str, _Bucket] = {}

    def list_buckets(self) -> list[BucketInfo]:
        return sorted((b.info for b in self._buckets.values()), key=lambda b: b.name)

    def get_bucket(self, name: str) -> BucketInfo | None:
        bucket = self._buckets.get(name)
        return bucket.info if bucket else None

    def create_bucket(self, name: str, owner: str) -> BucketInfo:
        info = BucketInfo(name=name, owner=owner, created=float(int(time.time())))
        self._buckets.setdefault(name, _Bucket(info))
        return self._buckets[name].info

    def delete_bucket(self, name: str) -> None:
        self._buckets.pop(name, None)

    def bucket_is_empty(self, name: str) -> bool:
        return not self._buckets[name].objects

    def keys_from(self, bucket: str, start: str) -> Iterator[str]:
        return self._buckets[bucket].objects.irange(minimum=start)

    def head(self, bucket: str, key: str) -> ObjectMeta | None:
        entry = self._buckets[bucket].objects.get(key)
        return entry[0] if entry else None

    def open(self, bucket: str, key: str) -> tuple[ObjectMeta, MemoryBody] | None:
        return self._buckets[bucket].objects.get(key)

    def writer(self, bucket: str, key: str) -> MemoryWriter:
        return MemoryWriter(self, bucket, key)

    def delete(self, bucket: str, key: str) -> bool:
        return self._buckets[bucket].objects.pop(key, None) is not None

    def close(self) -> None:
        pass
