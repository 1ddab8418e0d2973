"""The model is the expectation: its S3 rules are pinned here, rule by rule (AWS S3 API reference)."""

from __future__ import annotations

import pytest

from harness.check import RANK
from harness.judge import compare, unsupported_verdict, verdict_for
from harness.model import FAR_FUTURE, FAR_PAST, BucketModel, Expected, parse_range
from harness.observation import ListEntry, Listing, Observation, redact_headers, redact_url
from harness.results import CheckRecord
from harness.steps import Conditions, Get, Head, ListObjects, Put


def bucket(*keys):
    m = BucketModel()
    for k in keys:
        m.apply(Put(k, b"x"))
    return m


def page(m, prefix="", delimiter=None, marker=None, max_keys=None):
    return m.list_page(prefix, delimiter, marker, max_keys)


def test_common_prefixes_count_toward_max_keys_and_next_marker():
    m = bucket("a/1", "a/2", "b", "c/1")
    p = page(m, "", "/", None, 2)
    assert p.common_prefixes == ("a/",) and p.keys == ("b",) and p.is_truncated and p.next_marker == "b"
    p2 = page(m, "", "/", p.next_marker, 2)
    assert p2.common_prefixes == ("c/",) and p2.keys == () and not p2.is_truncated and p2.next_marker is None


def test_marker_equal_to_a_common_prefix_skips_it():
    m = bucket("boo/bar", "boo/baz/xyzzy", "cquux/bla")
    assert page(m, "", "/", "boo/").common_prefixes == ("cquux/",)


def test_no_next_marker_without_delimiter_and_utf8_order():
    m = bucket("é", "z", "a")
    p = page(m, max_keys=2)
    assert p.keys == ("a", "z") and p.is_truncated and p.next_marker is None
    assert m.list(ListObjects(all_pages=True, max_keys=1)).listing.keys == ("a", "z", "é")


def test_truncation_only_when_more_entries_follow():
    m = bucket("a/1", "a/2")
    p = page(m, "", "/", None, 1)
    assert p.common_prefixes == ("a/",) and p.is_truncated is False
    assert page(m, max_keys=1001).is_truncated is False and len(page(bucket(*map(str, range(1001)))).keys) == 1000


def test_max_keys_zero_is_an_empty_page_that_is_not_truncated():
    # as on AWS: ceph's s3-tests, test_bucket_list_maxkeys_zero
    m = bucket("a/1", "b")
    for delimiter in (None, "/"):
        p = page(m, "", delimiter, None, 0)
        assert p.keys == () and p.common_prefixes == () and p.is_truncated is False and p.next_marker is None
    assert m.list(ListObjects(all_pages=True, max_keys=0)).listing.keys == ()


@pytest.mark.parametrize("header,size,expected", [
    ("bytes=0-9", 100, (0, 9)), ("bytes=90-", 100, (90, 99)), ("bytes=-10", 100, (90, 99)),
    ("bytes=95-200", 100, (95, 99)), ("bytes=-200", 100, (0, 99)), ("bytes=100-", 100, "unsatisfiable"),
    ("bytes=0-", 0, "unsatisfiable"), ("bytes=-1", 0, "unsatisfiable"), ("bytes=5-2", 100, None),
    ("bytes=-0", 100, "unsatisfiable"), ("items=0-1", 100, None),
])
def test_ranges(header, size, expected):
    assert parse_range(header, size) == expected


def test_get_expectations_ranges_and_headers():
    m = BucketModel()
    m.apply(Put("k", b"0123456789", "text/plain", (("Color", "blue"),), (("cache-control", "no-cache"),)))
    e = m.apply(Get("k", "bytes=2-4"))
    assert e.status == 206 and e.headers["content-range"] == "bytes 2-4/10" and e.body_size == 3
    assert e.metadata == {"color": "blue"} and e.headers["cache-control"] == "no-cache"
    assert m.apply(Get("k", "bytes=10-")).status == 416
    assert m.apply(Get("missing")).error_code == "NoSuchKey" and m.apply(Head("missing")).error_code is None
    assert BucketModel().apply(Put("x", b"")).headers["etag"] == '"d41d8cd98f00b204e9800998ecf8427e"'


def test_conditional_precedence():
    m = BucketModel()
    etag = m.apply(Put("k", b"v")).headers["etag"]
    get = lambda **c: m.apply(Get("k", conditions=Conditions(**c))).status  # noqa: E731
    assert get(if_match=etag, if_unmodified_since=FAR_PAST) == 200  # If-Match wins
    assert get(if_match='"nope"') == 412
    assert get(if_unmodified_since=FAR_PAST) == 412 and get(if_unmodified_since=FAR_FUTURE) == 200
    assert get(if_none_match=etag) == 304 and get(if_none_match=etag, if_modified_since=FAR_PAST) == 304
    assert get(if_none_match='"nope"', if_modified_since=FAR_FUTURE) == 200  # If-None-Match decides
    assert get(if_modified_since=FAR_PAST) == 200


def test_key_length_limit_counts_the_run_prefix():
    m = BucketModel(prefix_len=24)
    assert m.apply(Put("k" * 1000, b"")).status == 200
    assert m.apply(Put("k" * 1001, b"")).error_code == "KeyTooLongError"


def test_compare_and_verdicts():
    exp = Expected(200, headers={"etag": '"abc"', "content-type": "text/plain"}, metadata={"a": "1"})
    ok = Observation("ok", 200, headers={"etag": '"abc"', "content-type": "text/plain"}, metadata={"a": "1"})
    assert compare(exp, ok) == [] and verdict_for(ok, []) == "pass"
    bad = Observation("ok", 200, headers={"etag": "abc"}, metadata={})
    fields = {d.field for d in compare(exp, bad)}
    assert fields == {"header etag", "header content-type", "metadata"}  # unquoted ETag is a gap too
    assert verdict_for(Observation("transport_error"), []) == "error"
    assert compare(Expected(404, "NoSuchKey"), Observation("client_error", 404, "404")) != []
    assert compare(Expected(404), Observation("client_error", 404, "404")) == []
    lst = Expected(200, listing=Listing((ListEntry("a", 1, '"e"'),), (), False, None))
    assert compare(lst, Observation("ok", 200, listing=Listing((ListEntry("a", 1, '"e"'),), (), True, "a")))


def test_unsupported_verdicts():
    assert unsupported_verdict(Observation("server_error", 501, "NotImplemented"))[0] == "limitation"
    assert unsupported_verdict(Observation("ok", 200))[0] == "extra"
    assert unsupported_verdict(Observation("client_error", 400, "InvalidArgument"))[0] == "gap"
    assert unsupported_verdict(Observation("transport_error"))[0] == "error"
    assert set(RANK) == {"pass", "limitation", "extra", "gap", "error"}
    with pytest.raises(ValueError):
        CheckRecord("i", "g", "s", [], "c", "v", "http", "path", "t", verdict="skip")


def test_redaction():
    h = redact_headers({"Authorization": "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/s3/aws4_request, "
                                         "SignedHeaders=host;x-amz-date, Signature=abcdef", "Host": "h"})
    assert "AK/" not in h["Authorization"] and "abcdef" not in h["Authorization"] and h["Host"] == "h"
    u = redact_url("https://h/b/k?X-Amz-Credential=AK%2F1&X-Amz-Signature=ff&AWSAccessKeyId=AK&Signature=zz")
    assert "AK" not in u and "ff" not in u and "zz" not in u
