"""The load report: ``report.json`` (a top-level ``load`` object, validated against load.schema.json),
``report.md`` and a self-contained ``report.html`` with inline SVG charts."""

from __future__ import annotations

import datetime
import json
import os
from typing import Any

from harness.load import stats
from harness.load.checker import Anomaly, check
from harness.load.history import History
from harness.load.workload import Workload

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "load.schema.json")
LOAD_REPORT_VERSION = 1


def _iso(t: float) -> str | None:
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).isoformat(timespec="seconds") if t else None


def consistency(history: History, anomalies: list[Anomaly]) -> dict[str, Any]:
    t0 = history.started
    count = lambda *names: sum(o.op in names for o in history.ops)  # noqa: E731
    missing = history.missing_workers
    verdict = "anomalies" if anomalies else ("incomplete" if missing or not history.ops else "consistent")
    return {
        "verdict": verdict,
        "model": "linearizable register per key (strong read-after-write, as https://aws.amazon.com/s3/consistency/)",
        "checked": {"writes": count("PutObject", "DeleteObject"), "reads": count("GetObject", "HeadObject"),
                    "listings": count("ListObjects")},
        "clock_skew_seconds": round(history.skew, 6),
        "missing_workers": missing,
        "anomalies": [{"kind": a.kind.value, "key_slot": a.key, "message": a.message,
                       "history": [o.brief(t0) for o in a.history]} for a in anomalies],
    }


def build(history: History, workload: Workload, *, run_id: str, target: dict, distribution: dict,
          cleanup: dict, locust_version: str, exit_code: int, warnings: list[str] | None = None) -> dict[str, Any]:
    anomalies = check(history.ops, key_slots=workload.keys, eps=history.skew)
    duration = max(history.finished - history.started, 0.0)
    ops = stats.operations(history)
    gen = stats.generator(history, history.flags)
    return {
        "report_version": LOAD_REPORT_VERSION,
        "generator": {"name": "harness.load", "locust": locust_version},
        "run": {"id": run_id, "started": _iso(history.started), "finished": _iso(history.finished),
                "duration": round(duration, 3), "seed": workload.seed, "locust_exit_code": exit_code},
        "target": target,
        "load": {
            "workload": workload.to_dict(),
            "distribution": distribution,
            "totals": {"requests": len(history.ops), "failures": sum(not stats.ok(o) for o in history.ops),
                       "throughput": round(len(history.ops) / duration, 3) if duration else 0.0},
            "operations": ops,
            "timeline": stats.timeline(history),
            "errors": stats.errors(history),
            "generator": gen,
            "ratios": stats.ratios(ops, gen, duration),
            "consistency": consistency(history, anomalies),
            "cleanup": {"attempted": cleanup.get("attempted", 0), "deleted": cleanup.get("deleted", 0),
                        "failed": cleanup.get("failed", [])},
            "warnings": list(warnings or []),
        },
    }


def schema() -> dict:
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        return json.load(f)


def validate(report: dict) -> None:
    import jsonschema

    jsonschema.validate(report, schema())


def write(report: dict, out_dir: str) -> dict[str, str]:
    from harness.load.render import html, markdown

    validate(report)
    os.makedirs(out_dir, exist_ok=True)
    paths = {"json": os.path.join(out_dir, "report.json"), "md": os.path.join(out_dir, "report.md"),
             "html": os.path.join(out_dir, "report.html")}
    with open(paths["json"], "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1, sort_keys=False)
        f.write("\n")
    with open(paths["md"], "w", encoding="utf-8") as f:
        f.write(markdown(report))
    with open(paths["html"], "w", encoding="utf-8") as f:
        f.write(html(report))
    return paths
