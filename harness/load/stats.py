"""Figures of a load run, from its merged history: per operation, over time, errors, generator capacity, ratios."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from harness.load.history import History, Op, WorkerSummary
from harness.load.workload import OPERATIONS

OK_STATUS = {"DeleteObject": (200, 204), "GetObject": (200, 404), "HeadObject": (200, 404)}
SATURATED = 0.9  # a worker process busy on its CPU this share of the wall time was the bottleneck
MAX_POINTS = 120


def percentile(sorted_values: Sequence[float], p: float) -> float | None:
    """Nearest rank, as the conformance report's latency table does."""
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


CUT_OFF = "cut off at stop"  # a request in flight when the run stopped: not the target's failure


def ok(o: Op) -> bool:
    return o.status in OK_STATUS.get(o.op, (200,)) or o.code == CUT_OFF


def _latency(ops: list[Op]) -> dict:
    d = sorted(o.end - o.start for o in ops if o.status is not None)
    r = lambda x: None if x is None else round(x, 6)  # noqa: E731
    return {"p50": r(percentile(d, 50)), "p95": r(percentile(d, 95)), "p99": r(percentile(d, 99)),
            "max": r(d[-1] if d else None)}


def operations(h: History) -> list[dict]:
    duration = max(h.finished - h.started, 1e-9)
    by: dict[str, list[Op]] = defaultdict(list)
    for o in h.ops:
        by[o.op].append(o)
    return [{"operation": name, "requests": len(by[name]), "failures": sum(not ok(o) for o in by[name]),
             "throughput": round(len(by[name]) / duration, 3), **_latency(by[name])}
            for name in OPERATIONS if by[name]]


def timeline(h: History) -> dict:
    """Requests/s and p50/p95/p99 per operation per time slice (by completion time)."""
    span = max(h.finished - h.started, 1e-9)
    width = max(1.0, math.ceil(span / MAX_POINTS))
    slices: dict[tuple[str, int], list[Op]] = defaultdict(list)
    for o in h.ops:
        slices[(o.op, int((o.end - h.started) // width))].append(o)
    points = []
    for (name, i), ops in sorted(slices.items(), key=lambda kv: (OPERATIONS.index(kv[0][0]), kv[0][1])):
        lat = _latency(ops)
        covered = min(width, span - i * width) if span > i * width else width  # the last slice may be partial
        points.append({"operation": name, "t": round(i * width, 3), "rps": round(len(ops) / max(covered, 0.1), 3),
                       "errors": sum(not ok(o) for o in ops), "p50": lat["p50"], "p95": lat["p95"],
                       "p99": lat["p99"]})
    return {"slice_seconds": width, "points": points}


def errors(h: History) -> list[dict]:
    """Failed requests by operation and S3 error code ('no response' for transport failures); 503 SlowDown and
    other throttling answers appear under their own code."""
    c: Counter[tuple[str, str, int | None]] = Counter()
    totals: Counter[str] = Counter(o.op for o in h.ops)
    for o in h.ops:
        if not ok(o):
            c[(o.op, o.code or ("no response" if o.status is None else f"HTTP{o.status}"), o.status)] += 1
    return [{"operation": op, "code": code, "status": status, "count": n, "rate": round(n / totals[op], 6)}
            for (op, code, status), n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))]


def generator(h: History, run_flags: dict) -> dict:
    workers = []
    for w in sorted(h.workers, key=lambda w: w.worker):
        busy = w.cpu_seconds / w.wall_seconds if w.wall_seconds > 0 else 0.0
        workers.append({"worker": w.worker, "requests": w.requests, "wall_seconds": round(w.wall_seconds, 3),
                        "cpu_seconds": round(w.cpu_seconds, 3), "cpu_busy": round(busy, 3),
                        "signed_requests_per_cpu_second": round(w.signed_per_cpu_second, 1),
                        "signatures_per_second": round(w.signer_per_second, 1), "cpu_warning": w.cpu_warning,
                        "clock_offset": round(w.clock_offset, 6), "clock_uncertainty": round(w.clock_uncertainty, 6),
                        "complete": w.complete})
    reasons = [f"worker {w['worker']} was CPU-bound ({w['cpu_busy']:.0%} of its wall time on CPU)"
               for w in workers if w["cpu_busy"] >= SATURATED]
    reasons += [f"Locust's CPU warning on worker {w['worker']}" for w in workers if w["cpu_warning"]]
    if run_flags.get("cpu_warning") or run_flags.get("worker_cpu_warning"):
        reasons.append("Locust's CPU warning on the master")
    capacity = sum(w["signed_requests_per_cpu_second"] for w in workers)
    return {"workers": workers, "capacity_requests_per_second": round(capacity, 1),
            "bottleneck": "generator" if reasons else "target", "bottleneck_reasons": reasons}


def ratios(ops: list[dict], gen: dict, duration: float) -> dict:
    """Latency relative to a reference operation measured in the same run (HeadBucket: no body, no storage), and
    throughput relative to the generator's own measured capacity, so runs on different machines compare."""
    by = {o["operation"]: o for o in ops}
    ref_name = "HeadBucket" if by.get("HeadBucket", {}).get("p50") else max(by, key=lambda n: by[n]["requests"],
                                                                            default=None)
    ref = by.get(ref_name or "", {})
    out = {"reference": ref_name, "latency": {}}
    for name, o in by.items():
        out["latency"][name] = {p: (round(o[p] / ref[p], 4) if o.get(p) and ref.get(p) else None)
                                for p in ("p50", "p95")}
    total = sum(o["requests"] for o in ops) / max(duration, 1e-9)
    cap = gen["capacity_requests_per_second"]
    out["throughput"] = round(total / cap, 4) if cap else None
    return out


def summary_of(workers: list[WorkerSummary]) -> int:
    return sum(w.requests for w in workers)
