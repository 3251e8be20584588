"""A service killed and restarted quickly under load (issue 12), in the three-process form: one
gateway, two resolver-svc, one db-svc, each with its own DEPOT_INSTANCE_NAME (as a container
keeps its host name), and 16 clients reading in a loop (ManageBoxes with varied filters and
BoxView on random labels).

For each service (db-svc, resolver-svc, gateway) and each restart delay (0.5 s, 1 s, 2 s), on a
cluster of its own: SIGKILL the service, wait the delay, start it again under the same name, keep
the load on a few seconds more; then count every request's outcome:
- no request hangs: each gets an answer or a connection error within ANSWER_BOUND_S (the
  clients wait CLIENT_TIMEOUT_S, longer, so a hang shows as one);
- db-svc and resolver-svc: no request fails. They are reads; what the killed instance held is
  sent again (to the restarted db-svc, which is the only one, or to the other resolver), and
  what arrives while it is down waits for it;
- gateway: a request may fail only when it was in flight at the kill or sent before the new
  gateway is serving (its /readyz answers), and then only with a connection error (refused,
  reset); every request sent after that succeeds.
A table of the counts per case goes to the log. Licensed under the Apache License 2.0.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import resilience  # noqa: E402

CLIENTS = 16
DEADLINE_MS = 15000         # generous: a request sent again still has time
ANSWER_BOUND_S = 20.0       # every request is answered (or its connection fails) within this
CLIENT_TIMEOUT_S = 30.0     # longer than the bound, so a request left waiting shows as a hang
RETRY_PAUSE_S = 0.05        # a client's pause after a connection error
STEADY_S = 2.0              # load before the kill
AFTER_S = 5.0               # load after the restart
DELAYS = (0.5, 1.0, 2.0)


class Restart(unittest.TestCase):
    rows = []

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db, boxes=600)
        cls.keys = harness.Keys(cls.scratch.path)
        cls.token = cls.keys.token()
        labels = [r[0] for r in cls.db.sql(
            "SELECT s.box_id FROM stock s JOIN locations l ON l.id = s.location_id "
            "WHERE l.camp_id = 1 AND (s.deleted IS NULL OR s.deleted = 0) ORDER BY s.id LIMIT 40")]
        cls.bodies = resilience.mixed_reads(labels)

    def setUp(self):
        self.exit_codes = {}

    def tearDown(self):
        # Every process stopped cleanly at the end of each case (no sanitizer report).
        self.assertEqual({case: codes for case, codes in self.exit_codes.items()
                          if set(codes.values()) != {0}}, {})

    @classmethod
    def tearDownClass(cls):
        cls.db.stop()
        cls.scratch.remove()
        print("\n  service   delay  requests    ok  conn.err (in flight/down)  HTTP errors"
              "          hung  slowest  first ok after restart", flush=True)
        for row in cls.rows:
            print("  " + row, flush=True)

    def restart_under_load(self, service, delay):
        """One case on a cluster of its own; returns (outcomes, clients left waiting, the
        times of the kill, of the restart and from when the service was back). The exit codes
        of the processes at the end are checked at the end of the test (tearDown)."""
        folder = os.path.join(self.scratch.path, f"{service}-{delay}")
        os.makedirs(folder)
        cluster = resilience.Cluster(self.db, self.keys, folder, dbs=1, resolvers=2,
                                     extra_env={"DEPOT_DEADLINE_MS": str(DEADLINE_MS)})
        try:
            load = resilience.Load(cluster.port, self.token, self.bodies, CLIENTS,
                                   timeout=CLIENT_TIMEOUT_S, retry_pause=RETRY_PAUSE_S).start()
            time.sleep(STEADY_S)
            # Each time is taken before its action: a request the action fails may end before
            # the action returns.
            killed = time.monotonic()
            cluster.kill(service)
            time.sleep(delay)
            restarted = time.monotonic()
            cluster.start(service)
            # The gateway is back when it serves; the others' peers were never gone.
            back = cluster.wait_serving(ANSWER_BOUND_S) if service == "gateway" else restarted
            time.sleep(max(0.0, restarted + AFTER_S - time.monotonic()))
            hung = load.stop(join_timeout=ANSWER_BOUND_S)
            outcomes = load.snapshot()
        finally:
            self.exit_codes[f"{service} {delay} s"] = cluster.stop()
            self.warnings = cluster.warnings()
        return outcomes, len(hung), killed, restarted, back

    def show_warnings_on_failure(self):
        """Print the failed case's log warnings: the logs go away with the scratch folder."""
        print("\n  the case's warnings:\n  " + "\n  ".join(self.warnings), flush=True)

    def report(self, service, delay, outcomes, hung, killed, restarted):
        in_flight = [o for o in outcomes if o.started < killed <= o.finished]
        conn_in_flight = sum(o.connection_failed() for o in in_flight)
        conn_down = sum(o.connection_failed() for o in outcomes if o.started >= killed)
        http_errors = resilience.summary([o for o in outcomes if o.status and not o.ok])
        timeouts = sum(o.status == 0 and not o.connection_failed() for o in outcomes)
        slowest = max((o.elapsed for o in outcomes), default=0.0)
        first_ok = min((o.finished - restarted for o in outcomes
                        if o.ok and o.started >= restarted), default=None)
        first = f"{first_ok * 1000:.0f} ms" if first_ok is not None else "none"
        errors = " ".join(f"{k}:{v}" for k, v in sorted(http_errors.items())) or "-"
        if timeouts:
            errors += f" timeout:{timeouts}"
        row = (f"{service:9} {delay:4.1f} s  {len(outcomes):8}  {sum(o.ok for o in outcomes):4}  "
               f"{conn_in_flight:8} / {conn_down:<13}  {errors:19}  {hung:4}  "
               f"{slowest * 1000:5.0f} ms  {first}")
        self.rows.append(row)
        print(f"\n  {row}", flush=True)
        return in_flight

    def check_answered(self, outcomes, hung):
        self.assertEqual(hung, 0, "clients still waiting for an answer")
        slow = [(o.status, o.message, round(o.elapsed, 1)) for o in outcomes
                if o.elapsed >= ANSWER_BOUND_S]
        self.assertEqual(slow, [], "requests that were not answered within the bound")

    def restart_reads_lose_nothing(self, service):
        for delay in DELAYS:
            with self.subTest(delay=delay):
                outcomes, hung, killed, restarted, _ = self.restart_under_load(service, delay)
                self.report(service, delay, outcomes, hung, killed, restarted)
                self.check_answered(outcomes, hung)
                failed = resilience.summary([o for o in outcomes if not o.ok])
                messages = sorted({o.message for o in outcomes if not o.ok})[:5]
                if failed:
                    self.show_warnings_on_failure()
                self.assertEqual(failed, {}, messages)
                self.assertTrue(any(o.started >= restarted + 1.0 for o in outcomes),
                                "no request after the restart")

    def test_db_svc_restart(self):
        self.restart_reads_lose_nothing("db0")

    def test_resolver_restart(self):
        self.restart_reads_lose_nothing("resolver0")

    def test_gateway_restart(self):
        for delay in DELAYS:
            with self.subTest(delay=delay):
                outcomes, hung, killed, restarted, back = self.restart_under_load("gateway", delay)
                in_flight = self.report("gateway", delay, outcomes, hung, killed, restarted)
                self.check_answered(outcomes, hung)
                self.assertIsNotNone(back, "the restarted gateway never served")
                before = [o for o in outcomes if o.finished < killed]
                down = [o for o in outcomes if killed <= o.started < back]
                after = [o for o in outcomes if o.started >= back]
                self.assertTrue(before and after, "no requests before the kill or after it")
                for name, phase, allowed in (
                        ("before the kill", before, lambda o: o.ok),
                        ("in flight at the kill or sent before the new gateway served",
                         in_flight + down, lambda o: o.ok or o.connection_failed()),
                        ("sent after the new gateway served", after, lambda o: o.ok)):
                    wrong = sorted({(o.status, o.message) for o in phase if not allowed(o)})
                    if wrong:
                        self.show_warnings_on_failure()
                    self.assertEqual(wrong, [], f"failures other than a lost connection, {name}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
