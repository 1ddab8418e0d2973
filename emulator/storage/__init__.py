"""The small storage interface the operations run against (protocol is split from storage, as s3s does).

A store keeps buckets, and per bucket an ordered key index plus objects. Listing is done by the operations layer
over ``keys_from`` so that every store shares one listing algorithm (and its O(page + log n) cost).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class BucketInfo:
    name: str
    owner: str  # the owning account's access key
    created: float  # epoch seconds


@dataclass(frozen=True)
class ObjectMeta:
    key: str
    size: int
    etag: str  # the quoted ETag as S3 sends it: '"<md5 hex>"'
    last_modified: float  # epoch seconds, whole seconds as S3 reports them
    content_type: str
    # Stored representation headers (Content-Encoding, Content-Disposition, Content-Language, Cache-Control, Expires),
    # lower-case names, in the order received.
    headers: tuple[tuple[str, str], ...] = ()
    metadata: tuple[tuple[str, str], ...] = ()  # x-amz-meta-* without the prefix, lower-case names
    checksums: tuple[tuple[str, str], ...] = ()  # (header name, base64 value), e.g. ("x-amz-checksum-crc32", "...")


class Body(Protocol):
    """A stored object's bytes; a snapshot: a later PUT of the same key never changes what it yields."""

    def chunks(self, start: int, end: int) -> Iterator[bytes]:
        """Yield the bytes in [start, end) in pieces."""
        ...


class ObjectWriter(Protocol):
    """An upload in progress. Nothing is visible until ``commit``; ``abort`` leaves nothing behind."""

    def write(self, data: bytes) -> None: ...

    async def commit(self, meta: ObjectMeta) -> ObjectMeta: ...

    def abort(self) -> None: ...


class Storage(Protocol):
    def list_buckets(self) -> list[BucketInfo]: ...

    def get_bucket(self, name: str) -> BucketInfo | None: ...

    def create_bucket(self, name: str, owner: str) -> BucketInfo: ...

    def delete_bucket(self, name: str) -> None: ...

    def bucket_is_empty(self, name: str) -> bool: ...

    def keys_from(self, bucket: str, start: str) -> Iterator[str]:
        """Keys >= start in UTF-8 binary order (code-point order of ``str`` is the same order)."""
        ...

    def head(self, bucket: str, key: str) -> ObjectMeta | None: ...

    def open(self, bucket: str, key: str) -> tuple[ObjectMeta, Body] | None: ...

    def writer(self, bucket: str, key: str) -> ObjectWriter: ...

    def delete(self, bucket: str, key: str) -> bool: ...

    def close(self) -> None: ...
