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
machine is shared). Results: bench/results/<date>-issue21-manageboxes-bench.md and .json (--out another prefix).
Usage: bench/manage_boxes_bench.py --build build-rel [--before OLD/build-rel
       --before-indexes OLD/db/indexes.sql] [--rounds 2] [--duration 10] [--out PREFIX]
Licensed under the Apache License 2.0.
"""
import argparse
import contextlib
import datetime
import json
import os

from common import (FILTERS, LIMITS, RESULTS, Demo, harness, manage_boxes_body, timed_post, wrk,
                    write_bodies, write_report)

QUERY = harness.read_query("manage_boxes.graphql")
# "80 different pages": first from 41 to 60, each with every filter (the filters rotate fastest).
VARIED = [manage_boxes_body(QUERY, first, flt) for first in range(41, 61) for flt in FILTERS]


def status_sum(db, like):
    return sum(int(v) for _, v in db.sql(f"SHOW GLOBAL STATUS LIKE '{like}'"))


def measure(demo, build, bodies, duration):
    depot = demo.depot(build=build, debug=True, feed=True, extra_env=LIMITS)
    try:
        token = demo.keys.token()
        for _ in range(3):                   # warm up: the buffer pool and Depot
            timed_post(depot.port, manage_boxes_body(QUERY, 100000), token)
        _, sample = timed_post(depot.port, manage_boxes_body(QUERY, 50), token)
        wrk(depot.url, bodies["varied"], token, 16, 3)
        out = {"statements_first50": sample["extensions"]["debug"]["sqlStatements"],
               "load_before": os.getloadavg()[0]}
        out["single"] = wrk(depot.url, bodies["single"], token, 1, duration)
        selects, reads = status_sum(demo.db, "Com_select"), status_sum(demo.db, "Handler_read%")
        out["varied"] = wrk(depot.url, bodies["varied"], token, 16, duration)
        n = max(1, out["varied"]["requests"])
        out["varied"]["selects_per_request"] = (status_sum(demo.db, "Com_select") - selects) / n
        out["varied"]["rows_read_per_request"] = (status_sum(demo.db, "Handler_read%") - reads) / n
        out["load_after"] = os.getloadavg()[0]
        return out
    finally:
        demo.stop(depot)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True)
    parser.add_argument("--before")
    parser.add_argument("--before-indexes", help="the indexes.sql of the build before "
                        "(default: db/indexes.sql, as the build after)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--out", help="the results' path without .md/.json (default: "
                        "bench/results/<date>-issue21-manageboxes-bench)")
    args = parser.parse_args()
    builds = [("before", args.before, args.before_indexes)] if args.before else []
    builds.append(("after", args.build, None))
    results = {"cores": os.cpu_count(), "runs": []}
    with contextlib.ExitStack() as stack:
        # A database per build, each with that build's indexes and the same data (this tree's generator).
        demos = {label: stack.enter_context(Demo(args.build, indexes=indexes)) for label, _, indexes in builds}
        folder = demos["after"].scratch.path
        bodies = {"single": write_bodies(os.path.join(folder, "single.txt"),
                                         [manage_boxes_body(QUERY, 50, flt) for flt in FILTERS]),
                  "varied": write_bodies(os.path.join(folder, "varied.txt"), VARIED)}
        for r in range(args.rounds):
            for label, build, _ in builds:
                figures = measure(demos[label], build, bodies, args.duration)
                figures.update(label=label, round=r + 1)
                print(json.dumps(figures), flush=True)
                results["runs"].append(figures)
    report(results, args.out)


def report(results, out=None):
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
    write_report(out or os.path.join(RESULTS, f"{now:%Y-%m-%d}-issue21-manageboxes-bench"),
                 "\n".join(lines) + "\n", results)


if __name__ == "__main__":
    main()
