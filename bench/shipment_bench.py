#!/usr/bin/env python3
"""Depot's shipment-preparation benchmark (issue 15) on this machine.

Starts a private MariaDB with Depot's DDL, indexes and the demo data, starts the one-process
`depot` (Release build), takes 50 InStock boxes of base 1 and, per round, inserts a new Preparing shipment, then
measures with the front-end's own documents (tests/queries/mutations/), one request after
another: updateShipmentWhenPreparing adding the 50 boxes (AssignBoxesToShipment, "assign to
shipment" of ManageBoxes and the QR reader) and taking them out again
(UnassignBoxesFromShipment), each answering the front-end's ShipmentFields; p50 and p90 and
the SQL statements of one (Depot's debug counter). Every answer is checked: a GraphQL error
stops the run. Results: a Markdown table in bench/results/.
Usage: bench/shipment_bench.py [--build DIR] [--count N]
Licensed under the Apache License 2.0.
"""
import argparse
import datetime
import json
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from bench import timed_post  # noqa: E402

PERMISSIONS = [f"base_1/{r}:read" for r in harness.RESOURCES] + [
    f"base_1/{p}" for p in ("stock:write", "shipment:edit", "shipment_detail:write")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--count", type=int, default=100, help="requests of each kind")
    args = parser.parse_args()
    os.environ["DEPOT_BUILD_DIR"] = args.build
    harness.BUILD = args.build
    scratch = harness.Scratch()
    db = harness.MariaDB(scratch.path)
    depot = None
    try:
        harness.load_demo(db)
        keys = harness.Keys(scratch.path)
        token = keys.token(permissions=PERMISSIONS)
        depot = harness.Depot(db, keys, scratch.path, form="one", debug=True)
        target = int(db.scalar("SELECT MIN(id) FROM camps WHERE id <> 1 AND organisation_id = "
                               "(SELECT organisation_id FROM camps WHERE id = 1)"))
        labels = [r[0] for r in db.sql(
            "SELECT s.box_id FROM stock s JOIN locations l ON l.id = s.location_id WHERE l.camp_id = 1 "
            "AND (s.deleted IS NULL OR s.deleted = 0) AND s.box_state_id = 1 ORDER BY s.id LIMIT 50")]
        assert len(labels) == 50, "the demo base has fewer than 50 InStock boxes"
        assign = harness.read_query("mutations/AssignBoxesToShipment.graphql")
        unassign = harness.read_query("mutations/UnassignBoxesFromShipment.graphql")
        times = {"add": [], "remove": []}
        statements = {}
        for _ in range(args.count):
            # a new shipment each time, so every answer holds the same 50 details
            db.sql("INSERT INTO shipment (source_base_id, target_base_id, state, started_on, started_by_id) "
                   f"VALUES (1, {target}, 'Preparing', UTC_TIMESTAMP(), 8)")
            shipment = str(db.scalar("SELECT MAX(id) FROM shipment"))
            variables = {"id": shipment, "labelIdentifiers": labels}
            for kind, query, state in (("add", assign, "MarkedForShipment"), ("remove", unassign, "InStock")):
                body = json.dumps({"query": query, "variables": variables})
                elapsed, answer = timed_post(depot.port, body, token)
                if answer.get("errors"):
                    raise SystemExit(f"a mutation failed: {json.dumps(answer['errors'])[:400]}")
                open_boxes = [d["box"]["state"] for d in answer["data"]["updateShipmentWhenPreparing"]["details"]
                              if d["removedOn"] is None]
                if (kind == "add" and open_boxes != [state] * 50) or (kind == "remove" and open_boxes):
                    raise SystemExit(f"{kind}: the shipment's open boxes are {open_boxes[:3]}...")
                times[kind].append(elapsed * 1000)
                statements[kind] = answer["extensions"]["debug"]["sqlStatements"]
        results = {"cores": os.cpu_count(), "load": os.getloadavg(), "n": args.count}
        for kind, values in times.items():
            values.sort()
            results[kind] = {"p50_ms": statistics.median(values), "p90_ms": values[int(len(values) * 0.9)],
                             "statements": statements[kind]}
        report(results)
    finally:
        if depot:
            depot.stop()
        db.stop()
        scratch.remove()


def report(r):
    today = datetime.date.today().isoformat()
    lines = [
        f"# Depot shipment-preparation benchmark, {today}",
        "",
        f"Machine: {r['cores']} cores, load average {r['load'][0]:.1f} at the start; MariaDB on "
        "the same machine; demo data; Release build; one-process `depot`; `bench/shipment_bench.py`; "
        f"{r['n']} requests of each, one after another; each answers the front-end's ShipmentFields "
        "(the shipment's 50 details).",
        "",
        "| mutation | single request p50 | p90 | SQL statements |",
        "|---|---|---|---|",
        f"| updateShipmentWhenPreparing adding 50 boxes (AssignBoxesToShipment) | {r['add']['p50_ms']:.2f} ms "
        f"| {r['add']['p90_ms']:.2f} ms | {r['add']['statements']} |",
        f"| updateShipmentWhenPreparing removing 50 boxes (UnassignBoxesFromShipment) | "
        f"{r['remove']['p50_ms']:.2f} ms | {r['remove']['p90_ms']:.2f} ms | {r['remove']['statements']} |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    path = os.path.join(HERE, "results", f"{today}-shipment-prepare.md")
    with open(path, "w") as f:
        f.write(text)
    with open(path.replace(".md", ".json"), "w") as f:
        json.dump(r, f, indent=1)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
