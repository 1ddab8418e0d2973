"""Compatibility reports of a conformance run: results.json -> report.json, report.md, report.html, junit.xml.

    from harness.report import write_reports
    paths = write_reports("reports/moto/results.json", "reports/moto")   # {"json": ..., "md": ..., ...}

or ``python -m harness.report reports/moto/results.json [--out DIR]``. The verdicts are defined in
``harness.report.verdicts``; report.json follows ``report.schema.json`` (REPORT_VERSION).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from harness.report.build import REPORT_VERSION, ReportInputError, build_report
from harness.report.schema import ReportSchemaError, validate_report
from harness.report.verdicts import DEFINITIONS, FAILING, VERDICTS

__all__ = ["REPORT_VERSION", "ReportInputError", "ReportSchemaError", "build_report", "validate_report",
           "write_reports", "render_all", "VERDICTS", "FAILING", "DEFINITIONS", "FILES"]

#: key -> file name of everything write_reports writes
FILES = {"json": "report.json", "md": "report.md", "html": "report.html", "junit": "junit.xml"}


def render_all(report: Mapping[str, Any]) -> dict[str, bytes]:
    """The four files' contents (bytes) of a validated report model."""
    import json

    from harness.report.html import render_html
    from harness.report.junit import render_junit
    from harness.report.markdown import render_markdown

    r = dict(report)
    return {
        "json": (json.dumps(r, ensure_ascii=False, indent=1) + "\n").encode("utf-8"),
        "md": render_markdown(r).encode("utf-8"),
        "html": render_html(r).encode("utf-8"),
        "junit": render_junit(r),
    }


def write_reports(results: str | os.PathLike[str] | Mapping[str, Any], out_dir: str | os.PathLike[str], *,
                  secrets: Iterable[str] = ()) -> dict[str, str]:
    """Build, validate and write report.json, report.md, report.html and junit.xml into ``out_dir``.

    ``results``: the path of a results.json or its already-loaded dict. ``secrets``: literal values that must not
    appear in any report (the environment's AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN are always scrubbed).
    Returns {"json" | "md" | "html" | "junit": path}. Raises ReportInputError on unusable input (one-line
    message), ReportSchemaError if the built report breaks its schema (a bug: please report it).
    """
    report = build_report(results, secrets=secrets)
    validate_report(report)
    contents = render_all(report)
    os.makedirs(out_dir, exist_ok=True)
    paths = {}
    for key, name in FILES.items():
        path = os.path.join(os.fspath(out_dir), name)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(contents[key])
        os.replace(tmp, path)
        paths[key] = path
    return paths
