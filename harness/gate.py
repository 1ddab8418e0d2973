"""s3-gate: compare a run with its committed baseline; fail on a regression or on an unrecorded fix.

    s3-gate [RUN] [--baseline FILE] [--target NAME] [--update] [--fail-on-new]

RUN is a report.json or a results.json (default: reports/<target>/report.json, else results.json there);
the baseline defaults to reports/baseline/<target>.json, <target> being the run's own.

How a check's verdict moves from the baseline to this run:

  regression  pass -> anything else, or limitation -> gap / extra / error     exit 1
  fix         anything else -> pass, or gap / extra / error -> limitation      exit 1 until the baseline is
              updated (strict, like a strict xfail: a fixed gap must be recorded so that it cannot come back)
  changed     between gap, extra and error                                     listed, exit 0
  new         in the run, not in the baseline                                  listed, exit 0 (1 with
              --fail-on-new when its verdict is gap, extra or error)
  vanished    in the baseline, not in the run                                  listed, exit 0

``error`` (the harness could not judge) never counts as a pass: pass -> error is a regression, and a baseline
``error`` that now passes is a fix to record. ``limitation`` (a clean refusal of an operation documented as
unsupported) counts as good: it may not get worse, and pass <-> limitation moves are a regression / a fix.

Exit codes: 0 nothing regressed and nothing fixed without an update; 1 a regression or an unrecorded fix;
2 bad input (a missing or malformed run or baseline: one line on stderr). ``--update`` writes the run's verdicts
as the new baseline (compact: check id -> verdict, sorted, plus metadata) and exits 0 after listing the moves.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from harness.report.build import ReportInputError, load_json

BASELINE_VERSION = 1
VERDICTS = ("pass", "gap", "limitation", "extra", "error")
GOOD = frozenset({"pass", "limitation"})
BAD = frozenset({"gap", "extra", "error"})


class GateInputError(Exception):
    """Unusable input; the message is the one line the gate prints."""


@dataclass
class Comparison:
    regressions: list[tuple[str, str, str]] = field(default_factory=list)  # (id, baseline, now)
    fixes: list[tuple[str, str, str]] = field(default_factory=list)
    changed: list[tuple[str, str, str]] = field(default_factory=list)
    new: list[tuple[str, str]] = field(default_factory=list)  # (id, now)
    vanished: list[tuple[str, str]] = field(default_factory=list)  # (id, baseline)
    unchanged: int = 0

    def failed(self, fail_on_new: bool = False) -> bool:
        return bool(self.regressions or self.fixes or (fail_on_new and any(v in BAD for _, v in self.new)))


def classify(before: str, now: str) -> str:
    """'unchanged' | 'regression' | 'fix' | 'changed' for one check's move from the baseline to this run."""
    if before == now:
        return "unchanged"
    if before == "pass" or (before == "limitation" and now in BAD):
        return "regression"
    if now == "pass" or (now == "limitation" and before in BAD):
        return "fix"
    return "changed"


def compare(baseline: dict[str, str], run: dict[str, str]) -> Comparison:
    c = Comparison()
    for cid in sorted(set(baseline) | set(run)):
        if cid not in baseline:
            c.new.append((cid, run[cid]))
        elif cid not in run:
            c.vanished.append((cid, baseline[cid]))
        else:
            kind = classify(baseline[cid], run[cid])
            if kind == "unchanged":
                c.unchanged += 1
            else:
                getattr(c, {"regression": "regressions", "fix": "fixes", "changed": "changed"}[kind]).append(
                    (cid, baseline[cid], run[cid]))
    return c


def split_wire_only(comparison: Comparison, report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Take the regressions no client notices (visibility "wire-only", issue 9 section 3) out of
    ``comparison.regressions`` and return them; a regression to ``error`` is never wire-only."""
    vis = {c["id"]: c.get("visibility", "") for c in report.get("checks", [])}
    wire_only = [r for r in comparison.regressions if vis.get(r[0]) == "wire-only"]
    comparison.regressions = [r for r in comparison.regressions if vis.get(r[0]) != "wire-only"]
    return wire_only


# ------------------------------------------------------------------ input
def _load(path: str, what: str) -> dict[str, Any]:
    """The one JSON reader of the report package, its one-line errors prefixed with what the file is."""
    try:
        return load_json(path, what)
    except ReportInputError as e:
        raise GateInputError(f"{what} {e}") from None


def load_run(path: str) -> dict[str, Any]:
    """A run's report model, from a report.json (validated) or a results.json (built)."""
    from harness.report import ReportInputError, ReportSchemaError, build_report, validate_report

    data = _load(path, "run")
    try:
        if "report_version" in data:
            validate_report(data)
            return data
        if "records" in data:
            report = build_report(data)
            validate_report(report)
            return report
    except (ReportInputError, ReportSchemaError) as e:
        raise GateInputError(f"run {path}: malformed: {e}") from None
    raise GateInputError(f"run {path}: neither a report.json (no 'report_version') nor a results.json (no 'records')")


def load_baseline(path: str) -> dict[str, Any]:
    data = _load(path, "baseline")
    if data.get("baseline_version") != BASELINE_VERSION:
        raise GateInputError(f"baseline {path}: malformed: 'baseline_version' is {data.get('baseline_version')!r}, "
                             f"expected {BASELINE_VERSION}")
    checks = data.get("checks")
    if not isinstance(checks, dict):
        raise GateInputError(f"baseline {path}: malformed: 'checks' must map check ids to verdicts")
    bad = [(k, v) for k, v in checks.items() if v not in VERDICTS]
    if bad:
        raise GateInputError(f"baseline {path}: malformed: check {bad[0][0]!r} has verdict {bad[0][1]!r} "
                             f"(expected one of {', '.join(VERDICTS)})")
    return data


def run_verdicts(report: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["verdict"] for c in report["checks"]}


def baseline_of(report: dict[str, Any]) -> dict[str, Any]:
    """The compact baseline of a run: metadata, totals, and check id -> verdict (sorted when written)."""
    checks = run_verdicts(report)
    return {
        "baseline_version": BASELINE_VERSION,
        "target": report["target"]["name"],
        "from_run": {"id": report["run"]["id"], "started": report["run"]["started"], "seed": report["run"]["seed"]},
        "clients": dict(sorted({f"{c['name']}[{c['variant']}]": c["version"] for c in report["clients"]}.items())),
        "totals": {v: sum(x == v for x in checks.values()) for v in VERDICTS},
        "checks": dict(sorted(checks.items())),
        "latency": latency_of(report),
    }


def write_baseline(path: str, baseline: dict[str, Any]) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        json.dump(baseline, f, ensure_ascii=False, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


# ------------------------------------------------------------------ output
def _section(title: str, rows: list[str], out: list[str]) -> None:
    if rows:
        out.append(f"{title} ({len(rows)}):")
        out += [f"  {r}" for r in rows]


def render(c: Comparison, *, fail_on_new: bool = False) -> list[str]:
    out: list[str] = []
    _section("REGRESSIONS: passed (or was refused cleanly) in the baseline, does not now",
             [f"{b:>10} -> {n:<10} {cid}" for cid, b, n in c.regressions], out)
    _section("FIXES not yet in the baseline (record them with --update)",
             [f"{b:>10} -> {n:<10} {cid}" for cid, b, n in c.fixes], out)
    _section("changed between failing verdicts", [f"{b:>10} -> {n:<10} {cid}" for cid, b, n in c.changed], out)
    _section("NEW checks" + (" (failing ones fail the gate: --fail-on-new)" if fail_on_new else ""),
             [f"{'':>10}    {n:<10} {cid}" for cid, n in c.new], out)
    _section("VANISHED checks (in the baseline, not in this run)",
             [f"{b:>10} -> {'':<10} {cid}" for cid, b in c.vanished], out)
    return out


def _default_run(target: str) -> str:
    d = os.path.join("reports", target)
    report = os.path.join(d, "report.json")
    return report if os.path.exists(report) else os.path.join(d, "results.json")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="s3-gate", description="Compare a conformance run with its baseline.",
                                epilog="exit codes: 0 ok, 1 regression or unrecorded fix, 2 bad input")
    p.add_argument("run", nargs="?", help="report.json or results.json (default: reports/<target>/report.json)")
    p.add_argument("--target", default=None, help="target name when RUN is omitted (default: emulator)")
    p.add_argument("--baseline", help="baseline file (default: reports/baseline/<the run's target>.json)")
    p.add_argument("--update", action="store_true", help="write this run's verdicts as the new baseline")
    p.add_argument("--fail-on-new", action="store_true", help="also fail on new checks that gap, extra or error")
    p.add_argument("--client-visible-only", action="store_true",
                   help="fail only on regressions a client notices (wire-only regressions are listed, not failed)")
    add_latency_options(p)
    args = p.parse_args(argv)
    run_path = args.run or _default_run(args.target or "emulator")
    if is_load_run(run_path):
        return main_load(run_path, args)
    try:
        report = load_run(run_path)
        target = report["target"]["name"]
        if args.target and target and args.target != target:
            raise GateInputError(f"run {run_path} is a run against {target!r}, not {args.target!r}")
        base_path = args.baseline or os.path.join("reports", "baseline", f"{target or 'unknown'}.json")
        base = None
        if not args.update or os.path.exists(base_path):
            base = load_baseline(base_path)
            if base.get("target") and target and base["target"] != target:
                raise GateInputError(f"baseline {base_path} is for target {base['target']!r}, the run is against "
                                     f"{target!r}")
    except GateInputError as e:
        print(f"s3-gate: {e}", file=sys.stderr)
        return 2
    now = run_verdicts(report)
    comparison = compare(base["checks"] if base else {}, now)
    head = (f"s3-gate: {target} run {report['run']['id']} ({len(now)} checks) vs baseline {base_path}"
            + (f" (run {base.get('from_run', {}).get('id')}, {len(base['checks'])} checks)" if base else " (none)"))
    print(head)
    if base is not None:  # (a first baseline would list every check as new)
        for line in render(comparison, fail_on_new=args.fail_on_new):
            print(line)
    if args.update:
        try:
            write_baseline(base_path, baseline_of(report))
        except OSError as e:
            print(f"s3-gate: cannot write baseline {base_path}: {e.strerror or e}", file=sys.stderr)
            return 2
        print(f"s3-gate: wrote {base_path} ({len(now)} checks); commit it with the change that explains it")
        return 0
    if args.client_visible_only:
        wire_only = split_wire_only(comparison, report)
        for cid, b, n in wire_only:
            print(f"s3-gate: wire-only regression (not failed: --client-visible-only): {b} -> {n} {cid}")
    slower = latency_gate(base, report, args)
    failed = comparison.failed(args.fail_on_new) or bool(slower)
    summary = (f"{len(comparison.regressions)} regression(s), {len(comparison.fixes)} unrecorded fix(es), "
               f"{len(comparison.changed)} changed, {len(comparison.new)} new, {len(comparison.vanished)} vanished, "
               f"{comparison.unchanged} unchanged")
    summary += f", {len(slower)} latency regression(s)" if slower is not None else ", latency not gated"
    print(f"s3-gate: {'FAIL' if failed else 'OK'}: {summary}")
    if comparison.fixes and not comparison.regressions:
        print(f"s3-gate: record the fixes: s3-gate {run_path} --update", file=sys.stderr)
    return 1 if failed else 0


# ------------------------------------------------------------------ latency (conformance runs)
# Because an endpoint whose every GET waits 2 s before the first byte passes every conformance check, the run's own
# latency figures (report.json "latency": per operation x client, p50 / p95 of request durations) gate too: a figure
# regresses when it exceeds FACTOR x its baseline AND the baseline by more than FLOOR seconds. The defaults are wide
# (a shared 2-core CI machine is noisy; the emulator answers in milliseconds); a latency regression is a kind of its
# own, listed apart from verdict regressions.
LATENCY_FACTOR = 3.0
LATENCY_FLOOR = 0.25  # seconds
# A quantile is judged only over enough requests that one stalled request cannot decide it: with nearest rank, the
# p95 of fewer than 40 requests is one of the two slowest (seen in CI: HeadBucket boto3, 12 requests, one 1 s stall
# on the shared machine made p95 12 ms -> 1022 ms). An endpoint that is slow on every request still fails on p50.
MIN_REQUESTS = {"p50": 5, "p95": 40}


def add_latency_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--latency-factor", type=float, default=LATENCY_FACTOR,
                   help=f"latency regression: above FACTOR x the baseline's p50/p95 (default {LATENCY_FACTOR:g})")
    p.add_argument("--latency-floor", type=float, default=LATENCY_FLOOR,
                   help=f"... and above it by more than FLOOR seconds (default {LATENCY_FLOOR:g})")
    p.add_argument("--no-latency", action="store_true", help="do not gate latency")


def latency_of(report: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """'<operation> <client>' -> {p50, p95} (seconds) from a conformance report."""
    return {f"{x['operation']} {x['client']}": {"p50": x.get("p50"), "p95": x.get("p95"),
                                                 "requests": x.get("requests")}
            for x in sorted(report.get("latency") or [], key=lambda x: (x["operation"], x["client"]))}


def slower(before: float | None, now: float | None, factor: float, floor: float) -> bool:
    return before is not None and now is not None and now > before * factor and now - before > floor


def compare_latency(baseline: dict, now: dict, factor: float, floor: float) -> list[tuple[str, str, float, float]]:
    """(operation client, p50|p95, baseline, now) for every figure past the factor and the floor."""
    return [(name, q, baseline[name][q], now[name][q]) for name in sorted(set(baseline) & set(now))
            for q in ("p50", "p95") if _enough(now[name], q) and _enough(baseline[name], q)
            and slower(baseline[name].get(q), now[name].get(q), factor, floor)]


def _enough(figures: dict, quantile: str) -> bool:
    n = figures.get("requests")
    return n is None or n >= MIN_REQUESTS[quantile]  # an older baseline without counts is judged as before


def latency_gate(base: dict[str, Any] | None, report: dict[str, Any], args) -> list | None:
    """Print and return the latency regressions; None when latency is not gated (no figures, or --no-latency)."""
    if args.no_latency or base is None or args.update:
        return None
    if not base.get("latency"):
        print("s3-gate: latency not gated: the baseline has no latency figures (record them with --update)")
        return None
    found = compare_latency(base["latency"], latency_of(report), args.latency_factor, args.latency_floor)
    _section(f"LATENCY REGRESSIONS (not conformance: slower than {args.latency_factor:g}x the baseline and by more "
             f"than {args.latency_floor:g} s)",
             [f"{q} {b * 1000:9.1f} ms -> {n * 1000:9.1f} ms  {name}" for name, q, b, n in found], out := [])
    for line in out:
        print(line)
    return found


# ------------------------------------------------------------------ load runs (s3-load's report.json)
# A load run is gated on what transfers between machines: latency relative to a reference operation measured in the
# same run, throughput relative to the generator's own measured capacity (harness/load/stats.py: ratios), error
# rates, and consistency: any anomaly, or a run whose history is incomplete, is a regression.
LOAD_BASELINE_VERSION = 1
ERROR_RATE_FLOOR = 0.01  # an error rate regresses when it rises by more than this (1 percentage point)
RATIO_FLOOR = 0.5  # a latency ratio regresses when it is past the factor and up by more than this


def is_load_run(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return False  # the ordinary path reports the problem
    return isinstance(data, dict) and isinstance(data.get("load"), dict)


def load_baseline_of(report: dict[str, Any]) -> dict[str, Any]:
    load = report["load"]
    return {
        "baseline_version": LOAD_BASELINE_VERSION, "kind": "load", "target": report["target"]["name"],
        "from_run": {"id": report["run"]["id"], "started": report["run"]["started"]},
        "workload": load["workload"],
        "ratios": load["ratios"],
        "error_rates": error_rates(load),
        "anomalies": len(load["consistency"]["anomalies"]),
    }


def error_rates(load: dict[str, Any]) -> dict[str, float]:
    return {o["operation"]: round(o["failures"] / o["requests"], 6) for o in load["operations"] if o["requests"]}


def compare_load(base: dict[str, Any], report: dict[str, Any], factor: float) -> list[str]:
    """One line per regression of a load run against its baseline."""
    load = report["load"]
    out = []
    c = load["consistency"]
    if c["anomalies"]:
        kinds = sorted({a["kind"] for a in c["anomalies"]})
        out.append(f"consistency: {len(c['anomalies'])} anomalies ({', '.join(kinds)}); the baseline had "
                   f"{base.get('anomalies', 0)}")
    elif c["verdict"] != "consistent":
        out.append(f"consistency: {c['verdict']} (missing workers: {', '.join(c['missing_workers']) or 'none'})")
    then, now = base["ratios"], load["ratios"]
    for op in sorted(set(then.get("latency", {})) & set(now["latency"])):
        for q in ("p50", "p95"):
            b, n = then["latency"][op].get(q), now["latency"][op].get(q)
            if slower(b, n, factor, RATIO_FLOOR):
                out.append(f"latency: {op} {q} / {now['reference']} {b:.2f} -> {n:.2f} (past {factor:g}x)")
    b, n = then.get("throughput"), now.get("throughput")
    if b and n is not None and n * factor < b:
        out.append(f"throughput / generator capacity {b:.3f} -> {n:.3f} (below 1/{factor:g})")
    for op, rate in error_rates(load).items():
        before = base.get("error_rates", {}).get(op, 0.0)
        if rate - before > ERROR_RATE_FLOOR:
            out.append(f"error rate: {op} {before:.2%} -> {rate:.2%}")
    return out


def main_load(run_path: str, args) -> int:
    from harness.load.report import validate

    try:
        report = _load(run_path, "run")
        try:
            validate(report)
        except Exception as e:  # noqa: BLE001 - jsonschema's ValidationError: one line
            raise GateInputError(f"run {run_path}: malformed: {getattr(e, 'message', e)}") from None
        target = report["target"]["name"]
        base_path = args.baseline or os.path.join("reports", "baseline", f"load-{target}.json")
        base = None
        if not args.update or os.path.exists(base_path):
            base = _load(base_path, "baseline")
            if base.get("kind") != "load" or base.get("baseline_version") != LOAD_BASELINE_VERSION:
                raise GateInputError(f"baseline {base_path} is not a load baseline (version "
                                     f"{LOAD_BASELINE_VERSION})")
    except GateInputError as e:
        print(f"s3-gate: {e}", file=sys.stderr)
        return 2
    print(f"s3-gate: load run {report['run']['id']} against {target} vs baseline {base_path}")
    if args.update:
        write_baseline(base_path, load_baseline_of(report))
        print(f"s3-gate: wrote {base_path}; commit it with the change that explains it")
        return 0
    if base.get("workload") != report["load"]["workload"]:
        print("s3-gate: note: this run's workload differs from the baseline's; its ratios compare loosely")
    found = compare_load(base, report, args.latency_factor)
    _section("LOAD REGRESSIONS", found, out := [])
    for line in out:
        print(line)
    print(f"s3-gate: {'FAIL' if found else 'OK'}: {len(found)} load regression(s); consistency "
          f"{report['load']['consistency']['verdict']}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
