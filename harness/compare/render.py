"""The comparison as Markdown (docs/compatibility.md) and as one self-contained HTML page (no script, no network:
a Content-Security-Policy allows nothing but its own inline style). Every value from a run is escaped."""

from __future__ import annotations

import html
from typing import Any

from harness.compare.model import Row, Run
from harness.report.build import PROFILES
from harness.report.markdown import md_code, md_text
from harness.report.verdicts import DEFINITIONS, SYMBOL, VERDICTS

TITLE = "S3 compatibility: check × implementation"
READING = ("One row per check (group/scenario/client[variant]), one column per implementation. A cell shows the "
           "most urgent verdict among that implementation's runs of the check (over its schemes and addressing "
           "styles; \"(1 of 2)\" when they disagree) and links to that check in the run's report.html. Rows whose "
           "cells differ come first (a limitation of a run judged as the service and a pass of one judged as full "
           "S3 count as the same: each is what its profile expects); under the table, each differing cell says "
           "why (the differing fields, and "
           "the ledger entry that explains a known deviation).")


def _summary(run: Run) -> dict[str, Any]:
    r = run.report
    return {"name": run.name, "profile": PROFILES.get(run.profile, run.profile), "run": r["run"]["id"],
            "totals": r["totals"], "endpoints": ", ".join(e["endpoint"] for e in r["target"]["endpoints"])}


def markdown(runs: list[Run], rows: list[Row], out_dir: str) -> str:
    out = [f"# {TITLE}", "", md_text(READING), "", "| implementation | judged as | run | checks | "
           + " | ".join(f"{SYMBOL[v]} {v}" for v in VERDICTS) + " |", "|---|---|---|---|" + "---|" * len(VERDICTS)]
    for run in runs:
        s = _summary(run)
        out.append(f"| {md_text(s['name'])} | {md_text(s['profile'])} | {md_code(s['run'])} | "
                   f"{s['totals']['checks']} | " + " | ".join(str(s["totals"][v]) for v in VERDICTS) + " |")
    differing = sum(r.differs for r in rows)
    out += ["", f"**{len(rows)} checks, {differing} differing.** "
            + " · ".join(f"{SYMBOL[v]} {v}: {DEFINITIONS[v]}" for v in VERDICTS) + " · `·` not run", ""]
    out.append("| check | " + " | ".join(md_text(r.name) for r in runs) + " |")
    out.append("|---|" + "---|" * len(runs))
    for row in rows:
        cells = []
        for run in runs:
            cell = row.cells.get(run.name)
            if cell is None:
                cells.append("·")
                continue
            text = f"{SYMBOL[cell.verdict]} {cell.verdict}{cell.count()}"
            href = cell.href(run, out_dir)
            cells.append(f"[{text}]({href})" if href else text)
        name = f"**{md_code(row.key)}**" if row.differs else md_code(row.key)
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    out += ["", "## Why they differ", ""]
    for row in rows:
        if not row.differs:
            continue
        out.append(f"- {md_code(row.key)}")
        for run in runs:
            cell = row.cells.get(run.name)
            if cell is not None and cell.verdict != "pass":
                out.append(f"  - {md_text(run.name)}: {SYMBOL[cell.verdict]} {cell.verdict}: "
                           f"{md_text(cell.evidence())}")
    return "\n".join(out) + "\n"


CSS = """body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}th{background:#f4f4f4}
tr.differs td:first-child{font-weight:bold}.v-pass{background:#e6f4e6}.v-gap{background:#fde2e2}
.v-limitation{background:#e3ecfb}.v-extra{background:#fdebd3}.v-error{background:#eee0f7}.none{color:#999}
code{font-size:12px}.why{color:#555;font-size:12px}"""


def _e(v: Any) -> str:
    return html.escape(str(v), quote=True)


def page(runs: list[Run], rows: list[Row], out_dir: str) -> str:
    head = ("<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>{_e(TITLE)}</title><style>{CSS}</style></head><body>")
    body = [f"<h1>{_e(TITLE)}</h1><p>{_e(READING)}</p><table><tr><th>implementation</th><th>judged as</th>"
            "<th>run</th><th>checks</th>" + "".join(f"<th>{_e(v)}</th>" for v in VERDICTS) + "</tr>"]
    for run in runs:
        s = _summary(run)
        body.append(f"<tr><td>{_e(s['name'])}</td><td>{_e(s['profile'])}</td><td><code>{_e(s['run'])}</code></td>"
                    f"<td>{s['totals']['checks']}</td>"
                    + "".join(f"<td>{s['totals'][v]}</td>" for v in VERDICTS) + "</tr>")
    body.append(f"</table><p>{len(rows)} checks, {sum(r.differs for r in rows)} differing.</p>")
    body.append("<table><tr><th>check</th>" + "".join(f"<th>{_e(r.name)}</th>" for r in runs) + "</tr>")
    for row in rows:
        tds = []
        for run in runs:
            cell = row.cells.get(run.name)
            if cell is None:
                tds.append("<td class=none>·</td>")
                continue
            text = _e(f"{SYMBOL[cell.verdict]} {cell.verdict}{cell.count()}")
            href = cell.href(run, out_dir)
            link = f"<a href=\"{_e(href)}\">{text}</a>" if href else text
            why = "" if cell.verdict == "pass" else f"<div class=why>{_e(cell.evidence())}</div>"
            tds.append(f"<td class=\"v-{_e(cell.verdict)}\">{link}{why}</td>")
        body.append(f"<tr class=\"{'differs' if row.differs else 'same'}\"><td><code>{_e(row.key)}</code></td>"
                    + "".join(tds) + "</tr>")
    body.append("</table></body></html>")
    return head + "".join(body) + "\n"
