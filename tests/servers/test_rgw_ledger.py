"""One test per Ceph RGW ledger entry (harness/ledgers/rgw.py), against a real one-host RGW cluster started by the
harness; each FAILS when RGW stops deviating from S3 (then delete the entry and its test).
Run with S3_SERVER_TESTS=rgw (tox -e rgw)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from harness.ledgers.rgw import RGW
from tests.harness.ledger_support import deviation
from tests.servers.catalogue_support import catalogue_deviation, harness_ctx  # noqa: F401 - fixture
from tests.servers.conftest import s3_client, sigv2_presigned_status

SERVER = "rgw"
PREFIX = "s3-conformance/ledger/"


@deviation(RGW, "rgw-sigv2-accepted")
def test_sigv2_accepted(server):
    assert sigv2_presigned_status(server, PREFIX + "p") == 200  # S3: 400 InvalidRequest (SigV4 only)


@deviation(RGW, "rgw-key-too-long-invalid-object-name")
def test_key_too_long_invalid_object_name(server):
    key = PREFIX + "k" * (1025 - len(PREFIX))
    assert len(key.encode()) == 1025
    try:
        s3_client(server).put_object(Bucket=server.bucket, Key=key, Body=b"x")
        answer = (200, None)
    except ClientError as e:
        answer = (e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"])
    assert answer == (400, "InvalidObjectName")  # S3: (400, "KeyTooLongError")


@deviation(RGW, "rgw-next-marker-without-delimiter")
def test_next_marker_without_delimiter(server):
    c = s3_client(server)
    for k in ("a", "b", "c"):
        c.put_object(Bucket=server.bucket, Key=PREFIX + "list/" + k, Body=b"x")
    r = c.list_objects(Bucket=server.bucket, Prefix=PREFIX + "list/", MaxKeys=2)
    assert r["IsTruncated"] and r.get("NextMarker") == PREFIX + "list/b"  # S3: no NextMarker without a delimiter


# the catalogue's checks, replayed through the harness (tests/servers/catalogue_support.py)
test_rgw_unsigned_trailer_refused = catalogue_deviation(RGW, "rgw-unsigned-trailer-refused",
                                                        "aws-chunked-unsigned-trailer", "http")
test_rgw_if_modified_since_future_304 = catalogue_deviation(RGW, "rgw-if-modified-since-future-304",
                                                            "if-modified-since")
test_rgw_invalid_max_keys_accepted = catalogue_deviation(RGW, "rgw-invalid-max-keys-accepted",
                                                         "list-max-keys-invalid")
test_rgw_presign_expires_out_of_range_403 = catalogue_deviation(RGW, "rgw-presign-expires-out-of-range-403",
                                                                "presigned-expires-out-of-range", "http")
test_rgw_metadata_rfc2047_not_decoded = catalogue_deviation(RGW, "rgw-metadata-rfc2047-not-decoded",
                                                            "put-metadata-rfc2047")
test_rgw_metadata_too_large_accepted = catalogue_deviation(RGW, "rgw-metadata-too-large-accepted",
                                                           "put-metadata-too-large")
test_rgw_invalid_range_416 = catalogue_deviation(RGW, "rgw-invalid-range-416", "range-ignored")
test_rgw_suffix_range_zero_206 = catalogue_deviation(RGW, "rgw-suffix-range-zero-206", "range-unsatisfiable")


@deviation(RGW, "rgw-short-listing-page")
def test_short_listing_page(server):
    """Many keys, in a bucket that holds other keys too: RGW's first page is truncated short of max-keys."""
    from concurrent.futures import ThreadPoolExecutor

    c = s3_client(server)
    keys = [f"{PREFIX}many/d{i:05d}/x" for i in range(1100)] + [f"{PREFIX}other/{i:05d}" for i in range(1100)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: c.put_object(Bucket=server.bucket, Key=k, Body=b""), keys))
    r = c.list_objects(Bucket=server.bucket, Prefix=PREFIX + "many/")
    assert r["IsTruncated"] and len(r.get("Contents", [])) < 1000  # S3: 1000 keys on a truncated page
