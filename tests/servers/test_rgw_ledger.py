"""One test per Ceph RGW ledger entry (harness/ledgers/rgw.py), against a real one-host RGW cluster started by the
harness; each FAILS when RGW stops deviating from S3 (then delete the entry and its test).
Run with S3_SERVER_TESTS=rgw (tox -e rgw)."""

from __future__ import annotations

import urllib.error
import urllib.request

from botocore.exceptions import ClientError

from harness.ledgers.rgw import RGW
from tests.harness.ledger_support import deviation
from tests.servers.conftest import s3_client

SERVER = "rgw"
PREFIX = "s3-conformance/ledger/"


@deviation(RGW, "rgw-sigv2-accepted")
def test_sigv2_accepted(server):
    c = s3_client(server)
    c.put_object(Bucket=server.bucket, Key=PREFIX + "p", Body=b"x")
    url = s3_client(server, signature="s3").generate_presigned_url(
        "get_object", Params={"Bucket": server.bucket, "Key": PREFIX + "p"})
    assert "Signature=" in url and "X-Amz-Signature" not in url  # really a SigV2 URL
    try:
        status = urllib.request.urlopen(url).status  # noqa: S310 - the loopback server of this test
    except urllib.error.HTTPError as e:
        status = e.code
    assert status == 200  # S3: 400 InvalidRequest (SigV4 only)


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
