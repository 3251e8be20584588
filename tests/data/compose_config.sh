#!/usr/bin/env bash
# compose_config.sh - compose.yaml is valid and wires Depot the way the design says.
#
# 1. `docker-compose config -q` accepts it (Debian's docker-compose 1.29; no engine needed).
# 2. On the resolved configuration: the six services exist (feed-svc: the change feed, one only,
#    on 5558, its status read by the gateway; MariaDB with the ROW binary log); every long-running one has a
#    healthcheck, a memory and a CPU limit; the gateway publishes 5005 and binds the resolvers'
#    backend on 5556, db-svc binds 5557, resolver-svc connects to both; start order follows
#    health (db-svc after a healthy MariaDB, resolvers after a healthy gateway and db-svc, the
#    gateway after the demo key job completed); MariaDB loads ddl, indexes, Depot's idempotency
#    table and demo data in that order; every Dockerfile named exists and defines the target asked for.
#    live-svc: live updates on 5010 published on 127.0.0.1 only, connected to the gateway's
#    broker (5560) and the feed (5558). The build stage installs the Debian package of every
#    pkg-config module CMake requires (found with dpkg -S on this machine).
# 3. One Dockerfile per service: each built service names docker/<service>.Dockerfile, no two
#    share one; each has two or more stages (FROM ... AS ...) and COPYs only from stages it
#    defines. Depot's own (gateway, resolver-svc, db-svc, demo-keys): a debian:12 build stage
#    that builds the service's own target, a debian:12-slim final stage that runs as a non-root
#    USER with an ENTRYPOINT, and the same build stage in all, building every target (so the
#    builder runs it once). Every published port is on 127.0.0.1 only; MariaDB's base image is
#    the build argument MARIADB_IMAGE, mariadb:10.11 by default.
# Exit 77 (ctest SKIP_RETURN_CODE) when docker-compose is not installed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
compose=$(command -v docker-compose || true)
[ -n "$compose" ] || { echo "SKIP: docker-compose not installed"; exit 77; }
cd "$root"
"$compose" -f compose.yaml config -q && echo "ok: docker-compose config -q accepts compose.yaml"
resolved=$("$compose" -f compose.yaml config)
py=/usr/bin/python3
"$py" -c 'import yaml' 2>/dev/null || py=python3
"$py" -c 'import yaml' 2>/dev/null || { echo "SKIP: no Python yaml module for the structure checks"; exit 77; }
RESOLVED="$resolved" "$py" - <<'PY'
import os, re, sys, yaml
cfg = yaml.safe_load(os.environ["RESOLVED"])
svc = cfg["services"]
failures = []
def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)

check(set(svc) == {"mariadb", "db-svc", "resolver-svc", "gateway", "demo-keys", "feed-svc", "live-svc"},
      "services: mariadb, db-svc, resolver-svc, gateway, demo-keys, feed-svc, live-svc")
for name in ("mariadb", "db-svc", "resolver-svc", "gateway", "feed-svc", "live-svc"):
    s = svc.get(name, {})
    check("healthcheck" in s and s["healthcheck"].get("test"), f"{name} has a healthcheck")
    check("mem_limit" in s and "cpus" in s, f"{name} has memory and CPU limits")
env = lambda name: svc.get(name, {}).get("environment", {})
check(env("gateway").get("DEPOT_BACKEND_BIND") == "tcp://*:5556", "gateway binds tcp://*:5556")
check(any(str(p.get("target")) == "5005" if isinstance(p, dict) else re.search(r":5005(/tcp)?$", str(p))
          for p in svc["gateway"].get("ports", [])), "gateway publishes port 5005")
check(env("db-svc").get("DEPOT_DB_BIND") == "tcp://*:5557", "db-svc binds tcp://*:5557")
check(env("db-svc").get("MYSQL_HOST") == "mariadb" and env("db-svc").get("MYSQL_DB") == "dropapp_dev",
      "db-svc reaches MariaDB's dropapp_dev")
check(env("resolver-svc").get("DEPOT_BACKEND_CONNECT") == "tcp://gateway:5556"
      and env("resolver-svc").get("DEPOT_DB_CONNECT") == "tcp://db-svc:5557",
      "resolver-svc connects to gateway:5556 and db-svc:5557")
check(env("mariadb").get("MARIADB_DATABASE") == "dropapp_dev"
      and env("mariadb").get("MARIADB_USER") == env("db-svc").get("MYSQL_USER")
      and env("mariadb").get("MARIADB_PASSWORD") == env("db-svc").get("MYSQL_PASSWORD"),
      "db-svc's credentials are the ones MariaDB creates")
deps = lambda name: {k: v.get("condition") for k, v in svc.get(name, {}).get("depends_on", {}).items()}
check(deps("db-svc") == {"mariadb": "service_healthy"}, "db-svc waits for a healthy mariadb")
check(deps("resolver-svc") == {"gateway": "service_healthy", "db-svc": "service_healthy"},
      "resolver-svc waits for a healthy gateway and db-svc")
check(deps("feed-svc") == {"mariadb": "service_healthy"}, "feed-svc waits for a healthy mariadb")
check(env("feed-svc").get("DEPOT_FEED_BIND") == "tcp://*:5558"
      and env("gateway").get("DEPOT_FEED_CONNECT") == "tcp://feed-svc:5558",
      "feed-svc binds tcp://*:5558, the gateway reads its status there")
check(not svc["feed-svc"].get("deploy", {}).get("replicas"), "one feed-svc (never scaled)")
check(any(a == "--binlog-format=ROW" for a in svc["mariadb"].get("command", []))
      and any(a.startswith("--log-bin") for a in svc["mariadb"].get("command", [])),
      "mariadb writes the binary log in ROW format (the feed follows it)")
check(env("gateway").get("DEPOT_EXECUTE_BIND") == "tcp://*:5560"
      and env("live-svc").get("DEPOT_EXECUTE_CONNECT") == "tcp://gateway:5560"
      and env("live-svc").get("DEPOT_LIVE_FEED_CONNECT") == "tcp://feed-svc:5558",
      "live-svc connects to the gateway's broker on 5560 and to the feed on 5558")
check(deps("live-svc") == {"gateway": "service_healthy", "feed-svc": "service_healthy"},
      "live-svc waits for a healthy gateway and feed-svc")
on_loopback = lambda p: p.get("host_ip") == "127.0.0.1" if isinstance(p, dict) else str(p).startswith("127.0.0.1:")
live_ports = svc.get("live-svc", {}).get("ports", [])
check(live_ports and all(on_loopback(p) for p in live_ports), "live-svc publishes its port on 127.0.0.1 only")
for name, s in svc.items():
    ports = s.get("ports", [])
    check(all(on_loopback(p) for p in ports), f"{name} publishes its ports on 127.0.0.1 only ({ports})")
check(deps("gateway").get("demo-keys") == "service_completed_successfully",
      "gateway waits for the demo key job")
check(str(svc["gateway"]["environment"].get("DEPOT_PUBLIC_KEY_FILE", "")).startswith("/keys/")
      and any(str(v).startswith("keys:/keys") for v in svc["gateway"].get("volumes", [])),
      "gateway reads the public key from the keys volume")

root = os.getcwd()
for name, s in svc.items():
    b = s.get("build")
    if not b:
        continue
    path = os.path.join(b["context"], b.get("dockerfile", "Dockerfile"))
    ok = os.path.isfile(path)
    text = open(path).read() if ok else ""
    check(ok and text.splitlines(), f"{name}: {os.path.relpath(path, root)} exists")
    if "target" in b:
        check(re.search(r"^FROM\s+\S+\s+AS\s+" + re.escape(b["target"]) + r"\s*$", text, re.M | re.I),
              f"{name}: the Dockerfile defines target {b['target']}")
    for line in text.splitlines():
        m = re.match(r"^COPY\s+(?!--from)(\S+)", line)
        if m and m.group(1) != ".":
            check(os.path.exists(os.path.join(b["context"], m.group(1))),
                  f"{name}: COPY source {m.group(1)} exists")
    if name == "mariadb":
        inits = re.findall(r"/docker-entrypoint-initdb\.d/(\S+)", text)
        check(inits == sorted(inits) and [i.split("-", 1)[1] for i in inits]
              == ["ddl.sql", "indexes.sql", "idempotency.sql", "feed.sql", "demo-data.sql.gz"],
              "mariadb runs ddl, indexes, Depot's idempotency and feed tables, demo data in that order")
        check(re.search(r"^ARG MARIADB_IMAGE=mariadb:10\.11$", text, re.M)
              and re.search(r"^FROM\s+\$\{MARIADB_IMAGE\}\s*$", text, re.M)
              and b.get("args", {}).get("MARIADB_IMAGE") == "mariadb:10.11",
              "mariadb is built on mariadb:10.11 by default (the build argument MARIADB_IMAGE)")
    else:
        check(re.search(r"^FROM\s+debian:\$\{DEBIAN_VERSION\}", text, re.M)
              and re.search(r"^ARG DEBIAN_VERSION=12$", text, re.M), f"{name}: debian:12 based")
# One Dockerfile per service, multi-stage; Depot's own Debian-based and non-root.
def stages(text):
    """[(base, name or None, [instruction lines])] of a Dockerfile, continuation lines joined."""
    out = []
    for line in re.sub(r"\\\n", " ", text).splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r"FROM\s+(\S+)(?:\s+AS\s+(\S+))?\s*$", line, re.I)
        if m:
            out.append((m.group(1), m.group(2), []))
        elif out:
            out[-1][2].append(line)
    return out

depot_services = {"gateway": "gateway", "resolver-svc": "resolver-svc", "db-svc": "db-svc",
                  "demo-keys": "depot-token", "feed-svc": "feed-svc", "live-svc": "live-svc"}     # service -> the CMake target its image runs
dockerfiles = {}
preambles = {}
for name, s in svc.items():
    b = s.get("build")
    check(bool(b), f"{name}: has a build section")
    if not b:
        continue
    rel = b.get("dockerfile", "Dockerfile")
    check(rel == f"docker/{name}.Dockerfile", f"{name}: builds from its own docker/{name}.Dockerfile"
          + ("" if rel == f"docker/{name}.Dockerfile" else f" (not {rel})"))
    path = os.path.join(b["context"], rel)
    if not os.path.isfile(path):
        continue
    dockerfiles.setdefault(rel, []).append(name)
    text = open(path).read()
    st = stages(text)
    names = [n for _, n, _ in st if n]
    check(len(st) >= 2 and st[0][1], f"{name}: {len(st)} stages, the first one named (FROM ... AS ...)")
    froms = re.findall(r"COPY\s+--from=(\S+)", text)
    check(all(f in names for f in froms) and froms, f"{name}: COPYs from its own stages {sorted(set(froms))}")
    if name not in depot_services:
        continue
    target = depot_services[name]
    build_stage, final = st[0], st[-1]
    check(build_stage[0] == "debian:${DEBIAN_VERSION}" and final[0] == "debian:${DEBIAN_VERSION}-slim",
          f"{name}: built on debian:12, runs on debian:12-slim")
    check(any(re.search(r"cmake --build .*--target\s+(\S+\s+)*" + re.escape(target) + r"(\s|$)", l)
              for l in build_stage[2]), f"{name}: the build stage builds target {target}")
    users = [l.split(None, 1)[1].strip() for l in final[2] if l.upper().startswith("USER ")]
    check(users and users[-1].split(":")[0] not in ("root", "0"),
          f"{name}: runs as a non-root user ({users[-1] if users else 'none'})")
    check(any(l.upper().startswith("ENTRYPOINT ") for l in final[2]), f"{name}: has an ENTRYPOINT")
    if name in ("gateway", "db-svc", "feed-svc", "live-svc"):
        check(any(l.upper().startswith("HEALTHCHECK ") for l in final[2]), f"{name}: has a HEALTHCHECK")
        check(any(l.upper().startswith("EXPOSE ") for l in final[2]), f"{name}: EXPOSEs its ports")
    preambles[name] = (build_stage[0], build_stage[1], tuple(build_stage[2]))
check(all(len(v) == 1 for v in dockerfiles.values()), f"no two services share a Dockerfile: {dockerfiles}")
check(len(set(preambles.values())) == 1 and len(preambles) == len(depot_services),
      "Depot's Dockerfiles have the same build stage, instruction for instruction (built once, shared)")
every_target = set(depot_services.values())
check(all(any(every_target <= set(l.split("--target", 1)[1].split()) for l in p[2] if "--target" in l)
          for p in preambles.values()), f"the shared build stage builds every target {sorted(every_target)}")
# The preamble installs the Debian package of every pkg-config module CMake requires, or
# configuring fails in every image (as when live-svc brought libwebsockets).
import glob, subprocess
modules = set()
for cm in glob.glob(os.path.join(root, "CMakeLists.txt")) + glob.glob(os.path.join(root, "*", "CMakeLists.txt")):
    modules.update(re.findall(r"pkg_check_modules\(\w+\s+REQUIRED\s+IMPORTED_TARGET\s+([\w.+-]+)\)", open(cm).read()))
preamble = " ".join(next(iter(preambles.values()), ("", "", ()))[2]) + " "
for module in sorted(modules):
    pc = subprocess.run(["pkg-config", "--variable=pcfiledir", module], capture_output=True, text=True).stdout.strip()
    owner = subprocess.run(["dpkg", "-S", os.path.join(pc, module + ".pc")], capture_output=True, text=True).stdout
    package = owner.split(":")[0].strip() if owner else ""
    if package:
        check(re.search(r"\s" + re.escape(package) + r"\s", preamble),
              f"the build stage installs {package} (CMake requires {module})")
check(not os.path.exists(os.path.join(root, "docker", "depot.Dockerfile")),
      "no multi-target docker/depot.Dockerfile left")
print("PASS: compose_config" if not failures else "FAILED: compose_config")
sys.exit(1 if failures else 0)
PY
