"""Liveness between the services (issue 5), in the three-process form with two db-svc and two
resolver-svc processes (each resolver connected to both db-svc) behind one gateway, under a
steady load of ManageBoxes requests:

1. SIGKILL one db-svc and one resolver-svc: no request hangs (each is answered, data or an
   HTTP error with a JSON message, within a few seconds: the gateway's broker notices the
   resolver is gone, the resolvers notice the db-svc is silent and fail what waited on it),
   and within 5 s every request succeeds again on the survivors.
2. Restart both: they rejoin without disturbing anything.
3. SIGKILL the other db-svc: the surviving resolver and the restarted one carry on with the
   restarted db-svc, which shows it was taken back.
4. SIGKILL the other resolver-svc: the restarted resolver carries the load alone.
No other process is restarted at any point.

And the quick restart (issue 12), in its own cluster of one db-svc and one resolver-svc:
SIGKILL the only db-svc under load and start it again 2 s later, as Docker's `restart:` or
systemd would. The resolver sees the new instance (a TCP disconnect, then a new instance id)
and sends the LOADs and QUERYs the old one held again; those sent meanwhile wait for it
(DEPOT_DB_WAIT_MS). No request fails and none hangs. Licensed under the Apache License 2.0.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import resilience  # noqa: E402

DEADLINE_MS = 10000
CLIENTS = 8
SETTLE_S = 5.0          # liveness is 3 s; a failed request's answer comes before that
PHASE_S = 8.0


class ClusterCase(unittest.TestCase):
    """A cluster of DBS db-svc and RESOLVERS resolver-svc processes over demo data."""
    DBS = RESOLVERS = 2

    def setUp(self):
        self.scratch = harness.Scratch()
        self.db = harness.MariaDB(self.scratch.path)
        harness.load_demo(self.db, boxes=600)
        self.keys = harness.Keys(self.scratch.path)
        self.token = self.keys.token()
        self.cluster = resilience.Cluster(self.db, self.keys, self.scratch.path, dbs=self.DBS,
                                          resolvers=self.RESOLVERS,
                                          extra_env={"DEPOT_DEADLINE_MS": str(DEADLINE_MS)})

    def tearDown(self):
        codes = self.cluster.stop()         # of the processes still running
        self.db.stop()
        self.scratch.remove()
        self.assertEqual(set(codes.values()), {0}, codes)


class Liveness(ClusterCase):

    def test_kill_and_restart_db_svc_and_resolver(self):
        gateway = self.cluster.pid("gateway")
        load = resilience.Load(self.cluster.port, self.token, resilience.varied_bodies(),
                               CLIENTS, timeout=30).start()
        events = [("steady", time.monotonic())]
        # Each event's time is taken before its action: a request the action fails may be
        # answered before kill() returns, and belongs to the new phase, not the last one.
        time.sleep(PHASE_S)
        events.append(("db0 and resolver0 killed", time.monotonic()))
        self.cluster.kill("db0")
        self.cluster.kill("resolver0")
        time.sleep(PHASE_S)
        events.append(("db0 and resolver0 restarted", time.monotonic()))
        self.cluster.start("db0")
        self.cluster.start("resolver0")
        time.sleep(PHASE_S)
        events.append(("db1 killed: db0 serves both resolvers", time.monotonic()))
        self.cluster.kill("db1")
        time.sleep(PHASE_S)
        events.append(("resolver1 killed: resolver0 serves alone", time.monotonic()))
        self.cluster.kill("resolver1")
        time.sleep(PHASE_S)
        events.append(("end", time.monotonic()))
        hung = load.stop()
        outcomes = load.snapshot()

        self.assertEqual(hung, [], "client threads still waiting for an answer")
        self.assertEqual(self.cluster.pid("gateway"), gateway)
        self.assertTrue(self.cluster.alive()["gateway"])
        for o in outcomes:
            self.assertTrue(o.ok or o.clear_error(), (o.status, o.message))
            if not o.ok:
                self.assertLess(o.elapsed, SETTLE_S, (o.status, o.message))
        print(f"\n  {len(outcomes)} requests by {CLIENTS} clients", flush=True)
        for (name, at), (_, until) in zip(events, events[1:]):
            # Requests of the phase's later part that were over before the next event all
            # succeed; the failures answered during the phase are the event's doing.
            settled = [o for o in outcomes
                       if o.started >= at + SETTLE_S and o.started + o.elapsed < until]
            self.assertTrue(settled, name)
            self.assertTrue(all(o.ok for o in settled),
                            (name, {(o.status, o.message) for o in settled if not o.ok}))
            answered = [o for o in outcomes if at <= o.started + o.elapsed < until]
            failed = [o for o in answered if not o.ok]
            last_failure = max((o.started + o.elapsed - at for o in failed), default=0.0)
            print(f"  {name}: {len(answered)} answered, {len(failed)} with an error "
                  f"{resilience.summary(failed)}, the last {last_failure * 1000:.0f} ms after "
                  f"the event", flush=True)
        # The restarted processes carried the end alone.
        self.assertEqual(self.cluster.alive(), {"db0": True, "db1": False, "resolver0": True,
                                                "resolver1": False, "gateway": True})


class QuickDbRestart(ClusterCase):
    DBS = RESOLVERS = 1

    def test_db_svc_killed_and_restarted_after_2_s_loses_nothing(self):
        load = resilience.Load(self.cluster.port, self.token, resilience.varied_bodies(),
                               16, timeout=30).start()
        time.sleep(3.0)
        killed = time.monotonic()
        self.cluster.kill("db0")
        time.sleep(2.0)
        self.cluster.start("db0")
        restarted = time.monotonic()
        time.sleep(4.0)
        hung = load.stop()
        outcomes = load.snapshot()

        self.assertEqual(hung, [], "client threads still waiting for an answer")
        failed = [o for o in outcomes if not o.ok]
        across = [o for o in outcomes if o.started < restarted and o.started + o.elapsed > killed]
        after = [o for o in outcomes if o.started > restarted + 1.0]
        print(f"\n  {len(outcomes)} requests by 16 clients; {len(across)} in flight across the "
              f"restart, the slowest {max(o.elapsed for o in across) * 1000:.0f} ms; "
              f"{len(failed)} failed {resilience.summary(failed)}", flush=True)
        self.assertEqual(failed, [], {(o.status, o.message) for o in failed})
        self.assertGreaterEqual(len(across), 16)    # every client had one waiting
        # None stuck until its deadline (10 s, where the old resolver left them): the slowest
        # waited for the outage and the new db-svc's start, seconds on a loaded machine.
        self.assertLess(max(o.elapsed for o in outcomes), DEADLINE_MS / 1000 - 2)
        self.assertTrue(after, "no request after the restart")


if __name__ == "__main__":
    unittest.main(verbosity=2)
