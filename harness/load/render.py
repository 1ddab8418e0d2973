"""report.md and a self-contained report.html (inline CSS and SVG, no script, a CSP that allows no request)."""

from __future__ import annotations

from collections import defaultdict
from html import escape

from harness.load.workload import OPERATIONS

COLOURS = dict(zip(OPERATIONS, ("#6b7280", "#0891b2", "#7c3aed", "#dc2626", "#16a34a", "#ca8a04", "#2563eb"),
                   strict=True))
PCT_COLOURS = {"p50": "#16a34a", "p95": "#ca8a04", "p99": "#dc2626"}
VERDICT_TEXT = {"consistent": "CONSISTENT: no anomaly", "anomalies": "ANOMALIES: not read-after-write consistent",
                "incomplete": "INCOMPLETE: a worker's history is missing, no verdict"}


def _ms(s) -> str:
    return "–" if s is None else f"{s * 1000:.1f}"


def _ratio(x) -> str:
    return "–" if x is None else f"{x:.2f}"


# ---------------------------------------------------------------- markdown
def markdown(r: dict) -> str:
    load = r["load"]
    c = load["consistency"]
    g = load["generator"]
    w = load["workload"]
    out = [f"# Load run {r['run']['id']} against {r['target']['name']}", "",
           f"**Consistency: {VERDICT_TEXT[c['verdict']]}** ({c['checked']['writes']} writes, {c['checked']['reads']} "
           f"reads, {c['checked']['listings']} listings checked; clock skew allowance {c['clock_skew_seconds']:.4f} s)",
           "",
           f"Workload: {w['users']} users ({load['distribution']['mode']}, {load['distribution']['workers']} worker "
           f"process(es)), {w['duration']:g} s, {w['keys']} keys ({w['hot_keys']} hot, {w['hot_share']:.0%} of "
           f"operations), think time {w['think_time'][0]:g}–{w['think_time'][1]:g} s, seed {w['seed']}. "
           f"{load['totals']['requests']} requests, {load['totals']['throughput']:.1f}/s, "
           f"{load['totals']['failures']} failed.", "",
           f"Generator: {g['capacity_requests_per_second']:.0f} signed requests per CPU-second over "
           f"{len(g['workers'])} worker process(es); bottleneck: **{g['bottleneck']}**"
           + (f" ({'; '.join(g['bottleneck_reasons'])})" if g["bottleneck_reasons"] else ""), "",
           "| operation | requests | failed | req/s | p50 ms | p95 ms | p99 ms | p50 / ref | p95 / ref |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lat = load["ratios"]["latency"]
    for o in load["operations"]:
        q = lat.get(o["operation"], {})
        out.append(f"| {o['operation']} | {o['requests']} | {o['failures']} | {o['throughput']:.1f} | {_ms(o['p50'])} "
                   f"| {_ms(o['p95'])} | {_ms(o['p99'])} | {_ratio(q.get('p50'))} | {_ratio(q.get('p95'))} |")
    out += ["", f"Ratios: latency relative to {load['ratios']['reference']} in the same run; throughput / generator "
            f"capacity = {_ratio(load['ratios']['throughput'])}.", ""]
    if load["errors"]:
        out += ["## Errors", "", "| operation | code | status | count | rate |", "|---|---|---:|---:|---:|"]
        out += [f"| {e['operation']} | {e['code']} | {e['status'] if e['status'] is not None else '–'} | {e['count']} "
                f"| {e['rate']:.2%} |" for e in load["errors"]]
        out.append("")
    if c["anomalies"]:
        out += [f"## Anomalies ({len(c['anomalies'])})", ""]
        for i, a in enumerate(c["anomalies"][:50], 1):
            out.append(f"{i}. **{a['kind']}** key slot {a['key_slot']}: {a['message']}")
            for h in a["history"]:
                out.append(f"   - `{h['op']}` {h['start']:.4f}–{h['end']:.4f} s, status {h['status']}, "
                           f"value {h.get('value')}, connection `{h['conn']}`")
        if len(c["anomalies"]) > 50:
            out.append(f"\n… and {len(c['anomalies']) - 50} more in report.json")
        out.append("")
    if load["warnings"]:
        out += ["## Warnings", ""] + [f"- {x}" for x in load["warnings"]] + [""]
    cl = load["cleanup"]
    out.append(f"Cleanup: deleted {cl['deleted']} of {cl['attempted']} keys under `{r['target']['run_prefix']}`"
               + (f", {len(cl['failed'])} failed" if cl["failed"] else "") + ".")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- SVG
def _svg_lines(series: dict[str, tuple[str, list[tuple[float, float]]]], title: str, unit: str,
               width: int = 560, height: int = 200) -> str:
    """A line chart: series name -> (colour, [(x, y)]). Axes from 0; labels at the ends."""
    pad_l, pad_b, pad_t, pad_r = 48, 24, 22, 110
    pts = [p for _, ps in series.values() for p in ps]
    if not pts:
        return f'<p class="empty">{escape(title)}: no data</p>'
    x_max = max(x for x, _ in pts) or 1.0
    y_max = max(y for _, y in pts) or 1.0
    sx = lambda x: pad_l + (width - pad_l - pad_r) * x / x_max  # noqa: E731
    sy = lambda y: height - pad_b - (height - pad_b - pad_t) * y / y_max  # noqa: E731
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<text x="{pad_l}" y="14" class="t">{escape(title)}</text>',
             f'<line x1="{pad_l}" y1="{sy(0)}" x2="{width - pad_r}" y2="{sy(0)}" class="axis"/>',
             f'<line x1="{pad_l}" y1="{sy(0)}" x2="{pad_l}" y2="{pad_t}" class="axis"/>',
             f'<text x="{pad_l - 4}" y="{pad_t + 4}" class="yl">{y_max:.3g}</text>',
             f'<text x="{pad_l - 4}" y="{sy(0)}" class="yl">0</text>',
             f'<text x="{pad_l - 4}" y="{pad_t + 16}" class="yl">{escape(unit)}</text>',
             f'<text x="{width - pad_r}" y="{height - 6}" class="xl">{x_max:.0f} s</text>']
    for i, (name, (colour, ps)) in enumerate(series.items()):
        ps = sorted(ps)
        d = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in ps)
        parts.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        if len(ps) == 1:
            parts.append(f'<circle cx="{sx(ps[0][0]):.1f}" cy="{sy(ps[0][1]):.1f}" r="2.5" fill="{colour}"/>')
        parts.append(f'<text x="{width - pad_r + 8}" y="{pad_t + 12 + 14 * i}" fill="{colour}" class="lg">'
                     f'{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_bars(rows: list[tuple[str, float, str]], title: str, width: int = 560) -> str:
    """Horizontal bars: (label, value 0..1, text)."""
    if not rows:
        return f'<p class="empty">{escape(title)}: none</p>'
    h = 22 + 18 * len(rows)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {h}" width="{width}" height="{h}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<text x="4" y="14" class="t">{escape(title)}</text>']
    for i, (label, value, text) in enumerate(rows):
        y = 22 + 18 * i
        parts.append(f'<text x="4" y="{y + 12}" class="lg">{escape(label)}</text>'
                     f'<rect x="260" y="{y + 2}" width="{max(1.0, 220 * min(value, 1.0)):.1f}" height="12" '
                     f'fill="#dc2626"/><text x="{485}" y="{y + 12}" class="lg">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def charts(load: dict) -> list[str]:
    by_op: dict[str, list[dict]] = defaultdict(list)
    for p in load["timeline"]["points"]:
        by_op[p["operation"]].append(p)
    out = [_svg_lines({op: (COLOURS[op], [(p["t"], p["rps"]) for p in ps]) for op, ps in by_op.items()},
                      "requests/s per operation", "req/s")]
    for op, ps in by_op.items():
        out.append(_svg_lines({q: (PCT_COLOURS[q], [(p["t"], p[q] * 1000) for p in ps if p[q] is not None])
                               for q in ("p50", "p95", "p99")}, f"{op} latency", "ms", height=160))
    out.append(_svg_bars([(f"{e['operation']} {e['code']}", e["rate"], f"{e['count']} ({e['rate']:.1%})")
                          for e in load["errors"]], "error rate by operation and S3 error code"))
    return out


# ---------------------------------------------------------------- HTML
CSS = """body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#111}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td:first-child,th:first-child{text-align:left}
.verdict{padding:.6em 1em;font-weight:bold;display:inline-block;border-radius:4px}
.consistent{background:#dcfce7}.anomalies{background:#fee2e2}.incomplete{background:#fef9c3}
.chart{display:block;margin:.8em 0}.t{font-weight:bold;font-size:12px}.yl{font-size:10px;text-anchor:end}
.xl{font-size:10px;text-anchor:end}.lg{font-size:11px}.axis{stroke:#999}code{font-size:12px}
.grid{display:flex;flex-wrap:wrap;gap:0 1.5em}"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _table(head: list[str], rows: list[list]) -> str:
    return ("<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
            + "</table>")


def html(r: dict) -> str:
    load = r["load"]
    c = load["consistency"]
    g = load["generator"]
    lat = load["ratios"]["latency"]
    ops = _table(["operation", "requests", "failed", "req/s", "p50 ms", "p95 ms", "p99 ms", "p50/ref", "p95/ref"],
                 [[o["operation"], o["requests"], o["failures"], f"{o['throughput']:.1f}", _ms(o["p50"]),
                   _ms(o["p95"]), _ms(o["p99"]), _ratio(lat.get(o["operation"], {}).get("p50")),
                   _ratio(lat.get(o["operation"], {}).get("p95"))] for o in load["operations"]])
    workers = _table(["worker", "requests", "CPU s", "wall s", "CPU busy", "signed req/CPU-s", "signatures/s",
                      "CPU warning", "clock offset s"],
                     [[w["worker"], w["requests"], w["cpu_seconds"], w["wall_seconds"], f"{w['cpu_busy']:.0%}",
                       w["signed_requests_per_cpu_second"], w["signatures_per_second"], w["cpu_warning"],
                       w["clock_offset"]] for w in g["workers"]])
    anomalies = "".join(
        f"<h3>{i}. {escape(a['kind'])} — key slot {a['key_slot']}</h3><p>{escape(a['message'])}</p>"
        + _table(["op", "start s", "end s", "status", "value", "connection"],
                 [[h["op"], f"{h['start']:.4f}", f"{h['end']:.4f}", h["status"], h.get("value"), h["conn"]]
                  for h in a["history"]])
        for i, a in enumerate(c["anomalies"][:200], 1))
    bottleneck = (f"<p><b>Bottleneck: {escape(g['bottleneck'])}</b>"
                  + (" — " + escape("; ".join(g["bottleneck_reasons"])) if g["bottleneck_reasons"] else "")
                  + "</p>")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>Load run {escape(r['run']['id'])}</title><style>{CSS}</style></head><body>
<h1>Load run {escape(r['run']['id'])} against {escape(r['target']['name'])}</h1>
<p>{escape(r['target']['endpoint_url'])} bucket {escape(r['target']['bucket'])}, keys under
<code>{escape(r['target']['run_prefix'])}</code>; {escape(str(r['run']['duration']))} s,
{load['totals']['requests']} requests ({load['totals']['throughput']:.1f}/s), {load['totals']['failures']} failed.</p>
<div class="verdict {escape(c['verdict'])}">{escape(VERDICT_TEXT[c['verdict']])}</div>
<p>{c['checked']['writes']} writes, {c['checked']['reads']} reads, {c['checked']['listings']} listings checked against
{escape(c['model'])}; clock skew allowance {c['clock_skew_seconds']:.4f} s.</p>
<h2>Per operation</h2>{ops}
<p>Ratios: latency relative to {escape(str(load['ratios']['reference']))} measured in the same run; throughput /
generator capacity = {_ratio(load['ratios']['throughput'])}.</p>
<h2>Over time</h2><div class="grid">{''.join(charts(load))}</div>
<h2>Load generator</h2>{bottleneck}{workers}
<h2>Anomalies ({len(c['anomalies'])})</h2>{anomalies or '<p>none</p>'}
<h2>Workload</h2><pre>{escape(repr(load['workload']))}</pre>
<p>Cleanup: deleted {load['cleanup']['deleted']} of {load['cleanup']['attempted']} keys.</p>
</body></html>
"""
