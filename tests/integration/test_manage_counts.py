"""ManageBoxes' totalCount kept between requests while the change feed vouches for it
(db-svc/dp_db_counts.h): Depot as three processes with feed-svc, on MariaDB with its binary log.

Every count Depot answers is compared with a COUNT(*) written here, right after writes by plain
SQL and by a mutation, with no wait for the feed. MariaDB's general log (a table) shows when
Depot runs its COUNT: not again for the same base and filter while nothing changed and the feed
is up; again after a write, and on every request while feed-svc is down.
Licensed under the Apache License 2.0.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

QUERY = harness.read_query("manage_boxes.graphql")
FILTERS = [None, {"states": ["InStock"]}, {"states": ["Donated"]}, {"states": ["Scrap"]}]
STATE_IDS = {"InStock": 1, "Donated": 5, "Scrap": 6}
DELETE_BOXES = """mutation ($labels: [String!]!) { deleteBoxes(labelIdentifiers: $labels) {
  __typename ... on BoxesResult { invalidBoxLabelIdentifiers } } }"""
COUNT_TEXT = "SELECT COUNT(*) FROM stock WHERE%"


class ManageCountsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db, boxes=400)
        cls.keys = harness.Keys(cls.scratch.path)
        cls.token = cls.keys.token()
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="three", feed=True)
        cls.db.sql("SET GLOBAL log_output = 'TABLE'")

    @classmethod
    def tearDownClass(cls):
        cls.db.sql("SET GLOBAL general_log = 0")
        codes = cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()
        assert all(c == 0 for c in codes), codes

    def total(self, filter_input=None, first=50):
        variables = {"baseId": "1", "paginationInput": first}
        if filter_input:
            variables["filterInput"] = filter_input
        status, body, _ = harness.post(self.depot.url, {"query": QUERY, "variables": variables},
                                       self.token)
        self.assertEqual(status, 200, body)
        self.assertNotIn("errors", body)
        return body["data"]["boxes"]["totalCount"]

    def sql_count(self, filter_input=None):
        where = ""
        if filter_input:
            where = " AND s.box_state_id IN (%s)" % ",".join(
                str(STATE_IDS[s]) for s in filter_input["states"])
        return int(self.db.scalar(
            "SELECT COUNT(*) FROM stock s JOIN locations l ON l.id = s.location_id "
            f"WHERE l.camp_id = 1 AND (s.deleted IS NULL OR s.deleted = 0){where}"))

    def counts_run(self, action):
        """How many of Depot's boxes COUNTs MariaDB ran during action()."""
        return self.db.logged(f"argument LIKE '%{COUNT_TEXT}'", action)

    def settle(self):
        """Until the feed vouches again for what was written (its status comes once a second)."""
        self.assertTrue(self.db.kept(f"argument LIKE '%{COUNT_TEXT}'", self.total), "the counts were never kept")

    def box_labels(self, state_id, n):
        return [r[0] for r in self.db.sql(
            "SELECT s.box_id FROM stock s JOIN locations l ON l.id = s.location_id "
            f"WHERE l.camp_id = 1 AND (s.deleted IS NULL OR s.deleted = 0) AND s.box_state_id = {state_id}"
            f" ORDER BY s.id LIMIT {n}")]

    def test_1_kept_while_nothing_changes(self):
        """The same base and filter, any page size: one COUNT, then none while nothing
        changes; every answer equals SQL's count."""
        self.settle()
        for flt in FILTERS:
            self.total(flt)
        def pages():
            for first in (41, 50, 60):
                for flt in FILTERS:
                    self.assertEqual(self.total(flt, first), self.sql_count(flt))
        self.assertEqual(self.counts_run(pages), 0)

    def test_2_plain_sql_writes(self):
        """Writes by plain SQL (a delete, a state change, an undelete), each read at once:
        the count equals SQL's after every one."""
        self.settle()
        label = self.box_labels(1, 1)[0]
        writes = [f"UPDATE stock SET deleted = NOW() WHERE box_id = '{label}'",
                  f"UPDATE stock SET deleted = NULL, box_state_id = 6 WHERE box_id = '{label}'",
                  f"UPDATE stock SET box_state_id = 5 WHERE box_id = '{label}'",
                  f"UPDATE stock SET box_state_id = 1 WHERE box_id = '{label}'"]
        for write in writes:
            for flt in FILTERS:
                self.total(flt)                 # kept before the write
            self.db.sql(write)
            for flt in FILTERS:
                self.assertEqual(self.total(flt), self.sql_count(flt), (write, flt))

    def test_3_mutation(self):
        """deleteBoxes through Depot, read at once: the counts follow."""
        self.settle()
        labels = self.box_labels(1, 2)
        before = self.total({"states": ["InStock"]})
        status, body, _ = harness.post(self.depot.url, {"query": DELETE_BOXES,
                                                        "variables": {"labels": labels}}, self.token)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["data"]["deleteBoxes"]["invalidBoxLabelIdentifiers"], [])
        after = self.total({"states": ["InStock"]})
        self.assertEqual(after, self.sql_count({"states": ["InStock"]}))
        self.assertEqual(after, before - 2)
        self.assertEqual(self.total(), self.sql_count())

    def test_4_feed_down_recounts(self):
        """With feed-svc killed every request counts again, and a write by SQL is counted;
        once it is back the counts are kept again."""
        self.settle()
        self.depot.kill("feed-svc")
        try:
            time.sleep(3.5)                     # past DP_DB_COUNTS_SILENCE_MS
            self.assertEqual(self.counts_run(lambda: [self.total() for _ in range(3)]), 3)
            label = self.box_labels(1, 1)[0]
            self.db.sql(f"UPDATE stock SET deleted = NOW() WHERE box_id = '{label}'")
            self.assertEqual(self.total(), self.sql_count())
            self.assertEqual(self.total({"states": ["InStock"]}), self.sql_count({"states": ["InStock"]}))
        finally:
            self.depot.restart("feed-svc")
        self.settle()
        self.assertEqual(self.total(), self.sql_count())


if __name__ == "__main__":
    unittest.main()
