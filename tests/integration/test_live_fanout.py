"""Live updates' batched fan-out (issue 19): one change costs one resolution per group of
subscribers (same document, variables and user), whatever the number of subscribers, and a
burst of changes to one box inside the coalescing window gives one event.

Resolutions are counted from the gateway's /metrics: every resolution is one EXECUTE the
broker accepts (`depot_broker_requests_total{result="accepted"}`), and nothing else sends
queries while it is read. A box subscription resolves with one EXECUTE (its state). The
subscribers are graphql-ws clients in one Node process (tests/js/live_many.mjs); expected
values come from SQL run here.
Licensed under the Apache License 2.0.
"""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_change_feed import metrics, sample  # noqa: E402
from test_live import NodeOutput, Setup  # noqa: E402

MANY = os.path.join(harness.REPO, "tests", "js", "live_many.mjs")
ACCEPTED = 'depot_broker_requests_total{result="accepted"}'
BOX = "subscription Box($label: String!) { box(labelIdentifier: $label) { labelIdentifier numberOfItems } }"
BOX_OTHER = "subscription Box($label: String!) { box(labelIdentifier: $label) { numberOfItems comment } }"


class Subscribers(NodeOutput):
    """live_many.mjs with groups of subscribers; events(name) are the events of that group so far."""

    def __init__(self, folder, url, groups):
        super().__init__(os.path.join(folder, f"many-{time.time_ns()}.jsonl"), [MANY, url],
                         stdin=json.dumps(groups).encode())

    def events(self, name=None):
        return [m for m in self.lines() if "next" in m and (name is None or m["sub"] == name)]


class LiveFanOut(Setup, unittest.TestCase):
    """Depot in one process; a coalescing window of a second, so that a burst sent by one SQL
    client surely falls inside it."""
    COALESCE_MS = 1000

    def accepted(self):
        return sample(metrics(self.depot), ACCEPTED)

    def settled(self):
        """The accepted count once it stopped moving (resolutions still coming are in)."""
        last = self.accepted()
        while True:
            time.sleep(self.COALESCE_MS / 1000 + 1.0)
            now = self.accepted()
            if now == last:
                return now
            last = now

    def subscribers(self, groups):
        s = Subscribers(self.folder, self.url, groups)
        self.addCleanup(s.stop)
        total = sum(g["count"] for g in groups)
        s.wait_until(lambda lines: any(m.get("ready") == total for m in lines), "acks")
        return s

    def test_one_change_is_one_resolution_per_group(self):
        box_id, label = self.box_of_base(1)
        coordinator = self.token_for_base(1)
        other_user = self.keys.token(sub="auth0|9", org=1, base_ids=(1,), roles=("base_1_coordinator",),
                                     permissions=[f"base_1/{r}:read" for r in harness.RESOURCES])
        groups = [  # three distinct groups: 20 alike, another selection, another user
            {"name": "alike", "token": coordinator, "query": BOX, "variables": {"label": label}, "count": 20},
            {"name": "selection", "token": coordinator, "query": BOX_OTHER, "variables": {"label": label}, "count": 3},
            {"name": "user", "token": other_user, "query": BOX, "variables": {"label": label}, "count": 2},
        ]
        s = self.subscribers(groups)
        s.wait_until(lambda lines: len([m for m in lines if "next" in m]) == 25, "every first state")
        before = self.settled()
        self.assertEqual(len(s.events()), 25, "one first state each, nothing else")

        self.db.sql(f"UPDATE stock SET items = items + 4 WHERE id = {box_id}")
        items = int(self.db.scalar(f"SELECT items FROM stock WHERE id = {box_id}"))
        s.wait_until(lambda lines: len([m for m in lines if "next" in m]) == 50, "every subscriber's event")
        after = self.settled()
        self.assertEqual(after - before, len(groups), "one resolution per group")
        for g in groups:
            got = s.events(g["name"])[-g["count"]:]
            self.assertEqual(sorted(m["i"] for m in got), list(range(g["count"])), g["name"])
            self.assertTrue(all(m["next"]["data"]["box"]["numberOfItems"] == items for m in got), got)
        self.assertEqual(len(s.events()), 50, "one event each")

    def test_a_burst_to_one_box_is_one_event(self):
        box_id, label = self.box_of_base(1, state=1)
        s = self.subscribers([{"name": "burst", "token": self.token_for_base(1), "query": BOX,
                               "variables": {"label": label}, "count": 3}])
        s.wait_until(lambda lines: len([m for m in lines if "next" in m]) == 3, "first states")
        before = self.settled()
        burst = 20     # one-row transactions, back to back from one client: well inside a second
        self.db.sql(";".join([f"UPDATE stock SET items = items + 1 WHERE id = {box_id}"] * burst))
        items = int(self.db.scalar(f"SELECT items FROM stock WHERE id = {box_id}"))
        s.wait_until(lambda lines: len([m for m in lines if "next" in m]) >= 6, "the burst's event")
        after = self.settled()
        events = s.events()[3:]
        self.assertEqual(len(events), 3, "one event per subscriber for the whole burst")
        self.assertTrue(all(m["next"]["data"]["box"]["numberOfItems"] == items for m in events), events)
        self.assertEqual(after - before, 1, "one resolution for the burst")


if __name__ == "__main__":
    unittest.main(verbosity=2)
