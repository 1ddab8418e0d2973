"""junit.xml: one <testcase> per check, one <testsuite> per scenario group, for CI systems.

Mapping (the same as pytest's own junitxml for the analogous outcomes):

- pass        -> a plain testcase;
- gap, extra  -> <failure type="gap"|"extra">: the endpoint is wrong (or its documentation is);
- error       -> <error type="error">: the harness could not judge, which is neither a pass nor a gap;
- limitation  -> <skipped type="limitation" message="...">: an expected, clean refusal of an operation the
  service documents as unsupported. JUnit has no "expected outcome" state; pytest reports its strict
  analogue, xfail, as skipped too. Skipped keeps it visible in CI dashboards (a plain pass would hide that the
  operation is unsupported) without ever failing the build.

classname is "<target>.<group>.<scenario>", name is "<client>[<variant>] <scheme>-<addressing>", so that CI
dashboards group checks by scenario. Every check's stable id is a <property name="check_id">.
Not-applicable combinations are not checks and are not listed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any

from harness.report.scrub import xml_text
from harness.report.text import client_label, differences_line, pretty, wire_line


def _details(c: dict[str, Any]) -> str:
    parts = [f"check {c['id']}", f"operations: {', '.join(c['operations'])}"]
    if c["differences"]:
        parts.append("differences:")
        parts += [f"  {d.get('field')}: expected {d.get('expected')!r}, observed {d.get('observed')!r}"
                  for d in c["differences"]]
    if c.get("visibility"):
        parts.append(f"noticed by the client: {c['visibility']}")
    if c.get("rule"):
        parts.append(f"rule: {c['rule']}")
    if c["notes"]:
        parts.append(f"notes: {c['notes']}")
    if c["reference"]:
        parts.append(f"reference: {c['reference']}")
    parts.append("expected: " + pretty(c["expected"]))
    parts.append("observed: " + pretty(c["observed"]))
    parts += ["wire: " + wire_line(w) for w in c["wire"]]
    r = c["reproduction"]
    if r["hypothesis"] and r["hypothesis"]["minimal_sequence"]:
        parts.append("hypothesis minimal sequence:")
        parts += [f"  {s}" for s in r["hypothesis"]["minimal_sequence"]]
    for kind in ("boto3", "command"):
        if r[kind]:
            parts += [f"reproduce ({kind}):", r[kind]]
    return "\n".join(parts)


def render_junit(report: dict[str, Any]) -> bytes:
    target = report["target"]["name"] or "target"
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in report["checks"]:
        by_group[c["group"] or "ungrouped"].append(c)
    t = report["totals"]
    root = ET.Element("testsuites", {
        "name": xml_text(f"s3-conformance {target}"), "tests": str(t["checks"]),
        "failures": str(t["gap"] + t["extra"]), "errors": str(t["error"]), "skipped": str(t["limitation"]),
        "time": f"{sum(c['duration'] for c in report['checks']):.3f}"})
    for group in sorted(by_group):
        checks = by_group[group]
        count = {v: sum(c["verdict"] == v for c in checks) for v in ("gap", "extra", "error", "limitation")}
        suite = ET.SubElement(root, "testsuite", {
            "name": xml_text(f"{target}.{group}"), "tests": str(len(checks)),
            "failures": str(count["gap"] + count["extra"]), "errors": str(count["error"]),
            "skipped": str(count["limitation"]), "time": f"{sum(c['duration'] for c in checks):.3f}",
            "timestamp": xml_text(report["run"]["started"] or "")})
        props = ET.SubElement(suite, "properties")
        for name, value in (("run_id", report["run"]["id"]), ("seed", report["run"]["seed"]), ("target", target)):
            ET.SubElement(props, "property", {"name": name, "value": xml_text("" if value is None else value)})
        for c in checks:
            _testcase(suite, target, c)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _testcase(suite: ET.Element, target: str, c: dict[str, Any]) -> None:
    case = ET.SubElement(suite, "testcase", {
        "classname": xml_text(f"{target}.{c['group']}.{c['scenario']}"),
        "name": xml_text(f"{client_label(c)} {c['scheme']}-{c['addressing']}"),
        "time": f"{c['duration']:.3f}"})
    props = ET.SubElement(case, "properties")
    ET.SubElement(props, "property", {"name": "check_id", "value": xml_text(c["id"])})
    ET.SubElement(props, "property", {"name": "verdict", "value": c["verdict"]})
    v = c["verdict"]
    message = xml_text(f"{v}: {differences_line(c, 500) or c['notes'][:500]}")
    if v in ("gap", "extra"):
        el = ET.SubElement(case, "failure", {"type": v, "message": message})
        el.text = xml_text(_details(c))
    elif v == "error":
        el = ET.SubElement(case, "error", {"type": v, "message": message})
        el.text = xml_text(_details(c))
    elif v == "limitation":
        ET.SubElement(case, "skipped", {"type": v, "message": message})
