#!/usr/bin/env python3
"""Depot's write benchmarks (issue 13) on this machine.

Starts a private MariaDB with Depot's DDL, indexes and the 8,201-box demo base, starts the
one-process `depot` (Release build), then measures with the front-end's own documents
(tests/queries/mutations/):
  - single-request p50 and p90 (sequential requests) of createBox, updateBox (BoxEdit's
    UpdateContentOfBox), moveBoxesToLocation with 50 boxes, and createTag;
  - throughput of updateBox at 16 connections (wrk), each request changing the comment of
    one of 400 boxes, so the statements are real writes and rows rarely collide;
  - SQL statements per mutation (Depot's debug counter).
Every answer is checked: a GraphQL error stops the run. Results: a Markdown table in
bench/results/. Usage: bench/write_bench.py [--build DIR] [--duration SECONDS] [--count N]
[--mariadb-args "ARGS"] [--name NAME] (e.g. --mariadb-args=--skip-log-bin --name writes-nobinlog
measures without the binary log that scripts/mariadb.sh turns on).
Licensed under the Apache License 2.0.
"""
import argparse
import datetime
import json
import os
import statistics

from common import REPO, RESULTS, Demo, harness, timed_post, wrk, write_report

# The permissions of a base 1 coordinator who may write what these mutations write.
PERMISSIONS = [f"base_1/{r}:read" for r in harness.RESOURCES] + [
    f"base_1/{p}" for p in ("stock:write", "tag:write", "tag_relation:assign", "qr:create")]


def document(name):
    return harness.read_query(os.path.join("mutations", f"{name}.graphql"))


def payload(query, variables):
    return json.dumps({"query": query, "variables": variables})


def editable_boxes(db, count):
    """Boxes of base 1 that a coordinator may edit (InStock, with items and a size, of a live
    product in a live location): (label, product, size, items, location) rows."""
    return db.sql(
        "SELECT s.box_id, s.product_id, s.size_id, s.items, s.location_id FROM stock s "
        "JOIN locations l ON l.id = s.location_id JOIN products p ON p.id = s.product_id "
        "WHERE l.camp_id = 1 AND s.deleted IS NULL AND s.box_state_id = 1 AND s.items IS NOT NULL "
        "AND s.size_id IS NOT NULL "
        f"AND p.deleted IS NULL AND l.deleted IS NULL ORDER BY s.id LIMIT {count}")


def update_body(update, row, comment):
    """BoxEdit's UpdateContentOfBox of an editable_boxes row, with a new comment."""
    return payload(update, {"boxLabelIdentifier": row[0], "productId": int(row[1]), "sizeId": int(row[2]),
                            "numberOfItems": int(row[3]), "locationId": int(row[4]), "comment": comment})


def checked(port, body, token):
    elapsed, answer = timed_post(port, body, token)
    if answer.get("errors"):
        raise SystemExit(f"a mutation failed: {json.dumps(answer['errors'])[:400]}")
    return elapsed, answer


def sequential(port, bodies, token):
    """p50 and p90 in ms over the bodies sent one after another, and the statements of one."""
    times, statements = [], None
    for body in bodies:
        elapsed, answer = checked(port, body, token)
        times.append(elapsed * 1000)
        statements = answer["extensions"]["debug"]["sqlStatements"]
    times.sort()
    return {"p50_ms": statistics.median(times), "p90_ms": times[int(len(times) * 0.9)],
            "n": len(times), "statements": statements}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--count", type=int, default=200, help="sequential requests per mutation")
    parser.add_argument("--mariadb-args", default="", help="more mariadbd options, space-separated")
    parser.add_argument("--name", default="writes", help="results file: <date>-<name>.md")
    args = parser.parse_args()
    with Demo(args.build, mariadb_args=args.mariadb_args.split()) as demo:
        db = demo.db
        token = demo.keys.token(permissions=PERMISSIONS)
        depot = demo.depot(debug=True)
        # Boxes of base 1 that a coordinator may edit, a product/size pair and two locations.
        boxes = editable_boxes(db, 1000)
        locations = [r[0] for r in db.sql(
            "SELECT id FROM locations WHERE camp_id = 1 AND deleted IS NULL "
            "AND box_state_id = 1 ORDER BY id LIMIT 2")]
        label, product, size, items, location = boxes[0]
        results = {"cores": os.cpu_count(), "load": os.getloadavg(),
                   "log_bin": db.scalar("SELECT @@log_bin"), "name": args.name}

        create = document("CreateBox")
        results["createBox"] = sequential(depot.port, [payload(create, {
            "locationId": int(location), "productId": int(product), "sizeId": int(size),
            "numberOfItems": 10, "comment": f"bench {i}"}) for i in range(args.count)], token)

        update = document("UpdateContentOfBox")
        results["updateBox"] = sequential(depot.port, [update_body(update, boxes[i % 100], f"bench {i}")
                                                       for i in range(args.count)], token)

        move = document("MoveBoxesToLocation")
        labels = [b[0] for b in boxes[200:250]]
        results["moveBoxesToLocation50"] = sequential(depot.port, [payload(move, {
            "labelIdentifiers": labels, "locationId": int(locations[i % 2])})
            for i in range(args.count // 4)], token)

        tag = document("CreateTag")
        results["createTag"] = sequential(depot.port, [payload(tag, {
            "name": f"bench {i}", "color": "#aabbcc", "type": "All", "baseId": 1,
            "description": ""}) for i in range(args.count)], token)

        bodies_file = os.path.join(demo.scratch.path, "update.txt")
        with open(bodies_file, "w") as f:
            for i in range(2000):
                f.write(update_body(update, boxes[400 + i % 400], f"bench {i}") + "\n")
        results["updateBox_16"] = wrk(depot.url, bodies_file, token, 16, args.duration)
        report(results)


def report(r):
    today = datetime.date.today().isoformat()
    rows = [("createBox (BoxCreate's document)", "createBox"),
            ("updateBox (BoxEdit's UpdateContentOfBox)", "updateBox"),
            ("moveBoxesToLocation, 50 boxes", "moveBoxesToLocation50"),
            ("createTag", "createTag")]
    lines = [
        f"# Depot write benchmarks, {today}",
        "",
        f"Machine: {r['cores']} cores, load average {r['load'][0]:.1f} at the start; MariaDB on "
        "the same machine; 8,201-box demo base; Release build; one-process `depot`; "
        f"`bench/write_bench.py`; binary log {'on (ROW)' if r['log_bin'] == '1' else 'off'}.",
        "",
        "| mutation | single request p50 | p90 | SQL statements |",
        "|---|---|---|---|",
    ]
    for title, key in rows:
        x = r[key]
        lines.append(f"| {title} | {x['p50_ms']:.2f} ms | {x['p90_ms']:.2f} ms | {x['statements']} |")
    t = r["updateBox_16"]
    lines += ["", f"updateBox at 16 connections (400 boxes, each request a new comment): "
              f"{t['rps']:.0f} req/s, p50 {t['p50_ms']:.1f} ms, p99 {t['p99_ms']:.1f} ms, "
              f"non-2xx {t['non2xx']}.", ""]
    prefix = os.path.join(RESULTS, f"{today}-{r['name']}")
    write_report(prefix, "\n".join(lines), r)


if __name__ == "__main__":
    main()
