"""Statistics cubes read the replica (issue 17): two private mariadbd with replication, as
test_read_your_writes.py starts them (a primary with a binary log, a read-only replica that
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
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

POOL = 2
USER, PASSWORD = "depot", "depot-pw"
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


class StatsCubesReplica(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        folder = cls.scratch.path
        common = ["--userstat=1"]
        cls.primary = harness.MariaDB(os.path.join(folder, "primary"), port=harness.free_port(),
                                      args=common + ["--server-id=1", "--log-bin=primary-bin",
                                                     "--binlog-format=ROW"])
        cls.replica = harness.MariaDB(os.path.join(folder, "replica"), port=harness.free_port(),
                                      args=common + ["--server-id=2", "--read-only=1"])
        cls.primary.sql("CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl-pw';"
                        " GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'", db=None)
        cls.replica.sql(f"CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = {cls.primary.port},"
                        " MASTER_USER = 'repl', MASTER_PASSWORD = 'repl-pw', MASTER_USE_GTID = slave_pos;"
                        " START SLAVE", db=None)
        cls.primary.sql(f"CREATE USER '{USER}'@'%' IDENTIFIED BY '{PASSWORD}';"
                        f" GRANT SELECT, INSERT, UPDATE, DELETE ON {cls.primary.database}.* TO '{USER}'@'%'",
                        db=None)
        harness.load_demo(cls.primary, boxes=200)
        cls.keys = harness.Keys(folder)
        cls.token = cls.keys.token(permissions=[f"base_1/{r}:read" for r in harness.RESOURCES])
        cls.depot = harness.Depot(cls.primary, cls.keys, folder, form="one", extra_env={
            "MYSQL_USER": USER, "MYSQL_PASSWORD": PASSWORD,
            "MYSQL_REPLICA_HOST": "127.0.0.1", "MYSQL_REPLICA_PORT": str(cls.replica.port),
            "DEPOT_DB_POOL": str(POOL), "DEPOT_DB_POOL_MIN": str(POOL),
            "DEPOT_DB_REPLICA_POOL": str(POOL), "DEPOT_IDEMPOTENCY_PURGE_MS": "0"})

    @classmethod
    def tearDownClass(cls):
        codes = cls.depot.stop()
        cls.replica.stop()
        cls.primary.stop()
        cls.scratch.remove()
        assert codes == [0], codes

    def catch_up(self):
        position = self.primary.scalar("SELECT @@gtid_binlog_pos")
        self.assertEqual(self.replica.scalar(f"SELECT MASTER_GTID_WAIT('{position}', 60)"), "0")

    def wait_replica_connections(self):
        started = time.monotonic()
        query = f"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '{USER}'"
        while int(self.replica.scalar(query)) < POOL + 1:
            self.assertLess(time.monotonic() - started, 10, "Depot did not connect to the replica")
            time.sleep(0.05)

    @staticmethod
    def selects(db):
        """SELECTs Depot's user ran on db (USER_STATISTICS: the test's own queries and the
        replication threads are not counted)."""
        value = db.scalar(f"SELECT SELECT_COMMANDS FROM information_schema.USER_STATISTICS WHERE USER = '{USER}'")
        return int(value or 0)

    def cube(self, name):
        """The cube of base 1: (facts, statements)."""
        status, body, _ = harness.post(self.depot.url, {"query": CUBES[name][1], "variables": {"b": 1}},
                                       self.token)
        self.assertEqual(status, 200, body)
        self.assertNotIn("errors", body)
        return body["data"][name]["facts"], body["extensions"]["debug"]["sqlStatements"]

    def days(self, name):
        return {f[CUBES[name][0]] for f in self.cube(name)[0]}

    def test_1_every_statement_of_a_cube_reads_the_replica(self):
        self.catch_up()
        self.wait_replica_connections()
        for name in CUBES:
            with self.subTest(cube=name):
                primary_before, replica_before = self.selects(self.primary), self.selects(self.replica)
                facts, statements = self.cube(name)
                self.assertTrue(facts, "no facts in base 1 of the demo data: the check proves nothing")
                self.assertGreaterEqual(statements, 3)
                self.assertEqual(self.selects(self.replica) - replica_before, statements)
                self.assertEqual(self.selects(self.primary) - primary_before, 0)

    def test_2_a_lagging_replica_answers_as_it_is(self):
        self.catch_up()
        self.wait_replica_connections()
        self.replica.sql("STOP SLAVE SQL_THREAD", db=None)
        try:
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
        finally:
            self.replica.sql("START SLAVE SQL_THREAD", db=None)
        self.catch_up()
        for name in CUBES:
            with self.subTest(cube=name, replica="caught up"):
                self.assertIn(DAY, self.days(name))


if __name__ == "__main__":
    unittest.main()
