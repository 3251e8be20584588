"""Beneficiary statistics read from the replica (issue 17): two private mariadbd with replication,
as test_read_your_writes.py starts them, and Depot configured with both.

beneficiaryDemographics, beneficiaryReach, beneficiaryFigures and metrics are reads: every one of
their statements runs on the replica (Depot's user's SELECT_COMMANDS in USER_STATISTICS: the
replica's grows by the requests' own statement count, the primary's not at all), and they tolerate
its delay: with the replica's SQL thread stopped, a beneficiary registered on the primary is not
counted yet (shown against both servers' rows, so the test can fail), and is once it caught up.
Licensed under the Apache License 2.0.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

POOL = 2
USER, PASSWORD = "depot", "depot-pw"
QUERIES = [
    "query { beneficiaryDemographics(baseId: 1) { facts { count gender } dimensions { tag { id } } } }",
    "query { beneficiaryReach(baseId: 1) { facts { count } dimensions { beneficiary { id } tag { id } } } }",
    "query { beneficiaryFigures(baseId: 1) { averageFamilySize newRegistrationsLast30Days } }",
    "query { metrics { numberOfFamiliesServed numberOfSales } }",
]
COUNT = "query { beneficiaryDemographics(baseId: 1) { facts { count } } }"


class StatisticsOnTheReplica(unittest.TestCase):

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
        harness.load_demo(cls.primary, boxes=50)
        cls.register(3)
        cls.keys = harness.Keys(folder)
        cls.token = cls.keys.token(permissions=[f"base_1/{r}:read" for r in harness.RESOURCES])
        cls.depot = harness.Depot(cls.primary, cls.keys, folder, form="one", extra_env={
            "MYSQL_USER": USER, "MYSQL_PASSWORD": PASSWORD,
            "MYSQL_REPLICA_HOST": "127.0.0.1", "MYSQL_REPLICA_PORT": str(cls.replica.port),
            "DEPOT_DB_POOL": str(POOL), "DEPOT_DB_POOL_MIN": str(POOL), "DEPOT_DB_REPLICA_POOL": str(POOL),
            "DEPOT_IDEMPOTENCY_PURGE_MS": "0"})

    @classmethod
    def tearDownClass(cls):
        codes = cls.depot.stop()
        cls.replica.stop()
        cls.primary.stop()
        cls.scratch.remove()
        assert codes == [0], codes

    @classmethod
    def register(cls, n):
        """n new beneficiaries of base 1, on the primary."""
        cls.primary.sql("INSERT INTO people (camp_id, created, deleted, gender, seq, family_id, bicyclebancomment,"
                        " workshopbancomment) VALUES " +
                        ", ".join("(1, UTC_TIMESTAMP(), 0, 'F', 1, 1, '', '')" for _ in range(n)))

    def catch_up(self):
        position = self.primary.scalar("SELECT @@gtid_binlog_pos")
        self.assertEqual(self.replica.scalar(f"SELECT MASTER_GTID_WAIT('{position}', 60)"), "0")

    @staticmethod
    def selects(db):
        value = db.scalar(f"SELECT SELECT_COMMANDS FROM information_schema.USER_STATISTICS WHERE USER = '{USER}'")
        return int(value or 0)

    def ask(self, text):
        status, parsed, _ = harness.post(self.depot.url, {"query": text}, self.token)
        self.assertEqual(status, 200, parsed)
        self.assertNotIn("errors", parsed, parsed)
        return parsed

    def counted(self):
        return sum(f["count"] for f in self.ask(COUNT)["data"]["beneficiaryDemographics"]["facts"])

    def test_1_every_statement_runs_on_the_replica(self):
        self.catch_up()
        self.ask(QUERIES[0])     # the pool's connections are up
        primary, replica = self.selects(self.primary), self.selects(self.replica)
        statements = sum(self.ask(text)["extensions"]["debug"]["sqlStatements"] for text in QUERIES)
        self.assertGreaterEqual(statements, 8)
        self.assertEqual(self.selects(self.primary) - primary, 0)
        self.assertEqual(self.selects(self.replica) - replica, statements)

    def test_2_a_lagging_replica_is_read_as_it_is(self):
        self.catch_up()
        self.replica.sql("STOP SLAVE SQL_THREAD", db=None)
        try:
            self.register(2)
            on_primary = int(self.primary.scalar("SELECT COUNT(*) FROM people WHERE camp_id = 1"))
            on_replica = int(self.replica.scalar("SELECT COUNT(*) FROM people WHERE camp_id = 1"))
            self.assertEqual(on_primary, on_replica + 2)
            self.assertEqual(self.counted(), on_replica)
        finally:
            self.replica.sql("START SLAVE SQL_THREAD", db=None)
        self.catch_up()
        self.assertEqual(self.counted(), on_primary)


if __name__ == "__main__":
    unittest.main()
