"""SigV4 canonicalisation and signing, stage by stage, against AWS's published S3 examples and botocore's signer.

Expected values are copied from:
- https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html (GET object, PUT object,
  GET bucket lifecycle, list objects)
- https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html (seed and chunk signatures)
- https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html (trailer example)
- https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html (presigned GET)
- https://docs.aws.amazon.com/general/latest/gr/signature-v4-examples.html (signing key derivation)
"""

from __future__ import annotations

import datetime
import hashlib
from unittest import mock
from urllib.parse import parse_qsl, quote, urlsplit

import botocore.auth  # noqa: F401  (imported before botocore.crt.auth, which it imports circularly)
import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.crt.auth import CrtS3SigV4Auth
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator import sigv4

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
STAMP = "20130524T000000Z"
NOW = datetime.datetime(2013, 5, 24, tzinfo=datetime.timezone.utc)
SCOPE = "20130524/us-east-1/s3/aws4_request"
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
HOST = "examplebucket.s3.amazonaws.com"


def _key() -> bytes:
    return sigv4.signing_key(SECRET, "20130524", REGION, "s3")


def _canonical(method: str, raw_path: str, raw_query: str, headers: dict[str, str], payload: str) -> str:
    names = sorted(headers)
    return sigv4.canonical_request(method, sigv4.canonical_uri_from_raw_path(raw_path),
                                   sigv4.canonical_query_string(raw_query), sigv4.canonical_headers(headers, names),
                                   ";".join(names), payload)


# --- AWS's published single-chunk examples (sig-v4-header-based-auth.html) ---


def test_get_object_example_every_stage() -> None:
    headers = {"host": HOST, "range": "bytes=0-9", "x-amz-content-sha256": EMPTY, "x-amz-date": STAMP}
    request = _canonical("GET", "/test.txt", "", headers, EMPTY)
    assert request == (
        "GET\n/test.txt\n\n"
        "host:examplebucket.s3.amazonaws.com\n"
        "range:bytes=0-9\n"
        "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
        "x-amz-date:20130524T000000Z\n\n"
        "host;range;x-amz-content-sha256;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    to_sign = sigv4.string_to_sign(STAMP, sigv4.scope("20130524", REGION, "s3"), request)
    assert to_sign == ("AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
                       "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
    assert sigv4.signature(_key(), to_sign) == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"


def test_put_object_example_every_stage() -> None:
    payload = hashlib.sha256(b"Welcome to Amazon S3.").hexdigest()
    assert payload == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
    headers = {"date": "Fri, 24 May 2013 00:00:00 GMT", "host": HOST, "x-amz-content-sha256": payload,
               "x-amz-date": STAMP, "x-amz-storage-class": "REDUCED_REDUNDANCY"}
    request = _canonical("PUT", "/test%24file.text", "", headers, payload)
    assert request == (
        "PUT\n/test%24file.text\n\n"
        "date:Fri, 24 May 2013 00:00:00 GMT\n"
        "host:examplebucket.s3.amazonaws.com\n"
        "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
        "x-amz-date:20130524T000000Z\n"
        "x-amz-storage-class:REDUCED_REDUNDANCY\n\n"
        "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
        "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
    )
    to_sign = sigv4.string_to_sign(STAMP, SCOPE, request)
    assert to_sign.endswith("\n9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d")
    assert sigv4.signature(_key(), to_sign) == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"


@pytest.mark.parametrize(("raw_query", "canonical_query", "sts_hash", "expected"), [
    ("lifecycle", "lifecycle=", "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca",
     "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
    ("max-keys=2&prefix=J", "max-keys=2&prefix=J", "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7",
     "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
    ("prefix=J&max-keys=2", "max-keys=2&prefix=J", "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7",
     "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
], ids=["lifecycle", "list-objects", "list-objects-unsorted"])
def test_bucket_examples(raw_query: str, canonical_query: str, sts_hash: str, expected: str) -> None:
    assert sigv4.canonical_query_string(raw_query) == canonical_query
    headers = {"host": HOST, "x-amz-content-sha256": EMPTY, "x-amz-date": STAMP}
    request = _canonical("GET", "", raw_query, headers, EMPTY)
    assert request.startswith(f"GET\n/\n{canonical_query}\nhost:")
    to_sign = sigv4.string_to_sign(STAMP, SCOPE, request)
    assert to_sign == f"AWS4-HMAC-SHA256\n{STAMP}\n{SCOPE}\n{sts_hash}"
    assert sigv4.signature(_key(), to_sign) == expected


def test_signing_key_matches_the_general_reference_example() -> None:
    # The general SigV4 examples use the '+' variant of the example secret, and the iam service.
    key = sigv4.signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")
    assert key.hex() == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"


def test_sign_headers_reproduces_the_put_object_example() -> None:
    payload = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
    added = sigv4.sign_headers("PUT", f"https://{HOST}/test%24file.text",
                               {"Date": "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class": "REDUCED_REDUNDANCY"},
                               payload, ACCESS_KEY, SECRET, REGION, NOW)
    assert added == {
        "Authorization": f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{SCOPE}, "
                         "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
                         "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
        "x-amz-date": STAMP,
        "x-amz-content-sha256": payload,
    }


# --- streaming (sigv4-streaming.html, sigv4-streaming-trailers.html) ---


def test_streaming_seed_signature_example() -> None:
    headers = {"content-encoding": "aws-chunked", "content-length": "66824", "host": "s3.amazonaws.com",
               "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "x-amz-date": STAMP,
               "x-amz-decoded-content-length": "66560", "x-amz-storage-class": "REDUCED_REDUNDANCY"}
    request = _canonical("PUT", "/examplebucket/chunkObject.txt", "", headers, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    assert request.endswith(
        "\n\ncontent-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;"
        "x-amz-storage-class\nSTREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    to_sign = sigv4.string_to_sign(STAMP, SCOPE, request)
    assert to_sign.endswith("\ncee3fed04b70f867d036f722359b0b1f2f0e5dc0efadbc082b76c4c60e316455")
    assert sigv4.signature(_key(), to_sign) == "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"


def test_streaming_chunk_signatures_example() -> None:
    seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    first = sigv4.chunk_string_to_sign(STAMP, SCOPE, seed, b"a" * 65536)
    assert first == ("AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
                     f"{seed}\n{EMPTY}\nbf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a")
    expected = ["ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
                "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
                "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"]
    previous = seed
    for data, want in zip((b"a" * 65536, b"a" * 1024, b""), expected, strict=True):
        running = hashlib.sha256(data)  # the decoder passes a running hash, not the bytes
        previous = sigv4.signature(_key(), sigv4.chunk_string_to_sign(STAMP, SCOPE, previous, running))
        assert previous == want


def test_trailer_example_seed_chunks_and_trailer_signature() -> None:
    headers = {"content-encoding": "aws-chunked", "host": "s3.amazonaws.com",
               "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "x-amz-date": STAMP,
               "x-amz-decoded-content-length": "66560", "x-amz-storage-class": "REDUCED_REDUNDANCY",
               "x-amz-trailer": "x-amz-checksum-crc32c"}
    request = _canonical("PUT", "/examplebucket/chunkObject.txt", "", headers,
                         "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
    to_sign = sigv4.string_to_sign(STAMP, SCOPE, request)
    assert to_sign.endswith("\n44d48b8c2f70eae815a0198cc73d7a546a73a93359c070abbaa5e6c7de112559")
    previous = sigv4.signature(_key(), to_sign)
    assert previous == "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
    for data, want in zip((b"a" * 65536, b"a" * 1024, b""),
                          ("b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
                           "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
                           "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"), strict=True):
        previous = sigv4.signature(_key(), sigv4.chunk_string_to_sign(STAMP, SCOPE, previous, data))
        assert previous == want
    trailer = sigv4.trailer_string_to_sign(STAMP, SCOPE, previous, {"x-amz-checksum-crc32c": "sOO8/Q=="})
    assert trailer.startswith(f"AWS4-HMAC-SHA256-TRAILER\n{STAMP}\n{SCOPE}\n{previous}\n")
    assert trailer.endswith(hashlib.sha256(b"x-amz-checksum-crc32c:sOO8/Q==\n").hexdigest())
    assert sigv4.signature(_key(), trailer) == "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"


def test_canonical_trailers_sorted_lowercase_trimmed() -> None:
    assert sigv4.canonical_trailers([("X-Amz-Checksum-Sha256", " abc "), ("x-amz-checksum-crc32", "def")]) == (
        "x-amz-checksum-crc32:def\nx-amz-checksum-sha256:abc\n")


# --- presigned (sigv4-query-string-auth.html) ---

PRESIGNED_EXAMPLE = (
    "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
)


def test_presigned_example_every_stage() -> None:
    query = urlsplit(PRESIGNED_EXAMPLE).query
    canonical_query = sigv4.canonical_query_string(query, presigned=True)
    assert canonical_query == (
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F"
        "aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host")
    request = sigv4.canonical_request("GET", "/test.txt", canonical_query, sigv4.canonical_headers({"host": HOST},
                                      ["host"]), "host", "UNSIGNED-PAYLOAD")
    to_sign = sigv4.string_to_sign(STAMP, SCOPE, request)
    assert to_sign.endswith("\n3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04")
    assert sigv4.signature(_key(), to_sign) == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"


def test_presign_url_reproduces_the_example_url() -> None:
    url = sigv4.presign_url("GET", f"https://{HOST}/test.txt", ACCESS_KEY, SECRET, REGION, NOW, 86400)
    assert url == PRESIGNED_EXAMPLE


def test_presigned_canonical_query_keeps_the_signature_when_not_presigned() -> None:
    assert sigv4.canonical_query_string("X-Amz-Signature=ab&a=1") == "X-Amz-Signature=ab&a=1"
    assert sigv4.canonical_query_string("X-Amz-Signature=ab&a=1", presigned=True) == "a=1"


# --- the building blocks ---


@pytest.mark.parametrize(("text", "slash", "expected"), [
    ("AZaz09-._~", True, "AZaz09-._~"),
    ("a b+c", True, "a%20b%2Bc"),
    ("a/b", True, "a%2Fb"),
    ("a/b", False, "a/b"),
    ("é€😀", True, "%C3%A9%E2%82%AC%F0%9F%98%80"),
    ("%2F*!'()$&=", True, "%252F%2A%21%27%28%29%24%26%3D"),
])
def test_uri_encode(text: str, slash: bool, expected: str) -> None:
    assert sigv4.uri_encode(text, encode_slash=slash) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("", ""),
    ("acl", "acl="),
    ("b=2&a=1&a=0", "a=0&a=1&b=2"),
    ("prefix=a+b", "prefix=a%2Bb"),  # '+' is a plus in SigV4, never a space
    ("prefix=a%20b", "prefix=a%20b"),
    ("prefix=a b", "prefix=a%20b"),
    ("k=%7e%2f", "k=~%2F"),  # decoded then re-encoded: lowercase hex and over-encoding normalised
    ("k=%FF", "k=%FF"),  # not UTF-8: the bytes survive
    ("a=&b", "a=&b="),
    ("&&a=1&", "a=1"),
    ("%C3%A9=1&e=2&z=3", "%C3%A9=1&e=2&z=3"),  # sorted by encoded name: '%' < 'e'
])
def test_canonical_query_string(raw: str, expected: str) -> None:
    assert sigv4.canonical_query_string(raw) == expected


def test_canonical_headers_trim_collapse_and_join() -> None:
    headers = [("Host", "h"), ("X-Amz-Meta-A", "  one   two \t three "), ("x-amz-meta-a", "four"), ("x-other", "x")]
    assert sigv4.canonical_headers(headers, ["host", "x-amz-meta-a"]) == "host:h\nx-amz-meta-a:one two three,four\n"
    assert sigv4.canonical_headers({"Host": "h"}, ["host", "missing"]) == "host:h\nmissing:\n"


@pytest.mark.parametrize(("raw", "expected"), [
    ("", "/"), ("/", "/"), ("/a//b/./c/../d", "/a//b/./c/../d"), ("/a%2Fb%20c", "/a%2Fb%20c"),
])
def test_canonical_uri_is_the_path_as_sent(raw: str, expected: str) -> None:
    assert sigv4.canonical_uri_from_raw_path(raw) == expected


def test_context_repr_hides_the_signing_key() -> None:
    context = sigv4.ChunkSigningContext(_key(), STAMP, SCOPE, "seed")
    assert _key().hex() not in repr(context) and str(_key()) not in repr(context)


# --- cross-check with botocore's own S3 signers ---

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_header_value = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.just("\t"), max_size=20)
_header_name = st.from_regex(r"x-amz-meta-[a-z0-9]{1,8}|content-type|x-amz-storage-class", fullmatch=True)


@st.composite
def _requests(draw: st.DrawFn) -> tuple[str, str, dict[str, str], bytes]:
    method = draw(st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD"]))
    # Paths as botocore's serializer sends keys: UTF-8, percent-encoded except '/' and '~'.
    segments = draw(st.lists(_text | st.sampled_from(["", "a+b", "a b", "%", "~", "."]), min_size=1, max_size=4))
    path = "/bucket/" + "/".join(quote(s, safe="~") for s in segments)
    params = draw(st.lists(st.tuples(_text.filter(lambda n: n and n != "X-Amz-Signature"), _text | st.none()),
                           max_size=4))
    query = "&".join(quote(k, safe="-_.~") if v is None else f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                     for k, v in params)
    port = draw(st.sampled_from(["", ":80", ":8080"]))
    url = f"http://Example.COM{port}{path}" + (f"?{query}" if query else "")
    names = draw(st.lists(_header_name, max_size=3, unique=True))
    headers = {name.title() if draw(st.booleans()) else name: draw(_header_value) for name in names}
    return method, url, headers, draw(st.binary(max_size=64))


@settings(max_examples=300, deadline=None)
@given(_requests(), st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2099, 1, 1)))
def test_sign_headers_matches_botocore(request: tuple[str, str, dict[str, str], bytes],
                                       when: datetime.datetime) -> None:
    method, url, headers, body = request
    when = when.replace(microsecond=0)
    boto = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        S3SigV4Auth(Credentials(ACCESS_KEY, SECRET), "s3", "eu-west-3").add_auth(boto)
    ours = sigv4.sign_headers(method, url, headers, hashlib.sha256(body).hexdigest(), ACCESS_KEY, SECRET,
                              "eu-west-3", when.replace(tzinfo=datetime.timezone.utc))
    assert ours["Authorization"] == boto.headers["Authorization"]
    assert ours["x-amz-date"] == boto.headers["X-Amz-Date"]
    assert ours["x-amz-content-sha256"] == boto.headers["X-Amz-Content-SHA256"]


@settings(max_examples=200, deadline=None)
@given(_requests(), st.integers(min_value=1, max_value=604800))
def test_presign_url_matches_botocore(request: tuple[str, str, dict[str, str], bytes], expires: int) -> None:
    method, url, _, _ = request
    # botocore re-serialises the operation's query before appending its own; give it one key per name.
    parts = urlsplit(url)
    pairs = dict(parse_qsl(parts.query, keep_blank_values=True))
    url = parts._replace(query="&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                                        for k, v in pairs.items())).geturl()
    boto = AWSRequest(method=method, url=url)
    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW.replace(tzinfo=None)):
        S3SigV4QueryAuth(Credentials(ACCESS_KEY, SECRET), "s3", REGION, expires=expires).add_auth(boto)
    ours = sigv4.presign_url(method, url, ACCESS_KEY, SECRET, REGION, NOW, expires)
    boto_params = dict(parse_qsl(urlsplit(boto.url).query, keep_blank_values=True))
    our_params = dict(parse_qsl(urlsplit(ours).query, keep_blank_values=True))
    assert our_params == boto_params
    assert sigv4.canonical_query_string(urlsplit(ours).query) == sigv4.canonical_query_string(urlsplit(boto.url).query)


@settings(max_examples=150, deadline=None)
@given(_requests())
def test_sign_headers_matches_the_crt_signer(request: tuple[str, str, dict[str, str], bytes]) -> None:
    """awscrt canonicalises on its own (it sends header values untrimmed), a second independent signer."""
    method, url, headers, body = request
    boto = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
    with mock.patch("botocore.crt.auth.get_current_datetime", return_value=NOW):
        CrtS3SigV4Auth(Credentials(ACCESS_KEY, SECRET), "s3", REGION).add_auth(boto)
    ours = sigv4.sign_headers(method, url, headers, hashlib.sha256(body).hexdigest(), ACCESS_KEY, SECRET,
                              REGION, NOW)
    assert ours["Authorization"] == boto.headers["Authorization"]


def test_cross_check_is_sensitive() -> None:
    """The botocore comparison can fail: a different path changes the signature."""
    added = sigv4.sign_headers("GET", "http://h/a%2Fb", {}, EMPTY, ACCESS_KEY, SECRET, REGION, NOW)
    other = sigv4.sign_headers("GET", "http://h/a/b", {}, EMPTY, ACCESS_KEY, SECRET, REGION, NOW)
    assert added["Authorization"] != other["Authorization"]
