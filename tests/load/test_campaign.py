"""Real Locust runs (short and bounded: seconds, a request cap) against the emulator and against faulty CDNs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import boto3
import pytest

from harness.load import report
from harness.load.checker import Kind, check
from harness.load.run import Distribution, campaign, free_port
from tests.load.conftest import live_env, run_live, short
from tests.load.faulty_cdn import FaultyCDN, StaleCache, Zombie


def leftover_keys(emu) -> list[str]:
    creds = emu.load_credentials
    s3 = boto3.client("s3", endpoint_url=emu.endpoint_url, region_name="us-east-1", aws_access_key_id=creds[0],
                      aws_secret_access_key=creds[1])
    return [o["Key"] for o in s3.list_objects(Bucket="load").get("Contents", [])]


def verdict(outcome, workload, tmp_path) -> dict:
    r = report.build(outcome.history, workload, run_id=outcome.run_id, target={
        "name": outcome.target.name, "endpoint_url": outcome.target.endpoint_url, "bucket": outcome.target.bucket,
        "addressing_style": outcome.target.addressing_style, "region": outcome.target.region,
        "run_prefix": outcome.target.run_prefix}, distribution={"mode": "local", "workers": 1},
        cleanup=outcome.cleanup, locust_version="test", exit_code=outcome.exit_code)
    report.write(r, str(tmp_path / "report"))  # validates against load.schema.json
    return r


@pytest.mark.parametrize("store", ["memory", "data_dir"])
def test_32_users_on_hot_keys_see_a_consistent_emulator(store, tmp_path):
    w = short(users=32, duration=2.0, keys=16, hot_keys=2)
    out = campaign("emulator", w, Distribution(), data_dir=str(tmp_path / "d") if store == "data_dir" else None,
                   workdir=str(tmp_path), say=lambda *_: None)
    r = verdict(out, w, tmp_path)
    c = r["load"]["consistency"]
    assert c["verdict"] == "consistent", c["anomalies"][:3]
    assert c["checked"]["writes"] > 50 and c["checked"]["reads"] > 50 and c["checked"]["listings"] > 10
    assert r["load"]["totals"]["failures"] == 0
    assert out.cleanup["deleted"] == out.cleanup["attempted"] == 16 and not out.cleanup["failed"]
    assert {o.key for o in out.history.ops if o.key is not None} <= set(range(16))
    html = (tmp_path / "report" / "report.html").read_text()
    assert "<svg" in html and "http://" not in html.split("</head>")[1].replace(out.target.endpoint_url, "")


def _assert_minimal(anomalies):
    for a in anomalies:
        reads = [o for o in a.history if o.op in ("GetObject", "HeadObject", "ListObjects")]
        assert 2 <= len(a.history) <= 4 and reads, a
        assert all(o.start <= reads[-1].start for o in a.history)


def test_a_stale_cdn_cache_is_caught_with_minimal_histories(emulator, tmp_path):
    w = short(users=8, duration=2.0, keys=2, hot_keys=1)
    with FaultyCDN(emulator.endpoint_url, StaleCache(ttl=1.0)) as cdn:
        out = run_live(cdn.url, emulator.load_credentials, w, tmp_path)
        assert cdn.server  # the proxy was in the path
    anomalies = check(out.history.ops, key_slots=w.keys, eps=out.history.skew)
    found = {a.kind for a in anomalies}
    assert found & {Kind.STALE_READ, Kind.STALE_ABSENT}
    assert found & {Kind.LIST_SHOWS_ABSENT, Kind.LIST_MISSES_PRESENT}, found
    _assert_minimal(anomalies)
    r = verdict(out, w, tmp_path)
    assert r["load"]["consistency"]["verdict"] == "anomalies"
    assert leftover_keys(emulator) == []


def test_an_edge_serving_deleted_objects_is_caught(emulator, tmp_path):
    w = short(users=8, duration=2.0, keys=2, hot_keys=1)
    zombie = Zombie(ttl=1.0)
    with FaultyCDN(emulator.endpoint_url, zombie) as cdn:
        out = run_live(cdn.url, emulator.load_credentials, w, tmp_path)
    assert zombie.hits > 0
    anomalies = check(out.history.ops, key_slots=w.keys, eps=out.history.skew)
    stale = [a for a in anomalies if a.kind is Kind.STALE_READ]
    assert any("deleted before the read began" in a.message for a in stale)
    assert all(a.kind is Kind.STALE_READ for a in anomalies)  # listings are not cached by this edge
    assert any(o.op == "DeleteObject" for a in stale for o in a.history)
    _assert_minimal(anomalies)


def test_two_processes_give_one_merged_history(emulator, tmp_path):
    w = short(users=8, duration=2.0)
    out = run_live(emulator.endpoint_url, emulator.load_credentials, w, tmp_path,
                   Distribution(mode="processes", processes=2))
    h = out.history
    assert len(h.workers) == 2 and not h.missing_workers
    assert {o.worker for o in h.ops} == {w_.worker for w_ in h.workers}
    assert sum(s.requests for s in h.workers) >= len([o for o in h.ops if o.code != "cut off at stop"])
    assert check(h.ops, key_slots=w.keys, eps=h.skew) == []
    assert leftover_keys(emulator) == []


def test_a_master_and_two_separately_started_workers(emulator, tmp_path):
    port = free_port()
    env = {**os.environ, **live_env(emulator.endpoint_url, emulator.load_credentials)}
    master = subprocess.Popen([sys.executable, "-m", "harness.load", "--target", "live", "--master",
                               "--expect-workers", "2", "--master-bind-port", str(port), "--duration", "2",
                               "--users", "8", "--spawn-rate", "8", "--think-time", "0,0.01", "--keys", "4",
                               "--report-dir", str(tmp_path / "r"),
                               "--keep-history", str(tmp_path / "h")], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    workers = [subprocess.Popen([sys.executable, "-m", "harness.load", "--worker", "--master-port", str(port)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        out, _ = master.communicate(timeout=120)
        for p in workers:
            p.wait(60)
    finally:
        for p in [master, *workers]:
            if p.poll() is None:
                p.kill()
                p.wait(10)
    assert master.returncode == 0, out
    rep = json.loads((tmp_path / "r" / "report.json").read_text())
    assert rep["load"]["distribution"]["workers"] == 2
    assert rep["load"]["consistency"]["verdict"] == "consistent"
    assert len({w["worker"] for w in rep["load"]["generator"]["workers"]}) == 2
    assert "consistency: consistent" in out and emulator.load_credentials[1] not in out
    for written in ("h/locust.log", "h/history.jsonl", "r/report.json", "r/report.md", "r/report.html"):
        assert emulator.load_credentials[1] not in (tmp_path / written).read_text()
    assert leftover_keys(emulator) == []


def test_ctrl_c_deletes_the_keys_of_the_run(emulator, tmp_path):
    env = {**os.environ, **live_env(emulator.endpoint_url, emulator.load_credentials)}
    p = subprocess.Popen([sys.executable, "-m", "harness.load", "--target", "live", "--duration", "60", "--users", "4",
                          "--spawn-rate", "4", "--keys", "8", "--report-dir", str(tmp_path / "r"),
                          "--keep-history", str(tmp_path / "h")],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        history = tmp_path / "h" / "history.jsonl"
        while time.monotonic() < deadline and not (history.exists() and '"ops"' in history.read_text()):
            time.sleep(0.2)  # waits for the run to be under way (not a timing assertion)
        assert leftover_keys(emulator), "the run wrote nothing"
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(10)
    assert p.returncode == 130, out
    assert "cleanup: deleted 8 of 8 keys" in out
    assert leftover_keys(emulator) == []
    assert emulator.load_credentials[1] not in out


@pytest.mark.parametrize("args, message", [
    (["--target", "nowhere"], "--target must be one of emulator, moto, live"),
    (["--keys", "0"], "--keys must be 1..1000"),
    (["--mix", "CopyObject=1"], "unknown operation 'CopyObject'"),
    (["--sizes", "9G=1"], "--sizes: cannot read"),
    (["--processes", "2", "--master"], "choose one of"),
])
def test_bad_options_exit_2_with_one_line(args, message, capsys):
    from harness.load.cli import main

    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_live_without_variables_exits_2(monkeypatch, capsys):
    from harness.load.cli import main

    for k in ("S3_BUCKET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(k, raising=False)
    assert main(["--target", "live"]) == 2
    assert "is not set: the live target needs it" in capsys.readouterr().err


def test_the_request_cap_ends_the_run(emulator, tmp_path):
    w = short(users=4, duration=60.0, max_requests=40)  # the cap, not the duration, ends this run
    out = run_live(emulator.endpoint_url, emulator.load_credentials, w, tmp_path)
    assert 0 < len(out.history.ops) <= 40
    assert sum(s.requests for s in out.history.workers) <= 40
    assert leftover_keys(emulator) == []


def test_locust_is_headless_and_listens_on_loopback_only():
    from harness.load.run import locust_command

    w = short()
    for dist in (Distribution(), Distribution(mode="processes", processes=2), Distribution(mode="master",
                                                                                          expect_workers=2)):
        cmd = locust_command(w, dist, "s3-conformance/r/load/", "/tmp/h.jsonl")
        assert "--headless" in cmd and "--web-host" not in cmd and "--otel" not in cmd
        if dist.mode != "local":
            assert cmd[cmd.index("--master-bind-host") + 1] == "127.0.0.1"


def test_https_virtual_host_style_through_the_emulators_proxy(tmp_path):
    """The live variables' other shapes: HTTPS with a private CA, virtual-host addressing, a forward proxy."""
    from emulator import Emulator

    creds = ("AKIAVIRTUAL0000000", "virtual-secret")
    with Emulator(buckets=["load"], credentials=[creds], tls=True, domains=("stdcdn.test",)) as emu:
        env = {**live_env("https://stdcdn.test", creds), "S3_ADDRESSING_STYLE": "virtual",
               "S3_VHOST_TEMPLATE": "%(bucket)s.stdcdn.test", "S3_CA_BUNDLE": emu.ca_file,
               "S3_PROXY_URL": emu.proxy_url}
        w = short(duration=1.5)
        out = campaign("live", w, Distribution(), env=env, workdir=str(tmp_path), say=lambda *_: None)
    ops = out.history.ops
    assert ops and all(o.status in (200, 204, 404) for o in ops if o.code != "cut off at stop")
    assert {o.op for o in ops} >= {"PutObject", "GetObject", "ListObjects"}
    assert check(ops, key_slots=w.keys, eps=out.history.skew) == []
    assert out.cleanup["deleted"] == w.keys
