"""Every auth failure, over real HTTP: the emulator verifies as strictly as the service."""

from __future__ import annotations

import datetime
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from emulator import sigv4

from .conftest import ACCESS_KEY, BUCKET, SECRET_KEY, client
from .rawhttp import send, sign, signed_request


def _code(body: bytes) -> str:
    return body.split(b"<Code>")[1].split(b"</Code>")[0].decode()


def test_anonymous_is_access_denied(emu):
    status, _, body = send(emu, "GET", f"/{BUCKET}", {})
    assert (status, _code(body)) == (403, "AccessDenied")


def test_unknown_access_key(emu):
    s3 = client(emu, access_key="AKIAUNKNOWN000000000")
    with pytest.raises(ClientError) as exc:
        s3.list_objects(Bucket=BUCKET)
    assert exc.value.response["Error"]["Code"] == "InvalidAccessKeyId"


def test_wrong_secret_is_signature_mismatch_with_string_to_sign(emu):
    status, _, body = signed_request(emu, "GET", f"/{BUCKET}", secret_key="wrong-secret")
    assert (status, _code(body)) == (403, "SignatureDoesNotMatch")
    assert b"<StringToSign>AWS4-HMAC-SHA256\n" in body and b"<CanonicalRequest>GET\n" in body
    assert SECRET_KEY.encode() not in body


def test_tampered_header_after_signing(emu):
    headers = sign(emu, "PUT", f"/{BUCKET}/t", {"x-amz-meta-a": "1"}, b"body")
    headers["x-amz-meta-a"] = "2"
    status, _, body = send(emu, "PUT", f"/{BUCKET}/t", headers, b"body")
    assert (status, _code(body)) == (403, "SignatureDoesNotMatch")


def test_body_not_matching_signed_hash(emu):
    headers = sign(emu, "PUT", f"/{BUCKET}/t", {}, b"body")
    status, _, body = send(emu, "PUT", f"/{BUCKET}/t", headers, b"BODY")
    assert (status, _code(body)) == (400, "XAmzContentSHA256Mismatch")


def test_wrong_region(emu):
    status, _, body = signed_request(emu, "GET", f"/{BUCKET}", region="eu-west-1")
    assert (status, _code(body)) == (400, "AuthorizationHeaderMalformed")


def _signed_at(emu, when: datetime.datetime):
    url = f"{emu.endpoint_url}/{BUCKET}"
    headers = {"host": url.split("://")[1].split("/")[0]}
    extra = sigv4.sign_headers("GET", url, headers, sigv4.EMPTY_SHA256, ACCESS_KEY, SECRET_KEY, "us-east-1", when)
    return send(emu, "GET", f"/{BUCKET}", {**headers, **extra})


def test_clock_skew(emu):
    now = datetime.datetime.now(datetime.timezone.utc)
    assert _signed_at(emu, now - datetime.timedelta(minutes=10))[0] == 200
    status, _, body = _signed_at(emu, now - datetime.timedelta(minutes=16))
    assert (status, _code(body)) == (403, "RequestTimeTooSkewed")
    status, _, body = _signed_at(emu, now + datetime.timedelta(minutes=16))
    assert (status, _code(body)) == (403, "RequestTimeTooSkewed")


def _open(emu, url):
    import ssl

    context = ssl.create_default_context(cafile=emu.ca_file) if emu.ca_file else None
    try:
        with urllib.request.urlopen(url, context=context, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_presigned_expired(emu):
    url = f"{emu.endpoint_url}/{BUCKET}/k"
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=2)
    status, body = _open(emu, sigv4.presign_url("GET", url, ACCESS_KEY, SECRET_KEY, "us-east-1", past, 60))
    assert (status, _code(body)) == (403, "AccessDenied")
    assert b"Request has expired" in body


def test_presigned_expiry_over_a_week(emu):
    url = f"{emu.endpoint_url}/{BUCKET}/k"
    now = datetime.datetime.now(datetime.timezone.utc)
    status, body = _open(emu, sigv4.presign_url("GET", url, ACCESS_KEY, SECRET_KEY, "us-east-1", now, 604801))
    assert (status, _code(body)) == (400, "AuthorizationQueryParametersError")


def test_presigned_bad_signature(emu):
    s3 = client(emu, signature_version="s3v4")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "k"})
    status, body = _open(emu, url[:-4] + ("0000" if not url.endswith("0000") else "1111"))
    assert (status, _code(body)) == (403, "SignatureDoesNotMatch")


AWS_SIGV2_MESSAGE = b"The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."


def test_sigv2_presigned_url_is_refused_with_400_invalid_request(emu):
    """boto3's default presigned URL is SigV2: AWS answers 400 InvalidRequest with this exact message
    (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList)."""
    s3 = client(emu)
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "k"})
    assert "AWSAccessKeyId=" in url
    status, body = _open(emu, url)
    assert status == 400 and _code(body) == "InvalidRequest"
    assert AWS_SIGV2_MESSAGE in body


def test_sigv2_header_is_refused_with_400_invalid_request(emu):
    status, _, body = send(
        emu,
        "GET",
        f"/{BUCKET}",
        {"Authorization": f"AWS {ACCESS_KEY}:c2lnbmF0dXJl", "Date": "Tue, 24 Nov 2026 10:00:00 GMT"},
    )
    assert status == 400 and _code(body) == "InvalidRequest" and AWS_SIGV2_MESSAGE in body


@pytest.mark.parametrize("value", ["AWS4-HMAC-SHA256 Credential=x", "AWS4-HMAC-SHA256 garbage", "Bearer abc"])
def test_malformed_authorization_is_an_s3_error(emu, value):
    status, _, body = send(
        emu,
        "GET",
        f"/{BUCKET}",
        {"Authorization": value, "x-amz-date": "20261124T100000Z", "x-amz-content-sha256": sigv4.EMPTY_SHA256},
    )
    assert status in (400, 403) and body.startswith(b"<?xml")
