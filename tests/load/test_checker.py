"""The consistency checker on hand-made histories: each anomaly kind is found, with its minimal history, and a
linearizable history (including overlaps, unknown outcomes and skew) gives none."""

from __future__ import annotations

import pytest

from harness.load.checker import Kind, check
from harness.load.history import Op

_n = iter(range(10**6))


def put(start, end, token, key=0, status=200, conn="c1"):
    return Op(f"p{next(_n)}", "PutObject", key, "w1", conn, start, end, status, value=token, md5=f"md5-{token}")


def delete(start, end, key=0, status=204, conn="c1"):
    return Op(f"d{next(_n)}", "DeleteObject", key, "w1", conn, start, end, status)


def get(start, end, token, key=0, conn="c2", md5=None):
    if token is None:
        return Op(f"g{next(_n)}", "GetObject", key, "w1", conn, start, end, 404, code="NoSuchKey")
    return Op(f"g{next(_n)}", "GetObject", key, "w1", conn, start, end, 200, value=token, md5=md5 or f"md5-{token}")


def lst(start, end, slots, conn="c3"):
    return Op(f"l{next(_n)}", "ListObjects", None, "w1", conn, start, end, 200, listed=tuple(slots))


def kinds(ops, slots=1, eps=0.0):
    return [a.kind for a in check(ops, key_slots=slots, eps=eps)]


def test_a_linearizable_history_has_no_anomaly():
    ops = [put(0, 1, "a"), get(2, 3, "a"), put(4, 6, "b"), get(5, 5.5, "a"), get(5.1, 5.2, "b"),  # overlapping
           get(7, 8, "b"), delete(9, 10), get(9.5, 9.6, "b"), get(11, 12, None), lst(11, 12, []),
           put(13, 14, "c"), lst(15, 16, [0]), get(0.5, 0.6, None)]
    assert kinds(ops) == []


def test_stale_read_after_overwrite_has_its_minimal_history():
    w1, w2, r = put(0, 1, "a"), put(2, 3, "b"), get(4, 5, "a")
    [a] = check([w1, w2, r, get(6, 7, "b")], key_slots=1)
    assert a.kind is Kind.STALE_READ and a.history == (w1, w2, r)
    assert "overwritten" in a.message


def test_a_deleted_object_served_later_is_stale():
    w, d, r = put(0, 1, "a"), delete(2, 3), get(4, 5, "a")
    [a] = check([w, d, r], key_slots=1)
    assert a.kind is Kind.STALE_READ and a.history == (w, d, r) and "deleted" in a.message


def test_404_after_a_completed_put_is_stale_absent():
    w, r = put(0, 1, "a"), get(2, 3, None)
    [a] = check([w, r], key_slots=1)
    assert a.kind is Kind.STALE_ABSENT and a.history == (w, r)


def test_future_and_unknown_values_and_corrupt_bytes():
    assert kinds([get(0, 1, "a"), put(2, 3, "a")]) == [Kind.FUTURE_READ]
    assert kinds([get(0, 1, "nobody")]) == [Kind.UNKNOWN_VALUE]
    assert kinds([put(0, 1, "a"), get(2, 3, "a", md5="other")]) == [Kind.CORRUPT_READ]


def test_new_old_inversion_between_two_reads():
    # each read alone is allowed (both writes overlap r1), but r2 began after r1 saw "b" and returned older "a"
    w1, w2 = put(0, 1, "a"), put(2, 10, "b")
    r1, r2 = get(3, 4, "b"), get(5, 6, "a")
    [a] = check([w1, w2, r1, r2], key_slots=1)
    assert a.kind is Kind.READ_INVERSION and a.history == (w1, w2, r1, r2)


def test_listing_checks_both_ways():
    p, d = put(0, 1, "a", key=1), delete(2, 3, key=1)
    l1 = lst(4, 5, [1])  # shows a key deleted before it began
    assert [(a.kind, a.key, a.history) for a in check([p, d, l1], key_slots=2)] == [
        (Kind.LIST_SHOWS_ABSENT, 1, (d, l1))]
    l2 = lst(1.5, 1.8, [])  # misses a key PUT before it began
    assert [(a.kind, a.history) for a in check([p, l2], key_slots=2)] == [(Kind.LIST_MISSES_PRESENT, (p, l2))]
    assert kinds([lst(0, 1, [1])], slots=2) == [Kind.LIST_SHOWS_ABSENT]  # never written


def test_unknown_outcomes_may_or_may_not_have_happened():
    timed_out = put(0, 1, "b", status=None)
    ops = [put(0, 0.5, "a"), timed_out, get(2, 3, "a"), get(4, 5, "b"), get(6, 7, "b")]
    assert kinds(ops) == []
    assert kinds([put(0, 1, "a", status=503), get(2, 3, None)]) == []  # a 5xx write may not have happened
    assert kinds([put(0, 1, "a", status=403), get(2, 3, "a")]) == [Kind.UNKNOWN_VALUE]  # a 4xx: nothing written


@pytest.mark.parametrize("eps, expected", [(0.0, [Kind.STALE_READ]), (0.6, [])])
def test_clock_skew_widens_the_windows(eps, expected):
    # the read began 1 s after the overwrite completed; a skew of 0.6 s each way
    # means it may have begun before, so no anomaly may be claimed
    ops = [put(0, 1, "a"), put(2, 3, "b"), get(4, 5, "a")]
    assert kinds(ops, eps=eps) == expected
