"""Live updates (issue 19): GraphQL subscriptions over WebSocket (graphql-transport-ws), served
by the live actor (libwebsockets) from the change feed, each event resolved as a query of the
subscriber's user. Live runs it inside `depot`; LiveSeparateProcesses runs the event cases against
separate processes (db-svc, gateway, resolver-svc, feed-svc and live-svc over tcp://).

Subscribers are real clients under Node (tests/js/live_client.mjs): the graphql-ws client, and
Apollo Client with GraphQLWsLink. Expected values come from SQL run here. Cases:
  - a connection_init without a token, or with a bad one, is closed with 4403 (Forbidden);
  - a change by plain SQL to a box of base 1 reaches base 1's boxesChanged subscriber with its
    selection; base 2's subscriber receives nothing;
  - a change by a Depot mutation (updateBox) reaches Apollo Client's box subscription;
  - a box leaving the filter's view is reported by id in removedBoxIds;
  - a token that expires closes the connection with 4403;
  - Server-Sent Events (graphql-sse, distinct connections) on the same port: curl and the
    graphql-sse client receive the box and boxes of base 1 as SQL changes them; no token or a
    bad one is 401, a request not accepting text/event-stream 406.
Licensed under the Apache License 2.0.
"""
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

WAIT = 30 * float(os.environ.get("DEPOT_TEST_TIMEOUT_MULTIPLIER", "1"))
CLIENT = os.path.join(harness.REPO, "tests", "js", "live_client.mjs")

BOXES = """subscription Live($baseId: ID!, $filter: FilterBoxInput) {
  boxesChanged(baseId: $baseId, filterInput: $filter) {
    changed { id labelIdentifier numberOfItems location { id } }
    removedBoxIds
    __typename
  }
}"""
BOX = """subscription Box($label: String!) {
  box(labelIdentifier: $label) { labelIdentifier numberOfItems comment }
}"""


class NodeOutput:
    """A Node script whose stdout (JSON lines) goes to a file; lines() is what it printed so far."""

    def __init__(self, path, argv, stdin=None):
        self.path = path
        self.out = open(self.path, "wb")
        self.process = subprocess.Popen([harness.node()] + argv, stdout=self.out,
                                        stderr=subprocess.STDOUT,
                                        stdin=subprocess.PIPE if stdin is not None else None)
        if stdin is not None:
            self.process.stdin.write(stdin)
            self.process.stdin.close()

    def lines(self):
        with open(self.path) as f:
            return [json.loads(line) for line in f if line.endswith("\n") and line.startswith("{")]

    def wait_until(self, predicate, what):
        """The lines once predicate(lines) holds; fails after WAIT seconds."""
        deadline = time.time() + WAIT
        while time.time() < deadline:
            lines = self.lines()
            if predicate(lines):
                return lines
            time.sleep(0.05)
        raise AssertionError(f"no {what} within {WAIT} s; got {self.lines()[-5:]}")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.out.close()


class Client(NodeOutput):
    """One live_client.mjs."""

    def __init__(self, folder, name, url, token, query, variables=None, mode="graphql-ws"):
        super().__init__(os.path.join(folder, f"{name}.jsonl"),
                         [CLIENT, url, token, query, json.dumps(variables or {}), mode])

    def wait_for(self, predicate, what):
        """The lines that match predicate, once there is one."""
        lines = self.wait_until(lambda lines: any(predicate(m) for m in lines), what)
        return [m for m in lines if predicate(m)]


def events(client, root):
    return [m["next"]["data"][root] for m in client.lines() if "next" in m and m["next"].get("data")]


class Setup:
    """MariaDB with demo data and Depot in the class's FORM, live updates on."""
    FORM = "one"
    COALESCE_MS = 50

    @classmethod
    def setUpClass(cls):
        if not harness.node():
            raise unittest.SkipTest("no node")
        cls.scratch = harness.Scratch()
        cls.folder = cls.scratch.path
        cls.db = harness.MariaDB(cls.folder)
        harness.load_demo(cls.db, boxes=50)
        cls.keys = harness.Keys(cls.folder)
        cls.depot = harness.Depot(cls.db, cls.keys, cls.folder, form=cls.FORM, live=True,
                                  extra_env={"DEPOT_LIVE_COALESCE_MS": str(cls.COALESCE_MS)})
        cls.url = cls.depot.live_url
        cls.clients = []

    @classmethod
    def tearDownClass(cls):
        for c in cls.clients:
            c.stop()
        codes = cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()
        assert set(codes) == {0}, codes

    def client(self, name, token, query, variables=None, mode="graphql-ws"):
        c = Client(self.folder, name, self.url, token, query, variables, mode)
        self.clients.append(c)
        return c

    def token_for_base(self, base, ttl=3600):
        org = int(self.db.scalar(f"SELECT organisation_id FROM camps WHERE id = {base}"))
        perms = [f"base_{base}/{r}:read" for r in harness.RESOURCES] + [f"base_{base}/stock:write", f"base_{base}/tag_relation:assign"]
        return self.keys.token(org=org, base_ids=(base,), roles=(f"base_{base}_coordinator",),
                               permissions=perms, ttl=ttl)

    def box_of_base(self, base, state=1):
        return self.db.sql(
            "SELECT s.id, s.box_id FROM stock s JOIN locations l ON l.id = s.location_id"
            f" WHERE l.camp_id = {base} AND s.box_state_id = {state} AND s.items IS NOT NULL"
            " AND (s.deleted IS NULL OR s.deleted = 0) ORDER BY s.id LIMIT 1")[0]


class EventCases:
    """Changes by SQL and by a mutation reaching the right subscribers: run in each form."""

    def test_a_change_by_sql_reaches_the_bases_subscriber_only(self):
        other = int(self.db.scalar("SELECT MIN(id) FROM camps WHERE id <> 1"))
        here = self.client("base1", self.token_for_base(1), BOXES, {"baseId": "1"})
        there = self.client("base2", self.token_for_base(other), BOXES, {"baseId": str(other)})
        here.wait_for(lambda m: "ready" in m, "ack")
        there.wait_for(lambda m: "ready" in m, "ack")
        time.sleep(1.0)          # each group has read its view
        box_id, label = self.box_of_base(1)
        self.db.sql(f"UPDATE stock SET items = items + 3, comments = 'live sql' WHERE id = {box_id}")
        items, location = self.db.sql(f"SELECT items, location_id FROM stock WHERE id = {box_id}")[0]
        got = here.wait_for(lambda m: "next" in m, "event")
        event = got[0]["next"]["data"]["boxesChanged"]
        self.assertEqual(event["__typename"], "BoxesChangedEvent")
        self.assertEqual(event["changed"], [{"id": str(box_id), "labelIdentifier": label,
                                             "numberOfItems": int(items),
                                             "location": {"id": str(location)}}])
        self.assertEqual(event["removedBoxIds"], [])
        # Base 2's group resolved the same change (its view) by now; give it the same time again.
        time.sleep(2.0)
        self.assertEqual([m for m in there.lines() if "next" in m or "error" in m], [])

    def test_a_mutation_reaches_apollo_clients_box_subscription(self):
        token = self.token_for_base(1)
        box_id, label = self.box_of_base(1)
        c = self.client("apollo", token, BOX, {"label": label}, mode="apollo")
        first = c.wait_for(lambda m: "next" in m, "the box's state")[0]["next"]["data"]["box"]
        self.assertEqual(first["labelIdentifier"], label)
        items = int(self.db.scalar(f"SELECT items FROM stock WHERE id = {box_id}"))
        self.assertEqual(first["numberOfItems"], items)
        status, body, _ = harness.post(self.depot.url, {
            "query": "mutation($l: String!, $n: Int) { updateBox(updateInput: "
                     "{labelIdentifier: $l, numberOfItems: $n}) { numberOfItems } }",
            "variables": {"l": label, "n": items + 7}}, token)
        self.assertEqual(status, 200, body)
        self.assertNotIn("errors", body, body)
        got = c.wait_for(lambda m: "next" in m and m["next"]["data"]["box"]["numberOfItems"] != items,
                         "the changed box")
        after = int(self.db.scalar(f"SELECT items FROM stock WHERE id = {box_id}"))
        self.assertEqual(after, items + 7)
        self.assertEqual(got[0]["next"]["data"]["box"]["numberOfItems"], after)


class Live(Setup, EventCases, unittest.TestCase):
    """Depot in one process: live updates in `depot` itself."""

    def test_connection_init_without_a_valid_token_is_refused_with_4403(self):
        for name, token in (("none", "-"), ("bad", "not.a.token")):
            c = self.client(f"refused-{name}", token, BOX, {"label": "1"})
            got = c.wait_for(lambda m: "closed" in m, "close")
            self.assertEqual(got[0]["closed"], 4403, got)
            self.assertFalse([m for m in c.lines() if "next" in m])

    def test_a_box_leaving_the_view_is_reported_by_id(self):
        c = self.client("view", self.token_for_base(1), BOXES,
                        {"baseId": "1", "filter": {"states": ["InStock"]}})
        c.wait_for(lambda m: "ready" in m, "ack")
        time.sleep(1.0)
        box_id, _ = self.box_of_base(1)
        lost = self.db.scalar("SELECT id FROM box_state WHERE label = 'Lost'")
        self.db.sql(f"UPDATE stock SET box_state_id = {lost} WHERE id = {box_id}")
        got = c.wait_for(lambda m: "next" in m and m["next"]["data"]["boxesChanged"]["removedBoxIds"],
                         "removal")
        event = got[0]["next"]["data"]["boxesChanged"]
        self.assertEqual(event["removedBoxIds"], [str(box_id)])
        self.assertEqual(event["changed"], [])
        self.db.sql(f"UPDATE stock SET box_state_id = 1 WHERE id = {box_id}")

    def test_an_expiring_token_closes_the_connection_with_4403(self):
        c = self.client("expiring", self.token_for_base(1, ttl=1), BOX, {"label": "x"})
        c.wait_for(lambda m: "ready" in m, "ack")
        got = c.wait_for(lambda m: "closed" in m, "close at expiry")
        self.assertEqual(got[0]["closed"], 4403, got)

    # Server-Sent Events (graphql-sse, distinct connections mode) on the same port.

    def curl_stream(self, name, token, query, variables, accept="text/event-stream"):
        """curl POSTing one subscription; returns (process, its output's path)."""
        path = os.path.join(self.folder, f"{name}.sse")
        out = open(path, "wb")
        headers = ["-H", "Content-Type: application/json", "-H", f"Accept: {accept}"]
        if token:
            headers += ["-H", f"Authorization: Bearer {token}"]
        process = subprocess.Popen(
            ["curl", "-sN", "-w", "\nstatus %{http_code}\n", *headers,
             "--data", json.dumps({"query": query, "variables": variables}),
             self.url.replace("ws://", "http://")], stdout=out, stderr=subprocess.STDOUT)
        self.addCleanup(lambda: (process.poll() is None and process.kill(), process.wait(), out.close()))
        return process, path

    @staticmethod
    def sse_events(path):
        """The `next` events' data of an SSE stream so far."""
        with open(path, "rb") as f:
            text = f.read().decode()
        return [json.loads(block.split("data: ", 1)[1]) for block in text.split("\n\n")
                if block.startswith("event: next\ndata: ")]

    def wait_until(self, found, what):
        deadline = time.time() + WAIT
        while time.time() < deadline:
            got = found()
            if got:
                return got
            time.sleep(0.05)
        raise AssertionError(f"no {what} within {WAIT} s")

    def test_sse_with_curl_streams_the_box_and_its_change(self):
        box_id, label = self.box_of_base(1)
        items = int(self.db.scalar(f"SELECT items FROM stock WHERE id = {box_id}"))
        _, path = self.curl_stream("curl-box", self.token_for_base(1), BOX, {"label": label})
        first = self.wait_until(lambda: self.sse_events(path), "first event")[0]
        self.assertEqual(first["data"]["box"]["labelIdentifier"], label)
        self.assertEqual(first["data"]["box"]["numberOfItems"], items)
        self.db.sql(f"UPDATE stock SET items = items + 5 WHERE id = {box_id}")
        after = int(self.db.scalar(f"SELECT items FROM stock WHERE id = {box_id}"))
        got = self.wait_until(lambda: [e for e in self.sse_events(path)
                                       if e["data"]["box"]["numberOfItems"] == after], "the change")
        self.assertEqual(got[0]["data"]["box"]["labelIdentifier"], label)

    def test_sse_refuses_no_token_and_a_missing_accept(self):
        for name, token, accept, status in (("no-token", None, "text/event-stream", "401"),
                                            ("bad-token", "not.a.token", "text/event-stream", "401"),
                                            ("no-accept", self.token_for_base(1), "application/json", "406")):
            process, path = self.curl_stream(f"refused-{name}", token, BOX, {"label": "1"}, accept)
            process.wait(timeout=WAIT)
            with open(path) as f:
                text = f.read()
            self.assertIn(f"status {status}", text, name)
            self.assertNotIn("event: next", text, name)

    def test_sse_with_the_graphql_sse_client_gets_a_change_by_sql(self):
        c = self.client("sse-boxes", self.token_for_base(1), BOXES, {"baseId": "1"}, mode="sse")
        c.wait_for(lambda m: "ready" in m, "start")
        time.sleep(1.0)          # the group has read its view
        box_id, label = self.box_of_base(1)
        self.db.sql(f"UPDATE stock SET items = items + 2, comments = 'live sse' WHERE id = {box_id}")
        items = int(self.db.scalar(f"SELECT items FROM stock WHERE id = {box_id}"))
        got = c.wait_for(lambda m: "next" in m and any(
            b["id"] == str(box_id) and b["numberOfItems"] == items
            for b in m["next"]["data"]["boxesChanged"]["changed"]), "event")
        box = [b for b in got[0]["next"]["data"]["boxesChanged"]["changed"] if b["id"] == str(box_id)][0]
        self.assertEqual(box["labelIdentifier"], label)


class LiveSeparateProcesses(Setup, EventCases, unittest.TestCase):
    """Depot as separate processes: live-svc subscribes to feed-svc and resolves through the
    gateway's broker (DEPOT_EXECUTE_BIND), as compose.yaml deploys it."""
    FORM = "three"


if __name__ == "__main__":
    unittest.main(verbosity=2)
