"""The public endpoint reads the replica (issue 17): a primary with a binary log and a read-only
replica following it by GTID (as replica.py starts them), Depot configured with both.

1. With the replica caught up, every statement of resolveLink (with its createdBoxes data),
   standardProducts and the three totals runs on the replica and none on the primary (Depot's
   user's SELECT_COMMANDS in USER_STATISTICS on each server), as many as the request counts.
2. With the replica's SQL thread stopped, a link and a beneficiary's 'Record created' history row
   written on the primary are there (SQL) but not in the answers: the lagging replica answers,
   as boxtribute's statistics read its replica; once it caught up, the answers have them.
Licensed under the Apache License 2.0.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import replica  # noqa: E402
from statistics_cases import Callers  # noqa: E402

CODE, LATE_CODE = "d" * 64, "e" * 64
DAY = "2031-02-03"              # a day of the test's own rows only
LINK = """query($code: String!) { resolveLink(code: $code) { __typename ... on ResolvedLink { baseName
          data { __typename ... on CreatedBoxesData { facts { createdOn boxesCount } } } } } }"""
DOCUMENTS = {
    "resolveLink": (LINK, {"code": CODE}),
    "standardProducts": ("{ standardProducts { id name categoryName } }", {}),
    "totals": ("""{ newlyCreatedBoxNumbers(start: "2000-01-01")
                    newlyRegisteredBeneficiaryNumbers(start: "2000-01-01")
                    reachedBeneficiariesNumbers(start: "2000-01-01") }""", {}),
}
REGISTERED_ON_DAY = f'{{ newlyRegisteredBeneficiaryNumbers(start: "{DAY}", duration: 1) }}'


class PublicReplica(Callers, replica.ReplicaTestCase):

    DEPOT_ENV = {"DEPOT_IDEMPOTENCY_PURGE_MS": "0"}

    @classmethod
    def load(cls):
        harness.load_demo(cls.primary, boxes=200)
        cls.primary.sql(cls.link_sql(CODE))

    @staticmethod
    def link_sql(code):
        return ("INSERT INTO shareable_link (code, valid_until, view, base_id, url_parameters, created_on)"
                f" VALUES ('{code}', UTC_TIMESTAMP() + INTERVAL 1 DAY, 'StatvizDashboard', 1, NULL,"
                " UTC_TIMESTAMP())")

    def ask_public(self, query, variables=None):
        return self.ask_ok(query, variables, public=True)

    def test_1_every_public_statement_reads_the_replica(self):
        self.servers.catch_up()
        self.servers.wait_replica_connections(self.POOL)
        for name, (query, variables) in DOCUMENTS.items():
            with self.subTest(document=name):
                primary_before, replica_before = self.servers.selects_each()
                body = self.ask_public(query, variables)
                statements = body["extensions"]["debug"]["sqlStatements"]
                self.assertGreaterEqual(statements, 1)
                self.assertEqual(self.servers.selects(self.replica) - replica_before, statements)
                self.assertEqual(self.servers.selects(self.primary) - primary_before, 0)
        link = self.ask_public(LINK, {"code": CODE})["data"]["resolveLink"]
        self.assertEqual(link["__typename"], "ResolvedLink")
        self.assertTrue([c for c in link["data"] if c["__typename"] == "CreatedBoxesData"][0]["facts"],
                        "base 1 of the demo data has no created boxes: the check proves nothing")

    def test_2_a_lagging_replica_answers_as_it_is(self):
        self.servers.catch_up()
        self.servers.wait_replica_connections(self.POOL)
        with self.servers.lagging():
            self.primary.sql(self.link_sql(LATE_CODE) + ";"
                             " INSERT INTO history (tablename, record_id, changes, changedate)"
                             f" VALUES ('people', 987654, 'Record created', '{DAY} 10:00:00')")
            on_primary = self.primary.sql(
                f"SELECT (SELECT COUNT(*) FROM shareable_link WHERE code = '{LATE_CODE}'),"
                f" (SELECT COUNT(*) FROM history WHERE tablename = 'people' AND DATE(changedate) = '{DAY}')")[0]
            self.assertEqual(on_primary, ["1", "1"])
            self.assertEqual(self.ask_public(LINK, {"code": LATE_CODE})["data"]["resolveLink"]["__typename"],
                             "UnknownLinkError")
            self.assertEqual(self.ask_public(REGISTERED_ON_DAY)["data"], {"newlyRegisteredBeneficiaryNumbers": 0})
        self.servers.catch_up()
        self.assertEqual(self.ask_public(LINK, {"code": LATE_CODE})["data"]["resolveLink"]["__typename"], "ResolvedLink")
        self.assertEqual(self.ask_public(REGISTERED_ON_DAY)["data"], {"newlyRegisteredBeneficiaryNumbers": 1})


if __name__ == "__main__":
    unittest.main()
