"""Deadlines end to end (issue 5): a request whose SQL outlives its deadline is answered 504
with a JSON timeout error at its deadline, and its statements are cancelled on the server
(the process list shows none of them afterwards, while the lock that held them is still
there): by the max_statement_time db-svc sets from the request's remaining budget, or, with
that off (DEPOT_DB_STATEMENT_TIMEOUT=0, as for a server without SET STATEMENT), by db-svc's
KILL QUERY from its control connection (MariaDB's Com_kill counts it). While the statements
wait, requests on other tables are served; afterwards everything is served again.

The slow SQL is made with a test-only trick: LOCK TABLES stock WRITE from the test's own
MariaDB session. Licensed under the Apache License 2.0.
"""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import resilience  # noqa: E402

DEADLINE_MS = 1500


class Deadlines(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db, boxes=300)
        cls.keys = harness.Keys(cls.scratch.path)
        cls.token = cls.keys.token()

    @classmethod
    def tearDownClass(cls):
        cls.db.stop()
        cls.scratch.remove()

    def post(self, depot, body):
        started = time.monotonic()
        status, parsed, headers = harness.post(depot.url, json.loads(body), self.token, timeout=30)
        return status, parsed, time.monotonic() - started

    def check(self, name, extra_env, by_kill):
        folder = os.path.join(self.scratch.path, name)
        os.makedirs(folder)
        env = {"DEPOT_DEADLINE_MS": str(DEADLINE_MS)}
        env.update(extra_env)
        depot = harness.Depot(self.db, self.keys, folder, form="one", extra_env=env)
        try:
            body = resilience.manage_boxes(20)
            status, parsed, _ = self.post(depot, body)
            self.assertEqual(status, 200, parsed)
            kills = self.db.status("Com_kill")
            locker = resilience.Locker(self.db, "stock")
            try:
                status, parsed, elapsed = self.post(depot, body)
                self.assertEqual(status, 504, parsed)
                self.assertIn("deadline", parsed["errors"][0]["message"])
                self.assertGreaterEqual(elapsed, DEADLINE_MS / 1000 - 0.05)
                self.assertLess(elapsed, DEADLINE_MS / 1000 + 1.0)
                # Cancelled on the server, though the lock still holds.
                waited = 0.0
                running = resilience.running_statements(self.db, locker.id)
                while running and waited < 1.0:
                    time.sleep(0.05)
                    waited += 0.05
                    running = resilience.running_statements(self.db, locker.id)
                self.assertEqual(running, [], "statements still running after their deadline")
                if by_kill:
                    self.assertGreater(self.db.status("Com_kill"), kills)
                # Other tables are served meanwhile: the blocked request never held
                # anything but its own connections.
                status, parsed, quick = self.post(depot, json.dumps(
                    {"query": "{ bases { id name } }"}).encode())
                self.assertEqual(status, 200, parsed)
                self.assertNotIn("errors", parsed)
                self.assertLess(quick, 1.0)
                print(f"\n  {name}: 504 after {elapsed * 1000:.0f} ms (deadline {DEADLINE_MS} ms), "
                      f"statements gone from the server {waited * 1000:.0f} ms later, "
                      f"KILL QUERY sent: {self.db.status('Com_kill') - kills}, "
                      f"another query meanwhile in {quick * 1000:.0f} ms", flush=True)
            finally:
                locker.release()
            status, parsed, _ = self.post(depot, body)
            self.assertEqual(status, 200, parsed)
            self.assertNotIn("errors", parsed)
        finally:
            codes = depot.stop()
        self.assertEqual(codes, [0])

    def test_statement_time_from_deadline(self):
        """max_statement_time (the default) stops the statement at the deadline."""
        self.check("max_statement_time", {}, by_kill=False)

    def test_kill_query(self):
        """Without max_statement_time only db-svc's KILL QUERY can stop it."""
        self.check("kill_query", {"DEPOT_DB_STATEMENT_TIMEOUT": "0"}, by_kill=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
