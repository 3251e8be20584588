"""MariaDB killed under load (issue 5): `kill -9` of mariadbd while clients loop ManageBoxes
through Depot's three processes. Every request in flight and every new one is answered
(data, or an HTTP error with a JSON message) within its deadline, and the errors come fast
(db-svc answers 503 while it cannot connect, it never queues work for a dead server); after
MariaDB is started again on the same datadir and socket, requests succeed again within 3 s
and stay successful; no Depot process was restarted. db-svc never retries a statement that
was running on a lost connection (no transactions exist yet; the rule is in
db-svc/dp_db_actor.c). Licensed under the Apache License 2.0.
"""
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import resilience  # noqa: E402

DEADLINE_MS = 5000
CLIENTS = 8
OUTAGE_S = 3.0


class MariaDBKilled(unittest.TestCase):

    def setUp(self):
        self.scratch = harness.Scratch()
        self.db = harness.MariaDB(self.scratch.path)
        harness.load_demo(self.db, boxes=600)
        self.keys = harness.Keys(self.scratch.path)
        self.token = self.keys.token()
        self.depot = harness.Depot(self.db, self.keys, self.scratch.path, form="three", debug=False,
                                   extra_env={"DEPOT_DEADLINE_MS": str(DEADLINE_MS)})

    def tearDown(self):
        codes = self.depot.stop()
        self.db.stop()
        self.scratch.remove()
        self.assertEqual(codes, [0, 0, 0])

    def test_kill_9_and_restart(self):
        pids = [p.pid for p in self.depot.processes]
        load = resilience.Load(self.depot.port, self.token, resilience.varied_bodies(),
                               CLIENTS, timeout=30).start()
        time.sleep(3)
        folder = os.path.join(self.scratch.path, "mariadb")
        with open(os.path.join(folder, "mysqld.pid")) as f:
            mariadbd = int(f.read().strip())
        killed_at = time.monotonic()
        os.kill(mariadbd, signal.SIGKILL)
        time.sleep(OUTAGE_S)
        subprocess.run([os.path.join(harness.REPO, "scripts", "mariadb.sh"), "start", folder],
                       check=True, capture_output=True, timeout=120)
        back_at = time.monotonic()
        time.sleep(6)
        hung = load.stop()
        outcomes = load.snapshot()

        self.assertEqual(hung, [], "client threads still waiting for an answer")
        self.assertEqual([p.poll() for p in self.depot.processes], [None, None, None])
        self.assertEqual([p.pid for p in self.depot.processes], pids)

        before = [o for o in outcomes if o.started + o.elapsed < killed_at]
        self.assertTrue(before and all(o.ok for o in before), resilience.summary(before))
        for o in outcomes:
            self.assertTrue(o.ok or o.clear_error(), (o.status, o.message))
            self.assertLessEqual(o.elapsed, DEADLINE_MS / 1000 + 1.0)
        failed = [o for o in outcomes if not o.ok]
        self.assertTrue(failed, "killing MariaDB went unnoticed")
        # Requests fail fast while MariaDB is down, they do not wait for the deadline.
        during = [o for o in failed if killed_at + 0.5 <= o.started <= back_at - 0.5]
        self.assertTrue(during)
        slow = sorted(o.elapsed for o in during)[len(during) // 2]
        self.assertLess(slow, 0.5)
        # Back within 3 s of MariaDB answering again, and successful from then on.
        first_ok = min(o.started + o.elapsed for o in outcomes if o.ok and o.started >= back_at)
        self.assertLessEqual(first_ok - back_at, 3.0)
        later = [o for o in outcomes if o.started >= back_at + 3.0]
        self.assertTrue(later and all(o.ok for o in later), resilience.summary(later))
        statuses = resilience.summary(failed)
        print(f"\n  {len(outcomes)} requests by {CLIENTS} clients; MariaDB down for "
              f"{back_at - killed_at:.1f} s: {len(failed)} answered with an error {statuses} "
              f"(median {slow * 1000:.0f} ms while down, slowest "
              f"{max(o.elapsed for o in failed) * 1000:.0f} ms); first success "
              f"{(first_ok - back_at) * 1000:.0f} ms after MariaDB answered again", flush=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
