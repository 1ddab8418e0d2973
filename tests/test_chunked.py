"""The aws-chunked decoder: AWS's published bodies, botocore's encoder, splits at any byte, and every refusal.

Published bodies: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html (65536 + 1024 'a' bytes)
and https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html (the same, with a CRC32C trailer).
"""

from __future__ import annotations

import datetime
import io
import random
from collections.abc import Iterable, Mapping

import pytest
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum, CrtCrc64NvmeChecksum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator import sigv4
from emulator.accounts import Account
from emulator.auth import PayloadMode, RequestView, authenticate
from emulator.checksums import ChecksumAlgorithm
from emulator.chunked import MAX_LINE, AwsChunkedDecoder
from emulator.errors import ErrorCode, S3Error

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
STAMP = "20130524T000000Z"
SCOPE = "20130524/us-east-1/s3/aws4_request"
KEY = sigv4.signing_key(SECRET, "20130524", "us-east-1", "s3")
DOC_SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
DOC_TRAILER_SEED = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
CRC32C = "x-amz-checksum-crc32c"

DOC_BODY = (
    b"10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" + b"a" * 65536
    + b"\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" + b"a" * 1024
    + b"\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n")
DOC_TRAILER_BODY = (
    b"10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n" + b"a" * 65536
    + b"\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n" + b"a" * 1024
    + b"\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n"
    + b"x-amz-checksum-crc32c:sOO8/Q==\r\n"
    + b"x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n")


def context(seed: str = DOC_SEED) -> sigv4.ChunkSigningContext:
    return sigv4.ChunkSigningContext(KEY, STAMP, SCOPE, seed)


def encode(data: bytes, sizes: Iterable[int], mode: PayloadMode, trailers: Mapping[str, str] | None = None,
           seed: str = DOC_SEED) -> bytes:
    """An aws-chunked body, built independently of the decoder from sigv4's signing functions."""
    pieces, previous, pos = [], seed, 0
    chunks = []
    for size in sizes:
        chunks.append(data[pos:pos + size])
        pos += size
    assert pos == len(data)
    for chunk in [*chunks, b""]:
        header = f"{len(chunk):x}"
        if mode.signed_chunks:
            previous = sigv4.signature(KEY, sigv4.chunk_string_to_sign(STAMP, SCOPE, previous, chunk))
            header += f";chunk-signature={previous}"
        pieces.append(header.encode() + b"\r\n" + (chunk + b"\r\n" if chunk else b""))
    for name, value in (trailers or {}).items():
        pieces.append(f"{name}:{value}\r\n".encode())
    if mode is PayloadMode.STREAMING_SIGNED_TRAILER:
        signature = sigv4.signature(KEY, sigv4.trailer_string_to_sign(STAMP, SCOPE, previous, trailers or {}))
        pieces.append(f"x-amz-trailer-signature:{signature}\r\n".encode())
    pieces.append(b"\r\n")
    return b"".join(pieces)


def decoder(mode: PayloadMode, trailers: Iterable[str] = (), seed: str = DOC_SEED) -> AwsChunkedDecoder:
    return AwsChunkedDecoder(mode, context(seed) if mode.signed_chunks else None, frozenset(trailers))


def decode(dec: AwsChunkedDecoder, parts: Iterable[bytes]) -> tuple[bytes, dict[str, str]]:
    out = []
    for part in parts:
        out.extend(dec.feed(part))
    return b"".join(out), dec.finish()


def refused(dec: AwsChunkedDecoder, parts: Iterable[bytes], code: ErrorCode) -> S3Error:
    with pytest.raises(S3Error) as info:
        decode(dec, parts)
    assert info.value.code is code, (info.value.code, info.value.log_reason)
    return info.value


def cut(body: bytes, points: Iterable[int]) -> list[bytes]:
    edges = [0, *sorted(set(points)), len(body)]
    return [body[a:b] for a, b in zip(edges, edges[1:], strict=False)]


# --- AWS's published bodies ---


def test_aws_streaming_example_body() -> None:
    assert decode(decoder(PayloadMode.STREAMING_SIGNED), [DOC_BODY]) == (b"a" * 66560, {})


def test_aws_trailer_example_body() -> None:
    dec = decoder(PayloadMode.STREAMING_SIGNED_TRAILER, [CRC32C], seed=DOC_TRAILER_SEED)
    data, trailers = decode(dec, [DOC_TRAILER_BODY])
    assert (data, trailers) == (b"a" * 66560, {CRC32C: "sOO8/Q=="})
    summer = ChecksumAlgorithm.CRC32C.new()
    summer.update(data)
    assert summer.b64digest() == trailers[CRC32C]


def test_aws_streaming_example_end_to_end_through_authenticate() -> None:
    """The published request head authenticates, and its chunk signer decodes the published body."""
    auth = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," \
           "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;" \
           "x-amz-decoded-content-length;x-amz-storage-class," \
           f"Signature={DOC_SEED}"
    req = RequestView("PUT", "/examplebucket/chunkObject.txt", "", {
        "host": "s3.amazonaws.com", "x-amz-date": STAMP, "x-amz-storage-class": "REDUCED_REDUNDANCY",
        "authorization": auth, "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "content-encoding": "aws-chunked", "x-amz-decoded-content-length": "66560", "content-length": "66824"})
    account = Account("AKIAIOSFODNN7EXAMPLE", SECRET)
    result = authenticate(req, {account.access_key: account}.get, "us-east-1",
                          datetime.datetime(2013, 5, 24, tzinfo=datetime.timezone.utc))
    assert len(DOC_BODY) == 66824
    dec = AwsChunkedDecoder(result.payload_mode, result.chunk_signer, frozenset())
    assert decode(dec, [DOC_BODY]) == (b"a" * 66560, {})


def test_one_byte_at_a_time() -> None:
    dec = decoder(PayloadMode.STREAMING_SIGNED_TRAILER, [CRC32C], seed=DOC_TRAILER_SEED)
    data, trailers = decode(dec, (DOC_TRAILER_BODY[i:i + 1] for i in range(len(DOC_TRAILER_BODY))))
    assert (len(data), trailers) == (66560, {CRC32C: "sOO8/Q=="})


def test_a_feed_that_is_all_payload_is_returned_without_a_copy() -> None:
    dec = decoder(PayloadMode.STREAMING_SIGNED)
    head, rest = DOC_BODY.split(b"\r\n", 1)
    dec.feed(head + b"\r\n")
    payload = rest[:1000]
    assert dec.feed(payload)[0] is payload


# --- splits at any byte, for every mode ---


@st.composite
def _bodies(draw: st.DrawFn) -> tuple[PayloadMode, bytes, dict[str, str], bytes]:
    mode = draw(st.sampled_from([PayloadMode.STREAMING_SIGNED, PayloadMode.STREAMING_SIGNED_TRAILER,
                                 PayloadMode.STREAMING_UNSIGNED_TRAILER, PayloadMode.UNSIGNED_PAYLOAD]))
    sizes = draw(st.lists(st.integers(8192, 12000), max_size=3)) + draw(st.lists(st.integers(1, 9000), max_size=1))
    data = random.Random(draw(st.integers(0, 2**32))).randbytes(sum(sizes))
    trailers = {}
    if mode is not PayloadMode.STREAMING_SIGNED and draw(st.booleans()):
        alg = draw(st.sampled_from(list(ChecksumAlgorithm)))
        summer = alg.new()
        summer.update(data)
        trailers = {alg.header: summer.b64digest()}
    return mode, data, trailers, encode(data, sizes, mode, trailers)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_bodies(), st.data())
def test_any_split_decodes_the_same(body: tuple[PayloadMode, bytes, dict[str, str], bytes],
                                    data: st.DataObject) -> None:
    mode, payload, trailers, wire = body
    points = data.draw(st.lists(st.integers(0, len(wire)), max_size=12))
    assert decode(decoder(mode, trailers), cut(wire, points)) == (payload, trailers)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_bodies(), st.data())
def test_any_truncation_is_incomplete_body(body: tuple[PayloadMode, bytes, dict[str, str], bytes],
                                           data: st.DataObject) -> None:
    mode, _, trailers, wire = body
    end = data.draw(st.integers(0, len(wire) - 1))
    refused(decoder(mode, trailers), cut(wire[:end], [end // 2]), ErrorCode.IncompleteBody)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(PayloadMode)), st.lists(st.binary(max_size=64) | st.sampled_from(
    [b"\r\n", b"0\r\n", b"10;chunk-signature=", b"x-amz-checksum-crc32:", b"\n", b"2000\r\n"]), max_size=8))
def test_garbage_raises_only_s3_errors(mode: PayloadMode, parts: list[bytes]) -> None:
    try:
        decode(decoder(mode, ["x-amz-checksum-crc32"]), parts)
    except S3Error:
        pass


@pytest.mark.parametrize(("checksum_cls", "name"), [(Crc32Checksum, "x-amz-checksum-crc32"),
                                                    (CrtCrc64NvmeChecksum, "x-amz-checksum-crc64nvme")])
def test_botocore_aws_chunked_wrapper_body(checksum_cls: type, name: str) -> None:
    """botocore's own encoder (STREAMING-UNSIGNED-PAYLOAD-TRAILER), read in odd-sized pieces."""
    payload = random.Random(7).randbytes(3 * 1024 * 1024 + 17)
    wrapper = AwsChunkedWrapper(io.BytesIO(payload), checksum_cls, name)
    parts = iter(lambda: wrapper.read(65521), b"")
    data, trailers = decode(decoder(PayloadMode.STREAMING_UNSIGNED_TRAILER, [name]), parts)
    assert data == payload
    expected = checksum_cls()
    expected.update(payload)
    assert trailers == {name: expected.b64digest()}


# --- refusals ---


def test_tampered_data_is_signature_does_not_match() -> None:
    body = bytearray(DOC_BODY)
    body[100] = ord("b")
    err = refused(decoder(PayloadMode.STREAMING_SIGNED), [bytes(body)], ErrorCode.SignatureDoesNotMatch)
    assert err.status == 403
    assert SECRET not in repr(err) and KEY.hex() not in repr(err)


def test_wrong_chunk_signature_and_wrong_seed() -> None:
    wrong = DOC_BODY.replace(b"0055627c", b"1055627c")
    refused(decoder(PayloadMode.STREAMING_SIGNED), [wrong], ErrorCode.SignatureDoesNotMatch)
    refused(decoder(PayloadMode.STREAMING_SIGNED, seed="0" * 64), [DOC_BODY], ErrorCode.SignatureDoesNotMatch)


def test_reordered_chunks_break_the_chain() -> None:
    sizes = [8192, 8192, 100]
    data = b"x" * 8192 + b"y" * 8192 + b"z" * 100
    wire = encode(data, sizes, PayloadMode.STREAMING_SIGNED)
    frames = wire.split(b"\r\n")  # header, data, header, data, header, data, final, "", ""
    swapped = b"\r\n".join([frames[2], frames[3], frames[0], frames[1], *frames[4:]])
    refused(decoder(PayloadMode.STREAMING_SIGNED), [swapped], ErrorCode.SignatureDoesNotMatch)


def test_tampered_trailer_is_signature_does_not_match() -> None:
    tampered = DOC_TRAILER_BODY.replace(b"sOO8/Q==", b"sOO8/A==")
    dec = decoder(PayloadMode.STREAMING_SIGNED_TRAILER, [CRC32C], seed=DOC_TRAILER_SEED)
    refused(dec, [tampered], ErrorCode.SignatureDoesNotMatch)


@pytest.mark.parametrize("body", [
    DOC_BODY.replace(b";chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648", b""),
    DOC_BODY.replace(b"chunk-signature=ad80", b"chunk-signature=AD80"),
    DOC_BODY.replace(b"chunk-signature=", b"chunk-signature:"),
    DOC_BODY.replace(b"10000;", b"zz;"),
    DOC_BODY.replace(b"10000;", b"0x10000;"),
    DOC_BODY.replace(b"10000;", b"+10000;"),
    DOC_BODY.replace(b"10000;", b" 10000;"),
    DOC_BODY.replace(b"10000;", b"00000000000010000;"),
    DOC_BODY.replace(b"\r\n400;", b"\n400;"),
    DOC_BODY.replace(b"\r\n400;", b"X\r\n400;"),
    DOC_BODY + b"extra",
    DOC_BODY[:-2],
], ids=["no-signature", "uppercase-signature", "signature-syntax", "not-hex", "0x", "plus", "space", "too-long-size",
        "bare-lf", "data-overrun", "after-end", "no-final-crlf"])
def test_malformed_framing_is_incomplete_body(body: bytes) -> None:
    err = refused(decoder(PayloadMode.STREAMING_SIGNED), [body], ErrorCode.IncompleteBody)
    assert err.status == 400
    assert err.message == "The request body terminated unexpectedly"


def test_an_endless_header_line_is_refused_while_feeding() -> None:
    dec = decoder(PayloadMode.STREAMING_UNSIGNED_TRAILER)
    dec.feed(b"1" * (MAX_LINE // 2))
    with pytest.raises(S3Error) as info:
        for _ in range(4):
            dec.feed(b"1" * (MAX_LINE // 2))
    assert info.value.code is ErrorCode.IncompleteBody


def test_a_header_line_of_max_length_is_accepted() -> None:
    line = b"2000;" + b"x" * (MAX_LINE - 5) + b"\r\n"
    dec = decoder(PayloadMode.STREAMING_UNSIGNED_TRAILER)
    data, _ = decode(dec, [line, b"a" * 0x2000 + b"\r\n0\r\n\r\n"])
    assert data == b"a" * 0x2000


def test_only_the_last_chunk_may_be_small() -> None:
    data = b"q" * 9000
    err = refused(decoder(PayloadMode.STREAMING_SIGNED), [encode(data, [1000, 8000], PayloadMode.STREAMING_SIGNED)],
                  ErrorCode.InvalidChunkSizeError)
    assert err.status == 403
    assert err.fields == {"Chunk": "1", "BadChunkSize": "1000"}
    unsigned = encode(data, [8192, 500, 308], PayloadMode.STREAMING_UNSIGNED_TRAILER)
    err = refused(decoder(PayloadMode.STREAMING_UNSIGNED_TRAILER), [unsigned], ErrorCode.InvalidChunkSizeError)
    assert err.fields == {"Chunk": "2", "BadChunkSize": "500"}
    assert decode(decoder(PayloadMode.STREAMING_SIGNED), [encode(data, [8192, 808], PayloadMode.STREAMING_SIGNED)])[0]


@pytest.mark.parametrize(("mode", "declared", "trailer_lines"), [
    (PayloadMode.STREAMING_UNSIGNED_TRAILER, [], b"x-amz-checksum-crc32:AAAAAA==\r\n"),  # undeclared
    (PayloadMode.STREAMING_UNSIGNED_TRAILER, ["x-amz-checksum-crc32"], b""),  # declared, never sent
    (PayloadMode.STREAMING_UNSIGNED_TRAILER, ["x-amz-checksum-crc32"],
     b"x-amz-checksum-crc32:AAAAAA==\r\nx-amz-checksum-crc32:AAAAAA==\r\n"),  # twice
    (PayloadMode.STREAMING_UNSIGNED_TRAILER, ["x-amz-checksum-crc32"], b"x-amz-checksum-crc32 AAAAAA==\r\n"),
    (PayloadMode.STREAMING_UNSIGNED_TRAILER, ["x-amz-checksum-crc32"],
     b"x-amz-checksum-crc32:AAAAAA==\r\nx-amz-trailer-signature:" + b"0" * 64 + b"\r\n"),  # unsigned mode
    (PayloadMode.STREAMING_SIGNED, ["x-amz-checksum-crc32"], b"x-amz-checksum-crc32:AAAAAA==\r\n"),
])
def test_malformed_trailers(mode: PayloadMode, declared: list[str], trailer_lines: bytes) -> None:
    body = encode(b"", [], mode)[:-2] + trailer_lines + b"\r\n"
    refused(decoder(mode, declared), [body], ErrorCode.MalformedTrailerError)


def test_signed_trailer_requires_its_signature_last() -> None:
    no_signature = DOC_TRAILER_BODY.replace(
        b"x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n", b"")
    dec = decoder(PayloadMode.STREAMING_SIGNED_TRAILER, [CRC32C], seed=DOC_TRAILER_SEED)
    refused(dec, [no_signature], ErrorCode.MalformedTrailerError)
    after = DOC_TRAILER_BODY[:-2] + b"x-amz-checksum-crc32c:sOO8/Q==\r\n\r\n"
    dec = decoder(PayloadMode.STREAMING_SIGNED_TRAILER, [CRC32C], seed=DOC_TRAILER_SEED)
    refused(dec, [after], ErrorCode.MalformedTrailerError)


def test_finish_before_the_final_chunk() -> None:
    dec = decoder(PayloadMode.STREAMING_SIGNED)
    dec.feed(DOC_BODY[:60000])
    with pytest.raises(S3Error) as info:
        dec.finish()
    assert info.value.code is ErrorCode.IncompleteBody


def test_signed_mode_needs_a_signer() -> None:
    with pytest.raises(ValueError):
        AwsChunkedDecoder(PayloadMode.STREAMING_SIGNED, None, frozenset())


def test_hash_mode_with_aws_chunked_content_encoding_decodes_unsigned_framing() -> None:
    wire = encode(b"h" * 10, [10], PayloadMode.STREAMING_UNSIGNED_TRAILER)
    assert decode(decoder(PayloadMode.HASH), [wire]) == (b"h" * 10, {})


# --- large streams: decoded whole across feeds that straddle frames (speed is measured in bench/chunked.py, as a
# ratio to SHA-256 in the same run, never asserted here) ---


def _periodic_feeds(frame: bytes, frames: int, feed_size: int) -> Iterable[bytes]:
    """The stream frame * frames, cut into feed_size pieces that straddle frame boundaries."""
    double = frame + frame
    total, pos = len(frame) * frames, 0
    while pos < total:
        size = min(feed_size, total - pos)
        start = pos % len(frame)
        yield double[start:start + size]
        pos += size


def test_unsigned_stream_in_1_mib_chunks_decodes_whole() -> None:
    mib = 1 << 20
    frame = f"{mib:x}\r\n".encode() + random.Random(1).randbytes(mib) + b"\r\n"
    dec = decoder(PayloadMode.STREAMING_UNSIGNED_TRAILER)
    received = 0
    for part in _periodic_feeds(frame, 16, mib - 7):
        received += sum(len(piece) for piece in dec.feed(part))
    dec.feed(b"0\r\n\r\n")
    dec.finish()
    assert received == 16 * mib


def test_signed_stream_decodes_whole() -> None:
    mib = 1 << 20
    chunk = random.Random(2).randbytes(mib)
    wire = encode(chunk * 8, [mib] * 8, PayloadMode.STREAMING_SIGNED)
    dec = decoder(PayloadMode.STREAMING_SIGNED)
    received = b"".join(piece for part in cut(wire, range(65536, len(wire), 65536)) for piece in dec.feed(part))
    dec.finish()
    assert received == chunk * 8
