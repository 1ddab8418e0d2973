"""s3-gate: regressions, strict fixes, new and vanished checks, --update, and bad input (exit 2, one line)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest

from harness import gate
from harness.report import write_reports
from tests.reports import synthetic
from tests.reports.conftest import dump

GAP = "stateful/bucket-machine/s3cmd[doc]/https-virtual"
PASS = "doc-examples/buckets-all/boto3[when_supported]/http-path"
LIMITATION = "negative/multipart-upload/s3cmd[doc]/http-path"
ERROR = "probes/object-20MiB/awscli[s3api]/https-virtual"


def with_verdicts(results: dict, **changes: str) -> dict:
    data = copy.deepcopy(results)
    for r in data["records"]:
        if r["id"] in changes:
            r["verdict"] = changes[r["id"]]
    return data


@pytest.fixture
def baseline(tmp_path, realistic) -> str:
    path = str(tmp_path / "baseline" / "emulator.json")
    assert gate.main([dump(tmp_path / "base-run" / "results.json", realistic), "--baseline", path, "--update"]) == 0
    return path


def run_gate(tmp_path, results: dict, baseline: str, *extra: str, as_report: bool = True) -> int:
    path = dump(tmp_path / "run" / "results.json", results)
    if as_report:
        path = write_reports(path, tmp_path / "run")["json"]
    return gate.main([path, "--baseline", baseline, *extra])


@pytest.mark.parametrize("before, now, kind", [
    ("pass", "pass", "unchanged"), ("pass", "gap", "regression"), ("pass", "error", "regression"),
    ("pass", "limitation", "regression"), ("pass", "extra", "regression"),
    ("limitation", "gap", "regression"), ("limitation", "extra", "regression"), ("limitation", "error", "regression"),
    ("gap", "pass", "fix"), ("extra", "pass", "fix"), ("error", "pass", "fix"), ("limitation", "pass", "fix"),
    ("gap", "limitation", "fix"), ("extra", "limitation", "fix"), ("error", "limitation", "fix"),
    ("gap", "extra", "changed"), ("gap", "error", "changed"), ("error", "gap", "changed"),
])
def test_classify(before, now, kind):
    assert gate.classify(before, now) == kind


def test_the_same_run_passes(tmp_path, realistic, baseline, capsys):
    assert run_gate(tmp_path, realistic, baseline) == 0
    out = capsys.readouterr().out
    assert "s3-gate: OK: 0 regression(s), 0 unrecorded fix(es), 0 changed, 0 new, 0 vanished, 67 unchanged" in out


def test_a_regression_fails(tmp_path, realistic, baseline, capsys):
    capsys.readouterr()
    assert run_gate(tmp_path, with_verdicts(realistic, **{PASS: "gap", LIMITATION: "extra"}), baseline) == 1
    out = capsys.readouterr().out
    assert "REGRESSIONS: passed (or was refused cleanly) in the baseline, does not now (2):" in out
    assert f"      pass -> gap        {PASS}" in out and f"limitation -> extra      {LIMITATION}" in out
    assert "s3-gate: FAIL: 2 regression(s)" in out


def test_an_error_where_a_pass_was_is_a_regression(tmp_path, realistic, baseline, capsys):
    assert run_gate(tmp_path, with_verdicts(realistic, **{PASS: "error"}), baseline, as_report=False) == 1
    assert f"pass -> error      {PASS}" in capsys.readouterr().out


def test_a_fix_fails_until_the_baseline_is_updated(tmp_path, realistic, baseline, capsys):
    fixed = with_verdicts(realistic, **{GAP: "pass", ERROR: "pass"})
    assert run_gate(tmp_path, fixed, baseline) == 1
    captured = capsys.readouterr()
    assert "FIXES not yet in the baseline (record them with --update) (2):" in captured.out
    assert f"       gap -> pass       {GAP}" in captured.out
    assert "--update" in captured.err
    assert run_gate(tmp_path, fixed, baseline, "--update") == 0
    with open(baseline, encoding="utf-8") as f:
        assert json.load(f)["checks"][GAP] == "pass"
    assert run_gate(tmp_path, fixed, baseline) == 0


def test_changes_between_failing_verdicts_are_listed_not_failed(tmp_path, realistic, baseline, capsys):
    assert run_gate(tmp_path, with_verdicts(realistic, **{GAP: "error"}), baseline) == 0
    out = capsys.readouterr().out
    assert "changed between failing verdicts (1):" in out and f"gap -> error      {GAP}" in out


def test_new_and_vanished_checks(tmp_path, realistic, baseline, capsys):
    data = copy.deepcopy(realistic)
    data["records"] = [r for r in data["records"] if r["id"] != PASS]
    data["records"].append(synthetic.record("probes", "brand-new", "boto3", "when_supported", verdict="gap"))
    assert run_gate(tmp_path, data, baseline) == 0
    out = capsys.readouterr().out
    assert "NEW checks (1):" in out and "gap        probes/brand-new/boto3[when_supported]/http-path" in out
    assert "VANISHED checks (in the baseline, not in this run) (1):" in out and PASS in out
    assert "1 new, 1 vanished" in out
    assert run_gate(tmp_path, data, baseline, "--fail-on-new") == 1


def test_update_writes_a_compact_sorted_reviewable_file(tmp_path, realistic, baseline):
    with open(baseline, encoding="utf-8") as f:
        text = f.read()
    data = json.loads(text)
    assert set(data) == {"baseline_version", "target", "from_run", "clients", "totals", "checks", "latency"}
    assert data["target"] == "emulator" and data["from_run"]["id"] == synthetic.RUN_ID
    assert data["totals"] == {"pass": 53, "gap": 2, "limitation": 10, "extra": 1, "error": 1}
    assert list(data["checks"]) == sorted(data["checks"]) and len(data["checks"]) == 67
    assert f'\n    "{PASS}": "pass",\n' in text  # one check per line: a verdict change is a one-line diff
    shuffled = copy.deepcopy(realistic)
    shuffled["records"].reverse()
    again = str(tmp_path / "again.json")
    assert gate.main([dump(tmp_path / "r2" / "results.json", shuffled), "--baseline", again, "--update"]) == 0
    with open(again, encoding="utf-8") as f:
        assert f.read() == text  # the order of the records does not matter


def test_default_paths(tmp_path, realistic, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write_reports(dump(tmp_path / "reports" / "emulator" / "results.json", realistic), "reports/emulator")
    assert gate.main(["--update"]) == 0
    assert os.path.exists("reports/baseline/emulator.json")
    assert gate.main([]) == 0
    assert gate.main(["--target", "moto"]) == 2
    assert "reports/moto/results.json: no such file" in capsys.readouterr().err


def _bad_input_cases(tmp_path, realistic, baseline):
    good = dump(tmp_path / "good" / "results.json", realistic)
    report = write_reports(good, tmp_path / "good")["json"]
    with open(report, encoding="utf-8") as f:
        broken_report = json.load(f)
    broken_report["checks"][0]["verdict"] = "flaky"
    (tmp_path / "notjson.json").write_text("{oops", encoding="utf-8")
    (tmp_path / "list.json").write_text("[]", encoding="utf-8")
    (tmp_path / "other.json").write_text('{"hello": 1}', encoding="utf-8")
    bad_base = dump(tmp_path / "bad-base.json", {"baseline_version": 1, "checks": {PASS: "fine"}})
    old_base = dump(tmp_path / "old-base.json", {"baseline_version": 0, "checks": {}})
    moto_base = dump(tmp_path / "moto-base.json", {"baseline_version": 1, "target": "moto", "checks": {}})
    return [
        ([str(tmp_path / "missing.json"), "--baseline", baseline], "missing.json: no such file"),
        ([str(tmp_path / "notjson.json"), "--baseline", baseline], "not JSON (Expecting property name"),
        ([str(tmp_path / "list.json"), "--baseline", baseline], "expected a JSON object, found list"),
        ([str(tmp_path / "other.json"), "--baseline", baseline], "neither a report.json"),
        ([dump(tmp_path / "broken" / "report.json", broken_report), "--baseline", baseline],
         "malformed: at checks/0/verdict: 'flaky' is not one of"),
        ([dump(tmp_path / "rec" / "results.json", {"records": [{"id": "x", "verdict": "meh"}]}), "--baseline",
          baseline], "malformed: record 'x': unknown verdict 'meh'"),
        ([report, "--baseline", str(tmp_path / "none.json")], "none.json: no such file"),
        ([report, "--baseline", bad_base], f"malformed: check {PASS!r} has verdict 'fine'"),
        ([report, "--baseline", old_base], "'baseline_version' is 0, expected 1"),
        ([report, "--baseline", moto_base], "is for target 'moto', the run is against 'emulator'"),
        ([report, "--baseline", baseline, "--target", "live"], "is a run against 'emulator', not 'live'"),
    ]


def test_bad_input_exits_2_with_one_line(tmp_path, realistic, baseline, capsys):
    capsys.readouterr()
    for argv, message in _bad_input_cases(tmp_path, realistic, baseline):
        assert gate.main(argv) == 2, argv
        captured = capsys.readouterr()
        assert captured.err.count("\n") == 1 and captured.err.startswith("s3-gate: "), captured.err
        assert message in captured.err, (message, captured.err)
        assert captured.out == ""


def test_bad_input_from_the_command_line_has_no_traceback(tmp_path, realistic, baseline):
    for argv, message in _bad_input_cases(tmp_path, realistic, baseline)[:5]:
        p = subprocess.run([sys.executable, "-m", "harness.gate", *argv], capture_output=True, text=True)
        assert p.returncode == 2 and p.stderr.count("\n") == 1 and message in p.stderr, p.stderr
        assert "Traceback" not in p.stderr


# ------------------------------------------------------------------ latency of conformance runs
def with_latency(results: dict, operation: str, scale: float = 1.0, add: float = 0.0) -> dict:
    data = copy.deepcopy(results)
    for r in data["records"]:
        for t in r.get("timings") or []:
            if t["operation"] == operation and t.get("duration") is not None:
                t["duration"] = t["duration"] * scale + add
    return data


def test_a_2s_wait_on_every_get_is_a_latency_regression_of_its_own(tmp_path, realistic, baseline, capsys):
    capsys.readouterr()
    assert run_gate(tmp_path, with_latency(realistic, "GetObject", add=2.0), baseline) == 1
    out = capsys.readouterr().out
    assert "LATENCY REGRESSIONS (not conformance: slower than 3x the baseline and by more than 0.25 s)" in out
    assert "GetObject boto3" in out and "GetObject s3cmd" in out and "PutObject" not in out
    assert "REGRESSIONS: passed" not in out  # apart from conformance regressions
    assert "s3-gate: FAIL: 0 regression(s)" in out and "latency regression(s)" in out


def test_latency_noise_within_the_factor_or_the_floor_passes(tmp_path, realistic, baseline, capsys):
    assert run_gate(tmp_path, with_latency(realistic, "GetObject", scale=2.5), baseline) == 0  # under 3x
    assert run_gate(tmp_path, with_latency(realistic, "GetObject", scale=10), baseline) == 0  # ms: under the floor
    assert "0 latency regression(s)" in capsys.readouterr().out
    assert run_gate(tmp_path, with_latency(realistic, "GetObject", scale=2.5), baseline, "--latency-factor", "2",
                    "--latency-floor", "0") == 1
    assert run_gate(tmp_path, with_latency(realistic, "GetObject", add=2.0), baseline, "--no-latency") == 0


def test_one_stalled_request_among_few_is_not_a_latency_regression():
    """Seen in CI: 12 HeadBucket requests, one stalled 1 s on the shared machine, made p95 (nearest rank: the max)
    jump 12 ms -> 1022 ms. p95 is judged over 40+ requests only; p50 still catches an endpoint slow every time."""
    from harness.gate import compare_latency

    base = {"HeadBucket boto3": {"p50": 0.004, "p95": 0.012, "requests": 12}}
    stalled = {"HeadBucket boto3": {"p50": 0.004, "p95": 1.02, "requests": 12}}
    assert compare_latency(base, stalled, 3.0, 0.25) == []
    slow_always = {"HeadBucket boto3": {"p50": 2.0, "p95": 2.1, "requests": 12}}
    assert [q for _, q, _, _ in compare_latency(base, slow_always, 3.0, 0.25)] == ["p50"]
    many = {"GetObject boto3": {"p50": 0.004, "p95": 0.012, "requests": 400}}
    assert compare_latency(many, {"GetObject boto3": {"p50": 0.004, "p95": 1.0, "requests": 400}}, 3.0, 0.25)


def test_a_baseline_without_latency_figures_says_so(tmp_path, realistic, baseline, capsys):
    with open(baseline, encoding="utf-8") as f:
        data = json.load(f)
    del data["latency"]
    old = dump(tmp_path / "old.json", data)
    capsys.readouterr()
    assert run_gate(tmp_path, with_latency(realistic, "GetObject", add=2.0), old) == 0
    assert "latency not gated: the baseline has no latency figures" in capsys.readouterr().out


# ------------------------------------------------------------------ load runs
def load_report(tmp_path, *, slow_get: float = 0.0, stale: bool = False, errors: int = 0) -> str:
    from harness.load import report as load_report_mod
    from harness.load.history import History, Op, WorkerSummary
    from harness.load.workload import Workload

    ops, t = [], 100.0
    for i in range(40):  # a clean interleaving on one key
        ops.append(Op(f"p{i}", "PutObject", 0, "w", "c1", t, t + 0.01, 200, value=f"v{i}", md5=f"m{i}"))
        ops.append(Op(f"g{i}", "GetObject", 0, "w", "c2", t + 0.02, t + 0.03 + slow_get, 200, value=f"v{i}",
                      md5=f"m{i}"))
        ops.append(Op(f"h{i}", "HeadBucket", None, "w", "c3", t + 0.04, t + 0.05,
                      503 if i < errors else 200, code="SlowDown" if i < errors else None))
        t += 0.1
    if stale:
        ops.append(Op("stale", "GetObject", 0, "w", "c2", t + 1, t + 1.01, 200, value="v0", md5="m0"))
    h = History(ops, [WorkerSummary("w", len(ops), 4.0, 1.0, 50000.0, False, 0.0, 0.0, True)], ["w"], 100.0,
                t + 2)
    r = load_report_mod.build(h, Workload(keys=1, hot_keys=0), run_id="20261130T000000Z-0000load",
                              target={"name": "emulator", "endpoint_url": "http://127.0.0.1:1", "bucket": "load",
                                      "addressing_style": "path", "region": "us-east-1",
                                      "run_prefix": "s3-conformance/x/load/"},
                              distribution={"mode": "local", "workers": 1}, cleanup={}, locust_version="test",
                              exit_code=0)
    name = f"load-{slow_get}-{stale}-{errors}"
    return load_report_mod.write(r, str(tmp_path / name))["json"]


def test_a_load_run_gates_on_ratios_errors_and_anomalies(tmp_path, capsys):
    base = str(tmp_path / "baseline" / "load-emulator.json")
    assert gate.main([load_report(tmp_path), "--baseline", base, "--update"]) == 0
    with open(base, encoding="utf-8") as f:
        data = json.load(f)
    assert data["kind"] == "load" and data["anomalies"] == 0 and data["ratios"]["reference"] == "HeadBucket"
    assert gate.main([load_report(tmp_path), "--baseline", base]) == 0
    capsys.readouterr()
    assert gate.main([load_report(tmp_path, stale=True), "--baseline", base]) == 1
    assert "consistency: 1 anomalies (stale-read)" in capsys.readouterr().out
    assert gate.main([load_report(tmp_path, slow_get=0.2), "--baseline", base]) == 1
    assert "latency: GetObject p50 / HeadBucket" in capsys.readouterr().out
    assert gate.main([load_report(tmp_path, errors=4), "--baseline", base]) == 1
    assert "error rate: HeadBucket 0.00% -> 10.00%" in capsys.readouterr().out


def test_a_load_run_against_a_conformance_baseline_is_bad_input(tmp_path, baseline, capsys):
    capsys.readouterr()
    assert gate.main([load_report(tmp_path), "--baseline", baseline]) == 2
    assert "is not a load baseline" in capsys.readouterr().err
    broken = json.loads(open(load_report(tmp_path), encoding="utf-8").read())
    broken["load"]["consistency"]["verdict"] = "fine"
    assert gate.main([dump(tmp_path / "b" / "report.json", broken), "--baseline", baseline]) == 2
    err = capsys.readouterr().err
    assert err.startswith("s3-gate: run ") and "malformed" in err and err.count("\n") == 1


def test_the_committed_load_baseline_is_a_load_baseline():
    path = os.path.join(os.path.dirname(__file__), "..", "..", "reports", "baseline", "load-emulator.json")
    data = gate._load(path, "baseline")  # noqa: SLF001
    assert data["kind"] == "load" and data["anomalies"] == 0 and data["ratios"]["latency"]
