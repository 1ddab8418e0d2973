"""One test per moto ledger entry: each FAILS when moto stops differing from S3 (then delete the entry and its
test), so the ledger never excuses a deviation that no longer exists."""

from __future__ import annotations

import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from harness.ledgers import moto as moto_ledger
from harness.targets import Credentials, create_moto_bucket, moto_servers
from tests.harness.ledger_support import deviation

BUCKET = "ledger-bucket"
PAST = "Sat, 01 Jan 1999 00:00:00 GMT"


@pytest.fixture(scope="module")
def moto():
    creds = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    with moto_servers() as (plain, _tls):
        create_moto_bucket(plain.endpoint_url, creds, BUCKET)
        yield plain.endpoint_url, creds


def client(moto, secret=None, key=None, signature=None):
    url, creds = moto
    kw = {"retries": {"total_max_attempts": 1}}
    if signature:
        kw["signature_version"] = signature
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key or creds.access_key,
                        aws_secret_access_key=secret or creds.secret_key, config=Config(**kw))


def status_of(fn, **kw):
    try:
        return fn(**kw)["ResponseMetadata"]["HTTPStatusCode"]
    except ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"]


@deviation(moto_ledger.MOTO, "moto-no-signature-check")
def test_no_signature_check(moto):
    assert status_of(client(moto, secret="wrong").list_buckets) == 200  # S3: 403 SignatureDoesNotMatch
    assert status_of(client(moto, key="AKIAUNKNOWN000000000").list_buckets) == 200  # S3: 403 InvalidAccessKeyId
    assert status_of(client(moto, signature="s3").list_objects, Bucket=BUCKET) == 200  # this service: 403


@deviation(moto_ledger.MOTO, "moto-presign-not-verified")
def test_presign_not_verified(moto):
    c = client(moto)
    c.put_object(Bucket=BUCKET, Key="p", Body=b"x")
    url = client(moto, secret="wrong", signature="s3v4").generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": "p"})
    assert urllib.request.urlopen(url).status == 200  # S3: 403 SignatureDoesNotMatch


@deviation(moto_ledger.MOTO, "moto-supports-everything")
def test_supports_everything(moto):
    assert status_of(client(moto).list_objects_v2, Bucket=BUCKET) == 200  # this service: 501


@deviation(moto_ledger.MOTO, "moto-key-too-long-accepted")
def test_key_too_long_accepted(moto):
    assert status_of(client(moto).put_object, Bucket=BUCKET, Key="k" * 1025, Body=b"") == 200  # S3: 400
    assert status_of(client(moto).get_object, Bucket=BUCKET, Key="k" * 1025) == 200  # S3: 400 KeyTooLongError


@deviation(moto_ledger.MOTO, "moto-if-match-does-not-override-if-unmodified-since")
def test_if_match_does_not_override_if_unmodified_since(moto):
    c = client(moto)
    etag = c.put_object(Bucket=BUCKET, Key="cond", Body=b"0123456789")["ETag"]
    assert status_of(c.get_object, Bucket=BUCKET, Key="cond", IfMatch=etag, IfUnmodifiedSince=PAST) == 412  # S3: 200


def _list_setup(c):
    for k in ("l/a/1", "l/a/2", "l/b"):
        c.put_object(Bucket=BUCKET, Key=k, Body=b"x")


@deviation(moto_ledger.MOTO, "moto-common-prefixes-not-counted-in-max-keys")
def test_common_prefixes_not_counted_in_max_keys(moto):
    c = client(moto)
    _list_setup(c)
    r = c.list_objects(Bucket=BUCKET, Prefix="l/", Delimiter="/", MaxKeys=1)
    # S3: one entry (CommonPrefix l/a/), IsTruncated true, NextMarker l/a/
    assert len(r.get("CommonPrefixes", [])) + len(r.get("Contents", [])) == 2


@deviation(moto_ledger.MOTO, "moto-marker-repeats-common-prefix")
def test_marker_repeats_common_prefix(moto):
    c = client(moto)
    _list_setup(c)
    r = c.list_objects(Bucket=BUCKET, Prefix="l/", Delimiter="/", Marker="l/a/")
    assert [p["Prefix"] for p in r.get("CommonPrefixes", [])] == ["l/a/"]  # S3: none (only the key l/b)


@deviation(moto_ledger.MOTO, "moto-next-marker-without-delimiter")
def test_next_marker_without_delimiter(moto):
    c = client(moto)
    _list_setup(c)
    r = c.list_objects(Bucket=BUCKET, Prefix="l/", MaxKeys=2)
    assert r["IsTruncated"] and r.get("NextMarker")  # S3: no NextMarker without a delimiter


def test_ledger_explains_only_covered_differences():
    from harness.judge import Difference
    from harness.steps import Get, Put

    key_entry = moto_ledger.explain(Put("k" * 1000), [Difference("status", 400, 200)])
    assert key_entry and key_entry[0].id == "moto-key-too-long-accepted"
    assert moto_ledger.explain(Get("k"), [Difference("body", "a", "b")]) is None


def test_supports_everything_excuses_only_the_service_profiles_extra():
    from harness.judge import Difference
    from harness.steps import Unsupported

    extra = Difference("status", "501 NotImplemented (unsupported by the service)", 200)
    assert moto_ledger.explain(Unsupported("DeleteBucket"), [extra])[0].id == "moto-supports-everything"
    # a DeleteBucket that moto refused (404: the bucket was not there) is a real answer to judge, not excused
    refused = Difference("status", "2xx (S3 implements the operation)", "404 NoSuchBucket")
    assert moto_ledger.explain(Unsupported("DeleteBucket"), [refused]) is None
