#!/usr/bin/env python3
"""Where a ManageBoxes request's time goes (issue 21), on one build.

Starts a private MariaDB with the demo data of scripts/run.sh and the one-process `depot` with
the change feed on, then:
  1. MariaDB's slow log (mysql.slow_log) at long_query_time = 0 over 20 single requests of the page (first 50,
     no filter) and over 80 requests of the varied pages: each statement's server time, summed
     per kind of statement and divided by the requests;
  2. the CPU time of depot and of mariadbd (/proc/<pid>/stat) per request under the varied
     pages at 16 connections (wrk, 10 s), and the same with one connection;
  3. with --perf, `perf record` of depot during the varied load, the top symbols.
Usage: bench/manage_boxes_profile.py --build build-rel [--perf]
Licensed under the Apache License 2.0.
"""
import argparse
import collections
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
from manage_boxes_bench import FILTERS, LIMITS, wrk  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def kind(sql):
    """A short name for a statement: what it reads."""
    sql = re.sub(r"^SET STATEMENT max_statement_time=\S+ FOR ", "", sql.strip())
    if "gtid_binlog_pos" in sql:
        return "binlog position (count cache)"
    if sql.startswith("SELECT COUNT(*) FROM stock"):
        return "boxes COUNT (totalCount)"
    if sql.startswith("SELECT locations.id FROM locations WHERE locations.camp_id"):
        return "page step 1: the base's locations"
    if re.match(r"SELECT stock\.id.* FROM stock WHERE stock\.location_id IN", sql, re.S):
        return "page step 2: the page"
    m = re.search(r"\bFROM\s+(\w+)", sql)
    return f"load from {m.group(1)}" if m else sql[:40]


def slow_log(db, action, n_requests):
    """Each statement's server time (mysql.slow_log's query_time) during action(), per kind."""
    db.sql("TRUNCATE mysql.slow_log")
    db.sql("SET GLOBAL slow_query_log = 1")
    action()
    db.sql("SET GLOBAL slow_query_log = 0")
    totals = collections.Counter()
    counts = collections.Counter()
    for seconds, sql in db.sql("SELECT TIME_TO_SEC(query_time), "
                               "LEFT(REPLACE(REPLACE(sql_text, '\\n', ' '), '\\t', ' '), 400) "
                               "FROM mysql.slow_log WHERE sql_text LIKE 'SET STATEMENT%'"):
        k = kind(sql)
        totals[k] += float(seconds) * 1000
        counts[k] += 1
    return {k: (totals[k] / n_requests, counts[k] / n_requests) for k in totals}


def cpu_ms(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True)
    parser.add_argument("--perf", action="store_true")
    args = parser.parse_args()
    harness.BUILD = os.path.abspath(args.build)
    scratch = harness.Scratch()
    db = harness.MariaDB(scratch.path)
    depot = None
    try:
        harness.load_demo(db)
        keys = harness.Keys(scratch.path)
        token = keys.token()
        # Before Depot connects: a session takes long_query_time when it opens. No filter: the
        # default logs only statements with a filesort, a full scan, a temporary table, ...
        db.sql("SET GLOBAL log_output = 'TABLE', long_query_time = 0, slow_query_log = 0, log_slow_filter = ''")
        depot = harness.Depot(db, keys, scratch.path, form="one", debug=True, feed=True, extra_env=LIMITS)
        query = harness.read_query("manage_boxes.graphql")
        single = bench.body(query, 50)
        varied = [bench.body(query, first, flt) for first in range(41, 61) for flt in FILTERS]
        varied_file = os.path.join(scratch.path, "varied.txt")
        with open(varied_file, "w") as f:
            f.writelines(b + "\n" for b in varied)
        for _ in range(3):
            bench.timed_post(depot.port, bench.body(query, 100000), token)
        wrk(depot.url, varied_file, token, 16, 3)
        times = []
        def run_single():
            for _ in range(20):
                times.append(bench.timed_post(depot.port, single, token)[0] * 1000)
        per_kind = slow_log(db, run_single, 20)
        times.sort()
        print(f"single request (first 50, no filter), p50 of 20: {times[10]:.2f} ms")
        print("MariaDB's server time per request, by statement (slow log, long_query_time 0):")
        for k, (ms, n) in sorted(per_kind.items(), key=lambda kv: -kv[1][0]):
            print(f"  {k:45s} {ms:7.3f} ms  ({n:.2f} statements)")
        print(f"  {'total':45s} {sum(ms for ms, _ in per_kind.values()):7.3f} ms")
        def run_varied():
            for b in varied:
                bench.timed_post(depot.port, b, token)
        per_kind = slow_log(db, run_varied, len(varied))
        print("the same over the 80 varied pages, one at a time:")
        for k, (ms, n) in sorted(per_kind.items(), key=lambda kv: -kv[1][0]):
            print(f"  {k:45s} {ms:7.3f} ms  ({n:.2f} statements)")
        print(f"  {'total':45s} {sum(ms for ms, _ in per_kind.values()):7.3f} ms")
        depot_pid = depot.processes[0].pid
        db_pid = int(open(db.scalar("SELECT @@pid_file")).read().strip())
        for connections in (1, 16):
            d0, m0 = cpu_ms(depot_pid), cpu_ms(db_pid)
            figures = wrk(depot.url, varied_file, token, connections, 10)
            d1, m1 = cpu_ms(depot_pid), cpu_ms(db_pid)
            n = figures["requests"]
            print(f"varied pages at {connections} connection(s): {figures['rps']:.0f} req/s, CPU per request: "
                  f"depot {(d1 - d0) / n:.2f} ms, mariadbd {(m1 - m0) / n:.2f} ms")
        if args.perf:
            data = os.path.join(scratch.path, "perf.data")
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
    finally:
        if depot:
            depot.stop()
        db.stop()
        scratch.remove()


if __name__ == "__main__":
    main()
