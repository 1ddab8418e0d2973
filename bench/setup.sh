#!/usr/bin/env bash
# Install what the benchmark needs beyond the project's own Python dependencies:
#   Debian: wrk, nginx          (apt-get; root, or sudo)
#   npm:    s3rver              (into bench/.node/, which git ignores)
#   PyPI:   moto[server], py-spy (into the Python that runs the benchmark: $PYTHON, default `python3`)
# Idempotent: what is already there is not fetched again. A registry that refuses ends the script with one line.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"
S3RVER_VERSION="${S3RVER_VERSION:-3.7.1}"
LOG="$(mktemp -t bench-setup.XXXXXX)"
trap 'rm -f "$LOG"' EXIT

fail() {
    echo "bench/setup.sh: $1 (last lines of its output: $(tail -n 3 "$LOG" | tr '\n' ' '))" >&2
    exit 1
}

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# -- Debian packages ------------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "bench/setup.sh: apt-get install ${missing[*]}"
    $SUDO apt-get update >"$LOG" 2>&1 || fail "apt-get update failed: the Debian mirror refused"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >"$LOG" 2>&1 \
        || fail "apt-get install ${missing[*]} failed"
    # The package starts a system nginx on port 80; the benchmark runs its own, so stop the system one.
    if command -v service >/dev/null 2>&1; then $SUDO service nginx stop >/dev/null 2>&1 || true; fi
fi

# -- npm: s3rver ----------------------------------------------------------------------------------------------
if [ ! -x "$HERE/.node/node_modules/.bin/s3rver" ]; then
    command -v npm >/dev/null 2>&1 || { echo "bench/setup.sh: npm not found (install Node.js 18+)" >&2; exit 1; }
    echo "bench/setup.sh: npm install s3rver@$S3RVER_VERSION into bench/.node/"
    mkdir -p "$HERE/.node"
    npm install --prefix "$HERE/.node" --no-audit --no-fund --loglevel=error "s3rver@$S3RVER_VERSION" >"$LOG" 2>&1 \
        || fail "npm install s3rver@$S3RVER_VERSION failed: the npm registry refused"
fi

# -- PyPI: moto's server and py-spy ---------------------------------------------------------------------------
if ! "$PYTHON" -c "import moto.server, flask, flask_cors" >/dev/null 2>&1; then
    echo "bench/setup.sh: pip install moto[server]"
    "$PYTHON" -m pip install --quiet "moto[server]" >"$LOG" 2>&1 || fail "pip install moto[server] failed: PyPI refused"
fi
if ! "$PYTHON" -m pip show py-spy >/dev/null 2>&1; then
    echo "bench/setup.sh: pip install py-spy"
    "$PYTHON" -m pip install --quiet py-spy >"$LOG" 2>&1 || fail "pip install py-spy failed: PyPI refused"
fi

echo "bench/setup.sh: ready (wrk $(wrk -v 2>&1 | head -n1 | awk '{print $2}'), nginx, s3rver $S3RVER_VERSION, $("$PYTHON" -c 'import moto; print("moto", moto.__version__)'))"
