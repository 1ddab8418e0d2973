"""What the service does not offer is refused with S3's own error: 501 NotImplemented naming the operation."""

from __future__ import annotations

import logging

import pytest
from botocore.exceptions import ClientError

from .conftest import BUCKET, client
from .rawhttp import signed_request

UNSUPPORTED = [
    ("POST", f"/{BUCKET}/k?uploads", {}, "CreateMultipartUpload"),
    ("PUT", f"/{BUCKET}/k?partNumber=1&uploadId=abc", {}, "UploadPart"),
    ("POST", f"/{BUCKET}/k?uploadId=abc", {}, "CompleteMultipartUpload"),
    ("DELETE", f"/{BUCKET}/k?uploadId=abc", {}, "AbortMultipartUpload"),
    ("GET", f"/{BUCKET}/k?uploadId=abc", {}, "ListParts"),
    ("GET", f"/{BUCKET}?uploads", {}, "ListMultipartUploads"),
    ("GET", f"/{BUCKET}?list-type=2", {}, "ListObjectsV2"),
    ("GET", f"/{BUCKET}?location", {}, "GetBucketLocation"),
    ("GET", f"/{BUCKET}?acl", {}, "GetBucketAcl"),
    ("GET", f"/{BUCKET}?versioning", {}, "GetBucketVersioning"),
    ("GET", f"/{BUCKET}/k?acl", {}, "GetObjectAcl"),
    ("PUT", f"/{BUCKET}/k", {"x-amz-copy-source": f"/{BUCKET}/other"}, "CopyObject"),
    ("POST", f"/{BUCKET}", {}, "PostObject"),
    ("POST", f"/{BUCKET}?delete", {}, "DeleteObjects"),
    ("PUT", "/brand-new-bucket", {}, "CreateBucket"),
    ("DELETE", f"/{BUCKET}", {}, "DeleteBucket"),
]


@pytest.mark.parametrize(("method", "target", "headers", "operation"), UNSUPPORTED, ids=[u[3] for u in UNSUPPORTED])
def test_unsupported_operation_is_501_naming_it(emu, caplog, method, target, headers, operation):
    with caplog.at_level(logging.INFO, logger="emulator.access"):
        status, resp_headers, body = signed_request(emu, method, target, headers)
    assert status == 501, body
    assert b"<Code>NotImplemented</Code>" in body
    assert operation.encode() in body
    assert resp_headers["x-amz-request-id"]
    assert any("not supported by the service" in r.getMessage() and operation in r.getMessage() for r in caplog.records)


def test_boto3_list_objects_v2_is_refused_not_answered_with_v1(s3):
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket=BUCKET)
    assert exc.value.response["Error"]["Code"] == "NotImplemented"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_boto3_multipart_and_copy_are_refused(s3):
    with pytest.raises(ClientError) as mp:
        s3.create_multipart_upload(Bucket=BUCKET, Key="k")
    assert mp.value.response["Error"]["Code"] == "NotImplemented"
    with pytest.raises(ClientError) as cp:
        s3.copy_object(Bucket=BUCKET, Key="k2", CopySource={"Bucket": BUCKET, "Key": "k"})
    assert cp.value.response["Error"]["Code"] == "NotImplemented"
    with pytest.raises(ClientError) as cb:
        s3.create_bucket(Bucket="a-new-bucket")
    assert cb.value.response["Error"]["Code"] == "NotImplemented"


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("x-amz-acl", "public-read"),
        ("x-amz-storage-class", "GLACIER"),
        ("x-amz-server-side-encryption", "AES256"),
        ("x-amz-tagging", "a=b"),
    ],
)
def test_put_headers_implying_unsupported_features_are_501(emu, header, value):
    status, _, body = signed_request(emu, "PUT", f"/{BUCKET}/hdr", {header: value}, b"x")
    assert status == 501 and b"NotImplemented" in body


@pytest.mark.parametrize(("header", "value"), [("x-amz-acl", "private"), ("x-amz-storage-class", "STANDARD")])
def test_put_headers_that_change_nothing_are_accepted(emu, header, value):
    status, _, body = signed_request(emu, "PUT", f"/{BUCKET}/hdr-ok", {header: value}, b"x")
    assert status == 200, body


def test_bucket_admin_is_opt_in():
    from .conftest import new_emulator

    with new_emulator(tls=False, allow_bucket_admin=True) as emu:
        s3 = client(emu)
        s3.create_bucket(Bucket="made-by-admin")
        assert "made-by-admin" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
        s3.put_object(Bucket="made-by-admin", Key="k", Body=b"x")
        with pytest.raises(ClientError) as full:
            s3.delete_bucket(Bucket="made-by-admin")
        assert full.value.response["Error"]["Code"] == "BucketNotEmpty"
        s3.delete_object(Bucket="made-by-admin", Key="k")
        s3.delete_bucket(Bucket="made-by-admin")
        with pytest.raises(ClientError) as bad:
            s3.create_bucket(Bucket="Bad_Name")
        assert bad.value.response["Error"]["Code"] == "InvalidBucketName"
