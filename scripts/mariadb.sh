#!/usr/bin/env bash
# mariadb.sh - a private MariaDB server in a folder of its own (no system service, no Docker).
#
#   scripts/mariadb.sh start DIR [PORT]   initialise DIR/data once, start mariadbd on
#                                         DIR/mysqld.sock (and 127.0.0.1:PORT when given),
#                                         wait until it answers; prints the socket path
#   scripts/mariadb.sh stop DIR           stop it and wait for it to exit
#   scripts/mariadb.sh status DIR         exit 0 when it answers
#
# The server runs as the current user; root connects over the socket without a password.
# Nothing needs the machine's host name to resolve (a container or sandbox whose /etc/hosts
# names neither it nor localhost): mariadb-install-db is told to go on without looking it up
# (--force; its --skip-name-resolve alone still refuses when neither name resolves), and the
# server never looks up a client's address (--skip-name-resolve), so grants name addresses:
# root is 'root'@'localhost' over the socket and 'root'@'127.0.0.1' over TCP, both made by
# mariadb-install-db.
# The binary log is on (ROW format, full row images, server-id 1; MariaDB always adds GTIDs):
# Depot's change feed follows it (README "Change feed"); binlogs older than 7 days are purged.
# MARIADB_EXTRA_ARGS (space-separated) is appended to mariadbd's options, after the defaults
# below, so a test can override them (e.g. --skip-log-bin, or --server-id=2 for a replica).
set -euo pipefail
cmd=${1:?usage: mariadb.sh start|stop|status DIR [PORT]}
dir=${2:?usage: mariadb.sh start|stop|status DIR [PORT]}
port=${3:-0}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
sock="$dir/mysqld.sock"
pidfile="$dir/mysqld.pid"

answers() { mariadb --no-defaults -uroot -S "$sock" -e 'SELECT 1' >/dev/null 2>&1; }

case "$cmd" in
start)
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && answers; then
    echo "$sock"; exit 0
  fi
  # A private tmpdir: servers installed side by side (parallel tests) must not share /tmp files.
  mkdir -p "$dir/tmp"
  if [ ! -d "$dir/data/mysql" ]; then
    rm -rf "$dir/data"
    mariadb-install-db --no-defaults --auth-root-authentication-method=normal \
      --force --skip-name-resolve \
      --datadir="$dir/data" --tmpdir="$dir/tmp" --user="$(id -un)" --skip-test-db \
      >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; exit 1; }
  fi
  net=(--skip-networking)
  [ "$port" != 0 ] && net=(--port="$port" --bind-address=127.0.0.1)
  # Settings: utf8mb4, UTC, room for many connections, the dump's zero dates accepted, the
  # binary log in ROW format for the change feed.
  mariadbd --no-defaults --datadir="$dir/data" --socket="$sock" --pid-file="$pidfile" \
    --user="$(id -un)" "${net[@]}" --skip-name-resolve --log-error="$dir/mysqld.err" --tmpdir="$dir/tmp" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --default-time-zone=+00:00 --max-connections=500 \
    --sql-mode=NO_ENGINE_SUBSTITUTION --innodb-buffer-pool-size=256M \
    --innodb-flush-log-at-trx-commit=2 \
    --log-bin=depot-bin --binlog-format=ROW --binlog-row-image=FULL --server-id=1 \
    --binlog-expire-logs-seconds=604800 ${MARIADB_EXTRA_ARGS:-} >/dev/null 2>&1 &
  for _ in $(seq 1 300); do
    answers && { echo "$sock"; exit 0; }
    sleep 0.1
  done
  echo "mariadbd did not start; see $dir/mysqld.err" >&2
  tail -20 "$dir/mysqld.err" >&2 || true
  exit 1
  ;;
stop)
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  ;;
status)
  answers
  ;;
*)
  echo "usage: mariadb.sh start|stop|status DIR [PORT]" >&2; exit 2 ;;
esac
