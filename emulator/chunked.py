"""A push decoder for ``Content-Encoding: aws-chunked`` bodies, independent of any HTTP library.

Wire format (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html)::

    <hex-size>[;chunk-signature=<64 hex>]\\r\\n<data>\\r\\n      (repeated)
    0[;chunk-signature=<64 hex>]\\r\\n                          (the final chunk)
    <name>:<value>\\r\\n                                         (trailers, trailer modes only)
    x-amz-trailer-signature:<64 hex>\\r\\n                       (signed-trailer mode only)
    \\r\\n

Signed chunks chain: chunk n signs its data and chunk n-1's signature, chunk 1 the request's (seed) signature.
Errors follow what S3 answers: any framing fault is 400 IncompleteBody "The request body terminated
unexpectedly"; a wrong signature 403 SignatureDoesNotMatch; a non-final chunk under 8 KiB 403
InvalidChunkSizeError (fields Chunk, BadChunkSize); a bad trailer section 400 MalformedTrailerError.

Pieces are returned as soon as they arrive, before their chunk's signature (which follows the data) is
checked: on any S3Error the caller must discard everything decoded so far, as S3 stores nothing.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re

from . import sigv4
from .auth import PayloadMode
from .errors import ErrorCode, S3Error
from .sigv4 import ChunkSigningContext, HexDigest

__all__ = ["MAX_LINE", "MIN_CHUNK_SIZE", "AwsChunkedDecoder"]

MAX_LINE = 4096  # a chunk header or trailer line longer than this is malformed, so buffering stays bounded
MIN_CHUNK_SIZE = 8192  # "Chunk size must be at least 8 KB" for every chunk but the last (sigv4-streaming.html)
MAX_TRAILERS = 16
TRAILER_SIGNATURE = "x-amz-trailer-signature"
_HEX_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
_SIGNATURE = re.compile(rb"[0-9a-f]{64}")
_TRAILER_NAME = re.compile(rb"[A-Za-z0-9-]+")


class _State(enum.Enum):
    CHUNK_HEADER = "chunk-header"
    DATA = "data"
    DATA_END = "data-end"  # the CRLF after a chunk's data
    TRAILER = "trailer"  # after the final 0-size chunk, up to the empty line
    DONE = "done"


def _incomplete(reason: str) -> S3Error:
    return S3Error(
        ErrorCode.IncompleteBody,
        message="The request body terminated unexpectedly",
        log_reason=f"aws-chunked: {reason}",
    )


def _malformed_trailer(reason: str) -> S3Error:
    return S3Error(ErrorCode.MalformedTrailerError, log_reason=f"aws-chunked trailer: {reason}")


def _check_signature(key: bytes, to_sign: str, provided: str, what: str) -> None:
    if not hmac.compare_digest(sigv4.signature(key, to_sign).encode(), provided.encode()):
        raise S3Error(
            ErrorCode.SignatureDoesNotMatch,
            fields={"StringToSign": to_sign, "SignatureProvided": provided},
            log_reason=f"{what} signature does not match",
        )


class AwsChunkedDecoder:
    """Feed the body as it arrives (split anywhere); get the payload pieces; ``finish()`` at the end.

    ``mode`` and ``chunk_signer`` come from auth.authenticate; ``expected_trailers`` are the lowercase names
    the x-amz-trailer header declared. Modes other than the STREAMING-* ones decode unsigned framing.
    """

    def __init__(
        self,
        mode: PayloadMode,
        chunk_signer: ChunkSigningContext | None,
        expected_trailers: frozenset[str] = frozenset(),
    ) -> None:
        if mode.signed_chunks and chunk_signer is None:
            raise ValueError(f"{mode.value} needs the request's chunk signing context")
        self._signer = chunk_signer if mode.signed_chunks else None
        self._signed_trailer = mode is PayloadMode.STREAMING_SIGNED_TRAILER
        # A STREAMING-AWS4-HMAC-SHA256-PAYLOAD body signs no trailer, so it may carry none.
        self._expected = (
            frozenset()
            if mode is PayloadMode.STREAMING_SIGNED
            else frozenset(name.strip().lower() for name in expected_trailers)
        )
        self._state = _State.CHUNK_HEADER
        self._partial = bytearray()  # an incomplete line, at most MAX_LINE + 1 bytes
        self._remaining = 0
        self._hasher: hashlib._Hash | None = None
        self._declared = ""
        self._previous = chunk_signer.seed_signature if self._signer is not None else ""
        self._chunks = 0
        self._small_chunk: tuple[int, int] | None = None  # (number, size) of a chunk under MIN_CHUNK_SIZE
        self._trailers: dict[str, str] = {}
        self._trailer_signed = False

    def feed(self, data: bytes | bytearray | memoryview) -> list[bytes]:
        """The payload bytes in ``data``: slices of it (the object itself when it is all payload)."""
        if not isinstance(data, bytes):
            data = bytes(data)  # slices of a mutable buffer could change under the caller
        out: list[bytes] = []
        pos, end = 0, len(data)
        while pos < end:
            if self._state is _State.DATA:
                pos = self._take_data(data, pos, out)
                continue
            if self._state is _State.DONE:
                raise _incomplete("bytes after the end of the body")
            line, pos = self._take_line(data, pos)
            if line is not None:
                self._on_line(line)
        return out

    def finish(self) -> dict[str, str]:
        """Call at the end of the body: the trailers received (lowercase names), or IncompleteBody."""
        if self._state is not _State.DONE:
            raise _incomplete(f"body ended in state {self._state.value}")
        return dict(self._trailers)

    def _take_data(self, data: bytes, pos: int, out: list[bytes]) -> int:
        take = min(self._remaining, len(data) - pos)
        piece = data if take == len(data) else data[pos : pos + take]
        if self._hasher is not None:
            self._hasher.update(piece)
        out.append(piece)
        self._remaining -= take
        if not self._remaining:
            self._verify_chunk(self._hasher)
            self._state = _State.DATA_END
        return pos + take

    def _take_line(self, data: bytes, pos: int) -> tuple[bytes | None, int]:
        """The next CRLF-terminated line without its CRLF, or None when ``data`` ends first (kept for later)."""
        stop = min(len(data), pos + MAX_LINE + 2 - len(self._partial))
        newline = data.find(b"\n", pos, stop)
        if newline < 0:
            if stop < len(data):
                raise _incomplete(f"a line longer than {MAX_LINE} bytes")
            self._partial += data[pos:stop]
            return None, stop
        line = bytes(self._partial) + data[pos:newline] if self._partial else data[pos:newline]
        self._partial.clear()
        if not line.endswith(b"\r"):
            raise _incomplete("a line not ended by CRLF")
        return line[:-1], newline + 1

    def _on_line(self, line: bytes) -> None:
        if self._state is _State.CHUNK_HEADER:
            self._on_chunk_header(line)
        elif self._state is _State.DATA_END:
            if line:
                raise _incomplete("chunk data longer than its declared size")
            self._state = _State.CHUNK_HEADER
        else:
            self._on_trailer_line(line)

    def _on_chunk_header(self, line: bytes) -> None:
        size_field, *extensions = line.split(b";")
        if not _HEX_SIZE.fullmatch(size_field):
            raise _incomplete("a chunk size that is not hexadecimal")
        size = int(size_field, 16)
        if self._signer is not None:
            self._declared = self._chunk_signature(extensions)
        self._count_chunk(size)
        if size:
            self._remaining = size
            self._hasher = hashlib.sha256() if self._signer is not None else None
            self._state = _State.DATA
        else:
            self._verify_chunk(hashlib.sha256())
            self._state = _State.TRAILER

    @staticmethod
    def _chunk_signature(extensions: list[bytes]) -> str:
        for extension in extensions:
            name, _, value = extension.partition(b"=")
            if name == b"chunk-signature" and _SIGNATURE.fullmatch(value):
                return value.decode("ascii")
        raise _incomplete("a signed chunk without a well-formed chunk-signature")

    def _count_chunk(self, size: int) -> None:
        """Only the last data chunk may be under 8 KiB: S3's 403 InvalidChunkSizeError names the small one."""
        if not size:
            return
        if self._small_chunk is not None:
            number, small = self._small_chunk
            raise S3Error(ErrorCode.InvalidChunkSizeError, fields={"Chunk": str(number), "BadChunkSize": str(small)})
        self._chunks += 1
        if size < MIN_CHUNK_SIZE:
            self._small_chunk = (self._chunks, size)

    def _verify_chunk(self, digest: HexDigest | None) -> None:
        signer = self._signer
        if signer is None or digest is None:
            return
        to_sign = sigv4.chunk_string_to_sign(signer.amz_date, signer.scope, self._previous, digest)
        _check_signature(signer.signing_key, to_sign, self._declared, "chunk")
        self._previous = self._declared

    def _on_trailer_line(self, line: bytes) -> None:
        if not line:
            self._end_trailers()
            return
        if self._trailer_signed:
            raise _malformed_trailer(f"a line after {TRAILER_SIGNATURE}")
        raw_name, colon, raw_value = line.partition(b":")
        raw_name = raw_name.strip()
        if not colon or not _TRAILER_NAME.fullmatch(raw_name):
            raise _malformed_trailer("a line that is not name:value")
        name = raw_name.decode("ascii").lower()
        value = raw_value.decode("utf-8", "surrogateescape").strip()
        if name == TRAILER_SIGNATURE and self._signed_trailer:
            self._verify_trailers(value)
        elif name not in self._expected or name in self._trailers or len(self._trailers) >= MAX_TRAILERS:
            raise _malformed_trailer(f"{name} was not declared in x-amz-trailer, or came twice")
        else:
            self._trailers[name] = value

    def _verify_trailers(self, provided: str) -> None:
        signer = self._signer
        assert signer is not None  # signed-trailer mode always has a signer (checked in __init__)
        to_sign = sigv4.trailer_string_to_sign(signer.amz_date, signer.scope, self._previous, self._trailers)
        _check_signature(signer.signing_key, to_sign, provided, "trailer")
        self._trailer_signed = True

    def _end_trailers(self) -> None:
        missing = sorted(self._expected - self._trailers.keys())
        if missing:
            raise _malformed_trailer(f"declared trailer {missing[0]} never came")
        if self._signed_trailer and not self._trailer_signed:
            raise _malformed_trailer(f"no {TRAILER_SIGNATURE}")
        self._state = _State.DONE
