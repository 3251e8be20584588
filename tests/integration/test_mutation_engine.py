"""The mutation executor (issue 13), end to end with createTag on a real MariaDB.

- Each root field of a mutation document is its own transaction, run one after another: three
  aliased createTag with the second refused (another base) give three outcomes, and the
  database holds exactly the rows of the first and the third (tags and their history rows).
- The payload is read inside the field's transaction, after its writes and before COMMIT
  (MariaDB's general log shows the order on the pinned connection).
- extensions.debug's statement count is the mutation's statements as MariaDB counts them.
- A conflict is retried: the test's own session and Depot's transaction deadlock (MariaDB
  picks Depot's as the victim); the field runs again and both transactions commit.
- A transaction interrupted while it waits on a lock the test holds (its deadline passes,
  its client goes away, its resolver is killed) leaves no row and no open transaction
  behind, and Depot serves on.
- The beta level: a document with a mutation above the caller's level is refused whole.

Expected values come from SQL the test runs. Licensed under the Apache License 2.0.
"""
import http.client
import json
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import resilience  # noqa: E402

CREATE = """mutation Create($input: TagCreationInput) {
  createTag(creationInput: $input) {
    __typename
    ... on Tag { id name color description type base { id } }
    ... on InsufficientPermissionError { name }
    ... on UnauthorizedForBaseError { id name organisationName }
    ... on InvalidColorError { invalidColor: color }
  }
}"""

THREE = """mutation Three($a: TagCreationInput, $b: TagCreationInput, $c: TagCreationInput) {
  first: createTag(creationInput: $a) { __typename ... on Tag { id name } }
  second: createTag(creationInput: $b) {
    __typename ... on UnauthorizedForBaseError { id name organisationName } }
  third: createTag(creationInput: $c) { __typename ... on Tag { id name } }
}"""


# InnoDB refreshes INFORMATION_SCHEMA.INNODB_TRX only after 100 ms without a reader: polled
# faster, it keeps showing a transaction long ended.
INNODB_TRX_POLL = 0.2

GRAPHQL_RESPONSE = "application/graphql-response+json, application/json;q=0.9"


def tag_input(name, base=1, color="#aabbcc", type_="Box", description=None):
    value = {"name": name, "color": color, "type": type_, "baseId": base}
    if description is not None:
        value["description"] = description
    return value


class MutationEngine(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        # Lock waits end after 2 s (MariaDB's 1205), so a forgotten lock cannot hang a test.
        cls.db = harness.MariaDB(cls.scratch.path, args=["--innodb-lock-wait-timeout=2"])
        harness.load_demo(cls.db, boxes=50)
        cls.keys = harness.Keys(cls.scratch.path)
        permissions = [f"base_1/{r}:read" for r in harness.RESOURCES] + ["base_1/tag:write"]
        cls.token = cls.keys.token(permissions=permissions)
        cls.user_id = 8                         # the token's sub, auth0|8
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="one",
                                  extra_env=dict(harness.FIXED_POOL, DEPOT_DEADLINE_MS="5000"))

    @classmethod
    def tearDownClass(cls):
        codes = cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()
        assert codes == [0], codes

    def post(self, query, variables=None, token=None, headers=None, depot=None, timeout=30):
        return harness.post((depot or self.depot).url, {"query": query, "variables": variables or {}},
                            token or self.token, headers=headers, timeout=timeout)

    def tag_rows(self, *names):
        listed = ",".join("'" + n + "'" for n in names)
        return self.db.sql(f"SELECT id, label, color, camp_id, created_by, description, type "
                           f"FROM tags WHERE label IN ({listed}) ORDER BY id")

    def history_rows(self, tag_id):
        return self.db.sql(f"SELECT changes, user_id, ip, from_int, to_int FROM history "
                           f"WHERE tablename = 'tags' AND record_id = {int(tag_id)} ORDER BY id")

    def open_transactions(self, exclude=0):
        return self.db.sql("SELECT trx_id, trx_mysql_thread_id, trx_state FROM "
                           f"information_schema.INNODB_TRX WHERE trx_mysql_thread_id <> {int(exclude)}")

    def wait_no_transactions(self, exclude, seconds):
        """Seconds until no transaction but the excluded session's is open, or None."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if self.open_transactions(exclude) == []:
                return time.monotonic() - started
            time.sleep(INNODB_TRX_POLL)
        return None

    def wait_transaction_open(self, exclude, seconds=5.0):
        """True once a transaction other than the excluded session's is open."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if self.open_transactions(exclude):
                return True
            time.sleep(INNODB_TRX_POLL)
        return False

    def served(self, depot=None, name=None):
        """Depot still writes: a createTag commits."""
        name = name or f"served-{time.monotonic_ns()}"
        status, parsed, _ = self.post(CREATE, {"input": tag_input(name)}, depot=depot)
        self.assertEqual(status, 200, parsed)
        self.assertEqual(parsed["data"]["createTag"]["__typename"], "Tag", parsed)
        self.assertEqual(len(self.tag_rows(name)), 1)

    # -- (a) three fields, three transactions --------------------------------------------------

    def test_three_fields_each_its_own_outcome(self):
        base2 = self.db.sql("SELECT c.id, c.name, o.label FROM camps c JOIN organisations o "
                            "ON o.id = c.organisation_id WHERE c.id <> 1 ORDER BY c.id LIMIT 1")[0]
        status, parsed, _ = self.post(THREE, {"a": tag_input("engine-a1"),
                                              "b": tag_input("engine-a2", base=int(base2[0])),
                                              "c": tag_input("engine-a3")})
        self.assertEqual(status, 200, parsed)
        self.assertNotIn("errors", parsed)
        rows = self.tag_rows("engine-a1", "engine-a2", "engine-a3")
        self.assertEqual([r[1] for r in rows], ["engine-a1", "engine-a3"])
        data = parsed["data"]
        self.assertEqual(data["first"], {"__typename": "Tag", "id": rows[0][0], "name": "engine-a1"})
        self.assertEqual(data["second"], {"__typename": "UnauthorizedForBaseError", "id": base2[0],
                                          "name": base2[1], "organisationName": base2[2]})
        self.assertEqual(data["third"], {"__typename": "Tag", "id": rows[1][0], "name": "engine-a3"})
        # Fields run in document order: the first's tag id is the smaller.
        self.assertLess(int(rows[0][0]), int(rows[1][0]))
        for row in rows:
            self.assertEqual(row[2:], ["#aabbcc", "1", str(self.user_id), "", "Stock"])
            self.assertEqual(self.history_rows(row[0]),
                             [["Record created", str(self.user_id), None, None, None]])

    # -- (b) the payload is read inside the transaction ----------------------------------------

    def test_payload_read_inside_the_transaction(self):
        self.db.sql("SET GLOBAL log_output = 'TABLE'")
        self.db.sql("TRUNCATE mysql.general_log")
        self.db.sql("SET GLOBAL general_log = 'ON'")
        try:
            status, parsed, _ = self.post(CREATE, {"input": tag_input("engine-b", description="read back",
                                                                      type_="All")})
        finally:
            self.db.sql("SET GLOBAL general_log = 'OFF'")
        self.assertEqual(status, 200, parsed)
        row = self.tag_rows("engine-b")[0]
        self.assertEqual(parsed["data"]["createTag"], {
            "__typename": "Tag", "id": row[0], "name": "engine-b", "color": row[2],
            "description": "read back", "type": "All", "base": {"id": row[3]}})
        # On the connection that inserted the tag: START TRANSACTION, the INSERT, then the
        # SELECT of the tag by its id (the payload), then COMMIT.
        log = self.db.sql("SELECT thread_id, LEFT(argument, 1000) FROM mysql.general_log "
                          "WHERE command_type = 'Query' ORDER BY event_time, thread_id")
        # db-svc prefixes each statement with its time bound, and writes with their strict
        # sql_mode: SET STATEMENT ... FOR, once or twice
        log = [(t, re.sub(r"^(SET STATEMENT .*? FOR )+", "", a).strip()) for t, a in log]
        inserting = [t for t, a in log if a.upper().startswith("INSERT INTO `TAGS`") and "engine-b" in a]
        self.assertEqual(len(inserting), 1, log)
        mine = [a.upper() for t, a in log if t == inserting[0]]
        begin = next(i for i, a in enumerate(mine) if a.startswith("START TRANSACTION") or a == "BEGIN")
        insert = next(i for i, a in enumerate(mine) if a.startswith("INSERT INTO") and "ENGINE-B" in a)
        commit = next(i for i, a in enumerate(mine) if a == "COMMIT" and i > insert)
        payload = [i for i, a in enumerate(mine) if a.startswith("SELECT") and "FROM TAGS" in a
                   and f"({row[0]})" in a and insert < i < commit]
        self.assertTrue(begin < insert < commit, mine)
        self.assertTrue(payload, mine)

    # -- (c) statements counted -----------------------------------------------------------------

    def test_statements_counted(self):
        names = ["Com_select", "Com_insert", "Com_update", "Com_delete", "Com_begin", "Com_commit",
                 "Com_rollback"]
        before = {n: self.db.status(n) for n in names}
        status, parsed, _ = self.post(CREATE, {"input": tag_input("engine-c")})
        after = {n: self.db.status(n) for n in names}
        self.assertEqual(status, 200, parsed)
        delta = {n: after[n] - before[n] for n in names}    # (SHOW STATUS is no Com_select)
        self.assertEqual(delta["Com_insert"], 2, delta)        # the tag, its history row
        self.assertEqual(delta["Com_begin"], 1, delta)
        self.assertEqual(delta["Com_commit"], 1, delta)
        self.assertEqual(delta["Com_rollback"], 0, delta)
        self.assertEqual(parsed["extensions"]["debug"]["sqlStatements"], sum(delta.values()),
                         (delta, parsed["extensions"]))

    # -- (d) a conflict retried -------------------------------------------------------------------

    def test_deadlock_retried(self):
        """The test's session (heavier: 200 history rows) holds cms_users row 8 FOR UPDATE;
        Depot's createTag inserts its tag (a shared lock on camps row 1, its foreign key),
        then waits on row 8 for its history row's foreign key; the test's session then
        updates camps row 1: a deadlock, of which MariaDB rolls back the lighter, Depot's.
        Depot runs the field again; it commits once the test's session has committed."""
        deadlocks = self.db.status("Innodb_deadlocks")
        script = ("SET innodb_lock_wait_timeout = 20; START TRANSACTION;\n"
                  "INSERT INTO history (tablename, record_id, changes) SELECT 'engine-d', seq, 'x' FROM "
                  "seq_1_to_200;\n"
                  f"SELECT id FROM cms_users WHERE id = {self.user_id} FOR UPDATE;\n"
                  "SELECT SLEEP(1.5);\n"
                  "UPDATE camps SET seq = seq WHERE id = 1;\n"
                  "SELECT SLEEP(1);\nCOMMIT;\n")
        session = subprocess.Popen(self.db.client() + ["--batch", "-N"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        session.stdin.write(script)
        session.stdin.close()
        time.sleep(0.5)
        status, parsed, _ = self.post(CREATE, {"input": tag_input("engine-d")})
        out = session.stdout.read()
        session.stdout.close()
        session.wait(30)
        self.assertEqual(session.returncode, 0, out)
        self.assertEqual(status, 200, parsed)
        self.assertNotIn("errors", parsed)
        self.assertEqual(parsed["data"]["createTag"]["__typename"], "Tag")
        self.assertEqual(self.db.status("Innodb_deadlocks") - deadlocks, 1)
        # The session was not the victim (it exited 0): Depot's field ran again.
        with open(os.path.join(self.scratch.path, "depot.log")) as f:
            self.assertIn("mutation createTag conflicted; attempt 2", f.read())
        # Both committed: Depot's tag once, with one history row; the session's 200 rows.
        rows = self.tag_rows("engine-d")
        self.assertEqual(len(rows), 1)
        self.assertEqual(len(self.history_rows(rows[0][0])), 1)
        self.assertEqual(self.db.scalar("SELECT COUNT(*) FROM history WHERE tablename = 'engine-d'"), "200")

    # -- (e), (f), (g) interrupted transactions -------------------------------------------------

    def test_deadline_mid_transaction(self):
        """X-Request-Timeout-Ms passes while the INSERT waits on the test's table lock: the
        field is null with a TIMEOUT error, no row, no transaction left open, the connection
        back in the pool."""
        locker = resilience.Locker(self.db, "tags")
        try:
            status, parsed, _ = self.post(CREATE, {"input": tag_input("engine-e")},
                                          headers={"X-Request-Timeout-Ms": "800"})
            # The field's own outcome (fields committed before it would keep theirs).
            self.assertEqual(status, 200, parsed)
            self.assertIsNone(parsed["data"]["createTag"])
            self.assertEqual(parsed["errors"][0]["extensions"]["code"], "TIMEOUT", parsed)
            self.assertIn("deadline; nothing was changed", parsed["errors"][0]["message"])
            gone = self.wait_no_transactions(locker.id, 2.0)
            self.assertIsNotNone(gone, self.open_transactions(locker.id))
        finally:
            locker.release()
        self.assertEqual(self.tag_rows("engine-e"), [])
        for i in range(10):                     # more than the pool: none is held pinned
            self.served(name=f"engine-e-after-{i}")

    def test_client_gone_mid_transaction(self):
        """The client closes its connection while the INSERT waits: rolled back."""
        locker = resilience.Locker(self.db, "tags")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.depot.port, timeout=10)
            conn.request("POST", "/graphql", json.dumps({"query": CREATE,
                                                         "variables": {"input": tag_input("engine-f")}}),
                         {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})
            self.assertTrue(self.wait_transaction_open(locker.id), "the mutation should be waiting")
            time.sleep(0.3)
            conn.close()
            gone = self.wait_no_transactions(locker.id, 1.5)
            self.assertIsNotNone(gone, self.open_transactions(locker.id))
        finally:
            locker.release()
        time.sleep(0.3)
        self.assertEqual(self.tag_rows("engine-f"), [])
        self.served()

    def test_resolver_killed_mid_transaction(self):
        """kill -9 of the resolver whose transaction waits on the lock: db-svc rolls it back
        when the resolver falls silent (3 s)."""
        folder = os.path.join(self.scratch.path, "three")
        os.makedirs(folder)
        cluster = resilience.Cluster(self.db, self.keys, folder, dbs=1, resolvers=1)
        try:
            locker = resilience.Locker(self.db, "tags")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=30)
                conn.request("POST", "/graphql",
                             json.dumps({"query": CREATE, "variables": {"input": tag_input("engine-g")}}),
                             {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})
                self.assertTrue(self.wait_transaction_open(locker.id), "the mutation should be waiting")
                time.sleep(0.3)
                cluster.kill("resolver0")
                killed = time.monotonic()
                gone = self.wait_no_transactions(locker.id, 6.0)
                self.assertIsNotNone(gone, self.open_transactions(locker.id))
                print(f"\n  resolver killed: its transaction rolled back {gone * 1000:.0f} ms later",
                      flush=True)
                self.assertLess(time.monotonic() - killed, 6.0)
                conn.close()
            finally:
                locker.release()
            time.sleep(0.3)
            self.assertEqual(self.tag_rows("engine-g"), [])
            cluster.start("resolver0")
            cluster.wait_ready(self.keys)
            self.served(depot=cluster)
        finally:
            cluster.stop()

    # -- beta level ---------------------------------------------------------------------------

    def test_beta_level(self):
        permissions = [f"base_1/{r}:read" for r in harness.RESOURCES] + ["base_1/tag:write"]
        low = self.keys.token(permissions=permissions, beta=4)
        # As the front-end asks (Apollo's Accept): 400, as boxtribute answers; a client that
        # accepts only application/json gets 200, as for any request error (README).
        for accept, expected in [(GRAPHQL_RESPONSE, 400), ("application/json", 200)]:
            status, parsed, _ = self.post(CREATE, {"input": tag_input("engine-beta")}, token=low,
                                          headers={"Accept": accept})
            self.assertEqual(status, expected, parsed)
            self.assertEqual(parsed, {"errors": [{"message": "Insufficient beta-level"}]})
        self.assertEqual(self.tag_rows("engine-beta"), [])
        allowed = self.keys.token(permissions=permissions, beta=5)
        status, parsed, _ = self.post(CREATE, {"input": tag_input("engine-beta")}, token=allowed)
        self.assertEqual(parsed["data"]["createTag"]["__typename"], "Tag", parsed)
        self.assertEqual(len(self.tag_rows("engine-beta")), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
