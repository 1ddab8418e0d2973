"""One load campaign: target up, key space recorded, Locust run, history checked, reports written, keys deleted.

Live safety is the conformance harness's (harness/safety.py): every key the users can write is one of the
``--keys`` slots under ``s3-conformance/<run-id>/load/``, and all of them are recorded with the KeyTracker before
Locust starts; the users refuse any other key; at the end, and on Ctrl-C, exactly those keys are deleted, one
DeleteObject each. Duration and request count are bounded (the workload's), and the Locust process is stopped by
its PID if it outlives them.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

from harness.load.history import History, load_history
from harness.load.targets import TargetOptions, child_environment, select_target
from harness.load.workload import Workload, key_name
from harness.safety import KeyTracker, cleanup_on_interrupt, delete_keys
from harness.targets import Target, new_run_id, run_prefix_for

LOCUSTFILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locustfile.py")
GRACE_SECONDS = 60.0  # beyond the workload's duration before the Locust process is stopped by its PID


@dataclass(frozen=True)
class Distribution:
    mode: str = "local"  # local | processes | master
    processes: int = 0
    expect_workers: int = 0
    bind_host: str = "127.0.0.1"
    bind_port: int = 5557

    @property
    def workers(self) -> int:
        return {"local": 1, "processes": self.processes, "master": self.expect_workers}[self.mode]


@dataclass
class Outcome:
    target: Target
    run_id: str
    history: History
    exit_code: int
    started: float
    finished: float
    cleanup: dict
    history_path: str


def locust_command(workload: Workload, dist: Distribution, prefix: str, history_path: str) -> list[str]:
    per_worker = -(-workload.max_requests // max(dist.workers, 1))
    cmd = [sys.executable, "-m", "locust", "-f", LOCUSTFILE, "--headless", "--only-summary",
           "-u", str(workload.users), "-r", str(workload.spawn_rate),
           "-t", f"{int(workload.duration + GRACE_SECONDS / 2)}s",  # a backstop: the locustfile ends the run itself
           "--stop-timeout", "10", "--exit-code-on-error", "0", "--loglevel", "WARNING",
           "--s3-run-prefix", prefix, "--s3-workload", json.dumps(workload.to_dict()),
           "--s3-history", history_path, "--s3-max-per-worker", str(per_worker)]
    if dist.mode == "processes":  # on 127.0.0.1, on a free port (not Locust's shared default 5557)
        port = free_port()
        cmd += ["--processes", str(dist.processes), "--master-bind-host", "127.0.0.1", "--master-bind-port",
                str(port), "--master-host", "127.0.0.1", "--master-port", str(port)]
    elif dist.mode == "master":
        cmd += ["--master", "--master-bind-host", dist.bind_host, "--master-bind-port", str(dist.bind_port),
                "--expect-workers", str(dist.expect_workers), "--expect-workers-max-wait", "120"]
    return cmd


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_command(master_host: str, master_port: int) -> list[str]:
    return [sys.executable, "-m", "locust", "-f", LOCUSTFILE, "--worker", "--master-host", master_host,
            "--master-port", str(master_port), "--loglevel", "WARNING"]


def _stop(proc: subprocess.Popen) -> None:
    """End the Locust process we started: SIGINT to its PID (Locust stops its users and tells its workers to quit),
    then SIGKILL to its process group, which holds only it and the workers it forked (it was started in a new
    session), so no --processes child outlives the run."""
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGINT)
            proc.wait(15)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


def run_locust(cmd: list[str], env: dict, timeout: float, log_path: str) -> int:
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            _stop(proc)
            return 124
        finally:  # also on KeyboardInterrupt: the Locust process never outlives us
            _stop(proc)


def campaign(target_name: str, workload: Workload, dist: Distribution, *, data_dir: str | None = None,
             workdir: str, run_id: str | None = None, env: dict | None = None, say=print) -> Outcome:
    run_id = run_id or new_run_id()
    with select_target(target_name, TargetOptions(run_id=run_id, data_dir=data_dir, env=env)) as target:
        tracker = KeyTracker(run_prefix_for(run_id))
        for i in range(workload.keys):  # recorded before anything is sent
            tracker.track(target.bucket, target.run_prefix + key_name(i))
        cleanup: dict = {}

        def clean() -> None:
            keys = tracker.keys()
            deleted, failed = delete_keys(target, keys)
            cleanup.update(attempted=len(keys), deleted=deleted, failed=failed)
            say(f"s3-load: cleanup: deleted {deleted} of {len(keys)} keys under {target.run_prefix}"
                + (f"; {len(failed)} could not be deleted" if failed else ""))

        history_path = os.path.join(workdir, "history.jsonl")
        started = time.time()
        with cleanup_on_interrupt(clean):
            say(f"s3-load: run {run_id} against {target.name} {target.endpoint_url} bucket {target.bucket}, "
                f"{workload.users} users, {workload.duration:g} s, at most {workload.max_requests} requests, "
                f"{dist.mode} ({dist.workers} worker process(es)); keys under {target.run_prefix}")
            code = run_locust(locust_command(workload, dist, target.run_prefix, history_path),
                              child_environment(target),
                              workload.duration + GRACE_SECONDS + (120 if dist.mode == "master" else 0),
                              os.path.join(workdir, "locust.log"))
        finished = time.time()
        history = load_history(history_path) if os.path.exists(history_path) else History([], [], [], started,
                                                                                           finished)
        return Outcome(target, run_id, history, code, started, finished, cleanup, history_path)


@contextlib.contextmanager
def private_workdir(keep: str | None = None):
    """Where the history and Locust's log go: 0700, removed at the end unless kept."""
    if keep:
        os.makedirs(keep, mode=0o700, exist_ok=True)
        yield keep
    else:
        with tempfile.TemporaryDirectory(prefix="s3-load-") as d:
            yield d
