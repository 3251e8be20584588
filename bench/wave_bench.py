#!/usr/bin/env python3
"""A single BoxView or QR scan when db-svc's pool has shrunk (issue 21's round trips).

After 5 s without work a pool shrinks to DEPOT_DB_POOL_MIN (2) connections: a volunteer who
scans a box now and then meets it so. This bench holds the pool there (DEPOT_DB_POOL=2,
DEPOT_DB_POOL_MIN=2) and sends each workload's requests one after another (after 8 to warm up,
the median of 40), with MariaDB directly, 10 ms and 1 ms away (bench/delay_proxy.c, as
p4_bench.py), for each build given, in rounds (before, after, before, after, ...): a request's
reads of one wave cost one round trip when they share a connection's text (DEPOT_DB_WAVE), one
per read beyond the connections otherwise. Each is measured on a fresh Depot, then again
('warm') once every request of the workload has been sent.
--feed runs each depot with its change feed, as scripts/run.sh does (rows kept between requests).
Usage: bench/wave_bench.py --build build-rel [--before ../before/build-rel] [--rounds 2] [--feed]
       [--set NAME=VALUE ...] [--out PREFIX]
Results: bench/results/<date>-issue21-wave.md and .json (--out another prefix).
Licensed under the Apache License 2.0.
"""
import argparse
import datetime
import os
import statistics

from common import HERE, REPO, builds_compared, timed_post, tree_of, write_report
from p4_bench import DELAYS_MS, Setup

WORKLOADS = {"p3": "BoxView (P3)", "qr": "QR scan"}
WARM = " warm"
WARM_UP, MEASURED = 8, 40


def single(s, build, label, place, port):
    """Median single-request time of each workload on a fresh Depot at port."""
    depot = s.depot(build, label, port)
    try:
        out = {}
        for workload in WORKLOADS:
            with open(s.workloads[workload]) as f:
                bodies = f.read().splitlines()
            for body in bodies[:WARM_UP]:
                timed_post(depot.port, body, s.token)
            measured = [bodies[i % len(bodies)] for i in range(WARM_UP, WARM_UP + MEASURED)]
            out[workload] = statistics.median(timed_post(depot.port, b, s.token)[0] * 1000 for b in measured)
        # Warm: the same requests again once every body has been asked (the rows db-svc keeps
        # between requests are then in, as on a Depot that has been running).
        for workload in WORKLOADS:
            with open(s.workloads[workload]) as f:
                bodies = f.read().splitlines()
            for body in bodies:
                timed_post(depot.port, body, s.token)
            measured = [bodies[i % len(bodies)] for i in range(WARM_UP, WARM_UP + MEASURED)]
            out[workload + WARM] = statistics.median(
                timed_post(depot.port, b, s.token)[0] * 1000 for b in measured)
        return out
    finally:
        depot.stop()


def report(results, prefix):
    builds = results["builds"]
    lines = [f"# A single request with db-svc's pool at 2 connections ({datetime.date.today().isoformat()})", "",
             f"Machine: {results['cores']} cores; 8,201-box demo data; the one-process `depot`, Release "
             "build, `DEPOT_DB_POOL=2 DEPOT_DB_POOL_MIN=2`"
             + (", " + ", ".join(f"{k}={v}" for k, v in results["settings"].items()) if results["settings"] else "")
             + (", with its change feed (kept counts and rows)" if results.get("feed") else "")
             + "; MariaDB directly or through depot-delay-proxy (5 ms or 0.5 ms each way). Each cell: the "
             f"median of {MEASURED} requests sent one after another, after {WARM_UP}, one per round; "
             "'warm': the same requests once every request of the workload (200) has been sent once, "
             "as on a Depot that has been running (the rows kept between requests are in).", ""]
    for label in builds:
        lines.append(f"- {label}: {results['trees'][label]}")
    lines += ["", "| workload | where | " + " | ".join(builds) + (" | after / before |" if len(builds) == 2 else " |"),
              "|---|---|" + "---|" * len(builds) + ("---|" if len(builds) == 2 else "")]
    for workload, name in [(w + suffix, n + suffix) for w, n in WORKLOADS.items() for suffix in ("", WARM)]:
        for place in ["direct"] + list(DELAYS_MS):
            cells = [results["ms"][label][place][workload] for label in builds]
            row = f"| {name} | {place} | " + " | ".join(", ".join(f"{v:.1f} ms" for v in c) for c in cells)
            if len(builds) == 2:
                row += f" | {statistics.median(cells[1]) / statistics.median(cells[0]):.2f}x"
            lines.append(row + " |")
    write_report(prefix, "\n".join(lines) + "\n", results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(REPO, "build"), help="the build measured")
    parser.add_argument("--before", help="an older tree's build, measured in turn with it")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="another setting for every instance")
    parser.add_argument("--feed", action="store_true",
                        help="run each depot with its change feed, as scripts/run.sh does (kept rows)")
    parser.add_argument("--out", default=os.path.join(
        HERE, "results", f"{datetime.date.today().isoformat()}-issue21-wave"))
    args = parser.parse_args()
    builds = builds_compared(args.build, args.before)
    settings = dict(item.split("=", 1) for item in args.set)
    s = Setup(dict(settings, DEPOT_DB_POOL="2", DEPOT_DB_POOL_MIN="2"), list(WORKLOADS), args.feed)
    try:
        s.load(builds[-1][1], [b for _, b in builds[:-1]])
        results = {"cores": os.cpu_count(), "builds": [b for b, _ in builds], "trees": {},
                   "settings": settings, "delays_ms_one_way": DELAYS_MS, "feed": args.feed,
                   "ms": {label: {} for label, _ in builds}}
        for label, build in builds:
            results["trees"][label] = tree_of(build)
        places = [("direct", s.db.port)] + [(name, port) for name, (_, port) in s.proxies.items()]
        for round_ in range(args.rounds):
            for label, build in builds:
                for place, port in places:
                    ms = single(s, build, f"{label}-{place}-{round_}", place, port)
                    for workload, value in ms.items():
                        results["ms"][label].setdefault(place, {}).setdefault(workload, []).append(value)
                    print(f"round {round_ + 1} {label} {place}: "
                          + ", ".join(f"{w} {v:.1f} ms" for w, v in ms.items()), flush=True)
        report(results, args.out)
    finally:
        s.close()


if __name__ == "__main__":
    main()
