#!/usr/bin/env bash
# setup.sh - install the Debian packages Depot needs to build, run, test and benchmark.
#
#   scripts/setup.sh [--dry-run]
#
# chromium is the headless browser of the GraphiQL test (driven by npm playwright-core, pinned to
# a release that runs on bookworm's Node.js 18, the nodejs installed here when there is no node).
#
# Idempotent: when every package is present it says so and touches nothing; otherwise it runs
# `apt-get update` once and installs what is missing. Node.js, npm and python3 count as
# present when their commands exist, wherever they came from (nodesource, pyenv, ...).
#
# Installing mariadb-server must not leave a system MariaDB running (Depot starts its own,
# private one with scripts/mariadb.sh): during the install a policy-rc.d that answers 101
# ("action forbidden") keeps services from starting, and is removed afterwards if this script
# created it; if a system mariadbd runs anyway (started by systemd, say), it is stopped.
#
# Runs as root, or through sudo when not root. --dry-run prints what would be done.
set -euo pipefail

dry=0
case "${1:-}" in
    --dry-run) dry=1 ;;
    "") ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: scripts/setup.sh [--dry-run]" >&2; exit 2 ;;
esac

packages=(build-essential cmake pkg-config libczmq-dev libzmq3-dev libmariadb-dev libmsgpack-dev
          libcivetweb-dev libwebsockets-dev libjansson-dev libssl-dev mariadb-server mariadb-client openssl
          docker-compose wrk curl chromium clang libclang-rt-14-dev)
command -v python3 >/dev/null || packages+=(python3)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for p in "${packages[@]}"; do
    installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all packages present"
    exit 0
fi
echo "setup: installing ${missing[*]}"

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null; then
    as_root=(sudo)
else
    echo "setup: not root and no sudo; install these packages yourself: ${missing[*]}" >&2
    exit 1
fi
run() {
    if [ $dry -eq 1 ]; then echo "would run: ${as_root[*]} $*"; else "${as_root[@]}" "$@"; fi
}

policy=/usr/sbin/policy-rc.d
ours=0
if [ ! -e "$policy" ]; then
    ours=1
    run sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
fi
remove_policy() { [ $ours -eq 1 ] && run rm -f "$policy"; return 0; }
trap remove_policy EXIT

run apt-get update
run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"

# A system MariaDB (the one of /var/lib/mysql, pid in /run/mysqld) is not Depot's: stop it.
system_pid=""
[ -r /run/mysqld/mysqld.pid ] && system_pid=$(cat /run/mysqld/mysqld.pid 2>/dev/null || true)
if [ -n "$system_pid" ] && kill -0 "$system_pid" 2>/dev/null; then
    echo "setup: stopping the system MariaDB (pid $system_pid); Depot runs its own"
    if [ -d /run/systemd/system ]; then
        run systemctl stop mariadb || true
        run systemctl disable mariadb || true
    elif command -v service >/dev/null; then
        run service mariadb stop || true
    fi
    if [ $dry -eq 0 ] && kill -0 "$system_pid" 2>/dev/null; then
        "${as_root[@]}" kill "$system_pid" || true
    fi
fi
echo "setup: done"
