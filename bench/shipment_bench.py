#!/usr/bin/env python3
"""Depot's shipment benchmark (issue 15) on this machine: preparing and receiving.

Starts a private MariaDB with Depot's DDL, indexes and the demo data, starts the one-process
`depot` (Release build) and measures with the front-end's own documents
(tests/queries/mutations/), one request after another, each answering the front-end's
ShipmentFields:
- updateShipmentWhenPreparing adding 1 and 50 InStock boxes of base 1 to a new Preparing
  shipment (AssignBoxesToShipment, "assign to shipment" of ManageBoxes and the QR reader) and
  taking them out again (UnassignBoxesFromShipment);
- updateShipmentWhenReceiving reconciling 1 and 50 boxes of a Receiving shipment to another
  base (UpdateShipmentWhenReceiving, ShipmentView's reconciliation overlay): each box to the
  target base's product, size and location with one item more, which completes the shipment
  in the same call. Around each round the boxes are put back as they were (SQL, not timed).
p50 and p90 and the SQL statements of one (Depot's debug counter), which must not depend on
the number of boxes. Every answer is checked: a GraphQL error or a wrong state stops the run.
Results: appended to bench/results/<date>-shipments.md (and a JSON file beside it).
Usage: bench/shipment_bench.py [--build DIR] [--count N]
Licensed under the Apache License 2.0.
"""
import argparse
import datetime
import json
import os
import statistics

from common import REPO, RESULTS, Demo, harness, timed_post

SHIPPING = ("stock:write", "shipment:edit", "shipment_detail:write")
SIZES = (1, 50)


def permissions(base):
    return [f"base_{base}/{r}:read" for r in harness.RESOURCES] + [f"base_{base}/{p}" for p in SHIPPING]


def call(port, token, query, variables, field):
    """One timed request; (milliseconds, the field's answer, SQL statements)."""
    elapsed, answer = timed_post(port, json.dumps({"query": query, "variables": variables}), token)
    if answer.get("errors"):
        raise SystemExit(f"{field} failed: {json.dumps(answer['errors'])[:400]}")
    return elapsed * 1000, answer["data"][field], answer["extensions"]["debug"]["sqlStatements"]


class Bench:
    def __init__(self, db, depot, keys):
        self.db, self.port = db, depot.port
        self.source_token = keys.token(permissions=permissions(1))
        self.times, self.statements = {}, {}
        # The receiving side: a base of another organisation, its product (with sizes) and location.
        self.target = int(db.scalar("SELECT MIN(id) FROM camps WHERE organisation_id <> "
                                    "(SELECT organisation_id FROM camps WHERE id = 1)"))
        org = int(db.scalar(f"SELECT organisation_id FROM camps WHERE id = {self.target}"))
        self.target_token = keys.token(sub="auth0|9", org=org, base_ids=(self.target,),
                                       roles=(f"base_{self.target}_coordinator",),
                                       permissions=permissions(self.target))
        self.target_product, self.target_size = db.sql(
            f"SELECT p.id, MIN(ss.size_id) FROM products p JOIN sizes_sizegroup ss ON ss.sizegroup_id = "
            f"p.sizegroup_id WHERE p.camp_id = {self.target} AND p.deleted IS NULL GROUP BY p.id ORDER BY p.id LIMIT 1")[0]
        self.target_location = db.scalar(f"SELECT MIN(id) FROM locations WHERE camp_id = {self.target} "
                                         "AND box_state_id = 1 AND deleted IS NULL")
        self.boxes = [(int(r[0]), r[1]) for r in db.sql(
            "SELECT s.id, s.box_id FROM stock s JOIN locations l ON l.id = s.location_id WHERE l.camp_id = 1 "
            "AND (s.deleted IS NULL OR s.deleted = 0) AND s.box_state_id = 1 ORDER BY s.id LIMIT 50")]
        assert len(self.boxes) == 50, "the demo base has fewer than 50 InStock boxes"
        ids = ",".join(str(b[0]) for b in self.boxes)
        db.sql(f"CREATE TABLE bench_boxes AS SELECT id, product_id, location_id, size_id, items FROM stock "
               f"WHERE id IN ({ids})")

    def record(self, kind, elapsed, statements):
        self.times.setdefault(kind, []).append(elapsed)
        self.statements.setdefault(kind, set()).add(statements)

    def new_shipment(self, state):
        self.db.sql("INSERT INTO shipment (source_base_id, target_base_id, state, started_on, started_by_id, sent_on, "
                    f"sent_by_id) VALUES (1, {self.target}, '{state}', UTC_TIMESTAMP(), 8, UTC_TIMESTAMP(), 8)")
        return self.db.scalar("SELECT MAX(id) FROM shipment")

    def prepare_round(self, n):
        assign = harness.read_query("mutations/AssignBoxesToShipment.graphql")
        unassign = harness.read_query("mutations/UnassignBoxesFromShipment.graphql")
        variables = {"id": self.new_shipment("Preparing"), "labelIdentifiers": [b[1] for b in self.boxes[:n]]}
        for kind, query, state in (("add", assign, "MarkedForShipment"), ("remove", unassign, None)):
            elapsed, shipment, statements = call(self.port, self.source_token, query, variables,
                                                 "updateShipmentWhenPreparing")
            open_boxes = [d["box"]["state"] for d in shipment["details"] if d["removedOn"] is None]
            if open_boxes != ([state] * n if state else []):
                raise SystemExit(f"{kind} {n}: the shipment's open boxes are {open_boxes[:3]}...")
            self.record(f"{kind} {n}", elapsed, statements)

    def receive_round(self, n):
        """The first n boxes put back as they were, Receiving in a new Receiving shipment with
        their values as the details' source values; then all of them reconciled."""
        db, ids = self.db, ",".join(str(b[0]) for b in self.boxes[:n])
        self.restore(ids, 4)
        shipment = self.new_shipment("Receiving")
        db.sql("INSERT INTO shipment_detail (shipment_id, box_id, source_product_id, source_location_id, "
               "source_size_id, source_quantity, created_on, created_by_id) SELECT "
               f"{shipment}, id, product_id, location_id, size_id, items, UTC_TIMESTAMP(), 8 FROM stock "
               f"WHERE id IN ({ids})")
        inputs = [{"id": r[0], "targetProductId": int(self.target_product), "targetSizeId": int(self.target_size),
                   "targetLocationId": int(self.target_location), "targetQuantity": int(r[1]) + 1}
                  for r in db.sql(f"SELECT id, COALESCE(source_quantity, 0) FROM shipment_detail WHERE shipment_id = {shipment}")]
        receive = harness.read_query("mutations/UpdateShipmentWhenReceiving.graphql")
        elapsed, answer, statements = call(self.port, self.target_token, receive, {
            "id": shipment, "receivedShipmentDetailUpdateInputs": inputs, "lostBoxLabelIdentifiers": []},
            "updateShipmentWhenReceiving")
        received = [d["receivedOn"] is not None for d in answer["details"]]
        if answer["state"] != "Completed" or received != [True] * n:
            raise SystemExit(f"receive {n}: the shipment is {answer['state']}, received {received[:3]}...")
        self.record(f"receive {n}", elapsed, statements)
        self.restore(ids, 1)

    def restore(self, ids, state):
        """The boxes back in base 1 with their first values, in a box state."""
        self.db.sql("UPDATE stock s JOIN bench_boxes b ON b.id = s.id SET s.product_id = b.product_id, "
                    "s.location_id = b.location_id, s.size_id = b.size_id, s.items = b.items, "
                    f"s.box_state_id = {state} WHERE s.id IN ({ids})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--count", type=int, default=100, help="requests of each kind")
    args = parser.parse_args()
    with Demo(args.build) as demo:
        bench = Bench(demo.db, demo.depot(debug=True), demo.keys)
        load = os.getloadavg()
        for _ in range(args.count):
            for n in SIZES:
                bench.prepare_round(n)
                bench.receive_round(n)
        results = {"cores": os.cpu_count(), "load": load, "n": args.count}
        for kind, values in bench.times.items():
            values.sort()
            if len(bench.statements[kind]) != 1:
                raise SystemExit(f"{kind}: the statements varied between requests: {bench.statements[kind]}")
            results[kind] = {"p50_ms": statistics.median(values), "p90_ms": values[int(len(values) * 0.9)],
                             "statements": bench.statements[kind].pop()}
        for kind in ("add", "remove", "receive"):
            if results[f"{kind} 1"]["statements"] != results[f"{kind} 50"]["statements"]:
                raise SystemExit(f"{kind}: 1 box and 50 boxes take different statements")
        report(results)


ROWS = [("add", "updateShipmentWhenPreparing adding {} (AssignBoxesToShipment)"),
        ("remove", "updateShipmentWhenPreparing removing {} (UnassignBoxesFromShipment)"),
        ("receive", "updateShipmentWhenReceiving reconciling {} and completing (UpdateShipmentWhenReceiving)")]


def report(r):
    today = datetime.date.today().isoformat()
    lines = [
        f"## Preparing and receiving shipments, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {r['cores']} cores, load average {r['load'][0]:.1f} at the start; MariaDB on "
        "the same machine; demo data; Release build; one-process `depot`; `bench/shipment_bench.py`; "
        f"{r['n']} requests of each, one after another; each answers the front-end's ShipmentFields "
        "(all the shipment's details).",
        "",
        "| mutation | single request p50 | p90 | SQL statements |",
        "|---|---|---|---|",
    ]
    for kind, text in ROWS:
        for n in SIZES:
            f = r[f"{kind} {n}"]
            lines.append(f"| {text.format('1 box' if n == 1 else f'{n} boxes')} | {f['p50_ms']:.2f} ms "
                         f"| {f['p90_ms']:.2f} ms | {f['statements']} |")
    text = "\n".join(lines) + "\n\n"
    print(text)
    path = os.path.join(RESULTS, f"{today}-shipments.md")
    fresh = not os.path.exists(path)
    with open(path, "a") as f:
        if fresh:
            f.write(f"# Depot shipment benchmarks, {today}\n\n")
        f.write(text)
    with open(path.replace(".md", ".json"), "w") as f:
        json.dump(r, f, indent=1)
    print(f"appended to {path}")


if __name__ == "__main__":
    main()
