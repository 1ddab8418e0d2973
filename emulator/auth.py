"""Request authentication: AWS Signature Version 4 only, verified as strictly as S3 verifies it.

Signing lives in sigv4.py; this module decides, for one request, who sent it and how its body is protected.
Every failure is an S3Error with S3's code, status and extra fields. Sources:
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html
https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
"""

from __future__ import annotations

import datetime
import email.utils
import enum
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from . import sigv4
from .accounts import Account
from .errors import ErrorCode, S3Error
from .sigv4 import ChunkSigningContext

__all__ = ["AuthResult", "ChunkSigningContext", "PayloadMode", "RequestView", "authenticate"]

SERVICE = "s3"
MAX_SKEW = datetime.timedelta(minutes=15)  # RequestTimeTooSkewed past 15 minutes (ErrorResponses.html)
MAX_EXPIRES = 604800  # a presigned URL lives at most 7 days (sigv4-query-string-auth.html)
_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")
_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")
_CREDENTIAL_SHAPE = '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request"'
_QUERY_REQUIRED = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
)


@dataclass(frozen=True)
class RequestView:
    """What auth needs of a request, decoupled from the HTTP library."""

    method: str
    raw_path: str  # path exactly as sent, percent-encoded, without the query
    raw_query: str  # query string exactly as sent, without '?'
    headers: Mapping[str, str]  # case-insensitive (CIMultiDictProxy) or lowercase keys; repeats joined by ','


class PayloadMode(enum.Enum):
    """How the body is protected, named after the x-amz-content-sha256 wire value ("HASH": a hex digest)."""

    UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
    STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
    STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    HASH = "HASH"

    @property
    def streaming(self) -> bool:
        """The body is aws-chunked framed (sigv4-streaming.html)."""
        return self.value.startswith("STREAMING-")

    @property
    def signed_chunks(self) -> bool:
        return self in (PayloadMode.STREAMING_SIGNED, PayloadMode.STREAMING_SIGNED_TRAILER)


@dataclass(frozen=True)
class AuthResult:
    account: Account
    payload_mode: PayloadMode
    payload_sha256: str | None  # lowercase hex digest the body must match when payload_mode is HASH
    presigned: bool
    chunk_signer: ChunkSigningContext | None  # for signed aws-chunked bodies: key, date, scope, seed signature


@dataclass(frozen=True)
class _Credential:
    access_key: str
    date: str
    region: str
    service: str
    terminator: str

    @property
    def scope(self) -> str:
        return sigv4.scope(self.date, self.region, self.service)


@dataclass(frozen=True)
class _Claim:
    """A parsed SigV4 request: what the client says it signed, before anything is verified."""

    credential: _Credential
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str  # the timestamp the string to sign carries (yyyyMMdd'T'HHmmss'Z')
    payload_hash: str  # the canonical request's last line
    presigned: bool


def _denied(message: str, **fields: str) -> S3Error:
    return S3Error(ErrorCode.AccessDenied, message=message, fields=dict(fields), log_reason=message)


def _header_malformed(detail: str, **fields: str) -> S3Error:
    return S3Error(
        ErrorCode.AuthorizationHeaderMalformed,
        message=f"The authorization header is malformed; {detail}",
        fields=dict(fields),
    )


def _query_error(message: str, **fields: str) -> S3Error:
    return S3Error(ErrorCode.AuthorizationQueryParametersError, message=message, fields=dict(fields))


def _query_credential_error(detail: str, **fields: str) -> S3Error:
    return _query_error(f"Error parsing the X-Amz-Credential parameter; {detail}", **fields)


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc(now: datetime.datetime) -> datetime.datetime:
    return now.replace(tzinfo=datetime.timezone.utc) if now.tzinfo is None else now


def _query_params(raw_query: str) -> dict[str, str]:
    """First value of each query parameter, percent-decoded ('+' kept, as S3 signs it)."""
    params: dict[str, str] = {}
    for part in raw_query.split("&"):
        if part:
            key, _, value = part.partition("=")
            name = unquote_to_bytes(key).decode("utf-8", "replace")
            params.setdefault(name, unquote_to_bytes(value).decode("utf-8", "replace"))
    return params


def _parse_credential(value: str, error: Callable[..., S3Error], region: str) -> _Credential:
    """Credential = AKID/yyyyMMdd/region/s3/aws4_request, checked as S3 checks it (wrong region names the right one)."""
    parts = value.split("/")
    if len(parts) != 5 or not all(parts):
        raise error(f"the Credential is mal-formed; expecting {_CREDENTIAL_SHAPE}.")
    credential = _Credential(*parts)
    if not re.fullmatch(r"\d{8}", credential.date):
        raise error(
            f'incorrect date format "{credential.date}". This date in the credential must be in the format "yyyyMMdd".'
        )
    if credential.terminator != sigv4.TERMINATOR:
        raise error(f'incorrect terminal "{credential.terminator}". This endpoint uses "{sigv4.TERMINATOR}".')
    if credential.service != SERVICE:
        raise error(f'incorrect service "{credential.service}". This endpoint belongs to "{SERVICE}".')
    if credential.region != region:
        # Because s3cmd and the SDKs re-send to the region this field names (s3cmd's _http_400_handler).
        raise error(f"the region '{credential.region}' is wrong; expecting '{region}'", Region=region)
    return credential


def _signed_header_names(value: str) -> tuple[str, ...]:
    return tuple(name.strip().lower() for name in value.split(";") if name.strip())


def _header_request_time(headers: Mapping[str, str]) -> tuple[datetime.datetime, str]:
    """The request time from x-amz-date, else a usable Date; with the amz-date form the string to sign carries."""
    moment = _parse_amz_date((headers.get("x-amz-date") or "").strip()) or _parse_http_date(headers.get("date"))
    if moment is None:
        raise _denied("AWS authentication requires a valid Date or x-amz-date header")
    return moment, moment.strftime(sigv4.AMZ_DATE_FORMAT)


def _parse_amz_date(raw: str) -> datetime.datetime | None:
    if not _AMZ_DATE.fullmatch(raw):
        return None
    try:  # slicing, because strptime costs more than the rest of a small GET's signature check
        return datetime.datetime(
            int(raw[0:4]),
            int(raw[4:6]),
            int(raw[6:8]),
            int(raw[9:11]),
            int(raw[11:13]),
            int(raw[13:15]),
            tzinfo=datetime.timezone.utc,
        )
    except ValueError:
        return None


def _parse_http_date(raw: str | None) -> datetime.datetime | None:
    if not raw:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return _utc(moment).astimezone(datetime.timezone.utc)


_KEYWORDS = tuple(mode.value for mode in PayloadMode if mode is not PayloadMode.HASH)


def _payload_mode(value: str) -> PayloadMode:
    """x-amz-content-sha256 as S3 accepts it: one of the keywords or a hex SHA-256 (sigv4-auth-using-authorization-
    header.html). Anything else is 400 InvalidArgument, S3's answer for it."""
    if _SHA256_HEX.fullmatch(value):
        return PayloadMode.HASH
    if value in _KEYWORDS:
        return PayloadMode(value)
    keywords = _KEYWORDS
    raise S3Error(
        ErrorCode.InvalidArgument,
        message=f"x-amz-content-sha256 must be {', '.join(keywords)}, or a valid sha256 value.",
        fields={"ArgumentName": "x-amz-content-sha256", "ArgumentValue": value},
    )


def _parse_authorization(value: str, headers: Mapping[str, str], region: str) -> _Claim:
    """``AWS4-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..``; spaces after the commas optional (s3cmd
    sends none)."""
    params: dict[str, str] = {}
    for part in value[len(sigv4.ALGORITHM) :].split(","):
        name, sep, val = part.strip().partition("=")
        if sep:
            params[name] = val.strip()
    missing = [name for name in ("Credential", "SignedHeaders", "Signature") if not params.get(name)]
    if missing:
        raise _header_malformed(f'the authorization header requires the "{missing[0]}" component.')
    credential = _parse_credential(params["Credential"], _header_malformed, region)
    moment, stamp = _header_request_time(headers)
    if credential.date != stamp[:8]:
        # S3 answers this with AuthorizationHeaderMalformed and this wording, not with a signature mismatch
        # (as observed from S3 in https://github.com/akka/alpakka/issues/1690 and treeverse/lakeFS#9813).
        raise _header_malformed("Invalid credential date. Date is not the same as X-Amz-Date.")
    content_sha = headers.get("x-amz-content-sha256")
    if content_sha is None:
        # Because S3 requires the header on every SigV4 request (sig-v4-header-based-auth.html).
        raise S3Error(
            ErrorCode.InvalidRequest, message="Missing required header for this request: x-amz-content-sha256"
        )
    _payload_mode(content_sha)
    return _Claim(
        credential,
        _signed_header_names(params["SignedHeaders"]),
        params["Signature"],
        stamp,
        content_sha,
        presigned=False,
    )


def _parse_presigned(params: Mapping[str, str], headers: Mapping[str, str], region: str) -> _Claim:
    if any(name not in params for name in _QUERY_REQUIRED):
        raise _query_error(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
            "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
        )
    if params["X-Amz-Algorithm"] != sigv4.ALGORITHM:
        raise _query_error(f'X-Amz-Algorithm only supports "{sigv4.ALGORITHM}"')
    credential = _parse_credential(params["X-Amz-Credential"], _query_credential_error, region)
    stamp = params["X-Amz-Date"]
    if _parse_amz_date(stamp) is None:
        raise _query_error("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
    if credential.date != stamp[:8]:
        raise _query_credential_error("Invalid credential date. Date is not the same as X-Amz-Date.")
    _expires_seconds(params["X-Amz-Expires"])
    signed = _signed_header_names(params["X-Amz-SignedHeaders"])
    # A presigned URL cannot know its body, so UNSIGNED-PAYLOAD (sigv4-query-string-auth.html) unless the signer
    # pinned a hash: as a query parameter, or as a signed header (botocore then uses that header's value).
    payload = params.get("X-Amz-Content-Sha256")
    if payload is None and "x-amz-content-sha256" in signed:
        payload = headers.get("x-amz-content-sha256")
    payload = payload or sigv4.UNSIGNED_PAYLOAD
    _payload_mode(payload)
    return _Claim(credential, signed, params["X-Amz-Signature"], stamp, payload, presigned=True)


def _expires_seconds(raw: str) -> int:
    if not re.fullmatch(r"-?\d+", raw):
        raise _query_error("X-Amz-Expires should be a number")
    seconds = int(raw)
    if seconds < 0:
        raise _query_error("X-Amz-Expires must be non-negative")
    if seconds > MAX_EXPIRES:
        # AWS's wording, quoted from its answers in https://github.com/aws/aws-cli/issues/5464 (rule
        # auth.presign-expires-range)
        raise _query_error(
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less "
            f"than {MAX_EXPIRES} seconds"
        )
    return seconds


def _check_header_time(claim: _Claim, headers: Mapping[str, str], now: datetime.datetime) -> None:
    moment = datetime.datetime.strptime(claim.amz_date, sigv4.AMZ_DATE_FORMAT).replace(tzinfo=datetime.timezone.utc)
    if abs(now - moment) > MAX_SKEW:
        raw = headers.get("x-amz-date") or headers.get("date") or claim.amz_date
        raise S3Error(
            ErrorCode.RequestTimeTooSkewed,
            fields={
                "RequestTime": raw,
                "ServerTime": _iso(now),
                "MaxAllowedSkewMilliseconds": str(int(MAX_SKEW.total_seconds() * 1000)),
            },
        )


def _check_presigned_time(claim: _Claim, params: Mapping[str, str], now: datetime.datetime) -> None:
    signed_at = _parse_amz_date(claim.amz_date)  # validated by _parse_presigned
    expires_at = signed_at + datetime.timedelta(seconds=_expires_seconds(params["X-Amz-Expires"]))
    if signed_at - now > MAX_SKEW:
        # S3 answers a URL signed in the future with these fields, X-Amz-Date in epoch milliseconds.
        raise _denied(
            "Request is not yet valid",
            **{
                "X-Amz-Date": str(int(signed_at.timestamp() * 1000)),
                "Expires": _iso(expires_at),
                "ServerTime": _iso(now),
            },
        )
    if now > expires_at:
        raise _denied(
            "Request has expired",
            **{"X-Amz-Expires": params["X-Amz-Expires"], "Expires": _iso(expires_at), "ServerTime": _iso(now)},
        )


def _check_required_signed(claim: _Claim, headers: Mapping[str, str]) -> None:
    """Host must be signed; every x-amz-* header sent must be signed too (sig-v4-header-based-auth.html lists
    "any x-amz-* headers that you plan to include"). x-amz-content-sha256 is exempt: its value is already the
    canonical request's payload line, and S3 accepts it unsigned."""
    if "host" not in claim.signed_headers:
        detail = "'host' must be a signed header."
        raise _query_error(detail) if claim.presigned else _header_malformed(detail)
    unsigned = sorted(
        {
            name.lower()
            for name in headers.keys()
            if name.lower().startswith("x-amz-")
            and name.lower() != "x-amz-content-sha256"
            and name.lower() not in claim.signed_headers
        }
    )
    if unsigned:
        raise _denied(
            "There were headers present in the request which were not signed", HeadersNotSigned=", ".join(unsigned)
        )


def _spaced_hex(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").hex(" ")


def _verify_signature(req: RequestView, claim: _Claim, account: Account) -> bytes:
    """Recompute the signature; on a mismatch answer with what S3 shows (never the secret or the key)."""
    request = sigv4.canonical_request(
        req.method,
        sigv4.canonical_uri_from_raw_path(req.raw_path),
        sigv4.canonical_query_string(req.raw_query, presigned=claim.presigned),
        sigv4.canonical_headers(req.headers, claim.signed_headers),
        ";".join(claim.signed_headers),
        claim.payload_hash,
    )
    to_sign = sigv4.string_to_sign(claim.amz_date, claim.credential.scope, request)
    key = sigv4.signing_key(account.secret_key, claim.credential.date, claim.credential.region, SERVICE)
    expected = sigv4.signature(key, to_sign)
    if not hmac.compare_digest(expected.encode(), claim.signature.encode("utf-8", "surrogateescape")):
        raise S3Error(
            ErrorCode.SignatureDoesNotMatch,
            fields={
                "AWSAccessKeyId": account.access_key,
                "StringToSign": to_sign,
                "SignatureProvided": claim.signature,
                "StringToSignBytes": _spaced_hex(to_sign),
                "CanonicalRequest": request,
                "CanonicalRequestBytes": _spaced_hex(request),
            },
            log_reason="signature does not match",
        )
    return key


def _account(claim: _Claim, lookup: Callable[[str], Account | None]) -> Account:
    account = lookup(claim.credential.access_key)
    if account is None:
        raise S3Error(ErrorCode.InvalidAccessKeyId, fields={"AWSAccessKeyId": claim.credential.access_key})
    return account


def _result(claim: _Claim, account: Account, key: bytes) -> AuthResult:
    mode = _payload_mode(claim.payload_hash)
    signer = None
    if mode.signed_chunks:
        # The header signature seeds the chunk chain (sigv4-streaming.html).
        signer = ChunkSigningContext(key, claim.amz_date, claim.credential.scope, claim.signature)
    digest = claim.payload_hash.lower() if mode is PayloadMode.HASH else None
    return AuthResult(account, mode, digest, claim.presigned, signer)


#: AWS's exact answer to a SigV2 request (header or query) where only SigV4 is accepted. Sources: the S3 error-code
#: table (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList, "InvalidRequest ...
#: Please use AWS4-HMAC-SHA256.", 400) and s3cmd, which matches this message word for word in
#: S3._http_400_handler and then retries with SigV4 (https://github.com/s3tools/s3cmd/blob/master/S3/S3.py).
SIGV2_MESSAGE = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."


def _sigv2_refused() -> S3Error:
    # 400 InvalidRequest, as AWS answers (rule auth.sigv2 in harness/rules.py). An earlier requirement of ours said
    # 403; AWS says 400, and s3cmd depends on it: on exactly this message it switches to SigV4 and succeeds.
    return S3Error(ErrorCode.InvalidRequest, message=SIGV2_MESSAGE, log_reason="SigV2: the service takes SigV4 only")


def _mechanism(req: RequestView, params: Mapping[str, str]) -> str:
    """Which scheme the request uses: 'header', 'query', or it fails here (anonymous, SigV2, two at once)."""
    authorization = (req.headers.get("authorization") or "").strip()
    v4_query = "X-Amz-Algorithm" in params or "X-Amz-Signature" in params or "X-Amz-Credential" in params
    v2_query = "AWSAccessKeyId" in params or "Signature" in params
    if authorization.startswith("AWS ") or (not authorization and not v4_query and v2_query):
        raise _sigv2_refused()
    if authorization and (v4_query or v2_query):
        raise S3Error(
            ErrorCode.InvalidArgument,
            message=(
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string "
                "parameter or the Authorization header should be specified"
            ),
            fields={"ArgumentName": "Authorization", "ArgumentValue": authorization},
        )
    if authorization:
        if authorization.split(" ", 1)[0] != sigv4.ALGORITHM:
            raise S3Error(
                ErrorCode.InvalidArgument,
                message="Unsupported Authorization Type",
                fields={"ArgumentName": "Authorization", "ArgumentValue": authorization},
            )
        return "header"
    if v4_query:
        return "query"
    raise _denied("Anonymous access is not allowed: sign the request with AWS Signature Version 4")


def authenticate(
    req: RequestView, lookup: Callable[[str], Account | None], region: str, now: datetime.datetime
) -> AuthResult:
    """Who sent ``req`` and how its body is protected, or the S3Error S3 would answer."""
    now = _utc(now)
    params = _query_params(req.raw_query)
    if _mechanism(req, params) == "header":
        claim = _parse_authorization(req.headers.get("authorization", "").strip(), req.headers, region)
        account = _account(claim, lookup)
        _check_header_time(claim, req.headers, now)
    else:
        claim = _parse_presigned(params, req.headers, region)
        account = _account(claim, lookup)
        _check_presigned_time(claim, params, now)
    key = _verify_signature(req, claim, account)
    _check_required_signed(claim, req.headers)
    return _result(claim, account, key)
