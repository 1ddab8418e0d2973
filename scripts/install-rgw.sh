#!/usr/bin/env bash
# Ceph RGW for `--target rgw`: Debian bookworm's radosgw, ceph-mon and ceph-osd (16.2.15 "pacific").
# The harness runs them as a one-host cluster on 127.0.0.1 (harness/servers/rgw.py); nothing here starts a
# daemon, and --no-install-recommends keeps systemd units and other extras out. Idempotent: exits 0 at once when
# the three programs are already there. Needs root and apt-get (as on CI and this machine); otherwise one line and
# exit 2.
set -euo pipefail
if command -v radosgw >/dev/null && command -v ceph-mon >/dev/null && command -v ceph-osd >/dev/null \
   && command -v radosgw-admin >/dev/null && command -v monmaptool >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-rgw.sh: radosgw/ceph-mon/ceph-osd are missing and this user cannot apt-get install them" >&2
  exit 2
fi
echo "installing Debian's radosgw, ceph-mon, ceph-osd (--no-install-recommends)"
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends radosgw ceph-mon ceph-osd >/dev/null
