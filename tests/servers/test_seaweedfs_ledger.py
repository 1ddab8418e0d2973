"""One test per SeaweedFS ledger entry (harness/ledgers/seaweedfs.py), against a real ``weed mini`` started by the
harness; each FAILS when SeaweedFS stops deviating from S3 (then delete the entry and its test).
Run with S3_SERVER_TESTS=seaweedfs (tox -e seaweedfs)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from harness.ledgers.seaweedfs import SEAWEEDFS
from tests.harness.ledger_support import deviation
from tests.servers.catalogue_support import catalogue_deviation, harness_ctx  # noqa: F401 - fixture
from tests.servers.conftest import s3_client, sigv2_presigned_status

SERVER = "seaweedfs"
PREFIX = "s3-conformance/ledger/"


def status_of(fn, **kw) -> int:
    try:
        return fn(**kw)["ResponseMetadata"]["HTTPStatusCode"]
    except ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"]


@deviation(SEAWEEDFS, "seaweedfs-default-content-type")
def test_default_content_type(server):
    c = s3_client(server)
    c.put_object(Bucket=server.bucket, Key=PREFIX + "empty", Body=b"")
    # S3: binary/octet-stream
    assert c.head_object(Bucket=server.bucket, Key=PREFIX + "empty")["ContentType"] == "application/octet-stream"


@deviation(SEAWEEDFS, "seaweedfs-content-type-sniffed")
def test_content_type_sniffed(server):
    c = s3_client(server)
    c.put_object(Bucket=server.bucket, Key=PREFIX + "text", Body=b"plain words\n")
    # S3: binary/octet-stream
    assert c.head_object(Bucket=server.bucket, Key=PREFIX + "text")["ContentType"].startswith("text/plain")


@deviation(SEAWEEDFS, "seaweedfs-1024-byte-key-refused")
def test_1024_byte_key_refused(server):
    key = PREFIX + "k" * (1024 - len(PREFIX))
    assert len(key.encode()) == 1024
    # S3: 200 (a key may be 1024 bytes)
    assert status_of(s3_client(server).put_object, Bucket=server.bucket, Key=key, Body=b"x") == 400


@deviation(SEAWEEDFS, "seaweedfs-next-marker-without-delimiter")
def test_next_marker_without_delimiter(server):
    c = s3_client(server)
    for k in ("a", "b", "c"):
        c.put_object(Bucket=server.bucket, Key=PREFIX + "list/" + k, Body=b"x")
    r = c.list_objects(Bucket=server.bucket, Prefix=PREFIX + "list/", MaxKeys=2)
    assert r["IsTruncated"] and r.get("NextMarker") == PREFIX + "list/b"  # S3: no NextMarker without a delimiter


@deviation(SEAWEEDFS, "seaweedfs-sigv2-accepted")
def test_sigv2_accepted(server):
    assert sigv2_presigned_status(server, PREFIX + "p") == 200  # S3: 400 InvalidRequest (SigV4 only)


@deviation(SEAWEEDFS, "seaweedfs-dot-segment-key-refused")
def test_dot_segment_key_refused(server):
    c = s3_client(server)
    assert status_of(c.put_object, Bucket=server.bucket, Key=PREFIX + "plain/x", Body=b"x") == 200
    # S3: 200, stored under exactly this key
    assert status_of(c.put_object, Bucket=server.bucket, Key=PREFIX + "dots/../../", Body=b"x") == 400


# the catalogue's checks, replayed through the harness (tests/servers/catalogue_support.py)
test_seaweedfs_chunk_signature_not_checked = catalogue_deviation(
    SEAWEEDFS, "seaweedfs-chunk-signature-not-checked", "chunk-signature-tampered", "http")
test_seaweedfs_payload_hash_not_checked = catalogue_deviation(
    SEAWEEDFS, "seaweedfs-payload-hash-not-checked", "payload-hash-mismatch", "http")
test_seaweedfs_trailer_checksum_invalid_digest = catalogue_deviation(
    SEAWEEDFS, "seaweedfs-trailer-checksum-invalid-digest", "trailer-checksum-wrong", "http")
test_seaweedfs_long_key_read_404 = catalogue_deviation(
    SEAWEEDFS, "seaweedfs-long-key-read-404", "key-1025-bytes-get-head")
test_seaweedfs_metadata_rfc2047_not_decoded = catalogue_deviation(
    SEAWEEDFS, "seaweedfs-metadata-rfc2047-not-decoded", "put-metadata-rfc2047")
test_seaweedfs_metadata_too_large_accepted = catalogue_deviation(
    SEAWEEDFS, "seaweedfs-metadata-too-large-accepted", "put-metadata-too-large")
test_seaweedfs_invalid_range_416 = catalogue_deviation(SEAWEEDFS, "seaweedfs-invalid-range-416", "range-ignored")
