"""python -m harness.report RESULTS_JSON [--out DIR] [--quiet]

Writes report.json, report.md, report.html and junit.xml (default: next to RESULTS_JSON). Exit 0 when written,
2 on unusable input (one line on stderr). The verdicts do not change the exit code: that is the gate's job.
"""

from __future__ import annotations

import argparse
import os
import sys

from harness.report import FILES, ReportInputError, ReportSchemaError, write_reports


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m harness.report", description=__doc__.split("\n\n")[1])
    p.add_argument("results", help="a results.json written by the harness")
    p.add_argument("--out", help="output directory (default: the directory of RESULTS_JSON)")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")
    args = p.parse_args(argv)
    out = args.out or os.path.dirname(os.path.abspath(args.results))
    try:
        paths = write_reports(args.results, out)
    except ReportInputError as e:
        print(f"harness.report: {e}", file=sys.stderr)
        return 2
    except ReportSchemaError as e:
        print(f"harness.report: the report built from {args.results} breaks report.schema.json: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"harness.report: cannot write into {out}: {e.strerror or e}", file=sys.stderr)
        return 2
    if not args.quiet:
        print("wrote " + ", ".join(paths[k] for k in FILES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
