"""The listing algorithm against a brute-force statement of S3's ListObjects rules, for any keys and parameters."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.operations.listing import ListParams, list_page
from emulator.storage import ObjectMeta
from emulator.storage.memory import MemoryStorage

ALPHABET = st.sampled_from(["a", "b", "/", "-", "é", "\U0001f600", "~", "."])
KEYS = st.lists(st.text(ALPHABET, min_size=1, max_size=6), max_size=30, unique=True)
PART = st.text(ALPHABET, max_size=3)


def brute_force(keys: list[str], p: ListParams):
    """S3's rules stated directly: filter, roll up, skip what the marker already covered, cut at max-keys."""
    items: list[tuple[str, bool]] = []
    for key in sorted(keys):
        if not key.startswith(p.prefix) or key <= p.marker:
            continue
        if p.delimiter and p.delimiter in key[len(p.prefix) :]:
            common = key[: key.index(p.delimiter, len(p.prefix)) + len(p.delimiter)]
            if p.marker.startswith(common) or (items and items[-1] == (common, True)):
                continue
            items.append((common, True))
        else:
            items.append((key, False))
    page = items[: p.max_keys]
    truncated = len(items) > p.max_keys and p.max_keys > 0
    return page, truncated


def store_with(keys):
    store = MemoryStorage()
    store.create_bucket("b", "owner")
    for key in keys:
        writer = store.writer("b", key)
        asyncio.run(writer.commit(ObjectMeta(key, 0, '"x"', 0.0, "t")))
    return store


@settings(max_examples=300, deadline=None)
@given(KEYS, PART, st.sampled_from(["", "/", "-", "é/"]), PART, st.integers(0, 8))
def test_list_page_matches_s3_rules(keys, prefix, delimiter, marker, max_keys):
    p = ListParams(prefix=prefix, delimiter=delimiter, marker=marker, max_keys=max_keys)
    page = list_page(store_with(keys), "b", p)
    expected, truncated = brute_force(keys, p)
    got = sorted([(m.key, False) for m in page.contents] + [(c, True) for c in page.common_prefixes])
    assert got == expected
    assert page.truncated == truncated
    if truncated and delimiter:
        assert page.next_marker == expected[-1][0]


@settings(max_examples=100, deadline=None)
@given(KEYS, PART, st.sampled_from(["", "/"]), st.integers(1, 4))
def test_paging_by_next_marker_visits_everything_once(keys, prefix, delimiter, max_keys):
    store = store_with(keys)
    seen: list[str] = []
    marker = ""
    for _ in range(len(keys) + 2):
        page = list_page(store, "b", ListParams(prefix=prefix, delimiter=delimiter, marker=marker, max_keys=max_keys))
        items = sorted([m.key for m in page.contents] + list(page.common_prefixes))
        seen += items
        if not page.truncated:
            break
        marker = page.next_marker if delimiter else items[-1]
    expected, _ = brute_force(keys, ListParams(prefix=prefix, delimiter=delimiter, max_keys=10**6))
    assert seen == [k for k, _ in expected]
