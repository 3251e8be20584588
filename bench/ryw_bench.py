#!/usr/bin/env python3
"""The cost of a read-your-writes read (issue 14): p50 of a `tags` read through Depot with a
replica, without X-Depot-Min-Gtid and with it, the replica caught up and lagging.

Starts the topology of tests/integration/test_read_your_writes.py (two mariadbd with
replication, the one-process depot reading from the replica, DEPOT_REPLICA_WAIT_MS at its
default of 100) and measures, on one kept-alive connection:
  without          no header (the replica answers);
  caught up, known the header, a position db-svc already saw the replica reach (no wait);
  caught up, new   a fresh position after each createTag, the replica caught up first (one
                   MASTER_GTID_WAIT that answers 0 at once, then the replica);
  lagging          the replica's SQL thread stopped (the wait runs out, then the primary).
Usage: DEPOT_BUILD_DIR=build-rel bench/ryw_bench.py [--reads N]
Licensed under the Apache License 2.0.
"""
import argparse
import http.client
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
import test_read_your_writes as ryw  # noqa: E402

ryw.WAIT_MS = 100                       # the default of DEPOT_REPLICA_WAIT_MS


def p50_ms(connection, token, gtid, reads):
    body = json.dumps({"query": ryw.TAGS})
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if gtid:
        headers["X-Depot-Min-Gtid"] = gtid
    times = []
    for _ in range(reads):
        start = time.perf_counter()
        connection.request("POST", "/graphql", body, headers)
        response = connection.getresponse()
        data = response.read()
        times.append(time.perf_counter() - start)
        assert response.status == 200, data[:300]
    return statistics.median(times) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reads", type=int, default=200)
    args = parser.parse_args()
    case = ryw.ReadYourWrites("test_1_mutation_answers_the_primarys_position")
    ryw.ReadYourWrites.setUpClass()
    try:
        case.catch_up()
        case.wait_replica_connections()
        port = int(case.depot.url.split(":")[2].split("/")[0])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        p50_ms(connection, case.token, None, 20)                            # warm up
        _, _, gtid = case.create_tag()
        case.catch_up()
        figures = {"without": p50_ms(connection, case.token, None, args.reads)}
        p50_ms(connection, case.token, gtid, 1)                             # db-svc learns it
        figures["caught up, known"] = p50_ms(connection, case.token, gtid, args.reads)
        fresh = []
        for _ in range(min(args.reads, 50)):
            _, _, gtid = case.create_tag()
            case.catch_up()
            fresh.append(p50_ms(connection, case.token, gtid, 1))
        figures["caught up, new"] = statistics.median(fresh)
        case.replica.sql("STOP SLAVE SQL_THREAD", db=None)
        _, _, gtid = case.create_tag()
        figures["lagging"] = p50_ms(connection, case.token, gtid, min(args.reads, 30))
        case.replica.sql("START SLAVE SQL_THREAD", db=None)
        connection.close()
    finally:
        ryw.ReadYourWrites.tearDownClass()
    print(f"| read (DEPOT_REPLICA_WAIT_MS {ryw.WAIT_MS}, build {os.environ.get('DEPOT_BUILD_DIR', 'build')}) | p50 |")
    print("|---|---|")
    for name, value in figures.items():
        print(f"| {name} | {value:.2f} ms |")


if __name__ == "__main__":
    main()
