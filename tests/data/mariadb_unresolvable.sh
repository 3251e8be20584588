#!/usr/bin/env bash
# mariadb_unresolvable.sh - scripts/mariadb.sh starts MariaDB on a machine whose host name does
# not resolve.
#
#   tests/data/mariadb_unresolvable.sh
#
# Runs scripts/mariadb.sh in namespaces of its own (unshare: UTS and mount) where the host name
# is depot-unresolvable-<pid> and /etc/hosts names no host at all, so that neither the host name
# nor localhost resolves (a minimal container or sandbox; mariadb-install-db refuses to run
# there unless told to go on). Checks that the names really do not resolve, that the script
# initialises and starts the server, and that root answers a query over the socket and over
# TCP on 127.0.0.1, within the namespace. The machine's own host name and /etc/hosts are not
# touched (the bind mount lives in the private mount namespace only).
# Exit 77 (ctest SKIP_RETURN_CODE) when MariaDB is not installed or namespaces cannot be made
# (not root, or a kernel that refuses them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if [ "${1:-}" != "--inside" ]; then
  command -v mariadbd >/dev/null || { echo "SKIP: mariadbd not installed"; exit 77; }
  unshare --uts --mount true 2>/dev/null || { echo "SKIP: unshare --uts --mount is not permitted here"; exit 77; }
  work=$(mktemp -d "${TMPDIR:-/tmp}/dp-mariadb-unresolvable.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  unshare --uts --mount --propagation private bash "$0" --inside "$work"
  exit $?
fi

# Inside the namespaces.
work=$2
name="depot-unresolvable-$$"
printf '# no host names here: neither the host name nor localhost resolves\n' >"$work/hosts"
mount --bind "$work/hosts" /etc/hosts
hostname "$name"
cleanup() { "$root/scripts/mariadb.sh" stop "$work/db" >/dev/null 2>&1 || true; }
trap cleanup EXIT

fail=0
ok()  { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# The premise, or the test proves nothing: the names do not resolve, for getent and for
# MariaDB's own resolveip (what mariadb-install-db asks).
[ "$(hostname)" = "$name" ] || { echo "FAIL: hostname did not change"; exit 1; }
for host in "$name" localhost; do
  if getent hosts "$host" >/dev/null; then echo "FAIL: $host still resolves"; exit 1; fi
  if command -v resolveip >/dev/null && resolveip "$host" >/dev/null 2>&1; then
    echo "FAIL: resolveip still resolves $host"; exit 1
  fi
done
ok "neither $name nor localhost resolves"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if ! sock=$("$root/scripts/mariadb.sh" start "$work/db" "$port" 2>"$work/start.err"); then
  cat "$work/start.err"
  echo "FAIL: scripts/mariadb.sh start failed on a host whose name does not resolve"
  exit 1
fi
ok "scripts/mariadb.sh started the server"

query='SELECT @@hostname, 6 * 7'
over_socket=$(mariadb --no-defaults -uroot -S "$sock" --batch -N -e "$query" 2>&1) || true
[ "$over_socket" = "$(printf '%s\t42' "$name")" ] \
  && ok "root answers over the socket: $over_socket" || bad "over the socket: $over_socket"
over_tcp=$(mariadb --no-defaults -uroot -h 127.0.0.1 -P "$port" --protocol=tcp --batch -N \
           --connect-timeout=10 -e "$query" 2>&1) || true
[ "$over_tcp" = "$(printf '%s\t42' "$name")" ] \
  && ok "root answers over TCP on 127.0.0.1: $over_tcp" || bad "over TCP: $over_tcp"
exit $fail
