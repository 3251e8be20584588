#!/usr/bin/env python3
"""The full preload (P2, issue 21): ManageBoxes' query for all 8,201 boxes of the demo base.

Starts a private MariaDB with Depot's DDL, indexes and the demo data (depot-gen's defaults, as
scripts/run.sh), then for each build given (--build, and --before for an older tree's build)
runs Depot and times single preload requests one after another (a Python client reading the
whole answer, as bench.py's P2). With --before the builds are measured interleaved, before then
after, --rounds times, so that both see the same machine. Per run: median and p90 of the
request time, answer size and MB/s (answer bytes / median), the CPU time each process spent
per request (/proc/<pid>/stat), the peak RSS (VmHWM) of each process, and the load average.
--form three runs gateway, resolver-svc and db-svc as separate processes (CPU and RSS per
stage); the default is the one-process `depot`, as bench.py.
--perf FILE records the last build's Depot under the preload with `perf record --call-graph dwarf`.
Usage: bench/preload_bench.py --build build-rel [--before OLD/build-rel] [--rounds 2]
       [--requests 20] [--form one|three] [--perf FILE] [--set NAME=VALUE ...] [--out PREFIX]
Results: bench/results/<date>-issue21-preload-<form>.md and .json (--out another prefix).
Licensed under the Apache License 2.0.
"""
import argparse
import datetime
import hashlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
import harness  # noqa: E402

WARM_UP = 5
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def preload_body():
    query = harness.read_query("manage_boxes.graphql")
    return json.dumps({"query": query, "operationName": "BoxesForBoxesView",
                       "variables": {"baseId": "1", "paginationInput": 100000}})


def timed_preload(port, payload, token):
    """Seconds for one request, the answer's bytes."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    start = time.perf_counter()
    conn.request("POST", "/graphql", payload, {"Content-Type": "application/json",
                                               "Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - start
    conn.close()
    assert response.status == 200, data[:300]
    return elapsed, data


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS     # utime + stime


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def mariadb_pid(db):
    with open(os.path.join(db.folder, "mariadb", "mysqld.pid")) as f:
        return int(f.read().strip())


def measure(build, db, keys, scratch, form, requests, payload, perf=None, settings=None):
    harness.BUILD = build
    depot = harness.Depot(db, keys, scratch, form=form, debug=True, extra_env=settings)
    try:
        token = keys.token()
        names = list(depot.commands)
        pids = {name: depot.processes[depot.commands[name][0]].pid for name in names}
        pids["mariadbd"] = mariadb_pid(db)
        for _ in range(WARM_UP):
            _, data = timed_preload(depot.port, payload, token)
        answer = json.loads(data)
        assert len(answer["data"]["boxes"]["elements"]) == int(answer["data"]["boxes"]["totalCount"])
        recorder = None
        if perf:
            recorder = subprocess.Popen(["perf", "record", "--call-graph", "dwarf,32768", "-F", "400",
                                         "-o", perf, "-p",
                                         ",".join(str(pids[n]) for n in names)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
        load = os.getloadavg()
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        times = []
        for _ in range(requests):
            elapsed, data = timed_preload(depot.port, payload, token)
            times.append(elapsed)
        cpu_after = {name: cpu_seconds(pid) for name, pid in pids.items()}
        if recorder:
            recorder.send_signal(2)
            recorder.wait()
        times.sort()
        median = statistics.median(times)
        return {
            "build": build, "form": form, "load": load, "requests": requests,
            "median_ms": median * 1000,
            "p90_ms": times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))] * 1000,
            "bytes": len(data), "mb_per_s": len(data) / median / 1e6,
            "cpu_ms_per_request": {name: (cpu_after[name] - cpu_before[name]) * 1000 / requests
                                   for name in pids},
            "peak_rss_mb": {name: peak_rss_mb(pid) for name, pid in pids.items()},
            "statements": answer["extensions"]["debug"]["sqlStatements"],
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    finally:
        depot.stop()


def report(runs, form, prefix):
    today = datetime.date.today().isoformat()
    lines = [f"# Full preload (8,201 boxes), {today}, form `{form}`", "",
             f"{os.cpu_count()} cores, MariaDB on the same machine, demo data of scripts/run.sh, "
             "Release builds; single requests one after another, a Python client reading the "
             "whole answer.", "",
             "| run | build | load (1/5/15 min) | median | p90 | answer | MB/s | CPU ms per request | peak RSS MB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for i, r in enumerate(runs, 1):
        cpu = ", ".join(f"{n} {v:.0f}" for n, v in r["cpu_ms_per_request"].items())
        rss = ", ".join(f"{n} {v:.0f}" for n, v in r["peak_rss_mb"].items())
        lines.append(f"| {i} | {r['label']} | {' / '.join(f'{x:.1f}' for x in r['load'])} | "
                     f"{r['median_ms']:.1f} ms | {r['p90_ms']:.1f} ms | {r['bytes'] / 1e6:.2f} MB | "
                     f"{r['mb_per_s']:.0f} | {cpu} | {rss} |")
    same = len({r["sha256"] for r in runs}) == 1
    lines += ["", "Answers: " + ("byte for byte the same in every run" if same else
                                "DIFFERENT between runs: " + ", ".join(r["sha256"][:12] for r in runs))]
    befores = [r["median_ms"] for r in runs if r["label"] == "before"]
    afters = [r["median_ms"] for r in runs if r["label"] == "after"]
    if befores and afters:
        lines += ["", "Ratio after / before of the medians, per round: "
                  + ", ".join(f"{a / b:.2f}" for a, b in zip(afters, befores))]
    text = "\n".join(lines) + "\n"
    print(text)
    path = os.path.join(HERE, "results", f"{prefix or today + '-issue21-preload'}-{form}")
    if prefix and os.path.isabs(prefix):
        path = f"{prefix}-{form}"
    with open(path + ".md", "w") as f:
        f.write(text)
    with open(path + ".json", "w") as f:
        json.dump(runs, f, indent=1)
    print(f"written to {path}.md")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--before", help="an older tree's build, measured before each run of --build")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--form", choices=("one", "three"), default="one")
    parser.add_argument("--perf", help="perf record the last run of --build into this file")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for Depot's processes (every build)")
    parser.add_argument("--out", help="results file prefix under bench/results/ (or an absolute path)")
    args = parser.parse_args()
    builds = ([("before", os.path.abspath(args.before))] if args.before else []) \
        + [("after" if args.before else "this tree", os.path.abspath(args.build))]
    harness.BUILD = builds[-1][1]
    scratch = harness.Scratch()
    db = harness.MariaDB(scratch.path)
    runs = []
    try:
        harness.load_demo(db)
        keys = harness.Keys(scratch.path)
        payload = preload_body()
        for round_ in range(args.rounds):
            for label, build in builds:
                last = round_ == args.rounds - 1 and label == builds[-1][0]
                run = measure(build, db, keys, scratch.path, args.form, args.requests, payload,
                              perf=args.perf if last else None,
                              settings=dict(item.split("=", 1) for item in args.set))
                run["label"] = label
                runs.append(run)
                print(f"{label}: median {run['median_ms']:.1f} ms, p90 {run['p90_ms']:.1f} ms, "
                      f"load {run['load'][0]:.1f}", flush=True)
        report(runs, args.form, args.out)
    finally:
        db.stop()
        scratch.remove()


if __name__ == "__main__":
    main()
