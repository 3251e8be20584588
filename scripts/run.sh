#!/usr/bin/env bash
# run.sh - Depot in demo mode on this machine, in one command.
#
#   scripts/run.sh [--boxes N] [--port P] [--no-setup] [--no-build]
#
# 1. scripts/setup.sh installs missing Debian packages (skip with --no-setup);
# 2. a Release build into build/ (skip with --no-build: use the binaries already there);
# 3. a private MariaDB in state/mariadb (scripts/mariadb.sh), database dropapp_dev with
#    db/ddl.sql, db/indexes.sql and depot-gen's demo data, loaded once (state/demo-data.loaded
#    remembers it; another --boxes N loads the database afresh);
# 4. a demo RSA key pair (state/keys, made once) and a token for the demo user (cms_users 8,
#    coordinator of base 1 with every read and write permission there, beta level 99);
# 5. depot (build/depot/depot) on http://localhost:P/graphql (default 5005), in the
#    foreground: it prints the URL, the token and a curl example, and Ctrl-C stops Depot and
#    MariaDB cleanly.
# DEPOT_BUILD_DIR and DEPOT_STATE_DIR override build/ and state/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
boxes=8201
port=5005
setup=1
build=1
usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --boxes) boxes=${2:?--boxes needs a number}; shift 2 ;;
        --port) port=${2:?--port needs a number}; shift 2 ;;
        --no-setup) setup=0; shift ;;
        --no-build) build=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
[[ "$boxes" =~ ^[0-9]+$ ]] || { echo "run.sh: --boxes needs a number" >&2; exit 2; }
[[ "$port" =~ ^[0-9]+$ ]] || { echo "run.sh: --port needs a number" >&2; exit 2; }
build_dir=${DEPOT_BUILD_DIR:-$root/build}
state=${DEPOT_STATE_DIR:-$root/state}
if [ -t 1 ]; then say() { printf '\033[1m==> %s\033[0m\n' "$*"; }; else say() { echo "==> $*"; }; fi

# 1-2. Packages and build
[ $setup -eq 1 ] && "$root/scripts/setup.sh"
if [ $build -eq 1 ]; then
    say "building (Release) into $build_dir"
    cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build_dir" -j2
fi
gen="$build_dir/tools/depot-gen"
token_tool="$build_dir/gateway/depot-token"
depot="$build_dir/depot/depot"
for bin in "$gen" "$token_tool" "$depot"; do
    [ -x "$bin" ] || { echo "run.sh: $bin is missing; build it first (scripts/run.sh without --no-build)" >&2; exit 1; }
done

# 3. MariaDB and the demo data
mkdir -p "$state"
depot_pid=""
stop_all() {
    trap - INT TERM EXIT
    if [ -n "$depot_pid" ] && kill -0 "$depot_pid" 2>/dev/null; then
        say "stopping depot"
        kill -TERM "$depot_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$depot_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$depot_pid" 2>/dev/null || true
        wait "$depot_pid" 2>/dev/null || true
    fi
    say "stopping MariaDB"
    "$root/scripts/mariadb.sh" stop "$state/mariadb" || true
}
trap stop_all EXIT
trap 'exit 130' INT TERM
say "starting MariaDB in $state/mariadb"
sock=$("$root/scripts/mariadb.sh" start "$state/mariadb")
sql() { mariadb --no-defaults -uroot -S "$sock" "$@"; }
db=dropapp_dev
marker="$state/demo-data.loaded"
if [ "$(cat "$marker" 2>/dev/null || true)" != "boxes=$boxes" ]; then
    say "loading the demo data ($boxes boxes in base 1) into $db"
    rm -f "$marker"
    sql -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
    sql "$db" < "$root/db/ddl.sql"
    sql "$db" < "$root/db/indexes.sql"
    sql "$db" < "$root/db/idempotency.sql"
    sql "$db" < "$root/db/feed.sql"
    "$gen" --boxes "$boxes" | sql "$db"
    echo "boxes=$boxes" > "$marker"
else
    sql "$db" < "$root/db/indexes.sql"        # idempotent: picks up indexes added since
    sql "$db" < "$root/db/idempotency.sql"    # idempotent: CREATE TABLE IF NOT EXISTS
    sql "$db" < "$root/db/feed.sql"
fi

# 4. Keys and token
keys="$state/keys"
mkdir -p "$keys"
if [ ! -s "$keys/demo-private.pem" ] || [ ! -s "$keys/demo-public.pem" ]; then
    say "generating the demo RSA key pair in $keys"
    (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
        -out "$keys/demo-private.pem" 2>/dev/null)
    openssl pkey -in "$keys/demo-private.pem" -pubout -out "$keys/demo-public.pem"
fi
domain="depot-demo.local"
audience="depot-demo"
token=$("$root/scripts/demo-token.sh" --key "$keys/demo-private.pem" --tool "$token_tool" \
        --domain "$domain" --audience "$audience" --ttl 604800)
echo "$token" > "$state/demo-token.txt"

# 5. Depot
say "starting depot on port $port"
MYSQL_SOCKET="$sock" MYSQL_USER=root MYSQL_PASSWORD="" MYSQL_DB="$db" \
AUTH0_DOMAIN="$domain" AUTH0_AUDIENCE="$audience" \
DEPOT_PUBLIC_KEY_FILE="$keys/demo-public.pem" DEPOT_PORT="$port" \
DEPOT_FEED_BIND="${DEPOT_FEED_BIND:-tcp://127.0.0.1:5558}" \
    "$depot" &
depot_pid=$!
url="http://localhost:$port"
for _ in $(seq 1 100); do
    kill -0 "$depot_pid" 2>/dev/null || { wait "$depot_pid" || true; echo "run.sh: depot exited" >&2; exit 1; }
    curl -fs "$url/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
query='query BoxesForBoxesView($baseId: ID!, $paginationInput: Int) { boxes(baseId: $baseId, paginationInput: {first: $paginationInput}) { totalCount pageInfo { hasNextPage } elements { id labelIdentifier state product { id name gender category { name } } size { label } numberOfItems location { name } tags { name color } createdOn lastModifiedOn } } }'
cat <<EOF

Depot is running.
  GraphQL endpoint:  $url/graphql   (POST, with the token below)
  Change feed:       ${DEPOT_FEED_BIND:-tcp://127.0.0.1:5558}   (watch it: $build_dir/feed-svc/depot-feed-sub with that endpoint)
  Demo user:         cms_users 8 "Demo Coordinator", organisation 1, base 1
  Token (7 days, also in $state/demo-token.txt):

$token

Try it (ManageBoxes, first 50 boxes of base 1):

TOKEN=\$(cat $state/demo-token.txt)
curl -s $url/graphql -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
  -d '{"query": "$query", "variables": {"baseId": "1", "paginationInput": 50}}'

Ctrl-C stops Depot and MariaDB.
EOF
status=0
wait "$depot_pid" || status=$?
depot_pid=""
exit $status
