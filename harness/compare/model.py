"""The comparison model: several runs' report.json -> one row per check, one cell per implementation.

A row is a check without its endpoint label (``group/scenario/client[variant]``): the emulator runs a check over
HTTP and HTTPS, RGW over HTTP only, so the row compares what each implementation did wherever it ran it. A cell
holds each of that implementation's checks of the row; it shows the most urgent verdict (harness.report.verdicts
SEVERITY) and links to the check that has it in that run's report.html. A row *differs* when its cells do not all
show the same verdict — counting a service-profile run's limitation (a clean 501 for an operation outside the
seven) as the same as a full-S3 run's pass: each is what its profile expects; differing rows come first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from harness.report.build import ReportInputError, build_report, load_json
from harness.report.text import anchor, differences_line
from harness.report.verdicts import severity_rank, worst


@dataclass(frozen=True)
class Run:
    name: str  # the column: the target kind, or NAME from NAME=PATH
    report: dict[str, Any]
    html: str | None  # the run's report.html, when it is next to its report.json

    @property
    def profile(self) -> str:
        return self.report["target"].get("profile", "service")


@dataclass(frozen=True)
class Cell:
    verdict: str
    checks: tuple[dict[str, Any], ...]  # every check of the row in this run
    deciding: dict[str, Any]  # the first check with the cell's verdict
    profile: str = "service"  # what its run was judged against (harness/profile.py)

    @property
    def comparable(self) -> str:
        """The verdict as rows compare it: a clean refusal of an operation outside the service's seven is what a
        run judged as the service should show, as a full-S3 run should accept it; both behave as expected."""
        return "pass" if self.verdict == "limitation" and self.profile == "service" else self.verdict

    def count(self) -> str:
        n = sum(c["verdict"] == self.verdict for c in self.checks)
        return "" if n == len(self.checks) else f" ({n} of {len(self.checks)})"

    def evidence(self) -> str:
        """Why the cell is not a pass, in one line: the differences and the ledger note."""
        note = self.deciding.get("notes") or ""
        known = next((part.strip() for part in note.split(";") if "deviation:" in part), "")
        return differences_line(self.deciding, 220) + (f" — {known}" if known else "")

    def href(self, run: Run, out_dir: str) -> str | None:
        if run.html is None:
            return None
        return os.path.relpath(run.html, out_dir).replace(os.sep, "/") + "#" + anchor(self.deciding["id"])


@dataclass
class Row:
    key: str
    cells: dict[str, Cell] = field(default_factory=dict)  # run name -> cell

    @property
    def differs(self) -> bool:
        return len({c.comparable for c in self.cells.values()}) > 1


def row_key(check_id: str) -> str:
    return check_id.rsplit("/", 1)[0]


def load_run(arg: str) -> Run:
    """``[NAME=]PATH``: PATH is a report.json, a results.json, or a directory holding report.json."""
    name, _, path = arg.rpartition("=") if "=" in arg and not os.path.exists(arg) else ("", "", arg)
    if os.path.isdir(path):
        path = os.path.join(path, "report.json")
    data = load_json(path, "report")
    report = data if "report_version" in data else build_report(data)
    if not isinstance(report.get("checks"), list) or not isinstance(report.get("target"), dict):
        raise ReportInputError(f"{path}: not a report.json or results.json of the harness")
    html = os.path.join(os.path.dirname(os.path.abspath(path)), "report.html")
    return Run(name or report["target"].get("name") or os.path.basename(os.path.dirname(path)), report,
               html if os.path.isfile(html) else None)


def unique_names(runs: list[Run]) -> list[Run]:
    seen: dict[str, int] = {}
    out = []
    for r in runs:
        seen[r.name] = seen.get(r.name, 0) + 1
        out.append(r if seen[r.name] == 1 else Run(f"{r.name}-{seen[r.name]}", r.report, r.html))
    return out


def compare(runs: list[Run]) -> list[Row]:
    rows: dict[str, Row] = {}
    for run in runs:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for c in run.report["checks"]:
            grouped.setdefault(row_key(c["id"]), []).append(c)
        for key, checks in grouped.items():
            checks.sort(key=lambda c: c["id"])
            verdict = worst(c["verdict"] for c in checks) or "error"
            deciding = next(c for c in checks if c["verdict"] == verdict)
            rows.setdefault(key, Row(key)).cells[run.name] = Cell(verdict, tuple(checks), deciding, run.profile)
    return sorted(rows.values(), key=lambda r: (not r.differs, r.key))


def worst_rank(row: Row) -> int:
    return min(severity_rank(c.verdict) for c in row.cells.values())
