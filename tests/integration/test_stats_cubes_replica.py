"""Statistics cubes read the replica (issue 17): two private mariadbd with replication, as
replica.py starts them (a primary with a binary log, a read-only replica that
follows it by GTID), and Depot configured with both.

1. With the replica caught up, each of createdBoxes, topProductsCheckedOut and topProductsDonated
   runs every statement it counts (extensions.debug.sqlStatements) on the replica and none on the
   primary (Depot's user's SELECT_COMMANDS in USER_STATISTICS on each server).
2. With the replica's SQL thread stopped, a box created, donated and a product checked out on the
   primary on a day of their own are in the primary's rows (SQL) but not in the cubes' facts:
   the lagging replica answers, as boxtribute's use_db_replica reads it; once it caught up, the
   facts have them.
Licensed under the Apache License 2.0.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import replica  # noqa: E402
from statistics_cases import Callers  # noqa: E402

DAY = "2031-01-07"              # a day of the test's own rows only

CUBES = {
    "createdBoxes": ("createdOn", "query($b: Int!) { createdBoxes(baseId: $b) { facts { createdOn productId"
                                  " boxesCount } dimensions { product { id } tag { id } } } }"),
    "topProductsCheckedOut": ("checkedOutOn", "query($b: Int!) { topProductsCheckedOut(baseId: $b) { facts {"
                                              " checkedOutOn productId itemsCount } dimensions {"
                                              " product { id } } } }"),
    "topProductsDonated": ("donatedOn", "query($b: Int!) { topProductsDonated(baseId: $b) { facts { donatedOn"
                                        " productId itemsCount } dimensions { size { id } } } }"),
}


class StatsCubesReplica(Callers, replica.ReplicaTestCase):

    DEPOT_ENV = {"DEPOT_IDEMPOTENCY_PURGE_MS": "0"}

    @classmethod
    def load(cls):
        harness.load_demo(cls.primary, boxes=200)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.coordinator_token()

    def cube(self, name):
        """The cube of base 1: (facts, statements)."""
        body = self.ask_ok(CUBES[name][1], {"b": 1})
        return body["data"][name]["facts"], body["extensions"]["debug"]["sqlStatements"]

    def days(self, name):
        return {f[CUBES[name][0]] for f in self.cube(name)[0]}

    def test_1_every_statement_of_a_cube_reads_the_replica(self):
        self.servers.catch_up()
        self.servers.wait_replica_connections(self.POOL)
        for name in CUBES:
            with self.subTest(cube=name):
                primary_before, replica_before = self.servers.selects_each()
                facts, statements = self.cube(name)
                self.assertTrue(facts, "no facts in base 1 of the demo data: the check proves nothing")
                self.assertGreaterEqual(statements, 3)
                self.assertEqual(self.servers.selects(self.replica) - replica_before, statements)
                self.assertEqual(self.servers.selects(self.primary) - primary_before, 0)

    def test_2_a_lagging_replica_answers_as_it_is(self):
        self.servers.catch_up()
        self.servers.wait_replica_connections(self.POOL)
        with self.servers.lagging():
            product, location, size = self.primary.sql(
                "SELECT p.id, l.id, s.id FROM products p JOIN locations l ON l.camp_id = p.camp_id"
                " JOIN sizes s WHERE p.camp_id = 1 ORDER BY p.id, l.id, s.id LIMIT 1")[0]
            self.primary.sql(
                "INSERT INTO stock (box_id, product_id, size_id, items, location_id, box_state_id, created)"
                f" VALUES ('93100001', {product}, {size}, 7, {location}, 5, '{DAY} 10:00:00');"
                " INSERT INTO history (tablename, record_id, changes, from_int, to_int, changedate)"
                f" VALUES ('stock', LAST_INSERT_ID(), 'box_state_id', 1, 5, '{DAY} 11:00:00');"
                " INSERT INTO transactions (product_id, count, description, transaction_date)"
                f" VALUES ({product}, 3, '', '{DAY} 12:00:00');")
            on_primary = self.primary.sql(
                f"SELECT (SELECT COUNT(*) FROM stock WHERE DATE(created) = '{DAY}'),"
                f" (SELECT COUNT(*) FROM history WHERE DATE(changedate) = '{DAY}' AND to_int = 5),"
                f" (SELECT COUNT(*) FROM transactions WHERE DATE(transaction_date) = '{DAY}')")[0]
            self.assertEqual(on_primary, ["1", "1", "1"])
            for name in CUBES:
                with self.subTest(cube=name, replica="lagging"):
                    self.assertNotIn(DAY, self.days(name))
        self.servers.catch_up()
        for name in CUBES:
            with self.subTest(cube=name, replica="caught up"):
                self.assertIn(DAY, self.days(name))


if __name__ == "__main__":
    unittest.main()
