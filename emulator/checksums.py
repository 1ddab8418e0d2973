"""The additional checksums S3 accepts (x-amz-checksum-*), computed by well-kept libraries, never by hand.

https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
CRC32 is zlib's; CRC32C and CRC64NVME are awscrt's (the library botocore itself uses); SHA-1/SHA-256 hashlib's.
Values travel as the base64 of the big-endian digest.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import zlib
from collections.abc import Callable
from typing import Protocol

from awscrt import checksums as crt

__all__ = ["Checksum", "ChecksumAlgorithm", "is_valid_b64"]

_HEADER_PREFIX = "x-amz-checksum-"
Buffer = bytes | bytearray | memoryview


class Checksum(Protocol):
    def update(self, data: Buffer) -> None: ...

    def b64digest(self) -> str: ...


class _Crc:
    """A running CRC: ``fn(data, previous) -> int`` folded over the pieces, ``size`` bytes when done."""

    def __init__(self, fn: Callable[[Buffer, int], int], size: int) -> None:
        self._fn = fn
        self._size = size
        self._value = 0

    def update(self, data: Buffer) -> None:
        self._value = self._fn(data, self._value)

    def b64digest(self) -> str:
        return base64.b64encode(self._value.to_bytes(self._size, "big")).decode("ascii")


class _Hash:
    def __init__(self, name: str) -> None:
        self._hash = hashlib.new(name)

    def update(self, data: Buffer) -> None:
        self._hash.update(data)

    def b64digest(self) -> str:
        return base64.b64encode(self._hash.digest()).decode("ascii")


class ChecksumAlgorithm(enum.Enum):
    """Named after the wire: the value is the x-amz-checksum-<value> suffix."""

    CRC32 = "crc32"
    CRC32C = "crc32c"
    CRC64NVME = "crc64nvme"
    SHA1 = "sha1"
    SHA256 = "sha256"

    @property
    def header(self) -> str:
        return f"{_HEADER_PREFIX}{self.value}"

    @property
    def digest_size(self) -> int:
        return _DIGEST_SIZES[self]

    @classmethod
    def from_header(cls, name: str) -> ChecksumAlgorithm | None:
        """``x-amz-checksum-crc32`` (any case) -> CRC32; None for anything else."""
        name = name.strip().lower()
        if not name.startswith(_HEADER_PREFIX):
            return None
        return cls.from_name(name[len(_HEADER_PREFIX) :])

    @classmethod
    def from_name(cls, name: str) -> ChecksumAlgorithm | None:
        """The x-amz-checksum-algorithm / x-amz-sdk-checksum-algorithm value (``CRC32``, any case) -> CRC32."""
        try:
            return cls(name.strip().lower())
        except ValueError:
            return None

    def new(self) -> Checksum:
        if self is ChecksumAlgorithm.CRC32:
            return _Crc(zlib.crc32, 4)
        if self is ChecksumAlgorithm.CRC32C:
            return _Crc(crt.crc32c, 4)
        if self is ChecksumAlgorithm.CRC64NVME:
            return _Crc(crt.crc64nvme, 8)
        return _Hash(self.value)


_DIGEST_SIZES = {
    ChecksumAlgorithm.CRC32: 4,
    ChecksumAlgorithm.CRC32C: 4,
    ChecksumAlgorithm.CRC64NVME: 8,
    ChecksumAlgorithm.SHA1: 20,
    ChecksumAlgorithm.SHA256: 32,
}


def is_valid_b64(alg: ChecksumAlgorithm, value: str) -> bool:
    """Strict base64 (padding included) decoding to exactly the algorithm's digest size."""
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return len(raw) == alg.digest_size
