"""s3-compare: several runs' report.json side by side, check × implementation, as Markdown and HTML.

    s3-compare [--out DIR/NAME] [NAME=]REPORT [[NAME=]REPORT ...]     # tox -e compare

writes NAME.md and NAME.html (default docs/compatibility.md / .html). model.py builds the rows, render.py writes
them. Exit 0 on success; 2 and one line on stderr for a missing or malformed input.
"""

from __future__ import annotations

import argparse
import os
import sys

from harness.compare.model import compare, load_run, unique_names
from harness.compare.render import markdown, page
from harness.report.build import ReportInputError

DEFAULT_OUT = os.path.join("docs", "compatibility")


def write(run_args: list[str], out: str = DEFAULT_OUT) -> dict[str, str]:
    runs = unique_names([load_run(a) for a in run_args])
    rows = compare(runs)
    out_dir = os.path.dirname(os.path.abspath(out))
    os.makedirs(out_dir, exist_ok=True)
    paths = {"md": out + ".md", "html": out + ".html"}
    with open(paths["md"], "w", encoding="utf-8") as f:
        f.write(markdown(runs, rows, out_dir))
    with open(paths["html"], "w", encoding="utf-8") as f:
        f.write(page(runs, rows, out_dir))
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="s3-compare", description="check × implementation from report.json files")
    parser.add_argument("reports", nargs="+", metavar="[NAME=]REPORT",
                        help="a report.json or results.json (or the directory holding it); NAME names the column")
    parser.add_argument("--out", default=DEFAULT_OUT, help="output path without extension (default %(default)s)")
    args = parser.parse_args(argv)
    try:
        paths = write(args.reports, args.out)
    except ReportInputError as e:
        print(f"s3-compare: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"s3-compare: cannot write {args.out}: {e.strerror or e}", file=sys.stderr)
        return 2
    print(f"s3-compare: wrote {paths['md']} and {paths['html']}")
    return 0


