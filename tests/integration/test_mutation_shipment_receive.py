"""Receiving a shipment end to end: startReceivingShipment, updateShipmentWhenReceiving
(reconcile, mark lost, completion), markShipmentAsLost and moveNotDeliveredBoxesInStock, with
the front-end's own documents (ShipmentView and its reconciliation overlay), on a real MariaDB.

Every shipment, detail and box a test starts from is written here with SQL: a shipment from
base 1 (organisation 1) to a base of another organisation. Each step is checked against the
rows (shipment, shipment_detail, stock, history, tags_relations) with SQL written here, as the
target base's user, the source base's user and a god user, and read back through the read API
(shipment(id) with ShipmentView's query, Box.shipmentDetail, BoxView of a box on its way). Each
documented error and forbidden call changes nothing (CHECKSUM TABLE before and after). Receiving
1 and 12 boxes takes the same SQL statements (MariaDB's Com_* counters). The semantics are
boxtribute's (business_logic/box_transfer/shipment/{mutations,crud}.py); README "Deliberate
choices" says where Depot differs.
Licensed under the Apache License 2.0.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_mutation_bulk import BulkFixture, coordinator_permissions  # noqa: E402

START = harness.read_query("mutations/StartReceivingShipment.graphql")
RECEIVE = harness.read_query("mutations/UpdateShipmentWhenReceiving.graphql")
LOST = harness.read_query("mutations/LostShipment.graphql")
SHIPMENT_BY_ID = harness.read_query("shipment_by_id.graphql")
BOX_VIEW = harness.read_query("box_view.graphql")
# Not sent by the front-end (boxtribute's own tests call it): its result as ShipmentView reads it.
MOVE_NOT_DELIVERED = """mutation MoveNotDelivered($boxIds: [String!]!) {
  moveNotDeliveredBoxesInStock(boxIds: $boxIds) { id state completedOn completedBy { id }
    details { id removedOn lostOn receivedOn box { labelIdentifier state } } }
}"""
BOX_DETAIL = """query BoxDetail($label: String!) {
  box(labelIdentifier: $label) { labelIdentifier state shipmentDetail { id shipment { id state } } }
}"""
WRITTEN = ("shipment", "shipment_detail", "stock", "history", "tags_relations")
IN_STOCK, MARKED, RECEIVING, IN_TRANSIT, NOT_DELIVERED = 1, 3, 4, 7, 8
STATE_NAMES = {1: "InStock", 2: "Lost", 3: "MarkedForShipment", 4: "Receiving", 5: "Donated",
               6: "Scrap", 7: "InTransit", 8: "NotDelivered"}
SOURCE_USER, TARGET_USER, GOD_USER = 8, 9, 1


def iso(value):
    """A DATETIME as Depot's Datetime (NULL -> None)."""
    return None if value is None else value.replace(" ", "T") + "+00:00"


class ReceiveShipments(BulkFixture, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.start()
        db = cls.db
        target = cls.org2_base
        cls.target = target
        db.sql(f"INSERT INTO locations (label, camp_id, type, box_state_id, seq) VALUES "
               f"('Rcv Shelf', {target}, 'Warehouse', 1, 1)")
        cls.target_location = int(db.scalar("SELECT id FROM locations WHERE label = 'Rcv Shelf'"))
        db.sql(f"INSERT INTO products (name, category_id, gender_id, sizegroup_id, camp_id, value, created, "
               f"created_by) SELECT 'Rcv Jackets', category_id, gender_id, sizegroup_id, {target}, 0, "
               f"'2024-01-01 00:00:00', 2 FROM products WHERE id = {cls.product}")
        cls.target_product = int(db.scalar("SELECT id FROM products WHERE name = 'Rcv Jackets'"))
        cls.target_size = int(db.scalar(f"SELECT MAX(size_id) FROM sizes_sizegroup ss JOIN products p "
                                        f"ON p.sizegroup_id = ss.sizegroup_id WHERE p.id = {cls.product}"))
        shipping = ["shipment:edit", "shipment_detail:write"]
        cls.source_token = cls.keys.token(permissions=coordinator_permissions(1) + [f"base_1/{p}" for p in shipping])
        cls.target_token = cls.keys.token(sub=f"auth0|{TARGET_USER}", org=cls.org2, base_ids=(target,),
                                          roles=(f"base_{target}_coordinator",),
                                          permissions=coordinator_permissions(target)
                                          + [f"base_{target}/{p}" for p in shipping])
        cls.target_no_details = cls.keys.token(sub=f"auth0|{TARGET_USER}", org=cls.org2, base_ids=(target,),
                                               roles=(f"base_{target}_coordinator",),
                                               permissions=coordinator_permissions(target)
                                               + [f"base_{target}/shipment:edit"])

    @classmethod
    def tearDownClass(cls):
        cls.stop()

    # -- rows the tests start from ----------------------------------------------------------

    def shipment(self, state, boxes, removed=(), lost=(), received=()):
        """A shipment from base 1 to the target base in `state`, with one detail per box
        (source values the box's own); the details of boxes listed in removed/lost/received
        closed that way. boxes: box states. Returns (shipment id, [(detail id, box id, label)])."""
        db = self.db
        db.sql("INSERT INTO shipment (source_base_id, target_base_id, state, started_on, started_by_id, "
               f"sent_on, sent_by_id) VALUES (1, {self.target}, '{state}', '2024-06-01 10:00:00', 8, "
               "'2024-06-02 10:00:00', 8)")
        shipment = int(db.scalar("SELECT MAX(id) FROM shipment"))
        rows = []
        for i, box_state in enumerate(boxes):
            box_id, label = self.boxes(1, self.loc["Bulk A"], state=box_state, items=10 + i)[0]
            closed = {"removed": i in removed, "lost": i in lost, "received": i in received}
            stamp = "'2024-06-03 10:00:00'"
            db.sql("INSERT INTO shipment_detail (shipment_id, box_id, source_product_id, source_location_id, "
                   "source_size_id, source_quantity, created_on, created_by_id, removed_on, removed_by_id, "
                   "lost_on, lost_by_id, received_on, received_by_id) "
                   f"SELECT {shipment}, id, product_id, location_id, size_id, items, '2024-06-01 11:00:00', 8, "
                   + ", ".join(f"{stamp if closed[k] else 'NULL'}, {'8' if closed[k] else 'NULL'}"
                               for k in ("removed", "lost", "received"))
                   + f" FROM stock WHERE id = {box_id}")
            rows.append((int(db.scalar("SELECT MAX(id) FROM shipment_detail")), box_id, label))
        return shipment, rows

    # -- requests and checks ----------------------------------------------------------------

    def checksums(self):
        return self.db.sql("CHECKSUM TABLE " + ", ".join(WRITTEN))

    def refused(self, query, variables, token, code, message):
        """A call that fails with a GraphQL error at the field and changes nothing."""
        response = self.assert_unchanged(query, variables, token)
        self.assertEqual(list(response["data"].values()), [None], response)
        error = response["errors"][0]
        self.assertEqual((error["extensions"]["code"], error["message"]), (code, message), response)

    def shipment_row(self, shipment):
        return self.db.sql(f"SELECT state, receiving_started_on, receiving_started_by_id, completed_on, "
                           f"completed_by_id FROM shipment WHERE id = {shipment}")[0]

    def box_rows(self, ids):
        return self.db.sql(f"SELECT product_id, location_id, size_id, items, box_state_id FROM stock "
                           f"WHERE id IN ({','.join(map(str, ids))}) ORDER BY id")

    def state_history(self, ids, since):
        """(record_id, changes, from_int, to_int, user_id) of stock history rows after since."""
        return self.db.sql(f"SELECT record_id, changes, from_int, to_int, user_id FROM history WHERE id > {since} "
                           f"AND tablename = 'stock' AND record_id IN ({','.join(map(str, ids))}) ORDER BY id")

    def expected_shipment(self, shipment):
        """The parts of ShipmentFields the tests compare, from the tables."""
        row = self.db.sql(f"SELECT id, state, receiving_started_on, receiving_started_by_id, completed_on, "
                          f"completed_by_id FROM shipment WHERE id = {shipment}")[0]
        details = self.db.sql(
            "SELECT d.id, s.box_id, s.box_state_id, d.target_product_id, d.target_quantity, d.target_size_id, "
            f"d.removed_on, d.lost_on, d.received_on FROM shipment_detail d JOIN stock s ON s.id = d.box_id "
            f"WHERE d.shipment_id = {shipment} ORDER BY d.id")
        return {
            "id": row[0], "state": row[1], "receivingStartedOn": iso(row[2]),
            "receivingStartedBy": row[3], "completedOn": iso(row[4]), "completedBy": row[5],
            "details": [{"id": d[0], "label": d[1], "state": STATE_NAMES[int(d[2])],
                         "targetProduct": d[3], "targetQuantity": None if d[4] is None else int(d[4]),
                         "targetSize": d[5], "removedOn": iso(d[6]), "lostOn": iso(d[7]),
                         "receivedOn": iso(d[8])} for d in details]}

    def projected(self, answer):
        """The same parts of a ShipmentFields answer."""
        def ref(obj):
            return None if obj is None else obj["id"]
        return {
            "id": answer["id"], "state": answer["state"], "receivingStartedOn": answer["receivingStartedOn"],
            "receivingStartedBy": ref(answer["receivingStartedBy"]), "completedOn": answer["completedOn"],
            "completedBy": ref(answer["completedBy"]),
            "details": [{"id": d["id"], "label": d["box"]["labelIdentifier"], "state": d["box"]["state"],
                         "targetProduct": ref(d["targetProduct"]), "targetQuantity": d["targetQuantity"],
                         "targetSize": ref(d["targetSize"]), "removedOn": d["removedOn"],
                         "lostOn": d["lostOn"], "receivedOn": d["receivedOn"]}
                        for d in sorted(answer["details"], key=lambda d: int(d["id"]))]}

    def assert_read_api(self, shipment, token):
        """shipment(id) with ShipmentView's own query answers what the tables hold."""
        data = self.mutate(SHIPMENT_BY_ID, {"id": str(shipment)}, token)
        self.assertEqual(self.projected(data["shipment"]), self.expected_shipment(shipment))

    def box_detail(self, label, token):
        """Box.shipmentDetail of a box as `token` reads it (the box's open detail, if any)."""
        return self.mutate(BOX_DETAIL, {"label": label}, token)["box"]

    # -- startReceivingShipment ---------------------------------------------------------------

    def test_start_receiving(self):
        """The target base's user starts receiving a Sent shipment: it is Receiving with
        receiving_started_on/by, its InTransit boxes Receiving with one box_state_id history row
        each; a removed detail's box and a box no longer InTransit are left alone."""
        shipment, rows = self.shipment("Sent", [IN_TRANSIT, IN_TRANSIT, IN_STOCK, NOT_DELIVERED],
                                       removed=(2,), lost=(3,))
        ids = [r[1] for r in rows]
        mark = self.last_history_id()
        before = self.utc_now()
        data = self.mutate(START, {"id": str(shipment)}, self.target_token)
        after = self.utc_now()
        row = self.shipment_row(shipment)
        self.assertEqual(row[0], "Receiving")
        self.assert_when(row[1], before, after)
        self.assertEqual(row[2:], [str(TARGET_USER), None, None])
        self.assertEqual([r[4] for r in self.box_rows(ids)], [str(RECEIVING)] * 2 + [str(IN_STOCK), str(NOT_DELIVERED)])
        self.assertEqual(self.state_history(ids, mark),
                         [[str(i), "box_state_id", str(IN_TRANSIT), str(RECEIVING), str(TARGET_USER)] for i in ids[:2]])
        self.assertEqual(self.db.sql(f"SELECT modified, modified_by FROM stock WHERE id = {ids[0]}"),
                         [[row[1], str(TARGET_USER)]])
        self.assertEqual(self.projected(data["startReceivingShipment"]), self.expected_shipment(shipment))
        self.assert_read_api(shipment, self.target_token)
        self.assert_read_api(shipment, self.source_token)
        # A box being received is readable in both bases, with its open detail.
        for token in (self.target_token, self.source_token):
            self.assertEqual(self.box_detail(rows[0][2], token), {
                "labelIdentifier": rows[0][2], "state": "Receiving",
                "shipmentDetail": {"id": str(rows[0][0]), "shipment": {"id": str(shipment), "state": "Receiving"}}})
        status, response = self.send(BOX_VIEW, {"labelIdentifier": rows[1][2]}, self.source_token)
        self.assertEqual(status, 200, response)
        self.assertNotIn("errors", response, response)
        self.assertEqual(response["data"]["box"]["state"], "Receiving")
        self.assertEqual(response["data"]["box"]["shipmentDetail"]["id"], str(rows[1][0]))

    def test_start_receiving_refused(self):
        """The source base's user (no shipment:edit in the target base): FORBIDDEN; a shipment
        not Sent: boxtribute's InvalidShipmentState; an unknown id: not found. Nothing changes."""
        shipment, _ = self.shipment("Sent", [IN_TRANSIT])
        variables = {"id": str(shipment)}
        self.refused(START, variables, self.source_token, "FORBIDDEN", f"You don't have access to 'base={self.target}'")
        preparing, _ = self.shipment("Preparing", [MARKED])
        self.refused(START, {"id": str(preparing)}, self.target_token, "BAD_USER_INPUT",
                     "The state of the shipment (Preparing) does not allow the requested action. "
                     "Expecting state: Sent")
        self.refused(START, {"id": "999999"}, self.target_token, "BAD_USER_INPUT",
                     "The requested resource does not exist in the database.")
        # Started once: a second start finds it Receiving.
        self.mutate(START, variables, self.target_token)
        self.refused(START, variables, self.target_token, "BAD_USER_INPUT",
                     "The state of the shipment (Receiving) does not allow the requested action. "
                     "Expecting state: Sent")

    def test_start_receiving_god(self):
        """A god user starts receiving any shipment."""
        shipment, rows = self.shipment("Sent", [IN_TRANSIT])
        self.mutate(START, {"id": str(shipment)}, self.god)
        self.assertEqual(self.shipment_row(shipment)[0::2], ["Receiving", str(GOD_USER), None])
        self.assertEqual(self.box_rows([rows[0][1]])[0][4], str(RECEIVING))

    # -- updateShipmentWhenReceiving ----------------------------------------------------------

    def reconcile(self, detail, quantity=7, product=None, location=None, size=None):
        return {"id": str(detail), "targetProductId": product or self.target_product,
                "targetLocationId": location or self.target_location,
                "targetSizeId": size or self.target_size, "targetQuantity": quantity}

    def test_receive_and_complete(self):
        """One box reconciled, one marked lost, in one call: the received box is InStock in
        the target base with the target product, location, size and items, history rows for
        each changed field against its detail's source values, its tags removed, its detail
        received with its target values; the lost box is NotDelivered, its detail lost. No box
        is left to reconcile, so the shipment is Completed in the same call."""
        shipment, rows = self.shipment("Receiving", [RECEIVING, RECEIVING, IN_STOCK], removed=(2,))
        (received_detail, received_box, _), (lost_detail, lost_box, lost_label) = rows[0], rows[1]
        self.relate(received_box, self.tag["bulk box"])
        self.relate(received_box, self.tag["bulk all"])
        source = self.db.sql(f"SELECT source_product_id, source_location_id, source_size_id, source_quantity "
                             f"FROM shipment_detail WHERE id = {received_detail}")[0]
        mark = self.last_history_id()
        before = self.utc_now()
        data = self.mutate(RECEIVE, {"id": str(shipment),
                                     "receivedShipmentDetailUpdateInputs": [self.reconcile(received_detail)],
                                     "lostBoxLabelIdentifiers": [lost_label]}, self.target_token)
        after = self.utc_now()
        self.assertEqual(self.box_rows([received_box, lost_box]), [
            [str(self.target_product), str(self.target_location), str(self.target_size), "7", str(IN_STOCK)],
            [str(self.product), str(self.loc["Bulk A"]), str(self.size), "11", str(NOT_DELIVERED)]])
        detail = self.db.sql(f"SELECT target_product_id, target_location_id, target_size_id, target_quantity, "
                             f"received_on, received_by_id, lost_on FROM shipment_detail WHERE id = {received_detail}")[0]
        self.assertEqual(detail[:4], [str(self.target_product), str(self.target_location), str(self.target_size), "7"])
        now = detail[4]
        self.assert_when(now, before, after)
        self.assertEqual(detail[5:], [str(TARGET_USER), None])
        self.assertEqual(self.db.sql(f"SELECT lost_on, lost_by_id, received_on FROM shipment_detail "
                                     f"WHERE id = {lost_detail}"), [[now, str(TARGET_USER), None]])
        self.assertEqual(self.db.sql(f"SELECT deleted_on, deleted_by_id FROM tags_relations WHERE object_type = "
                                     f"'Stock' AND object_id = {received_box} ORDER BY id"),
                         [[now, str(TARGET_USER)]] * 2)
        user = str(TARGET_USER)
        self.assertEqual(self.state_history([received_box, lost_box], mark), [
            [str(received_box), "product_id", source[0], str(self.target_product), user],
            [str(received_box), "location_id", source[1], str(self.target_location), user],
            [str(received_box), "size_id", source[2], str(self.target_size), user],
            [str(received_box), "items", source[3], "7", user],
            [str(received_box), "box_state_id", str(RECEIVING), str(IN_STOCK), user],
            [str(lost_box), "box_state_id", str(RECEIVING), str(NOT_DELIVERED), user]])
        self.assertEqual(self.shipment_row(shipment)[0::3], ["Completed", now])
        self.assertEqual(self.shipment_row(shipment)[4], user)
        self.assertEqual(self.projected(data["updateShipmentWhenReceiving"]), self.expected_shipment(shipment))
        self.assert_read_api(shipment, self.target_token)
        # The received box has no open detail any more, and is the target base's.
        self.assertEqual(self.box_detail(rows[0][2], self.target_token)["shipmentDetail"], None)

    def test_receive_part_stays_receiving(self):
        """Reconciling some boxes leaves the shipment Receiving; a detail id of another shipment
        and a label of a box not in it are ignored, as boxtribute does; equal source and target
        values write no history row for that field. Reconciling the rest completes it; all
        boxes lost makes it Lost."""
        shipment, rows = self.shipment("Receiving", [RECEIVING, RECEIVING])
        other, other_rows = self.shipment("Receiving", [RECEIVING])
        mark = self.last_history_id()
        same = self.reconcile(rows[0][0], quantity=10, size=self.size)      # the source's items and size
        self.mutate(RECEIVE, {"id": str(shipment),
                              "receivedShipmentDetailUpdateInputs": [same, self.reconcile(other_rows[0][0])],
                              "lostBoxLabelIdentifiers": [other_rows[0][2]]}, self.target_token)
        self.assertEqual(self.shipment_row(shipment)[0], "Receiving")
        self.assertEqual([r[1] for r in self.state_history([rows[0][1]], mark)], ["product_id", "location_id", "box_state_id"])
        self.assertEqual(self.box_rows([other_rows[0][1]])[0][4], str(RECEIVING))
        self.assertEqual(self.shipment_row(other)[0], "Receiving")
        self.mutate(RECEIVE, {"id": str(shipment), "receivedShipmentDetailUpdateInputs": [self.reconcile(rows[1][0])]},
                    self.target_token)
        self.assertEqual(self.shipment_row(shipment)[0], "Completed")
        self.mutate(RECEIVE, {"id": str(other), "lostBoxLabelIdentifiers": [other_rows[0][2]]}, self.target_token)
        self.assertEqual(self.shipment_row(other)[0], "Lost")
        self.assert_read_api(other, self.source_token)

    def test_receive_refused(self):
        """Each refusal changes nothing: a target location or product of another base, a box
        not Receiving (boxtribute's InvalidShipmentDetailUpdateInput, naming the detail), the
        source base's user, a user without shipment_detail:write, a shipment not Receiving, an
        unknown shipment."""
        shipment, rows = self.shipment("Receiving", [RECEIVING, IN_TRANSIT])
        detail = rows[0][0]
        cases = [
            (self.reconcile(detail, location=self.loc["Bulk A"]), f"Input Location is not valid for base of shipment detail {detail}"),
            (self.reconcile(detail, product=self.product), f"Input Product is not valid for base of shipment detail {detail}"),
            (self.reconcile(detail, location=999999), f"Input Location is not valid for base of shipment detail {detail}"),
            (self.reconcile(rows[1][0]), f"Input BoxState is not valid for base of shipment detail {rows[1][0]}"),
        ]
        for update, message in cases:
            self.refused(RECEIVE, {"id": str(shipment), "receivedShipmentDetailUpdateInputs": [update],
                                   "lostBoxLabelIdentifiers": [rows[1][2]]},
                         self.target_token, "BAD_USER_INPUT", message)
        ok = {"id": str(shipment), "receivedShipmentDetailUpdateInputs": [self.reconcile(detail)]}
        self.refused(RECEIVE, ok, self.source_token, "FORBIDDEN", f"You don't have access to 'base={self.target}'")
        self.refused(RECEIVE, ok, self.target_no_details, "FORBIDDEN", "You don't have access to 'shipment_detail:write'")
        sent, sent_rows = self.shipment("Sent", [IN_TRANSIT])
        self.refused(RECEIVE, {"id": str(sent), "receivedShipmentDetailUpdateInputs": [self.reconcile(sent_rows[0][0])]},
                     self.target_token, "BAD_USER_INPUT",
                     "The state of the shipment (Sent) does not allow the requested action. Expecting state: Receiving")
        self.refused(RECEIVE, {"id": "999999"}, self.target_token, "BAD_USER_INPUT",
                     "The requested resource does not exist in the database.")

    def test_receive_statements_independent_of_boxes(self):
        """Receiving 1 or 12 boxes (each to its own number of items), with one box marked lost,
        takes the same SQL statements."""
        counted = []
        for n in (1, 12):
            shipment, rows = self.shipment("Receiving", [RECEIVING] * (n + 2))
            inputs = [self.reconcile(r[0], quantity=i) for i, r in enumerate(rows[:n])]
            counted.append(self.counts(RECEIVE, {"id": str(shipment), "receivedShipmentDetailUpdateInputs": inputs,
                                                 "lostBoxLabelIdentifiers": [rows[n][2]]}, self.target_token))
            self.assertEqual([r[3] for r in self.box_rows([r[1] for r in rows[:n]])], [str(i) for i in range(n)])
            self.assertEqual(self.shipment_row(shipment)[0], "Receiving")
        self.assertEqual(counted[0], counted[1])

    # -- markShipmentAsLost --------------------------------------------------------------------

    def test_mark_lost(self):
        """Either base's user marks a Sent shipment Lost (completed_on/by): its InTransit boxes
        NotDelivered with history, their details lost; a removed detail is left alone."""
        for token, user in ((self.source_token, SOURCE_USER), (self.target_token, TARGET_USER)):
            shipment, rows = self.shipment("Sent", [IN_TRANSIT, IN_TRANSIT, IN_STOCK], removed=(2,))
            ids = [r[1] for r in rows]
            mark = self.last_history_id()
            data = self.mutate(LOST, {"id": str(shipment)}, token)
            row = self.shipment_row(shipment)
            self.assertEqual((row[0], row[4]), ("Lost", str(user)))
            self.assertEqual([r[4] for r in self.box_rows(ids)], [str(NOT_DELIVERED)] * 2 + [str(IN_STOCK)])
            self.assertEqual(self.db.sql(f"SELECT lost_on, lost_by_id FROM shipment_detail WHERE shipment_id = "
                                         f"{shipment} ORDER BY id"), [[row[3], str(user)]] * 2 + [[None, None]])
            self.assertEqual(self.state_history(ids, mark),
                             [[str(i), "box_state_id", str(IN_TRANSIT), str(NOT_DELIVERED), str(user)] for i in ids[:2]])
            self.assertEqual(self.projected(data["markShipmentAsLost"]), self.expected_shipment(shipment))
            self.assert_read_api(shipment, token)

    def test_mark_lost_refused(self):
        """A shipment not Sent, a user of neither base, a user without shipment_detail:write:
        refused, nothing changes."""
        receiving, _ = self.shipment("Receiving", [RECEIVING])
        self.refused(LOST, {"id": str(receiving)}, self.target_token, "BAD_USER_INPUT",
                     "The state of the shipment (Receiving) does not allow the requested action. "
                     "Expecting state: Sent")
        sent, _ = self.shipment("Sent", [IN_TRANSIT])
        self.refused(LOST, {"id": str(sent)}, self.token, "FORBIDDEN", "You don't have access to 'shipment:edit'")
        self.refused(LOST, {"id": str(sent)}, self.target_no_details, "FORBIDDEN",
                     "You don't have access to 'shipment_detail:write'")

    # -- moveNotDeliveredBoxesInStock ----------------------------------------------------------

    def test_move_not_delivered_source_side(self):
        """The source base's user takes a NotDelivered box of a Lost shipment back into stock:
        InStock with history, its detail removed and no longer lost; the shipment, its other box
        still lost, stays Lost (completed again in the same call)."""
        shipment, rows = self.shipment("Lost", [NOT_DELIVERED, NOT_DELIVERED], lost=(0, 1))
        box = rows[0][1]
        mark = self.last_history_id()
        before = self.utc_now()
        data = self.mutate(MOVE_NOT_DELIVERED, {"boxIds": [str(box)]}, self.source_token)
        after = self.utc_now()
        self.assertEqual(self.box_rows([box])[0][4], str(IN_STOCK))
        detail = self.db.sql(f"SELECT removed_on, removed_by_id, lost_on, lost_by_id FROM shipment_detail "
                             f"WHERE id = {rows[0][0]}")[0]
        self.assert_when(detail[0], before, after)
        self.assertEqual(detail[1:], [str(SOURCE_USER), None, None])
        self.assertEqual(self.state_history([box], mark),
                         [[str(box), "box_state_id", str(NOT_DELIVERED), str(IN_STOCK), str(SOURCE_USER)]])
        self.assertEqual(self.shipment_row(shipment)[0::3], ["Lost", detail[0]])
        self.assertEqual(data["moveNotDeliveredBoxesInStock"]["state"], "Lost")
        self.assert_read_api(shipment, self.source_token)

    def test_move_not_delivered_target_side(self):
        """The target base's user takes a NotDelivered box of a Completed shipment back to be
        reconciled: the box Receiving, its detail no longer lost, the shipment Receiving again
        with completed_on/by cleared; reconciling it completes the shipment again."""
        shipment, rows = self.shipment("Completed", [NOT_DELIVERED, IN_STOCK], lost=(0,), received=(1,))
        self.db.sql(f"UPDATE shipment SET completed_on = '2024-06-04 10:00:00', completed_by_id = 8 WHERE id = {shipment}")
        box = rows[0][1]
        self.mutate(MOVE_NOT_DELIVERED, {"boxIds": [str(box), "not a number"]}, self.target_token)
        self.assertEqual(self.box_rows([box])[0][4], str(RECEIVING))
        self.assertEqual(self.db.sql(f"SELECT lost_on, removed_on FROM shipment_detail WHERE id = {rows[0][0]}"),
                         [[None, None]])
        self.assertEqual(self.shipment_row(shipment)[0::3] + [self.shipment_row(shipment)[4]], ["Receiving", None, None])
        self.assert_read_api(shipment, self.target_token)
        self.mutate(RECEIVE, {"id": str(shipment), "receivedShipmentDetailUpdateInputs": [self.reconcile(rows[0][0])]},
                    self.target_token)
        self.assertEqual(self.shipment_row(shipment)[0], "Completed")

    def test_move_not_delivered_refused(self):
        """Nothing to move (no NotDelivered box with a lost detail among the ids, or ids that
        are no box) is a clear BAD_USER_INPUT, not boxtribute's 500; a user of neither base is
        FORBIDDEN. Nothing changes."""
        shipment, rows = self.shipment("Lost", [NOT_DELIVERED, IN_STOCK], lost=(0,))
        nothing = "None of the boxes is NotDelivered in a shipment: nothing was moved."
        self.refused(MOVE_NOT_DELIVERED, {"boxIds": [str(rows[1][1]), "999999", "x"]}, self.target_token,
                     "BAD_USER_INPUT", nothing)
        self.refused(MOVE_NOT_DELIVERED, {"boxIds": []}, self.target_token, "BAD_USER_INPUT", nothing)
        self.refused(MOVE_NOT_DELIVERED, {"boxIds": [str(rows[0][1])]}, self.token, "FORBIDDEN",
                     "You don't have access to 'shipment:edit'")


if __name__ == "__main__":
    unittest.main()
