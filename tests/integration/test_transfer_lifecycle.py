"""A transfer's whole life across two bases of two organisations, only through Depot's HTTP API
with the front-end's own documents, as each side's coordinator (and a god user reading):
agreement created by organisation A, accepted by B, a shipment created, boxes prepared and one
removed, sent, receiving started, reconciled (product, location, size, items changed; one box
lost) and completed; and the other paths: cancelled while preparing, marked lost after sending,
not-delivered boxes taken back into stock by the source side and re-reconciled by the target.

After each step the rows (transfer_agreement, shipment, shipment_detail, stock, history) are
checked with SQL and values written here, and the read API's answers (transferAgreement(id),
shipment(id) with ShipmentView's query as both sides and a god user, Box.shipmentDetail, BoxView
of a box on its way) are compared with what the rows say. Runs on Depot's DDL with demo data and
on boxtribute's dump. The semantics are boxtribute's (business_logic/box_transfer/).
Licensed under the Apache License 2.0.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_mutation_bulk import DUMP, BulkFixture, coordinator_permissions  # noqa: E402


def document(name):
    return harness.read_query(os.path.join("mutations", f"{name}.graphql"))


CREATE_AGREEMENT = document("CreateTransferAgreement")
ACCEPT_AGREEMENT = document("AcceptTransferAgreement")
CANCEL_AGREEMENT = document("CancelTransferAgreement")
CREATE_SHIPMENT = document("CreateShipment")
ASSIGN = document("AssignBoxesToShipment")
REMOVE = document("RemoveBoxFromShipment")
SEND = document("SendShipment")
CANCEL = document("CancelShipment")
START = document("StartReceivingShipment")
RECEIVE = document("UpdateShipmentWhenReceiving")
LOST = document("LostShipment")
AGREEMENTS = harness.read_query("transfer_agreements.graphql")
SHIPMENT_BY_ID = harness.read_query("shipment_by_id.graphql")
BOX_VIEW = harness.read_query("box_view.graphql")
SHIPMENTS = harness.read_query("shipments.graphql")
# Not sent by the front-end (boxtribute's own tests call it).
MOVE_NOT_DELIVERED = """mutation MoveNotDelivered($boxIds: [String!]!) {
  moveNotDeliveredBoxesInStock(boxIds: $boxIds) { id state }
}"""
BOX_DETAIL = """query BoxDetail($label: String!) {
  box(labelIdentifier: $label) { labelIdentifier state shipmentDetail { id shipment { id state } } }
}"""

IN_STOCK, MARKED, RECEIVING, IN_TRANSIT, NOT_DELIVERED = 1, 3, 4, 7, 8
STATE_NAMES = {1: "InStock", 2: "Lost", 3: "MarkedForShipment", 4: "Receiving", 5: "Donated",
               6: "Scrap", 7: "InTransit", 8: "NotDelivered"}
# The test's own users, so their names and ids meet nothing of the data set.
SOURCE, TARGET, GOD = 7701, 7702, 7703
ZERO = "0000-00-00 00:00:00"
SHIPPING = ["transfer_agreement:create", "transfer_agreement:edit", "shipment:create", "shipment:edit",
            "shipment_detail:write"]
STAMPS = ("started", "sent", "receiving_started", "completed", "canceled")


def iso(value):
    """A DATETIME as Depot's Datetime (NULL -> None)."""
    return None if value is None else value.replace(" ", "T") + "+00:00"


def ref(obj):
    return None if obj is None else obj["id"]


def number(value):
    return None if value is None else int(value)


class Lifecycle(BulkFixture):
    """The lifecycle cases, run on each data set by the classes at the end of the file."""

    DUMP = False

    @classmethod
    def setUpClass(cls):
        cls.start(dump=cls.DUMP)
        db, target = cls.db, cls.org2_base
        # The boxes' product: one of base 1 with two sizes at least, so reconciling can change the size.
        cls.product = int(db.scalar("SELECT MIN(p.id) FROM products p WHERE p.camp_id = 1 AND p.deleted IS NULL "
                                    "AND (SELECT COUNT(*) FROM sizes_sizegroup ss WHERE ss.sizegroup_id = "
                                    "p.sizegroup_id) >= 2"))
        cls.size = int(db.scalar(f"SELECT MIN(ss.size_id) FROM sizes_sizegroup ss JOIN products p "
                                 f"ON p.sizegroup_id = ss.sizegroup_id WHERE p.id = {cls.product}"))
        cls.target = target
        db.sql("INSERT INTO cms_users (id, naam, email, lastlogin, lastaction, deleted) VALUES "
               f"({SOURCE}, 'Life Source', 'l{SOURCE}@example.org', NOW(), NOW(), '{ZERO}'), "
               f"({TARGET}, 'Life Target', 'l{TARGET}@example.org', NOW(), NOW(), '{ZERO}'), "
               f"({GOD}, 'Life God', 'l{GOD}@example.org', NOW(), NOW(), '{ZERO}')")
        db.sql(f"INSERT INTO locations (label, camp_id, type, box_state_id, seq) VALUES "
               f"('Life Shelf', {target}, 'Warehouse', 1, 1)")
        cls.target_location = int(db.scalar("SELECT id FROM locations WHERE label = 'Life Shelf'"))
        db.sql(f"INSERT INTO products (name, category_id, gender_id, sizegroup_id, camp_id, value, created, "
               f"created_by) SELECT 'Life Jackets', category_id, gender_id, sizegroup_id, {target}, 0, "
               f"'2024-01-01 00:00:00', 2 FROM products WHERE id = {cls.product}")
        cls.target_product = int(db.scalar("SELECT id FROM products WHERE name = 'Life Jackets'"))
        cls.target_size = int(db.scalar(f"SELECT MAX(size_id) FROM sizes_sizegroup ss JOIN products p "
                                        f"ON p.sizegroup_id = ss.sizegroup_id WHERE p.id = {cls.product}"))
        cls.source_token = cls.keys.token(sub=f"auth0|{SOURCE}", org=1, base_ids=(1,), roles=("base_1_coordinator",),
                                          permissions=coordinator_permissions(1) + [f"base_1/{p}" for p in SHIPPING])
        cls.target_token = cls.keys.token(sub=f"auth0|{TARGET}", org=cls.org2, base_ids=(target,),
                                          roles=(f"base_{target}_coordinator",),
                                          permissions=coordinator_permissions(target)
                                          + [f"base_{target}/{p}" for p in SHIPPING])
        cls.god_token = cls.keys.token(sub=f"auth0|{GOD}", org="null", roles=("boxtribute_god",), permissions=[])
        cls.sides = {SOURCE: cls.source_token, TARGET: cls.target_token}

    @classmethod
    def tearDownClass(cls):
        cls.stop()

    def setUp(self):
        # Each case creates its agreement anew, so no open agreement between the two
        # organisations may cover its bases (boxtribute's uniqueness rule: the data sets have
        # such agreements, and each case leaves one).
        self.db.sql(f"UPDATE transfer_agreement SET state = 'Canceled' WHERE state IN ('Accepted', 'UnderReview') "
                    f"AND (source_organisation_id, target_organisation_id) IN ((1, {self.org2}), ({self.org2}, 1))")

    def checksums(self):
        return self.db.sql("CHECKSUM TABLE transfer_agreement, shipment, shipment_detail, stock, history")

    # -- requests --------------------------------------------------------------------------

    def call(self, query, variables, user, operation=None):
        """One request as a user (SOURCE, TARGET or GOD); the data of an answer without errors."""
        token = self.god_token if user == GOD else self.sides[user]
        body = {"query": query, "variables": variables}
        if operation:
            body["operationName"] = operation
        status, response, _ = harness.post(self.depot.url, body, token)
        self.assertEqual(status, 200, response)
        self.assertNotIn("errors", response, response)
        return response["data"]

    # -- the agreement ---------------------------------------------------------------------

    def agreement_row(self, agreement):
        return self.db.sql(f"SELECT state, type, source_organisation_id, target_organisation_id, requested_by, "
                           f"accepted_by, terminated_by, requested_on IS NOT NULL, accepted_on IS NOT NULL, "
                           f"terminated_on IS NOT NULL, comment FROM transfer_agreement WHERE id = {agreement}")[0]

    def assert_agreement_reads(self, agreement):
        """transferAgreement(id) as both sides answers what the rows say, and each side's
        agreements overview lists it in its state."""
        row = self.db.sql(f"SELECT id, state, type, source_organisation_id, target_organisation_id, requested_by, "
                          f"accepted_by, terminated_by, requested_on, accepted_on, terminated_on FROM transfer_agreement "
                          f"WHERE id = {agreement}")[0]
        details = self.db.sql(f"SELECT source_base_id, target_base_id FROM transfer_agreement_detail "
                              f"WHERE transfer_agreement_id = {agreement}")
        shipments = self.db.sql(f"SELECT id, state FROM shipment WHERE transfer_agreement_id = {agreement} ORDER BY id")
        expected = {"id": row[0], "state": row[1], "type": row[2], "sourceOrganisation": row[3],
                    "targetOrganisation": row[4], "requestedBy": row[5], "acceptedBy": row[6],
                    "terminatedBy": row[7], "requestedOn": iso(row[8]), "acceptedOn": iso(row[9]),
                    "terminatedOn": iso(row[10]), "sourceBases": sorted({d[0] for d in details}),
                    "targetBases": sorted({d[1] for d in details}), "shipments": shipments}
        for user in (SOURCE, TARGET):
            answer = self.call(AGREEMENTS, {"id": str(agreement)}, user, "TransferAgreement")["transferAgreement"]
            self.assertEqual({
                "id": answer["id"], "state": answer["state"], "type": answer["type"],
                "sourceOrganisation": ref(answer["sourceOrganisation"]),
                "targetOrganisation": ref(answer["targetOrganisation"]),
                "requestedBy": ref(answer["requestedBy"]), "acceptedBy": ref(answer["acceptedBy"]),
                "terminatedBy": ref(answer["terminatedBy"]), "requestedOn": answer["requestedOn"],
                "acceptedOn": answer["acceptedOn"], "terminatedOn": answer["terminatedOn"],
                "sourceBases": sorted(b["id"] for b in answer["sourceBases"]),
                "targetBases": sorted(b["id"] for b in answer["targetBases"]),
                "shipments": sorted([[s["id"], s["state"]] for s in answer["shipments"]], key=lambda s: int(s[0]))},
                expected, f"transferAgreement as user {user}")
            listed = [[a["id"], a["state"]] for a in self.call(AGREEMENTS, {}, user, "TransferAgreements")
                      ["transferAgreements"] if a["id"] == str(agreement)]
            self.assertEqual(listed, [[row[0], row[1]]], f"the agreements overview as user {user}")

    def accepted_agreement(self):
        """Organisation A (base 1) proposes sending to B's base; B accepts. Each step's row
        and reads checked. Returns the agreement's id."""
        data = self.call(CREATE_AGREEMENT, {
            "initiatingOrganisationId": 1, "partnerOrganisationId": self.org2, "type": "SendingTo",
            "initiatingOrganisationBaseIds": [1], "partnerOrganisationBaseIds": [self.target],
            "comment": "lifecycle"}, SOURCE)
        agreement = int(data["createTransferAgreement"]["id"])
        self.assertEqual(self.agreement_row(agreement), [
            "UnderReview", "SendingTo", "1", str(self.org2), str(SOURCE), None, None, "1", "0", "0", "lifecycle"])
        self.assertEqual(self.db.sql(f"SELECT source_base_id, target_base_id FROM transfer_agreement_detail "
                                     f"WHERE transfer_agreement_id = {agreement}"), [["1", str(self.target)]])
        self.assert_agreement_reads(agreement)
        self.call(ACCEPT_AGREEMENT, {"id": str(agreement)}, TARGET)
        self.assertEqual(self.agreement_row(agreement), [
            "Accepted", "SendingTo", "1", str(self.org2), str(SOURCE), str(TARGET), None, "1", "1", "0", "lifecycle"])
        self.assert_agreement_reads(agreement)
        return agreement

    def new_shipment(self, agreement):
        data = self.call(CREATE_SHIPMENT, {"sourceBaseId": 1, "targetBaseId": self.target,
                                           "transferAgreementId": agreement}, SOURCE)
        shipment = int(data["createShipment"]["id"])
        self.assert_shipment(shipment, "Preparing", started=SOURCE)
        self.assertEqual(self.db.scalar(f"SELECT transfer_agreement_id FROM shipment WHERE id = {shipment}"),
                         str(agreement))
        return shipment

    # -- the rows ----------------------------------------------------------------------------

    def assert_shipment(self, shipment, state, **by):
        """The shipment row: its state, and for each of started/sent/receiving_started/
        completed/canceled the user who did it (each *_on set exactly when its *_by is)."""
        columns = ", ".join(f"{s}_by_id, {s}_on IS NOT NULL" for s in STAMPS)
        row = self.db.sql(f"SELECT state, {columns} FROM shipment WHERE id = {shipment}")[0]
        expected = [state]
        for stamp in STAMPS:
            user = by.get(stamp)
            expected += [None if user is None else str(user), "0" if user is None else "1"]
        self.assertEqual(row, expected)

    def assert_details(self, shipment, expected):
        """The shipment's details in id order: (box id, how it closed: None, 'removed', 'lost'
        or 'received', by whom); the source values are the box's as it was prepared."""
        rows = self.db.sql(f"SELECT box_id, removed_by_id, removed_on IS NOT NULL, lost_by_id, lost_on IS NOT NULL, "
                           f"received_by_id, received_on IS NOT NULL FROM shipment_detail "
                           f"WHERE shipment_id = {shipment} ORDER BY id")
        got = []
        for r in rows:
            closed = [(kind, r[1 + 2 * i]) for i, kind in enumerate(("removed", "lost", "received")) if r[2 + 2 * i] == "1"]
            self.assertEqual([k for k, _ in closed], [k for k, by in closed if by is not None], r)
            got.append((int(r[0]), closed[0][0] if closed else None, int(closed[0][1]) if closed else None)
                       if len(closed) <= 1 else (int(r[0]), "several", closed))
        self.assertEqual(got, expected)

    def assert_boxes(self, expected):
        """{box id: (state, location, product, size, items)} against stock."""
        ids = sorted(expected)
        rows = self.db.sql(f"SELECT id, box_state_id, location_id, product_id, size_id, items FROM stock "
                           f"WHERE id IN ({','.join(map(str, ids))}) ORDER BY id")
        self.assertEqual({int(r[0]): tuple(int(v) for v in r[1:]) for r in rows}, {i: expected[i] for i in ids})

    def history_since(self, mark, ids):
        """[record id, changes, from, to, user] of the boxes' history rows after mark."""
        return [[int(r[0]), r[1], number(r[2]), number(r[3]), int(r[4])] for r in self.db.sql(
            f"SELECT record_id, changes, from_int, to_int, user_id FROM history WHERE id > {mark} AND "
            f"tablename = 'stock' AND record_id IN ({','.join(map(str, ids))}) ORDER BY id")]

    def state_rows(self, ids, before, after, user):
        return [[i, "box_state_id", before, after, user] for i in ids]

    # -- the reads, against the rows ---------------------------------------------------------

    def expected_shipment(self, shipment):
        columns = ", ".join(f"{s}_on, {s}_by_id" for s in STAMPS)
        row = self.db.sql(f"SELECT id, state, source_base_id, target_base_id, transfer_agreement_id, {columns} "
                          f"FROM shipment WHERE id = {shipment}")[0]
        details = self.db.sql(
            "SELECT d.id, s.box_id, s.box_state_id, d.source_product_id, d.target_product_id, d.source_size_id, "
            "d.target_size_id, d.source_location_id, d.source_quantity, d.target_quantity, d.created_on, "
            "d.created_by_id, d.removed_on, d.removed_by_id, d.lost_on, d.lost_by_id, d.received_on, d.received_by_id "
            f"FROM shipment_detail d JOIN stock s ON s.id = d.box_id WHERE d.shipment_id = {shipment} ORDER BY d.id")
        expected = {"id": row[0], "state": row[1], "sourceBase": row[2], "targetBase": row[3],
                    "transferAgreement": row[4]}
        for i, stamp in enumerate(STAMPS):
            name = "".join(w.capitalize() if k else w for k, w in enumerate(stamp.split("_")))
            expected[name + "On"] = iso(row[5 + 2 * i])
            expected[name + "By"] = row[6 + 2 * i]
        expected["details"] = [
            {"id": d[0], "label": d[1], "state": STATE_NAMES[int(d[2])], "sourceProduct": d[3], "targetProduct": d[4],
             "sourceSize": d[5], "targetSize": d[6], "sourceLocation": d[7], "sourceQuantity": number(d[8]),
             "targetQuantity": number(d[9]), "createdOn": iso(d[10]), "createdBy": d[11], "removedOn": iso(d[12]),
             "removedBy": d[13], "lostOn": iso(d[14]), "lostBy": d[15], "receivedOn": iso(d[16]),
             "receivedBy": d[17]} for d in details]
        return expected

    def projected(self, answer):
        """The same parts of a ShipmentFields answer."""
        got = {"id": answer["id"], "state": answer["state"], "sourceBase": ref(answer["sourceBase"]),
               "targetBase": ref(answer["targetBase"]), "transferAgreement": ref(answer["transferAgreement"])}
        for stamp in STAMPS:
            name = "".join(w.capitalize() if k else w for k, w in enumerate(stamp.split("_")))
            got[name + "On"] = answer[name + "On"]
            got[name + "By"] = ref(answer[name + "By"])
        got["details"] = [
            {"id": d["id"], "label": d["box"]["labelIdentifier"], "state": d["box"]["state"],
             "sourceProduct": ref(d["sourceProduct"]), "targetProduct": ref(d["targetProduct"]),
             "sourceSize": ref(d["sourceSize"]), "targetSize": ref(d["targetSize"]),
             "sourceLocation": ref(d["sourceLocation"]), "sourceQuantity": d["sourceQuantity"],
             "targetQuantity": d["targetQuantity"], "createdOn": d["createdOn"], "createdBy": ref(d["createdBy"]),
             "removedOn": d["removedOn"], "removedBy": ref(d["removedBy"]), "lostOn": d["lostOn"],
             "lostBy": ref(d["lostBy"]), "receivedOn": d["receivedOn"], "receivedBy": ref(d["receivedBy"])}
            for d in sorted(answer["details"], key=lambda d: int(d["id"]))]
        return got

    def assert_reads(self, shipment, answer=None):
        """The mutation's own answer, shipment(id) as both sides and a god user, and each of
        its boxes' Box.shipmentDetail, against the rows."""
        expected = self.expected_shipment(shipment)
        if answer is not None:
            self.assertEqual(self.projected(answer), expected, "the mutation's answer")
        for user in (SOURCE, TARGET, GOD):
            data = self.call(SHIPMENT_BY_ID, {"id": str(shipment)}, user)
            self.assertEqual(self.projected(data["shipment"]), expected, f"shipment(id) as user {user}")
        self.assert_overview(shipment, expected)
        boxes = self.db.sql(f"SELECT s.box_id, s.box_state_id, l.camp_id, (SELECT MAX(o.id) FROM shipment_detail o "
                            f"WHERE o.box_id = s.id AND o.removed_on IS NULL AND o.lost_on IS NULL AND o.received_on "
                            f"IS NULL) FROM shipment_detail d JOIN stock s ON s.id = d.box_id JOIN locations l ON "
                            f"l.id = s.location_id WHERE d.shipment_id = {shipment} ORDER BY d.id")
        for label, state, base, open_detail in boxes:
            # The box's own base reads it; a box on its way is read by both sides.
            readers = [SOURCE if int(base) == 1 else TARGET]
            if int(state) in (IN_TRANSIT, RECEIVING):
                readers = [SOURCE, TARGET]
            for user in readers:
                box = self.call(BOX_DETAIL, {"label": label}, user)["box"]
                self.assertEqual((box["state"], ref(box["shipmentDetail"])), (STATE_NAMES[int(state)], open_detail),
                                 f"Box.shipmentDetail of {label} as user {user}")

    def assert_overview(self, shipment, expected):
        """The shipments overview of each side lists the shipment as the rows say, Outgoing
        from its source base and Incoming to its target base."""
        stamps = ("startedOn", "sentOn", "receivingStartedOn", "completedOn", "canceledOn")
        want = {"state": expected["state"], **{k: expected[k] for k in stamps},
                "details": [[d["id"], d["label"], d["createdOn"], d["removedOn"], d["lostOn"]]
                            for d in expected["details"]]}
        outgoing_from = expected["sourceBase"]
        for user, base in ((SOURCE, 1), (TARGET, self.target)):
            direction = "Outgoing" if str(base) == outgoing_from else "Incoming"
            listed = [s for s in self.call(SHIPMENTS, {"baseId": str(base)}, user)["shipments"]
                      if s["id"] == str(shipment)]
            self.assertEqual(len(listed), 1, f"the overview of user {user} lists shipment {shipment} once")
            got = listed[0]
            self.assertEqual(got["direction"], direction)
            self.assertEqual({"state": got["state"], **{k: got[k] for k in stamps},
                              "details": sorted([[d["id"], d["box"]["labelIdentifier"], d["createdOn"], d["removedOn"],
                                                  d["lostOn"]] for d in got["details"]], key=lambda d: int(d[0]))},
                             want, f"the shipments overview as user {user}")

    def assert_box_view(self, box_id):
        """BoxView of a box on its way, as both sides: the box's state, its open detail, and
        its location and product to the side whose base they are of (null to the other, as
        boxtribute answers)."""
        label, state, location, location_base, product, product_base, items, detail, quantity = self.db.sql(
            f"SELECT s.box_id, s.box_state_id, s.location_id, l.camp_id, s.product_id, p.camp_id, s.items, d.id, "
            f"d.source_quantity FROM stock s JOIN locations l ON l.id = s.location_id JOIN products p ON "
            f"p.id = s.product_id JOIN shipment_detail d ON d.box_id = s.id AND d.removed_on IS NULL AND "
            f"d.lost_on IS NULL AND d.received_on IS NULL WHERE s.id = {box_id}")[0]
        for user, base in ((SOURCE, "1"), (TARGET, str(self.target))):
            box = self.call(BOX_VIEW, {"labelIdentifier": label}, user)["box"]
            self.assertEqual((box["labelIdentifier"], box["state"], ref(box["location"]), ref(box["product"]),
                              box["numberOfItems"], box["shipmentDetail"]["id"], box["shipmentDetail"]["sourceQuantity"]),
                             (label, STATE_NAMES[int(state)], location if location_base == base else None,
                              product if product_base == base else None, int(items), detail, int(quantity)),
                             f"BoxView as user {user}")

    # -- the paths ---------------------------------------------------------------------------

    def prepared(self, n):
        """An accepted agreement, a shipment under it, n new boxes of base 1 prepared in it
        (items 10, 11, ...). Returns (agreement, shipment, [(box id, label)])."""
        agreement = self.accepted_agreement()
        shipment = self.new_shipment(agreement)
        boxes = [self.boxes(1, self.loc["Bulk A"], items=10 + i)[0] for i in range(n)]
        ids = [b[0] for b in boxes]
        mark = self.last_history_id()
        data = self.call(ASSIGN, {"id": str(shipment), "labelIdentifiers": [b[1] for b in boxes]}, SOURCE)
        self.assert_shipment(shipment, "Preparing", started=SOURCE)
        self.assert_details(shipment, [(i, None, None) for i in ids])
        self.assertEqual(self.db.sql(f"SELECT source_product_id, source_location_id, source_size_id, source_quantity, "
                                     f"created_by_id FROM shipment_detail WHERE shipment_id = {shipment} ORDER BY id"),
                         [[str(self.product), str(self.loc["Bulk A"]), str(self.size), str(10 + i), str(SOURCE)]
                          for i in range(n)])
        self.assert_boxes({i: (MARKED, self.loc["Bulk A"], self.product, self.size, 10 + k) for k, i in enumerate(ids)})
        self.assertEqual(self.history_since(mark, ids), self.state_rows(ids, IN_STOCK, MARKED, SOURCE))
        self.assert_reads(shipment, data["updateShipmentWhenPreparing"])
        return agreement, shipment, boxes

    def sent(self, shipment, ids):
        mark = self.last_history_id()
        data = self.call(SEND, {"id": str(shipment)}, SOURCE)
        self.assert_shipment(shipment, "Sent", started=SOURCE, sent=SOURCE)
        self.assertEqual(self.history_since(mark, ids), self.state_rows(ids, MARKED, IN_TRANSIT, SOURCE))
        self.assert_reads(shipment, data["sendShipment"])
        self.assert_box_view(ids[0])

    def receiving(self, shipment, ids, user=TARGET):
        mark = self.last_history_id()
        data = self.call(START, {"id": str(shipment)}, user)
        self.assert_shipment(shipment, "Receiving", started=SOURCE, sent=SOURCE, receiving_started=user)
        self.assertEqual(self.history_since(mark, ids), self.state_rows(ids, IN_TRANSIT, RECEIVING, user))
        self.assert_reads(shipment, data["startReceivingShipment"])
        self.assert_box_view(ids[-1])

    def reconcile(self, detail_of_box, box_id, quantity, product=None, size=None):
        return {"id": str(detail_of_box[box_id]), "targetProductId": product or self.target_product,
                "targetLocationId": self.target_location, "targetSizeId": size or self.target_size,
                "targetQuantity": quantity}

    def details_by_box(self, shipment):
        return {int(r[1]): int(r[0]) for r in self.db.sql(f"SELECT id, box_id FROM shipment_detail "
                                                          f"WHERE shipment_id = {shipment}")}

    def test_whole_lifecycle(self):
        """Agreement → accepted → shipment → four boxes prepared, one removed → sent →
        receiving → one box (tagged) reconciled with product, location, size and items changed
        and its tags removed, one with only product and location, one marked lost → Completed
        in the same call."""
        agreement, shipment, boxes = self.prepared(4)
        ids = [b[0] for b in boxes]
        kept, removed = ids[:3], ids[3]

        mark = self.last_history_id()
        data = self.call(REMOVE, {"id": str(shipment), "removedBoxLabelIdentifiers": [boxes[3][1]]}, SOURCE)
        self.assert_details(shipment, [(i, None, None) for i in kept] + [(removed, "removed", SOURCE)])
        self.assert_boxes({removed: (IN_STOCK, self.loc["Bulk A"], self.product, self.size, 13)})
        self.assertEqual(self.history_since(mark, ids), self.state_rows([removed], MARKED, IN_STOCK, SOURCE))
        self.assert_reads(shipment, data["updateShipmentWhenPreparing"])

        self.sent(shipment, kept)
        self.assert_boxes({i: (IN_TRANSIT, self.loc["Bulk A"], self.product, self.size, 10 + k) for k, i in enumerate(kept)}
                          | {removed: (IN_STOCK, self.loc["Bulk A"], self.product, self.size, 13)})
        self.assert_agreement_reads(agreement)
        self.receiving(shipment, kept)
        self.relate(kept[0], self.tag["bulk box"])

        detail = self.details_by_box(shipment)
        mark = self.last_history_id()
        data = self.call(RECEIVE, {"id": str(shipment), "receivedShipmentDetailUpdateInputs": [
            self.reconcile(detail, kept[0], 3), self.reconcile(detail, kept[1], 11, size=self.size)],
            "lostBoxLabelIdentifiers": [boxes[2][1]]}, TARGET)
        self.assert_shipment(shipment, "Completed", started=SOURCE, sent=SOURCE, receiving_started=TARGET,
                             completed=TARGET)
        self.assert_details(shipment, [(kept[0], "received", TARGET), (kept[1], "received", TARGET),
                                       (kept[2], "lost", TARGET), (removed, "removed", SOURCE)])
        self.assertEqual(self.db.sql(f"SELECT target_product_id, target_location_id, target_size_id, target_quantity "
                                     f"FROM shipment_detail WHERE shipment_id = {shipment} ORDER BY id")[:2], [
            [str(self.target_product), str(self.target_location), str(self.target_size), "3"],
            [str(self.target_product), str(self.target_location), str(self.size), "11"]])
        self.assert_boxes({kept[0]: (IN_STOCK, self.target_location, self.target_product, self.target_size, 3),
                           kept[1]: (IN_STOCK, self.target_location, self.target_product, self.size, 11),
                           kept[2]: (NOT_DELIVERED, self.loc["Bulk A"], self.product, self.size, 12)})
        self.assertEqual(self.history_since(mark, ids), [
            [kept[0], "product_id", self.product, self.target_product, TARGET],
            [kept[0], "location_id", self.loc["Bulk A"], self.target_location, TARGET],
            [kept[0], "size_id", self.size, self.target_size, TARGET],
            [kept[0], "items", 10, 3, TARGET],
            [kept[0], "box_state_id", RECEIVING, IN_STOCK, TARGET],
            [kept[1], "product_id", self.product, self.target_product, TARGET],
            [kept[1], "location_id", self.loc["Bulk A"], self.target_location, TARGET],
            [kept[1], "box_state_id", RECEIVING, IN_STOCK, TARGET],
            [kept[2], "box_state_id", RECEIVING, NOT_DELIVERED, TARGET]])
        # A received box leaves its source base's tags behind.
        self.assertEqual(self.db.sql(f"SELECT deleted_by_id, deleted_on = (SELECT received_on FROM shipment_detail "
                                     f"WHERE box_id = {kept[0]}) FROM tags_relations WHERE object_type = 'Stock' "
                                     f"AND object_id = {kept[0]}"), [[str(TARGET), "1"]])
        self.assertEqual(self.call(BOX_VIEW, {"labelIdentifier": boxes[0][1]}, TARGET)["box"]["tags"], [])
        self.assert_reads(shipment, data["updateShipmentWhenReceiving"])
        self.assert_agreement_reads(agreement)

    def test_cancel_while_preparing(self):
        """The target side cancels a shipment being prepared: Canceled, its boxes back
        InStock, their details removed; it can no longer be sent; its boxes can go into
        another shipment."""
        agreement, shipment, boxes = self.prepared(2)
        ids = [b[0] for b in boxes]
        mark = self.last_history_id()
        data = self.call(CANCEL, {"id": str(shipment)}, TARGET)
        self.assert_shipment(shipment, "Canceled", started=SOURCE, canceled=TARGET)
        self.assert_details(shipment, [(i, "removed", TARGET) for i in ids])
        self.assert_boxes({i: (IN_STOCK, self.loc["Bulk A"], self.product, self.size, 10 + k) for k, i in enumerate(ids)})
        self.assertEqual(self.history_since(mark, ids), self.state_rows(ids, MARKED, IN_STOCK, TARGET))
        self.assert_reads(shipment, data["cancelShipment"])
        before = self.checksums()
        status, response = self.send(SEND, {"id": str(shipment)}, self.source_token)
        self.assertEqual((status, response["errors"][0]["message"]), (200,
                         "The state of the shipment (Canceled) does not allow the requested action. "
                         "Expecting state: Preparing"), response)
        self.assertEqual(self.checksums(), before)
        again = self.new_shipment(agreement)
        self.call(ASSIGN, {"id": str(again), "labelIdentifiers": [b[1] for b in boxes]}, SOURCE)
        self.assert_details(again, [(i, None, None) for i in ids])
        self.assert_reads(again)

    def test_lost_after_send(self):
        """B cancels the agreement while the shipment is prepared; A sends it anyway. The
        target side marks the Sent shipment lost: Lost, its boxes NotDelivered. The source
        side finds one box and takes it back into stock: InStock, its detail removed, the
        shipment still Lost; then the other: no lost box left, Completed (boxtribute's rule)."""
        agreement, shipment, boxes = self.prepared(2)
        ids = [b[0] for b in boxes]
        # B cancels the agreement while the shipment is prepared: the shipment goes on (as in
        # boxtribute), but no new shipment can be made under the agreement.
        self.call(CANCEL_AGREEMENT, {"id": str(agreement)}, TARGET)
        self.assertEqual(self.agreement_row(agreement)[:7], [
            "Canceled", "SendingTo", "1", str(self.org2), str(SOURCE), str(TARGET), str(TARGET)])
        self.assert_agreement_reads(agreement)
        before = self.checksums()
        status, response = self.send(CREATE_SHIPMENT, {"sourceBaseId": 1, "targetBaseId": self.target,
                                                       "transferAgreementId": agreement}, self.source_token)
        self.assertEqual((status, response["data"]["createShipment"], response["errors"][0]["message"]), (
            200, None, "The state of the transfer agreement (Canceled) does not allow the requested action. "
                       "Expecting state: Accepted"), response)
        self.assertEqual(self.checksums(), before)
        self.sent(shipment, ids)
        mark = self.last_history_id()
        data = self.call(LOST, {"id": str(shipment)}, TARGET)
        self.assert_shipment(shipment, "Lost", started=SOURCE, sent=SOURCE, completed=TARGET)
        self.assert_details(shipment, [(i, "lost", TARGET) for i in ids])
        self.assert_boxes({i: (NOT_DELIVERED, self.loc["Bulk A"], self.product, self.size, 10 + k)
                           for k, i in enumerate(ids)})
        self.assertEqual(self.history_since(mark, ids), self.state_rows(ids, IN_TRANSIT, NOT_DELIVERED, TARGET))
        self.assert_reads(shipment, data["markShipmentAsLost"])

        mark = self.last_history_id()
        self.call(MOVE_NOT_DELIVERED, {"boxIds": [str(ids[0])]}, SOURCE)
        self.assert_shipment(shipment, "Lost", started=SOURCE, sent=SOURCE, completed=SOURCE)
        self.assert_details(shipment, [(ids[0], "removed", SOURCE), (ids[1], "lost", TARGET)])
        self.assert_boxes({ids[0]: (IN_STOCK, self.loc["Bulk A"], self.product, self.size, 10),
                           ids[1]: (NOT_DELIVERED, self.loc["Bulk A"], self.product, self.size, 11)})
        self.assertEqual(self.history_since(mark, ids), self.state_rows(ids[:1], NOT_DELIVERED, IN_STOCK, SOURCE))
        self.assert_reads(shipment)

        self.call(MOVE_NOT_DELIVERED, {"boxIds": [str(ids[1])]}, SOURCE)
        self.assert_shipment(shipment, "Completed", started=SOURCE, sent=SOURCE, completed=SOURCE)
        self.assert_details(shipment, [(i, "removed", SOURCE) for i in ids])
        self.assert_reads(shipment)

    def test_not_delivered_back_in_stock_and_reconciled(self):
        """A god user starts receiving; the target side marks two boxes lost and reconciles
        the third: Completed. The source side
        takes one lost box back into stock (the Completed shipment stays as it was); the target
        side takes the other back to reconcile: the shipment Receiving again, its completion
        cleared; reconciling it completes the shipment again."""
        _, shipment, boxes = self.prepared(3)
        ids = [b[0] for b in boxes]
        self.sent(shipment, ids)
        self.receiving(shipment, ids, user=GOD)
        detail = self.details_by_box(shipment)
        self.call(RECEIVE, {"id": str(shipment), "receivedShipmentDetailUpdateInputs": [self.reconcile(detail, ids[2], 4)],
                            "lostBoxLabelIdentifiers": [boxes[0][1], boxes[1][1]]}, TARGET)
        completed = dict(started=SOURCE, sent=SOURCE, receiving_started=GOD, completed=TARGET)
        self.assert_shipment(shipment, "Completed", **completed)
        completed_on = self.db.scalar(f"SELECT completed_on FROM shipment WHERE id = {shipment}")
        self.assert_reads(shipment)

        mark = self.last_history_id()
        self.call(MOVE_NOT_DELIVERED, {"boxIds": [str(ids[0])]}, SOURCE)
        self.assert_shipment(shipment, "Completed", **completed)
        self.assertEqual(self.db.scalar(f"SELECT completed_on FROM shipment WHERE id = {shipment}"), completed_on)
        self.assert_details(shipment, [(ids[0], "removed", SOURCE), (ids[1], "lost", TARGET), (ids[2], "received", TARGET)])
        self.assert_boxes({ids[0]: (IN_STOCK, self.loc["Bulk A"], self.product, self.size, 10)})
        self.assertEqual(self.history_since(mark, ids), self.state_rows(ids[:1], NOT_DELIVERED, IN_STOCK, SOURCE))
        self.assert_reads(shipment)

        mark = self.last_history_id()
        self.call(MOVE_NOT_DELIVERED, {"boxIds": [str(ids[1])]}, TARGET)
        self.assert_shipment(shipment, "Receiving", started=SOURCE, sent=SOURCE, receiving_started=GOD)
        self.assert_details(shipment, [(ids[0], "removed", SOURCE), (ids[1], None, None), (ids[2], "received", TARGET)])
        self.assert_boxes({ids[1]: (RECEIVING, self.loc["Bulk A"], self.product, self.size, 11)})
        self.assertEqual(self.history_since(mark, ids), self.state_rows(ids[1:2], NOT_DELIVERED, RECEIVING, TARGET))
        self.assert_reads(shipment)
        self.assert_box_view(ids[1])

        data = self.call(RECEIVE, {"id": str(shipment), "receivedShipmentDetailUpdateInputs": [
            self.reconcile(detail, ids[1], 11, size=self.size)]}, TARGET)
        self.assert_shipment(shipment, "Completed", **completed)
        self.assert_details(shipment, [(ids[0], "removed", SOURCE), (ids[1], "received", TARGET),
                                       (ids[2], "received", TARGET)])
        self.assert_boxes({ids[1]: (IN_STOCK, self.target_location, self.target_product, self.size, 11)})
        self.assert_reads(shipment, data["updateShipmentWhenReceiving"])

    def test_there_and_back(self):
        """Under a Bidirectional agreement a box prepared, taken out and prepared again goes
        to B's base and is received there; B sends it back in a shipment of its own, and A
        receives it into its own product, location and size again. The first shipment's
        closed detail stays as it was; each step's rows and reads checked."""
        data = self.call(CREATE_AGREEMENT, {
            "initiatingOrganisationId": 1, "partnerOrganisationId": self.org2, "type": "Bidirectional",
            "initiatingOrganisationBaseIds": [1], "partnerOrganisationBaseIds": [self.target],
            "comment": "lifecycle"}, SOURCE)
        agreement = int(data["createTransferAgreement"]["id"])
        self.call(ACCEPT_AGREEMENT, {"id": str(agreement)}, TARGET)
        self.assertEqual(self.agreement_row(agreement)[:2], ["Accepted", "Bidirectional"])
        shipment = self.new_shipment(agreement)
        (box, label), = self.boxes(1, self.loc["Bulk A"], items=6)
        mark = self.last_history_id()
        self.call(ASSIGN, {"id": str(shipment), "labelIdentifiers": [label]}, SOURCE)
        self.call(REMOVE, {"id": str(shipment), "removedBoxLabelIdentifiers": [label]}, SOURCE)
        data = self.call(ASSIGN, {"id": str(shipment), "labelIdentifiers": [label]}, SOURCE)
        self.assert_details(shipment, [(box, "removed", SOURCE), (box, None, None)])
        self.assertEqual(self.history_since(mark, [box]), [[box, "box_state_id", IN_STOCK, MARKED, SOURCE],
                                                           [box, "box_state_id", MARKED, IN_STOCK, SOURCE],
                                                           [box, "box_state_id", IN_STOCK, MARKED, SOURCE]])
        self.assert_reads(shipment, data["updateShipmentWhenPreparing"])
        self.sent(shipment, [box])
        self.receiving(shipment, [box])
        detail = self.db.scalar(f"SELECT id FROM shipment_detail WHERE shipment_id = {shipment} AND removed_on IS NULL")
        self.call(RECEIVE, {"id": str(shipment), "receivedShipmentDetailUpdateInputs": [
            self.reconcile({box: detail}, box, 3)]}, TARGET)
        self.assert_shipment(shipment, "Completed", started=SOURCE, sent=SOURCE, receiving_started=TARGET,
                             completed=TARGET)
        self.assert_boxes({box: (IN_STOCK, self.target_location, self.target_product, self.target_size, 3)})
        first_details = self.db.sql(f"SELECT * FROM shipment_detail WHERE shipment_id = {shipment} ORDER BY id")

        data = self.call(CREATE_SHIPMENT, {"sourceBaseId": self.target, "targetBaseId": 1,
                                           "transferAgreementId": agreement}, TARGET)
        back = int(data["createShipment"]["id"])
        self.assert_shipment(back, "Preparing", started=TARGET)
        mark = self.last_history_id()
        data = self.call(ASSIGN, {"id": str(back), "labelIdentifiers": [label]}, TARGET)
        self.assertEqual(self.db.sql(f"SELECT box_id, source_product_id, source_location_id, source_size_id, "
                                     f"source_quantity FROM shipment_detail WHERE shipment_id = {back}"),
                         [[str(box), str(self.target_product), str(self.target_location), str(self.target_size), "3"]])
        self.assert_reads(back, data["updateShipmentWhenPreparing"])
        self.call(SEND, {"id": str(back)}, TARGET)
        self.call(START, {"id": str(back)}, SOURCE)
        self.assert_shipment(back, "Receiving", started=TARGET, sent=TARGET, receiving_started=SOURCE)
        self.assert_reads(back)
        self.assert_box_view(box)
        (detail,), = self.db.sql(f"SELECT id FROM shipment_detail WHERE shipment_id = {back}")
        data = self.call(RECEIVE, {"id": str(back), "receivedShipmentDetailUpdateInputs": [
            {"id": detail, "targetProductId": self.product, "targetLocationId": self.loc["Bulk B"],
             "targetSizeId": self.size, "targetQuantity": 9}]}, SOURCE)
        self.assert_shipment(back, "Completed", started=TARGET, sent=TARGET, receiving_started=SOURCE, completed=SOURCE)
        self.assert_details(back, [(box, "received", SOURCE)])
        self.assert_boxes({box: (IN_STOCK, self.loc["Bulk B"], self.product, self.size, 9)})
        self.assertEqual(self.history_since(mark, [box]), [
            [box, "box_state_id", IN_STOCK, MARKED, TARGET], [box, "box_state_id", MARKED, IN_TRANSIT, TARGET],
            [box, "box_state_id", IN_TRANSIT, RECEIVING, SOURCE],
            [box, "product_id", self.target_product, self.product, SOURCE],
            [box, "location_id", self.target_location, self.loc["Bulk B"], SOURCE],
            [box, "size_id", self.target_size, self.size, SOURCE], [box, "items", 3, 9, SOURCE],
            [box, "box_state_id", RECEIVING, IN_STOCK, SOURCE]])
        self.assertEqual(self.db.sql(f"SELECT * FROM shipment_detail WHERE shipment_id = {shipment} ORDER BY id"),
                         first_details)
        self.assert_reads(back, data["updateShipmentWhenReceiving"])
        self.assert_reads(shipment)
        self.assert_agreement_reads(agreement)

    def test_statements_independent_of_boxes(self):
        """Every step takes the same SQL statements (MariaDB's counters) for 1 box as for 5:
        prepare 2n, remove n, send, start receiving, all n lost, the target side takes them
        back, reconciled; another shipment sent, marked lost, the source side takes its boxes
        back; a third cancelled while preparing."""
        steps = []
        for n in (1, 5):
            agreement = self.accepted_agreement()
            counted = {}

            def step(name, query, variables, user):
                counted[name] = self.counts(query, variables, self.god_token if user == GOD else self.sides[user])

            shipment = self.new_shipment(agreement)
            boxes = self.boxes(2 * n, self.loc["Bulk A"])
            labels, ids = [b[1] for b in boxes[:n]], [str(b[0]) for b in boxes[:n]]
            step("prepare", ASSIGN, {"id": str(shipment), "labelIdentifiers": [b[1] for b in boxes]}, SOURCE)
            step("remove", REMOVE, {"id": str(shipment), "removedBoxLabelIdentifiers": [b[1] for b in boxes[n:]]}, SOURCE)
            step("send", SEND, {"id": str(shipment)}, SOURCE)
            step("start receiving", START, {"id": str(shipment)}, TARGET)
            step("all lost", RECEIVE, {"id": str(shipment), "lostBoxLabelIdentifiers": labels}, TARGET)
            step("back to receiving", MOVE_NOT_DELIVERED, {"boxIds": ids}, TARGET)
            detail = self.details_by_box(shipment)
            step("reconcile", RECEIVE, {"id": str(shipment), "receivedShipmentDetailUpdateInputs": [
                self.reconcile(detail, b[0], 2) for b in boxes[:n]]}, TARGET)
            self.assert_shipment(shipment, "Completed", started=SOURCE, sent=SOURCE, receiving_started=TARGET,
                                 completed=TARGET)

            shipment = self.new_shipment(agreement)
            boxes = self.boxes(n, self.loc["Bulk A"])
            self.call(ASSIGN, {"id": str(shipment), "labelIdentifiers": [b[1] for b in boxes]}, SOURCE)
            self.call(SEND, {"id": str(shipment)}, SOURCE)
            step("mark lost", LOST, {"id": str(shipment)}, SOURCE)
            step("back in stock", MOVE_NOT_DELIVERED, {"boxIds": [str(b[0]) for b in boxes]}, SOURCE)
            self.assert_shipment(shipment, "Completed", started=SOURCE, sent=SOURCE, completed=SOURCE)

            shipment = self.new_shipment(agreement)
            boxes = self.boxes(n, self.loc["Bulk A"])
            self.call(ASSIGN, {"id": str(shipment), "labelIdentifiers": [b[1] for b in boxes]}, SOURCE)
            step("cancel", CANCEL, {"id": str(shipment)}, SOURCE)
            self.assert_boxes({b[0]: (IN_STOCK, self.loc["Bulk A"], self.product, self.size, 5) for b in boxes})
            steps.append(counted)
            self.setUp()
        self.assertEqual(steps[0], steps[1])


class LifecycleOnDemoData(Lifecycle, unittest.TestCase):
    """On Depot's DDL with the generator's demo data."""


@unittest.skipUnless(os.path.exists(DUMP), f"{DUMP} is absent: boxtribute's dump is not available here")
class LifecycleOnBoxtributeDump(Lifecycle, unittest.TestCase):
    """On boxtribute's own database (utf8mb3 tables, its agreements and shipments)."""

    DUMP = True


if __name__ == "__main__":
    unittest.main()
