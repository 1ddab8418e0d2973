"""boto3 (default configuration of the current release) against the emulator, over HTTP and HTTPS."""

from __future__ import annotations

import hashlib
import time
from email.utils import formatdate

import pytest
from botocore.exceptions import ClientError

from .conftest import BUCKET, OTHER_BUCKET, client


def code(exc: pytest.ExceptionInfo) -> str:
    return exc.value.response["Error"]["Code"]


def test_list_buckets_shows_only_own_buckets_with_owner(s3):
    out = s3.list_buckets()
    assert [b["Name"] for b in out["Buckets"]] == [BUCKET]
    assert out["Owner"]["ID"] and out["Buckets"][0]["CreationDate"].year >= 2024
    assert out["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"]
    assert out["ResponseMetadata"]["HTTPHeaders"]["x-amz-id-2"]


def test_doc_example_resource_buckets_all(emu):
    import boto3

    from .conftest import ACCESS_KEY, SECRET_KEY

    s3 = boto3.resource(
        "s3",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
        endpoint_url=emu.endpoint_url,
        verify=emu.ca_file or True,
    )
    assert [b.name for b in s3.buckets.all()] == [BUCKET]


def test_head_bucket_200_404_403(s3):
    assert s3.head_bucket(Bucket=BUCKET)["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(ClientError) as missing:
        s3.head_bucket(Bucket="no-such-bucket-here")
    assert code(missing) == "404"  # HEAD errors have no body: botocore reports the status
    with pytest.raises(ClientError) as other:
        s3.head_bucket(Bucket=OTHER_BUCKET)
    assert code(other) == "403"


def test_put_get_roundtrip_with_headers_and_metadata(s3, key):
    body = b"hello world" * 1000
    put = s3.put_object(
        Bucket=BUCKET,
        Key=key,
        Body=body,
        ContentType="text/plain",
        ContentEncoding="identity",
        ContentDisposition="attachment",
        ContentLanguage="en",
        CacheControl="no-cache",
        Expires=formatdate(2_000_000_000, usegmt=True),
        Metadata={"colour": "blue", "n": "1"},
    )
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    got = s3.get_object(Bucket=BUCKET, Key=key)
    assert got["Body"].read() == body
    assert got["ETag"] == put["ETag"]
    assert got["ContentType"] == "text/plain"
    assert got["ContentEncoding"] == "identity"
    assert got["ContentDisposition"] == "attachment"
    assert got["ContentLanguage"] == "en"
    assert got["CacheControl"] == "no-cache"
    assert got["Metadata"] == {"colour": "blue", "n": "1"}
    assert got["ContentLength"] == len(body)
    assert got["AcceptRanges"] == "bytes"
    head = s3.head_object(Bucket=BUCKET, Key=key)
    assert head["ContentLength"] == len(body) and head["ETag"] == put["ETag"]
    assert head["Metadata"] == {"colour": "blue", "n": "1"}


def test_default_content_type_and_empty_object(s3, key):
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"")
    got = s3.get_object(Bucket=BUCKET, Key=key)
    assert got["Body"].read() == b"" and got["ContentType"] == "binary/octet-stream"
    assert got["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'


def test_aws_chunked_body_is_stored_decoded(emu, s3, key):
    """Over HTTPS botocore sends aws-chunked with a CRC32 trailer; the object must be the payload only."""
    body = bytes(range(256)) * 8193  # > 2 MiB: several 1 MiB chunks
    s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    got = s3.get_object(Bucket=BUCKET, Key=key, ChecksumMode="ENABLED")
    assert got["Body"].read() == body
    assert "aws-chunked" not in got.get("ContentEncoding", "")
    assert got["ChecksumCRC32"]  # stored from the header (HTTP) or the trailer (HTTPS), and checked by botocore


@pytest.mark.parametrize("mode", ["when_supported", "when_required"])
def test_checksum_modes(emu, key, mode):
    s3 = client(emu, request_checksum_calculation=mode)
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"abc" * 100)
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"abc" * 100


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"])
def test_every_checksum_algorithm_is_checked_and_returned(s3, key, algorithm):
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"payload", ChecksumAlgorithm=algorithm)
    got = s3.get_object(Bucket=BUCKET, Key=key, ChecksumMode="ENABLED")
    assert got["Body"].read() == b"payload"
    assert got[f"Checksum{algorithm}"]


def test_wrong_checksum_is_bad_digest_and_nothing_stored(s3, key):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"payload", ChecksumCRC32="AAAAAA==")
    assert code(exc) == "BadDigest"
    with pytest.raises(ClientError) as missing:
        s3.head_object(Bucket=BUCKET, Key=key)
    assert code(missing) == "404"


def test_content_md5_checked(s3, key):
    import base64

    good = base64.b64encode(hashlib.md5(b"x").digest()).decode()
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"x", ContentMD5=good)
    with pytest.raises(ClientError) as bad:
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"y", ContentMD5=good)
    assert code(bad) == "BadDigest"
    with pytest.raises(ClientError) as invalid:
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"y", ContentMD5="not-base64")
    assert code(invalid) == "InvalidDigest"
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"x"


@pytest.mark.parametrize(
    ("header", "status", "expected"),
    [
        ("bytes=0-3", 206, b"0123"),
        ("bytes=5-", 206, b"56789"),
        ("bytes=-2", 206, b"89"),
        ("bytes=8-100", 206, b"89"),
        ("bytes=0-0", 206, b"0"),
    ],
)
def test_ranges(s3, key, header, status, expected):
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"0123456789")
    got = s3.get_object(Bucket=BUCKET, Key=key, Range=header, ChecksumMode="ENABLED")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == status
    assert got["Body"].read() == expected
    assert got["ContentRange"].startswith("bytes ") and got["ContentRange"].endswith("/10")
    assert "ChecksumCRC32" not in got  # a whole-object checksum never rides on a 206


def test_unsatisfiable_range_is_416(s3, key):
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"0123456789")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=BUCKET, Key=key, Range="bytes=10-")
    assert code(exc) == "InvalidRange"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"")
    with pytest.raises(ClientError) as empty:
        s3.get_object(Bucket=BUCKET, Key=key, Range="bytes=0-")
    assert code(empty) == "InvalidRange"


def test_conditionals(s3, key):
    etag = s3.put_object(Bucket=BUCKET, Key=key, Body=b"v1")["ETag"]
    past = time.time() - 3600
    future = time.time() + 3600
    assert s3.get_object(Bucket=BUCKET, Key=key, IfMatch=etag)["Body"].read() == b"v1"
    with pytest.raises(ClientError) as pre:
        s3.get_object(Bucket=BUCKET, Key=key, IfMatch='"0000"')
    assert code(pre) == "PreconditionFailed"
    with pytest.raises(ClientError) as nm:
        s3.get_object(Bucket=BUCKET, Key=key, IfNoneMatch=etag)
    assert nm.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    with pytest.raises(ClientError) as ims:
        s3.get_object(Bucket=BUCKET, Key=key, IfModifiedSince=time.time())  # not modified since: 304
    assert ims.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    # a date in the future is ignored: 200 (AWS recording: localstack test_s3.snapshot.json,
    # TestS3::test_s3_get_object_preconditions, "obj-ignore-future-modified-since"; rule cond.if-modified-since)
    assert s3.get_object(Bucket=BUCKET, Key=key, IfModifiedSince=future)["Body"].read() == b"v1"
    with pytest.raises(ClientError) as ius:
        s3.get_object(Bucket=BUCKET, Key=key, IfUnmodifiedSince=past)
    assert code(ius) == "PreconditionFailed"
    # S3's precedence: If-Match true wins over a false If-Unmodified-Since.
    assert s3.get_object(Bucket=BUCKET, Key=key, IfMatch=etag, IfUnmodifiedSince=past)["Body"].read() == b"v1"
    # If-None-Match false (the ETag matches) gives 304 whatever If-Modified-Since says.
    with pytest.raises(ClientError) as both:
        s3.head_object(Bucket=BUCKET, Key=key, IfNoneMatch=etag, IfModifiedSince=past)
    assert both.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304


def test_response_overrides(s3, key):
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"x", ContentType="text/plain")
    got = s3.get_object(
        Bucket=BUCKET,
        Key=key,
        ResponseContentType="application/json",
        ResponseContentDisposition="inline",
        ResponseCacheControl="max-age=1",
        ResponseContentLanguage="de",
        ResponseContentEncoding="br",
        ResponseExpires=formatdate(2_000_000_000, usegmt=True),
    )
    assert got["ContentType"] == "application/json"
    assert got["ContentDisposition"] == "inline" and got["CacheControl"] == "max-age=1"
    assert got["ContentLanguage"] == "de" and got["ContentEncoding"] == "br"


def test_missing_key_and_bucket(s3, key):
    with pytest.raises(ClientError) as nk:
        s3.get_object(Bucket=BUCKET, Key=key + "-missing")
    assert code(nk) == "NoSuchKey"
    assert nk.value.response["Error"]["Key"] == key + "-missing"
    with pytest.raises(ClientError) as nb:
        s3.get_object(Bucket="no-such-bucket-here", Key=key)
    assert code(nb) == "NoSuchBucket"
    with pytest.raises(ClientError) as head:
        s3.head_object(Bucket=BUCKET, Key=key + "-missing")
    assert code(head) == "404"


def test_delete_is_204_also_for_missing_key(s3, key):
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
    assert s3.delete_object(Bucket=BUCKET, Key=key)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.delete_object(Bucket=BUCKET, Key=key)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError):
        s3.head_object(Bucket=BUCKET, Key=key)


def test_key_too_long(s3):
    s3.put_object(Bucket=BUCKET, Key="k" * 1024, Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=BUCKET, Key="k" * 1025, Body=b"x")
    assert code(exc) == "KeyTooLongError"
    with pytest.raises(ClientError):
        s3.put_object(Bucket=BUCKET, Key="é" * 513, Body=b"x")  # 1026 UTF-8 bytes
    s3.delete_object(Bucket=BUCKET, Key="k" * 1024)


@pytest.mark.parametrize(
    "name",
    ["sp/a b+c%d~é*(1).txt", "dir//x", "dir/./y", "dir/../z", "trail/", "日本語/キー", "q?a=1&b#frag", "tab\tnl"],
)
def test_awkward_keys_roundtrip_and_list(s3, request, name):
    prefix = f"awk/{request.node.callspec.id}/"
    s3.put_object(Bucket=BUCKET, Key=prefix + name, Body=name.encode())
    assert s3.get_object(Bucket=BUCKET, Key=prefix + name)["Body"].read() == name.encode()
    listed = s3.list_objects(Bucket=BUCKET, Prefix=prefix)
    assert [o["Key"] for o in listed["Contents"]] == [prefix + name]
    s3.delete_object(Bucket=BUCKET, Key=prefix + name)


def test_list_objects_paging_delimiter_and_max_keys(s3, request):
    prefix = f"list/{request.node.callspec.id}/"
    keys = [f"{prefix}a/{i}" for i in range(3)] + [f"{prefix}b{i}" for i in range(5)] + [f"{prefix}c/x/y"]
    for k in keys:
        s3.put_object(Bucket=BUCKET, Key=k, Body=b"")
    out = s3.list_objects(Bucket=BUCKET, Prefix=prefix, Delimiter="/")
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == [prefix + "a/", prefix + "c/"]
    assert [o["Key"] for o in out["Contents"]] == [f"{prefix}b{i}" for i in range(5)]
    assert out["Contents"][0]["StorageClass"] == "STANDARD" and out["Contents"][0]["Owner"]["ID"]
    page = s3.list_objects(Bucket=BUCKET, Prefix=prefix, Delimiter="/", MaxKeys=2)
    assert page["IsTruncated"] and page["NextMarker"] == prefix + "b0"
    assert len(page.get("Contents", [])) + len(page.get("CommonPrefixes", [])) == 2
    seen = []
    for p in s3.get_paginator("list_objects").paginate(Bucket=BUCKET, Prefix=prefix, PaginationConfig={"PageSize": 2}):
        seen += [o["Key"] for o in p.get("Contents", [])]
    assert seen == sorted(keys)
    assert s3.list_objects(Bucket=BUCKET, Prefix=prefix, MaxKeys=0).get("Contents") is None
    assert s3.list_objects(Bucket=BUCKET, Prefix=prefix, Marker=keys[-2])["Contents"][0]["Key"] == keys[-1]
    for k in keys:
        s3.delete_object(Bucket=BUCKET, Key=k)


def test_list_objects_invalid_max_keys(emu):
    from .rawhttp import signed_request

    status, _, body = signed_request(emu, "GET", f"/{BUCKET}?max-keys=-1")
    assert status == 400 and b"<Code>InvalidArgument</Code>" in body
    status, _, body = signed_request(emu, "GET", f"/{BUCKET}?max-keys=abc")
    assert status == 400 and b"<Code>InvalidArgument</Code>" in body
    status, _, body = signed_request(emu, "GET", f"/{BUCKET}?max-keys=5000")
    assert status == 200 and b"<MaxKeys>1000</MaxKeys>" in body


def test_listing_past_1000_keys(s3, request):
    prefix = f"many/{request.node.callspec.id}/"
    keys = [f"{prefix}{i:05d}" for i in range(1100)]
    for k in keys:
        s3.put_object(Bucket=BUCKET, Key=k, Body=b"")
    first = s3.list_objects(Bucket=BUCKET, Prefix=prefix)
    assert len(first["Contents"]) == 1000 and first["IsTruncated"]
    seen = [
        o["Key"] for p in s3.get_paginator("list_objects").paginate(Bucket=BUCKET, Prefix=prefix) for o in p["Contents"]
    ]
    assert seen == keys
    for k in keys:
        s3.delete_object(Bucket=BUCKET, Key=k)


def test_presigned_s3v4_get_and_put(emu, key):
    import urllib.request

    s3 = client(emu, signature_version="s3v4")
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=60)
    req = urllib.request.Request(put_url, data=b"presigned body", method="PUT")
    with _urlopen(emu, req) as resp:
        assert resp.status == 200
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=60)
    with _urlopen(emu, urllib.request.Request(get_url)) as resp:
        assert resp.read() == b"presigned body"


def _urlopen(emu, req):
    import ssl
    import urllib.request

    context = ssl.create_default_context(cafile=emu.ca_file) if emu.ca_file else None
    return urllib.request.urlopen(req, context=context, timeout=10)


def test_download_file_uses_ranges_and_if_match(s3, key, tmp_path):
    from boto3.s3.transfer import TransferConfig

    body = bytes(range(256)) * 40000  # ~10 MiB: above the 8 MiB multipart threshold of downloads
    s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    target = tmp_path / "out"
    s3.download_file(BUCKET, key, str(target), Config=TransferConfig(multipart_chunksize=4 * 1024 * 1024))
    assert target.read_bytes() == body


def test_gzip_content_encoding_is_stored_as_sent(s3, key):
    import gzip

    packed = gzip.compress(b"compressed text " * 100)
    s3.put_object(Bucket=BUCKET, Key=key, Body=packed, ContentEncoding="gzip", ContentType="text/plain")
    got = s3.get_object(Bucket=BUCKET, Key=key)
    assert got["ContentEncoding"] == "gzip"
    assert got["ResponseMetadata"]["HTTPHeaders"]["content-length"] == str(len(packed))
