"""The target registry (harness/kinds), the profiles (harness/profile.py) and what a report says about them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness.judge import unsupported_verdict
from harness.kinds import KINDS
from harness.ledgers import LEDGERS
from harness.observation import Observation
from harness.profile import Profile
from harness.report import build_report, render_all, validate_report
from tests.reports.synthetic import _results, record


def test_the_registry_has_every_kind_once_with_a_known_ledger():
    assert list(KINDS) == ["emulator", "moto", "live", "rgw", "seaweedfs"]
    for kind in KINDS.values():
        assert kind.main_labels and set(kind.main_labels) <= set(kind.all_labels), kind.name
        assert kind.ledger is None or kind.ledger in LEDGERS, kind.name
    assert {k.name for k in KINDS.values() if k.profile is Profile.SERVICE} == {"emulator", "live"}


def test_labels_follow_the_scheme_option():
    assert KINDS["emulator"].labels(False, ["http"]) == ["http-path"]
    assert KINDS["emulator"].labels(True, ["http", "https"]) == ["http-path", "https-path", "http-virtual",
                                                                 "https-virtual"]
    assert KINDS["rgw"].labels(False, ["https"]) == []  # RGW and SeaweedFS are served over HTTP only
    assert KINDS["live"].labels(False, ["https"]) == ["live"]


@pytest.mark.parametrize("status,code,outcome,service,s3", [
    (501, "NotImplemented", "client_error", "limitation", "limitation"),
    (200, None, "ok", "extra", "pass"),  # accepted: extra against the service, what S3 does for full S3
    (403, "AccessDenied", "client_error", "gap", "gap"),
    (200, None, "client_failure", "extra", "gap"),  # accepted on the wire but the client failed (s3cmd cp)
    (None, None, "transport_error", "error", "error"),
])
def test_unsupported_operation_verdict_per_profile(status, code, outcome, service, s3):
    obs = Observation(outcome, status=status, error_code=code)
    assert unsupported_verdict(obs, Profile.SERVICE)[0] == service
    assert unsupported_verdict(obs, Profile.S3)[0] == s3


def test_the_report_says_which_profile_it_judged_against():
    data = _results([record("negative", "unsupported-CopyObject", "boto3", "when_supported")], target="rgw",
                    profile="s3")
    report = build_report(data)
    validate_report(report)
    assert report["target"]["profile"] == "s3"
    files = render_all(report)
    assert b"Judged against: **full S3** (profile `s3`)" in files["md"]
    assert b"judged against <span class=\"profile\">full S3</span>" in files["html"]


def test_results_without_a_profile_were_judged_as_the_service():
    report = build_report(_results([record("negative", "sigv2-header", "boto3", "when_supported")]))
    assert report["target"]["profile"] == "service"


@pytest.mark.parametrize("name", ["rgw", "seaweedfs"])
def test_a_server_that_is_not_installed_is_one_line_and_exit_2(name, tmp_path):
    """The registry's validate() runs before any request: without the server, one line and exit code 2."""
    env = {"PATH": "/nonexistent", "PYTHONPATH": "."}
    code = ("import sys; sys.executable = '/nonexistent/python'; import pytest; "
            f"sys.exit(pytest.main(['scenarios', '-p', 'harness.plugin', '--target', '{name}', '-q', "
            f"'-p', 'no:cacheprovider', '--report-dir', r'{tmp_path}']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    lines = [x for x in (proc.stdout + proc.stderr).splitlines() if x.strip()]
    assert proc.returncode == 2, lines
    assert any(f"--target {name}" in x and "not installed" in x for x in lines), lines
    assert "Traceback" not in proc.stdout + proc.stderr
