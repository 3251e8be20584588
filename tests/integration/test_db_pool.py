"""db-svc's pool follows latency and queueing (issue 12): MariaDB 10 ms away (bench/delay_proxy.c,
5 ms each way), Depot's three processes at their default pool settings (DEPOT_DB_POOL_MIN 2,
DEPOT_DB_POOL 32). Idle, db-svc keeps its minimum; under load the statements wait for a
connection while their round trip stays 10 ms, so the pool grows; once the load stops, the
connections left idle close and the pool is back at its minimum. The connections are counted
by MariaDB itself (information_schema.PROCESSLIST: the TCP connections through the proxy are
db-svc's; the test's own client uses the unix socket); /metrics' depot_db_pool_target must
agree. Every request answered during the test carries data. No timing is asserted: the
bounds only stop a broken pool from hanging the test.
Licensed under the Apache License 2.0.
"""
import os
import re
import subprocess
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import resilience  # noqa: E402

ONE_WAY_DELAY_MS = 5
CLIENTS = 32
POOL_MIN = 2                # Depot's default DEPOT_DB_POOL_MIN
GROWN = 3 * POOL_MIN        # "grew": at least three times the minimum
BOUND_S = 90                # generous: an ASan build on a shared 2-core machine


class AdaptivePool(unittest.TestCase):

    def setUp(self):
        self.scratch = harness.Scratch()
        self.db = harness.MariaDB(self.scratch.path, port=harness.free_port())
        harness.load_demo(self.db, boxes=600)
        self.keys = harness.Keys(self.scratch.path)
        self.token = self.keys.token()
        self.proxy_port = harness.free_port()
        self.proxy = subprocess.Popen([harness.binary("bench", "depot-delay-proxy"),
                                       str(self.proxy_port), str(self.db.port),
                                       str(ONE_WAY_DELAY_MS)], stdout=subprocess.PIPE, text=True)
        self.assertEqual(self.proxy.stdout.readline().strip(), "ready")
        self.depot = harness.Depot(self.db, self.keys, self.scratch.path, form="three", debug=False,
                                   extra_env={"MYSQL_HOST": "127.0.0.1",
                                              "MYSQL_PORT": str(self.proxy_port)})

    def tearDown(self):
        codes = self.depot.stop()
        self.proxy.terminate()
        self.proxy.wait(10)
        self.db.stop()
        self.scratch.remove()
        self.assertEqual(codes, [0, 0, 0])

    def pool_connections(self):
        """db-svc's statement connections as MariaDB sees them: its TCP connections (through
        the proxy) less the one that only sends KILL QUERY."""
        tcp = int(self.db.scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                                 "WHERE USER = 'root' AND HOST LIKE '%:%'"))
        return tcp - 1

    def pool_target(self):
        """depot_db_pool_target in /metrics, or None before db-svc's first report."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.depot.port}/metrics",
                                            timeout=10) as response:
            text = response.read().decode()
        match = re.search(r"^depot_db_pool_target\{[^}]*\} (\d+)$", text, re.M)
        return int(match.group(1)) if match else None

    def wait_for(self, what, predicate):
        deadline = time.monotonic() + BOUND_S
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.25)
        self.fail(f"{what}: not within {BOUND_S} s")

    def test_grows_under_load_and_shrinks_when_idle(self):
        # Idle: the minimum, no more.
        self.wait_for("the minimum pool up", lambda: self.pool_connections() == POOL_MIN)
        self.wait_for("the target in /metrics", lambda: self.pool_target() == POOL_MIN)

        # Under load, 10 ms away: statements queue behind two connections whose round trip
        # does not get slower, so the pool grows.
        load = resilience.Load(self.depot.port, self.token, resilience.varied_bodies(),
                               CLIENTS, timeout=60).start()
        try:
            grown = self.wait_for("the pool grown under load",
                                  lambda: (lambda n: n if n >= GROWN else 0)(self.pool_connections()))
            # /metrics hears of it on the next heartbeats.
            target = self.wait_for("the grown target in /metrics",
                                   lambda: (lambda n: n if n and n >= GROWN else 0)(self.pool_target()))
        finally:
            hung = load.stop()
        self.assertEqual(hung, [])
        outcomes = load.snapshot()
        failed = [o for o in outcomes if not o.ok]
        self.assertTrue(outcomes)
        self.assertEqual([o.message or o.status for o in failed[:3]], [],
                         f"{len(failed)} of {len(outcomes)} requests failed")
        self.assertLessEqual(grown, 32)

        # Idle again: the connections nobody uses close, down to the minimum.
        self.wait_for("the pool back at its minimum", lambda: self.pool_connections() == POOL_MIN)
        self.wait_for("the target back at its minimum", lambda: self.pool_target() == POOL_MIN)
        print(f"\n{len(outcomes)} requests; pool grew to {grown} connections "
              f"(target {target}) and went back to {POOL_MIN}", flush=True)


if __name__ == "__main__":
    unittest.main()
