#!/usr/bin/env python3
"""Statistics cubes (issue 17): each cube's p50 through Depot next to boxtribute's own SQL for
the same cube, on the 8,201-box base of the demo data (depot-gen, as scripts/run.sh loads it).

For each entry of CUBES: boxtribute's statements (business_logic/statistics/crud.py, with its
parameters) run directly with the mariadb client's connection (pymysql-free: harness.MariaDB),
timed one at a time; then Depot's GraphQL request for the same cube over one kept-alive
connection; p50 over --runs. Writes bench/results/<date>-issue17-stats.{json,md}.
Usage: bench/stats_bench.py --build build-rel [--runs 30]
Licensed under the Apache License 2.0.
"""
import argparse
import datetime
import http.client
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
import harness  # noqa: E402

BASE = 1   # depot-gen's base of 8,201 boxes

# One entry per cube: its GraphQL document and boxtribute's SQL for it ({base} is the base id).
# Each engineer adds their cube as one block.
CUBES = {
    "createdBoxes": {
        "query": """query($b: Int!) { createdBoxes(baseId: $b) { facts { createdOn categoryId productId
                    gender tagIds boxesCount itemsCount } dimensions { product { id name gender }
                    category { id name } tag { id name color } } } }""",
        # compute_created_boxes: the first location/product/items of each box by correlated
        # MIN(history.id) subqueries, then tags, then the aggregate; and its dimensions.
        "sql": ["""WITH location_ids AS (SELECT id FROM locations WHERE camp_id = {base})
SELECT b.created_on, COUNT(b.id), SUM(b.items), p.id, p.gender_id, p.category_id, b.tag_ids FROM (
 SELECT bx.created_on, bx.id, bx.items, bx.product_id, GROUP_CONCAT(tr.tag_id) AS tag_ids FROM (
  SELECT s.id, DATE(s.created) AS created_on, IFNULL(ih.from_int, s.items) AS items,
         IFNULL(ph.from_int, s.product_id) AS product_id
  FROM stock s
  LEFT JOIN history lh ON lh.record_id = s.id AND lh.tablename = 'stock' AND lh.changes = 'location_id'
   AND lh.id = (SELECT MIN(h.id) FROM history h WHERE h.record_id = s.id AND h.tablename = 'stock' AND h.changes = 'location_id')
  LEFT JOIN history ph ON ph.record_id = s.id AND ph.tablename = 'stock' AND ph.changes = 'product_id'
   AND ph.id = (SELECT MIN(h.id) FROM history h WHERE h.record_id = s.id AND h.tablename = 'stock' AND h.changes = 'product_id')
  LEFT JOIN history ih ON ih.record_id = s.id AND ih.tablename = 'stock' AND ih.changes = 'items'
   AND ih.id = (SELECT MIN(h.id) FROM history h WHERE h.record_id = s.id AND h.tablename = 'stock' AND h.changes = 'items')
  WHERE s.created IS NOT NULL AND (lh.from_int IN (SELECT id FROM location_ids)
        OR (lh.from_int IS NULL AND s.location_id IN (SELECT id FROM location_ids)))) bx
 LEFT JOIN tags_relations tr ON tr.object_id = bx.id AND tr.object_type = 'Stock' AND tr.deleted_on IS NULL
 GROUP BY bx.id) b
JOIN products p ON b.product_id = p.id
GROUP BY p.id, p.category_id, p.gender_id, b.created_on, b.tag_ids""",
                "SELECT id, label FROM product_categories",
                "SELECT id, name, gender_id FROM products WHERE id IN (SELECT product_id FROM stock)",
                "SELECT id, label, color FROM tags WHERE camp_id = {base}"],
    },
    "topProductsCheckedOut": {
        "query": """query($b: Int!) { topProductsCheckedOut(baseId: $b) { facts { checkedOutOn productId
                    categoryId rank itemsCount } dimensions { product { id name gender }
                    category { id name } } } }""",
        "sql": ["""SELECT DATE(t.transaction_date) AS checked_out_on, t.product_id, p.category_id,
 SUM(t.count), RANK() OVER (ORDER BY SUM(t.count) DESC) FROM transactions t
 JOIN products p ON p.camp_id = {base} AND t.product_id = p.id
 GROUP BY t.product_id, p.category_id, checked_out_on""",
                "SELECT id, label FROM product_categories",
                "SELECT id, name, gender_id FROM products WHERE camp_id = {base}"],
    },
    "topProductsDonated": {
        "query": """query($b: Int!) { topProductsDonated(baseId: $b) { facts { createdOn donatedOn sizeId
                    productId categoryId rank itemsCount } dimensions { size { id name }
                    product { id name gender } category { id name } } } }""",
        "sql": ["""SELECT DATE(s.created) AS created_on, DATE(h.changedate) AS donated_on, s.size_id,
 s.product_id, p.category_id, SUM(s.items), RANK() OVER (ORDER BY SUM(s.items) DESC)
 FROM history h JOIN stock s ON h.record_id = s.id AND h.tablename = 'stock'
  AND h.changes = 'box_state_id' AND h.from_int = 1 AND h.to_int = 5
 JOIN products p ON s.product_id = p.id AND p.camp_id = {base}
 GROUP BY created_on, donated_on, s.size_id, s.product_id, p.category_id""",
                "SELECT id, label FROM product_categories",
                "SELECT id, name, gender_id FROM products WHERE camp_id = {base}",
                "SELECT id, label FROM sizes"],
    },
}


def p50_sql(db, statements, runs):
    """boxtribute's statements for one cube, run one after another in one client session."""
    script = ";\n".join(s.format(base=BASE) for s in statements) + ";\n"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(db.client(), input=script.encode(), check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    # The client's own start-up is not boxtribute's: measured on an empty statement and removed.
    empty = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(db.client(), input=b"SELECT 1;\n", check=True, capture_output=True)
        empty.append(time.perf_counter() - start)
    return max(0.0, statistics.median(times) - statistics.median(empty)) * 1000


def p50_depot(connection, token, query, runs):
    body = json.dumps({"query": query, "variables": {"b": BASE}})
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        connection.request("POST", "/graphql", body, headers)
        response = connection.getresponse()
        data = response.read()
        times.append(time.perf_counter() - start)
        assert response.status == 200 and b'"errors"' not in data, data[:300]
    return statistics.median(times) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build-rel")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    harness.BUILD = os.path.abspath(args.build)
    scratch = harness.Scratch()
    db = harness.MariaDB(scratch.path)
    depot = None
    try:
        harness.load_demo(db)
        keys = harness.Keys(scratch.path)
        bases = [int(r[0]) for r in db.sql("SELECT id FROM camps WHERE organisation_id = 1 ORDER BY id")]
        token = keys.token(base_ids=bases, permissions=[f"base_{b}/{r}:read" for b in bases
                                                       for r in harness.RESOURCES])
        depot = harness.Depot(db, keys, scratch.path, form="one", debug=False)
        port = int(depot.url.split(":")[2].split("/")[0])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        results = {}
        for name, cube in CUBES.items():
            p50_depot(connection, token, cube["query"], 3)                  # warm up
            results[name] = {"boxtribute_sql_p50_ms": round(p50_sql(db, cube["sql"], args.runs), 2),
                             "depot_p50_ms": round(p50_depot(connection, token, cube["query"], args.runs), 2)}
            print(name, results[name], flush=True)
        connection.close()
    finally:
        if depot:
            depot.stop()
        db.stop()
        scratch.remove()
    stem = os.path.join(HERE, "results", f"{datetime.date.today()}-issue17-stats")
    with open(stem + ".json", "w") as f:
        json.dump({"base": BASE, "runs": args.runs, "build": args.build, "cubes": results}, f, indent=2)
    with open(stem + ".md", "w") as f:
        f.write(f"# Statistics cubes, base {BASE} of the demo data, p50 of {args.runs} runs, one at a time\n\n")
        f.write("| cube | boxtribute's SQL alone | Depot's GraphQL request |\n|---|---|---|\n")
        for name, r in results.items():
            f.write(f"| {name} | {r['boxtribute_sql_p50_ms']} ms | {r['depot_p50_ms']} ms |\n")


if __name__ == "__main__":
    main()
