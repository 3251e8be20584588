#!/usr/bin/env python3
"""Where a ManageBoxes request's time goes in MariaDB: capture the statements Depot sends for one
request (MariaDB's general log), replay them in one session with SHOW PROFILES, and print each
statement's time, the total, and EXPLAIN for the slow ones.

Usage: bench/sql_profile.py [--build DIR] [--first N] [--slow-ms MS]
Needs a Release build (default build/). Starts its own MariaDB and Depot like bench.py.
Licensed under the Apache License 2.0.
"""
import argparse
import os
import re
import subprocess

from common import REPO, Demo, harness, manage_boxes_body, timed_post

# A general-log entry: optional "YYMMDD HH:MM:SS", the connection id, the command, a tab, the text.
ENTRY = re.compile(r"^(?:\d{6}\s+\d+:\d+:\d+)?\s+\d+\s+(Query|Execute|Connect|Quit|Prepare|Close stmt|Init DB)\t",
                   re.M)


def statements(log_text):
    marks = list(ENTRY.finditer(log_text))
    found = []
    for i, m in enumerate(marks):
        if m.group(1) not in ("Query", "Execute"):
            continue
        end = marks[i + 1].start() if i + 1 < len(marks) else len(log_text)
        sql = log_text[m.end():end].strip()
        if "general_log" not in sql:
            found.append(sql)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--first", type=int, default=50)
    parser.add_argument("--slow-ms", type=float, default=2.0)
    args = parser.parse_args()
    with Demo(args.build) as demo:
        db = demo.db
        token = demo.keys.token()
        # One statement per text, so the general log holds each statement alone to replay.
        depot = demo.depot(debug=True, extra_env={"DEPOT_DB_BATCH": "1"})
        query = harness.read_query("manage_boxes.graphql")
        for _ in range(10):
            timed_post(depot.port, manage_boxes_body(query, args.first), token)
        log = os.path.join(demo.scratch.path, "general.log")
        db.sql(f"SET GLOBAL general_log_file = '{log}'")
        db.sql("SET GLOBAL general_log = 1")
        seconds, answer = timed_post(depot.port, manage_boxes_body(query, args.first), token)
        db.sql("SET GLOBAL general_log = 0")
        with open(log, errors="replace") as f:
            sent = statements(f.read())
        print(f"request {seconds * 1000:.1f} ms, {answer['extensions']['debug']['sqlStatements']} statements "
              f"(first: {args.first})")
        # Twice: the first pass warms the buffer pool, the second is measured.
        script = "SET profiling = 1; SET profiling_history_size = 100;\n"
        script += "".join(s.rstrip(";") + ";\n" for s in sent) * 2 + "SHOW PROFILES;\n"
        out = subprocess.run(db.client() + ["--batch", "--raw", "-N"], input=script,
                             capture_output=True, text=True, check=True)
        profiles = [line.split("\t", 2) for line in out.stdout.splitlines()
                    if re.match(r"^\d+\t\d+\.\d+\t", line)][-len(sent):]
        total = 0.0
        for (_, duration, _), sql in zip(profiles, sent):
            ms = float(duration) * 1000
            total += ms
            print(f"{ms:8.2f} ms  {' '.join(sql.split())[:150]}")
            if ms >= args.slow_ms:
                core = sql.split(" FOR ", 1)[1] if sql.startswith("SET STATEMENT") else sql
                explain = subprocess.run(db.client() + ["--table", "-e", "EXPLAIN " + core],
                                         capture_output=True, text=True)
                print(explain.stdout or explain.stderr)
        print(f"SQL alone: {total:.1f} ms over {len(sent)} statements")


if __name__ == "__main__":
    main()
