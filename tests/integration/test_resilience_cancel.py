"""Abandoned requests (issue 5, item 1) are cancelled on the server.

- A client may ask for a deadline shorter than the gateway's with the X-Request-Timeout-Ms
  header: a request whose SQL outlives it is answered 504 with a JSON timeout error after
  about the asked time, not the gateway's DEPOT_DEADLINE_MS, and its statement is gone from
  the server afterwards; a longer one is capped to the gateway's; a malformed one is 400.
- A client that closes its connection while its request's SQL runs has that SQL cancelled:
  the gateway notices, sends CANCEL to the resolver, which sends CANCEL to db-svc, which
  KILLs the statement (MariaDB's Com_kill counts it) seconds before its deadline would have
  stopped it; Depot serves on. Both in the one-process form and across three processes.

The slow SQL is made as in test_resilience_deadline.py: LOCK TABLES stock WRITE from the
test's own MariaDB session, so Depot's statements on stock wait until the test lets them go
or they are cancelled. Licensed under the Apache License 2.0.
"""
import http.client
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import resilience  # noqa: E402

DEADLINE_MS = 5000              # the gateway's; every client deadline below is shorter
ASKED_MS = 800


class Cancel(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db, boxes=300)
        cls.keys = harness.Keys(cls.scratch.path)
        cls.token = cls.keys.token()
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="one",
                                  extra_env={"DEPOT_DEADLINE_MS": str(DEADLINE_MS)})
        cls.body = resilience.manage_boxes(20)

    @classmethod
    def tearDownClass(cls):
        codes = cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()
        assert codes == [0], codes

    def post(self, body, headers=None, depot=None):
        started = time.monotonic()
        status, parsed, _ = harness.post((depot or self.depot).url, json.loads(body), self.token,
                                         headers=headers, timeout=30)
        return status, parsed, time.monotonic() - started

    def wait_no_statements(self, locker, seconds):
        """Seconds until no statement of Depot's runs on the server (the locker's session
        excluded), or None when some still run after `seconds`."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if resilience.running_statements(self.db, locker.id) == []:
                return time.monotonic() - started
            time.sleep(0.05)
        return None

    def served(self, depot=None):
        """Depot still serves: the same request succeeds with data."""
        status, parsed, _ = self.post(self.body, depot=depot)
        self.assertEqual(status, 200, parsed)
        self.assertNotIn("errors", parsed)

    def test_client_deadline(self):
        """X-Request-Timeout-Ms: 504 after the asked time, the statement gone."""
        self.served()
        locker = resilience.Locker(self.db, "stock")
        try:
            status, parsed, elapsed = self.post(self.body, {"X-Request-Timeout-Ms": str(ASKED_MS)})
            self.assertEqual(status, 504, parsed)
            self.assertIn("deadline", parsed["errors"][0]["message"])
            self.assertGreaterEqual(elapsed, ASKED_MS / 1000 - 0.05)
            self.assertLess(elapsed, ASKED_MS / 1000 + 1.0)
            gone = self.wait_no_statements(locker, 1.5)
            self.assertIsNotNone(gone, "statements still running after the client's deadline")
            print(f"\n  asked {ASKED_MS} ms (gateway {DEADLINE_MS} ms): 504 after "
                  f"{elapsed * 1000:.0f} ms, statements gone {gone * 1000:.0f} ms later", flush=True)
        finally:
            locker.release()
        self.served()

    def test_client_deadline_capped(self):
        """A deadline longer than the gateway's is the gateway's."""
        locker = resilience.Locker(self.db, "stock")
        try:
            status, parsed, elapsed = self.post(self.body, {"X-Request-Timeout-Ms": "600000"})
            self.assertEqual(status, 504, parsed)
            self.assertGreaterEqual(elapsed, DEADLINE_MS / 1000 - 0.05)
            self.assertLess(elapsed, DEADLINE_MS / 1000 + 1.0)
        finally:
            locker.release()
        self.served()

    def test_client_deadline_malformed(self):
        """A malformed X-Request-Timeout-Ms is a 400 with a JSON error naming the header."""
        for value in ["0", "-1", "1.5", "500ms", "soon", ""]:
            status, parsed, _ = self.post(self.body, {"X-Request-Timeout-Ms": value})
            self.assertEqual(status, 400, (value, parsed))
            self.assertIn("X-Request-Timeout-Ms", parsed["errors"][0]["message"], value)

    def test_client_gone(self):
        """The client goes away 0.5 s into its request: the statement is KILLed at once."""
        self.client_gone(self.depot)

    def test_client_gone_three_processes(self):
        """The same across processes: gateway, resolver-svc and db-svc over tcp://."""
        folder = os.path.join(self.scratch.path, "three")
        os.makedirs(folder)
        depot = harness.Depot(self.db, self.keys, folder, form="three",
                              extra_env={"DEPOT_DEADLINE_MS": str(DEADLINE_MS)})
        try:
            self.client_gone(depot)
        finally:
            codes = depot.stop()
        self.assertEqual(codes, [0, 0, 0])

    def client_gone(self, depot):
        self.served(depot)
        kills = self.db.status("Com_kill")
        locker = resilience.Locker(self.db, "stock")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", depot.port, timeout=10)
            started = time.monotonic()
            conn.request("POST", "/graphql", self.body,
                         {"Content-Type": "application/json",
                          "Authorization": f"Bearer {self.token}"})
            time.sleep(0.5)
            self.assertNotEqual(resilience.running_statements(self.db, locker.id), [],
                                "the request's statement should be waiting on the lock")
            conn.close()
            closed = time.monotonic() - started
            gone = self.wait_no_statements(locker, 2.0)
            self.assertIsNotNone(gone, "statements still running after the client went away")
            # Stopped by the KILL, well before the deadline's max_statement_time.
            self.assertLess(closed + gone, DEADLINE_MS / 1000 - 1.0)
            self.assertGreater(self.db.status("Com_kill"), kills)
            print(f"\n  client closed after {closed * 1000:.0f} ms: statements gone "
                  f"{gone * 1000:.0f} ms later (deadline {DEADLINE_MS} ms), KILL QUERY sent: "
                  f"{self.db.status('Com_kill') - kills}", flush=True)
        finally:
            locker.release()
        for _ in range(3):
            self.served(depot)


if __name__ == "__main__":
    unittest.main(verbosity=2)
