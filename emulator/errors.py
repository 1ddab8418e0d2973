"""One catalogue of S3 errors and one function that turns any of them into S3 XML.

Codes, statuses and messages follow the S3 API reference's error list:
https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET


class ErrorCode(enum.Enum):
    """(status, default message), named after the wire code."""

    AccessDenied = (403, "Access Denied")
    AuthorizationHeaderMalformed = (400, "The authorization header is malformed.")
    AuthorizationQueryParametersError = (400, "Error parsing the X-Amz-Credential parameter.")
    BadDigest = (400, "The Content-MD5 you specified did not match what we received.")
    BadRequest = (400, "An error occurred when parsing the HTTP request.")
    BucketAlreadyExists = (409, "The requested bucket name is not available.")
    BucketAlreadyOwnedByYou = (
        409,
        "Your previous request to create the named bucket succeeded and you already own it.",
    )
    BucketNotEmpty = (409, "The bucket you tried to delete is not empty")
    EntityTooLarge = (400, "Your proposed upload exceeds the maximum allowed size")
    IncompleteBody = (400, "You did not provide the number of bytes specified by the Content-Length HTTP header.")
    InternalError = (500, "We encountered an internal error. Please try again.")
    InvalidAccessKeyId = (403, "The AWS Access Key Id you provided does not exist in our records.")
    InvalidArgument = (400, "Invalid Argument")
    InvalidBucketName = (400, "The specified bucket is not valid.")
    InvalidChunkSizeError = (403, "Only the last chunk is allowed to have a size less than 8192 bytes")
    InvalidDigest = (400, "The Content-MD5 you specified was invalid.")
    InvalidRange = (416, "The requested range is not satisfiable")
    InvalidRequest = (400, "Invalid Request")
    InvalidURI = (400, "Couldn't parse the specified URI.")
    KeyTooLongError = (400, "Your key is too long")
    MalformedTrailerError = (
        400,
        "The request contained trailing data that was not well-formed or did not conform to our published schema.",
    )
    MalformedXML = (400, "The XML you provided was not well-formed or did not validate against our published schema.")
    MethodNotAllowed = (405, "The specified method is not allowed against this resource.")
    MissingContentLength = (411, "You must provide the Content-Length HTTP header.")
    MissingSecurityHeader = (400, "Your request was missing a required header.")
    NoSuchBucket = (404, "The specified bucket does not exist")
    NoSuchKey = (404, "The specified key does not exist.")
    MetadataTooLarge = (400, "Your metadata headers exceed the maximum allowed metadata size.")
    # no final period: AWS's recorded message (localstack test_s3_api.snapshot.json, TestS3DeletePrecondition)
    NotImplemented = (501, "A header you provided implies functionality that is not implemented")
    NotModified = (304, "Not Modified")
    PreconditionFailed = (412, "At least one of the pre-conditions you specified did not hold")
    RequestHeaderSectionTooLarge = (400, "Your request header section exceeds the maximum allowed size.")
    RequestTimeTooSkewed = (403, "The difference between the request time and the current time is too large.")
    RequestTimeout = (
        400,
        "Your socket connection to the server was not read from or written to within the timeout period.",
    )
    SignatureDoesNotMatch = (
        403,
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method.",
    )
    XAmzContentSHA256Mismatch = (400, "The provided 'x-amz-content-sha256' header does not match what was computed.")

    @property
    def status(self) -> int:
        return self.value[0]

    @property
    def default_message(self) -> str:
        return self.value[1]


@dataclass
class S3Error(Exception):
    """An error the emulator answers with. ``fields`` are the extra XML elements S3 adds (Key, BucketName...)."""

    code: ErrorCode
    message: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    # Why the request log should explain the answer ("not supported by the service"...). Never a secret.
    log_reason: str | None = None
    operation: str | None = None  # the operation a refused request asked for, for the request log

    def __post_init__(self) -> None:
        super().__init__(self.code.name)

    @property
    def status(self) -> int:
        return self.code.status

    def __str__(self) -> str:  # pragma: no cover - shown in tracebacks only
        return f"{self.code.name}: {self.message or self.code.default_message}"


def error_xml(err: S3Error, resource: str, request_id: str, host_id: str) -> bytes:
    """The one place an error becomes S3 XML (`<Error><Code>..`), as S3 serialises it."""
    root = ET.Element("Error")
    ET.SubElement(root, "Code").text = err.code.name
    ET.SubElement(root, "Message").text = err.message or err.code.default_message
    for name, value in err.fields.items():
        ET.SubElement(root, name).text = value
    ET.SubElement(root, "Resource").text = resource
    ET.SubElement(root, "RequestId").text = request_id
    ET.SubElement(root, "HostId").text = host_id
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
