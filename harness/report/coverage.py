"""``python -m harness.report.coverage REPORT.json``: the coverage table of a run (which clients judged each rule of
harness/rules.py, and why the others could not), as Markdown; report.md carries the same table."""

from __future__ import annotations

import sys

from harness.report.build import load_json
from harness.report.markdown import _coverage


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m harness.report.coverage REPORT.json", file=sys.stderr)
        return 2
    try:
        report = load_json(argv[0], "report")
    except Exception as e:  # noqa: BLE001 - one line, exit 2, never a traceback
        print(f"harness.report.coverage: {e}", file=sys.stderr)
        return 2
    if not report.get("coverage"):
        print(f"harness.report.coverage: {argv[0]} has no coverage table (made before issue 10?)", file=sys.stderr)
        return 2
    print("\n".join(_coverage(report)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
