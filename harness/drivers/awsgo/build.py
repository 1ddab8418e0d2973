"""Build the AWS SDK for Go v2 helper offline from Debian's SDK sources (no Go module proxy is reachable):
``GO111MODULE=off GOPATH=/usr/share/gocode go build``. The binary goes to <repo>/.build/ and is rebuilt when
main.go is newer; a file lock lets parallel test workers share one build.

    python -m harness.drivers.awsgo.build     # what scripts/install-clients.sh runs
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "helper")
BUILD_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), ".build")
BINARY = os.path.join(BUILD_DIR, "awsgo-helper")
GOPATH = "/usr/share/gocode"


class BuildError(RuntimeError):
    """The helper cannot be built here (no Go, no SDK sources, or a compile error)."""


def _fresh() -> bool:
    return os.path.exists(BINARY) and os.path.getmtime(BINARY) >= os.path.getmtime(os.path.join(SOURCE, "main.go"))


def ensure_built() -> str:
    if _fresh():
        return BINARY
    go = shutil.which("go")
    if go is None or not os.path.isdir(os.path.join(GOPATH, "src/github.com/aws/aws-sdk-go-v2/service/s3")):
        raise BuildError("the AWS SDK for Go helper needs Debian's golang-go and golang-github-aws-aws-sdk-go-v2-dev "
                         "(scripts/install-clients.sh installs them)")
    os.makedirs(BUILD_DIR, exist_ok=True)
    with open(os.path.join(BUILD_DIR, "awsgo.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _fresh():
            return BINARY
        env = {"PATH": os.environ.get("PATH", ""), "HOME": BUILD_DIR, "GO111MODULE": "off", "GOPATH": GOPATH,
               "GOCACHE": os.path.join(BUILD_DIR, "gocache"), "GOFLAGS": "", "CGO_ENABLED": "0"}
        proc = subprocess.run([go, "build", "-o", BINARY + ".tmp", "."], cwd=SOURCE, env=env, capture_output=True,
                              text=True, timeout=600)
        if proc.returncode != 0:
            raise BuildError("go build of the AWS SDK for Go helper failed: " + proc.stderr.strip()[-800:])
        os.replace(BINARY + ".tmp", BINARY)
    return BINARY


def main() -> int:
    try:
        print(ensure_built())
    except BuildError as e:
        print(str(e), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
