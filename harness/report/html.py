"""report.html: one self-contained page (inline CSS and JS, no network) rendered from templates/report.html.j2.

Everything from the run goes through Jinja2's autoescaping (keys may hold ``<``, ``&``, quotes, any unicode).
The page carries a Content-Security-Policy that allows no network request at all and only its own script
(by hash), so even a value that escaped escaping could not run or fetch anything.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
from typing import Any
from urllib.parse import unquote

import jinja2
from markupsafe import Markup

from harness.report.build import ordered_checks
from harness.report.text import (
    anchor,
    client_label,
    compact,
    differences_line,
    headers_block,
    ms,
    pretty,
    squeeze,
    wire_line,
)
from harness.report.verdicts import DEFINITIONS, VERDICTS

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters.update(anchor=anchor, pretty=pretty, compact=compact, squeeze=squeeze, ms=ms, wire_line=wire_line,
                       headers_block=headers_block, client_label=client_label, differences_line=differences_line)
    return env


def _asset(name: str) -> str:
    with open(os.path.join(TEMPLATES, name), encoding="utf-8") as f:
        return f.read()


def _search_text(c: dict[str, Any]) -> str:
    parts = [c["id"], " ".join(c["operations"]), client_label(c), c["group"], c["scenario"], c["verdict"],
             c["scheme"], c["addressing"], c["notes"], differences_line(c, 2000)]
    if c.get("observed") and c["observed"].get("error_code"):
        parts.append(str(c["observed"]["error_code"]))
    parts += [unquote(w["url"]) for w in c["wire"]]  # the keys, as a reader types them
    if c["reproduction"]["hypothesis"]:
        parts += c["reproduction"]["hypothesis"]["minimal_sequence"]
    return " ".join(parts).lower()


def render_html(report: dict[str, Any]) -> str:
    checks = ordered_checks(report)
    cells = {}
    for cell in report["matrix"]["cells"]:
        title = ", ".join(f"{cell['counts'][v]} {v}" for v in VERDICTS if cell["counts"][v])
        cells[(cell["operation"], cell["client"], cell["scheme"])] = {**cell, "title": title}
    js = _asset("report.js").strip()
    script_hash = "sha256-" + base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")
    options = {
        "clients": report["matrix"]["clients"] or sorted({c["client"] for c in checks}),
        "groups": sorted({c["group"] for c in checks}),
        "schemes": report["matrix"]["schemes"] or sorted({c["scheme"] for c in checks}),
    }
    return _env().get_template("report.html.j2").render(
        report=report, t=report["totals"], checks=checks, matrix=report["matrix"], cells=cells,
        search=[_search_text(c) for c in checks], options=options, verdicts=VERDICTS, definitions=DEFINITIONS,
        versions={f"{cl['name']}[{cl['variant']}]" if cl["variant"] else cl["name"]: cl["version"]
                  for cl in report["clients"] if cl["version"]},
        css=Markup(_asset("report.css")), js=Markup(js), script_hash=script_hash)
