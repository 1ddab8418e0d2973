"""The real-server plumbing without a server: free port pairs, owned processes ended by PID, bounded readiness
waits naming the log, admin-tool output with secrets redacted. (The servers themselves: tests/servers.)"""

from __future__ import annotations

import os
import sys

import pytest

from harness.servers.ports import GRPC_OFFSET, free_ports, port_open
from harness.servers.process import OwnedProcess, ServerError, run_tool, wait_until
from harness.servers.rgw import ceph_conf
from harness.servers.seaweedfs import Account, _identity

SLEEPER = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(600)"]


def test_free_ports_leave_room_for_grpc():
    ports = free_ports(5, with_grpc=True)
    taken = set(ports) | {p + GRPC_OFFSET for p in ports}
    assert len(taken) == 10 and all(p + GRPC_OFFSET < 65536 for p in ports)
    assert not any(port_open(p) for p in taken)


def test_an_owned_process_is_ended_by_its_pid(tmp_path):
    log = tmp_path / "s.log"
    p = OwnedProcess("sleeper", SLEEPER, str(log))
    wait_until(lambda: log.read_text().startswith("up"), timeout=30, what="the sleeper", proc=p)
    assert p.alive()
    p.stop(grace=5)
    assert not p.alive() and p.proc.returncode is not None
    assert not os.path.exists(f"/proc/{p.pid}") or open(f"/proc/{p.pid}/stat").read().split()[2] == "Z"


def test_a_server_that_dies_is_reported_with_its_log(tmp_path):
    p = OwnedProcess("quitter", [sys.executable, "-c", "raise SystemExit(3)"], str(tmp_path / "q.log"))
    with pytest.raises(ServerError, match=r"quitter exited with 3 .*q\.log"):
        wait_until(lambda: False, timeout=30, what="never", proc=p)
    p.stop()


def test_a_readiness_wait_is_bounded():
    with pytest.raises(ServerError, match="timed out after 0 s waiting for nothing"):
        wait_until(lambda: False, timeout=0.3, what="nothing", interval=0.05)


def test_admin_tool_output_keeps_no_secret(tmp_path):
    log = tmp_path / "tool.log"
    secret = "s3cr3t-value"
    code = "import sys; print('{\"keys\": [{\"secret_key\": \"' + sys.argv[1].split('=')[1] + '\"}]}')"
    run_tool([sys.executable, "-c", code, f"--secret-key={secret}"], str(log))  # as radosgw-admin prints it
    assert secret not in log.read_text() and "<redacted>" in log.read_text()
    with pytest.raises(ServerError, match="failed"):
        run_tool([sys.executable, "-c", "raise SystemExit(1)"], str(log))


def test_seaweedfs_identities_and_ceph_conf_stay_on_loopback():
    other = _identity("other", Account("AK", "SK", "b-other"), True)
    assert all(a.endswith(":b-other") for a in other["actions"])
    conf = ceph_conf("/w", "fsid", 1111, 2222, "/logs")
    assert "v2:127.0.0.1:1111" in conf and "endpoint=127.0.0.1:2222" in conf and "cluster addr = 127.0.0.1" in conf
    assert "memstore" in conf and "ms client mode = crc" in conf
