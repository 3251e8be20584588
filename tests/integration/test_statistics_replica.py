"""Beneficiary statistics read from the replica (issue 17): two private mariadbd with replication,
as replica.py starts them, and Depot configured with both.

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
import replica  # noqa: E402
from statistics_cases import Callers  # noqa: E402

QUERIES = [
    "query { beneficiaryDemographics(baseId: 1) { facts { count gender } dimensions { tag { id } } } }",
    "query { beneficiaryReach(baseId: 1) { facts { count } dimensions { beneficiary { id } tag { id } } } }",
    "query { beneficiaryFigures(baseId: 1) { averageFamilySize newRegistrationsLast30Days } }",
    "query { metrics { numberOfFamiliesServed numberOfSales } }",
]
COUNT = "query { beneficiaryDemographics(baseId: 1) { facts { count } } }"


class StatisticsOnTheReplica(Callers, replica.ReplicaTestCase):

    DEPOT_ENV = {"DEPOT_IDEMPOTENCY_PURGE_MS": "0"}

    @classmethod
    def load(cls):
        harness.load_demo(cls.primary, boxes=50)
        cls.register(3)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.coordinator_token()

    @classmethod
    def register(cls, n):
        """n new beneficiaries of base 1, on the primary."""
        cls.primary.sql("INSERT INTO people (camp_id, created, deleted, gender, seq, family_id, bicyclebancomment,"
                        " workshopbancomment) VALUES " +
                        ", ".join("(1, UTC_TIMESTAMP(), 0, 'F', 1, 1, '', '')" for _ in range(n)))

    def counted(self):
        return sum(f["count"] for f in self.ask_ok(COUNT)["data"]["beneficiaryDemographics"]["facts"])

    def test_1_every_statement_runs_on_the_replica(self):
        self.servers.catch_up()
        self.ask_ok(QUERIES[0])     # the pool's connections are up
        primary, replica = self.servers.selects_each()
        statements = sum(self.ask_ok(text)["extensions"]["debug"]["sqlStatements"] for text in QUERIES)
        self.assertGreaterEqual(statements, 8)
        self.assertEqual(self.servers.selects(self.primary) - primary, 0)
        self.assertEqual(self.servers.selects(self.replica) - replica, statements)

    def test_2_a_lagging_replica_is_read_as_it_is(self):
        self.servers.catch_up()
        with self.servers.lagging():
            self.register(2)
            on_primary = int(self.primary.scalar("SELECT COUNT(*) FROM people WHERE camp_id = 1"))
            on_replica = int(self.replica.scalar("SELECT COUNT(*) FROM people WHERE camp_id = 1"))
            self.assertEqual(on_primary, on_replica + 2)
            self.assertEqual(self.counted(), on_replica)
        self.servers.catch_up()
        self.assertEqual(self.counted(), on_primary)


if __name__ == "__main__":
    unittest.main()
