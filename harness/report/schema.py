"""report.schema.json: the contract of report.json, checked before a report is written or gated."""

from __future__ import annotations

import functools
import json
import os
from collections import Counter
from typing import Any

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "report.schema.json")


class ReportSchemaError(ValueError):
    """A report that does not follow report.schema.json (the message is one line)."""


@functools.lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        return json.load(f)


def validate_report(report: Any) -> None:
    """Raise ReportSchemaError (one line: where and what) unless ``report`` follows the schema and its check ids
    are unique."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_schema())
    errors = sorted(validator.iter_errors(report), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        where = "/".join(str(p) for p in e.absolute_path) or "(top level)"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ReportSchemaError(f"at {where}: {_short(e.message)}{more}")
    dup = [k for k, n in Counter(c["id"] for c in report["checks"]).items() if n > 1]
    if dup:
        raise ReportSchemaError(f"duplicate check id(s): {', '.join(repr(d) for d in dup[:5])}")


def _short(s: str, limit: int = 200) -> str:
    s = " ".join(s.split())
    return s if len(s) <= limit else s[:limit] + "..."
