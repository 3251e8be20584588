"""What Depot's benchmarks share: a private MariaDB with the demo data and the one-process
`depot` on it (Demo), one timed request, wrk's figures, and a report written to bench/results/.
Licensed under the Apache License 2.0.
"""
import json
import os
import re
import subprocess
import sys
import time
import http.client

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
import harness  # noqa: E402


class Demo:
    """A scratch folder, a private MariaDB with Depot's DDL, indexes and depot-gen's demo data
    (`boxes` boxes, else its 8,201-box base), keys, and the `depot`s started on it with the
    binaries of `build`. Used in a with block, which stops them all at its end."""

    def __init__(self, build, boxes=None, mariadb_args=()):
        os.environ["DEPOT_BUILD_DIR"] = harness.BUILD = os.path.abspath(build)
        self.scratch = harness.Scratch()
        self.db = harness.MariaDB(self.scratch.path, args=mariadb_args)
        self.depots = []
        try:
            harness.load_demo(self.db, boxes=boxes)
            self.keys = harness.Keys(self.scratch.path)
        except BaseException:
            self.close()
            raise

    def depot(self, **options):
        """The one-process `depot` on the demo data (options: harness.Depot's)."""
        depot = harness.Depot(self.db, self.keys, self.scratch.path, form="one", **options)
        self.depots.append(depot)
        return depot

    def close(self):
        for depot in self.depots:
            depot.stop()
        self.db.stop()
        self.scratch.remove()

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()


def timed_post(port, payload, token, headers=None):
    """One POST /graphql on a new connection: (seconds, parsed answer); the status must be 200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    start = time.perf_counter()
    conn.request("POST", "/graphql", payload, {"Content-Type": "application/json",
                                               "Authorization": f"Bearer {token}", **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - start
    conn.close()
    assert response.status == 200, data[:300]
    return elapsed, json.loads(data)


def wrk(url, bodies_file, token, connections, duration, timeout=None):
    """wrk's figures over bench/manage_boxes.lua's bodies; `timeout` (s) replaces wrk's 2 s,
    past which an answer counts as a socket timeout instead of a latency."""
    env = dict(os.environ, DEPOT_BENCH_BODIES=bodies_file, DEPOT_BENCH_TOKEN=token)
    threads = min(2, connections)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
                         + ([f"--timeout={timeout}s"] if timeout else [])
                         + ["-s", os.path.join(HERE, "manage_boxes.lua"), url],
                         env=env, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {"rps": rps, "p50_ms": float(p50.group(1)) * scale[p50.group(2)],
            "p99_ms": float(p99.group(1)) * scale[p99.group(2)],
            "requests": int(total.group(1)) if total else 0,
            "non2xx": int(errors.group(1)) if errors else 0,
            # Answers by HTTP status (manage_boxes.lua's end lines), and connections that failed.
            "statuses": {int(code): int(count)
                         for code, count in re.findall(r"^status (\d+) (\d+)$", out, re.M)},
            "socket_errors": dict(zip(("connect", "read", "write", "timeout"),
                                      map(int, sockets.groups()))) if sockets else {}}


def write_report(prefix, text, results):
    """Print the Markdown report; write it to prefix.md and the results to prefix.json, and say so."""
    print(text)
    with open(prefix + ".md", "w") as f:
        f.write(text)
    with open(prefix + ".json", "w") as f:
        json.dump(results, f, indent=1)
    print(f"written to {prefix}.md and .json")
