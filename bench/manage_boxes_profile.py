#!/usr/bin/env python3
"""Where a ManageBoxes request's time goes (issue 21), on one build.

Starts a private MariaDB with the demo data of scripts/run.sh and the one-process `depot` with
the change feed on, then:
  1. the p50 of 20 single requests of the page (first 50, no filter); each statement's own
     time comes from bench/sql_profile.py's replay;
  2. the CPU time of depot and of mariadbd (/proc/<pid>/stat) per request under the varied
     pages at 16 connections (wrk, 10 s), and the same with one connection;
  3. with --perf, `perf record` of depot during the varied load, the top symbols.
Usage: bench/manage_boxes_profile.py --build build-rel [--perf]
Licensed under the Apache License 2.0.
"""
import argparse
import os
import subprocess

from common import LIMITS, Demo, cpu_seconds, manage_boxes_body, timed_post, wrk
from manage_boxes_bench import QUERY, VARIED


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True)
    parser.add_argument("--perf", action="store_true")
    args = parser.parse_args()
    with Demo(args.build) as demo:
        token = demo.keys.token()
        depot = demo.depot(debug=True, feed=True, extra_env=LIMITS)
        single = manage_boxes_body(QUERY, 50)
        varied_file = demo.bodies("varied.txt", VARIED)
        for _ in range(3):
            timed_post(depot.port, manage_boxes_body(QUERY, 100000), token)
        wrk(depot.url, varied_file, token, 16, 3)
        times = sorted(timed_post(depot.port, single, token)[0] * 1000 for _ in range(20))
        print(f"single request (first 50, no filter), p50 of 20: {times[10]:.2f} ms")
        depot_pid, db_pid = depot.processes[0].pid, demo.mariadb_pid()
        for connections in (1, 16):
            d0, m0 = cpu_seconds(depot_pid), cpu_seconds(db_pid)
            figures = wrk(depot.url, varied_file, token, connections, 10)
            d1, m1 = cpu_seconds(depot_pid), cpu_seconds(db_pid)
            n = figures["requests"]
            print(f"varied pages at {connections} connection(s): {figures['rps']:.0f} req/s, CPU per request: "
                  f"depot {(d1 - d0) * 1000 / n:.2f} ms, mariadbd {(m1 - m0) * 1000 / n:.2f} ms")
        if args.perf:
            data = os.path.join(demo.scratch.path, "perf.data")
            rec = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-o", data, "-p", str(depot_pid)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wrk(depot.url, varied_file, token, 16, 8)
            rec.send_signal(2)
            rec.wait(60)
            for sort, limit in (("dso", "0.5"), ("dso,symbol", "0.7")):
                out = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", sort,
                                      "--stdio", "-g", "none", "--percent-limit", limit],
                                     capture_output=True, text=True).stdout
                print(f"perf, depot under the varied pages at 16 connections (self time, by {sort}):")
                print("\n".join(line.rstrip(" -") for line in out.splitlines()
                                if line.strip() and not line.startswith("#")))


if __name__ == "__main__":
    main()
