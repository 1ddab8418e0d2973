"""One child process the harness owns: started with its output in a log file, ended by its PID.

Every server is started in the foreground (ceph daemons with ``-f``), so the PID Popen returns is the server's
own; nothing is ever found or killed by name."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    # a Ctrl-C in the terminal goes to the harness, which then stops the servers in order
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class ServerError(Exception):
    """A server could not be started (one line naming its log)."""


class OwnedProcess:
    def __init__(self, name: str, argv: Sequence[str], log_path: str, env: dict | None = None,
                 cwd: str | None = None):
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(list(argv), stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=env, cwd=cwd, preexec_fn=_die_with_parent)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to this PID, then SIGKILL after ``grace`` seconds; always reaped."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._log.close()


def wait_until(ready: Callable[[], bool], *, timeout: float, what: str, proc: OwnedProcess | None = None,
               interval: float = 0.2) -> None:
    """Poll ``ready`` until it is true, the process died, or ``timeout`` seconds passed (then ServerError)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if proc is not None and not proc.alive():
            raise ServerError(f"{proc.name} exited with {proc.proc.returncode} before {what}; see {proc.log_path}")
        time.sleep(interval)
    where = f"; see {proc.log_path}" if proc is not None else ""
    raise ServerError(f"timed out after {timeout:.0f} s waiting for {what}{where}")


def run_tool(argv: Sequence[str], log_path: str, timeout: float = 60.0, env: dict | None = None) -> str:
    """Run a one-shot admin command; its output goes to the log too. ServerError on failure or timeout."""
    try:
        out = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, env=env,
                             stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise ServerError(f"{argv[0]} timed out after {timeout:.0f} s") from e
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(f"$ {' '.join(_redact(argv))}\n{_redact_text(out.stdout)}{_redact_text(out.stderr)}\n")
    if out.returncode != 0:
        raise ServerError(f"{argv[0]} {argv[1] if len(argv) > 1 else ''} failed ({out.returncode}); see {log_path}")
    return out.stdout


SECRET_FLAGS = ("--secret-key", "--secret")


def _redact(argv: Sequence[str]) -> list[str]:
    out = []
    for a in argv:
        name = a.split("=", 1)[0]
        out.append(f"{name}=<redacted>" if name in SECRET_FLAGS and "=" in a else a)
    return out


def _redact_text(text: str) -> str:
    import re

    return re.sub(r'("secret_key"\s*:\s*")[^"]*"', r'\1<redacted>"', text)
