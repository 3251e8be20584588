#!/usr/bin/env python3
"""P4 at 10 ms and 1 ms round trips, at Depot's default settings (issue 12).

Starts a private MariaDB on a loopback TCP port with Depot's DDL, indexes and the 8,201-box demo
data, and two delay proxies in front of it (depot-delay-proxy, bench/delay_proxy.c: 5 ms and
0.5 ms each way). For each build given (--build, and --before to compare with an older tree),
it runs the one-process `depot` with no setting changed (no DEPOT_DB_POOL, DEPOT_THREADS or
DEPOT_MAX_INFLIGHT override) three times: on MariaDB directly, 10 ms away and 1 ms away, and
measures three workloads with wrk at 64 connections:
  p1     the project's P1: ManageBoxes, first 50, no state filter or InStock/Donated/Scrap;
  p3     the project's P3: BoxView over random labels;
  issue  issue 12's: ManageBoxes with first from 41 to 60, no state filter or one of
         InStock/Donated/Scrap in rotation;
  qr     the QR scan (tests/queries/qr_code_scan.graphql) over the codes of random boxes.
Each workload is warmed up for 3 s at 64 connections first (the pool grows to what it needs),
then measured. Throughput counts answers with data (2xx); the share of other answers (503
from admission) is reported beside it, and MariaDB's statements (Com_select) per answer. The ratio is the P4 ratio of the earlier results
(bench/results/2026-11-22-p4-p5-coalescing.md): throughput with the delay over the ideal,
min(64 / single-request median with the delay, throughput of the same build without it).
Directly, P1 and P3 are also measured at 16 connections (bench.py's P1 and P3).
Usage: bench/p4_bench.py --build build-rel [--before ../before/build-rel] [--duration 10]
       [--set NAME=VALUE ...] [--only p3,qr] [--out PREFIX]
--only measures only the workloads named (default: p1, p3, issue).
--feed runs each depot with its change feed (DEPOT_FEED_BIND/CONNECT), as scripts/run.sh does:
the feed vouches for kept counts and rows (db-svc/dp_db_kept_rows.h).
--set changes a setting for every instance (e.g. the issue's DEPOT_THREADS=128
DEPOT_MAX_INFLIGHT=96); without it every setting is Depot's default.
Results: bench/results/<date>-issue12-p4.md and .json (--out another prefix).
Licensed under the Apache License 2.0.
"""
import argparse
import datetime
import json
import os
import random
import re
import statistics
import subprocess
import time
import urllib.request

import common
from common import (FILTERS, HERE, REPO, builds_compared, harness, indexes_of, manage_boxes_body,
                    timed_post, tree_of, write_bodies, write_report)
from resilience_bench import box_view

DELAYS_MS = {"10ms": 5.0, "1ms": 0.5}       # one way
FEED_LIVE_S = 2.5                           # a FEED_STATUS comes every second
CONNECTIONS = 64
WARM_UP_S = 3


def wrk(url, bodies_file, token, connections, duration):
    """wrk through bench/manage_boxes.lua; throughput of answers with data, the share of others."""
    figures = common.wrk(url, bodies_file, token, connections, duration)
    share = figures["non2xx"] / figures["requests"] if figures["requests"] else 0.0
    return {"ok_rps": figures["rps"] * (1 - share), "non2xx_share": share, "requests": figures["requests"],
            "p99_ms": figures["p99_ms"]}


def com_select(db):
    """MariaDB's count of SELECT statements since it started."""
    return int(db.sql("SHOW GLOBAL STATUS LIKE 'Com_select'")[0][1])


def pool_target(port):
    """depot_db_pool_target in /metrics (connections db-svc's pool wants), None when absent."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        match = re.search(r"^depot_db_pool_target\{[^}]*\} (\d+)$", response.read().decode(), re.M)
    return int(match.group(1)) if match else None


class Setup:
    def __init__(self, settings, only, feed=False):
        self.settings = settings
        self.only = only
        self.feed = feed
        self.scratch = harness.Scratch()
        self.db = harness.MariaDB(self.scratch.path, port=harness.free_port())
        self.proxies = {}

    def load(self, build, others=()):
        """The demo data with build's indexes, and those of the other builds' trees too
        (each build forces indexes its own indexes.sql makes, which a later one may replace)."""
        harness.BUILD = build
        harness.load_demo(self.db)
        for other in others:
            self.db.load_file(indexes_of(other))
        self.keys = harness.Keys(self.scratch.path)
        self.bases = [int(r[0]) for r in self.db.sql(
            "SELECT id FROM camps WHERE organisation_id = 1 AND deleted IS NULL ORDER BY id")]
        permissions = [f"base_{b}/{r}:read" for b in self.bases for r in harness.RESOURCES]
        self.token = self.keys.token(base_ids=self.bases, permissions=permissions)
        labels = [r[0] for r in self.db.sql(
            "SELECT s.box_id FROM stock s JOIN locations l ON l.id = s.location_id "
            f"WHERE l.camp_id IN ({','.join(map(str, self.bases))}) ORDER BY RAND(3) LIMIT 400")]
        codes = [r[0] for r in self.db.sql(
            "SELECT q.code FROM stock s JOIN locations l ON l.id = s.location_id JOIN qr q ON q.id = s.qr_id "
            f"WHERE l.camp_id IN ({','.join(map(str, self.bases))}) ORDER BY RAND(3) LIMIT 400")]
        qr = harness.read_query("qr_code_scan.graphql")
        mb, bv = harness.read_query("manage_boxes.graphql"), harness.read_query("box_view.graphql")
        rng = random.Random(5)
        path = self.scratch.path
        self.workloads = {
            "p1": write_bodies(os.path.join(path, "p1.txt"), [manage_boxes_body(mb, 50, f) for f in FILTERS]),
            "p3": write_bodies(os.path.join(path, "p3.txt"),
                               [box_view(bv, rng.choice(labels)) for _ in range(200)]),
            "issue": write_bodies(os.path.join(path, "issue.txt"),
                                  [manage_boxes_body(mb, first, FILTERS[i % len(FILTERS)])
                                   for i, first in enumerate(range(41, 61))]),
            "qr": write_bodies(os.path.join(path, "qr.txt"),
                               [json.dumps({"query": qr, "operationName": "GetBoxLabelIdentifierForQrCode",
                                            "variables": {"qrCode": rng.choice(codes)}})
                                for _ in range(200)]),
        }
        self.workloads = {w: self.workloads[w] for w in self.only}
        proxy = harness.binary("bench", "depot-delay-proxy")
        for name, one_way in DELAYS_MS.items():
            port = harness.free_port()
            p = subprocess.Popen([proxy, str(port), str(self.db.port), str(one_way)],
                                 stdout=subprocess.PIPE, text=True)
            assert p.stdout.readline().strip() == "ready"
            self.proxies[name] = (p, port)

    def depot(self, build, name, port):
        harness.BUILD = build
        folder = os.path.join(self.scratch.path, name)
        os.makedirs(folder, exist_ok=True)
        env = dict(self.settings, MYSQL_HOST="127.0.0.1", MYSQL_PORT=str(port))
        depot = harness.Depot(self.db, self.keys, folder, form="one", debug=False, extra_env=env,
                              feed=self.feed)
        if self.feed:
            time.sleep(FEED_LIVE_S)     # the feed's first status: kept counts and rows vouched for
        return depot

    def close(self):
        for p, _ in self.proxies.values():
            p.terminate()
            p.wait(10)
        self.db.stop()
        self.scratch.remove()


def measure(s, build, label, duration):
    """Every workload of one build, directly and at each delay."""
    out = {}
    places = [("direct", s.db.port)] + [(name, port) for name, (_, port) in s.proxies.items()]
    for place, port in places:
        depot = s.depot(build, f"{label}-{place}", port)
        try:
            for workload, path in s.workloads.items():
                with open(path) as f:
                    bodies = f.read().splitlines()
                for b in bodies[:8]:
                    timed_post(depot.port, b, s.token)
                single = statistics.median(timed_post(depot.port, bodies[i % len(bodies)],
                                                            s.token)[0] * 1000 for i in range(30))
                wrk(depot.url, path, s.token, CONNECTIONS, WARM_UP_S)
                selects = com_select(s.db)
                c64 = wrk(depot.url, path, s.token, CONNECTIONS, duration)
                answers = c64["requests"] * (1 - c64["non2xx_share"])
                c64["statements_per_answer"] = (com_select(s.db) - selects) / answers if answers else None
                row = {"single_ms": single, "c64": c64, "pool_target": pool_target(depot.port)}
                if place == "direct" and workload in ("p1", "p3", "qr"):
                    row["c16"] = wrk(depot.url, path, s.token, 16, duration)
                out[f"{workload}_{place}"] = row
                print(f"{label} {place} {workload}: {json.dumps(row)}", flush=True)
        finally:
            depot.stop()
    for workload in s.workloads:
        direct = out[f"{workload}_direct"]["c64"]["ok_rps"]
        for place in DELAYS_MS:
            row = out[f"{workload}_{place}"]
            row["ideal_rps"] = min(CONNECTIONS / (row["single_ms"] / 1000), direct)
            row["ratio"] = row["c64"]["ok_rps"] / row["ideal_rps"]
    return out


def report(results, prefix):
    settings = ("settings changed: " + ", ".join(f"{k}={v}" for k, v in results["settings"].items())
                if results["settings"] else "every setting at its default")
    if results.get("feed"):
        settings += ", with its change feed as scripts/run.sh runs it (kept counts and rows)"
    lines = [f"# P4 at 10 ms and 1 ms round trips ({datetime.date.today().isoformat()})", "",
             f"Machine: {results['cores']} cores shared by MariaDB 10.11, Depot (one-process `depot`, "
             f"Release build, {settings}), wrk (2 threads, 64 connections) and the "
             "client; 8,201-box demo data; Depot reaches MariaDB over loopback TCP, directly or "
             "through depot-delay-proxy (5 ms or 0.5 ms each way). Each workload warmed up 3 s at "
             f"64 connections, then measured {results['duration']} s. Throughput counts answers "
             "with data; \"other\" is the share of other answers (503 from the gateway's admission "
             "limit). Ratio: throughput with the "
             "delay over min(64 / single-request median with the delay, the same build's "
             "throughput without it); over direct: throughput with the delay over the same build's "
             "without it (the ratio without the single request's bound, which a request that warms a "
             "cache makes low). Statements per answer: MariaDB's `Com_select` over the "
             "measured run per answer with data. Pool after: the connections db-svc's pool wanted "
             "at the end of the run (`depot_db_pool_target`; fixed: a build whose pool does not "
             "adapt).", ""]
    for label in results["builds"]:
        r = results[label]
        load = results["load_average"][label]
        lines += [f"## {label}: {results['trees'][label]}", "",
                  f"1-minute load average at its start and end: {load[0]:.1f}, {load[1]:.1f}.", "",
                  "| workload | where | single request | @64 | other @64 | p99 @64 | statements per answer @64 | pool after | ideal | ratio | over direct |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for workload in results["workloads"]:
            for place in ["direct"] + list(DELAYS_MS):
                row = r[f"{workload}_{place}"]
                c = row["c64"]
                ideal = f"{row['ideal_rps']:.0f} req/s" if "ideal_rps" in row else ""
                ratio = f"**{row['ratio'] * 100:.0f}%**" if "ratio" in row else ""
                direct = r[f"{workload}_direct"]["c64"]["ok_rps"]
                over_direct = f"{c['ok_rps'] / direct * 100:.0f}%" if place != "direct" and direct else ""
                statements = c.get("statements_per_answer")
                statements = f"{statements:.2f}" if statements is not None else "-"
                lines.append(f"| {workload} | {place} | {row['single_ms']:.1f} ms | {c['ok_rps']:.0f} req/s "
                             f"| {c['non2xx_share'] * 100:.0f}% | {c['p99_ms']:.0f} ms | {statements} "
                             f"| {row['pool_target'] if row['pool_target'] is not None else 'fixed'} "
                             f"| {ideal} | {ratio} | {over_direct} |")
        lines.append("")
        lines += ["Directly at 16 connections: " + ", ".join(
            f"{w.upper()} {r[f'{w}_direct']['c16']['ok_rps']:.0f} req/s "
            f"(p99 {r[f'{w}_direct']['c16']['p99_ms']:.0f} ms, other {r[f'{w}_direct']['c16']['non2xx_share'] * 100:.0f}%)"
            for w in ("p1", "p3", "qr") if w in results["workloads"]), ""]
    write_report(prefix, "\n".join(lines), results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(REPO, "build"), help="the build measured")
    parser.add_argument("--before", help="an older tree's build, measured first, back to back")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for every instance (default: none changed)")
    parser.add_argument("--only", default="p1,p3,issue", help="the workloads measured, comma-separated")
    parser.add_argument("--feed", action="store_true",
                        help="run each depot with its change feed, as scripts/run.sh and the compose"
                             " deployment do (kept counts and rows)")
    parser.add_argument("--out", default=os.path.join(
        HERE, "results", f"{datetime.date.today().isoformat()}-issue12-p4"))
    args = parser.parse_args()
    builds = builds_compared(args.build, args.before)
    settings = dict(item.split("=", 1) for item in args.set)
    only = args.only.split(",")
    s = Setup(settings, only, args.feed)
    try:
        s.load(builds[-1][1], [b for _, b in builds[:-1]])
        results = {"cores": os.cpu_count(), "duration": args.duration, "builds": [], "trees": {},
                   "workloads": only, "load_average": {},
                   "delays_ms_one_way": DELAYS_MS, "settings": settings, "feed": args.feed}
        for label, build in builds:
            results["builds"].append(label)
            results["trees"][label] = tree_of(build)
            start_load = os.getloadavg()[0]
            results[label] = measure(s, build, label, args.duration)
            results["load_average"][label] = [start_load, os.getloadavg()[0]]
        report(results, args.out)
    finally:
        s.close()


if __name__ == "__main__":
    main()
