"""Hypothesis strategies: keys drawn to collide and share prefixes, bodies, metadata, ranges, listings."""

from __future__ import annotations

import functools
import hashlib

from hypothesis import strategies as st

#: key segments: unicode, spaces, '+', '%', '.', '..', empty (-> '//'), characters clients encode differently
SEGMENTS = ("a", "b", "a b", "c+d", "100%", "é", "日本", ".", "..", "", "~x", "a*(1)", "q?=&", "ab")
LONG_KEY = "\x00LONG1024"  # sentinel: a key whose absolute form is exactly 1024 UTF-8 bytes
TOO_LONG_KEY = "\x00LONG1025"  # sentinel: 1025 bytes -> KeyTooLongError


@st.composite
def keys(draw):
    special = draw(st.integers(0, 19))
    if special == 0:
        return draw(st.sampled_from(["a", "+", "%", "é", " ", "~"]))  # 1-character keys
    if special == 1:
        return draw(st.sampled_from([LONG_KEY, TOO_LONG_KEY]))
    parts = draw(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=3))
    key = "/".join(parts) + draw(st.sampled_from(["", "", "", "/"]))
    return key if key.strip("/") else "a" + key


def resolve_key(key: str, prefix_len: int) -> str:
    """Turn the long-key sentinels into real keys for a given run-prefix length."""
    if key == LONG_KEY:
        return "L" * (1024 - prefix_len)
    if key == TOO_LONG_KEY:
        return "L" * (1025 - prefix_len)
    return key


@functools.lru_cache(maxsize=64)
def pattern_body(size: int, salt: int = 0) -> bytes:
    """Deterministic, non-repeating bytes (an off-by-one in a range is visible)."""
    out = bytearray()
    i = 0
    while len(out) < size:
        out += hashlib.sha256(b"%d:%d" % (salt, i)).digest()
        i += 1
    return bytes(out[:size])


BODY_SIZES = (0, 1, 2, 17, 1000, 65537)
LARGE_BODY_SIZES = (1024 * 1024 + 3, 3 * 1024 * 1024)


def bodies(large: bool = True):
    sizes = st.sampled_from(BODY_SIZES)
    if large:
        sizes = st.one_of(sizes, st.sampled_from(LARGE_BODY_SIZES))
    return st.builds(pattern_body, sizes, st.integers(0, 3))


metadata = st.lists(st.tuples(st.sampled_from(["a", "x-y", "camel", "n1"]),
                              st.sampled_from(["1", "hello world", "v=1;x", "UPPER"])),
                    max_size=2, unique_by=lambda t: t[0]).map(tuple)
content_types = st.sampled_from([None, "text/plain", "application/json", "image/png", "text/plain; charset=utf-8"])
extra_headers = st.lists(st.sampled_from([("cache-control", "max-age=60"),
                                          ("content-disposition", 'attachment; filename="x.txt"'),
                                          ("content-language", "en")]),
                         max_size=2, unique_by=lambda t: t[0]).map(tuple)


@st.composite
def ranges(draw):
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return None
    a = draw(st.sampled_from([0, 1, 5, 16, 17, 999, 1000, 65536, 65537, 70000]))
    b = draw(st.sampled_from([0, 1, 2, 16, 17, 1000, 65536, 100000]))
    if kind == 1:
        return f"bytes={a}-{max(a, b)}"
    if kind == 2:
        return f"bytes={a}-"
    if kind == 3:
        return f"bytes=-{max(1, b)}"
    return f"bytes={a}-{b}"  # may be inverted: ignored by S3 (RFC 7233)


list_prefixes = st.sampled_from(["", "a", "a/", "a b", "é", "日本/", ".", "../", "a//", "100%", "c+d/", "L"])
delimiters = st.sampled_from([None, None, "/", "a", ".", "%", "//"])
markers = st.one_of(st.none(), st.sampled_from(["a", "a/", "a b/..", "b", "é", "~", "c+d/a"]))
max_keys = st.sampled_from([None, 0, 1, 2, 3, 5, 1000, 1001])
