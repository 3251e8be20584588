"""Read replica (issue 5): two private mariadbd with replication, a primary (binary log,
server-id 1) and a read-only replica (server-id 2) that follows it by GTID over TCP. Depot
(one process) reaches the primary over its socket and the replica over TCP
(MYSQL_REPLICA_HOST, MYSQL_REPLICA_PORT), as the user `depot`.

Checked with each server's own counters: `Com_select` (every SELECT the server ran) and
`information_schema.USER_STATISTICS` (userstat on: the SELECTs of Depot's user alone, so the
test's own queries and the replication threads never blur the figure).
1. Reads go to the replica: its counters rise by exactly the statements Depot reports
   (extensions.debug.sqlStatements), the primary's do not move; the answers equal the test's
   SQL on the primary. With the replica's SQL thread stopped, a change made on the primary is
   not seen through Depot until replication catches up (reads are served by the replica, and
   may lag behind the primary: README, "Read replica").
2. The replica stops (a clean shutdown): reads go on, now on the primary, within a few
   seconds, and stay successful.
3. It starts again: within a few seconds Depot's connections to it are back and reads run
   there again, not on the primary.
Writes and transactions: phase 1 has no write path and no transaction, so none can be sent
through Depot; the rule that sends them to the primary only is dp_db_target's, tested by
the dp_db_target selftest (and dp_db_replica for the actor's routing).
Licensed under the Apache License 2.0.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import replica  # noqa: E402

POOL = 2                # Depot's connections to each server (the replica's control adds one)
BACK_S = 5.0            # fallback and return must happen within this

QUERY = """query($first: Int) { boxes(baseId: "1", paginationInput: {first: $first}) {
             totalCount elements { id product { id name } } } }"""
BOXES = "FROM stock s JOIN locations l ON l.id = s.location_id JOIN products p ON p.id = s.product_id " \
        "WHERE l.camp_id = 1 AND (s.deleted IS NULL OR s.deleted = 0)"


class ReadReplica(unittest.TestCase):

    def setUp(self):
        self.scratch = harness.Scratch()
        folder = self.scratch.path
        # Everything below happens on the primary and reaches the replica by replication.
        self.servers = replica.Replication(folder, grants="SELECT")
        self.primary, self.replica = self.servers.primary, self.servers.replica
        harness.load_demo(self.primary, boxes=300)
        self.servers.catch_up()
        self.assertEqual(self.replica.scalar("SELECT COUNT(*) FROM stock"),
                         self.primary.scalar("SELECT COUNT(*) FROM stock"))
        self.keys = harness.Keys(folder)
        self.token = self.keys.token()
        self.depot = harness.Depot(self.primary, self.keys, folder, form="one",
                                   extra_env=self.servers.depot_env(POOL))

    def tearDown(self):
        codes = self.depot.stop()
        self.servers.stop()
        self.scratch.remove()
        self.assertEqual(codes, [0])

    def counters(self, db):
        """(Com_select, SELECTs of Depot's user). Reading them counts one SELECT (the
        USER_STATISTICS query; SHOW STATUS is not a SELECT)."""
        com_select = db.status("Com_select")
        return com_select, self.servers.selects(db)

    def expected(self, first):
        rows = self.primary.sql(f"SELECT s.id, p.id, p.name {BOXES} ORDER BY s.modified DESC, s.id DESC LIMIT {first}")
        return {"totalCount": int(self.primary.scalar(f"SELECT COUNT(*) {BOXES}")),
                "elements": [{"id": b, "product": {"id": p, "name": n}} for b, p, n in rows]}

    def read(self, first):
        """One GraphQL read; returns (status, response)."""
        status, response, _ = harness.post(self.depot.url, {"query": QUERY, "variables": {"first": first}},
                                           self.token, timeout=30)
        return status, response

    def reads(self, expected):
        """A read per expected answer (by page size), each checked; returns the statements
        Depot says they ran."""
        statements = 0
        for first, answer in expected.items():
            status, response = self.read(first)
            self.assertEqual(status, 200, response)
            self.assertNotIn("errors", response)
            self.assertEqual(response["data"]["boxes"], answer)
            statements += response["extensions"]["debug"]["sqlStatements"]
        return statements

    def test_reads_on_replica_fallback_and_return(self):
        expected = {first: self.expected(first) for first in (1, 5, 20, 50)}
        self.servers.wait_replica_connections(POOL, BACK_S)
        self.assertEqual(self.servers.depot_connections(self.primary), POOL + 1)

        # 1. Reads run on the replica, none on the primary.
        primary_before, replica_before = self.counters(self.primary), self.counters(self.replica)
        statements = self.reads(expected)
        primary_after, replica_after = self.counters(self.primary), self.counters(self.replica)
        self.assertGreater(statements, 0)
        self.assertEqual(replica_after[1] - replica_before[1], statements)
        self.assertEqual(replica_after[0] - replica_before[0], statements + 1)
        self.assertEqual(primary_after[1] - primary_before[1], 0)
        self.assertEqual(primary_after[0] - primary_before[0], 1)

        # A change on the primary is not seen while the replica does not apply it.
        product = expected[1]["elements"][0]["product"]
        one = {"query": f'{{ product(id: "{product["id"]}") {{ name }} }}'}
        with self.servers.lagging():
            self.primary.sql(f"UPDATE products SET name = CONCAT(name, ' (renamed)') WHERE id = {product['id']}")
            _, response, _ = harness.post(self.depot.url, one, self.token)
            self.assertEqual(response["data"]["product"]["name"], product["name"])
        self.servers.catch_up()
        _, response, _ = harness.post(self.depot.url, one, self.token)
        self.assertEqual(response["data"]["product"]["name"], product["name"] + " (renamed)")
        self.primary.sql(f"UPDATE products SET name = LEFT(name, CHAR_LENGTH(name) - {len(' (renamed)')})"
                         f" WHERE id = {product['id']}")
        self.servers.catch_up()

        # 2. The replica stops: reads succeed again within seconds, on the primary.
        self.replica.stop()
        stopped = time.monotonic()
        while True:
            status, response = self.read(5)
            if status == 200 and "errors" not in response:
                break
            self.assertLess(time.monotonic() - stopped, BACK_S, f"no read succeeded since the replica stopped: {response}")
            time.sleep(0.05)
        fallback = time.monotonic() - stopped
        primary_before = self.counters(self.primary)
        statements = self.reads(expected)
        primary_after = self.counters(self.primary)
        self.assertEqual(primary_after[1] - primary_before[1], statements)
        self.assertGreaterEqual(primary_after[0] - primary_before[0], statements)

        # 3. It starts again: Depot reconnects within seconds and reads go back to it.
        self.replica.start()
        back = self.servers.wait_replica_connections(POOL, BACK_S)
        self.servers.catch_up()
        primary_before, replica_before = self.counters(self.primary), self.counters(self.replica)
        statements = self.reads(expected)
        primary_after, replica_after = self.counters(self.primary), self.counters(self.replica)
        self.assertEqual(replica_after[1] - replica_before[1], statements)
        self.assertGreaterEqual(replica_after[0] - replica_before[0], statements)
        self.assertEqual(primary_after[1] - primary_before[1], 0)
        print(f"\n  {statements} statements per round on the replica, none on the primary; reads on the "
              f"primary {fallback * 1000:.0f} ms after the replica stopped; Depot back on the replica "
              f"{back * 1000:.0f} ms after it answered again", flush=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
