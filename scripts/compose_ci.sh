#!/usr/bin/env bash
# compose_ci.sh - build every image of compose.yaml and run the deployment for real, on a
# Docker engine of its own: the compose part of CI (scripts/test.sh runs it last).
#
#   scripts/compose_ci.sh          (as root, from anywhere)
#
# 1. Installs docker.io, docker-compose and debootstrap from Debian when missing.
# 2. Starts its own dockerd: data root in the cache (below), socket, pid file and exec root in a
#    fresh /run/depot-ci.PID, its own bridge addresses; it never touches another engine. A trap
#    takes the deployment down and stops this dockerd whatever happens.
# 3. Base images: debian:12 and debian:12-slim are pulled, or, when the registry cannot be
#    reached, made from `debootstrap --variant=minbase bookworm` and `docker import`ed under the
#    same names; mariadb:10.11 is pulled, or built from debian:12-slim with Debian's
#    mariadb-server (docker/mariadb-base.Dockerfile) and passed as DEPOT_MARIADB_IMAGE.
# 4. Builds every image: the gateway's first (its build stage compiles every binary once), then
#    the others in parallel, reusing that stage's layers.
# 5. `docker-compose up -d --scale resolver-svc=3 --scale db-svc=2` on free 127.0.0.1 ports, then
#    tests/compose/check_deployment.py (query with the demo token, every replica in /metrics,
#    SIGKILL of a resolver-svc and a db-svc under load, feed-svc and live-svc), then
#    `down -v`, after which no container, volume or network of the project may be left. Before
#    the builds, the build context is checked: no node_modules, build trees or .git in it.
# Exit status non-zero when any step or check fails. The CAs in /usr/local/share/ca-certificates
# (a TLS-intercepting proxy's) go to the image builds as DEPOT_BUILD_CA_CERTS.
#
# Cached between runs of one machine, in DEPOT_CI_CACHE (/var/cache/depot-ci): the debootstrap
# tarballs (remade when older than 7 days), the debootstrap .debs, and the engine's data root
# (base images and layer cache). The run itself is never skipped. A lock file there serialises
# runs, which share the data root.
# Environment: DEPOT_CI_CACHE, DEPOT_CI_DEMO_BOXES (2000: the demo data's boxes; the image's
# default is 8201), DEPOT_CI_DEBIAN_MIRROR (http://deb.debian.org/debian),
# DEPOT_CI_BRIDGE_CIDR (10.213.255.1/24), DEPOT_CI_ADDRESS_POOL (10.214.0.0/16).
# Licensed under the Apache License 2.0.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${DEPOT_CI_CACHE:-/var/cache/depot-ci}
mirror=${DEPOT_CI_DEBIAN_MIRROR:-http://deb.debian.org/debian}
project=depotci
started=$SECONDS

say () { printf '[compose-ci %4ds] %s\n' "$((SECONDS - started))" "$*"; }
fail () { say "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root (it runs its own dockerd)"

# 1. Packages. The docker CLI is Debian's /usr/bin/docker, whatever else is on PATH.
if ! [ -x /usr/bin/docker ] || ! [ -x /usr/sbin/dockerd ] || ! command -v docker-compose >/dev/null \
   || ! command -v debootstrap >/dev/null; then
  say "installing docker.io, docker-compose, debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    docker.io docker-compose debootstrap iptables >/dev/null
fi
mkdir -p "$cache"
exec 9>"$cache/lock"
flock 9

# 2. The engine, and the trap that stops it.
run=$(mktemp -d /run/depot-ci.XXXXXX)
export DOCKER_HOST="unix://$run/docker.sock"
export COMPOSE_PROJECT_NAME=$project COMPOSE_FILE="$PWD/compose.yaml"
docker () { /usr/bin/docker "$@"; }
compose_up=0
cleanup () {
  local status=$?
  set +e
  if [ "$compose_up" = 1 ]; then
    if [ "$status" != 0 ]; then
      say "the deployment at the failure:"
      docker-compose ps
      docker-compose logs --no-color --tail=40
    fi
    docker-compose down -v --remove-orphans >/dev/null 2>&1
  fi
  if [ -s "$run/docker.pid" ]; then
    local pid
    pid=$(cat "$run/docker.pid")
    kill "$pid" 2>/dev/null
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { say "dockerd $pid did not stop: SIGKILL"; kill -9 "$pid"; }
  fi
  [ "$status" != 0 ] && [ -s "$run/dockerd.log" ] && { say "dockerd's last lines:"; tail -n 20 "$run/dockerd.log"; }
  rm -rf "$run"
  say "dockerd stopped; $([ "$status" = 0 ] && echo PASS || echo "FAILED ($status)")"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting dockerd (data root $cache/docker, socket $run/docker.sock)"
/usr/sbin/dockerd --data-root "$cache/docker" --exec-root "$run/exec" --host "$DOCKER_HOST" \
  --pidfile "$run/docker.pid" --bip "${DEPOT_CI_BRIDGE_CIDR:-10.213.255.1/24}" \
  --default-address-pool "base=${DEPOT_CI_ADDRESS_POOL:-10.214.0.0/16},size=24" \
  >"$run/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 60); do
  docker version >/dev/null 2>&1 && break
  kill -0 "$dockerd_pid" 2>/dev/null || break
  sleep 0.5
done
docker version >/dev/null 2>&1 || fail "dockerd did not start"
# What an aborted run left (the data root is kept): its containers, volumes and networks.
docker-compose down -v --remove-orphans >/dev/null 2>&1 || true

# 3. Base images.
# A minbase bookworm root file system as two tarballs: $1 (debian:12) and $2 (debian:12-slim,
# without documentation, manuals and translations, and told to install none later, as the
# official slim image is).
make_rootfs_tarballs () {
  local rootfs="$cache/rootfs.tmp"
  rm -rf "$rootfs"
  mkdir -p "$cache/debootstrap-debs"
  say "debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase --cache-dir="$cache/debootstrap-debs" bookworm "$rootfs" "$mirror" \
    >"$run/debootstrap.log" 2>&1 || { tail -n 20 "$run/debootstrap.log"; fail "debootstrap failed"; }
  cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
  # An image build's packages need no fsync per file (a failed build is thrown away whole), and
  # apt keeps no package caches or .debs in a layer (as the official images are configured).
  echo force-unsafe-io >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
  tar --numeric-owner -C "$rootfs" -cf "$1.tmp" . && mv "$1.tmp" "$1"
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  tar --numeric-owner -C "$rootfs" -cf "$2.tmp" . && mv "$2.tmp" "$2"
  rm -rf "$rootfs"
}

# The image $1: kept when an earlier run pulled or imported it (the layer cache above it holds),
# else pulled from the registry, else imported from the tarball $2 (remade when missing or a week
# old; the image is imported again when its tarball changed, labelled with the tarball's time).
base_image () {
  local image=$1 tarball=$2 label stamp
  label=$(docker image inspect -f '{{index .Config.Labels "org.depot.rootfs"}}' "$image" 2>/dev/null) \
    || label=absent
  case "$label" in
    ""|"<no value>") return 0 ;;                    # pulled from the registry by an earlier run
    absent) if timeout 120 /usr/bin/docker pull -q "$image" >/dev/null 2>&1; then
              say "$image pulled from the registry"; return 0
            fi ;;
  esac
  find "$cache" -maxdepth 1 -name 'debian-12-*.tar' -mtime +7 -delete
  if ! [ -s "$cache/debian-12-minbase.tar" ] || ! [ -s "$cache/debian-12-minbase-slim.tar" ]; then
    make_rootfs_tarballs "$cache/debian-12-minbase.tar" "$cache/debian-12-minbase-slim.tar"
  fi
  stamp="$(basename "$tarball") $(stat -c %Y "$tarball")"
  if [ "$label" != "$stamp" ]; then
    say "$image: the registry cannot be reached; importing $(basename "$tarball")"
    docker import --change 'CMD ["bash"]' --change "LABEL org.depot.rootfs=\"$stamp\"" \
      "$tarball" "$image" >/dev/null
  fi
}

phase=$SECONDS
base_image debian:12 "$cache/debian-12-minbase.tar"
base_image debian:12-slim "$cache/debian-12-minbase-slim.tar"
mariadb_image=mariadb:10.11
if ! docker image inspect "$mariadb_image" >/dev/null 2>&1 \
   && ! timeout 120 /usr/bin/docker pull -q "$mariadb_image" >/dev/null 2>&1; then
  mariadb_image=depot-mariadb-base:10.11
fi
export DEPOT_MARIADB_IMAGE=$mariadb_image
export DEPOT_DEMO_BOXES=${DEPOT_CI_DEMO_BOXES:-2000}
# The CAs this machine's administrator added (Debian's /usr/local/share/ca-certificates, where a
# TLS-intercepting proxy's goes): the image builds' HTTPS fetch trusts them too.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  DEPOT_BUILD_CA_CERTS=$(cat /usr/local/share/ca-certificates/*.crt)
  export DEPOT_BUILD_CA_CERTS
fi
say "base images ready in $((SECONDS - phase)) s (MariaDB from $mariadb_image)"

# The build context every image gets (the repository minus .dockerignore) as an image of its
# own: its size, and no installed packages, build trees or git objects in it.
check_build_context () {
  local container size unwanted
  printf 'FROM scratch\nCOPY . /context/\n' | docker build -q -t depot-ci-context -f - . >/dev/null
  size=$(docker image inspect -f '{{.Size}}' depot-ci-context)
  container=$(docker create depot-ci-context none)
  unwanted=$(docker export "$container" | tar -t | grep -E '^context/(.*/)?(node_modules|build[^/]*|\.git)/' | head -n 3 || true)
  docker rm "$container" >/dev/null
  docker rmi depot-ci-context >/dev/null
  say "build context: $((size / 1024)) KiB"
  [ -z "$unwanted" ] || fail "the build context holds what .dockerignore should leave out: $unwanted"
}
check_build_context

# 4. Images. The legacy builder runs identical steps of concurrent builds twice, so the
# gateway's (whose build stage every Depot image shares) goes first, beside MariaDB's base.
phase=$SECONDS
build_log="$run/build.log"
built () { say "built $1 in $((SECONDS - phase)) s"; }
(
  if [ "$mariadb_image" = depot-mariadb-base:10.11 ]; then
    docker build -q -f docker/mariadb-base.Dockerfile -t depot-mariadb-base:10.11 . >"$build_log.mariadb" 2>&1
  fi
) &
mariadb_base=$!
docker-compose build gateway >"$build_log" 2>&1 || { tail -n 40 "$build_log"; fail "building the gateway's image"; }
built "the shared build stage and the gateway"
wait "$mariadb_base" || { tail -n 40 "$build_log.mariadb"; fail "building depot-mariadb-base"; }
docker-compose build --parallel >>"$build_log" 2>&1 || { tail -n 60 "$build_log"; fail "building the images"; }
built "every image"
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^(depot-|debian:|mariadb:)' | sort | sed 's/^/  /'

# 5. Up, checks, down.
free_port () { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
DEPOT_PORT=$(free_port) DEPOT_FEED_PORT=$(free_port) DEPOT_LIVE_PORT=$(free_port)
export DEPOT_PORT DEPOT_FEED_PORT DEPOT_LIVE_PORT
phase=$SECONDS
compose_up=1
docker-compose up -d --scale resolver-svc=3 --scale db-svc=2 >"$run/up.log" 2>&1 \
  || { cat "$run/up.log"; fail "docker-compose up"; }
say "up in $((SECONDS - phase)) s: gateway on 127.0.0.1:$DEPOT_PORT, live-svc on 127.0.0.1:$DEPOT_LIVE_PORT"
# Every published port is on 127.0.0.1 only.
published=$(docker ps --filter "label=com.docker.compose.project=$project" --format '{{.Ports}}' | tr ',' '\n' | grep -- '->' || true)
if grep -v -E '^ *127\.0\.0\.1:' <<<"$published"; then
  fail "a port is published beyond 127.0.0.1"
fi
python3 tests/compose/check_deployment.py --project "$project" --compose-file "$COMPOSE_FILE" \
  --port "$DEPOT_PORT" --live-port "$DEPOT_LIVE_PORT" --resolvers 3 --db-svcs 2 --docker /usr/bin/docker \
  || fail "the deployment's checks"

phase=$SECONDS
docker-compose down -v --remove-orphans >"$run/down.log" 2>&1 || { cat "$run/down.log"; fail "docker-compose down -v"; }
compose_up=0
left=$( (docker ps -aq --filter "label=com.docker.compose.project=$project"
         docker volume ls -q --filter "label=com.docker.compose.project=$project"
         docker network ls -q --filter "label=com.docker.compose.project=$project") | wc -l)
[ "$left" = 0 ] || fail "down -v left $left containers, volumes or networks"
say "down -v in $((SECONDS - phase)) s left nothing"
# Layers no image uses any more (an older build's), so the cached data root does not grow.
docker image prune -f >/dev/null
say "compose deployment checked in $((SECONDS - started)) s"
