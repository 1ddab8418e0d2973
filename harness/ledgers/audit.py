"""Is every gap of a run adjudicated?  python -m harness.ledgers.audit reports/rgw/report.json

For a target kind with a ledger (rgw, seaweedfs, moto), every gap must name the ledger entries that explain it
(the record's note "known <ledger> deviation: <ids>", written by harness/check.py when the entries cover every
differing field), and no check may end in ``error``. Prints each check that breaks this, one line each.
Exit 0: all adjudicated; 1: some are not; 2: bad input (one line)."""

from __future__ import annotations

import argparse
import sys

from harness.kinds import KINDS
from harness.report.build import ReportInputError, load_json


def unadjudicated(report: dict) -> list[str]:
    target = report.get("target", {}).get("name", "")
    kind = KINDS.get(target)
    ledger = kind.ledger if kind else None
    problems = []
    for c in report.get("checks", []):
        if c.get("verdict") == "error":
            problems.append(f"error (the harness could not judge): {c['id']}")
        elif c.get("verdict") == "gap" and (ledger is None or f"known {ledger} deviation: " not in c.get("notes", "")):
            fields = ", ".join(sorted({d.get("field", "?") for d in c.get("differences", [])}))
            problems.append(f"gap without a {ledger or 'ledger'} entry: {c['id']} ({fields})")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.ledgers.audit", description=__doc__.splitlines()[0])
    parser.add_argument("report", help="a report.json")
    args = parser.parse_args(argv)
    try:
        report = load_json(args.report, "report")
    except ReportInputError as e:
        print(f"audit: {e}", file=sys.stderr)
        return 2
    problems = unadjudicated(report)
    for p in problems:
        print(p)
    gaps = sum(c.get("verdict") == "gap" for c in report.get("checks", []))
    print(f"audit: {gaps} gap(s), {len(problems)} not adjudicated by the {report.get('target', {}).get('name')} ledger")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
