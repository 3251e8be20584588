#!/usr/bin/env python3
"""The share of 503s, throughput and latency at 64 and 256 connections (issue 12), P1 and P3,
at Depot's default settings, for one or more builds run back to back on this machine.

For each build: a private MariaDB with the 8,201-box demo base, the one-process `depot` with
no limit set (its defaults), then wrk for --duration seconds each: P1 (ManageBoxes first 50,
the four mount-time filters in turn) and P3 (BoxView over 200 random labels), at 64 and 256
connections. Reported: answers per second, 200s per second, the share of 503s (wrk's
non-2xx count; Depot answers nothing else here), p50 and p99 over all answers.
Usage: bench/admission_bench.py --build NAME=DIR [--build NAME=DIR ...] [--duration S]
Results: a Markdown table in bench/results/<date>-issue12-admission.md (and .json).
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

CONNECTIONS = (64, 256)


def wrk(url, bodies_file, token, connections, duration):
    """Like bench.wrk, and counts the answers too."""
    env = dict(os.environ, DEPOT_BENCH_BODIES=bodies_file, DEPOT_BENCH_TOKEN=token)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency",
                          "-s", os.path.join(HERE, "manage_boxes.lua"), url],
                         env=env, capture_output=True, text=True, check=True).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    refused = int(errors.group(1)) if errors else 0
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    return {"answers_per_s": total / duration, "ok_per_s": (total - refused) / duration,
            "share_503": refused / total if total else 0.0,
            "p50_ms": float(p50.group(1)) * scale[p50.group(2)],
            "p99_ms": float(p99.group(1)) * scale[p99.group(2)]}


def run(build, duration):
    harness.BUILD = build
    scratch = harness.Scratch()
    db = harness.MariaDB(scratch.path)
    depot = None
    try:
        harness.load_demo(db)
        keys = harness.Keys(scratch.path)
        token = keys.token()
        depot = harness.Depot(db, keys, scratch.path, form="one", debug=False)
        query = harness.read_query("manage_boxes.graphql")
        p1_file = os.path.join(scratch.path, "p1.txt")
        with open(p1_file, "w") as f:
            for filter_input in bench.FILTERS:
                f.write(bench.body(query, 50, filter_input) + "\n")
        view = harness.read_query("box_view.graphql")
        labels = [r[0] for r in db.sql("SELECT s.box_id FROM stock s JOIN locations l ON "
                                         "l.id = s.location_id WHERE l.camp_id = 1 "
                                         "ORDER BY RAND(7) LIMIT 200")]
        p3_file = os.path.join(scratch.path, "p3.txt")
        with open(p3_file, "w") as f:
            for label in labels:
                f.write(json.dumps({"query": view, "variables": {"labelIdentifier": label}}) + "\n")
        for _ in range(20):        # warm MariaDB's buffer pool and Depot
            bench.timed_post(depot.port, bench.body(query, 100000), token)
        results = {}
        for name, bodies in (("P1", p1_file), ("P3", p3_file)):
            for connections in CONNECTIONS:
                results[f"{name}@{connections}"] = wrk(depot.url, bodies, token, connections,
                                                       duration)
                print(name, connections, results[f"{name}@{connections}"], flush=True)
        return results
    finally:
        if depot:
            depot.stop()
        db.stop()
        scratch.remove()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="append", required=True, help="NAME=DIR")
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    runs = {}
    for item in args.build:
        name, build = item.split("=", 1)
        runs[name] = run(os.path.abspath(build), args.duration)
    today = datetime.date.today().isoformat()
    lines = [f"# Admission at 64 and 256 connections, {today}", "",
             f"Machine: {os.cpu_count()} cores shared with other work; MariaDB beside Depot; "
             f"8,201-box demo base; Release builds; one-process `depot` at its default settings; "
             f"wrk -t2, {args.duration} s per row, builds run back to back.", "",
             "| build | workload | connections | answers/s | 200/s | 503 share | p50 ms | p99 ms |",
             "|---|---|---|---|---|---|---|---|"]
    for name, results in runs.items():
        for key, r in results.items():
            workload, connections = key.split("@")
            lines.append(f"| {name} | {workload} | {connections} | {r['answers_per_s']:.0f} | "
                         f"{r['ok_per_s']:.0f} | {r['share_503'] * 100:.1f}% | "
                         f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    path = os.path.join(HERE, "results", f"{today}-issue12-admission")
    with open(path + ".md", "w") as f:
        f.write(text)
    with open(path + ".json", "w") as f:
        json.dump(runs, f, indent=1)
    print(f"written to {path}.md")


if __name__ == "__main__":
    main()
