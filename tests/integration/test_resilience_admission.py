"""Admission that follows latency (issue 12): a request over the gateway's admission limit
waits up to DEPOT_ADMISSION_WAIT_MS for a slot instead of an instant 503.

64 clients, each on a kept-alive connection sending all the time, against Depot at its
default settings: with the old fixed DEPOT_MAX_INFLIGHT of 48 and no wait, 97% of their
answers were instant 503s; now at most 2% may be 503 (what the limit sheds when latency
rises, in this sanitizer build on a shared machine). A load far above small limits
(DEPOT_MAX_INFLIGHT 4, DEPOT_ADMISSION_MIN 2, a wait of 50 ms, 48 clients) still gets 503s
with Retry-After and a message saying the server is busy, every client gets its answers
(none hangs), and /metrics counts exactly the 503s the clients saw. Outcomes are counted;
no timing is asserted. Licensed under the Apache License 2.0.
"""
import http.client
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import resilience  # noqa: E402

SECONDS = 10
LARGEST_503_SHARE = 0.02


def metric(port, name):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    found = re.search(rf"^{re.escape(name)} (\d+)$", text, re.M)
    return int(found.group(1)) if found else None


class Admission(unittest.TestCase):

    def setUp(self):
        self.scratch = harness.Scratch()
        self.db = harness.MariaDB(self.scratch.path)
        harness.load_demo(self.db, boxes=600)
        self.keys = harness.Keys(self.scratch.path)
        self.token = self.keys.token()
        self.depot = None

    def tearDown(self):
        codes = self.depot.stop() if self.depot else []
        self.db.stop()
        self.scratch.remove()
        self.assertTrue(all(code == 0 for code in codes), codes)

    def run_load(self, clients):
        load = resilience.Load(self.depot.port, self.token, resilience.varied_bodies(), clients,
                               timeout=60).start()
        time.sleep(SECONDS)
        hung = load.stop()
        self.assertEqual(hung, [], "clients still waiting for an answer")
        outcomes = load.snapshot()
        refused = [o for o in outcomes if o.status == 503]
        for o in refused:
            self.assertEqual(o.retry_after, "1")
            self.assertIn("busy", o.message)
        for o in outcomes:
            if o.status != 503:
                self.assertTrue(o.ok, (o.status, o.message))
        return outcomes, refused

    def test_64_clients_at_the_defaults_wait_instead_of_503(self):
        self.depot = harness.Depot(self.db, self.keys, self.scratch.path, debug=False)
        outcomes, refused = self.run_load(64)
        share = len(refused) / len(outcomes)
        print(f"\n  64 clients for {SECONDS} s at the defaults: {len(outcomes)} answers, "
              f"{len(refused)} 503 ({share:.1%}); limit now "
              f"{metric(self.depot.port, 'depot_broker_admission_limit')}", flush=True)
        self.assertLessEqual(share, LARGEST_503_SHARE)

    def test_load_far_above_the_limits_gets_503_with_retry_after(self):
        self.depot = harness.Depot(self.db, self.keys, self.scratch.path, debug=False,
                                   extra_env={"DEPOT_MAX_INFLIGHT": "4", "DEPOT_ADMISSION_MIN": "2",
                                              "DEPOT_ADMISSION_WAIT_MS": "50"})
        outcomes, refused = self.run_load(48)
        served = [o for o in outcomes if o.ok]
        print(f"\n  48 clients for {SECONDS} s against a limit of at most 4: {len(served)} "
              f"served, {len(refused)} 503 with Retry-After", flush=True)
        self.assertTrue(served)
        self.assertTrue(refused, "no 503 with far more clients than the limits")
        self.assertEqual(metric(self.depot.port, "depot_broker_admission_refused_total"),
                         len(refused))
        self.assertEqual(metric(self.depot.port, "depot_broker_admission_waiting"), 0)
        self.assertIn(metric(self.depot.port, "depot_broker_admission_limit"), (2, 3, 4))


if __name__ == "__main__":
    unittest.main(verbosity=2)
