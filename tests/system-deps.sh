#!/usr/bin/env bash
# System packages the test run needs beyond pip: Debian's Chromium, for the real-browser check of report.html.
# Installed only where it is missing and this user may install (root with apt-get, as on CI); otherwise one line
# says so and the browser test skips with that reason.
set -u
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the report.html browser check"
  if apt-get update -qq >/dev/null 2>&1 && \
     DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null 2>&1; then
    exit 0
  fi
fi
echo "chromium is not installed and cannot be installed here: the report.html browser check will be skipped"
exit 0
