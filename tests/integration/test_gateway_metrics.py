"""/metrics shows the whole deployment: per resolver and per db-svc series, carried to the
gateway on the heartbeats (db-svc -> resolver -> gateway), in the three-process form with two
db-svc and two resolver-svc, as `docker compose up --scale resolver-svc=2 --scale db-svc=2`
runs them.

Pins down: both db-svc instances are listed once each (every resolver forwards both), with
the pool size and queue limit the test configured, the pool's target at the minimum
configured and its connections adding up to it; each resolver with the credit configured; the statement counter moves by what MariaDB
itself counts (Com_select); a db-svc killed with SIGKILL leaves /metrics within seconds while
the other stays. Instance names are `<hostname>:<pid>`, checked against the processes the test
started. Expected values come from the test's configuration and from MariaDB, never from Depot.
Licensed under the Apache License 2.0.
"""
import json
import os
import signal
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_gateway_http import PAGE_QUERY, Topology, parse_prometheus, request  # noqa: E402

POOL = 3            # DEPOT_DB_POOL of each db-svc
# DEPOT_DB_POOL_MIN the same: a fixed pool, so MariaDB's Com_select counts the requests'
# statements only (a connection the adaptive pool opens runs a SELECT of its own to set up).
POOL_MIN = POOL
MAX_QUEUE = 77      # DEPOT_DB_MAX_QUEUE
CREDIT = 5          # DEPOT_CREDIT of each resolver
STATES = ("busy", "idle", "connecting", "down")
# Reports travel every second and an instance is dropped after 3 s without a newer one;
# the bounds below leave room for a slow (sanitizer) build.
SETTLE_SECONDS = 15 * float(os.environ.get("DEPOT_TEST_TIMEOUT_MULTIPLIER", "1"))


def by_instance(samples, name, **labels):
    """{service_instance: value} of the samples of one series."""
    out = {}
    for (sample, label_set), value in samples.items():
        d = dict(label_set)
        if sample == name and all(d.get(k) == v for k, v in labels.items()):
            out[d.get("service_instance")] = value
    return out


class GatewayMetricsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db, boxes=200)
        cls.keys = harness.Keys(cls.scratch.path)
        folder = os.path.join(cls.scratch.path, "metrics")
        os.makedirs(folder)
        cls.topo = Topology(cls.db, cls.keys, folder, resolvers=2, dbs=2, env={
            "DEPOT_DB_POOL": str(POOL), "DEPOT_DB_POOL_MIN": str(POOL_MIN),
            "DEPOT_DB_MAX_QUEUE": str(MAX_QUEUE),
            "DEPOT_CREDIT": str(CREDIT)})
        cls.topo.wait_ready(resolvers=2)
        host = socket.gethostname()
        cls.db_names = {f"{host}:{cls.topo.procs[f'db-svc-{i}'].pid}" for i in range(2)}
        cls.resolver_names = {f"{host}:{cls.topo.procs[f'resolver-svc-{i}'].pid}/0" for i in range(2)}

    @classmethod
    def tearDownClass(cls):
        cls.topo.stop()
        cls.db.stop()
        cls.scratch.remove()

    def scrape(self):
        status, text, headers = request(self.topo.base + "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain; version=0.0.4"))
        return parse_prometheus(text)

    def wait_for(self, what, predicate):
        """Scrape until predicate(samples) holds; returns (samples, seconds waited)."""
        started = time.time()
        while True:
            samples = self.scrape()
            if predicate(samples):
                return samples, time.time() - started
            if time.time() - started > SETTLE_SECONDS:
                self.fail(f"{what}: not within {SETTLE_SECONDS} s")
            time.sleep(0.2)

    def post_page(self, n):
        status, text, _ = request(self.topo.url, "POST", json.dumps(
            {"query": PAGE_QUERY, "variables": {"n": n}}),
            {"Authorization": f"Bearer {self.topo.token}", "Content-Type": "application/json"})
        self.assertEqual(status, 200, text)

    def test_1_every_instance_once_with_its_configuration(self):
        """Both db-svc and both resolvers are listed, each once, under the names of the
        processes the test started, with the configured pool, queue limit and credit."""
        # Idle: a statement still queued from start-up (a pool connection's set-up, on a loaded
        # machine) may show in the first heartbeat; the depth must fall to 0 and stay a gauge.
        samples, _ = self.wait_for("two db-svc and two resolvers reporting, idle", lambda s: (
            set(by_instance(s, "depot_db_pool_size")) == self.db_names
            and set(by_instance(s, "depot_resolver_credit")) == self.resolver_names
            and set(by_instance(s, "depot_db_queue_depth").values()) == {0}))
        self.assertEqual(samples[("depot_service_instances", frozenset({("service", "db-svc")}))], 2)
        self.assertEqual(samples[("depot_service_instances", frozenset({("service", "resolver-svc")}))], 2)
        for name in self.db_names:
            self.assertEqual(by_instance(samples, "depot_db_pool_size")[name], POOL)
            self.assertEqual(by_instance(samples, "depot_db_queue_limit")[name], MAX_QUEUE)
            self.assertEqual(by_instance(samples, "depot_db_queue_depth")[name], 0)
            connections = {state: by_instance(samples, "depot_db_pool_connections", state=state).get(name)
                           for state in STATES}
            self.assertNotIn(None, connections.values(), connections)
            # The pool wants its minimum (here its size), and its connections add up to it.
            self.assertEqual(by_instance(samples, "depot_db_pool_target")[name], POOL_MIN)
            self.assertEqual(sum(connections.values()), POOL_MIN, connections)
            self.assertIn(name, by_instance(samples, "depot_db_statements_total"))
        for name in self.resolver_names:
            self.assertEqual(by_instance(samples, "depot_resolver_credit")[name], CREDIT)
            self.assertEqual(by_instance(samples, "depot_resolver_db_services")[name], 2)
            self.assertEqual(by_instance(samples, "depot_resolver_db_services_live")[name], 2)
            self.assertIn(name, by_instance(samples, "depot_resolver_requests_in_flight"))
        # The broker's own view agrees on the resolvers.
        self.assertEqual(samples[("depot_broker_resolvers", frozenset())], 2)

    def settled(self):
        """A scrape once the summed counters have stopped moving: a db-svc report reaches the
        gateway up to two heartbeats (2 s) after it was taken, so equal sums 2.5 s apart
        include everything done before the first of them."""
        def sums(samples):
            return (sum(by_instance(samples, "depot_db_statements_total").values()),
                    sum(by_instance(samples, "depot_resolver_requests_total").values()))
        previous = self.scrape()
        started = time.time()
        while True:
            time.sleep(2.5)
            samples = self.scrape()
            if sums(samples) == sums(previous):
                return samples
            if time.time() - started > 4 * SETTLE_SECONDS:
                self.fail("the counters in /metrics do not settle")
            previous = samples

    def test_2_statements_move_as_mariadb_counts_them(self):
        """Ten page requests: the db-svc statement counters, summed, move by exactly the SELECTs
        MariaDB counted meanwhile (less what reading the counter itself counts), and the
        resolvers' answered counters by ten."""
        self.wait_for("instances reporting", lambda s: (
            len(by_instance(s, "depot_db_statements_total")) == 2
            and len(by_instance(s, "depot_resolver_requests_total")) == 2))
        before = self.settled()
        first = self.db.status("Com_select")
        start = self.db.status("Com_select")
        overhead = start - first
        for _ in range(10):
            self.post_page(20)
        selects = self.db.status("Com_select") - start - overhead
        self.assertGreater(selects, 10)
        statements_before = sum(by_instance(before, "depot_db_statements_total").values())
        answered_before = sum(by_instance(before, "depot_resolver_requests_total").values())
        _, waited = self.wait_for(f"{selects} more statements reported", lambda s: (
            sum(by_instance(s, "depot_db_statements_total").values()) - statements_before >= selects
            and sum(by_instance(s, "depot_resolver_requests_total").values()) - answered_before >= 10))
        after = self.settled()
        self.assertEqual(sum(by_instance(after, "depot_db_statements_total").values())
                         - statements_before, selects)
        self.assertEqual(sum(by_instance(after, "depot_resolver_requests_total").values())
                         - answered_before, 10)
        # Both db-svc took part (each resolver sends to the less loaded, round robin).
        moved = [by_instance(after, "depot_db_statements_total")[n]
                 - by_instance(before, "depot_db_statements_total")[n] for n in self.db_names]
        self.assertTrue(all(m > 0 for m in moved), moved)
        print(f"\n{selects} statements seen in /metrics after {waited:.1f} s, per db-svc {moved}",
              file=sys.stderr)

    def test_3_a_killed_db_svc_leaves(self):
        """SIGKILL one db-svc: its series leave /metrics within seconds (no report of it gets
        newer, and the resolvers stop forwarding it), the other db-svc's stay, and requests
        are still answered."""
        self.wait_for("two db-svc reporting",
                      lambda s: set(by_instance(s, "depot_db_pool_size")) == self.db_names)
        victim = self.topo.procs["db-svc-0"]
        gone = f"{socket.gethostname()}:{victim.pid}"
        kept = (self.db_names - {gone}).pop()
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        samples, waited = self.wait_for(f"{gone} gone from /metrics", lambda s: (
            gone not in by_instance(s, "depot_db_pool_size")))
        print(f"\nkilled db-svc left /metrics after {waited:.1f} s", file=sys.stderr)
        self.assertLess(waited, 10)
        for (name, labels), _ in samples.items():
            self.assertNotIn(("service_instance", gone), labels, name)
        self.assertEqual(set(by_instance(samples, "depot_db_pool_size")), {kept})
        self.assertEqual(samples[("depot_service_instances", frozenset({("service", "db-svc")}))], 1)
        # The resolvers count one live db-svc of two soon after.
        self.wait_for("resolvers see one db-svc live", lambda s: (
            set(by_instance(s, "depot_resolver_db_services_live").values()) == {1}))
        self.post_page(5)


if __name__ == "__main__":
    unittest.main(verbosity=2)
