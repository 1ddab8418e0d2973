"""results.json (the harness's raw records) -> the report model (report.json, REPORT_VERSION).

The report model is what every output is rendered from, and what the gate compares. It is plain JSON data,
validated against ``report.schema.json``.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from harness.drivers.registry import NAMES as CLIENT_NAMES
from harness.report.scrub import Scrubber
from harness.report.verdicts import VERDICTS, severity_rank, worst

REPORT_VERSION = 1
#: the seven operations of the service first, in the order the matrix shows them; anything else after, sorted
OPERATION_ORDER = ("ListBuckets", "HeadBucket", "ListObjects", "ListObjectsV2", "PutObject", "GetObject",
                   "HeadObject", "DeleteObject")
CLIENT_ORDER = (*CLIENT_NAMES, "http")  # the registry's order; "http": a plain fetch of a presigned URL
SCHEME_ORDER = ("http", "https")
NO_OPERATION = "(none)"
#: what a run was judged against (harness/profile.py): the service's seven operations, or all of S3
PROFILES = {"service": "the service (seven operations)", "s3": "full S3"}


class ReportInputError(ValueError):
    """The results (or report) given are missing, unreadable or not what the harness writes."""


def load_json(source: str | os.PathLike[str] | Mapping[str, Any], what: str = "results") -> dict[str, Any]:
    if isinstance(source, Mapping):
        return dict(source)
    path = os.fspath(source)
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise ReportInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ReportInputError(f"{path}: is a directory, not a {what} file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ReportInputError(f"{path}: cannot read: {e}") from None
    except json.JSONDecodeError as e:
        raise ReportInputError(f"{path}: not JSON ({e.msg} at line {e.lineno} column {e.colno})") from None
    if not isinstance(data, dict):
        raise ReportInputError(f"{path}: expected a JSON object, found {type(data).__name__}")
    return data


def _order(values: Iterable[str], preferred: tuple[str, ...]) -> list[str]:
    return sorted(set(values), key=lambda v: (preferred.index(v) if v in preferred else len(preferred), v))


def _iso(ts: Any) -> str | None:
    if isinstance(ts, bool) or not isinstance(ts, (int, float)) or not math.isfinite(ts):
        return ts if isinstance(ts, str) else None
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list: a value that was really observed."""
    s = sorted(values)
    k = max(1, math.ceil(q / 100 * len(s)))
    return s[k - 1]


def _num(v: Any, default: float = 0.0) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else default


def _endpoint(label: str, t: Mapping[str, Any]) -> dict[str, Any]:
    """A target as the report shows it: where and how, never who (no credentials, no CA path, no proxy address)."""
    return {
        "label": str(label),
        "endpoint": str(t.get("endpoint_url") or ""),
        "scheme": str(t.get("scheme") or ""),
        "addressing_style": str(t.get("addressing_style") or ""),
        "bucket": t.get("bucket"),
        "region": t.get("region"),
        "vhost_template": t.get("vhost_template"),
        "via_proxy": bool(t.get("proxy_url")),
        "custom_ca": bool(t.get("ca_bundle")),
        "run_prefix": t.get("run_prefix"),
    }


def _client(key: str, info: Mapping[str, Any]) -> dict[str, Any]:
    """A client's key is "name[variant]", or "name[variant]@label" when its settings are per endpoint."""
    base, _, label = key.partition("@")
    name, _, rest = base.partition("[")
    return {"key": key, "name": name, "variant": rest[:-1] if rest.endswith("]") else rest, "label": label,
            "version": str(info.get("version") or ""),
            "settings": info.get("settings") if isinstance(info.get("settings"), dict) else {}}


def _dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _check(r: Mapping[str, Any], n: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    for required in ("id", "verdict"):
        if not isinstance(r.get(required), str) or not r.get(required):
            raise ReportInputError(f"record #{n}: missing or non-string {required!r}")
    if r["verdict"] not in VERDICTS:
        raise ReportInputError(f"record {r['id']!r}: unknown verdict {r['verdict']!r} (expected one of "
                               f"{', '.join(VERDICTS)})")
    ops = [str(o) for o in (r.get("operations") or []) if o] or [NO_OPERATION]
    repro = _dict(r.get("reproduction"))
    hyp = _dict(r.get("hypothesis"))
    timings = [t for t in (r.get("timings") or []) if isinstance(t, dict)]
    return {
        "id": r["id"],
        "group": str(r.get("group") or ""),
        "scenario": str(r.get("scenario") or ""),
        "operations": ops,
        "client": str(r.get("client") or ""),
        "variant": str(r.get("variant") or ""),
        "scheme": str(r.get("scheme") or ""),
        "addressing": str(r.get("addressing") or ""),
        "verdict": r["verdict"],
        "expected": r.get("expected") if isinstance(r.get("expected"), dict) else None,
        "observed": r.get("observed") if isinstance(r.get("observed"), dict) else None,
        "differences": [d for d in (r.get("differences") or []) if isinstance(d, dict)],
        "wire": [_exchange(w) for w in (r.get("wire") or []) if isinstance(w, dict)],
        "reproduction": {
            "boto3": repro.get("boto3") or None,
            "command": repro.get("command") or None,
            "hypothesis": None if not hyp else {
                "minimal_sequence": [str(s) for s in hyp.get("minimal_sequence") or []],
                "seed": hyp.get("seed"), "profile": hyp.get("profile")},
        },
        "reference": r.get("reference") if isinstance(r.get("reference"), dict) else None,
        "notes": str(r.get("notes") or ""),
        "duration": round(max(0.0, _num(r.get("duration"))), 4),
        "steps": int(_num(r.get("steps"))),
        "requests": len(timings),
        "nodeid": str(r.get("nodeid") or ""),
        "rule": str(r.get("rule") or ""),
        "visibility": r.get("visibility") if r.get("visibility") in ("client-visible", "wire-only") else "",
        "not_judged": [str(x) for x in (r.get("not_judged") or [])],
        "rules": [str(x) for x in (r.get("rules") or [])],
    }, timings


def _database(d: Any) -> dict[str, Any]:
    d = d if isinstance(d, dict) else {}
    path = d.get("path")
    return {"path": path if isinstance(path, str) else None, "replayed": [str(x) for x in d.get("replayed") or []]}


def _exchange(w: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(w)
    out["method"], out["url"] = str(w.get("method") or ""), str(w.get("url") or "")
    for k in ("request_headers", "response_headers"):
        h = w.get(k)
        out[k] = {str(name): str(v) for name, v in h.items()} if isinstance(h, dict) else {}
    if not isinstance(w.get("status"), int) or isinstance(w.get("status"), bool):
        out["status"] = None
    return out


def _dedupe(checks: list[dict[str, Any]], warnings: list[str]) -> None:
    """Check ids must be unique (the gate keys on them): repeats get '#2', '#3'... in a deterministic order."""
    by_id: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in checks:
        by_id[c["id"]].append(c)
    for cid, same in by_id.items():
        if len(same) > 1:
            warnings.append(f"check id {cid!r} was recorded {len(same)} times; repeats are suffixed #2, #3, ...")
            same.sort(key=lambda c: (c["nodeid"], severity_rank(c["verdict"]), json.dumps(c["operations"])))
            for i, c in enumerate(same[1:], start=2):
                c["id"] = f"{cid}#{i}"


def build_report(results: str | os.PathLike[str] | Mapping[str, Any], *, secrets: Iterable[str] = ()) -> dict:
    """The report model of a results.json (path or already-loaded dict). Raises ReportInputError on bad input."""
    raw = load_json(results)
    if "records" not in raw or not isinstance(raw["records"], list):
        raise ReportInputError("not a harness results file: no 'records' list")
    data: dict[str, Any] = Scrubber(secrets)(raw)  # type: ignore[assignment]
    warnings: list[str] = []
    checks: list[dict[str, Any]] = []
    timings_of: dict[int, list[dict[str, Any]]] = {}
    for n, r in enumerate(data["records"]):
        if not isinstance(r, dict):
            raise ReportInputError(f"record #{n}: not an object")
        c, t = _check(r, n)
        checks.append(c)
        timings_of[id(c)] = t
    _dedupe(checks, warnings)
    checks.sort(key=lambda c: c["id"])
    targets, clients = _dict(data.get("targets")), _dict(data.get("clients"))
    started, finished = data.get("started"), data.get("finished")
    totals = Counter(c["verdict"] for c in checks)
    na = [x for x in (data.get("not_applicable") or []) if isinstance(x, dict)]
    cleanup = _dict(data.get("cleanup"))
    return {
        "report_version": REPORT_VERSION,
        "generator": {"name": "harness.report", "results_schema_version": (
            data["schema_version"] if type(data.get("schema_version")) is int else None)},
        "run": {"id": str(data.get("run_id") or ""), "seed": _seed(data.get("seed")), "started": _iso(started),
                "finished": _iso(finished),
                "duration": round(_num(finished) - _num(started), 3) if _num(started) and _num(finished) else None,
                "hypothesis_db": _database(data.get("hypothesis_db"))},
        "target": {"name": str(data.get("target") or ""),
                   # results written before profiles existed were all judged against the service
                   "profile": data.get("profile") if data.get("profile") in PROFILES else "service",
                   "endpoints": [_endpoint(k, v) for k, v in sorted(targets.items()) if isinstance(v, dict)]},
        "clients": [_client(k, v) for k, v in sorted(clients.items()) if isinstance(v, dict)],
        "totals": {**{v: totals.get(v, 0) for v in VERDICTS}, "checks": len(checks), "not_applicable": len(na)},
        "checks": checks,
        "matrix": matrix(checks),
        "latency": latency(checks, timings_of),
        "not_applicable": [_na(x) for x in na],
        "coverage": coverage(checks, [_na(x) for x in na]),
        "cleanup": {"attempted": int(_num(cleanup.get("attempted"))), "deleted": int(_num(cleanup.get("deleted"))),
                    "refused": int(_num(cleanup.get("refused"))),
                    "failed": [f for f in cleanup.get("failed") or [] if isinstance(f, dict)]},
        "warnings": warnings,
    }


def _seed(seed: Any) -> str | int | None:
    if seed is None or isinstance(seed, (str, int)) and not isinstance(seed, bool):
        return seed
    return str(seed)


def _na(x: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": str(x.get("id") or ""), "group": str(x.get("group") or ""),
            "scenario": str(x.get("scenario") or ""), "operations": [str(o) for o in x.get("operations") or []],
            "client": str(x.get("client") or ""), "variant": str(x.get("variant") or ""),
            "scheme": str(x.get("scheme") or ""), "addressing": str(x.get("addressing") or ""),
            "reason": str(x.get("reason") or ""), "rules": [str(r) for r in x.get("rules") or []]}


def coverage(checks: list[dict[str, Any]], na: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each rule of harness/rules.py: which clients judged it in this run (with the worst verdict), and which
    could not (with why), so a reader sees what a green run covered. A rule nothing touched says so."""
    from harness.rules import RULES

    judged: dict[str, dict[str, str]] = defaultdict(dict)
    for c in checks:
        for rule in c.get("rules") or []:
            seen = judged[rule].get(c["client"])
            if seen is None or VERDICTS.index(c["verdict"]) > VERDICTS.index(seen):
                judged[rule][c["client"]] = c["verdict"]
    missing: dict[str, dict[str, str]] = defaultdict(dict)
    for x in na:
        for rule in x.get("rules") or []:
            if x["client"] not in judged[rule]:
                missing[rule].setdefault(x["client"], x["reason"][:200])
    return [{"rule": r.id, "behaviour": r.behaviour, "judged": dict(sorted(judged[r.id].items())),
             "not_judged": dict(sorted(missing[r.id].items()))} for r in RULES]


def matrix(checks: list[dict[str, Any]]) -> dict[str, Any]:
    """Operation x client x scheme: verdict counts of the checks that exercised that operation.

    A check counts once in the row of every operation it exercised (a stateful check that puts, gets and lists
    appears in three rows); its verdict is the check's.
    """
    cells: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for c in checks:
        for op in c["operations"]:
            cells[(op, c["client"], c["scheme"])][c["verdict"]] += 1
    ops = _order((k[0] for k in cells), OPERATION_ORDER)
    clients = _order((k[1] for k in cells), CLIENT_ORDER)
    schemes = _order((k[2] for k in cells), SCHEME_ORDER)
    out = []
    for op in ops:
        for cl in clients:
            for sc in schemes:
                counts = cells.get((op, cl, sc))
                if counts:
                    out.append({"operation": op, "client": cl, "scheme": sc,
                                "counts": {v: counts.get(v, 0) for v in VERDICTS},
                                "total": sum(counts.values()), "verdict": worst(counts)})
    return {"operations": ops, "clients": clients, "schemes": schemes, "cells": out}


def latency(checks: list[dict[str, Any]], timings_of: Mapping[int, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Per operation x client: request count and p50 / p95 of the request durations (seconds, nearest rank).

    Only requests that got a response (a status) are timed; requests that failed at the transport are counted in
    ``failed``.
    """
    durations: dict[tuple[str, str], list[float]] = defaultdict(list)
    failed: Counter[tuple[str, str]] = Counter()
    for c in checks:
        for t in timings_of.get(id(c), []):
            key = (str(t.get("operation") or NO_OPERATION), c["client"])
            if t.get("status") is None:
                failed[key] += 1
            else:
                durations[key].append(_num(t.get("duration")))
    keys = set(durations) | set(failed)
    ops = _order((k[0] for k in keys), OPERATION_ORDER)
    clients = _order((k[1] for k in keys), CLIENT_ORDER)
    rows = []
    for op in ops:
        for cl in clients:
            d = durations.get((op, cl), [])
            if d or failed.get((op, cl)):
                rows.append({"operation": op, "client": cl, "requests": len(d) + failed.get((op, cl), 0),
                             "failed": failed.get((op, cl), 0),
                             "p50": round(percentile(d, 50), 6) if d else None,
                             "p95": round(percentile(d, 95), 6) if d else None})
    return rows


def ordered_checks(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Checks most urgent first (gap, extra, error, limitation, pass), then by id."""
    return sorted(report["checks"], key=lambda c: (severity_rank(c["verdict"]), c["id"]))
