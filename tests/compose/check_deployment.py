#!/usr/bin/env python3
"""check_deployment.py - the checks of scripts/compose_ci.sh on a running compose deployment.

    check_deployment.py --project P --compose-file compose.yaml --port GW --live-port LIVE
                        --resolvers 3 --db-svcs 2

Talks HTTP to the ports published on 127.0.0.1 only, and to Docker through docker-compose and
docker (DOCKER_HOST as given). Expected values come from SQL run in the mariadb container.
Checks, in order: the gateway is ready; a query with the demo token (the demo-keys job's log)
answers what MariaDB holds, and one without a token is 401; /metrics shows every replica
(each container's host name);
under a load of readers, the process of one resolver-svc and of one db-svc container is killed
with SIGKILL and Docker restarts both (restart: policy), no request hangs (client timeout) or fails, and
/metrics counts every replica again; feed-svc and live-svc are healthy and a box changed by
SQL reaches a live-svc subscriber (graphql-sse) through the binary log. Exit 1 on a failure.
"""
import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

CLIENT_TIMEOUT_S = 60      # generous: a request slower than this counts as hung
failures = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures.append(what)
    return cond


class Deployment:
    def __init__(self, args):
        self.args = args
        self.base = f"http://127.0.0.1:{args.port}"

    def compose(self, *words, capture=True):
        cmd = ["docker-compose", "-p", self.args.project, "-f", self.args.compose_file, *words]
        return subprocess.run(cmd, check=True, text=True,
                              stdout=subprocess.PIPE if capture else None).stdout

    def docker(self, *words):
        return subprocess.run([self.args.docker, *words], check=True, text=True,
                              stdout=subprocess.PIPE).stdout.strip()

    def containers(self, service):
        return self.compose("ps", "-q", service).split()

    def sql(self, statement):
        """Rows of a statement run by root in the mariadb container, as lists of strings."""
        out = self.compose("exec", "-T", "mariadb", "sh", "-c",
                           'MYSQL_PWD="$MARIADB_ROOT_PASSWORD" exec mariadb -uroot --batch '
                           '--skip-column-names "$MARIADB_DATABASE" -e "$0"', statement)
        return [line.split("\t") for line in out.splitlines()]

    def demo_token(self):
        lines = [l.split("|", 1)[-1].strip() for l in self.compose("logs", "--no-color", "demo-keys").splitlines()]
        tokens = [l for l in lines if l.count(".") == 2 and " " not in l]
        return tokens[-1] if tokens else None

    def http(self, method, path, body=None, headers=None, timeout=CLIENT_TIMEOUT_S):
        """(status, body text); status None when no answer came."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except (OSError, http.client.HTTPException) as e:
            return None, repr(e)

    def graphql(self, query, token, timeout=CLIENT_TIMEOUT_S):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        status, text = self.http("POST", "/graphql", {"query": query}, headers, timeout)
        try:
            return status, json.loads(text)
        except ValueError:
            return status, {"raw": text}

    def replicas(self):
        """{service: host names} of the instances /metrics has per-instance series of: a
        resolver actor's label is HOST:PID/ACTOR (several actors per process), a db-svc's
        HOST:PID; in a container HOST is its host name."""
        status, text = self.http("GET", "/metrics", timeout=10)
        found = {"resolver-svc": set(), "db-svc": set()}
        for line in (text.splitlines() if status == 200 else []):
            m = re.match(r'depot_(resolver|db)_\w+\{service_instance="([^"]+)"', line)
            if m:
                found["resolver-svc" if m.group(1) == "resolver" else "db-svc"].add(
                    m.group(2).split("/")[0].rsplit(":", 1)[0])
        return found

    def container_hosts(self, service):
        return {self.docker("inspect", "-f", "{{.Config.Hostname}}", c) for c in self.containers(service)}

    def wait_for(self, what, predicate, timeout_s):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.5)
        return check(False, f"{what} within {timeout_s} s")


def container_state(dep, container):
    return json.loads(dep.docker("inspect", "-f", "{{json .State}} ", container)), \
        int(dep.docker("inspect", "-f", "{{.RestartCount}}", container))


def kill_and_wait_restart(dep, service):
    """SIGKILL the process of one container of service, as a crash would end it; True once
    Docker has restarted it. Not `docker kill`: Docker counts that as a manual stop and its
    restart policy leaves the container stopped."""
    container = dep.containers(service)[0]
    before, restarts = container_state(dep, container)
    os.kill(before["Pid"], signal.SIGKILL)
    print(f"killed {service} {container[:12]} (pid {before['Pid']}) with SIGKILL", flush=True)

    def restarted():
        state, count = container_state(dep, container)
        return state["Running"] and state["Pid"] != before["Pid"] and count > restarts
    return check(dep.wait_for(f"Docker restarts {service}", restarted, 60),
                 f"Docker restarted the killed {service} (restart: policy)")


class Load:
    """Readers sending one query in a loop; every answer's status and time is counted."""

    def __init__(self, dep, query, token, expect, clients=6):
        self.dep, self.query, self.token, self.expect = dep, query, token, expect
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.outcomes = {}      # "ok", "hung", "status <n>", "no answer", "wrong data"
        self.slowest = 0.0
        self.threads = [threading.Thread(target=self.run) for _ in range(clients)]

    def run(self):
        while not self.stop.is_set():
            start = time.monotonic()
            status, body = self.dep.graphql(self.query, self.token)
            took = time.monotonic() - start
            if took >= CLIENT_TIMEOUT_S:
                outcome = "hung"
            elif status is None:
                outcome = "no answer"
            elif status != 200:
                outcome = f"status {status}"
            else:
                outcome = "ok" if body.get("data") == self.expect and not body.get("errors") else "wrong data"
            with self.lock:
                self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
                self.slowest = max(self.slowest, took)
                if outcome != "ok" and self.outcomes[outcome] <= 3:
                    print(f"  load: {outcome}: {json.dumps(body)[:300]}", flush=True)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(CLIENT_TIMEOUT_S + 5)
        check(not any(t.is_alive() for t in self.threads), "every load client finished")


def check_live_update(dep, args, token, label):
    """A graphql-sse subscription to a box gets its state, then the change SQL makes."""
    conn = http.client.HTTPConnection("127.0.0.1", args.live_port, timeout=30)
    body = json.dumps({"query": f'subscription {{ box(labelIdentifier: "{label}") {{ numberOfItems }} }}'})
    conn.request("POST", "/", body, {"Authorization": f"Bearer {token}", "Accept": "text/event-stream",
                                     "Content-Type": "application/json"})
    resp = conn.getresponse()
    if not check(resp.status == 200, f"live-svc accepts a graphql-sse subscription ({resp.status})"):
        return

    def next_event():
        data = None
        while True:
            line = resp.fp.readline().decode()
            if not line:
                return None
            if line.startswith("data:"):
                data = line[5:].strip()
            elif line.strip() == "" and data is not None:
                return json.loads(data)
    first = next_event()
    items = int(dep.sql(f"SELECT items FROM stock WHERE box_id = '{label}'")[0][0])
    check(first and first.get("data", {}).get("box", {}).get("numberOfItems") == items,
          f"the subscription's first event is the box as MariaDB holds it ({items} items)")
    dep.sql(f"UPDATE stock SET items = items + 1 WHERE box_id = '{label}'")
    second = next_event()
    check(second and second.get("data", {}).get("box", {}).get("numberOfItems") == items + 1,
          f"a change made by SQL reaches the subscriber through the binary log ({items + 1} items)")
    conn.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--project", required=True)
    p.add_argument("--compose-file", default="compose.yaml")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--live-port", type=int, required=True)
    p.add_argument("--resolvers", type=int, default=3)
    p.add_argument("--db-svcs", type=int, default=2)
    p.add_argument("--docker", default="docker", help="the docker CLI to use")
    args = p.parse_args()
    dep = Deployment(args)

    dep.wait_for("the gateway is ready (/readyz)", lambda: dep.http("GET", "/readyz", timeout=5)[0] == 200, 120)
    token = dep.demo_token()
    if not check(token, "the demo-keys job printed a token"):
        return 1
    base_name = dep.sql("SELECT name FROM camps WHERE id = 1")[0][0]
    label, product = dep.sql("SELECT s.box_id, p.name FROM stock s JOIN products p ON p.id = s.product_id "
                             "JOIN locations l ON l.id = s.location_id WHERE l.camp_id = 1 AND "
                             "(s.deleted IS NULL OR s.deleted = 0) AND s.items IS NOT NULL "
                             "ORDER BY s.id LIMIT 1")[0]
    query = f'{{ base(id: "1") {{ name }} box(labelIdentifier: "{label}") {{ product {{ name }} }} }}'
    expect = {"base": {"name": base_name}, "box": {"product": {"name": product}}}
    status, body = dep.graphql(query, token)
    check(status == 200 and body.get("data") == expect,
          f"a query with the demo token answers what MariaDB holds (base {base_name!r}, box {label}: {product!r})")
    status, _ = dep.graphql(query, None)
    check(status == 401, f"the same query without a token is refused ({status})")

    wanted = {service: dep.container_hosts(service) for service in ("resolver-svc", "db-svc")}
    check([len(wanted["resolver-svc"]), len(wanted["db-svc"])] == [args.resolvers, args.db_svcs],
          f"{args.resolvers} resolver-svc and {args.db_svcs} db-svc containers ({wanted})")
    got = dep.wait_for("/metrics shows every replica", lambda: dep.replicas() == wanted, 60)
    check(got, f"/metrics shows every resolver-svc and db-svc container ({dep.replicas()})")

    with Load(dep, query, token, expect) as load:
        time.sleep(3)
        kill_and_wait_restart(dep, "resolver-svc")
        time.sleep(3)
        kill_and_wait_restart(dep, "db-svc")
        got = dep.wait_for("/metrics shows every replica again", lambda: dep.replicas() == wanted, 60)
        check(got, f"after the restarts /metrics shows every replica again ({dep.replicas()})")
        time.sleep(3)
    total = sum(load.outcomes.values())
    print(f"load: {total} requests, {load.outcomes}, slowest {load.slowest:.2f} s", flush=True)
    check(total > 0 and load.outcomes.get("ok", 0) == total,
          f"under the kills every request was answered with the right data, none hung ({load.outcomes})")

    for service in ("feed-svc", "live-svc"):
        states = [dep.docker("inspect", "-f", "{{.State.Status}} {{.State.Health.Status}}", c)
                  for c in dep.containers(service)]
        check(states and all(s == "running healthy" for s in states), f"{service} is up and healthy ({states})")
    check_live_update(dep, args, token, label)
    return 1 if failures else 0


if __name__ == "__main__":
    rc = main()
    print("PASS: compose deployment" if rc == 0 and not failures else f"FAILED: {len(failures)} checks: {failures}")
    sys.exit(1 if failures or rc else 0)
