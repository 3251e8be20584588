#!/usr/bin/env python3
"""Depot's benchmarks P1, P2 and P6 (spec/PERFORMANCE.md) on this machine.

Starts a private MariaDB with Depot's DDL, indexes and the 8,201-box demo base, starts the
one-process `depot` (Release build), then measures:
  P1  ManageBoxes page (first: 50, full element selection): single-request p50 with wrk -c1,
      throughput at 16 and 64 connections (wrk), request bodies varied over the front-end's
      four mount-time filters;
  P2  the full preload (first: 100000 = all 8,201 boxes): median of 10 single requests;
  P3  BoxView: throughput at 16 connections over random labels;
  P6  latency per box for first = 50, 500, 5,000, 8,201;
and the SQL statements per request (Depot's debug counter). Results: a Markdown table in
bench/results/. Usage: bench/bench.py [--build DIR] [--duration SECONDS]
Licensed under the Apache License 2.0.
"""
import argparse
import datetime
import json
import os
import statistics

from common import (FILTERS, LIMITS, REPO, RESULTS, Demo, harness, manage_boxes_body as body, timed_post,
                    wrk, write_report)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    with Demo(args.build) as demo:
        db = demo.db
        token = demo.keys.token()
        depot = demo.depot(debug=True, extra_env=LIMITS)
        query = harness.read_query("manage_boxes.graphql")
        bodies_file = demo.bodies("bodies.txt", [body(query, 50, f) for f in FILTERS])
        # Warm up MariaDB's buffer pool and Depot.
        for _ in range(20):
            timed_post(depot.port, body(query, 100000), token)
        _, sample = timed_post(depot.port, body(query, 50), token)
        statements_p1 = sample["extensions"]["debug"]["sqlStatements"]
        results = {"cores": os.cpu_count(), "statements_p1": statements_p1}
        # P3: BoxView (box by label with history, tags, product counts, location.base) over
        # 200 random labels of the base.
        view = harness.read_query("box_view.graphql")
        labels = [r[0] for r in db.sql("SELECT s.box_id FROM stock s JOIN locations l ON l.id = s.location_id "
                                         "WHERE l.camp_id = 1 ORDER BY RAND(7) LIMIT 200")]
        view_file = demo.bodies("view.txt", [json.dumps({"query": view, "variables": {"labelIdentifier": label}})
                                             for label in labels])
        _, sample = timed_post(depot.port, json.dumps({"query": view, "variables": {"labelIdentifier": labels[0]}}), token)
        results["statements_p3"] = sample["extensions"]["debug"]["sqlStatements"]
        results["p3_16"] = wrk(depot.url, view_file, token, 16, args.duration)
        results["p1_single"] = wrk(depot.url, bodies_file, token, 1, args.duration)
        results["p1_16"] = wrk(depot.url, bodies_file, token, 16, args.duration)
        results["p1_64"] = wrk(depot.url, bodies_file, token, 64, args.duration)
        p2 = [timed_post(depot.port, body(query, 100000), token) for _ in range(10)]
        results["p2_median_ms"] = statistics.median(t for t, _ in p2) * 1000
        results["p2_bytes"] = len(json.dumps(p2[0][1]["data"]))
        results["statements_p2"] = p2[0][1]["extensions"]["debug"]["sqlStatements"]
        p6 = {}
        for first in (50, 500, 5000, 8201):
            times = [timed_post(depot.port, body(query, first), token)[0] for _ in range(10)]
            p6[first] = statistics.median(times) * 1000
        results["p6_ms"] = p6
        results["p6_us_per_box"] = (p6[8201] - p6[50]) / (8201 - 50) * 1000
        report(results)


def report(r):
    today = datetime.date.today().isoformat()
    lines = [
        f"# Depot benchmarks, {today}",
        "",
        f"Machine: {r['cores']} cores; MariaDB 10.11 on the same machine; 8,201-box demo base "
        "(depot-gen defaults); Release build; one-process `depot`.",
        "",
        "| figure | measured | target |",
        "|---|---|---|",
        f"| P1 single request p50 (wrk -c1) | {r['p1_single']['p50_ms']:.2f} ms | ≤ 5 ms |",
        f"| P1 throughput @16 connections | {r['p1_16']['rps']:.0f} req/s (p99 {r['p1_16']['p99_ms']:.1f} ms) | ≥ 600 req/s |",
        f"| P1 throughput @64 connections | {r['p1_64']['rps']:.0f} req/s (p99 {r['p1_64']['p99_ms']:.1f} ms, non-2xx {r['p1_64']['non2xx']}) | |",
        f"| P3 BoxView throughput @16 connections (random labels) | {r['p3_16']['rps']:.0f} req/s (p50 {r['p3_16']['p50_ms']:.1f} ms, p99 {r['p3_16']['p99_ms']:.1f} ms) | |",
        f"| P2 full preload, median of 10 | {r['p2_median_ms']:.1f} ms ({r['p2_bytes'] / 1e6:.1f} MB of data) | ≤ 150 ms |",
        f"| P6 marginal cost per box | {r['p6_us_per_box']:.1f} µs | ≤ 15 µs |",
        f"| SQL statements per request | P1 {r['statements_p1']}, P2 {r['statements_p2']}, P3 {r['statements_p3']} | independent of page size; P1 ≤ 16 |",
        "",
        "P6 medians: " + ", ".join(f"first {k}: {v:.1f} ms" for k, v in r["p6_ms"].items()),
        "",
    ]
    prefix = os.path.join(RESULTS, f"{today}-p1-p2-p6")
    write_report(prefix, "\n".join(lines), r)


if __name__ == "__main__":
    main()
