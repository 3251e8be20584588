"""What Depot's benchmarks share: a private MariaDB with the demo data and `depot`s on it (Demo),
ManageBoxes' request bodies, one timed request, wrk's figures, a process's CPU time and memory,
and a report written to bench/results/.
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

# The front-end's four mount-time state filters of ManageBoxes.
FILTERS = [None, {"states": ["InStock"]}, {"states": ["Donated"]}, {"states": ["Scrap"]}]
# Depot's limits for P1's load: more threads and requests in flight than 64 connections need.
LIMITS = {"DEPOT_THREADS": "128", "DEPOT_MAX_INFLIGHT": "96"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Demo:
    """A scratch folder, a private MariaDB with Depot's DDL, indexes and depot-gen's demo data
    (`boxes` boxes, else its 8,201-box base; `indexes`, another indexes.sql than db/'s; and the
    indexes of the trees of the builds in `others`, which another build compared on the same
    data needs), keys, and the `depot`s started on it, by default with the binaries of `build`.
    Used in a with block, which stops them all at its end."""

    def __init__(self, build, boxes=None, mariadb_args=(), indexes=None, others=()):
        self.build = os.path.abspath(build)
        os.environ["DEPOT_BUILD_DIR"] = harness.BUILD = self.build
        self.scratch = harness.Scratch()
        self.db = harness.MariaDB(self.scratch.path, args=mariadb_args)
        self.depots = []
        try:
            harness.load_demo(self.db, boxes=boxes, indexes=indexes)
            for other in others:
                self.db.load_file(indexes_of(other))
            self.keys = harness.Keys(self.scratch.path)
        except BaseException:
            self.close()
            raise

    def depot(self, form="one", build=None, **options):
        """A `depot` on the demo data, one process or three (`form`), with the binaries of
        `build` (another tree's, to compare builds on one database) or the Demo's; options:
        harness.Depot's."""
        harness.BUILD = os.path.abspath(build) if build else self.build
        depot = harness.Depot(self.db, self.keys, self.scratch.path, form=form, **options)
        self.depots.append(depot)
        return depot

    def stop(self, depot):
        """Stop one of the `depot`s before the end (the next build is measured on the same data)."""
        self.depots.remove(depot)
        return depot.stop()

    def bodies(self, name, bodies):
        """A file of the scratch folder with the request bodies, for bench/manage_boxes.lua."""
        return write_bodies(os.path.join(self.scratch.path, name), bodies)

    def mariadb_pid(self):
        with open(self.db.scalar("SELECT @@pid_file")) as f:
            return int(f.read().strip())

    def close(self):
        for depot in self.depots:
            depot.stop()
        self.db.stop()
        self.scratch.remove()

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()


def manage_boxes_body(query, first, filter_input=None, base=1):
    """ManageBoxes' request (BoxesForBoxesView) for a page of `first` boxes of the base."""
    variables = {"baseId": str(base), "paginationInput": first}
    if filter_input:
        variables["filterInput"] = filter_input
    return json.dumps({"query": query, "operationName": "BoxesForBoxesView", "variables": variables})


def write_bodies(path, bodies):
    """Request bodies, one a line, as bench/manage_boxes.lua reads them; the path."""
    with open(path, "w") as f:
        f.writelines(body + "\n" for body in bodies)
    return path


def timed_post_raw(port, payload, token, headers=None):
    """One POST /graphql on a new connection: (seconds, the answer's bytes); the status must be 200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    start = time.perf_counter()
    conn.request("POST", "/graphql", payload, {"Content-Type": "application/json",
                                               "Authorization": f"Bearer {token}", **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - start
    conn.close()
    assert response.status == 200, data[:300]
    return elapsed, data


def timed_post(port, payload, token, headers=None):
    """As timed_post_raw, with the answer parsed."""
    elapsed, data = timed_post_raw(port, payload, token, headers)
    return elapsed, json.loads(data)


def percentile(values, p):
    """The value at p percent of the sorted values (the nearest rank)."""
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


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
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {name: re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)", out, re.M)
               for name, percent in (("p50_ms", 50), ("p90_ms", 90), ("p99_ms", 99))}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {"rps": rps, **{name: float(m.group(1)) * scale[m.group(2)] for name, m in latency.items()},
            "requests": int(total.group(1)) if total else 0,
            "non2xx": int(errors.group(1)) if errors else 0,
            # Answers by HTTP status (manage_boxes.lua's end lines), and connections that failed.
            "statuses": {int(code): int(count)
                         for code, count in re.findall(r"^status (\d+) (\d+)$", out, re.M)},
            "socket_errors": dict(zip(("connect", "read", "write", "timeout"),
                                      map(int, sockets.groups()))) if sockets else {}}


def cpu_seconds(pid):
    """The CPU time (user and system) a process has spent so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def memory_kib(pid, field):
    """A memory figure of /proc/<pid>/status in KiB: "VmRSS" (now), "VmHWM" (its peak)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def builds_compared(build, before=None):
    """The builds a bench measures as (label, absolute path): "before" and "after" when an older
    tree's build is given, else "this tree" alone."""
    return ([("before", os.path.abspath(before))] if before else []) \
        + [("after" if before else "this tree", os.path.abspath(build))]


def indexes_of(build):
    """The indexes.sql of build's tree: a build names in FORCE INDEX the indexes its own file
    makes, which a later file may replace, so builds compared on one database need them all."""
    return os.path.join(os.path.dirname(os.path.abspath(build)), "db", "indexes.sql")


def tree_of(build):
    """A build named for a report: its tree's short commit and the build's path."""
    tree = os.path.dirname(build)
    commit = subprocess.run(["git", "-C", tree, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    return f"{commit or tree} ({build})"


def write_report(prefix, text, results):
    """Print the Markdown report; write it to prefix.md and the results to prefix.json, and say so."""
    print(text)
    with open(prefix + ".md", "w") as f:
        f.write(text)
    with open(prefix + ".json", "w") as f:
        json.dump(results, f, indent=1)
    print(f"written to {prefix}.md and .json")
