"""Small text helpers shared by the renderers."""

from __future__ import annotations

import json
import re
from typing import Any

_RUN = re.compile(r"(.)\1{39,}", re.DOTALL)


def squeeze(s: str) -> str:
    """Long runs of one character (1024-byte keys) as 'L×1024', so that summaries stay readable."""
    return _RUN.sub(lambda m: f"{m.group(1)}×{len(m.group(0))}", s)


def compact(value: Any, limit: int = 160) -> str:
    """A value as short one-line JSON (strings unquoted), squeezed and cut at ``limit`` characters."""
    s = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    s = squeeze(" ".join(s.split()) if isinstance(value, str) else s)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def pretty(value: Any) -> str:
    """A value as indented JSON, for <pre> blocks."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


def differences_line(check: dict[str, Any], limit: int = 300) -> str:
    """'status: expected 400, observed 200; ...' or, without differences, the observed outcome."""
    parts = [f"{d.get('field')}: expected {compact(d.get('expected'), 80)}, observed {compact(d.get('observed'), 80)}"
             for d in check["differences"]]
    if not parts and check.get("observed"):
        o = check["observed"]
        parts = [f"observed {o.get('outcome') or ''} {o.get('status') if o.get('status') is not None else ''} "
                 f"{o.get('error_code') or ''}".strip()]
    s = "; ".join(parts)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    v = seconds * 1000
    return f"{v:.1f}" if v < 100 else f"{v:.0f}"


def wire_line(w: dict[str, Any]) -> str:
    status = w.get("status") if w.get("status") is not None else (w.get("error") or "no response")
    dur = w.get("duration")
    tail = f" ({ms(dur)} ms)" if isinstance(dur, (int, float)) else ""
    return f"{w.get('method', '')} {w.get('url', '')} -> {status}{tail}"


def headers_block(headers: dict[str, Any]) -> str:
    return "\n".join(f"{k}: {v}" for k, v in headers.items())


def client_label(check: dict[str, Any]) -> str:
    return f"{check['client']}[{check['variant']}]" if check.get("variant") else check["client"]


def anchor(check_id: str) -> str:
    """A check's stable HTML id in report.html (links from the comparison page land on it): ``check-`` and the id
    with every character outside [A-Za-z0-9-] written as ``.xx`` (its UTF-8 bytes in hex), so that no two ids
    share an anchor and the anchor needs no escaping in a URL."""
    out = []
    for ch in check_id:
        if ch.isascii() and (ch.isalnum() or ch == "-"):
            out.append(ch)
        else:
            out.append("".join(f".{b:02x}" for b in ch.encode("utf-8")))
    return "check-" + "".join(out)
