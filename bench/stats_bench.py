#!/usr/bin/env python3
"""Statistics cubes (issue 17): each cube's p50 through Depot next to boxtribute's own SQL for
the same cube, on the 8,201-box base of the demo data (depot-gen, as scripts/run.sh loads it).

For each entry of CUBES: boxtribute's statements (business_logic/statistics/crud.py, with its
parameters) run directly with the mariadb client, one session per run, timed by the server;
then Depot's GraphQL request for the same cube over one kept-alive connection; p50 over --runs.
Writes bench/results/<date>-stats.{json,md} (a later run of the day with --cubes adds its rows).
Usage: bench/stats_bench.py --build build-rel [--runs 30] [--cubes createdBoxes,topProductsDonated]
Licensed under the Apache License 2.0.
"""
import argparse
import collections
import datetime
import http.client
import json
import os
import statistics
import subprocess
import sys
import time

from common import RESULTS, Demo, harness

BASE = 1   # depot-gen's base of 8,201 boxes

# One entry per cube: its GraphQL document and boxtribute's SQL for it ({base} is the base id),
# the facts' statement first, its columns named as boxtribute's crud.py names them (the dump
# tests run it: tests/integration/test_stats_dump.py). A later statement may name a column of
# the facts, {product_id}: the ids the facts hold there, as _generate_dimensions sends them.
# Each engineer adds their cube as one block.
CUBES = {
    "createdBoxes": {
        "query": """query($b: Int!) { createdBoxes(baseId: $b) { facts { createdOn categoryId productId
                    gender tagIds boxesCount itemsCount } dimensions { product { id name gender }
                    category { id name } tag { id name color } } } }""",
        # compute_created_boxes: the first location/product/items of each box by correlated
        # MIN(history.id) subqueries, then tags, then the aggregate; and its dimensions.
        "sql": ["""WITH location_ids AS (SELECT id FROM locations WHERE camp_id = {base})
SELECT b.created_on, COUNT(b.id) AS boxes_count, SUM(b.items) AS items_count, p.id AS product_id,
 p.gender_id AS gender, p.category_id, b.tag_ids FROM (
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
                "SELECT id, name, gender_id FROM products WHERE id IN ({product_id})",
                "SELECT id, label, color FROM tags WHERE id IN ({tag_ids})"],
    },
    "topProductsCheckedOut": {
        "query": """query($b: Int!) { topProductsCheckedOut(baseId: $b) { facts { checkedOutOn productId
                    categoryId rank itemsCount } dimensions { product { id name gender }
                    category { id name } } } }""",
        "sql": ["""SELECT DATE(t.transaction_date) AS checked_out_on, t.product_id, p.category_id,
 SUM(t.count) AS items_count, RANK() OVER (ORDER BY SUM(t.count) DESC) AS `rank` FROM transactions t
 JOIN products p ON p.camp_id = {base} AND t.product_id = p.id
 GROUP BY t.product_id, p.category_id, checked_out_on""",
                "SELECT id, label FROM product_categories",
                "SELECT id, name, gender_id FROM products WHERE id IN ({product_id})"],
    },
    "topProductsDonated": {
        "query": """query($b: Int!) { topProductsDonated(baseId: $b) { facts { createdOn donatedOn sizeId
                    productId categoryId rank itemsCount } dimensions { size { id name }
                    product { id name gender } category { id name } } } }""",
        "sql": ["""SELECT DATE(s.created) AS created_on, DATE(h.changedate) AS donated_on, s.size_id,
 s.product_id, p.category_id, SUM(s.items) AS items_count,
 RANK() OVER (ORDER BY SUM(s.items) DESC) AS `rank`
 FROM history h JOIN stock s ON h.record_id = s.id AND h.tablename = 'stock'
  AND h.changes = 'box_state_id' AND h.from_int = 1 AND h.to_int = 5
 JOIN products p ON s.product_id = p.id AND p.camp_id = {base}
 GROUP BY created_on, donated_on, s.size_id, s.product_id, p.category_id""",
                "SELECT id, label FROM product_categories",
                "SELECT id, name, gender_id FROM products WHERE id IN ({product_id})",
                "SELECT id, label FROM sizes WHERE id IN ({size_id})"],
    },
    "beneficiaryDemographics": {
        "query": """query($b: Int!) { beneficiaryDemographics(baseId: $b) { facts { gender age createdOn
                    deletedOn tagIds count } dimensions { tag { id name color } } } }""",
        # compute_beneficiary_demographics: the base's beneficiaries with their tags, grouped;
        # then the tags the facts name.
        "sql": ["""SELECT t1.gender, t1.created_on, t1.deleted_on, t1.age, t1.tag_ids, COUNT(t1.id) AS count FROM (
 SELECT p.id, IF(p.gender = '', 'D', p.gender) AS gender, DATE(DATE(p.created)) AS created_on,
  DATE(IF(p.deleted > 0, DATE(p.deleted), NULL)) AS deleted_on,
  IF(p.date_of_birth > 0, TIMESTAMPDIFF(YEAR, p.date_of_birth, CURDATE()), NULL) AS age,
  GROUP_CONCAT(tr.tag_id) AS tag_ids
 FROM people p LEFT OUTER JOIN tags_relations tr ON tr.object_id = p.id AND tr.object_type = 'People'
  AND tr.deleted_on IS NULL
 WHERE p.camp_id = {base} GROUP BY p.id) t1
GROUP BY t1.gender, t1.age, t1.created_on, t1.deleted_on, t1.tag_ids""",
                "SELECT id, label, color FROM tags WHERE id IN ({tag_ids})"],
    },
    "beneficiaryReach": {
        "query": """query($b: Int!) { beneficiaryReach(baseId: $b) { facts { reachedOn beneficiaryId
                    reachType count } dimensions { beneficiary { id age gender tagIds }
                    tag { id name color } } } }""",
        # compute_beneficiary_reach: BENEFICIARIES_REACHED_QUERY over the last 104 weeks, then the
        # facts' beneficiaries with their tags, then those tags.
        "sql": ["""SELECT DATE(reached_on) AS reached_on, beneficiary_id, reach_type, COUNT(beneficiary_id) AS count
FROM (
 SELECT h.changedate AS reached_on, h.record_id AS beneficiary_id, 'CreatedOrEdited' AS reach_type
 FROM history h INNER JOIN people p ON h.tablename = 'people' AND p.id = h.record_id AND p.camp_id = {base}
 WHERE NOT h.changes LIKE 'Record deleted%' AND h.changedate >= (UTC_TIMESTAMP() - INTERVAL 104 WEEK) GROUP BY h.changedate, p.id
 UNION ALL
 SELECT t.transaction_date, t.people_id, 'Checkout' FROM transactions t
 INNER JOIN people p ON p.id = t.people_id AND p.camp_id = {base} AND t.product_id IS NOT NULL
  AND t.transaction_date >= (UTC_TIMESTAMP() - INTERVAL 104 WEEK) GROUP BY t.transaction_date, t.people_id
 UNION ALL
 SELECT t.transaction_date, fm.id, 'Checkout' FROM transactions t
 INNER JOIN people p ON p.id = t.people_id AND p.camp_id = {base} AND t.product_id IS NOT NULL
  AND t.transaction_date >= (UTC_TIMESTAMP() - INTERVAL 104 WEEK) INNER JOIN people fm ON fm.parent_id = t.people_id
 GROUP BY t.transaction_date, fm.id
 UNION ALL
 SELECT sr.created, sr.people_id, 'ServiceUsed' FROM services_relations sr
 JOIN people p ON p.id = sr.people_id AND p.camp_id = {base} AND sr.created >= (UTC_TIMESTAMP() - INTERVAL 104 WEEK)
 UNION ALL
 SELECT tr.created_on, tr.object_id, 'TagApplied' FROM tags_relations tr
 JOIN people p ON tr.object_type = 'People' AND p.id = tr.object_id AND p.camp_id = {base}
 WHERE tr.created_on IS NOT NULL AND tr.created_on >= (UTC_TIMESTAMP() - INTERVAL 104 WEEK) GROUP BY tr.created_on, tr.object_id) i
GROUP BY DATE(reached_on), beneficiary_id, reach_type
ORDER BY reach_type, DATE(reached_on), beneficiary_id""",
                """SELECT p.id, IF(p.date_of_birth > 0, TIMESTAMPDIFF(YEAR, p.date_of_birth, CURDATE()), NULL),
 p.gender, GROUP_CONCAT(DISTINCT tr.tag_id) FROM people p
 LEFT OUTER JOIN tags_relations tr ON tr.object_id = p.id AND tr.object_type = 'People' AND tr.deleted_on IS NULL
 WHERE p.id IN ({beneficiary_id}) GROUP BY p.id ORDER BY p.id""",
                # the tags of those beneficiaries (boxtribute takes their ids from the rows above)
                """SELECT id, label, color FROM tags WHERE id IN (SELECT tag_id FROM tags_relations
 WHERE object_type = 'People' AND deleted_on IS NULL AND object_id IN ({beneficiary_id}))"""],
    },
}


# movedBoxes and stockOverview: boxtribute's own statements, read from its repository
# (tests/integration/boxtribute_sql.py; braces doubled for format), then the dimension queries
# of its _generate_dimensions for the ids the facts hold.
import boxtribute_sql  # noqa: E402

if boxtribute_sql.STATEMENTS:
    CUBES["movedBoxes"] = {
        "query": """query($b: Int!) { movedBoxes(baseId: $b) { facts { movedOn targetId categoryId sizeId
                    boxesCount itemsCount gender productName tagIds organisationName } dimensions {
                    category { id name } size { id name } target { id name type deletedOn } } } }""",
        "sql": [boxtribute_sql.moved_boxes(BASE).replace("{", "{{").replace("}", "}}"),
                "SELECT id, label FROM product_categories", "SELECT id, label FROM sizes WHERE id IN ({size_id})",
                "SELECT id, label, color FROM tags WHERE id IN ({tag_ids})",
                "SELECT id, DATE(deleted), label FROM locations WHERE id IN ({target_id})"],
    }
    CUBES["stockOverview"] = {
        "query": """query($b: Int!) { stockOverview(baseId: $b) { facts { productName categoryId gender
                    boxesCount itemsCount sizeId tagIds boxState locationId } dimensions {
                    category { id name } size { id name } tag { id name color } location { id name } } } }""",
        "sql": [boxtribute_sql.stock_overview(BASE).replace("{", "{{").replace("}", "}}"),
                "SELECT id, label FROM sizes WHERE id IN ({size_id})",
                "SELECT id, label FROM locations WHERE id IN ({location_id})",
                "SELECT id, label FROM product_categories", "SELECT id, label, color FROM tags WHERE id IN ({tag_ids})",
                "SELECT id, label FROM sizegroup WHERE id IN (28, 29)"],
    }
else:
    print(f"boxtribute's repository is not at {boxtribute_sql.REPO}: movedBoxes and stockOverview "
          "are not measured", file=sys.stderr)


def fact_ids(db, facts_sql):
    """Per column of the facts (boxtribute's names), the ids it holds as an SQL list ("NULL":
    none), comma lists of ids (tag_ids) split."""
    out = subprocess.run(db.client() + ["--batch", "--raw"], input=facts_sql.encode(), check=True,
                         capture_output=True).stdout.decode().splitlines()
    if not out:
        return collections.defaultdict(lambda: "NULL")
    names, ids = out[0].split("\t"), collections.defaultdict(set)
    for line in out[1:]:
        for name, value in zip(names, line.split("\t")):
            ids[name].update(v for v in value.split(",") if v.isdigit())
    return collections.defaultdict(lambda: "NULL", {n: ", ".join(sorted(v, key=int)) or "NULL"
                                                    for n, v in ids.items()})


def slow_log_on(db):
    """Every statement into mysql.slow_log with its server time (query_time: parsing to the last
    row sent). Set before Depot connects: a session keeps the long_query_time it started with."""
    db.sql("SET GLOBAL log_output = 'TABLE', long_query_time = 0, slow_query_log = 1")


def p50_sql(db, statements, runs):
    """boxtribute's statements for one cube, one client session per run, each run's statements'
    server time summed (the slow log): the SQL alone, without the client's start-up.
    (information_schema.PROFILING, used before, summed to a fraction of it.)"""
    ids = fact_ids(db, statements[0].format(base=BASE))
    script = "".join(s.format_map(collections.ChainMap({"base": BASE}, ids)) + ";\n" for s in statements)
    db.sql("TRUNCATE mysql.slow_log")
    for _ in range(runs):
        subprocess.run(db.client() + ["--batch", "-N"], input=script.encode(), check=True, capture_output=True)
    per_run = db.sql("SELECT SUM(TIME_TO_SEC(query_time)) FROM mysql.slow_log"
                     " WHERE sql_text NOT LIKE 'TRUNCATE%' GROUP BY thread_id")
    return statistics.median(float(r[0]) for r in per_run) * 1000


def depot_sql_ms(db, runs):
    """Depot's statements for the requests since the slow log was emptied, per request (mean):
    what MariaDB spent of Depot's time."""
    total = db.scalar("SELECT SUM(TIME_TO_SEC(query_time)) FROM mysql.slow_log WHERE sql_text LIKE 'SET STATEMENT%'")
    return float(total or 0) * 1000 / runs


def p50_depot(connection, token, query, runs):
    body = json.dumps({"query": query, "variables": {"b": BASE}})
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    connection.close()      # a kept-alive connection idle meanwhile may be closed: a fresh one
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        connection.request("POST", "/graphql", body, headers)
        response = connection.getresponse()
        data = response.read()
        times.append(time.perf_counter() - start)
        assert response.status == 200 and b'"errors"' not in data, data[:300]
    return statistics.median(times) * 1000, data


def load_1min():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def write_results(results, runs, build):
    """Into today's pair of files, keeping the cubes an earlier run of the day measured."""
    stem = os.path.join(RESULTS, f"{datetime.date.today()}-stats")
    cubes = {}
    if os.path.exists(stem + ".json"):
        with open(stem + ".json") as f:
            cubes = json.load(f)["cubes"]
    for name, row in results.items():   # an earlier row of the same cube stays, renamed
        if name in cubes:
            earlier = cubes.pop(name)
            cubes[f"{name} (run of {earlier.get('measured_at', 'earlier')})"] = earlier
        cubes[name] = row
    with open(stem + ".json", "w") as f:
        json.dump({"base": BASE, "build": build, "cubes": cubes}, f, indent=2)
    notes = ""                          # sections written by hand below the table stay
    if os.path.exists(stem + ".md"):
        with open(stem + ".md") as f:
            text = f.read()
        notes = text[text.index("\n## "):] if "\n## " in text else ""
    with open(stem + ".md", "w") as f:
        f.write(f"# Statistics cubes, base {BASE} of the demo data (8,201 boxes), single-request p50\n\n")
        f.write("boxtribute's SQL: its statements for the cube (business_logic/statistics/crud.py) in one\n"
                "session, their server time summed (mysql.slow_log's query_time, which includes sending\n"
                "the rows). Depot: the GraphQL request for the same cube over HTTP, end to end, and the\n"
                "server time of its own statements per request (slow log, mean). Each row is measured in\n"
                "one run, side by side; the machine is shared, so its 1-minute load is noted. Rows\n"
                "without Depot's SQL time timed boxtribute's SQL by information_schema.PROFILING, which\n"
                "undercounts it several times over (see the profile below).\n\n")
        f.write("| cube | boxtribute's SQL alone | Depot's GraphQL request | of which Depot's SQL | facts | answer"
                " | runs | 1-min load |\n|---|---|---|---|---|---|---|---|\n")
        for name, r in cubes.items():
            depot_sql = f"{r['depot_sql_mean_ms']} ms" if "depot_sql_mean_ms" in r else ""
            f.write(f"| {name} | {r['boxtribute_sql_p50_ms']} ms | {r['depot_p50_ms']} ms | {depot_sql}"
                    f" | {r.get('facts', '')} | {r.get('answer_kb', '')} KB | {r['runs']} | {r['load_1min']} |\n")
        f.write(notes)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build-rel")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cubes", help="a comma list of CUBES' names (default: every cube)")
    args = parser.parse_args()
    names = args.cubes.split(",") if args.cubes else list(CUBES)
    unknown = [n for n in names if n not in CUBES]
    if unknown:
        parser.error(f"unknown cubes {unknown}; known: {', '.join(CUBES)}")
    with Demo(args.build) as demo:
        db, keys = demo.db, demo.keys
        bases = [int(r[0]) for r in db.sql("SELECT id FROM camps WHERE organisation_id = 1 ORDER BY id")]
        token = keys.token(base_ids=bases, permissions=[f"base_{b}/{r}:read" for b in bases
                                                       for r in harness.RESOURCES])
        slow_log_on(db)
        depot = demo.depot(debug=False)
        port = int(depot.url.split(":")[2].split("/")[0])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        results = {}
        for name in names:
            cube = CUBES[name]
            load = load_1min()
            sql_ms = p50_sql(db, cube["sql"], args.runs)
            p50_depot(connection, token, cube["query"], 3)                  # warm up
            db.sql("TRUNCATE mysql.slow_log")
            depot_ms, answer = p50_depot(connection, token, cube["query"], args.runs)
            depot_sql = depot_sql_ms(db, args.runs)
            results[name] = {"boxtribute_sql_p50_ms": round(sql_ms, 2), "depot_p50_ms": round(depot_ms, 2),
                             "depot_sql_mean_ms": round(depot_sql, 2),
                             "facts": len(json.loads(answer)["data"][name]["facts"]),
                             "answer_kb": round(len(answer) / 1024, 1),
                             "runs": args.runs, "load_1min": max(load, load_1min()),
                             "measured_at": datetime.datetime.now().strftime("%H:%M")}
            print(name, results[name], flush=True)
        connection.close()
    write_results(results, args.runs, args.build)


if __name__ == "__main__":
    main()
