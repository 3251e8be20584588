#!/usr/bin/env python3
"""Where a request's time goes in MariaDB: capture the statements Depot sends for one request
(MariaDB's general log, with the time each arrived, so the round trips show as groups), replay
them in one session with SHOW PROFILES, and print each statement's time, the total, and EXPLAIN
for the slow ones.

--query manage_boxes (ManageBoxes, first N), box_view (BoxView of a box of base 1) or
qr_code_scan (the QR scan of that box's code).
Usage: bench/sql_profile.py [--build DIR] [--query NAME] [--first N] [--slow-ms MS]
Needs a Release build (default build/). Starts its own MariaDB and Depot like bench.py.
Licensed under the Apache License 2.0.
"""
import argparse
import json
import os
import re
import subprocess

from common import REPO, Demo, harness, manage_boxes_body, timed_post



def request_body(db, name, first):
    """The request to profile: its JSON body."""
    query = harness.read_query(f"{name}.graphql")
    if name == "manage_boxes":
        return manage_boxes_body(query, first)
    # A box of base 1 that has a QR code, and its code.
    label, code = db.sql("SELECT s.box_id, q.code FROM stock s JOIN locations l ON l.id = s.location_id "
                         "JOIN qr q ON q.id = s.qr_id WHERE l.camp_id = 1 ORDER BY s.id LIMIT 1")[0]
    if name == "box_view":
        return json.dumps({"query": query, "operationName": "BoxByLabelIdentifier",
                           "variables": {"labelIdentifier": label}})
    return json.dumps({"query": query, "operationName": "GetBoxLabelIdentifierForQrCode",
                       "variables": {"qrCode": code}})


def logged_statements(db):
    """The statements in mysql.general_log as (microseconds since the first, connection, text)."""
    rows = db.sql("SELECT TIMESTAMPDIFF(MICROSECOND, (SELECT MIN(event_time) FROM mysql.general_log), "
                  "event_time), thread_id, REPLACE(REPLACE(CONVERT(argument USING utf8mb4), '\\n', ' '), "
                  "'\\t', ' ') FROM mysql.general_log WHERE command_type IN ('Query', 'Execute') "
                  "ORDER BY event_time", db=None)
    return [(int(us), conn, sql) for us, conn, sql in rows if "general_log" not in sql]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--query", default="manage_boxes", choices=("manage_boxes", "box_view", "qr_code_scan"))
    parser.add_argument("--first", type=int, default=50)
    parser.add_argument("--slow-ms", type=float, default=2.0)
    args = parser.parse_args()
    with Demo(args.build) as demo:
        db = demo.db
        token = demo.keys.token()
        # One statement per text, so the general log holds each statement alone to replay.
        depot = demo.depot(debug=True, extra_env={"DEPOT_DB_BATCH": "1", "DEPOT_DB_WAVE": "0"})
        payload = request_body(db, args.query, args.first)
        for _ in range(10):
            timed_post(depot.port, payload, token)
        db.sql("SET GLOBAL log_output = 'TABLE'; TRUNCATE TABLE mysql.general_log; "
               "SET GLOBAL general_log = 1", db=None)
        seconds, answer = timed_post(depot.port, payload, token)
        db.sql("SET GLOBAL general_log = 0", db=None)
        logged = logged_statements(db)
        sent = [sql for _, _, sql in logged]
        debug = answer["extensions"]["debug"]
        print(f"{args.query}: request {seconds * 1000:.1f} ms, {debug['sqlStatements']} statements, "
              f"{debug['waves']} waves" + (f" (first: {args.first})" if args.query == "manage_boxes" else ""))
        print("as they arrived (us since the first, connection):")
        for us, conn, sql in logged:
            print(f"{us:8d}  {conn:4}  {' '.join(sql.split())[:130]}")
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
