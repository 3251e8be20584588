"""Shipments under faults (issue 15): clients stream the preparing and receiving mutations of
shipments between two bases of two organisations, each request with its own Idempotency-Key,
while db-svc and then MariaDB are killed with SIGKILL mid-stream and started again (db-svc
0.5 s later under the same name, MariaDB on the same datadir). The stream, the faults, the
retries and the second sending of every request are test_write_faults.py's (FaultRun, Client).

Everything the stream starts from is written here with SQL: an agreement from base 1 to a base
of another organisation, per client InStock boxes in base 1, Preparing shipments and a Sent
shipment with InTransit boxes and their details. Each client sends the front-end's documents
(tests/queries/mutations/): AssignBoxesToShipment and UnassignBoxesFromShipment
(updateShipmentWhenPreparing), SendShipment as the source base's user, StartReceivingShipment
and UpdateShipmentWhenReceiving (a box reconciled, a box marked lost) as the target base's
user, choosing only what its model of its shipments allows, so every request must end
acknowledged.

Afterwards, by SQL written here:
- every acknowledged mutation is fully in the database: each box's state and open shipment,
  each shipment's state and its details are the client's model (no detail a request did not
  acknowledge, none twice); a received box has the target values the client sent;
- none is half-applied: a box is in at most one open (not removed, lost or received) detail;
  a MarkedForShipment/InTransit/Receiving box has exactly one open detail, of a shipment in
  Preparing/Sent/Receiving, and each open detail's box is in its shipment's box state; a
  received box is InStock in the target base with its detail's target values; a Completed or
  Lost shipment has no open detail and a Receiving one has one; each box's history replays from
  the values it was inserted with to its product, location, size, items and state;
- sending every acknowledged request again with its key changes nothing (row counts and
  CHECKSUM TABLE of shipment, shipment_detail, stock, history) and answers what it answered.
Licensed under the Apache License 2.0.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_write_faults as faults  # noqa: E402
from test_mutation_shipment_prepare import prepare_permissions  # noqa: E402

ASSIGN = harness.read_query("mutations/AssignBoxesToShipment.graphql")
UNASSIGN = harness.read_query("mutations/UnassignBoxesFromShipment.graphql")
SEND = harness.read_query("mutations/SendShipment.graphql")
START_RECEIVING = harness.read_query("mutations/StartReceivingShipment.graphql")
RECEIVE = harness.read_query("mutations/UpdateShipmentWhenReceiving.graphql")

CLIENTS = 12
BOXES, PREPARING, IN_TRANSIT_BOXES = 8, 3, 3     # per client
IN_STOCK, MARKED, RECEIVING, IN_TRANSIT, NOT_DELIVERED = 1, 3, 4, 7, 8
BOX_STATE_OF = {"Preparing": MARKED, "Sent": IN_TRANSIT, "Receiving": RECEIVING}
OPEN = "d.removed_on IS NULL AND d.lost_on IS NULL AND d.received_on IS NULL"
IDLE_S = 0.05               # a client with nothing its model allows waits this long


class Shipment:
    """A client's model of one shipment: its state and its details (id -> [label, how it
    was closed: None while open, "removed", "lost" or "received"])."""

    def __init__(self, shipment_id, state):
        self.id, self.state = shipment_id, state
        self.details = {}

    def open_labels(self):
        return sorted(label for label, closed in self.details.values() if closed is None)

    def open_detail(self, label):
        return next(d for d, (lbl, closed) in self.details.items() if lbl == label and closed is None)


class TransferClient(faults.Client):
    """A client with boxes of base 1 and shipments of its own: the source base's user prepares
    and sends, the target base's user receives. The model: each box's state, values and
    shipment; each shipment's state and details."""

    def run(self):
        fx = self.fx
        self.boxes = {label: faults.Box(box_id, label, fx.box_values, created=False)
                      for box_id, label in fx.client_boxes[self.index]}
        self.shipment_of = {}       # label -> Shipment with its open detail
        self.shipments = [Shipment(s, "Preparing") for s in fx.preparing[self.index]]
        sent = Shipment(fx.sent[self.index][0], "Sent")
        for detail, box_id, label in fx.sent[self.index][1]:
            self.boxes[label] = faults.Box(box_id, label, dict(fx.box_values, box_state_id=IN_TRANSIT),
                                           created=False)
            self.shipment_of[label] = sent
            sent.details[detail] = [label, None]
        self.shipments.append(sent)
        operations = [self.assign, self.assign, self.unassign, self.send_shipment,
                      self.start_receiving, self.receive, self.receive]
        while not self.stopping.is_set():
            if not self.rng.choice(operations)():
                time.sleep(IDLE_S)

    def in_state(self, state):
        return [s for s in self.shipments if s.state == state]

    def learn_details(self, shipment, answered, labels):
        """The open details of the boxes just added (their ids are the answer's): any other
        detail in the table is one no request acknowledged."""
        for d in answered["details"]:
            if d["box"]["labelIdentifier"] in labels and d["removedOn"] is None:
                shipment.details[int(d["id"])] = [d["box"]["labelIdentifier"], None]

    def assign(self):
        shipments = self.in_state("Preparing")
        free = sorted(label for label, box in self.boxes.items() if label not in self.shipment_of
                      and box.values["box_state_id"] == IN_STOCK and box.values["location_id"] == self.fx.location)
        if not shipments or not free:
            return False
        shipment = self.rng.choice(shipments)
        labels = self.rng.sample(free, min(len(free), self.rng.randint(1, 2)))
        data = self.send("updateShipmentWhenPreparing", ASSIGN,
                         {"id": str(shipment.id), "labelIdentifiers": labels})
        if data:
            self.learn_details(shipment, data["updateShipmentWhenPreparing"], labels)
            for label in labels:
                self.boxes[label].values["box_state_id"] = MARKED
                self.shipment_of[label] = shipment
        return True

    def unassign(self):
        shipments = [s for s in self.in_state("Preparing") if s.open_labels()]
        if not shipments:
            return False
        shipment = self.rng.choice(shipments)
        label = self.rng.choice(shipment.open_labels())
        if self.send("updateShipmentWhenPreparing", UNASSIGN,
                     {"id": str(shipment.id), "labelIdentifiers": [label]}):
            shipment.details[shipment.open_detail(label)][1] = "removed"
            self.boxes[label].values["box_state_id"] = IN_STOCK
            del self.shipment_of[label]
        return True

    def send_shipment(self):
        shipments = [s for s in self.in_state("Preparing") if len(s.open_labels()) >= 2]
        if not shipments:
            return False
        shipment = self.rng.choice(shipments)
        if self.send("sendShipment", SEND, {"id": str(shipment.id)}):
            shipment.state = "Sent"
            for label in shipment.open_labels():
                self.boxes[label].values["box_state_id"] = IN_TRANSIT
        return True

    def start_receiving(self):
        shipments = self.in_state("Sent")
        if not shipments:
            return False
        shipment = self.rng.choice(shipments)
        if self.send("startReceivingShipment", START_RECEIVING, {"id": str(shipment.id)},
                     self.fx.target_token):
            shipment.state = "Receiving"
            for label in shipment.open_labels():
                self.boxes[label].values["box_state_id"] = RECEIVING
        return True

    def receive(self):
        """One box reconciled and, now and then, another marked lost (the overlay's two
        actions); the shipment completes when none is left."""
        shipments = self.in_state("Receiving")
        if not shipments:
            return False
        fx = self.fx
        shipment = self.rng.choice(shipments)
        labels = shipment.open_labels()
        self.rng.shuffle(labels)
        received, lost = labels[:1], labels[1:2] if self.rng.random() < 0.3 else []
        targets = {label: {"product_id": fx.target_product, "location_id": fx.target_location,
                           "size_id": self.rng.choice(fx.target_sizes), "items": self.rng.randint(0, 40),
                           "box_state_id": IN_STOCK} for label in received}
        inputs = [{"id": str(shipment.open_detail(label)), "targetProductId": t["product_id"],
                   "targetLocationId": t["location_id"], "targetSizeId": t["size_id"],
                   "targetQuantity": t["items"]} for label, t in targets.items()]
        if self.send("updateShipmentWhenReceiving", RECEIVE,
                     {"id": str(shipment.id), "receivedShipmentDetailUpdateInputs": inputs,
                      "lostBoxLabelIdentifiers": lost}, fx.target_token):
            for label, values in targets.items():
                shipment.details[shipment.open_detail(label)][1] = "received"
                self.boxes[label].values.update(values)
                del self.shipment_of[label]
            for label in lost:
                shipment.details[shipment.open_detail(label)][1] = "lost"
                self.boxes[label].values["box_state_id"] = NOT_DELIVERED
                del self.shipment_of[label]
            kept = [closed for _, closed in shipment.details.values() if closed != "removed"]
            if None not in kept:
                shipment.state = "Lost" if set(kept) == {"lost"} else "Completed"
        return True


class TransferFaults(faults.FaultRun, unittest.TestCase):

    CLIENTS = CLIENTS
    FAULTS = ("db-svc", "MariaDB")
    WRITTEN = ("shipment", "shipment_detail", "stock", "history", "depot_idempotency")

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db, boxes=50)
        cls.keys = harness.Keys(cls.scratch.path)
        cls.write_fixture()

    @classmethod
    def write_fixture(cls):
        """An accepted agreement from base 1 to the other organisation's base; a location and
        a product of each side; per client its boxes, Preparing shipments, and a Sent shipment
        with InTransit boxes and their open details."""
        db = cls.db
        cls.target = int(db.scalar("SELECT MIN(id) FROM camps WHERE organisation_id <> 1 "
                                   "AND (deleted IS NULL OR deleted = 0)"))
        target_org = int(db.scalar(f"SELECT organisation_id FROM camps WHERE id = {cls.target}"))
        db.sql("INSERT INTO transfer_agreement (source_organisation_id, target_organisation_id, state, type, "
               f"requested_on, requested_by, valid_from) VALUES (1, {target_org}, 'Accepted', 'SendingTo', "
               "'2024-01-01 00:00:00', 2, '2024-01-01 00:00:00')")
        agreement = int(db.scalar("SELECT MAX(id) FROM transfer_agreement"))
        db.sql("INSERT INTO transfer_agreement_detail (transfer_agreement_id, source_base_id, target_base_id) "
               f"VALUES ({agreement}, 1, {cls.target})")
        db.sql("INSERT INTO locations (label, camp_id, type, box_state_id, seq) VALUES "
               f"('TF Stock', 1, 'Warehouse', {IN_STOCK}, 1), ('TF Shelf', {cls.target}, 'Warehouse', {IN_STOCK}, 1)")
        loc = dict(db.sql("SELECT label, id FROM locations WHERE label LIKE 'TF %'"))
        cls.location, cls.target_location = int(loc["TF Stock"]), int(loc["TF Shelf"])
        product, group = db.sql(
            "SELECT p.id, p.sizegroup_id FROM products p WHERE p.camp_id = 1 AND p.deleted IS NULL AND "
            "(SELECT COUNT(*) FROM sizes_sizegroup ss WHERE ss.sizegroup_id = p.sizegroup_id) >= 2 "
            "ORDER BY p.id LIMIT 1")[0]
        sizes = [int(r[0]) for r in db.sql(
            f"SELECT size_id FROM sizes_sizegroup WHERE sizegroup_id = {group} ORDER BY size_id LIMIT 2")]
        db.sql("INSERT INTO products (name, category_id, gender_id, sizegroup_id, camp_id, value, created, "
               f"created_by) SELECT 'TF Jackets', category_id, gender_id, sizegroup_id, {cls.target}, 0, "
               f"'2024-01-01 00:00:00', 2 FROM products WHERE id = {product}")
        cls.target_product = int(db.scalar("SELECT id FROM products WHERE name = 'TF Jackets'"))
        cls.target_sizes = sizes
        cls.box_values = {"product_id": int(product), "size_id": sizes[0], "location_id": cls.location,
                          "items": 20, "box_state_id": IN_STOCK}
        # Boxes: 8cc0000nn, the first BOXES InStock, the next IN_TRANSIT_BOXES InTransit; one
        # more the reader reads.
        rows = [("899999999", IN_STOCK)] + [
            (f"8{c:02d}0000{n:02d}", IN_STOCK if n < BOXES else IN_TRANSIT)
            for c in range(CLIENTS) for n in range(BOXES + IN_TRANSIT_BOXES)]
        v = cls.box_values
        db.sql("INSERT INTO stock (box_id, product_id, size_id, items, location_id, box_state_id, created, "
               "created_by, modified, modified_by, deleted) VALUES " + ", ".join(
                   f"('{label}', {v['product_id']}, {v['size_id']}, {v['items']}, {v['location_id']}, {state}, "
                   "'2024-05-06 07:08:09', 2, '2024-05-06 07:08:09', 2, 0)" for label, state in rows))
        ids = dict((r[1], int(r[0])) for r in db.sql("SELECT id, box_id FROM stock WHERE box_id LIKE '8%'"))
        cls.reader_label = "899999999"
        cls.client_boxes = [[(ids[f"8{c:02d}0000{n:02d}"], f"8{c:02d}0000{n:02d}") for n in range(BOXES)]
                            for c in range(CLIENTS)]
        shipment = ("INSERT INTO shipment (source_base_id, target_base_id, transfer_agreement_id, state, "
                    "started_on, started_by_id, sent_on, sent_by_id) VALUES ")
        db.sql(shipment + ", ".join(f"(1, {cls.target}, {agreement}, 'Preparing', '2024-06-01 10:00:00', 8, "
                                    "NULL, NULL)" for _ in range(CLIENTS * PREPARING)))
        first = int(db.scalar("SELECT MAX(id) FROM shipment")) - CLIENTS * PREPARING + 1
        cls.preparing = [list(range(first + c * PREPARING, first + (c + 1) * PREPARING)) for c in range(CLIENTS)]
        cls.sent = []
        for c in range(CLIENTS):
            db.sql(shipment + f"(1, {cls.target}, {agreement}, 'Sent', '2024-06-01 10:00:00', 8, "
                   "'2024-06-02 10:00:00', 8)")
            sent = int(db.scalar("SELECT MAX(id) FROM shipment"))
            labels = [f"8{c:02d}0000{n:02d}" for n in range(BOXES, BOXES + IN_TRANSIT_BOXES)]
            db.sql("INSERT INTO shipment_detail (shipment_id, box_id, source_product_id, source_location_id, "
                   "source_size_id, source_quantity, created_on, created_by_id) SELECT "
                   f"{sent}, id, product_id, location_id, size_id, items, '2024-06-01 11:00:00', 8 FROM stock "
                   f"WHERE box_id IN ({','.join(repr(x) for x in labels)}) ORDER BY id")
            details = db.sql(f"SELECT d.id, s.id, s.box_id FROM shipment_detail d JOIN stock s ON s.id = d.box_id "
                             f"WHERE d.shipment_id = {sent} ORDER BY d.id")
            cls.sent.append((sent, [(int(d), int(b), label) for d, b, label in details]))
        cls.shipment_ids = [s for c in range(CLIENTS) for s in cls.preparing[c] + [cls.sent[c][0]]]
        cls.source_token = cls.keys.token(permissions=prepare_permissions(1))
        cls.target_token = cls.keys.token(sub="auth0|9", org=target_org, base_ids=(cls.target,),
                                          roles=(f"base_{cls.target}_coordinator",),
                                          permissions=prepare_permissions(cls.target))

    # -- the checks -------------------------------------------------------------------------------

    def check_acknowledged(self, clients):
        """Each box's state, values and open shipment, each shipment's state and details are
        what the acknowledged requests left, and there is no other detail."""
        db = self.db
        wrong = []
        boxes = {b.id: (c, label) for c in clients for label, b in c.boxes.items()}
        rows = db.sql("SELECT s.id, s.product_id, s.size_id, s.location_id, s.items, s.box_state_id, "
                      f"(SELECT GROUP_CONCAT(d.shipment_id) FROM shipment_detail d WHERE d.box_id = s.id AND {OPEN}) "
                      f"FROM stock s WHERE s.id IN ({','.join(map(str, boxes))})")
        for box_id, product, size, location, items, state, open_in in rows:
            client, label = boxes[int(box_id)]
            box = client.boxes[label]
            shipment = client.shipment_of.get(label)
            expected = [str(box.values[c]) for c in ("product_id", "size_id", "location_id", "items",
                                                     "box_state_id")] + [shipment and str(shipment.id)]
            if [product, size, location, items, state, open_in] != expected:
                wrong.append((label, "is", [product, size, location, items, state, open_in], "not", expected))
        self.assertEqual(wrong, [], "boxes that differ from what their acknowledged requests left")
        shipments = {s.id: s for c in clients for s in c.shipments}
        states = dict((int(i), state) for i, state in db.sql(
            f"SELECT id, state FROM shipment WHERE id IN ({','.join(map(str, shipments))})"))
        self.assertEqual(states, {i: s.state for i, s in shipments.items()}, "shipment states")
        details = {}
        for shipment_id, detail_id, label, removed, lost, received in db.sql(
                "SELECT d.shipment_id, d.id, s.box_id, d.removed_on IS NOT NULL, d.lost_on IS NOT NULL, "
                "d.received_on IS NOT NULL FROM shipment_detail d JOIN stock s ON s.id = d.box_id "
                f"WHERE d.shipment_id IN ({','.join(map(str, shipments))})"):
            closed = [kind for kind, flag in (("removed", removed), ("lost", lost), ("received", received))
                      if flag == "1"]
            details.setdefault(int(shipment_id), {})[int(detail_id)] = [label, closed[0] if closed else None]
        model = {i: {d: list(v) for d, v in s.details.items()} for i, s in shipments.items() if s.details}
        self.assertEqual(details, model, "details of the shipments against the acknowledged requests")

    def check_invariants(self, clients):
        """No half-applied transition, by SQL over the test's shipments and boxes alone."""
        db = self.db
        shipments = ",".join(map(str, self.shipment_ids))
        boxes = ",".join(str(b.id) for c in clients for b in c.boxes.values())
        self.assertEqual(db.sql(f"SELECT d.box_id, COUNT(*) FROM shipment_detail d WHERE {OPEN} "
                                "GROUP BY d.box_id HAVING COUNT(*) > 1"), [],
                         "boxes in more than one open shipment detail")
        box_state = " ".join(f"WHEN '{state}' THEN {box}" for state, box in BOX_STATE_OF.items())
        self.assertEqual(db.sql(
            "SELECT s.id, s.box_state_id, COUNT(d.id), GROUP_CONCAT(sh.state) FROM stock s "
            f"LEFT JOIN shipment_detail d ON d.box_id = s.id AND {OPEN} LEFT JOIN shipment sh ON sh.id = d.shipment_id "
            f"WHERE s.id IN ({boxes}) AND s.box_state_id IN ({MARKED}, {IN_TRANSIT}, {RECEIVING}) GROUP BY s.id "
            f"HAVING COUNT(d.id) <> 1 OR MIN(CASE sh.state {box_state} END) <> s.box_state_id"), [],
            "boxes on their way without exactly one open detail of a shipment in the matching state")
        self.assertEqual(db.sql(
            f"SELECT d.id, sh.state, s.box_state_id FROM shipment_detail d JOIN shipment sh ON sh.id = d.shipment_id "
            f"JOIN stock s ON s.id = d.box_id WHERE sh.id IN ({shipments}) AND {OPEN} "
            f"AND NOT (CASE sh.state {box_state} ELSE 0 END <=> s.box_state_id)"), [],
            "open details whose box is not in its shipment's box state")
        self.assertEqual(db.sql(
            "SELECT d.id, s.product_id, s.location_id, s.size_id, s.items, s.box_state_id, l.camp_id FROM "
            "shipment_detail d JOIN shipment sh ON sh.id = d.shipment_id JOIN stock s ON s.id = d.box_id "
            f"JOIN locations l ON l.id = s.location_id WHERE sh.id IN ({shipments}) AND d.received_on IS NOT NULL "
            "AND NOT (s.product_id <=> d.target_product_id AND s.location_id <=> d.target_location_id "
            f"AND s.size_id <=> d.target_size_id AND s.items <=> d.target_quantity AND s.box_state_id = {IN_STOCK} "
            "AND l.camp_id = sh.target_base_id)"), [],
            "received boxes not in the target base with their detail's target values")
        self.assertEqual(db.sql(
            f"SELECT sh.id, sh.state, sh.completed_on, SUM(d.id IS NOT NULL AND {OPEN}) AS open_details "
            f"FROM shipment sh LEFT JOIN shipment_detail d ON d.shipment_id = sh.id WHERE sh.id IN ({shipments}) "
            "GROUP BY sh.id, sh.state, sh.completed_on "
            "HAVING (state IN ('Completed', 'Lost') AND open_details > 0) "
            "OR (state = 'Receiving' AND COALESCE(open_details, 0) = 0) "
            "OR (state IN ('Completed', 'Lost') AND completed_on IS NULL)"), [],
            "shipments whose state does not match their details")
        initial = {box.id: box.initial for c in clients for box in c.boxes.values()}
        replayed, _, broken = faults.replay_stock_history(db, initial)
        for box_id, product, size, location, items, state in db.sql(
                "SELECT id, product_id, size_id, location_id, items, box_state_id FROM stock "
                f"WHERE id IN ({boxes})"):
            current = dict(zip(faults.REPLAYED, (product, size, location, items, state)))
            if replayed[int(box_id)] != current:
                broken.append((box_id, "replays to", replayed[int(box_id)], "is", current))
        self.assertEqual(broken, [], "boxes whose history does not replay to their row")

    def test_kill_db_svc_and_mariadb_mid_stream(self):
        clients, reader, timeline, hung = self.stream_with_faults(
            lambda i, port, stopping: TransferClient(i, port, self.source_token, self, stopping),
            self.source_token, self.reader_label)
        self.check_stream(clients, reader, timeline, hung)
        transitions = {}
        for c in clients:
            for s in c.shipments:
                transitions[s.state] = transitions.get(s.state, 0) + 1
        print(f"  shipments by state at the end: {dict(sorted(transitions.items()))}", flush=True)
        self.check_acknowledged(clients)
        self.check_invariants(clients)
        self.check_sent_again(clients)


if __name__ == "__main__":
    unittest.main(verbosity=2)
