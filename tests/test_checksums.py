"""Checksums: published check values, botocore's own checksum classes, and the base64 validity helper."""

from __future__ import annotations

import base64

import pytest
from botocore.httpchecksum import (
    Crc32Checksum,
    CrtCrc32cChecksum,
    CrtCrc64NvmeChecksum,
    Sha1Checksum,
    Sha256Checksum,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.checksums import ChecksumAlgorithm, is_valid_b64

# CRC check values of b"123456789" from the CRC catalogue (reveng.sourceforge.io/crc-catalogue):
# CRC-32/ISO-HDLC 0xCBF43926, CRC-32/ISCSI (CRC32C) 0xE3069283, CRC-64/NVME 0xAE8B14860A799888.
CHECK = b"123456789"
EXPECTED = {
    ChecksumAlgorithm.CRC32: bytes.fromhex("cbf43926"),
    ChecksumAlgorithm.CRC32C: bytes.fromhex("e3069283"),
    ChecksumAlgorithm.CRC64NVME: bytes.fromhex("ae8b14860a799888"),
    ChecksumAlgorithm.SHA1: bytes.fromhex("f7c3bc1d808e04732adf679965ccc34ca7ae3441"),
    ChecksumAlgorithm.SHA256: bytes.fromhex("15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"),
}
BOTOCORE = {
    ChecksumAlgorithm.CRC32: Crc32Checksum, ChecksumAlgorithm.CRC32C: CrtCrc32cChecksum,
    ChecksumAlgorithm.CRC64NVME: CrtCrc64NvmeChecksum, ChecksumAlgorithm.SHA1: Sha1Checksum,
    ChecksumAlgorithm.SHA256: Sha256Checksum,
}


@pytest.mark.parametrize("alg", list(ChecksumAlgorithm))
def test_check_values(alg: ChecksumAlgorithm) -> None:
    summer = alg.new()
    summer.update(CHECK[:4])
    summer.update(memoryview(CHECK)[4:])
    assert summer.b64digest() == base64.b64encode(EXPECTED[alg]).decode()


def test_empty_input() -> None:
    assert ChecksumAlgorithm.CRC32.new().b64digest() == "AAAAAA=="
    assert ChecksumAlgorithm.CRC64NVME.new().b64digest() == "AAAAAAAAAAA="


def test_crc32c_of_the_trailer_example() -> None:
    """sigv4-streaming-trailers.html: 66560 'a' bytes carry x-amz-checksum-crc32c:sOO8/Q==."""
    summer = ChecksumAlgorithm.CRC32C.new()
    summer.update(b"a" * 65536)
    summer.update(b"a" * 1024)
    assert summer.b64digest() == "sOO8/Q=="


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(list(ChecksumAlgorithm)), st.lists(st.binary(max_size=300), max_size=5))
def test_matches_botocore_checksums(alg: ChecksumAlgorithm, pieces: list[bytes]) -> None:
    ours, theirs = alg.new(), BOTOCORE[alg]()
    for piece in pieces:
        ours.update(piece)
        theirs.update(piece)
    assert ours.b64digest() == theirs.b64digest()


@pytest.mark.parametrize("alg", list(ChecksumAlgorithm))
def test_header_names(alg: ChecksumAlgorithm) -> None:
    assert alg.header == f"x-amz-checksum-{alg.name.lower()}"
    assert ChecksumAlgorithm.from_header(alg.header) is alg
    assert ChecksumAlgorithm.from_header(alg.header.upper()) is alg
    assert ChecksumAlgorithm.from_name(alg.name) is alg


@pytest.mark.parametrize("name", ["x-amz-checksum-md5", "x-amz-checksum-", "content-md5", "crc32",
                                  "x-amz-checksum-type", "x-amz-checksum-algorithm"])
def test_unknown_header_names(name: str) -> None:
    assert ChecksumAlgorithm.from_header(name) is None


@pytest.mark.parametrize("alg", list(ChecksumAlgorithm))
def test_is_valid_b64(alg: ChecksumAlgorithm) -> None:
    good = base64.b64encode(EXPECTED[alg]).decode()
    assert is_valid_b64(alg, good)
    assert not is_valid_b64(alg, base64.b64encode(EXPECTED[alg] + b"\0").decode())
    assert not is_valid_b64(alg, base64.b64encode(EXPECTED[alg][:-1]).decode())
    assert not is_valid_b64(alg, good.rstrip("="))
    assert not is_valid_b64(alg, "*" + good[1:])
    assert not is_valid_b64(alg, "é" + good[1:])
    assert not is_valid_b64(alg, "")
