#!/usr/bin/env python3
"""Issue 21's ManageBoxes figures, a build before a change against one after it, interleaved.

Starts a private MariaDB per build with Depot's DDL, that build's indexes (--before-indexes
for the build before; db/indexes.sql for the other) and the 8,201-box demo base (as
scripts/run.sh), then for each round runs every build given, in turn, as the one-process
`depot` with the change feed on (as scripts/run.sh starts it), and measures:
  single  the ManageBoxes page (first: 50, the front-end's full selection), one connection
          (wrk -c1), the bodies varied over no state filter and InStock / Donated / Scrap:
          p50 and p90;
  varied  "80 different pages": the same query with first from 41 to 60, each with no state
          filter and with each of InStock / Donated / Scrap, in rotation, at 16 connections
          (wrk -c16): requests per second, p50, p99;
and per request MariaDB's statements (Com_select) and the rows its handlers read
(Handler_read_*), both over the varied run. The load average is noted per measurement (the
machine is shared). Results: bench/results/<date>-issue21-manageboxes-bench.md and .json.
Usage: bench/manage_boxes_bench.py --build build-rel [--before OLD/build-rel
       --before-indexes OLD/db/indexes.sql] [--rounds 2] [--duration 10]
Licensed under the Apache License 2.0.
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
sys.path.insert(0, HERE)
import harness  # noqa: E402
import bench  # noqa: E402

FILTERS = [None, {"states": ["InStock"]}, {"states": ["Donated"]}, {"states": ["Scrap"]}]
LIMITS = {"DEPOT_THREADS": "128", "DEPOT_MAX_INFLIGHT": "96"}       # bench.py's
SCALE_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url, bodies_file, token, connections, duration):
    env = dict(os.environ, DEPOT_BENCH_BODIES=bodies_file, DEPOT_BENCH_TOKEN=token)
    out = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s",
                          "--latency", "-s", os.path.join(HERE, "manage_boxes.lua"), url],
                         env=env, capture_output=True, text=True, check=True).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
               "requests": int(re.search(r"(\d+) requests in", out).group(1))}
    for name, percent in (("p50_ms", "50"), ("p90_ms", "90"), ("p99_ms", "99")):
        m = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)", out, re.M)
        figures[name] = float(m.group(1)) * SCALE_MS[m.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["non2xx"] = int(non2xx.group(1)) if non2xx else 0
    return figures


def status_sum(db, like):
    return sum(int(v) for _, v in db.sql(f"SHOW GLOBAL STATUS LIKE '{like}'"))


def load_average():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def measure(db, keys, token, build, folder, bodies, duration):
    harness.BUILD = build
    os.makedirs(folder, exist_ok=True)
    depot = harness.Depot(db, keys, folder, form="one", debug=True, feed=True, extra_env=LIMITS)
    try:
        query = harness.read_query("manage_boxes.graphql")
        for _ in range(3):                   # warm up: the buffer pool and Depot
            bench.timed_post(depot.port, bench.body(query, 100000), token)
        _, sample = bench.timed_post(depot.port, bench.body(query, 50), token)
        wrk(depot.url, bodies["varied"], token, 16, 3)
        out = {"statements_first50": sample["extensions"]["debug"]["sqlStatements"],
               "load_before": load_average()}
        out["single"] = wrk(depot.url, bodies["single"], token, 1, duration)
        selects, reads = status_sum(db, "Com_select"), status_sum(db, "Handler_read%")
        out["varied"] = wrk(depot.url, bodies["varied"], token, 16, duration)
        n = max(1, out["varied"]["requests"])
        out["varied"]["selects_per_request"] = (status_sum(db, "Com_select") - selects) / n
        out["varied"]["rows_read_per_request"] = (status_sum(db, "Handler_read%") - reads) / n
        out["load_after"] = load_average()
        return out
    finally:
        depot.stop()


def load(folder, indexes):
    """A MariaDB with Depot's DDL, the given indexes, its own tables and the demo data."""
    os.makedirs(folder)
    db = harness.MariaDB(folder)
    db.load_file(os.path.join(REPO, "db", "ddl.sql"))
    db.load_file(indexes)
    db.load_file(os.path.join(REPO, "db", "idempotency.sql"))
    db.load_file(os.path.join(REPO, "db", "feed.sql"))
    db.load_bytes(subprocess.run([harness.binary("tools", "depot-gen")], check=True,
                                 capture_output=True, timeout=300).stdout)
    return db


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True)
    parser.add_argument("--before")
    parser.add_argument("--before-indexes", help="the indexes.sql of the build before "
                        "(default: db/indexes.sql, as the build after)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    own = os.path.join(REPO, "db", "indexes.sql")
    builds = [("before", os.path.abspath(args.before), args.before_indexes or own)] if args.before else []
    builds.append(("after", os.path.abspath(args.build), own))
    harness.BUILD = builds[-1][1]
    scratch = harness.Scratch()
    dbs = {}
    results = {"cores": os.cpu_count(), "runs": []}
    try:
        for label, _, indexes in builds:
            dbs[label] = load(os.path.join(scratch.path, f"db-{label}"), indexes)
        keys = harness.Keys(scratch.path)
        token = keys.token()
        query = harness.read_query("manage_boxes.graphql")
        bodies = {"single": os.path.join(scratch.path, "single.txt"),
                  "varied": os.path.join(scratch.path, "varied.txt")}
        with open(bodies["single"], "w") as f:
            f.writelines(bench.body(query, 50, flt) + "\n" for flt in FILTERS)
        with open(bodies["varied"], "w") as f:       # 80 pages: filters rotate fastest
            f.writelines(bench.body(query, first, flt) + "\n"
                         for first in range(41, 61) for flt in FILTERS)
        for r in range(args.rounds):
            for label, build, _ in builds:
                figures = measure(dbs[label], keys, token, build, os.path.join(scratch.path, f"{label}{r}"),
                                  bodies, args.duration)
                figures.update(label=label, round=r + 1)
                print(json.dumps(figures), flush=True)
                results["runs"].append(figures)
    finally:
        for db in dbs.values():
            db.stop()
        scratch.remove()
    report(results)


def report(results):
    now = datetime.datetime.now()
    lines = [f"# Issue 21: ManageBoxes, before and after, {now:%Y-%m-%d %H:%M}", "",
             f"Machine: {results['cores']} cores, shared; MariaDB beside Depot; the demo data "
             "of scripts/run.sh (8,201 boxes in base 1); Release builds; one-process `depot` "
             "with the change feed on; builds interleaved.", "",
             "| build | round | single p50 / p90 (ms) | varied 16 conn. req/s (p50 / p99 ms) "
             "| statements (first 50) | SELECTs / rows read per varied request | load before / after |",
             "|---|---|---|---|---|---|---|"]
    for run in results["runs"]:
        s, v = run["single"], run["varied"]
        lines.append(f"| {run['label']} | {run['round']} | {s['p50_ms']:.2f} / {s['p90_ms']:.2f} "
                     f"| {v['rps']:.0f} ({v['p50_ms']:.1f} / {v['p99_ms']:.1f}) "
                     f"| {run['statements_first50']} | {v['selects_per_request']:.1f} / "
                     f"{v['rows_read_per_request']:.0f} | {run['load_before']:.1f} / {run['load_after']:.1f} |")
    for r in sorted({run["round"] for run in results["runs"]}):
        pair = {run["label"]: run for run in results["runs"] if run["round"] == r}
        if "before" in pair and "after" in pair:
            b, a = pair["before"], pair["after"]
            lines.append("")
            lines.append(f"Round {r}: single p50 {a['single']['p50_ms'] / b['single']['p50_ms']:.2f}x, "
                         f"varied req/s {a['varied']['rps'] / b['varied']['rps']:.2f}x.")
    text = "\n".join(lines) + "\n"
    print(text)
    path = os.path.join(HERE, "results", f"{now:%Y-%m-%d}-issue21-manageboxes-bench.md")
    with open(path, "w") as f:
        f.write(text)
    with open(path.replace(".md", ".json"), "w") as f:
        json.dump(results, f, indent=1)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
