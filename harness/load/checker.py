"""The consistency checker: could a linearizable register per key have produced what the readers saw?

AWS S3 is strongly consistent for PUT, DELETE and LIST (https://aws.amazon.com/s3/consistency/): after a write
completes, every read that begins later returns it (or a newer write), and a listing shows it. Per key, with every
write unique (a token per PutObject; a DeleteObject writes "absent"; before the run every key is absent):

- a GetObject/HeadObject may return the value of a write ``w`` only if ``w`` began before the read ended and no
  other write began after ``w`` completed and completed before the read began (``w`` not superseded); a 404 only
  if such a write of "absent" survives;
- a ListObjects may show a key only if such a PutObject survives, and may leave it out only if such a write of
  "absent" survives (so a key whose PUT completed before the LIST began is listed, and one whose DELETE completed
  before it is not);
- reads may not go back in time: once a read that ended before another read began returned a write ``w1``, the
  later read may not return a write that completed before ``w1`` began (a new-old inversion).

A write with no answer (a timeout, a 5xx) may or may not have happened: it may be seen at any time after it began,
and it supersedes nothing. A 4xx write did nothing. Clock skew between workers widens every interval by ``eps`` on
each side, so skew can hide an anomaly but never create one. Each anomaly comes with the fewest records that show it.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from harness.load.history import Op

INF = math.inf
ABSENT = None


class Kind(str, Enum):
    STALE_READ = "stale-read"  # returned a value superseded before the read began
    FUTURE_READ = "future-read"  # returned a value whose write began after the read ended
    STALE_ABSENT = "stale-absent"  # 404 although a PUT completed before the read began and survives
    UNKNOWN_VALUE = "unknown-value"  # returned a token no one wrote
    CORRUPT_READ = "corrupt-read"  # returned a write's token with other bytes than that write's
    READ_INVERSION = "read-inversion"  # a later read returned an older value than an earlier read
    LIST_SHOWS_ABSENT = "list-shows-absent"  # listed a key deleted (or never written) before the LIST began
    LIST_MISSES_PRESENT = "list-misses-present"  # did not list a key PUT before the LIST began


@dataclass(frozen=True)
class Anomaly:
    kind: Kind
    key: int
    message: str
    history: tuple[Op, ...]


@dataclass(frozen=True)
class Write:
    op: Op | None  # None: the key's initial "absent"
    value: str | None  # token, or ABSENT
    start: float
    end: float  # INF: outcome unknown


INITIAL = Write(None, ABSENT, -INF, -INF)


@dataclass
class KeyModel:
    """The writes of one key, indexed for the two questions a read asks."""

    writes: list[Write] = field(default_factory=list)
    by_token: dict[str, Write] = field(default_factory=dict)

    def finish(self) -> None:
        done = sorted((w for w in self.writes if w.end < INF), key=lambda w: w.end)
        self._ends = [w.end for w in done]
        self._frontier: list[Write] = []  # running argmax of start among writes sorted by end
        for w in done:
            self._frontier.append(w if not self._frontier or w.start > self._frontier[-1].start else self._frontier[-1])
        self._by_start = {v: sorted((w for w in self.writes if (w.value is ABSENT) == v), key=lambda w: w.start)
                          for v in (True, False)}
        self._starts = {v: [w.start for w in ws] for v, ws in self._by_start.items()}
        self._max_end = {}
        for v, ws in self._by_start.items():
            run: list[Write] = []
            for w in ws:
                run.append(w if not run or w.end > run[-1].end else run[-1])
            self._max_end[v] = run

    def latest_before(self, t: float) -> Write:
        """Among writes completed before ``t``, the one that began last (INITIAL if none): the write that every
        write completed before it was superseded by."""
        i = bisect.bisect_left(self._ends, t)
        return self._frontier[i - 1] if i else INITIAL

    def survivor(self, absent: bool, started_by: float, floor: float) -> Write | None:
        """A write of "absent" (or of a value) that began by ``started_by`` and ended at or after ``floor``."""
        i = bisect.bisect_right(self._starts[absent], started_by)
        best = self._max_end[absent][i - 1] if i else None
        if best is not None and best.end >= floor:
            return best
        return INITIAL if absent and floor == -INF else None


def _model(ops: Iterable[Op]) -> tuple[dict[int, KeyModel], list[Op], list[Op]]:
    keys: dict[int, KeyModel] = defaultdict(KeyModel)
    reads, lists = [], []
    for o in ops:
        if o.op in ("PutObject", "DeleteObject") and o.key is not None:
            if o.status is not None and 400 <= o.status < 500:
                continue  # refused: did nothing
            end = o.end if o.status is not None and o.status < 300 else INF
            w = Write(o, o.value if o.op == "PutObject" else ABSENT, o.start, end)
            keys[o.key].writes.append(w)
            if w.value is not None:
                keys[o.key].by_token[w.value] = w
        elif o.op in ("GetObject", "HeadObject") and o.status in (200, 404) and o.key is not None:
            reads.append(o)
        elif o.op == "ListObjects" and o.status == 200 and o.listed is not None:
            lists.append(o)
    for m in keys.values():
        m.finish()
    return keys, reads, lists


def _ops(*writes: Write | None) -> tuple[Op, ...]:
    return tuple(w.op for w in writes if w is not None and w.op is not None)


def _check_read(m: KeyModel, r: Op, eps: float) -> Anomaly | None:
    latest = m.latest_before(r.start - 2 * eps)
    floor = latest.start - 2 * eps  # a surviving write must end at or after this
    if r.status == 404:
        if m.survivor(True, r.end + 2 * eps, floor) is None:
            return Anomaly(Kind.STALE_ABSENT, r.key, f"{r.op} answered 404, but a PutObject completed before the "
                           "read began and nothing deleted the key since", _ops(latest) + (r,))
        return None
    w = m.by_token.get(r.value or "")
    if w is None:
        return Anomaly(Kind.UNKNOWN_VALUE, r.key, f"{r.op} returned token {r.value!r}, which no PutObject wrote",
                       (r,))
    if w.start > r.end + 2 * eps:
        return Anomaly(Kind.FUTURE_READ, r.key, f"{r.op} returned a value whose PutObject began after the read "
                       "ended", (r, w.op))
    if w.end < floor:
        what = "deleted" if latest.value is ABSENT else "overwritten"
        return Anomaly(Kind.STALE_READ, r.key, f"{r.op} returned a value {what} before the read began",
                       _ops(w, latest) + (r,))
    if r.op == "GetObject" and w.op is not None and r.md5 != w.op.md5 and w.end < INF:
        return Anomaly(Kind.CORRUPT_READ, r.key, "GetObject returned the token of a PutObject with other bytes "
                       f"(MD5 {r.md5} instead of {w.op.md5})", (w.op, r))
    return None


def _check_inversions(m: KeyModel, reads: list[Op], eps: float) -> list[Anomaly]:
    """Among reads of one key that returned a value: a read may not return a write older than one an earlier
    (completed-before-it-began) read returned."""
    valued = sorted((r for r in reads if r.status == 200 and r.value in m.by_token), key=lambda r: r.end)
    ends = [r.end for r in valued]
    best: list[tuple[Write, Op]] = []  # running argmax of the observed write's start
    for r in valued:
        w = m.by_token[r.value]
        best.append((w, r) if not best or w.start > best[-1][0].start else best[-1])
    out = []
    for r2 in valued:
        i = bisect.bisect_left(ends, r2.start - 2 * eps)
        if not i:
            continue
        w1, r1 = best[i - 1]
        w0 = m.by_token[r2.value]
        if w0.end + 2 * eps < w1.start:
            out.append(Anomaly(Kind.READ_INVERSION, r2.key, f"{r2.op} returned an older value than a read that "
                               "ended before it began", _ops(w0, w1) + (r1, r2)))
    return out


def _check_list(keys: dict[int, KeyModel], slots: int, lst: Op, eps: float) -> list[Anomaly]:
    out = []
    listed = set(lst.listed or ())
    empty = KeyModel()
    empty.finish()
    for k in range(slots):
        m = keys.get(k, empty)
        latest = m.latest_before(lst.start - 2 * eps)
        floor = latest.start - 2 * eps
        if k in listed and m.survivor(False, lst.end + 2 * eps, floor) is None:
            out.append(Anomaly(Kind.LIST_SHOWS_ABSENT, k, "ListObjects showed a key deleted before the listing began",
                               _ops(latest) + (lst,)))
        elif k not in listed and m.survivor(True, lst.end + 2 * eps, floor) is None:
            out.append(Anomaly(Kind.LIST_MISSES_PRESENT, k, "ListObjects left out a key whose PutObject completed "
                               "before the listing began", _ops(latest) + (lst,)))
    return out


def check(ops: list[Op], *, key_slots: int, eps: float = 0.0) -> list[Anomaly]:
    """Every anomaly in the history, ordered by key then time. ``eps``: the clock uncertainty (seconds)."""
    keys, reads, lists = _model(ops)
    empty = KeyModel()
    empty.finish()
    anomalies: list[Anomaly] = []
    by_key: dict[int, list[Op]] = defaultdict(list)
    for r in reads:
        a = _check_read(keys.get(r.key, empty), r, eps)
        if a is None:
            by_key[r.key].append(r)
        else:
            anomalies.append(a)
    for k, rs in by_key.items():
        anomalies += _check_inversions(keys.get(k, empty), rs, eps)
    for lst in lists:
        anomalies += _check_list(keys, key_slots, lst, eps)
    return sorted(anomalies, key=lambda a: (a.key, a.history[-1].start))
