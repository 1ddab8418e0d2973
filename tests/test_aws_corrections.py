"""Each correction made to match AWS (issue 9), checked on the model AND on the emulator, quoting its source.

Recordings are LocalStack's AWS-validated snapshots (https://github.com/localstack/localstack/blob/main/tests/aws/
services/s3/, the ``*.validation.json`` beside each marks it as run against AWS); the rule ids are harness/rules.py's.
"""

from __future__ import annotations

import base64
import hashlib
import time
import urllib.request

import pytest
from botocore.exceptions import ClientError

from emulator.metadata import decode_value, encode_value
from harness.judge import compare
from harness.model import FAR_FUTURE, BucketModel, _mail_safe, _rfc2047_decoded
from harness.observation import Observation
from harness.steps import Conditions, Delete, Get, Head, Put
from tests.conftest import BUCKET

# (value sent, value AWS returned): test_s3.snapshot.json, TestS3::test_user_metadata_rfc2047_encoded and
# TestS3PresignedUrl::test_put_unicode_metadata_with_sig_s3 (rule put.metadata)
RECORDED_METADATA = [
    ("=?UTF-8?B?YWJj?=", "abc"),
    ("=?UTF-8?Q?actually-ascii?=", "actually-ascii"),
    ("=?UTF-8?Q?=C3=84M=C3=84Z=C3=95=C3=91_S3?=", "=?UTF-8?Q?=C3=84M=C3=84Z=C3=95=C3=91_S3?="),
    ("=?UTF-8?Q?test=5F=E2=80=94=5Ffile%E2%80%94=5F=C3=A9=5F2=3F.pdf?=",
     "=?UTF-8?Q?test=5F=E2=80=94=5Ffile%E2%80%94=5F=C3=A9=5F2=3F.pdf?="),
    ("non-ascii-%E2%80%94_\u2014_\u00e9_", "=?UTF-8?Q?non-ascii-%E2%80%94=5F=E2=80=94=5F=C3=A9=5F?="),
    ("\x00\x01\x02\x03", "=?UTF-8?B?AAECAw==?="),
    ("\ufffd" * 7, "=?UTF-8?B?77+977+977+977+977+977+977+9?="),
    ("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
]


@pytest.mark.parametrize("sent,returned", RECORDED_METADATA)
def test_metadata_rfc2047_model_and_emulator_match_the_recording(sent, returned):
    assert _mail_safe(_rfc2047_decoded(sent)) == returned
    assert encode_value(decode_value(sent)) == returned


def test_metadata_rfc2047_over_http(s3, key):
    """boto3 sends only ASCII metadata (botocore validate_ascii_metadata): encoded-words are ASCII, so the round trip
    of the recording's encoded values is checked through the real client."""
    sent = {f"m{i}": v for i, (v, _) in enumerate(RECORDED_METADATA[:4])}
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"x", Metadata=sent)
    got = s3.head_object(Bucket=BUCKET, Key=key)["Metadata"]
    assert got == {f"m{i}": r for i, (_, r) in enumerate(RECORDED_METADATA[:4])}


def test_metadata_over_2kb_is_metadata_too_large(s3, key):
    """UsingMetadata.html: user metadata is at most 2 KB (UTF-8 bytes of names + values); AWS: 400 MetadataTooLarge
    (rule put.metadata-too-large)."""
    model = BucketModel()
    assert model.apply(Put("k", b"", metadata=(("a", "v" * 2047),))).status == 200
    assert model.apply(Put("k", b"", metadata=(("a", "v" * 2048),))).error_code == "MetadataTooLarge"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"", Metadata={"a": "v" * 2047})
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"", Metadata={"a": "v" * 2048})
    assert e.value.response["Error"]["Code"] == "MetadataTooLarge"


def test_future_if_modified_since_is_ignored(s3, key):
    """test_s3.snapshot.json, TestS3::test_s3_get_object_preconditions[get_object|head_object],
    "obj-ignore-future-modified-since": 200 (rule cond.if-modified-since)."""
    model = BucketModel()
    model.apply(Put("k", b"v"))
    for step in (Get("k", conditions=Conditions(if_modified_since=FAR_FUTURE)),
                 Head("k", conditions=Conditions(if_modified_since=FAR_FUTURE))):
        assert model.apply(step).status == 200
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"v")
    assert s3.head_object(Bucket=BUCKET, Key=key, IfModifiedSince=time.time() + 86400)["ResponseMetadata"][
        "HTTPStatusCode"] == 200


@pytest.mark.parametrize("value", ["deflate, gzip", "gzip,  br", "identity"])
def test_content_encoding_list_returned_exactly(s3, key, value):
    """API_PutObject: Content-Encoding is stored as sent; sigv4-streaming.html: only aws-chunked is removed (rule
    put.headers). Before: the emulator re-joined `deflate, gzip` as `deflate,gzip`."""
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"x", ContentEncoding=value)
    assert s3.head_object(Bucket=BUCKET, Key=key)["ContentEncoding"] == value
    model = BucketModel()
    model.apply(Put("k", b"x", headers=(("content-encoding", value),)))
    assert model.apply(Head("k")).headers["content-encoding"] == value


def test_long_key_on_get_head_delete(s3):
    """object-keys.html: keys are at most 1024 bytes; AWS answers GET of a longer key 400 KeyTooLongError and HEAD
    400 without a body (s3fs-fuse#1602); DELETE is unrecorded: 204 or 400 (rules key.too-long-read,
    key.too-long-delete)."""
    key = "k" * 1025
    for call in (s3.get_object, s3.head_object, s3.delete_object):
        with pytest.raises(ClientError) as e:
            call(Bucket=BUCKET, Key=key)
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    model = BucketModel()
    assert (model.apply(Get(key)).status, model.apply(Get(key)).error_code) == (400, "KeyTooLongError")
    assert model.apply(Head(key)).status == 400
    exp = model.apply(Delete(key))
    assert not compare(exp, Observation("ok", status=204)) and not compare(
        exp, Observation("client_error", status=400, error_code="KeyTooLongError"))
    assert compare(exp, Observation("client_error", status=404, error_code="NoSuchKey"))


def test_invalid_range_names_the_range_requested(emu_http):
    """test_s3_api.snapshot.json, TestS3ObjectCRUD::test_get_object_range, get-100-200: "RangeRequested":
    "bytes=100-200", "ActualObjectSize": "10" (rule range.unsatisfiable)."""
    from tests.conftest import client

    s3 = client(emu_http)
    s3.put_object(Bucket=BUCKET, Key="range-requested", Body=b"0123456789")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=BUCKET, Key="range-requested", Range="bytes=100-200")
    err = e.value.response["Error"]
    assert (err["Code"], err["RangeRequested"], err["ActualObjectSize"]) == ("InvalidRange", "bytes=100-200", "10")


def test_suffix_range_on_empty_object_is_unsettled():
    """No AWS recording (rule range.suffix-on-empty): 416 or an empty 200/206 are both S3-like; `bytes=0-` on an empty
    object stays 416 (AWS trace in minio/minio-java#636)."""
    model = BucketModel()
    model.apply(Put("e", b""))
    exp = model.apply(Get("e", range="bytes=-5"))
    assert not compare(exp, Observation("ok", status=200)) and not compare(
        exp, Observation("client_error", status=416, error_code="InvalidRange"))
    assert model.apply(Get("e", range="bytes=0-")).alternatives == ()


def test_bad_digest_calculated_digest_is_base64(emu_http):
    """test_s3.snapshot.json, TestS3::test_s3_invalid_content_md5, md5-error-bad-digest: ExpectedDigest hex,
    CalculatedDigest base64 (rule integrity.content-md5)."""
    from tests.conftest import client

    s3 = client(emu_http)
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=BUCKET, Key="bad-digest", Body=b"body", ContentMD5=wrong)
    err = e.value.response["Error"]
    assert err["Code"] == "BadDigest"
    assert err["CalculatedDigest"] == base64.b64encode(hashlib.md5(b"body").digest()).decode()
    assert err["ExpectedDigest"] == hashlib.md5(b"other").hexdigest()


def test_response_override_outside_latin1(emu_http):
    """test_s3.snapshot.json, TestS3PresignedUrl::test_get_response_overrides_unicode_metadata_with_sig_s3: 400
    InvalidArgument "Header value cannot be represented using ISO-8859-1." (rule get.response-overrides)."""
    from tests.conftest import client

    s3 = client(emu_http, signature_version="s3v4")
    s3.put_object(Bucket=BUCKET, Key="override", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "override",
                                                          "ResponseCacheControl": "non-ascii-\u2014"})
    try:
        urllib.request.urlopen(url, timeout=10)
        raise AssertionError("a non-ISO-8859-1 override was served")
    except urllib.error.HTTPError as e:
        body = e.read()
        assert e.code == 400 and b"<Code>InvalidArgument</Code>" in body
        assert b"Header value cannot be represented using ISO-8859-1." in body


def test_not_implemented_message_has_no_final_period(emu_http):
    """test_s3_api.snapshot.json, TestS3DeletePrecondition::test_delete_object_if_match_size_non_express: "A header
    you provided implies functionality that is not implemented" (rule service.unsupported)."""
    from tests.conftest import client

    with pytest.raises(ClientError) as e:
        client(emu_http).put_object(Bucket=BUCKET, Key="nope", Body=b"", Tagging="a=b")
    err = e.value.response["Error"]
    assert (err["Code"], err["Message"]) == (
        "NotImplemented", "A header you provided implies functionality that is not implemented")


def test_negative_max_keys_message(emu_http):
    """400 InvalidArgument for max-keys out of range; AWS's message for a negative integer as measured in
    brekkylab/backlot#192 (rule list.max-keys-invalid)."""
    from tests.conftest import client

    s3 = client(emu_http)
    with pytest.raises(ClientError) as e:
        s3.list_objects(Bucket=BUCKET, MaxKeys=-1)
    err = e.value.response["Error"]
    assert (err["Code"], err["ArgumentName"]) == ("InvalidArgument", "maxKeys")
