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
    args = p.parse_args(argv)
    run_path = args.run or _default_run(args.target or "emulator")
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
    failed = comparison.failed(args.fail_on_new)
    summary = (f"{len(comparison.regressions)} regression(s), {len(comparison.fixes)} unrecorded fix(es), "
               f"{len(comparison.changed)} changed, {len(comparison.new)} new, {len(comparison.vanished)} vanished, "
               f"{comparison.unchanged} unchanged")
    print(f"s3-gate: {'FAIL' if failed else 'OK'}: {summary}")
    if comparison.fixes and not comparison.regressions:
        print(f"s3-gate: record the fixes: s3-gate {run_path} --update", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
