#!/usr/bin/env bash
# Non-Python clients under test, installed from the project's own files (README "Install"):
#   Debian: rclone, curl, golang-go + golang-github-aws-aws-sdk-go-v2-dev (the Go SDK's sources: no module proxy here)
#   npm:    @aws-sdk/client-s3 and the proxy agents, exactly as package-lock.json pins them, into ./node_modules
#   Go:     the AWS SDK for Go v2 helper, built offline (GO111MODULE=off GOPATH=/usr/share/gocode)
# Idempotent: each part is skipped when already in place. Missing tools that cannot be installed here (not root,
# no apt-get/npm) are reported in one line each; the clients that need them are then reported "not installed".
set -u
cd "$(dirname "$0")/.."
need=()
command -v rclone >/dev/null 2>&1 || need+=(rclone)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v go >/dev/null 2>&1 || need+=(golang-go)
[ -d /usr/share/gocode/src/github.com/aws/aws-sdk-go-v2/service/s3 ] || need+=(golang-github-aws-aws-sdk-go-v2-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages for the clients under test: ${need[*]}"
    apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
      "${need[@]}" >/dev/null 2>&1 || echo "apt-get install ${need[*]} failed: those clients will be reported missing"
  else
    echo "cannot install ${need[*]} here (not root or no apt-get): those clients will be reported missing"
  fi
fi
if command -v npm >/dev/null 2>&1; then
  if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.package-lock.json.src; then
    echo "npm ci (the AWS SDK for JavaScript v3, pinned by package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null && cp package-lock.json node_modules/.package-lock.json.src
  fi
else
  echo "npm is not installed: the AWS SDK for JavaScript client will be reported missing"
fi
if command -v go >/dev/null 2>&1; then
  python3 -m harness.drivers.awsgo.build >/dev/null || echo "the Go helper did not build: the AWS SDK for Go client will be reported missing"
fi
exit 0
