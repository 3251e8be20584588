"""A resolver-svc killed and restarted at once loses no request (issue 12).

Three processes (one db-svc, two resolver-svc of two resolver actors each, one gateway), each
resolver-svc with its own DEPOT_INSTANCE_NAME, as a container keeps its hostname across
restarts, under a steady load of ManageBoxes queries. resolver0 is killed with SIGKILL and
started again 0.5 s later. The gateway's broker learns that resolver0's actors are gone (a
READY from a new instance under a known name, or a send that cannot reach them) and sends
the queries they held again to a live resolver: every request succeeds, none waits long, and
/metrics counts the reads sent again. Licensed under the Apache License 2.0.
"""
import os
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import resilience  # noqa: E402

CLIENTS = 16
STEADY_S = 3.0
RESTART_AFTER_S = 0.5
AFTER_S = 6.0
SLOWEST_S = 5.0         # generous: a re-sent query waits at most for the broker to notice


class ResolverRestart(unittest.TestCase):

    def setUp(self):
        self.scratch = harness.Scratch()
        self.db = harness.MariaDB(self.scratch.path)
        harness.load_demo(self.db, boxes=300)
        self.keys = harness.Keys(self.scratch.path)
        self.token = self.keys.token()
        self.cluster = resilience.Cluster(self.db, self.keys, self.scratch.path, dbs=1,
                                          resolvers=2, extra_env={"DEPOT_DEADLINE_MS": "10000"})

    def tearDown(self):
        codes = self.cluster.stop()
        self.db.stop()
        self.scratch.remove()
        self.assertEqual(set(codes.values()), {0}, codes)

    def metric(self, name):
        """The value of an unlabelled series of the gateway's /metrics, or None."""
        url = f"http://127.0.0.1:{self.cluster.port}/metrics"
        with urllib.request.urlopen(url, timeout=10) as response:
            for line in response.read().decode().splitlines():
                if line.startswith(name + " "):
                    return float(line.split()[1])
        return None

    def test_kill_and_restart_a_resolver_within_half_a_second(self):
        load = resilience.Load(self.cluster.port, self.token, resilience.varied_bodies(),
                               CLIENTS, timeout=30).start()
        time.sleep(STEADY_S)
        killed = time.monotonic()
        self.cluster.kill("resolver0")
        time.sleep(RESTART_AFTER_S)
        self.cluster.start("resolver0")
        time.sleep(AFTER_S)
        hung = load.stop()
        outcomes = load.snapshot()

        self.assertEqual(hung, [], "client threads still waiting for an answer")
        failed = [(o.status, o.message) for o in outcomes if not o.ok]
        around = [o for o in outcomes if o.started <= killed + 1.0 and o.started + o.elapsed >= killed]
        slowest = max(o.elapsed for o in outcomes)
        resent = self.metric("depot_broker_requests_resent_total")
        print(f"\n  {len(outcomes)} requests by {CLIENTS} clients, {len(around)} in flight "
              f"around the kill; failed {len(failed)} "
              f"{resilience.summary([o for o in outcomes if not o.ok])}; slowest "
              f"{slowest * 1000:.0f} ms; re-sent {resent}", flush=True)
        self.assertEqual(failed, [])
        self.assertLess(slowest, SLOWEST_S)
        self.assertGreater(resent or 0, 0)
        # The restarted resolver takes work again.
        self.assertTrue(self.cluster.alive()["resolver0"])
        self.assertEqual(self.metric("depot_broker_resolvers"), 4)


if __name__ == "__main__":
    unittest.main(verbosity=2)
