"""Saturation (issue 5): far more concurrent clients than Depot's limits, at the default
limits (DEPOT_THREADS 128, DEPOT_MAX_INFLIGHT 96 with its latency-following limit and wait,
DEPOT_CREDIT 64, DEPOT_DB_MAX_QUEUE 2048),
against the three-process form. Every queue between the actors is bounded, so:
503 answers with Retry-After appear, every request that was admitted succeeds with data,
no request goes unanswered, and the resident memory of each process stays under twice its
idle size plus 64 MB.

In the first test the clients open a connection per request. In the second they keep their
connections alive, as browsers and HTTP client libraries do: civetweb gives a kept-alive
connection a worker thread for as long as it stays open, so without the gateway's rotation
(DEPOT_THREADS in README.md: at capacity every answer closes its connection) clients beyond
DEPOT_THREADS would wait for a thread for as long as the others keep sending. With it every
answer is 200 with data or 503 with Retry-After, and none takes more than a few seconds.
Licensed under the Apache License 2.0.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import resilience  # noqa: E402

CLIENTS = 192                   # 1.5 times DEPOT_THREADS, twice DEPOT_MAX_INFLIGHT
SECONDS = 12
KEEP_ALIVE_CLIENTS = 200        # each on one kept-alive connection, sending all the time
LONGEST = 10.0                  # seconds any of their requests may take, waiting included


class Saturation(unittest.TestCase):

    def setUp(self):
        self.scratch = harness.Scratch()
        self.db = harness.MariaDB(self.scratch.path)
        harness.load_demo(self.db, boxes=600)
        self.keys = harness.Keys(self.scratch.path)
        self.token = self.keys.token()
        # Under AddressSanitizer freed memory sits in a quarantine (256 MB by default) that
        # is the sanitizer's, not Depot's: keep it small so RSS measures Depot.
        asan = ":".join(x for x in (os.environ.get("ASAN_OPTIONS"), "quarantine_size_mb=16") if x)
        self.depot = harness.Depot(self.db, self.keys, self.scratch.path, form="three", debug=False,
                                   extra_env={"ASAN_OPTIONS": asan})

    def tearDown(self):
        codes = self.depot.stop()
        self.db.stop()
        self.scratch.remove()
        self.assertEqual(codes, [0, 0, 0])

    def test_far_more_clients_than_limits(self):
        names = ["db-svc", "gateway", "resolver-svc"]          # harness.Depot's order
        pids = {name: p.pid for name, p in zip(names, self.depot.processes)}
        bodies = resilience.varied_bodies()
        # Idle: after a warm-up that touched every code path once.
        warm = resilience.Load(self.depot.port, self.token, bodies, 4, keep_alive=False).start()
        time.sleep(2)
        self.assertEqual(warm.stop(), [])
        self.assertTrue(all(o.ok for o in warm.snapshot()),
                        {(o.status, o.message) for o in warm.snapshot() if not o.ok})
        time.sleep(0.5)
        idle = {name: resilience.rss_kb(pid) for name, pid in pids.items()}

        sampler = resilience.RssSampler(pids).start()
        load = resilience.Load(self.depot.port, self.token, bodies, CLIENTS, timeout=60,
                               keep_alive=False).start()
        time.sleep(SECONDS)
        hung = load.stop()
        peak = sampler.stop()
        outcomes = load.snapshot()

        self.assertEqual(hung, [], "clients still waiting for an answer")
        self.assertEqual([p.poll() for p in self.depot.processes], [None, None, None])
        refused = [o for o in outcomes if o.status == 503]
        admitted = [o for o in outcomes if o.status != 503]
        self.assertTrue(refused, "no 503 with far more clients than the limits")
        for o in refused:
            self.assertEqual(o.retry_after, "1")
            self.assertTrue(o.message)
        for o in admitted:
            self.assertTrue(o.ok, (o.status, o.message))
        for name in names:
            self.assertLess(peak[name], 2 * idle[name] + 64 * 1024,
                            f"{name}: RSS {peak[name]} kB under load, {idle[name]} kB idle")
        rate = len(admitted) / SECONDS
        slowest = max(o.elapsed for o in admitted)
        print(f"\n  {CLIENTS} clients for {SECONDS} s: {len(admitted)} answered with data "
              f"({rate:.0f}/s, slowest {slowest * 1000:.0f} ms), {len(refused)} refused 503 with "
              f"Retry-After (slowest {max(o.elapsed for o in refused) * 1000:.0f} ms)", flush=True)
        for name in names:
            print(f"  {name}: RSS idle {idle[name] / 1024:.1f} MB, peak {peak[name] / 1024:.1f} MB "
                  f"(limit {(2 * idle[name] + 64 * 1024) / 1024:.1f} MB)", flush=True)

    def test_keep_alive_clients_beyond_threads(self):
        bodies = resilience.varied_bodies()
        outcomes, hung = resilience.load_in_processes(self.depot.port, self.token, bodies,
                                                      KEEP_ALIVE_CLIENTS, SECONDS)
        self.assertEqual(hung, 0, "clients still waiting for an answer")
        self.assertEqual([p.poll() for p in self.depot.processes], [None, None, None])
        refused = [o for o in outcomes if o.status == 503]
        admitted = [o for o in outcomes if o.status != 503]
        for o in refused:
            self.assertEqual(o.retry_after, "1")
            self.assertTrue(o.message)
        for o in admitted:
            self.assertTrue(o.ok, (o.status, o.message))
        slowest = max(outcomes, key=lambda o: o.elapsed)
        self.assertLess(slowest.elapsed, LONGEST,
                        f"a request waited {slowest.elapsed:.1f} s (status {slowest.status})")
        # Every client was served, not only the first DEPOT_THREADS of them.
        served = len(outcomes)
        self.assertGreaterEqual(served, KEEP_ALIVE_CLIENTS)
        print(f"\n  {KEEP_ALIVE_CLIENTS} kept-alive clients for {SECONDS} s: {len(admitted)} "
              f"answered with data, {len(refused)} refused 503 with Retry-After; slowest "
              f"{slowest.elapsed * 1000:.0f} ms", flush=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
