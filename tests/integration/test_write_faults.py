"""Atomicity under faults (issue 14): 16 clients stream the box, QR and tag mutations, each request
with its own Idempotency-Key, while db-svc, then a resolver-svc, then MariaDB are killed with
SIGKILL mid-stream and started again as a supervisor would (the services under the same name,
MariaDB on the same datadir).

Depot runs as separate processes (resilience.Cluster: one gateway, two resolver-svc, one db-svc).
Each client sends the front-end's own documents (tests/queries/mutations/) one after another on
boxes, a source box and a tag of its own: createBox, updateBox (items; product, size, location
and items), moveBoxesToLocation, createBoxFromBox, assignTagsToBoxes, unassignTagsFromBoxes,
createQrCode, createTag, updateTag. As a real client would, it sends a request again with the
same key while it gets no answer, a 5xx, a 409 (the key still held) or an answer with errors
(a field cut short), for at most RETRY_BOUND_S, pausing between tries; every request must end
acknowledged (a 200 with data and no errors) and each client keeps what it sent as its model.

Afterwards, by SQL written here:
- every acknowledged mutation is in the database: each box's product, size, location, items,
  state, QR code and live tags are the client's model; each tag's name, colour and description;
  one box per acknowledged createBox/createBoxFromBox, one tag per createTag, one QR code per
  createQrCode, and no row a request did not acknowledge;
- none is half-applied: each box's history, replayed from the values it was created with
  (boxtribute's encodings: "Record created", then one row per changed column with from_int and
  to_int, each from_int the value so far), ends at its current product, size, location, items
  and state; each QR code assigned has its history row; each tag its "Record created"; no live
  tags_relations row lacks its box or its tag;
- sending every acknowledged request again with its key applies nothing twice: the tables'
  rows, history and checksums are unchanged, and each answer is the one acknowledged.
A fault stops only the requests it hit: a reader alongside sends BoxView with a 2 s deadline,
and every read sent once the killed service is back is answered (MariaDB: once db-svc had time
to reconnect), while the writes whose request died wait for their key's claim to run out.
No request hangs: each try is answered or fails within CLIENT_TIMEOUT_S and the clients stop
within a bound. The outcomes are counted and printed per phase. Licensed under the Apache
License 2.0.
"""
import http.client
import json
import os
import random
import signal
import sys
import threading
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import resilience  # noqa: E402

CLIENTS = 16
DEADLINE_MS = 6000          # a killed request's key is held until its deadline plus 2 s
CLIENT_TIMEOUT_S = 30.0     # one try; longer than the deadline, so a hang shows as a timeout
RETRY_BOUND_S = 60.0        # a request is tried again for at most this long
RETRY_PAUSE_S = 0.25        # between tries, as a client backs off
STEADY_S = 3.0              # load before the first fault and between faults
RESTART_AFTER_S = 0.5       # a supervisor's restart delay
AFTER_S = 5.0               # load after the last restart
STOP_BOUND_S = 120.0        # the clients finish their last requests within this
READ_DEADLINE_MS = 2000     # the reader's X-Request-Timeout-Ms: far above a read's time
READ_SETTLE_S = 1.0         # reads sent this long after a restart must succeed
MARIADB_SETTLE_S = 3.0      # after MariaDB answers again, db-svc reconnects within this

# Box states (boxtribute's BoxState) and the columns history records by from_int/to_int.
IN_STOCK, DONATED = 1, 5
REPLAYED = ("product_id", "size_id", "location_id", "items", "box_state_id")
WRITTEN = ("stock", "history", "tags", "tags_relations", "qr", "depot_idempotency")

CREATE_BOX = harness.read_query("mutations/CreateBox.graphql")
UPDATE_ITEMS = harness.read_query("mutations/UpdateNumberOfItems.graphql")
UPDATE_CONTENT = harness.read_query("mutations/UpdateContentOfBox.graphql")
MOVE_BOXES = harness.read_query("mutations/MoveBoxesToLocation.graphql")
FROM_BOX = harness.read_query("mutations/CreateBoxFromBox.graphql")
ASSIGN_TAGS = harness.read_query("mutations/AssignTagsToBoxes.graphql")
UNASSIGN_TAGS = harness.read_query("mutations/UnassignTagsFromBoxes.graphql")
CREATE_QR = harness.read_query("mutations/CreateQrCode.graphql")
CREATE_TAG = harness.read_query("mutations/CreateTag.graphql")
UPDATE_TAG = harness.read_query("mutations/UpdateTag.graphql")


def answer(parsed):
    """What a client reads: data and errors (extensions.debug counts statements, which a
    replay takes fewer of)."""
    return {k: v for k, v in parsed.items() if k != "extensions"}


def error_message(parsed):
    if isinstance(parsed, dict) and parsed.get("errors"):
        return str(parsed["errors"][0].get("message", ""))[:160]
    return parsed if isinstance(parsed, str) else ""


class Request:
    """One mutation as a client sent it: its key, body and token, every try's outcome
    (status, or 0 and the exception's name), and the acknowledged answer."""

    def __init__(self, kind, key, query, variables, token):
        self.kind, self.key, self.variables, self.token = kind, key, variables, token
        self.body = json.dumps({"query": query, "variables": variables}).encode()
        self.tries = []
        self.log = []               # (monotonic start, status, error message) per try
        self.answer = None
        self.elapsed = 0.0


class Box:
    """A client's model of one of its boxes: the values it was created with (what history
    replays from) and the values its acknowledged requests left."""

    def __init__(self, box_id, label, values, created):
        self.id, self.label = box_id, label
        self.initial = dict(values)
        self.values = dict(values)
        self.created = created      # by a request of the test (then one "Record created")
        self.qr = None
        self.tags = set()


class Client:
    """One client: its own boxes, source box and tags; requests one after another."""

    def __init__(self, index, port, token, fixture, stopping):
        self.index, self.port, self.token, self.fx = index, port, token, fixture
        self.stopping = stopping
        self.rng = random.Random(1000 + index)
        self.requests = []
        self.failed = []            # requests never acknowledged within the bound
        self.boxes = {}             # label -> Box
        self.source = None          # the box createBoxFromBox takes items from
        self.tags = {}              # id -> {"name", "color", "description"}
        self.created_tags = []      # ids of tags made by createTag, with their request
        self.sequence = 0

    # -- sending ----------------------------------------------------------------------------

    def send(self, kind, query, variables, token=None):
        """Send (as the client's user, or `token`'s) until acknowledged or RETRY_BOUND_S
        passed; returns the data or None."""
        self.sequence += 1
        request = Request(kind, f"faults-{self.index}-{self.sequence}-{self.rng.getrandbits(32):08x}",
                          query, variables, token or self.token)
        self.requests.append(request)
        started = time.monotonic()
        while True:
            tried = time.monotonic()
            outcome, parsed = self.try_once(request)
            request.tries.append(outcome)
            request.log.append((tried, outcome, error_message(parsed)))
            request.elapsed = time.monotonic() - started
            if outcome == 200 and isinstance(parsed, dict) and parsed.get("data") is not None \
                    and not parsed.get("errors"):
                request.answer = answer(parsed)
                return parsed["data"]
            retryable = outcome == 0 or outcome == 409 or outcome >= 500 or outcome == 200
            if not retryable or request.elapsed >= RETRY_BOUND_S:
                self.failed.append((request.kind, request.key, outcome, parsed))
                return None
            time.sleep(RETRY_PAUSE_S)

    def try_once(self, request):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=CLIENT_TIMEOUT_S)
        try:
            conn.request("POST", "/graphql", request.body, {
                "Content-Type": "application/json", "Authorization": f"Bearer {request.token}",
                "Idempotency-Key": request.key})
            response = conn.getresponse()
            data = response.read()
            try:
                parsed = json.loads(data)
            except ValueError:
                parsed = None
            return response.status, parsed
        except (OSError, http.client.HTTPException) as e:
            return 0, type(e).__name__
        finally:
            conn.close()

    # -- the stream -------------------------------------------------------------------------

    def run(self):
        fx = self.fx
        self.source = Box(fx.sources[self.index][0], fx.sources[self.index][1], fx.source_values,
                          created=False)
        for box_id, label in fx.boxes[self.index]:
            self.boxes[label] = Box(box_id, label, fx.box_values, created=False)
        tag_id = fx.tags[self.index]
        self.tags[tag_id] = dict(fx.tag_values, name=f"faults tag {self.index}")
        operations = [self.create_box, self.update_items, self.update_content, self.move,
                      self.from_box, self.assign_tags, self.unassign_tags, self.create_qr,
                      self.create_tag, self.update_tag]
        while not self.stopping.is_set():
            self.rng.choice(operations)()

    def location(self):
        return self.rng.choice([self.fx.loc_a, self.fx.loc_b, self.fx.loc_donated])

    def some_boxes(self, most=3):
        labels = sorted(self.boxes)
        return self.rng.sample(labels, self.rng.randint(1, min(most, len(labels))))

    def add_box(self, data, initial):
        box = Box(int(data["id"]), data["labelIdentifier"], initial, created=True)
        self.boxes[box.label] = box
        return box

    def create_box(self):
        fx = self.fx
        location = self.rng.choice([fx.loc_a, fx.loc_donated])
        variables = {"locationId": location, "productId": fx.product, "sizeId": fx.size,
                     "numberOfItems": self.rng.randint(1, 50),
                     "comment": f"faults {self.index}-{self.sequence + 1}"}
        data = self.send("createBox", CREATE_BOX, variables)
        if data:
            self.add_box(data["createBox"], {
                "product_id": fx.product, "size_id": fx.size, "location_id": location,
                "items": variables["numberOfItems"], "box_state_id": fx.state_of[location]})

    def update_items(self):
        label = self.some_boxes(1)[0]
        items = self.rng.randint(0, 60)
        if self.send("updateBox", UPDATE_ITEMS, {"boxLabelIdentifier": label, "numberOfItems": items}):
            self.boxes[label].values["items"] = items

    def update_content(self):
        fx = self.fx
        label = self.some_boxes(1)[0]
        product = self.rng.choice([fx.product, fx.other_product])
        size = self.rng.choice(fx.sizes)
        location, items = self.location(), self.rng.randint(0, 60)
        variables = {"boxLabelIdentifier": label, "productId": product, "sizeId": size,
                     "locationId": location, "numberOfItems": items}
        if self.send("updateBox", UPDATE_CONTENT, variables):
            self.boxes[label].values.update(product_id=product, size_id=size, location_id=location,
                                            items=items, box_state_id=fx.state_of[location])

    def move(self):
        labels, location = self.some_boxes(), self.location()
        if self.send("moveBoxesToLocation", MOVE_BOXES,
                     {"labelIdentifiers": labels, "locationId": location}):
            for label in labels:
                self.boxes[label].values.update(location_id=location,
                                                box_state_id=self.fx.state_of[location])

    def from_box(self):
        fx = self.fx
        items, location = self.rng.randint(1, 3), self.location()
        data = self.send("createBoxFromBox", FROM_BOX, {
            "sourceBoxLabelIdentifier": self.source.label, "numberOfItems": items,
            "locationId": location})
        if data:
            # boxtribute's create_box_from_box: created like the source, in its location with 0
            # items, then given the items and moved.
            source = self.source.values
            box = self.add_box(data["createBoxFromBox"], dict(source, items=0))
            box.values.update(items=items, location_id=location, box_state_id=fx.state_of[location])
            source["items"] -= items

    def tag_ids(self):
        return [self.rng.choice(sorted(self.tags))]

    def assign_tags(self):
        labels, tags = self.some_boxes(), self.tag_ids()
        if self.send("assignTagsToBoxes", ASSIGN_TAGS, {"labelIdentifiers": labels, "tagIds": tags}):
            for label in labels:
                self.boxes[label].tags.update(tags)

    def unassign_tags(self):
        labels, tags = self.some_boxes(), self.tag_ids()
        if self.send("unassignTagsFromBoxes", UNASSIGN_TAGS,
                     {"labelIdentifiers": labels, "tagIds": tags}):
            for label in labels:
                self.boxes[label].tags.difference_update(tags)

    def create_qr(self):
        free = sorted(label for label, box in self.boxes.items() if box.qr is None)
        if not free:
            return
        label = self.rng.choice(free)
        data = self.send("createQrCode", CREATE_QR, {"boxLabelIdentifier": label})
        if data:
            self.boxes[label].qr = data["createQrCode"]["code"]

    def create_tag(self):
        values = {"name": f"faults {self.index}-{self.sequence + 1}", "color": self.color(),
                  "description": f"made by client {self.index}"}
        data = self.send("createTag", CREATE_TAG, dict(values, baseId=1, type="All"))
        if data:
            tag_id = int(data["createTag"]["id"])
            self.tags[tag_id] = values
            self.created_tags.append(tag_id)

    def update_tag(self):
        tag_id = self.rng.choice(sorted(self.tags))
        values = {"name": f"faults {self.index}-{self.sequence + 1} renamed", "color": self.color(),
                  "description": f"changed by request {self.sequence + 1}"}
        if self.send("updateTag", UPDATE_TAG, dict(values, id=str(tag_id), type="All")):
            self.tags[tag_id] = values

    def color(self):
        return "#%06x" % self.rng.getrandbits(24)


class Reader:
    """A client reading one box of the test in a loop (BoxView), each read with a deadline
    of READ_DEADLINE_MS: reads need no key, so they show whether anything but the requests
    a fault hit was held up (a read waits for a connection like any statement)."""

    def __init__(self, port, token, label, stopping):
        self.port, self.token, self.stopping = port, token, stopping
        self.body = resilience.box_view(label)
        self.log = []               # (monotonic start, end, status)

    def run(self):
        while not self.stopping.is_set():
            started = time.monotonic()
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=CLIENT_TIMEOUT_S)
            try:
                conn.request("POST", "/graphql", self.body, {
                    "Content-Type": "application/json", "Authorization": f"Bearer {self.token}",
                    "X-Request-Timeout-Ms": str(READ_DEADLINE_MS)})
                response = conn.getresponse()
                parsed = json.loads(response.read() or b"null")
                status = response.status
                if status == 200 and not (isinstance(parsed, dict) and parsed.get("data")
                                          and not parsed.get("errors")):
                    status = -1     # an answer with errors
            except (OSError, http.client.HTTPException, ValueError):
                status = 0
            finally:
                conn.close()
            self.log.append((started, time.monotonic(), status))
            time.sleep(0.05)


class FaultRun:
    """A stream of clients' mutations under faults, for a unittest.TestCase with cls.db,
    cls.keys, cls.scratch and WRITTEN (the tables the mutations write, depot_idempotency last):
    the faults, the report, the reader's check and every acknowledged request sent again.
    test_transfer_faults.py runs its own clients with it."""

    CLIENTS = CLIENTS
    FAULTS = ("db-svc", "resolver-svc", "MariaDB")      # killed in this order

    def setUp(self):
        self.exit_codes = {}

    def tearDown(self):
        # Every process stopped cleanly (no sanitizer report, no crash at exit).
        self.assertEqual({run: codes for run, codes in self.exit_codes.items()
                          if set(codes.values()) != {0}}, {})

    @classmethod
    def tearDownClass(cls):
        cls.db.stop()
        cls.scratch.remove()

    # -- the faults ---------------------------------------------------------------------------

    def kill_mariadb(self):
        with open(os.path.join(self.scratch.path, "mariadb", "mysqld.pid")) as f:
            os.kill(int(f.read().strip()), signal.SIGKILL)
        time.sleep(RESTART_AFTER_S)
        self.db.start()

    def stream_with_faults(self, make_client, reader_token, reader_label):
        """The stream of self.CLIENTS clients (make_client(index, port, stopping)) with the faults
        of FAULTS in turn; returns the clients, the reader, the timeline of the faults and the
        clients left running after STOP_BOUND_S."""
        folder = os.path.join(self.scratch.path, "cluster")
        os.makedirs(folder)
        cluster = resilience.Cluster(self.db, self.keys, folder, dbs=1, resolvers=2,
                                     extra_env={"DEPOT_DEADLINE_MS": str(DEADLINE_MS)})
        stopping = threading.Event()
        clients = [make_client(i, cluster.port, stopping) for i in range(self.CLIENTS)]
        reader = Reader(cluster.port, reader_token, reader_label, stopping)
        threads = [threading.Thread(target=c.run, daemon=True) for c in clients + [reader]]
        timeline = [("start", time.monotonic(), time.monotonic())]
        try:
            for t in threads:
                t.start()

            def restart(name):
                cluster.kill(name)
                time.sleep(RESTART_AFTER_S)
                cluster.start(name)

            faults = {"db-svc": lambda: restart("db0"), "resolver-svc": lambda: restart("resolver0"),
                      "MariaDB": self.kill_mariadb}
            for name in self.FAULTS:
                time.sleep(STEADY_S)
                killed = time.monotonic()
                faults[name]()
                timeline.append((name, killed, time.monotonic()))
            time.sleep(AFTER_S)
            timeline.append(("end", time.monotonic(), time.monotonic()))
            stopping.set()
            deadline = time.monotonic() + STOP_BOUND_S
            for t in threads:
                t.join(max(0.0, deadline - time.monotonic()))
            hung = sum(t.is_alive() for t in threads)
        finally:
            stopping.set()
            self.exit_codes["stream"] = cluster.stop()
        return clients, reader, timeline, hung

    def resend_all(self, clients, port):
        """Every acknowledged request again with its key and token, eight at a time; returns
        the requests whose answer differs, with both answers."""
        acknowledged = [r for c in clients for r in c.requests if r.answer is not None]

        def again(request):
            status, parsed, _ = harness.post(f"http://127.0.0.1:{port}/graphql", None, request.token,
                                             headers={"Idempotency-Key": request.key},
                                             raw=request.body, timeout=CLIENT_TIMEOUT_S)
            got = answer(parsed) if status == 200 and isinstance(parsed, dict) else (status, parsed)
            return None if got == request.answer else (request.kind, request.key, request.answer, got)

        with ThreadPoolExecutor(8) as pool:
            return [d for d in pool.map(again, acknowledged) if d is not None], len(acknowledged)

    # -- the checks -----------------------------------------------------------------------------

    def report(self, clients, timeline, hung):
        """Per phase (from one fault to the next): the tries by status, the first error
        messages, and how long after the service was back the first request was
        acknowledged, and for how many clients."""
        requests = [r for c in clients for r in c.requests]
        tries = [t for r in requests for t in r.log]
        start = timeline[0][1]
        by_kind = {}
        for r in requests:
            by_kind[r.kind] = by_kind.get(r.kind, 0) + 1
        print(f"\n  {len(requests)} mutations by {len(clients)} clients in {len(tries)} tries: "
              f"{dict(sorted(by_kind.items()))}", flush=True)
        print("  phase          from     tries  acknowledged  by status (0: no answer)      "
              "first ack after restart  clients  errors", flush=True)
        for (name, killed, back), (_, until, _) in zip(timeline, timeline[1:]):
            phase = [t for t in tries if killed <= t[0] < until]
            statuses = {}
            for _, status, _ in phase:
                statuses[status] = statuses.get(status, 0) + 1
            acked = [(r.log[-1][0], r.key.split("-")[1]) for r in requests
                     if r.answer is not None and back <= r.log[-1][0] < until]
            acks = sorted(t for t, _ in acked)
            first = acks[0] - back if acks else None
            clients_acked = len({client for _, client in acked})
            messages = sorted({m for _, status, m in phase if status != 200 and m})[:3]
            print(f"  {name:12} {killed - start:6.1f} s {len(phase):6}  {len(acks):12}  "
                  f"{str(dict(sorted(statuses.items()))):28}  "
                  f"{'-' if first is None else f'{first:.2f} s':>23}  {clients_acked:7}  "
                  f"{messages}", flush=True)
        retried = [r for r in requests if len(r.tries) > 1]
        print(f"  sent again by their client: {len(retried)} requests (most tries "
              f"{max((len(r.tries) for r in requests), default=0)}, longest "
              f"{max((r.elapsed for r in requests), default=0):.1f} s); clients hung: {hung}",
              flush=True)

    def table_state(self):
        counts = {t: self.db.scalar(f"SELECT COUNT(*) FROM {t}") for t in self.WRITTEN}
        return counts, self.db.sql("CHECKSUM TABLE " + ", ".join(self.WRITTEN[:-1]))

    def check_stream(self, clients, reader, timeline, hung):
        """A fault stops only the requests it hit: once the service is back, nothing else
        waits for what the killed process left behind (reads need no key; a write whose
        request died waits for its key's claim to run out, by design). No client hung and
        every request was acknowledged within the bound."""
        self.report(clients, timeline, hung)
        failed_reads = {}
        for (name, _, back), (_, until, _) in zip(timeline[1:], timeline[2:]):
            settle = MARIADB_SETTLE_S if name == "MariaDB" else READ_SETTLE_S
            statuses = [status for started, ended, status in reader.log
                        if back + settle <= started and ended < until]
            self.assertTrue(statuses, f"no read answered between the {name} restart and the next fault")
            failed_reads[name] = {}
            for status in statuses:
                if status != 200:
                    failed_reads[name][status] = failed_reads[name].get(status, 0) + 1
        print(f"  reads: {len(reader.log)}, failed after each restart: {failed_reads}", flush=True)
        self.assertEqual({k: v for k, v in failed_reads.items() if v}, {},
                         "reads that failed once the killed service was back")
        self.assertEqual(hung, 0, "clients still waiting for an answer")
        failed = [f[:3] for c in clients for f in c.failed]
        self.assertEqual(failed, [], "requests not acknowledged within the bound")

    def check_sent_again(self, clients):
        """Every acknowledged request again, with its key, on a fresh Depot: nothing twice."""
        before = self.table_state()
        folder = os.path.join(self.scratch.path, "again")
        os.makedirs(folder)
        again = resilience.Cluster(self.db, self.keys, folder, dbs=1, resolvers=1,
                                   extra_env={"DEPOT_DEADLINE_MS": str(DEADLINE_MS)})
        try:
            differ, sent = self.resend_all(clients, again.port)
        finally:
            self.exit_codes["again"] = again.stop()
        print(f"  sent again with their keys: {sent} acknowledged requests, "
              f"{len(differ)} answered otherwise", flush=True)
        self.assertEqual(differ[:3], [], "answers of a request sent again with its key")
        self.assertEqual(self.table_state(), before, "tables changed by requests sent again")


def replay_stock_history(db, initial):
    """Each box's stock history replayed from the values it started with (initial: {box id:
    {column of REPLAYED: value}}; boxtribute's encodings: one row per changed column with
    from_int and to_int). Returns ({box id: values replayed}, {box id: {other change: rows}},
    [rows whose from_int is not the value so far])."""
    replayed = {box_id: {c: str(v[c]) for c in REPLAYED} for box_id, v in initial.items()}
    others = {box_id: {} for box_id in initial}
    broken = []
    for record_id, changes, from_int, to_int in db.sql(
            "SELECT record_id, changes, from_int, to_int FROM history WHERE tablename = 'stock' "
            "AND record_id IN (" + ",".join(str(i) for i in initial) + ") ORDER BY id"):
        box_id = int(record_id)
        replay = replayed[box_id]
        if changes in replay:
            if from_int != replay[changes]:
                broken.append((box_id, "from_int is not the value so far", changes, from_int,
                               replay[changes]))
            replay[changes] = to_int
        else:
            others[box_id][changes] = others[box_id].get(changes, 0) + 1
    return replayed, others, broken


class WriteFaults(FaultRun, unittest.TestCase):

    WRITTEN = WRITTEN

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db, boxes=50)
        cls.keys = harness.Keys(cls.scratch.path)
        cls.write_fixture()
        permissions = [f"base_1/{r}:read" for r in harness.RESOURCES] + [
            "base_1/stock:write", "base_1/tag_relation:assign", "base_1/tag:write", "base_1/qr:create"]
        cls.token = cls.keys.token(permissions=permissions)

    @classmethod
    def write_fixture(cls):
        """Locations, boxes and tags of the test's own in base 1, and a product of base 1
        with two sizes, another of the same size group."""
        db = cls.db
        db.sql("INSERT INTO locations (label, camp_id, type, box_state_id, seq) VALUES "
               f"('Faults A', 1, 'Warehouse', {IN_STOCK}, 1), ('Faults B', 1, 'Warehouse', {IN_STOCK}, 1), "
               f"('Faults Donated', 1, 'Warehouse', {DONATED}, 1)")
        loc = dict(db.sql("SELECT label, id FROM locations WHERE label LIKE 'Faults %'"))
        cls.loc_a, cls.loc_b = int(loc["Faults A"]), int(loc["Faults B"])
        cls.loc_donated = int(loc["Faults Donated"])
        cls.state_of = {cls.loc_a: IN_STOCK, cls.loc_b: IN_STOCK, cls.loc_donated: DONATED}
        group, product, other = db.sql(
            "SELECT p.sizegroup_id, MIN(p.id), MAX(p.id) FROM products p WHERE p.camp_id = 1 "
            "AND p.deleted IS NULL AND (SELECT COUNT(*) FROM sizes_sizegroup ss "
            "WHERE ss.sizegroup_id = p.sizegroup_id) >= 2 GROUP BY p.sizegroup_id "
            "HAVING COUNT(*) >= 2 ORDER BY p.sizegroup_id LIMIT 1")[0]
        cls.product, cls.other_product = int(product), int(other)
        cls.sizes = [int(r[0]) for r in db.sql(
            f"SELECT size_id FROM sizes_sizegroup WHERE sizegroup_id = {group} ORDER BY size_id LIMIT 2")]
        cls.size = cls.sizes[0]
        cls.box_values = {"product_id": cls.product, "size_id": cls.size, "location_id": cls.loc_a,
                          "items": 20, "box_state_id": IN_STOCK}
        cls.source_values = dict(cls.box_values, items=100000)
        cls.tag_values = {"color": "#aabbcc", "description": ""}
        rows = []
        for client in range(CLIENTS):
            rows.append((f"9{client:02d}00000", cls.source_values))
            rows += [(f"9{client:02d}0000{n}", cls.box_values) for n in (1, 2)]
        values = ", ".join(
            f"('{label}', {v['product_id']}, {v['size_id']}, {v['items']}, {v['location_id']}, "
            f"{v['box_state_id']}, '2024-05-06 07:08:09', 2, '2024-05-06 07:08:09', 2, 0)"
            for label, v in rows)
        db.sql("INSERT INTO stock (box_id, product_id, size_id, items, location_id, box_state_id, "
               f"created, created_by, modified, modified_by, deleted) VALUES {values}")
        ids = dict((r[1], int(r[0])) for r in db.sql(
            "SELECT id, box_id FROM stock WHERE box_id LIKE '9__0000_' ORDER BY id"))
        cls.sources = [(ids[f"9{c:02d}00000"], f"9{c:02d}00000") for c in range(CLIENTS)]
        cls.boxes = [[(ids[f"9{c:02d}0000{n}"], f"9{c:02d}0000{n}") for n in (1, 2)]
                     for c in range(CLIENTS)]
        db.sql("INSERT INTO tags (label, color, camp_id, type, description, created) VALUES " + ", ".join(
            f"('faults tag {c}', '#aabbcc', 1, 'All', '', '2024-01-01 00:00:00')" for c in range(CLIENTS)))
        tags = dict(db.sql("SELECT label, id FROM tags WHERE label LIKE 'faults tag %'"))
        cls.tags = [int(tags[f"faults tag {c}"]) for c in range(CLIENTS)]
        cls.first_stock = int(db.scalar("SELECT MAX(id) FROM stock")) + 1
        cls.first_tag = int(db.scalar("SELECT MAX(id) FROM tags")) + 1
        cls.first_qr = int(db.scalar("SELECT COALESCE(MAX(id), 0) FROM qr")) + 1

    def stock_rows(self, ids):
        rows = self.db.sql("SELECT id, product_id, size_id, location_id, items, box_state_id, "
                           "qr_id, deleted FROM stock WHERE id IN (" + ",".join(map(str, ids)) + ")")
        return {int(r[0]): r[1:] for r in rows}

    def check_acknowledged(self, clients):
        """Every acknowledged mutation is in the database, and nothing else the test made."""
        boxes = [b for c in clients for b in list(c.boxes.values()) + [c.source]]
        rows = self.stock_rows([b.id for b in boxes])
        qr_codes = dict((r[0], r[1]) for r in self.db.sql("SELECT id, code FROM qr"))
        live_tags = {}
        for box_id, tag_id in self.db.sql(
                "SELECT object_id, tag_id FROM tags_relations WHERE object_type = 'Stock' "
                "AND deleted_on IS NULL"):
            live_tags.setdefault(int(box_id), set()).add(int(tag_id))
        wrong = []
        for box in boxes:
            row = rows.get(box.id)
            expected = [str(box.values[c]) for c in REPLAYED]
            got = row and [row[0], row[1], row[2], row[3], row[4]]
            qr = row and row[5] and qr_codes.get(row[5])
            if got != expected or qr != box.qr or row[6] not in ("0", "0000-00-00 00:00:00") \
                    or live_tags.get(box.id, set()) != box.tags:
                wrong.append((box.label, expected, got, box.qr, qr, box.tags, live_tags.get(box.id)))
        self.assertEqual(wrong, [], "boxes that differ from what their acknowledged requests left")
        # One box per acknowledged creation, and no box, tag or QR code that none acknowledged.
        made = sorted(b.id for c in clients for b in c.boxes.values() if b.created)
        in_db = sorted(int(r[0]) for r in self.db.sql(f"SELECT id FROM stock WHERE id >= {self.first_stock}"))
        self.assertEqual(in_db, made, "boxes made, against acknowledged creations")
        tags = {int(r[0]): {"name": r[1], "color": r[2], "description": r[3]} for r in self.db.sql(
            "SELECT id, label, color, description FROM tags WHERE label LIKE 'faults %' AND deleted IS NULL")}
        model = {tag_id: values for c in clients for tag_id, values in c.tags.items()}
        self.assertEqual(tags, model, "tags against acknowledged createTag/updateTag")
        qrs = sorted(int(r[0]) for r in self.db.sql(f"SELECT id FROM qr WHERE id >= {self.first_qr}"))
        assigned = sorted(int(rows[b.id][5]) for b in boxes if b.qr)
        self.assertEqual(qrs, assigned, "QR codes made, against acknowledged createQrCode")
        # Each acknowledged request's answer is stored under its key.
        stored = {r[0] for r in self.db.sql(
            "SELECT DISTINCT idem_key FROM depot_idempotency WHERE idem_key LIKE 'faults-%' AND field = 0")}
        missing = [r.key for c in clients for r in c.requests if r.answer and r.key not in stored]
        self.assertEqual(missing, [], "acknowledged requests without their stored answer")

    def check_history(self, clients):
        """Each box's history replays, from the values it was created with, to its row; each
        QR code has its row, each tag its "Record created"; no orphan tag relation."""
        boxes = [b for c in clients for b in list(c.boxes.values()) + [c.source]]
        replayed, others, broken = replay_stock_history(self.db, {b.id: b.initial for b in boxes})
        rows = self.stock_rows([b.id for b in boxes])
        for box in boxes:
            current = dict(zip(REPLAYED, rows[box.id][:5]))
            if replayed[box.id] != current:
                broken.append((box.label, "replays to", replayed[box.id], "is", current))
            created = others[box.id].get("Record created", 0)
            qr_rows = others[box.id].get("New Qr-code assigned by pdf generation.", 0)
            if created != int(box.created) or qr_rows != int(box.qr is not None):
                broken.append((box.label, "Record created rows", created, "QR rows", qr_rows))
        self.assertEqual(broken, [], "boxes whose history does not replay to their row")
        made = sorted(t for c in clients for t in c.created_tags)
        logged = sorted(int(r[0]) for r in self.db.sql(
            "SELECT record_id FROM history WHERE tablename = 'tags' AND changes = 'Record created' "
            f"AND record_id >= {self.first_tag}"))
        self.assertEqual(logged, made, "tags created, against their history")
        orphans = self.db.sql(
            "SELECT r.id, r.object_id, r.tag_id FROM tags_relations r "
            "LEFT JOIN stock s ON s.id = r.object_id LEFT JOIN tags t ON t.id = r.tag_id "
            "WHERE r.object_type = 'Stock' AND r.deleted_on IS NULL AND (s.id IS NULL OR t.id IS NULL)")
        self.assertEqual(orphans, [], "live tag relations without their box or tag")

    def test_kill_db_svc_resolver_mariadb_mid_stream(self):
        clients, reader, timeline, hung = self.stream_with_faults(
            lambda i, port, stopping: Client(i, port, self.token, self, stopping),
            self.token, self.boxes[0][0][1])
        self.check_stream(clients, reader, timeline, hung)
        self.check_acknowledged(clients)
        self.check_history(clients)
        self.check_sent_again(clients)


if __name__ == "__main__":
    unittest.main(verbosity=2)
