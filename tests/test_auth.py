"""authenticate(): every way a request is accepted or refused, with the code, status and fields S3 uses.

Accepted requests come from AWS's published examples (sig-v4-header-based-auth.html, sigv4-streaming.html,
sigv4-query-string-auth.html), from our signer, and from botocore's and awscrt's signers.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from collections.abc import Mapping
from unittest import mock
from urllib.parse import quote, urlsplit

import botocore.auth  # noqa: F401  (imported before botocore.crt.auth, which it imports circularly)
import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.crt.auth import CrtS3SigV4Auth
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict, CIMultiDictProxy

from emulator import sigv4
from emulator.accounts import Account
from emulator.auth import AuthResult, PayloadMode, RequestView, authenticate
from emulator.errors import ErrorCode, S3Error

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
STAMP = "20130524T000000Z"
NOW = datetime.datetime(2013, 5, 24, tzinfo=datetime.timezone.utc)
EMPTY = sigv4.EMPTY_SHA256
HOST = "examplebucket.s3.amazonaws.com"
URL = f"http://{HOST}/photos/a%20b.jpg?versionId=3"
ACCOUNT = Account(ACCESS_KEY, SECRET, "example")
LOOKUP = {ACCESS_KEY: ACCOUNT}.get
KEY_HEX = sigv4.signing_key(SECRET, "20130524", REGION, "s3").hex()


def view(method: str, url: str, headers: Mapping[str, str]) -> RequestView:
    parts = urlsplit(url)
    lowered = {name.lower(): value for name, value in headers.items()}
    lowered.setdefault("host", sigv4.host_from_url(url))
    return RequestView(method, parts.path, parts.query, lowered)


def signed(method: str = "GET", url: str = URL, headers: Mapping[str, str] | None = None, body_hash: str = EMPTY,
           *, secret: str = SECRET, access_key: str = ACCESS_KEY, region: str = REGION,
           now: datetime.datetime = NOW) -> RequestView:
    all_headers = dict(headers or {})
    all_headers.update(sigv4.sign_headers(method, url, all_headers, body_hash, access_key, secret, region, now))
    return view(method, url, all_headers)


def with_headers(req: RequestView, **changes: str | None) -> RequestView:
    headers = {k: v for k, v in req.headers.items()}
    for name, value in changes.items():
        name = name.replace("_", "-")
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value
    return RequestView(req.method, req.raw_path, req.raw_query, headers)


def with_authorization(req: RequestView, pattern: str, replacement: str) -> RequestView:
    changed = re.sub(pattern, replacement, req.headers["authorization"])
    assert changed != req.headers["authorization"]
    return with_headers(req, authorization=changed)


def signed_with_names(req: RequestView, names: list[str]) -> RequestView:
    """``req`` re-signed (header auth, empty payload) over exactly the headers ``names``."""
    scope = "20130524/us-east-1/s3/aws4_request"
    request = sigv4.canonical_request(req.method, sigv4.canonical_uri_from_raw_path(req.raw_path),
                                      sigv4.canonical_query_string(req.raw_query),
                                      sigv4.canonical_headers(req.headers, names), ";".join(names), EMPTY)
    signature = sigv4.signature(bytes.fromhex(KEY_HEX), sigv4.string_to_sign(STAMP, scope, request))
    return with_headers(req, authorization=f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{scope},"
                                           f"SignedHeaders={';'.join(names)},Signature={signature}")


def ok(req: RequestView, now: datetime.datetime = NOW) -> AuthResult:
    return authenticate(req, LOOKUP, REGION, now)


def refused(req: RequestView, code: ErrorCode, now: datetime.datetime = NOW) -> S3Error:
    with pytest.raises(S3Error) as info:
        authenticate(req, LOOKUP, REGION, now)
    assert info.value.code is code, (info.value.code, info.value.message)
    _assert_no_secret(info.value)
    return info.value


def _assert_no_secret(err: S3Error) -> None:
    shown = repr(err) + str(err) + repr(err.fields) + (err.message or "") + (err.log_reason or "")
    assert SECRET not in shown and KEY_HEX not in shown


# --- accepted ---


DOC_GET = RequestView("GET", "/test.txt", "", {
    "host": HOST, "range": "bytes=0-9", "x-amz-content-sha256": EMPTY, "x-amz-date": STAMP,
    "authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                     "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                     "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"})

DOC_STREAMING = RequestView("PUT", "/examplebucket/chunkObject.txt", "", {
    "host": "s3.amazonaws.com", "x-amz-date": STAMP, "x-amz-storage-class": "REDUCED_REDUNDANCY",
    "authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                     "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
                     "x-amz-decoded-content-length;x-amz-storage-class,"
                     "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
    "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "content-encoding": "aws-chunked",
    "x-amz-decoded-content-length": "66560", "content-length": "66824"})

DOC_PRESIGNED = (
    "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")


def test_aws_get_object_example_is_accepted_without_spaces_after_commas() -> None:
    result = ok(DOC_GET)
    assert result.account is ACCOUNT
    assert (result.payload_mode, result.payload_sha256, result.presigned, result.chunk_signer) == (
        PayloadMode.HASH, EMPTY, False, None)


def test_aws_get_object_example_through_a_case_insensitive_multidict() -> None:
    headers = CIMultiDictProxy(CIMultiDict((name.title(), value) for name, value in DOC_GET.headers.items()))
    assert ok(RequestView(DOC_GET.method, DOC_GET.raw_path, DOC_GET.raw_query, headers)).account is ACCOUNT


def test_aws_streaming_example_yields_the_chunk_signing_context() -> None:
    result = ok(DOC_STREAMING)
    assert result.payload_mode is PayloadMode.STREAMING_SIGNED
    assert result.payload_sha256 is None
    signer = result.chunk_signer
    assert signer is not None
    assert signer.seed_signature == "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    assert (signer.amz_date, signer.scope) == (STAMP, "20130524/us-east-1/s3/aws4_request")
    assert signer.signing_key.hex() == KEY_HEX


def test_aws_presigned_example_is_accepted_until_it_expires() -> None:
    req = view("GET", DOC_PRESIGNED, {})
    result = ok(req, NOW + datetime.timedelta(seconds=86400))
    assert (result.presigned, result.payload_mode, result.payload_sha256) == (True, PayloadMode.UNSIGNED_PAYLOAD, None)
    err = refused(req, ErrorCode.AccessDenied, NOW + datetime.timedelta(seconds=86401))
    assert err.message == "Request has expired"
    assert err.fields == {"X-Amz-Expires": "86400", "Expires": "2013-05-25T00:00:00Z",
                          "ServerTime": "2013-05-25T00:00:01Z"}


@pytest.mark.parametrize(("value", "mode"), [
    ("UNSIGNED-PAYLOAD", PayloadMode.UNSIGNED_PAYLOAD),
    ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", PayloadMode.STREAMING_SIGNED),
    ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", PayloadMode.STREAMING_SIGNED_TRAILER),
    ("STREAMING-UNSIGNED-PAYLOAD-TRAILER", PayloadMode.STREAMING_UNSIGNED_TRAILER),
    (hashlib.sha256(b"x").hexdigest(), PayloadMode.HASH),
])
def test_payload_modes(value: str, mode: PayloadMode) -> None:
    result = ok(signed("PUT", body_hash=value))
    assert result.payload_mode is mode
    assert result.payload_sha256 == (value if mode is PayloadMode.HASH else None)
    assert (result.chunk_signer is not None) == (mode in (PayloadMode.STREAMING_SIGNED,
                                                         PayloadMode.STREAMING_SIGNED_TRAILER))


def test_uppercase_hex_payload_hash_is_accepted_and_reported_lowercase() -> None:
    upper = hashlib.sha256(b"x").hexdigest().upper()
    assert ok(signed("PUT", body_hash=upper)).payload_sha256 == upper.lower()


def test_date_header_instead_of_x_amz_date() -> None:
    boto = AWSRequest(method="GET", url=URL, headers={"Date": "placeholder"})
    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW.replace(tzinfo=None)):
        S3SigV4Auth(Credentials(ACCESS_KEY, SECRET), "s3", REGION).add_auth(boto)
    assert "X-Amz-Date" not in boto.headers
    assert ok(view("GET", boto.url, dict(boto.headers.items()))).account is ACCOUNT


def test_an_invalid_x_amz_date_falls_back_to_a_usable_date() -> None:
    boto = AWSRequest(method="GET", url=URL, headers={"Date": "placeholder"})
    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW.replace(tzinfo=None)):
        S3SigV4Auth(Credentials(ACCESS_KEY, SECRET), "s3", REGION).add_auth(boto)
    req = view("GET", boto.url, {**dict(boto.headers.items()), "x-amz-date": "garbage"})
    # The signature verified against the Date header; only the unsigned x-amz-date is left to refuse.
    assert refused(req, ErrorCode.AccessDenied).fields == {"HeadersNotSigned": "x-amz-date"}


def test_clock_skew_up_to_15_minutes_is_accepted() -> None:
    req = signed()
    for delta in (datetime.timedelta(minutes=15), -datetime.timedelta(minutes=15)):
        assert ok(req, NOW + delta).account is ACCOUNT


def test_comparison_is_constant_time() -> None:
    with mock.patch("emulator.auth.hmac.compare_digest", wraps=hmac.compare_digest) as compare:
        ok(signed())
    assert compare.called


def test_result_repr_shows_no_secret() -> None:
    result = ok(signed("PUT", body_hash="STREAMING-AWS4-HMAC-SHA256-PAYLOAD"))
    shown = repr(result)
    assert SECRET not in shown and KEY_HEX not in shown and repr(result.chunk_signer.signing_key) not in shown


# --- refused: no usable scheme ---


def test_anonymous_is_access_denied() -> None:
    err = refused(view("GET", URL, {}), ErrorCode.AccessDenied)
    assert err.status == 403


@pytest.mark.parametrize("req", [
    view("GET", URL, {"authorization": "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=",
                      "date": "Fri, 24 May 2013 00:00:00 GMT"}),
    view("GET", f"{URL}&AWSAccessKeyId={ACCESS_KEY}&Expires=1369353600&Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D", {}),
], ids=["header", "query"])
def test_sigv2_is_400_invalid_request_with_aws_message(req: RequestView) -> None:
    """AWS: 400 InvalidRequest "The authorization mechanism you have provided is not supported. Please use
    AWS4-HMAC-SHA256." (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList; s3cmd's
    S3._http_400_handler matches this exact message)."""
    err = refused(req, ErrorCode.InvalidRequest)
    assert err.status == 400
    assert err.message == ("The authorization mechanism you have provided is not supported. "
                           "Please use AWS4-HMAC-SHA256.")


def test_header_and_query_signature_together_is_invalid_argument() -> None:
    req = signed()
    both = RequestView(req.method, req.raw_path, urlsplit(DOC_PRESIGNED).query, req.headers)
    assert refused(both, ErrorCode.InvalidArgument).fields["ArgumentName"] == "Authorization"


def test_unknown_authorization_scheme_is_invalid_argument() -> None:
    refused(view("GET", URL, {"authorization": "Bearer abc"}), ErrorCode.InvalidArgument)


# --- refused: malformed Authorization header ---


@pytest.mark.parametrize(("pattern", "replacement"), [
    (r"Credential=[^,]*, ", ""),
    (r"SignedHeaders=[^,]*, ", ""),
    (r", Signature=.*", ""),
    (r"Credential=[^/]*/", "Credential="),  # four parts
    (r"/aws4_request", "/aws4_reques"),
    (r"/s3/", "/iam/"),
    (r"Credential=(\w+)/20130524", r"Credential=\1/2013-05-24"),
], ids=["no-credential", "no-signed-headers", "no-signature", "short-credential", "terminator", "service", "date"])
def test_malformed_authorization_header(pattern: str, replacement: str) -> None:
    err = refused(with_authorization(signed(), pattern, replacement), ErrorCode.AuthorizationHeaderMalformed)
    assert err.status == 400
    assert (err.message or "").startswith("The authorization header is malformed; ")


def test_wrong_region_names_the_right_one() -> None:
    err = refused(signed(region="eu-west-1"), ErrorCode.AuthorizationHeaderMalformed)
    assert err.message == ("The authorization header is malformed; the region 'eu-west-1' is wrong; "
                           "expecting 'us-east-1'")
    assert err.fields == {"Region": "us-east-1"}


def test_credential_date_must_be_the_request_date() -> None:
    req = with_headers(signed(), x_amz_date="20130525T000000Z")
    err = refused(req, ErrorCode.AuthorizationHeaderMalformed, NOW + datetime.timedelta(days=1))
    assert err.message == ("The authorization header is malformed; Invalid credential date. "
                           "Date is not the same as X-Amz-Date.")


def test_host_must_be_signed() -> None:
    err = refused(signed_with_names(signed(), ["x-amz-content-sha256", "x-amz-date"]),
                  ErrorCode.AuthorizationHeaderMalformed)
    assert "host" in (err.message or "")


# --- refused: identity, time, payload declaration ---


def test_unknown_access_key() -> None:
    err = refused(signed(access_key="AKIDUNKNOWN"), ErrorCode.InvalidAccessKeyId)
    assert err.fields == {"AWSAccessKeyId": "AKIDUNKNOWN"}
    assert err.status == 403


@pytest.mark.parametrize("date_headers", [
    {"x_amz_date": None},
    {"x_amz_date": "2013-05-24T00:00:00Z"},
    {"x_amz_date": "20131324T000000Z"},
    {"x_amz_date": None, "date": "yesterday"},
])
def test_missing_or_invalid_date(date_headers: dict[str, str | None]) -> None:
    err = refused(with_headers(signed(), **date_headers), ErrorCode.AccessDenied)
    assert err.message == "AWS authentication requires a valid Date or x-amz-date header"


@pytest.mark.parametrize("delta", [datetime.timedelta(minutes=15, seconds=1), -datetime.timedelta(hours=2)])
def test_request_time_too_skewed(delta: datetime.timedelta) -> None:
    err = refused(signed(), ErrorCode.RequestTimeTooSkewed, NOW + delta)
    assert err.status == 403
    assert err.fields == {"RequestTime": STAMP, "ServerTime": (NOW + delta).strftime("%Y-%m-%dT%H:%M:%SZ"),
                          "MaxAllowedSkewMilliseconds": "900000"}


def test_missing_content_sha256_is_invalid_request() -> None:
    err = refused(with_headers(signed(), x_amz_content_sha256=None), ErrorCode.InvalidRequest)
    assert err.message == "Missing required header for this request: x-amz-content-sha256"
    assert err.status == 400


@pytest.mark.parametrize("value", ["abc", "HASH", "unsigned-payload", "0" * 63, "g" * 64,
                                   "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"])
def test_invalid_content_sha256_is_invalid_argument(value: str) -> None:
    err = refused(signed("PUT", body_hash=value), ErrorCode.InvalidArgument)
    assert err.fields == {"ArgumentName": "x-amz-content-sha256", "ArgumentValue": value}
    assert (err.message or "").startswith("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, ")


def test_unsigned_amz_headers_are_refused_but_content_sha256_is_exempt() -> None:
    req = signed("PUT", headers={"x-amz-meta-signed": "1"})
    assert ok(req).account is ACCOUNT
    err = refused(with_headers(req, x_amz_meta_b="2", x_amz_acl="private"), ErrorCode.AccessDenied)
    assert err.message == "There were headers present in the request which were not signed"
    assert err.fields == {"HeadersNotSigned": "x-amz-acl, x-amz-meta-b"}
    # Signed without x-amz-content-sha256 in SignedHeaders, as some clients do: S3 accepts it.
    bare = with_headers(req, x_amz_meta_signed=None)
    assert ok(signed_with_names(bare, ["host", "x-amz-date"])).account is ACCOUNT


# --- refused: signature ---


def test_wrong_secret_is_signature_does_not_match_with_s3_fields() -> None:
    err = refused(signed(secret="not-the-secret"), ErrorCode.SignatureDoesNotMatch)
    assert err.status == 403
    assert list(err.fields) == ["AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes",
                                "CanonicalRequest", "CanonicalRequestBytes"]
    assert err.fields["AWSAccessKeyId"] == ACCESS_KEY
    assert err.fields["CanonicalRequest"].startswith("GET\n/photos/a%20b.jpg\nversionId=3\nhost:")
    assert err.fields["StringToSign"].endswith(hashlib.sha256(err.fields["CanonicalRequest"].encode()).hexdigest())
    assert err.fields["StringToSignBytes"] == " ".join(f"{b:02x}" for b in err.fields["StringToSign"].encode())
    assert err.fields["CanonicalRequestBytes"].startswith("47 45 54 0a 2f")  # "GET\n/"


@pytest.mark.parametrize("tamper", [
    lambda r: RequestView("PUT", r.raw_path, r.raw_query, r.headers),
    lambda r: RequestView(r.method, r.raw_path.replace("%20", "+"), r.raw_query, r.headers),
    lambda r: RequestView(r.method, r.raw_path, "versionId=4", r.headers),
    lambda r: RequestView(r.method, r.raw_path, "", r.headers),
    lambda r: with_headers(r, host="other.example.com"),
    lambda r: with_headers(r, x_amz_meta_x="tampered"),
    lambda r: with_authorization(r, r"Signature=(.)", lambda m: "Signature=" + ("0" if m[1] != "0" else "1")),
], ids=["method", "path", "query", "query-dropped", "host", "signed-header", "signature"])
def test_any_change_breaks_the_signature(tamper) -> None:
    req = signed(headers={"x-amz-meta-x": "original"})
    assert ok(req).account is ACCOUNT
    refused(tamper(req), ErrorCode.SignatureDoesNotMatch)


# --- presigned ---


def presigned(url: str = URL, *, expires: int = 3600, now: datetime.datetime = NOW, **kw) -> RequestView:
    headers = kw.pop("headers", None)
    return view("GET", sigv4.presign_url("GET", url, ACCESS_KEY, SECRET, REGION, now, expires, headers=headers,
                                         **kw), headers or {})


def without_param(req: RequestView, name: str) -> RequestView:
    query = "&".join(p for p in req.raw_query.split("&") if not p.startswith(f"{name}="))
    return RequestView(req.method, req.raw_path, query, req.headers)


def replace_param(req: RequestView, name: str, value: str) -> RequestView:
    query = "&".join(f"{name}={value}" if p.startswith(f"{name}=") else p for p in req.raw_query.split("&"))
    return RequestView(req.method, req.raw_path, query, req.headers)


def test_presigned_with_signed_headers() -> None:
    req = presigned(headers={"x-amz-acl": "private", "Content-Type": "text/plain"})
    assert ok(req).presigned
    refused(with_headers(req, content_type="image/png"), ErrorCode.SignatureDoesNotMatch)


def test_presigned_unsigned_amz_header_is_refused() -> None:
    err = refused(with_headers(presigned(), x_amz_acl="public-read"), ErrorCode.AccessDenied)
    assert err.fields == {"HeadersNotSigned": "x-amz-acl"}


@pytest.mark.parametrize("name", ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                                  "X-Amz-SignedHeaders"])
def test_presigned_missing_parameter(name: str) -> None:
    err = refused(without_param(presigned(), name), ErrorCode.AuthorizationQueryParametersError)
    assert err.status == 400


@pytest.mark.parametrize(("name", "value", "message"), [
    # AWS's wording, quoted from its answer in https://github.com/aws/aws-cli/issues/5464
    ("X-Amz-Expires", "604801", "X-Amz-Expires must be less than a week (in seconds); that is, the given "
                                "X-Amz-Expires must be less than 604800 seconds"),
    ("X-Amz-Expires", "-1", "X-Amz-Expires must be non-negative"),
    ("X-Amz-Expires", "soon", "X-Amz-Expires should be a number"),
    ("X-Amz-Algorithm", "AWS4-HMAC-SHA512", 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'),
    ("X-Amz-Date", "2013-05-24", "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""),
    ("X-Amz-Credential", f"{ACCESS_KEY}%2F20130524%2Fus-east-1%2Fs3", None),
])
def test_presigned_bad_parameter(name: str, value: str, message: str | None) -> None:
    err = refused(replace_param(presigned(), name, value), ErrorCode.AuthorizationQueryParametersError)
    if message is not None:
        assert err.message == message


def test_presigned_week_long_expiry_is_accepted() -> None:
    assert ok(presigned(expires=604800), NOW + datetime.timedelta(days=7)).presigned


def test_presigned_wrong_region() -> None:
    url = sigv4.presign_url("GET", URL, ACCESS_KEY, SECRET, "eu-west-1", NOW, 60)
    err = refused(view("GET", url, {}), ErrorCode.AuthorizationQueryParametersError)
    assert err.fields == {"Region": "us-east-1"}


def test_presigned_unknown_key_and_wrong_secret() -> None:
    url = sigv4.presign_url("GET", URL, "AKIDUNKNOWN", SECRET, REGION, NOW, 60)
    refused(view("GET", url, {}), ErrorCode.InvalidAccessKeyId)
    url = sigv4.presign_url("GET", URL, ACCESS_KEY, "wrong", REGION, NOW, 60)
    refused(view("GET", url, {}), ErrorCode.SignatureDoesNotMatch)


def test_presigned_in_the_future() -> None:
    req = presigned(now=NOW + datetime.timedelta(minutes=16), expires=60)
    err = refused(req, ErrorCode.AccessDenied)
    assert err.message == "Request is not yet valid"
    assert err.fields == {"X-Amz-Date": str(int((NOW + datetime.timedelta(minutes=16)).timestamp() * 1000)),
                          "Expires": "2013-05-24T00:17:00Z", "ServerTime": "2013-05-24T00:00:00Z"}
    assert ok(presigned(now=NOW + datetime.timedelta(minutes=14))).presigned


def test_presigned_credential_date_must_match() -> None:
    req = replace_param(presigned(), "X-Amz-Date", "20130523T235959Z")
    err = refused(req, ErrorCode.AuthorizationQueryParametersError)
    assert "Date is not the same as X-Amz-Date" in (err.message or "")


def test_presigned_with_pinned_payload_hash() -> None:
    digest = hashlib.sha256(b"body").hexdigest()
    req = view("PUT", sigv4.presign_url("PUT", f"{URL}&X-Amz-Content-Sha256={digest}", ACCESS_KEY, SECRET, REGION,
                                        NOW, 60), {})
    result = ok(req)
    assert (result.payload_mode, result.payload_sha256) == (PayloadMode.HASH, digest)


# --- other signers ---

_segment = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=10)


@st.composite
def _boto_requests(draw: st.DrawFn) -> AWSRequest:
    method = draw(st.sampled_from(["GET", "PUT", "HEAD", "DELETE", "POST"]))
    segments = draw(st.lists(_segment | st.sampled_from(["", "a+b", "%", "~"]), min_size=1, max_size=3))
    # Names an auth scheme owns would make a second mechanism (tested above), so none here.
    names = _segment.filter(lambda n: n and n not in ("Signature", "AWSAccessKeyId") and not n.startswith("X-Amz-"))
    params = draw(st.lists(st.tuples(names, _segment), max_size=3))
    query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in params)
    url = f"http://{HOST}/" + "/".join(quote(s, safe="~") for s in segments) + (f"?{query}" if query else "")
    meta = draw(st.dictionaries(st.from_regex(r"x-amz-meta-[a-z]{1,6}", fullmatch=True),
                                st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E) | st.just(" "),
                                        max_size=12), max_size=2))
    return AWSRequest(method=method, url=url, headers=meta, data=draw(st.binary(max_size=32)))


def _as_view(request: AWSRequest) -> RequestView:
    return view(request.method, request.url, dict(request.headers.items()))


@settings(max_examples=150, deadline=None)
@given(_boto_requests())
def test_botocore_signed_requests_are_accepted(request: AWSRequest) -> None:
    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW.replace(tzinfo=None)):
        S3SigV4Auth(Credentials(ACCESS_KEY, SECRET), "s3", REGION).add_auth(request)
    result = ok(_as_view(request))
    assert result.payload_sha256 == hashlib.sha256(request.data or b"").hexdigest()


@settings(max_examples=100, deadline=None)
@given(_boto_requests())
def test_crt_signed_requests_are_accepted(request: AWSRequest) -> None:
    with mock.patch("botocore.crt.auth.get_current_datetime", return_value=NOW):
        CrtS3SigV4Auth(Credentials(ACCESS_KEY, SECRET), "s3", REGION).add_auth(request)
    assert ok(_as_view(request)).account is ACCOUNT


@settings(max_examples=100, deadline=None)
@given(_boto_requests(), st.integers(min_value=1, max_value=604800))
def test_botocore_presigned_urls_are_accepted(request: AWSRequest, expires: int) -> None:
    request.data = b""  # a presigned URL carries no body params (botocore would move them into the query)
    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW.replace(tzinfo=None)):
        S3SigV4QueryAuth(Credentials(ACCESS_KEY, SECRET), "s3", REGION, expires=expires).add_auth(request)
    result = ok(_as_view(request), NOW + datetime.timedelta(seconds=expires))
    assert result.presigned and result.payload_mode is PayloadMode.UNSIGNED_PAYLOAD
