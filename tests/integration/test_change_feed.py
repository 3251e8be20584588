"""The change feed (issue 18): every committed row change in MariaDB's binary log arrives as one
message, with the right table, key, changed columns, base and GTID, whoever made the change.

Subscribers are depot-feed-sub processes (a real ZeroMQ SUB socket; they print each message as
a JSON line). Expected values come from SQL run here (@@last_gtid, the binary log's own events),
never from the feed. Cases:
  - a change by plain SQL (as boxtribute's PHP application would write) and one by a Depot
    mutation arrive with their keys, changed columns, base and GTIDs; /metrics shows the mode;
  - a rolled-back transaction publishes nothing;
  - kill -9 of feed-svc (three-process form) and of MariaDB during a stream of writes: after
    the restarts every committed change arrives exactly once (sequence numbers seen before are
    dropped, as a subscriber does), compared with the GTIDs SHOW BINLOG EVENTS lists;
  - with the binary log off the feed says it is in fallback mode, at start-up and in /metrics.
Licensed under the Apache License 2.0.
"""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

WAIT = 30 * float(os.environ.get("DEPOT_TEST_TIMEOUT_MULTIPLIER", "1"))


class Subscriber:
    """depot-feed-sub on the feed's endpoint; messages() reads what it printed so far."""

    def __init__(self, folder, endpoint, name="sub"):
        self.path = os.path.join(folder, f"{name}.jsonl")
        self.out = open(self.path, "wb")
        self.process = subprocess.Popen([harness.binary("feed-svc", "depot-feed-sub"), endpoint],
                                        stdout=self.out, stderr=subprocess.STDOUT)

    def messages(self):
        with open(self.path) as f:
            return [json.loads(line) for line in f if line.endswith("\n")]

    def wait_for(self, predicate, what, after=0):
        """The messages from the after-th on that match predicate, once there is one."""
        deadline = time.time() + WAIT
        while time.time() < deadline:
            found = [m for m in self.messages()[after:] if predicate(m)]
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no {what} within {WAIT} s; got {self.messages()[-5:]}")

    def wait_subscribed(self):
        """A FEED_STATUS arrives every second: once one is here, nothing published is missed."""
        self.wait_for(lambda m: m["type"] == "status", "status")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.out.close()


def changes(messages, table=None):
    return [m for m in messages if m["type"] == "change" and (table is None or m["table"] == table)]


def metrics(depot):
    with urllib.request.urlopen(depot.url.replace("/graphql", "/metrics"), timeout=10) as r:
        return r.read().decode()


def sample(text, name):
    m = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def binlog_transactions(db, table):
    """{gtid: number of row events of dropapp_dev.<table>} of every transaction in the binlog."""
    result, gtid = {}, None
    for log in db.sql("SHOW BINARY LOGS"):
        for row in db.sql(f"SHOW BINLOG EVENTS IN '{log[0]}'"):
            if len(row) < 6:
                continue                # a later line of a statement written over several
            kind, info = row[2], row[5] or ""
            if kind == "Gtid":
                gtid = re.search(r"GTID (\S+)", info).group(1)
            elif kind == "Table_map" and f"({db.database}.{table})" in info:
                result.setdefault(gtid, 0)
    return result


class ChangeFeed(unittest.TestCase):
    """One-process depot with its feed on a TCP endpoint."""

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        folder = cls.scratch.path
        cls.db = harness.MariaDB(folder)
        harness.load_demo(cls.db, boxes=50)
        cls.keys = harness.Keys(folder)
        cls.depot = harness.Depot(cls.db, cls.keys, folder, form="one", feed=True)
        cls.sub = Subscriber(folder, cls.depot.feed_endpoint)
        cls.sub.wait_subscribed()

    @classmethod
    def tearDownClass(cls):
        cls.sub.stop()
        codes = cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()
        assert codes == [0], codes

    def test_a_change_by_plain_sql_arrives_with_its_key_columns_and_gtid(self):
        box = int(self.db.scalar("SELECT id FROM stock WHERE items IS NOT NULL ORDER BY id LIMIT 1"))
        # One session: the UPDATE and its own GTID.
        gtid = self.db.scalar(f"UPDATE stock SET items = items + 1, comments = 'feed sql {time.time()}'"
                              f" WHERE id = {box}; SELECT @@last_gtid")
        got = self.sub.wait_for(lambda m: m.get("gtid") == gtid and m["type"] == "change", "change")
        self.assertEqual(len(got), 1, got)
        self.assertEqual(got[0]["table"], "stock")
        self.assertEqual(got[0]["op"], "update")
        self.assertEqual(got[0]["key"], [box])
        self.assertEqual(sorted(got[0]["columns"]), ["comments", "items"])
        self.assertIsNone(got[0]["base"])          # a box does not name its base

        # An insert of a row that names its base (camp_id): every column, the base from SQL.
        gtid, tag, base = self.db.sql(
            "INSERT INTO tags (label, color, camp_id, type, description, created) VALUES"
            " ('feed tag', '#aabbcc', 1, 'All', '', UTC_TIMESTAMP());"
            " SELECT @@last_gtid, LAST_INSERT_ID(), camp_id FROM tags WHERE id = LAST_INSERT_ID()")[0]
        got = self.sub.wait_for(lambda m: m.get("gtid") == gtid and m["type"] == "change", "insert")
        self.assertEqual([(m["table"], m["op"], m["key"], m["base"]) for m in got],
                         [("tags", "insert", [int(tag)], int(base))])
        columns = [r[0] for r in self.db.sql(
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
            " AND TABLE_NAME = 'tags' ORDER BY ORDINAL_POSITION")]
        self.assertEqual(got[0]["columns"], columns)

    def test_a_change_by_a_depot_mutation_arrives_with_the_gtid_it_answered(self):
        token = self.keys.token(permissions=[f"base_1/{r}:read" for r in harness.RESOURCES]
                                + ["base_1/tag:write"])
        status, body, headers = harness.post(self.depot.url, {
            "query": harness.read_query(os.path.join("mutations", "CreateTag.graphql")),
            "variables": {"baseId": 1, "name": "feed mutation", "type": "All", "color": "#112233",
                          "description": ""}}, token)
        self.assertEqual(status, 200, body)
        tag = int(body["data"]["createTag"]["id"])
        gtid = headers["X-Depot-Gtid"]
        got = self.sub.wait_for(lambda m: m["type"] == "change" and m["table"] == "tags"
                                and m["key"] == [tag], "the mutation's change")
        self.assertEqual(len(got), 1, got)
        self.assertEqual(got[0]["gtid"], gtid)
        self.assertEqual(got[0]["op"], "insert")
        self.assertEqual(got[0]["base"], int(self.db.scalar(f"SELECT camp_id FROM tags WHERE id = {tag}")))

    def test_a_rolled_back_transaction_publishes_nothing(self):
        before = len(self.sub.messages())
        box = int(self.db.scalar("SELECT MAX(id) FROM stock"))
        self.db.sql(f"BEGIN; UPDATE stock SET comments = 'rolled back' WHERE id = {box};"
                    " DELETE FROM tags WHERE id = 1; ROLLBACK")
        # A committed marker after it: once the marker arrives, the rollback would have too.
        marker = self.db.scalar(f"UPDATE stock SET comments = 'marker {time.time()}' WHERE id = {box};"
                                " SELECT @@last_gtid")
        self.sub.wait_for(lambda m: m.get("gtid") == marker, "the marker")
        later = changes(self.sub.messages()[before:])
        self.assertEqual([m["gtid"] for m in later], [marker], later)

    def test_a_statement_without_row_events_is_a_resync(self):
        """A transaction the feed cannot publish as rows (a session writing with
        binlog_format=STATEMENT, DDL) is a RESYNC at its position: whoever keeps rows or
        counts reloads them."""
        box = int(self.db.scalar("SELECT MIN(id) FROM stock"))
        before = len(self.sub.messages())
        gtid = self.db.scalar("SET SESSION binlog_format = 'STATEMENT';"
                              f" UPDATE stock SET comments = 'statement {time.time()}' WHERE id = {box};"
                              " SELECT @@last_gtid")
        got = self.sub.wait_for(lambda m: m["type"] == "resync" and m["gtid"] == gtid,
                                "the RESYNC of a statement-format UPDATE", after=before)
        self.assertEqual(len(got), 1, got)
        self.assertIn("without row events", got[0]["reason"])
        self.assertEqual(changes(self.sub.messages()[before:]), [])
        before = len(self.sub.messages())
        gtid = self.db.scalar("CREATE TABLE feed_probe (id INT); SELECT @@last_gtid")
        self.sub.wait_for(lambda m: m["type"] == "resync" and m["gtid"] == gtid, "the RESYNC of DDL",
                          after=before)
        # Row changes go on as before, with no gap in the numbers.
        marker = self.db.scalar(f"UPDATE stock SET comments = 'rows {time.time()}' WHERE id = {box};"
                                " SELECT @@last_gtid")
        got = self.sub.wait_for(lambda m: m.get("gtid") == marker, "the row change after them")
        self.assertEqual([m["type"] for m in got], ["change"])
        self.db.sql("DROP TABLE feed_probe")

    def test_sequence_numbers_have_no_gap_and_metrics_show_the_mode(self):
        self.db.sql("UPDATE stock SET comments = CONCAT('seq ', id) WHERE id <= 5")
        self.sub.wait_for(lambda m: m["type"] == "change" and m["table"] == "stock"
                          and m["columns"] == ["comments"] and m["key"] == [5], "five rows")
        numbers = [m["seq"] for m in self.sub.messages() if m["type"] != "status"]
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + len(numbers))))
        deadline = time.time() + WAIT
        while sample(metrics(self.depot), 'depot_feed_mode{mode="binlog"}') != 1 and time.time() < deadline:
            time.sleep(0.2)
        text = metrics(self.depot)
        self.assertEqual(sample(text, 'depot_feed_mode{mode="binlog"}'), 1, text)
        self.assertEqual(sample(text, 'depot_feed_mode{mode="fallback"}'), 0)
        self.assertIsNotNone(sample(text, "depot_feed_lag_seconds"))
        self.assertIsNotNone(sample(text, "depot_feed_transactions_behind"))


class ChangeFeedUnderFaults(unittest.TestCase):
    """Three-process Depot with feed-svc, which the test kills and starts again."""

    def test_kill_9_of_the_feed_and_of_mariadb_loses_and_repeats_nothing(self):
        scratch = harness.Scratch()
        folder = scratch.path
        db = harness.MariaDB(folder)
        sub = depot = None
        try:
            harness.load_demo(db, boxes=50)
            keys = harness.Keys(folder)
            depot = harness.Depot(db, keys, folder, form="three", feed=True)
            sub = Subscriber(folder, depot.feed_endpoint)
            sub.wait_subscribed()
            start = db.scalar("SELECT @@gtid_binlog_pos")
            boxes = [int(r[0]) for r in db.sql("SELECT id FROM stock ORDER BY id LIMIT 40")]

            # The stream: one transaction per statement, each a new comment on one box,
            # through one client session after another; a statement MariaDB refused (it was
            # down) is simply not committed.
            stop = threading.Event()
            committed = []

            def write():
                i = 0
                while not stop.is_set():
                    i += 1
                    try:
                        gtid = db.scalar(f"UPDATE stock SET comments = 'stream {i}' WHERE id ="
                                         f" {boxes[i % len(boxes)]}; SELECT @@last_gtid")
                        committed.append(gtid)
                    except subprocess.CalledProcessError:
                        time.sleep(0.05)
            writer = threading.Thread(target=write)
            writer.start()
            try:
                time.sleep(1.5)
                depot.kill("feed-svc")
                time.sleep(0.5)
                depot.restart("feed-svc")
                time.sleep(1.5)
                with open(os.path.join(folder, "mariadb", "mysqld.pid")) as f:
                    pid = int(f.read())
                os.kill(pid, signal.SIGKILL)
                while os.path.exists(f"/proc/{pid}"):
                    time.sleep(0.05)
                db.start()
                time.sleep(1.5)
                depot.kill("feed-svc")
                depot.restart("feed-svc")
                time.sleep(1.5)
            finally:
                stop.set()
                writer.join()
            end = db.scalar("SELECT @@gtid_binlog_pos")
            sub.wait_for(lambda m: m["type"] == "status" and m["gtid"] == end, "the feed at the end")

            # As a subscriber does: it starts from the number its first status names (the
            # feed's last); a number seen before is a transaction published again.
            messages = sub.messages()
            first = next(i for i, m in enumerate(messages) if m["type"] == "status")
            seen, delivered, repeated = messages[first]["seq"], [], 0
            for m in messages[first + 1:]:
                if m["type"] == "status":
                    continue
                if m["seq"] <= seen:
                    repeated += 1
                    continue
                self.assertEqual(m["seq"], seen + 1, f"a gap before {m}")
                seen = m["seq"]
                delivered.append(m)
            in_binlog = binlog_transactions(db, "stock")
            start_seq = int(start.split("-")[2])
            expected = sorted((g for g in in_binlog if int(g.split("-")[2]) > start_seq),
                              key=lambda g: int(g.split("-")[2]))
            got = [m["gtid"] for m in changes(delivered, "stock")]
            print(f"\nfeed under faults: {len(expected)} transactions committed, {len(committed)}"
                  f" acknowledged to the writer, {len(got)} delivered, {repeated} repeated and"
                  " dropped by sequence number", flush=True)
            self.assertGreater(len(expected), 20)
            self.assertEqual(got, expected)            # each exactly once, in commit order
            self.assertTrue(set(committed) <= set(expected))
        finally:
            if sub:
                sub.stop()
            codes = depot.stop() if depot else None
            db.stop()
            scratch.remove()
        self.assertEqual(codes, [0, 0, 0, 0])


class ChangeFeedPurgedPosition(unittest.TestCase):
    """The feed stopped, changes made meanwhile, and the binlog holding its stored position
    purged: the restarted feed cannot publish what it missed, so it sends a RESYNC (subscribers
    reload), then goes on from the binlog's end."""

    def test_a_purged_position_is_a_resync_then_new_changes(self):
        scratch = harness.Scratch()
        folder = scratch.path
        db = harness.MariaDB(folder)
        depot = sub = None
        try:
            harness.load_demo(db, boxes=10)
            keys = harness.Keys(folder)
            endpoint = f"tcp://127.0.0.1:{harness.free_port()}"
            env = {"DEPOT_FEED_BIND": endpoint}             # the same endpoint after the restart
            depot = harness.Depot(db, keys, folder, form="one", extra_env=env)
            sub = Subscriber(folder, endpoint)
            sub.wait_subscribed()
            seen = db.scalar("UPDATE stock SET comments = 'before the stop' WHERE id = 1; SELECT @@last_gtid")
            sub.wait_for(lambda m: m.get("gtid") == seen, "the change before the stop")
            self.assertEqual(depot.stop(), [0])
            depot = None
            self.assertEqual(db.scalar("SELECT gtid FROM depot_feed_position"), seen)

            # While the feed is away: a change, then its binlog (and the position's) purged.
            missed = db.scalar("UPDATE stock SET comments = 'while away' WHERE id = 2; SELECT @@last_gtid")
            db.sql("FLUSH BINARY LOGS")
            newest = db.sql("SHOW MASTER STATUS")[0][0]
            # MariaDB keeps a binlog until InnoDB's binlog checkpoint has moved past it
            # (a moment after the flush): purge until only the newest is left.
            deadline = time.time() + WAIT
            while True:
                db.sql(f"PURGE BINARY LOGS TO '{newest}'")
                logs = [r[0] for r in db.sql("SHOW BINARY LOGS")]
                if logs == [newest] or time.time() > deadline:
                    break
                time.sleep(0.2)
            self.assertEqual(logs, [newest])
            end = db.scalar("SELECT @@gtid_binlog_pos")

            before = len(sub.messages())
            depot = harness.Depot(db, keys, folder, form="one", extra_env=env)
            resync = sub.wait_for(lambda m: m["type"] == "resync", "the RESYNC", after=before)
            self.assertEqual(len(resync), 1, resync)
            self.assertEqual(resync[0]["gtid"], end)
            self.assertIn("no longer in the binary log", resync[0]["reason"])
            after = db.scalar("UPDATE stock SET comments = 'after the restart' WHERE id = 3; SELECT @@last_gtid")
            sub.wait_for(lambda m: m.get("gtid") == after, "the change after the restart")

            later = [m for m in sub.messages()[before:] if m["type"] != "status"]
            self.assertEqual([(m["type"], m.get("gtid"), m.get("key")) for m in later],
                             [("resync", end, None), ("change", after, [3])])
            self.assertNotIn(missed, [m["gtid"] for m in changes(sub.messages())])
            numbers = [m["seq"] for m in sub.messages() if m["type"] != "status"]
            self.assertEqual(numbers, list(range(numbers[0], numbers[0] + len(numbers))))
        finally:
            if sub:
                sub.stop()
            codes = depot.stop() if depot else [0]
            db.stop()
            scratch.remove()
        self.assertEqual(codes, [0])


class ChangeFeedFallback(unittest.TestCase):
    """A binary log the feed cannot follow (off, STATEMENT format, no REPLICATION SLAVE grant):
    the feed says why at start-up and in /metrics, and publishes Depot's own committed writes
    (not other applications')."""

    def check_fallback(self, reason, mariadb_args=(), prepare_sql=None, depot_env=None):
        scratch = harness.Scratch()
        folder = scratch.path
        db = harness.MariaDB(folder, args=list(mariadb_args))
        depot = sub = None
        try:
            harness.load_demo(db, boxes=10)
            if prepare_sql:
                db.sql(prepare_sql)
            keys = harness.Keys(folder)
            depot = harness.Depot(db, keys, folder, form="one", feed=True, extra_env=depot_env)
            sub = Subscriber(folder, depot.feed_endpoint)
            sub.wait_for(lambda m: m["type"] == "status" and m["mode"] == "fallback", "fallback status")
            deadline = time.time() + WAIT
            while sample(metrics(depot), 'depot_feed_mode{mode="fallback"}') != 1 and time.time() < deadline:
                time.sleep(0.2)
            text = metrics(depot)
            self.assertEqual(sample(text, 'depot_feed_mode{mode="fallback"}'), 1, text)
            self.assertEqual(sample(text, 'depot_feed_mode{mode="binlog"}'), 0, text)

            # Plain SQL first (not seen without a binary log to follow), then a Depot mutation (seen).
            db.sql("UPDATE stock SET comments = 'by another application' WHERE id = 1")
            token = keys.token(permissions=[f"base_1/{r}:read" for r in harness.RESOURCES]
                               + ["base_1/tag:write"])
            code, body, headers = harness.post(depot.url, {
                "query": harness.read_query(os.path.join("mutations", "CreateTag.graphql")),
                "variables": {"baseId": 1, "name": "fallback", "type": "All", "color": "#445566",
                              "description": ""}}, token)
            self.assertEqual(code, 200, body)
            tag = int(body["data"]["createTag"]["id"])
            # The tag and its history row, both by SQL; the GTID the mutation answered (none
            # without a binary log).
            gtid = headers.get("X-Depot-Gtid", "")
            history = [int(r[0]) for r in db.sql(
                f"SELECT id FROM history WHERE tablename = 'tags' AND record_id = {tag}")]
            expected = [("tags", "insert", [tag], gtid)] + [("history", "insert", [h], gtid) for h in history]
            sub.wait_for(lambda m: m["type"] == "change" and m["table"] == "history", "Depot's own writes")
            got = changes(sub.messages())
            self.assertEqual([(m["table"], m["op"], m["key"], m["gtid"]) for m in got], expected)
            self.assertIn("label", got[0]["columns"])
            self.assertEqual(int(db.scalar(f"SELECT COUNT(*) FROM tags WHERE id = {tag}")), 1)
        finally:
            if sub:
                sub.stop()
            codes = depot.stop() if depot else None
            db.stop()
            with open(os.path.join(folder, "depot.log")) as f:
                log = f.read()
            scratch.remove()
        self.assertIn(f"the binary log is not usable ({reason}", log)
        self.assertEqual(codes, [0])
        return gtid

    def test_binlog_off_is_fallback_mode_with_depots_own_writes(self):
        self.assertEqual(self.check_fallback("log_bin is off", ["--skip-log-bin"]), "")

    def test_statement_format_is_fallback_mode_with_depots_own_writes(self):
        gtid = self.check_fallback("binlog_format is STATEMENT, not ROW", ["--binlog-format=STATEMENT"])
        self.assertRegex(gtid, r"^\d+-1-\d+$")

    def test_no_replication_grant_is_fallback_mode_with_depots_own_writes(self):
        # A user with the rights Depot's reads and writes need, and no REPLICATION SLAVE.
        gtid = self.check_fallback(
            "no REPLICATION SLAVE grant",
            prepare_sql="CREATE USER 'depot_app'@'localhost' IDENTIFIED BY 'app secret';"
                        " GRANT SELECT, INSERT, UPDATE, DELETE ON dropapp_dev.* TO 'depot_app'@'localhost'",
            depot_env={"MYSQL_USER": "depot_app", "MYSQL_PASSWORD": "app secret"})
        self.assertRegex(gtid, r"^\d+-1-\d+$")


if __name__ == "__main__":
    unittest.main()
