"""report.md: the run in a pull-request comment (GitHub-flavoured Markdown), gaps first.

Every value from the run is escaped: inline code spans for ids and keys (``|`` escaped, a fence longer than any
backtick run inside), HTML entities and backslashes for free text, fenced blocks for reproductions. The comment
stays under GitHub's 65,536-character limit: reproductions are dropped (latest first) before anything else.
"""

from __future__ import annotations

import html
import re
from typing import Any

from harness.report.build import PROFILES, ordered_checks
from harness.report.text import client_label, compact, differences_line, ms, squeeze
from harness.report.verdicts import DEFINITIONS, SYMBOL, VERDICTS

MAX_CHARS = 60_000
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def md_text(s: Any) -> str:
    """Free text for a Markdown paragraph or table cell: no HTML, no formatting, one line."""
    s = html.escape(" ".join(str(s).split()), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", s)


def md_code(s: Any) -> str:
    """An inline code span that shows ``s`` literally, even inside a table."""
    s = squeeze(" ".join(str(s).split())).replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def md_block(s: str, lang: str = "") -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}", s)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{s.rstrip()}\n{fence}"


def _cell(cell: dict[str, Any] | None) -> str:
    if not cell:
        return "·"
    v = cell["verdict"]
    if v == "pass":
        return f"{SYMBOL['pass']} {cell['total']}"
    return f"{SYMBOL[v]} {cell['counts'][v]}/{cell['total']}"


def _matrix(report: dict[str, Any]) -> list[str]:
    m = report["matrix"]
    if not m["cells"]:
        return ["_No checks were recorded._"]
    cells = {(c["operation"], c["client"], c["scheme"]): c for c in m["cells"]}
    cols = [(cl, sc) for cl in m["clients"] for sc in m["schemes"]
            if any((op, cl, sc) in cells for op in m["operations"])]
    one_scheme = len(m["schemes"]) == 1
    head = ["operation"] + [md_text(cl if one_scheme else f"{cl} {sc.upper()}") for cl, sc in cols]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for op in m["operations"]:
        lines.append("| " + " | ".join([md_code(op)] + [_cell(cells.get((op, cl, sc))) for cl, sc in cols]) + " |")
    lines.append("")
    lines.append("Each cell: the most urgent verdict of the checks that exercised the operation with that client, "
                 "its count / all checks there. " + " · ".join(f"{SYMBOL[v]} {v}" for v in VERDICTS))
    return lines


def _check_table(checks: list[dict[str, Any]]) -> list[str]:
    lines = ["| check | operations | client | noticed by the client? | rule | expected vs observed |",
             "|---|---|---|---|---|---|"]
    for c in checks:
        lines.append(f"| {md_code(c['id'])} | {md_text(', '.join(c['operations']))} | {md_code(client_label(c))} "
                     f"| {c.get('visibility') or '—'} | {md_code(c['rule']) if c.get('rule') else '—'} "
                     f"| {md_text(differences_line(c, 240) or c['notes'][:240])} |")
    return lines


def _repro(c: dict[str, Any]) -> list[str]:
    r = c["reproduction"]
    body: list[str] = []
    if r["boto3"]:
        body += ["", md_block(r["boto3"], "python")]
    if r["command"]:
        body += ["", md_block(r["command"], "sh")]
    if r["hypothesis"] and r["hypothesis"]["minimal_sequence"]:
        seq = "\n".join(r["hypothesis"]["minimal_sequence"])
        body += ["", f"Hypothesis minimal sequence (seed {md_code(r['hypothesis'].get('seed'))}):", "",
                 md_block(seq)]
    if not body:
        return []
    summary = html.escape(f"Reproduce {squeeze(c['id'])}")
    return [f"<details><summary>{summary}</summary>", *body, "", "</details>", ""]


def render_markdown(report: dict[str, Any], *, html_name: str = "report.html") -> str:
    """The Markdown summary; reproductions are cut first when the comment would exceed MAX_CHARS."""
    failing = [c for c in ordered_checks(report) if c["verdict"] in ("gap", "extra", "error")]
    limit = len(failing)
    while True:
        text = _render(report, failing[:limit], html_name)
        if len(text) <= MAX_CHARS or limit == 0:
            break
        limit //= 2
    if len(text) > MAX_CHARS:
        cut = text[:MAX_CHARS].rsplit("\n", 1)[0]
        text = cut + f"\n\n_… cut at {MAX_CHARS} characters: see {html_name} and report.json._\n"
    return text


def _render(report: dict[str, Any], with_repro: list[dict[str, Any]], html_name: str) -> str:
    t, run = report["totals"], report["run"]
    target = report["target"]["name"] or "?"
    failing = t["gap"] + t["extra"] + t["error"]
    status = (f"{SYMBOL['gap']} {failing} failing check(s)" if failing else f"{SYMBOL['pass']} no gap")
    out = [f"## S3 conformance: {md_code(target)}: {status}", ""]
    out.append(f"**{t['checks']} checks**: " + " · ".join(f"{SYMBOL[v]} {t[v]} {v}" for v in VERDICTS)
               + f" · {t['not_applicable']} not applicable")
    out.append("")
    endpoints = ", ".join(f"{md_code(e['endpoint'])} ({md_text(e['scheme'])}, {md_text(e['addressing_style'])})"
                          for e in report["target"]["endpoints"]) or "–"
    dur = f" ({run['duration']:.0f} s)" if isinstance(run["duration"], (int, float)) else ""
    profile = report["target"].get("profile", "service")
    out.append(f"Judged against: **{md_text(PROFILES.get(profile, profile))}** (profile {md_code(profile)})")
    out.append("")
    out.append(f"Run {md_code(run['id'])} · seed {md_code(run['seed'])} · {md_text(run['started'] or '?')} → "
               f"{md_text(run['finished'] or '?')}{dur} · endpoints: {endpoints}")
    db = run.get("hypothesis_db") or {}
    if db.get("path"):
        replayed = ", ".join(md_code(x) for x in db.get("replayed", [])[:20]) or "none"
        out.append(f"Example database {md_code(db['path'])}: replayed {replayed}")
    out.append("")
    ids_with_repro = {c["id"] for c in with_repro}
    for verdict, title in (("gap", "Gaps"), ("extra", "Extras"), ("error", "Errors")):
        checks = [c for c in ordered_checks(report) if c["verdict"] == verdict]
        if not checks:
            continue
        out += [f"### {SYMBOL[verdict]} {title} ({len(checks)})", "", f"_{md_text(DEFINITIONS[verdict])}_", ""]
        out += _check_table(checks)
        out.append("")
        for c in checks:
            if c["id"] in ids_with_repro:
                out += _repro(c)
        if any(c["id"] not in ids_with_repro for c in checks):
            out += [f"_Reproductions not shown here for lack of room: see {md_text(html_name)}._", ""]
    out += ["### Matrix: operation × client" + (" × scheme" if len(report["matrix"]["schemes"]) > 1 else ""), ""]
    out += _matrix(report)
    out.append("")
    lims = [c for c in ordered_checks(report) if c["verdict"] == "limitation"]
    if lims:
        out += [f"### {SYMBOL['limitation']} Limitations ({len(lims)})", "",
                f"_{md_text(DEFINITIONS['limitation'])}_", ""]
        out += [f"- {md_code(c['id'])}: {md_text(differences_line(c, 200))}" for c in lims[:50]]
        if len(lims) > 50:
            out.append(f"- … and {len(lims) - 50} more")
        out.append("")
    out += _coverage(report)
    out += _latency(report)
    if report["warnings"] or report["cleanup"]["failed"]:
        out += ["### Warnings", ""]
        out += [f"- {md_text(w)}" for w in report["warnings"]]
        for f in report["cleanup"]["failed"][:20]:
            out.append(f"- cleanup could not delete {md_code(squeeze(str(f.get('key', '?'))))}: "
                       f"{md_text(compact(f, 200))}")
        out.append("")
    out.append(f"<sub>Full details (expected vs observed, wire exchanges, reproductions): {html.escape(html_name)}, "
               "report.json, junit.xml.</sub>")
    return "\n".join(out) + "\n"


def _coverage(report: dict[str, Any]) -> list[str]:
    """Issue 10: what a run actually judged, behaviour by behaviour (rules of harness/rules.py)."""
    rows = report.get("coverage") or []
    if not rows:
        return []
    out = ["### Coverage: which clients judged each behaviour", "",
           "| rule | judged by (worst verdict) | not judged |", "|---|---|---|"]
    for r in rows:
        judged = ", ".join(f"{md_text(c)} {SYMBOL[v]}" for c, v in r["judged"].items()) or "**nothing**"
        why = "; ".join(f"{md_text(c)}: {md_text(reason[:80])}" for c, reason in r["not_judged"].items()) or "—"
        out.append(f"| {md_code(r['rule'])} | {judged} | {why} |")
    out.append("")
    return out


def _latency(report: dict[str, Any]) -> list[str]:
    rows = report["latency"]
    if not rows:
        return []
    clients = [c for c in report["matrix"]["clients"] if any(r["client"] == c for r in rows)]
    clients += sorted({r["client"] for r in rows} - set(clients))
    ops = list(dict.fromkeys(r["operation"] for r in rows))
    by = {(r["operation"], r["client"]): r for r in rows}
    out = ["### Latency: p50 / p95 in ms (requests)", "",
           "| operation | " + " | ".join(md_text(c) for c in clients) + " |", "|" + "---|" * (len(clients) + 1)]
    for op in ops:
        cells = []
        for cl in clients:
            r = by.get((op, cl))
            cells.append("·" if r is None else f"{ms(r['p50'])} / {ms(r['p95'])} ({r['requests']})")
        out.append(f"| {md_code(op)} | " + " | ".join(cells) + " |")
    out.append("")
    return out
