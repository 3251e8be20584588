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
import json
import os
import statistics
import subprocess
import time

from common import (REPO, RESULTS, Demo, builds_compared, cpu_seconds, harness, manage_boxes_body, memory_kib,
                    percentile, timed_post_raw, write_report)

WARM_UP = 5


def measure(demo, build, form, requests, payload, perf=None, settings=None):
    depot = demo.depot(form=form, build=build, debug=True, extra_env=settings)
    try:
        token = demo.keys.token()
        names = list(depot.commands)
        pids = {name: depot.processes[depot.commands[name][0]].pid for name in names}
        pids["mariadbd"] = demo.mariadb_pid()
        for _ in range(WARM_UP):
            _, data = timed_post_raw(depot.port, payload, token)
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
            elapsed, data = timed_post_raw(depot.port, payload, token)
            times.append(elapsed)
        cpu_after = {name: cpu_seconds(pid) for name, pid in pids.items()}
        if recorder:
            recorder.send_signal(2)
            recorder.wait()
        median = statistics.median(times)
        return {
            "build": build, "form": form, "load": load, "requests": requests,
            "median_ms": median * 1000, "p90_ms": percentile(times, 90) * 1000,
            "bytes": len(data), "mb_per_s": len(data) / median / 1e6,
            "cpu_ms_per_request": {name: (cpu_after[name] - cpu_before[name]) * 1000 / requests
                                   for name in pids},
            "peak_rss_mb": {name: memory_kib(pid, "VmHWM") / 1024 for name, pid in pids.items()},
            "statements": answer["extensions"]["debug"]["sqlStatements"],
            # The answer's data, not its debug extension (whose fields differ between builds).
            "sha256": hashlib.sha256(json.dumps(answer["data"]).encode()).hexdigest(),
        }
    finally:
        demo.stop(depot)


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
    lines += ["", "Answers (their data, without the debug extension): " + ("the same in every run" if same else
                                "DIFFERENT between runs: " + ", ".join(r["sha256"][:12] for r in runs))]
    befores = [r["median_ms"] for r in runs if r["label"] == "before"]
    afters = [r["median_ms"] for r in runs if r["label"] == "after"]
    if befores and afters:
        lines += ["", "Ratio after / before of the medians, per round: "
                  + ", ".join(f"{a / b:.2f}" for a, b in zip(afters, befores))]
    # An absolute --out stands as it is; a relative one, as the default, under bench/results/.
    write_report(os.path.join(RESULTS, f"{prefix or today + '-issue21-preload'}-{form}"),
                 "\n".join(lines) + "\n", runs)


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
    builds = builds_compared(args.build, args.before)
    runs = []
    with Demo(builds[-1][1], others=[b for _, b in builds[:-1]]) as demo:
        payload = manage_boxes_body(harness.read_query("manage_boxes.graphql"), 100000)
        for round_ in range(args.rounds):
            for label, build in builds:
                last = round_ == args.rounds - 1 and label == builds[-1][0]
                run = measure(demo, build, args.form, args.requests, payload,
                              perf=args.perf if last else None,
                              settings=dict(item.split("=", 1) for item in args.set))
                run["label"] = label
                runs.append(run)
                print(f"{label}: median {run['median_ms']:.1f} ms, p90 {run['p90_ms']:.1f} ms, "
                      f"load {run['load'][0]:.1f}", flush=True)
        report(runs, args.form, args.out)


if __name__ == "__main__":
    main()
