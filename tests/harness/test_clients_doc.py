"""docs/clients.md is generated from the client registry and a run's report (harness/drivers/docs.py)."""

from __future__ import annotations

import json

from harness.drivers.docs import main, render
from harness.drivers.registry import CLIENTS


def _check(client, variant, step, verdict, ops, status, code=None, note="", expected=200):
    return {"id": f"config-matrix/{client}-x-{step}/{client}[{variant}]/http-path", "group": "config-matrix",
            "scenario": f"{client}-{'defaults' if variant == CLIENTS[client].matrix[0] else 'settings'}-{step}",
            "client": client, "variant": variant, "scheme": "http", "addressing": "path", "verdict": verdict,
            "operations": ops, "observed": {"status": status, "error_code": code, "note": note},
            "expected": {"status": expected}}


REPORT = {
    "run": {"id": "20990101T000000Z-abcdef12", "started": "2099-01-01T00:00:00Z"},
    "target": {"name": "emulator"},
    "clients": [{"name": "rclone", "variant": "tuned", "version": "rclone v1.60.1-DEV"}],
    "checks": [
        _check("rclone", "defaults", "put-small", "limitation", ["CreateBucket"], 501, "NotImplemented",
               "inside: exit 1; stderr: request id: ABC, Failed to copyto: NotImplemented: The CreateBucket operation "
               "is not supported"),
        _check("rclone", "tuned", "put-small", "pass", ["PutObject"], 200),
        _check("curl", "defaults", "get", "pass", ["GetObject"], 400, "InvalidRequest", expected=400),
    ],
}


def test_every_client_has_its_section_and_stdcdn_configuration():
    text = render(REPORT, "reports/emulator/report.json")
    assert "20990101T000000Z-abcdef12" in text and "`emulator` target" in text
    for spec in (s for s in CLIENTS.values() if not s.internal):
        assert f"## {spec.title} (`{spec.name}`)" in text
        assert spec.stdcdn_config in text
    assert "`rclone v1.60.1-DEV`" in text


def test_defaults_show_the_operation_outside_the_seven_and_the_error():
    text = render(REPORT, "r.json")
    rclone = text.split("## rclone")[1].split("\n## ")[0]
    assert "sends **CreateBucket**, answered **501 NotImplemented** (limitation)" in rclone
    assert "request id" not in rclone and "ABC" not in rclone  # volatile ids are not part of the page
    assert "every step of the session stays inside the seven operations" in rclone  # the tuned settings
    curl = text.split("## curl")[1]
    assert "answered as S3 would: **400 InvalidRequest**" in curl


def test_command_line(tmp_path, capsys):
    report = tmp_path / "report.json"
    report.write_text(json.dumps(REPORT))
    out = tmp_path / "clients.md"
    assert main([str(report), "--out", str(out)]) == 0
    assert out.read_text().startswith("# Configuring your S3 client")
    assert main([str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err
