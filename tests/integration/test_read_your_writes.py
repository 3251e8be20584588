"""Read your own writes with a replica (issue 14): two private mariadbd with replication, as
replica.py starts them (a primary with a binary log, a read-only replica that follows it by
GTID), and Depot reading from the replica.

A mutation's answer carries X-Depot-Gtid, the primary's GTID position after its COMMIT; a read
sent with X-Depot-Min-Gtid sees that write whichever server answers it:
1. the header is the primary's @@gtid_binlog_pos after the createTag (from SQL), and a query's
   answer has none;
2. with the replica's SQL thread stopped, a `tags` read without the header misses the new tag
   (served by the lagging replica: shown, so the test can fail), and with it sees the tag,
   answered from the primary after the bounded MASTER_GTID_WAIT on the replica (each server's
   statements counted: Depot's user's SELECT_COMMANDS in USER_STATISTICS, and Com_select);
3. once the replica caught up, the same read is answered by the replica alone (the wait, then
   the reads), and the next one skips the wait (db-svc knows the replica reached it);
4. a malformed position is refused 400 and runs no statement anywhere;
5. with the replica down, the read goes to the primary and sees the tag.
Expected tags come from SQL on the primary. Licensed under the Apache License 2.0.
"""
import os
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import replica  # noqa: E402

WAIT_MS = 300                   # DEPOT_REPLICA_WAIT_MS: long enough to see, short for the test

CREATE = """mutation($input: TagCreationInput) {
  createTag(creationInput: $input) { __typename ... on Tag { id name } } }"""
TAGS = "query { tags { id name } }"


class ReadYourWrites(replica.ReplicaTestCase):

    DEPOT_ENV = {"DEPOT_REPLICA_WAIT_MS": str(WAIT_MS)}

    @classmethod
    def load(cls):
        harness.load_demo(cls.primary, boxes=50)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        permissions = [f"base_1/{r}:read" for r in harness.RESOURCES] + ["base_1/tag:write"]
        cls.token = cls.keys.token(permissions=permissions)

    # -- helpers --------------------------------------------------------------------------------

    def create_tag(self):
        name = f"ryw-{uuid.uuid4().hex[:12]}"
        status, parsed, headers = harness.post(self.depot.url, {"query": CREATE, "variables": {
            "input": {"name": name, "color": "#aabbcc", "type": "Box", "baseId": 1}}}, self.token)
        self.assertEqual(status, 200, parsed)
        self.assertEqual(parsed["data"]["createTag"]["__typename"], "Tag", parsed)
        return name, parsed["data"]["createTag"]["id"], headers.get("X-Depot-Gtid")

    def read_tags(self, gtid=None):
        """The tags read through Depot: (names, statements, response headers)."""
        headers = {"X-Depot-Min-Gtid": gtid} if gtid is not None else None
        status, parsed, response_headers = harness.post(self.depot.url, {"query": TAGS}, self.token,
                                                        headers=headers)
        self.assertEqual(status, 200, parsed)
        self.assertNotIn("errors", parsed)
        return ({t["name"] for t in parsed["data"]["tags"]}, parsed["extensions"]["debug"]["sqlStatements"],
                response_headers)

    def primary_tags(self):
        return {name for (name,) in self.primary.sql(
            "SELECT label FROM tags WHERE camp_id = 1 AND (deleted IS NULL OR deleted = 0)")}

    # -- tests (in name order: the replica is stopped in the last) ------------------------------

    def test_1_mutation_answers_the_primarys_position(self):
        self.servers.catch_up()
        self.servers.wait_replica_connections(self.POOL)
        _, _, gtid = self.create_tag()
        self.assertIsNotNone(gtid, "no X-Depot-Gtid on the mutation's answer")
        self.assertEqual(gtid, self.primary.scalar("SELECT @@gtid_binlog_pos"))
        _, _, headers = self.read_tags()
        self.assertNotIn("X-Depot-Gtid", headers)
        self.servers.catch_up()

    def test_2_lagging_replica_read_with_the_position_sees_the_write(self):
        self.servers.catch_up()
        self.servers.wait_replica_connections(self.POOL)
        with self.servers.lagging():
            name, _, gtid = self.create_tag()
            expected = self.primary_tags()
            self.assertIn(name, expected)

            # Without the position: the lagging replica answers, without the new tag.
            primary_before, replica_before = self.servers.selects_each()
            names, statements, _ = self.read_tags()
            self.assertNotIn(name, names)
            self.assertEqual(names, expected - {name})
            self.assertEqual(self.servers.selects(self.replica) - replica_before, statements)
            self.assertEqual(self.servers.selects(self.primary) - primary_before, 0)

            # With it: one bounded wait on the replica (it times out), then the primary.
            primary_before, replica_before = self.servers.selects_each()
            com_before = self.primary.status("Com_select")
            started = time.monotonic()
            names, statements, _ = self.read_tags(gtid)
            took = time.monotonic() - started
            self.assertEqual(names, expected)
            self.assertEqual(self.servers.selects(self.replica) - replica_before, 1)       # MASTER_GTID_WAIT
            self.assertEqual(self.servers.selects(self.primary) - primary_before, statements - 1)
            # Com_select also counts the test's one USER_STATISTICS query.
            self.assertEqual(self.primary.status("Com_select") - com_before, statements - 1 + 1)
            print(f"\n  lagging replica: read with the position {took * 1000:.0f} ms "
                  f"(wait {WAIT_MS} ms, then the primary)", flush=True)

        # Caught up: the replica answers it all (the wait returns 0 at once), the primary nothing.
        self.servers.catch_up()
        primary_before, replica_before = self.servers.selects_each()
        names, with_wait, _ = self.read_tags(gtid)
        self.assertEqual(names, expected)
        self.assertEqual(self.servers.selects(self.replica) - replica_before, with_wait)
        self.assertEqual(self.servers.selects(self.primary) - primary_before, 0)
        # db-svc now knows the replica reached the position: no wait the next time.
        replica_before = self.servers.selects(self.replica)
        names, known, _ = self.read_tags(gtid)
        self.assertEqual(names, expected)
        self.assertEqual(known, with_wait - 1)
        self.assertEqual(self.servers.selects(self.replica) - replica_before, known)
        self.assertEqual(self.servers.selects(self.primary) - primary_before, 0)

    def test_3_malformed_position_refused(self):
        self.servers.catch_up()
        primary_before, replica_before = self.servers.selects_each()
        for bad in ("0-1-x", "0-1-2' OR '1'='1", "0-1", "1-1-1,1-1-2", "-1-1-1",
                    "0-1-" + "9" * 30):
            status, parsed, _ = harness.post(self.depot.url, {"query": TAGS}, self.token,
                                             headers={"X-Depot-Min-Gtid": bad})
            self.assertEqual(status, 400, (bad, parsed))
            self.assertIn("X-Depot-Min-Gtid must be a GTID position", parsed["errors"][0]["message"])
        self.assertEqual(self.servers.selects(self.primary), primary_before)
        self.assertEqual(self.servers.selects(self.replica), replica_before)

    def test_4_replica_down_reads_the_primary(self):
        self.servers.catch_up()
        self.servers.wait_replica_connections(self.POOL)
        name, _, gtid = self.create_tag()
        self.replica.stop()
        try:
            started = time.monotonic()
            while True:
                status, parsed, _ = harness.post(self.depot.url, {"query": TAGS}, self.token,
                                                 headers={"X-Depot-Min-Gtid": gtid})
                if status == 200 and "errors" not in parsed:
                    break
                self.assertLess(time.monotonic() - started, 10, parsed)
                time.sleep(0.05)
            self.assertIn(name, {t["name"] for t in parsed["data"]["tags"]})
            primary_before = self.servers.selects(self.primary)
            names, statements, _ = self.read_tags(gtid)
            self.assertEqual(names, self.primary_tags())
            self.assertEqual(self.servers.selects(self.primary) - primary_before, statements)
        finally:
            self.replica.start()


if __name__ == "__main__":
    unittest.main(verbosity=2)
