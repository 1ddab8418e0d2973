"""The real servers' lifecycle: every socket they listen on is on 127.0.0.1, SeaweedFS runs with telemetry off, and
no daemon outlives the harness — neither after a Ctrl-C (the session's cleanup stops them by PID) nor after the
harness is SIGKILLed (PR_SET_PDEATHSIG). Run with S3_SERVER_TESTS=rgw and/or seaweedfs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from harness.servers.process import ServerError, wait_until
from tests.servers.conftest import ENABLE, _server_target

CHILD = textwrap.dedent("""
    import json, os, sys, time
    from harness.kinds import KINDS
    with KINDS[sys.argv[1]].start("20990101T000000Z-lifecycle", sys.argv[2]) as targets:
        kids = []
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if entry.isdigit() and int(f.read().rsplit(")", 1)[1].split()[1]) == os.getpid():
                        kids.append(int(entry))
            except (OSError, ValueError):
                pass
        print(json.dumps({"endpoint": targets[0].endpoint_url, "pids": kids}), flush=True)
        time.sleep(600)  # until the test interrupts or kills us
""")


def _listening(pids: list[int]) -> set[str]:
    """host:port of every TCP socket the processes listen on (from /proc: no tool needed)."""
    inodes = set()
    for pid in pids:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                if cols[3] == "0A" and cols[9] in inodes:  # LISTEN
                    addr, port = cols[1].split(":")
                    host = ".".join(str(int(addr[i:i + 2], 16)) for i in (6, 4, 2, 0)) if len(addr) == 8 else addr
                    found.add(f"{host}:{int(port, 16)}")
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture(params=["seaweedfs", "rgw"])
def started(request, tmp_path_factory):
    _server_target(request.param, tmp_path_factory)  # skips unless S3_SERVER_TESTS names it and it is installed
    logs = tmp_path_factory.mktemp("logs")
    proc = subprocess.Popen([sys.executable, "-c", CHILD, request.param, str(logs)], stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    line = proc.stdout.readline()
    info = json.loads(line) if line else {"pids": []}
    yield request.param, proc, info["pids"], logs
    if proc.poll() is None:
        proc.kill()
        proc.wait(60)


def test_loopback_only_and_no_telemetry(started):
    name, proc, pids, logs = started
    assert pids, f"{name} did not start; see {logs}"
    listening = _listening(pids)
    assert listening and all(a.startswith("127.0.0.1:") for a in listening), listening
    if name == "seaweedfs":
        with open(f"/proc/{pids[0]}/cmdline") as f:
            assert "-master.telemetry=false" in f.read().split("\0")


@pytest.mark.parametrize("how", ["ctrl-c", "sigkill"])
def test_no_daemon_outlives_the_harness(started, how):
    name, proc, pids, _logs = started
    assert pids and all(_alive(p) for p in pids)
    proc.send_signal(signal.SIGINT if how == "ctrl-c" else signal.SIGKILL)
    proc.wait(90)
    # Ctrl-C: the context's finally stopped them by PID (and reaped them); SIGKILL: the kernel's PDEATHSIG did
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
    # a SIGKILLed daemon needs a moment to be torn down (RGW's OSD frees its memstore): wait, bounded
    try:
        wait_until(lambda: not any(_alive(p) for p in pids), timeout=60, what="the daemons to exit", interval=0.2)
    except ServerError:
        pytest.fail(f"{name} left processes behind after {how}: {[p for p in pids if _alive(p)]}")


def test_enabling_variable_is_documented():
    assert ENABLE == "S3_SERVER_TESTS"
