"""Exactly once with Idempotency-Key (issue 14), end to end with createTag on a real MariaDB.

- The same key and request twice, one after the other: the second answer is the first's, and
  it writes nothing (no tag, no history row, MariaDB counts no INSERT, UPDATE or DELETE; the
  request's statements are BEGIN, one SELECT and COMMIT).
- The same key while the first request still runs (its field waits on a table the test has
  locked): 409, nothing changed; the first then answers, and a retry gets its answer. Eight
  clients sending one new key at once: each gets 409 or the one answer, and one tag exists.
- Sixteen clients at once, each with a new key of its own: their claims lock nothing in
  common, so none deadlocks or runs twice.
- A request under a key whose claim a crashed request left running: 409 until the claim's
  deadline has passed, then the fields it did not commit run.
- The same key with another request (another tag name): 422, nothing changed.
- Three aliased createTag whose second failed (its base did not exist yet): retried with the
  key once the base exists, the first and third answer from the store (no second tag of their
  names) and the second runs.
- A key on a query is ignored, whatever it holds; malformed keys on a mutation are 400.
- Rows older than 24 hours are purged by db-svc (a db-svc process of its own); younger ones
  stay.

Expected values come from SQL the test runs. Licensed under the Apache License 2.0.
"""
import json
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import resilience  # noqa: E402

CREATE = """mutation Create($input: TagCreationInput) {
  createTag(creationInput: $input) {
    __typename
    ... on Tag { id name color description type base { id } }
  }
}"""

THREE = """mutation Three($a: TagCreationInput, $b: TagCreationInput, $c: TagCreationInput) {
  first: createTag(creationInput: $a) { __typename ... on Tag { id name } }
  second: createTag(creationInput: $b) { __typename ... on Tag { id name } }
  third: createTag(creationInput: $c) { __typename ... on Tag { id name } }
}"""

WRITES = ["Com_insert", "Com_update", "Com_delete"]


def tag_input(name, base=1):
    return {"name": name, "color": "#aabbcc", "type": "Box", "baseId": base}


def answer(parsed):
    """What a client reads: data and errors (extensions.debug counts statements, which a
    replay takes fewer of)."""
    return {k: v for k, v in parsed.items() if k != "extensions"}


class Idempotency(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path, args=["--innodb-lock-wait-timeout=5"])
        harness.load_demo(cls.db, boxes=20)
        cls.keys = harness.Keys(cls.scratch.path)
        permissions = [f"base_1/{r}:read" for r in harness.RESOURCES] + [
            "base_1/tag:write", "base_99/tag:write"]
        cls.token = cls.keys.token(base_ids=(1, 99), permissions=permissions)
        cls.user_id = 8                         # the token's sub, auth0|8
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="one",
                                  extra_env=dict(harness.FIXED_POOL, DEPOT_DEADLINE_MS="10000"))

    @classmethod
    def tearDownClass(cls):
        codes = cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()
        assert codes == [0], codes

    def post(self, query, variables=None, key=None, headers=None):
        headers = dict(headers or {})
        if key is not None:
            headers["Idempotency-Key"] = key
        return harness.post(self.depot.url, {"query": query, "variables": variables or {}},
                            self.token, headers=headers, timeout=60)

    def tags_named(self, *names):
        listed = ",".join("'" + n + "'" for n in names)
        return self.db.sql(f"SELECT id, label, camp_id FROM tags WHERE label IN ({listed}) "
                           "ORDER BY id")

    def history_count(self):
        return int(self.db.scalar("SELECT COUNT(*) FROM history WHERE tablename = 'tags'"))

    def writes(self):
        return {n: self.db.status(n) for n in WRITES}

    def key_rows(self, key):
        return self.db.sql("SELECT field, result, errors, running_until_ms FROM depot_idempotency "
                           f"WHERE idem_key = '{key}' AND user_id = {self.user_id} ORDER BY field")

    def test_same_key_sequentially(self):
        status, first, _ = self.post(CREATE, {"input": tag_input("idem-seq")}, key="seq-1")
        self.assertEqual(status, 200, first)
        tags = self.tags_named("idem-seq")
        self.assertEqual(len(tags), 1, tags)
        tag_id = tags[0][0]
        self.assertEqual(first["data"]["createTag"]["id"], tag_id)
        # The claim (finished: running_until 0) and field 0's answer, as the client read it.
        rows = self.key_rows("seq-1")
        self.assertEqual([r[0] for r in rows], ["-1", "0"], rows)
        self.assertEqual(rows[0][3], "0")
        self.assertEqual(json.loads("{" + rows[1][1] + "}"), first["data"])
        self.assertIsNone(rows[1][2])
        history = self.history_count()
        before = self.writes()
        status, second, _ = self.post(CREATE, {"input": tag_input("idem-seq")}, key="seq-1")
        after = self.writes()
        self.assertEqual(status, 200, second)
        self.assertEqual(answer(second), answer(first))
        self.assertEqual(self.tags_named("idem-seq"), tags)
        self.assertEqual(self.history_count(), history)
        self.assertEqual({n: after[n] - before[n] for n in WRITES}, dict.fromkeys(WRITES, 0))
        # Read, not written: BEGIN, the key's rows FOR UPDATE, COMMIT.
        self.assertEqual(second["extensions"]["debug"]["sqlStatements"], 3)

    def test_same_key_while_running(self):
        """The first request's field waits on LOCK TABLES tags: its claim is committed and
        running, so the same key again is 409 and changes nothing."""
        locker = resilience.Locker(self.db, "tags")
        results = {}
        try:
            first = threading.Thread(target=lambda: results.update(
                first=self.post(CREATE, {"input": tag_input("idem-running")}, key="running-1")))
            first.start()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                rows = self.key_rows("running-1")
                if rows and int(rows[0][3]) > 0:
                    break
                time.sleep(0.05)
            else:
                self.fail("the first request never claimed its key")
            status, parsed, _ = self.post(CREATE, {"input": tag_input("idem-running")},
                                          key="running-1")
            self.assertEqual(status, 409, parsed)
            self.assertEqual(parsed["errors"][0]["extensions"]["code"], "IDEMPOTENCY_KEY_IN_USE")
            self.assertIn("still running", parsed["errors"][0]["message"])
            self.assertNotIn("data", parsed)
        finally:
            locker.release()
        first.join(30)
        status, first_answer, _ = results["first"]
        self.assertEqual(status, 200, first_answer)
        self.assertEqual(len(self.tags_named("idem-running")), 1)
        status, again, _ = self.post(CREATE, {"input": tag_input("idem-running")}, key="running-1")
        self.assertEqual(status, 200, again)
        self.assertEqual(answer(again), answer(first_answer))
        self.assertEqual(len(self.tags_named("idem-running")), 1)

    def test_distinct_keys_concurrently(self):
        """Sixteen clients at once, each with a new key of its own: their claims meet on no
        lock (a locking read of a key with no rows would lock the index gap every other new
        key goes into, and the claims deadlocked there), so none conflicts: MariaDB counts no
        deadlock, and each request takes as many statements as one alone."""
        status, alone, _ = self.post(CREATE, {"input": tag_input("idem-gap alone")}, key="gap-alone")
        self.assertEqual(status, 200, alone)
        barrier = threading.Barrier(16)
        outcomes = []

        def client(i):
            barrier.wait()
            outcomes.append(self.post(CREATE, {"input": tag_input(f"idem-gap {i}")}, key=f"gap-{i:02d}"))

        deadlocks = self.db.status("Innodb_deadlocks")
        threads = [threading.Thread(target=client, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(self.db.status("Innodb_deadlocks") - deadlocks, 0)
        self.assertEqual(sorted(status for status, _, _ in outcomes), [200] * 16, outcomes)
        self.assertEqual(len(self.tags_named(*[f"idem-gap {i}" for i in range(16)])), 16)
        statements = alone["extensions"]["debug"]["sqlStatements"]
        self.assertEqual([parsed["extensions"]["debug"]["sqlStatements"] for _, parsed, _ in outcomes],
                         [statements] * 16)

    def test_same_key_concurrently(self):
        """Eight clients, one new key, at once: one claims it; each other gets 409 or, once the
        first has answered, its answer. One tag exists."""
        barrier = threading.Barrier(8)
        outcomes = []

        def client():
            barrier.wait()
            outcomes.append(self.post(CREATE, {"input": tag_input("idem-race")}, key="race-1"))

        threads = [threading.Thread(target=client) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(len(outcomes), 8)
        tags = self.tags_named("idem-race")
        self.assertEqual(len(tags), 1, tags)
        ok = [answer(parsed) for status, parsed, _ in outcomes if status == 200]
        refused = [parsed for status, parsed, _ in outcomes if status == 409]
        self.assertEqual(len(ok) + len(refused), 8, outcomes)
        self.assertGreaterEqual(len(ok), 1)
        expected = {"data": {"createTag": {"__typename": "Tag", "id": tags[0][0], "name": "idem-race",
                                           "color": "#aabbcc", "description": "", "type": "Box",
                                           "base": {"id": "1"}}}}
        for got in ok:
            self.assertEqual(got, expected)
        for parsed in refused:
            self.assertEqual(parsed["errors"][0]["extensions"]["code"], "IDEMPOTENCY_KEY_IN_USE")

    def test_crashed_claim_frees_at_its_deadline(self):
        """A claim left running (as by a request whose resolver died before its field
        committed) refuses the key until its running_until_ms passes; then the field runs."""
        status, parsed, _ = self.post(CREATE, {"input": tag_input("idem-crash")}, key="crash-1")
        self.assertEqual(status, 200, parsed)
        # As if the field had not committed and the request were still within its deadline.
        self.db.sql("DELETE FROM tags WHERE label = 'idem-crash'")
        self.db.sql(f"DELETE FROM depot_idempotency WHERE idem_key = 'crash-1' AND field >= 0")
        self.db.sql("UPDATE depot_idempotency SET running_until_ms = "
                    "(UNIX_TIMESTAMP() + 60) * 1000 WHERE idem_key = 'crash-1'")
        status, parsed, _ = self.post(CREATE, {"input": tag_input("idem-crash")}, key="crash-1")
        self.assertEqual(status, 409, parsed)
        self.assertEqual(self.tags_named("idem-crash"), [])
        self.db.sql("UPDATE depot_idempotency SET running_until_ms = "
                    "(UNIX_TIMESTAMP() - 1) * 1000 WHERE idem_key = 'crash-1'")
        status, parsed, _ = self.post(CREATE, {"input": tag_input("idem-crash")}, key="crash-1")
        self.assertEqual(status, 200, parsed)
        tags = self.tags_named("idem-crash")
        self.assertEqual(len(tags), 1)
        self.assertEqual(parsed["data"]["createTag"]["id"], tags[0][0])

    def test_same_key_other_request(self):
        status, parsed, _ = self.post(CREATE, {"input": tag_input("idem-a")}, key="other-1")
        self.assertEqual(status, 200, parsed)
        stored = self.key_rows("other-1")
        before = self.writes()
        status, parsed, _ = self.post(CREATE, {"input": tag_input("idem-b")}, key="other-1")
        after = self.writes()
        self.assertEqual(status, 422, parsed)
        self.assertEqual(parsed["errors"][0]["extensions"]["code"], "IDEMPOTENCY_KEY_REUSED")
        self.assertIn("different request", parsed["errors"][0]["message"])
        self.assertEqual(self.tags_named("idem-b"), [])
        self.assertEqual(len(self.tags_named("idem-a")), 1)
        self.assertEqual(self.key_rows("other-1"), stored)
        self.assertEqual({n: after[n] - before[n] for n in WRITES}, dict.fromkeys(WRITES, 0))
        # Another user's key of the same name is another key.
        other = self.keys.token(sub="auth0|9", permissions=["base_1/tag:write"])
        status, parsed, _ = harness.post(self.depot.url, {"query": CREATE, "variables": {
            "input": tag_input("idem-b")}}, other, headers={"Idempotency-Key": "other-1"})
        self.assertEqual(status, 200, parsed)
        self.assertEqual(len(self.tags_named("idem-b")), 1)

    def test_three_fields_retried_after_the_second_failed(self):
        self.db.sql("DELETE FROM camps WHERE id = 99")
        variables = {"a": tag_input("idem-3a"), "b": tag_input("idem-3b", base=99),
                     "c": tag_input("idem-3c")}
        status, first, _ = self.post(THREE, variables, key="three-1")
        self.assertEqual(status, 200, first)
        self.assertIsNone(first["data"]["second"])
        self.assertEqual(first["errors"][0]["path"], ["second"])
        tags = self.tags_named("idem-3a", "idem-3b", "idem-3c")
        self.assertEqual([t[1] for t in tags], ["idem-3a", "idem-3c"], tags)
        self.assertEqual([r[0] for r in self.key_rows("three-1")], ["-1", "0", "2"])
        # The base the second field names comes into being; the client sends its request again.
        self.db.sql("CREATE TEMPORARY TABLE base_copy AS SELECT * FROM camps WHERE id = 1; "
                    "UPDATE base_copy SET id = 99, name = 'idem base'; "
                    "INSERT INTO camps SELECT * FROM base_copy")
        status, second, _ = self.post(THREE, variables, key="three-1")
        self.assertEqual(status, 200, second)
        self.assertNotIn("errors", second)
        tags = self.tags_named("idem-3a", "idem-3b", "idem-3c")
        self.assertEqual([(t[1], t[2]) for t in tags],
                         [("idem-3a", "1"), ("idem-3c", "1"), ("idem-3b", "99")], tags)
        ids = {t[1]: t[0] for t in tags}
        self.assertEqual(second["data"], {
            "first": {"__typename": "Tag", "id": ids["idem-3a"], "name": "idem-3a"},
            "second": {"__typename": "Tag", "id": ids["idem-3b"], "name": "idem-3b"},
            "third": {"__typename": "Tag", "id": ids["idem-3c"], "name": "idem-3c"}})
        self.assertNotIn("errors", second)
        self.assertEqual([r[0] for r in self.key_rows("three-1")], ["-1", "0", "1", "2"])
        # And a third time: all three from the store, nothing written.
        before = self.writes()
        status, third, _ = self.post(THREE, variables, key="three-1")
        after = self.writes()
        self.assertEqual(answer(third), answer(second))
        self.assertEqual({n: after[n] - before[n] for n in WRITES}, dict.fromkeys(WRITES, 0))

    def test_stored_errors_answered_again(self):
        """A committed field's errors are part of its stored answer: a nested field the user
        may not read (FORBIDDEN) is answered the same way from the store."""
        query = """mutation ($input: TagCreationInput) {
          createTag(creationInput: $input) { ... on Tag { id base { id organisation { id } } } } }"""
        status, first, _ = self.post(query, {"input": tag_input("idem-err")}, key="err-1")
        self.assertEqual(status, 200, first)
        status, second, _ = self.post(query, {"input": tag_input("idem-err")}, key="err-1")
        self.assertEqual(answer(second), answer(first))
        self.assertEqual(len(self.tags_named("idem-err")), 1)

    def test_key_on_query_ignored(self):
        query = "{ tags { id } }"
        for key in ["query-1", "query-1", "caf\u00e9", "x" * 300]:
            status, parsed, _ = harness.post(self.depot.url, {"query": query}, self.token,
                                             headers={"Idempotency-Key": key})
            self.assertEqual(status, 200, (key, parsed))
            self.assertNotIn("errors", parsed, key)
        self.assertEqual(self.key_rows("query-1"), [])

    def test_bad_keys_refused(self):
        count = int(self.db.scalar("SELECT COUNT(*) FROM depot_idempotency"))
        for key in ["", "x" * 256, "caf\u00e9", '"a"b"', '"\\x"', '"\\"', "a\x7fb", "a\x01b"]:
            status, parsed, _ = self.post(CREATE, {"input": tag_input("idem-bad")}, key=key)
            self.assertEqual(status, 400, (key, parsed))
            if key.isprintable():     # civetweb itself refuses control characters in a header
                self.assertIn("Idempotency-Key must be 1 to 255 printable ASCII characters",
                              parsed["errors"][0]["message"])
        self.assertEqual(self.tags_named("idem-bad"), [])
        self.assertEqual(int(self.db.scalar("SELECT COUNT(*) FROM depot_idempotency")), count)
        # The longest key, and the draft's quoted form, are keys.
        status, parsed, _ = self.post(CREATE, {"input": tag_input("idem-long")}, key="k" * 255)
        self.assertEqual(status, 200, parsed)
        status, parsed, _ = self.post(CREATE, {"input": tag_input("idem-quoted")},
                                      key='"quoted \\"key\\""')
        self.assertEqual(status, 200, parsed)
        self.assertEqual(len(self.key_rows('quoted "key"')), 2)

    def test_purge(self):
        self.db.sql("INSERT INTO depot_idempotency (idem_key, user_id, field, request_hash, "
                    "running_until_ms, created) VALUES "
                    "('purge-old', 8, -1, REPEAT('0', 64), 0, UTC_TIMESTAMP() - INTERVAL 25 HOUR), "
                    "('purge-old', 8, 0, REPEAT('0', 64), 0, UTC_TIMESTAMP() - INTERVAL 25 HOUR), "
                    "('purge-young', 8, -1, REPEAT('0', 64), 0, UTC_TIMESTAMP() - INTERVAL 23 HOUR)")
        # This class's Depot never purges (its statement counts stay the requests'); a second
        # one purges every 300 ms, as the default does every minute.
        purging = harness.Depot(self.db, self.keys, self.scratch.path, form="three",
                                extra_env={"DEPOT_IDEMPOTENCY_PURGE_MS": "300"})
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and self.key_rows("purge-old"):
                time.sleep(0.1)
            self.assertEqual(self.key_rows("purge-old"), [])
            self.assertEqual(len(self.key_rows("purge-young")), 1)
        finally:
            self.assertEqual(purging.stop(), [0, 0, 0])


if __name__ == "__main__":
    unittest.main()
