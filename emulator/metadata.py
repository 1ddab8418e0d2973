"""User metadata (x-amz-meta-*) as S3 stores and returns it: RFC 2047 on the way in and out, and the 2 KB limit.

AWS decodes RFC 2047 encoded-words in a value before storing it, and returns a value that is not printable US-ASCII
RFC 2047-encoded ("mail-safe"): Q-encoding, or B-encoding when most characters need escaping. Sources:
https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html ("User-defined object metadata"), and AWS's
recorded answers in localstack tests/aws/services/s3/test_s3.snapshot.json, TestS3::test_user_metadata_rfc2047_encoded
and TestS3PresignedUrl::test_put_unicode_metadata_with_sig_s3 (validated against AWS): "=?UTF-8?B?YWJj?=" comes back
as "abc"; "ÄMÄZÕÑ S3" as "=?UTF-8?Q?=C3=84M=C3=84Z=C3=95=C3=91_S3?="; "\\x00\\x01\\x02\\x03" as "=?UTF-8?B?AAECAw==?=".
(Rule put.metadata in harness/rules.py.)
"""

from __future__ import annotations

import base64
from email.header import decode_header

MAX_METADATA_BYTES = 2048  # names (without x-amz-meta-) + values, UTF-8 (UsingMetadata.html)


def _printable(ch: str) -> bool:
    return " " <= ch <= "~"


def decode_value(raw: str) -> str:
    """The stored value of an x-amz-meta-* header: encoded-words decoded, anything else as sent."""
    if "=?" not in raw:
        return raw
    try:
        parts = decode_header(raw)
    except ValueError:  # not a well-formed encoded-word: stored as sent
        return raw
    out = []
    for text, charset in parts:
        if isinstance(text, str):
            out.append(text)
        else:
            out.append(text.decode(charset or "ascii", "replace"))
    return "".join(out)


def _q_byte(b: int) -> str:
    if b == 0x20:
        return "_"
    if 0x20 < b < 0x7F and b not in b"=?_":
        return chr(b)
    return f"={b:02X}"


def encode_value(stored: str) -> str:
    """The value as returned: printable ASCII as is, else one RFC 2047 encoded-word (Q, or B when more than half of
    the characters need escaping, as AWS chose in the recordings above)."""
    if all(_printable(ch) for ch in stored):
        return stored
    data = stored.encode("utf-8", "surrogateescape")
    unsafe = sum(not _printable(ch) for ch in stored)
    if unsafe * 2 > len(stored):
        return "=?UTF-8?B?" + base64.b64encode(data).decode("ascii") + "?="
    return "=?UTF-8?Q?" + "".join(_q_byte(b) for b in data) + "?="


def metadata_size(pairs) -> int:
    return sum(len(k.encode("utf-8", "surrogateescape")) + len(v.encode("utf-8", "surrogateescape")) for k, v in pairs)
