"""Wire capture for subprocess clients: a sitecustomize in ``site/`` records every exchange (redacted)."""

from __future__ import annotations

import json
import os

from harness.observation import Exchange

SITE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "site")


def child_env(log_path: str, mode: str) -> dict:
    """Variables that make a Python client subprocess record its exchanges into ``log_path``."""
    return {"HARNESS_WIRE_LOG": log_path, "HARNESS_WIRE_MODE": mode, "PYTHONPATH": SITE_DIR}


def read_log(log_path: str) -> list[Exchange]:
    out: list[Exchange] = []
    if not os.path.exists(log_path):
        return out
    with open(log_path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            d = json.loads(line)
            out.append(Exchange(method=d["method"], url=d["url"], request_headers=d.get("request_headers", {}),
                                status=d.get("status"), response_headers=d.get("response_headers", {}),
                                started=d.get("started", 0.0), duration=d.get("duration", 0.0),
                                error=d.get("error")))
    return out
