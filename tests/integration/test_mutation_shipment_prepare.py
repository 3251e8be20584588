"""Preparing, sending and cancelling shipments end to end: updateShipmentWhenPreparing,
updateMarkedForShipmentBox, sendShipment and cancelShipment, as boxtribute's front-end sends
them (ShipmentView; "assign to shipment" in BoxView, ManageBoxes and the QR reader; ManageBoxes'
aliased "remove from shipment"), on a real MariaDB with Depot's DDL and with boxtribute's dump.

Shipments, agreements, details and boxes are inserted with SQL written here (createShipment is
another part's). Each success is checked row by row (stock, history, shipment,
shipment_detail) with SQL; each refusal changes nothing (CHECKSUM TABLE); the statements of a
preparation do not depend on the number of boxes (MariaDB's counters); 16 clients putting the
same 20 boxes into two shipments at once leave each box in at most one open detail; a send
and a cancel of one shipment at once have exactly one winner. The semantics are boxtribute's
(business_logic/box_transfer/shipment/crud.py, warehouse/box/crud.py); README "Deliberate
choices" says where Depot is stricter.
Licensed under the Apache License 2.0.
"""
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_mutation_bulk import BulkFixture, USER, coordinator_permissions  # noqa: E402

WRITTEN = ("stock", "history", "shipment", "shipment_detail")

ASSIGN = harness.read_query("mutations/AssignBoxesToShipment.graphql")
UNASSIGN = harness.read_query("mutations/UnassignBoxesFromShipment.graphql")
REMOVE = harness.read_query("mutations/RemoveBoxFromShipment.graphql")
SEND = harness.read_query("mutations/SendShipment.graphql")
CANCEL = harness.read_query("mutations/CancelShipment.graphql")
MARKED = harness.read_query("mutations/UpdateMarkedForShipmentBox.graphql")
UNASSIGN_MANY = harness.read_query("mutations/UnassignBoxesFromShipments.graphql")

PREPARE_ALL = """mutation Prepare($id: ID!, $prepared: [String!], $removed: [String!], $target: Int) {
  updateShipmentWhenPreparing(updateInput: {id: $id, preparedBoxLabelIdentifiers: $prepared,
      removedBoxLabelIdentifiers: $removed, targetBaseId: $target}) {
    id state targetBase { id }
  }
}"""

BOX_IN_TRANSIT = """query Box($label: String!) {
  box(labelIdentifier: $label) { labelIdentifier state shipmentDetail { id shipment { id state } } }
}"""

STATE_ERROR = ("The state of the shipment ({}) does not allow the requested action. "
               "Expecting state: Preparing")


def prepare_permissions(base):
    """A coordinator who prepares shipments: every read in the base, stock:write,
    shipment:edit and shipment_detail:write."""
    return coordinator_permissions(base) + [f"base_{base}/shipment:edit", f"base_{base}/shipment_detail:write"]


class ShipmentFixture(BulkFixture):
    ON_DUMP = False  # boxtribute's dump rather than Depot's DDL

    @classmethod
    def setUpClass(cls):
        cls.start_shipments(cls.ON_DUMP)

    @classmethod
    def tearDownClass(cls):
        cls.stop()

    @classmethod
    def start_shipments(cls, dump=False):
        cls.start(dump)
        db = cls.db
        # An agreement from base 1 (organisation 1) to the other organisation's base.
        db.sql("INSERT INTO transfer_agreement (source_organisation_id, target_organisation_id, state, type, "
               f"requested_on, requested_by, valid_from) VALUES (1, {cls.org2}, 'Accepted', 'SendingTo', "
               "'2024-01-01 00:00:00', 2, '2024-01-01 00:00:00')")
        cls.agreement = int(db.scalar("SELECT MAX(id) FROM transfer_agreement"))
        db.sql("INSERT INTO transfer_agreement_detail (transfer_agreement_id, source_base_id, target_base_id) "
               f"VALUES ({cls.agreement}, 1, {cls.org2_base})")
        cls.token = cls.keys.token(permissions=prepare_permissions(1))
        cls.no_detail = cls.keys.token(permissions=coordinator_permissions(1) + ["base_1/shipment:edit"])
        cls.org2_user = cls.keys.token(sub="auth0|9", org=cls.org2, base_ids=(cls.org2_base,),
                                       roles=(f"base_{cls.org2_base}_coordinator",),
                                       permissions=prepare_permissions(cls.org2_base))

    # -- rows the tests write ---------------------------------------------------------------

    def shipment(self, state="Preparing", target=None, agreement=True):
        target = self.org2_base if target is None else target
        self.db.sql("INSERT INTO shipment (source_base_id, target_base_id, transfer_agreement_id, state, "
                    f"started_on, started_by_id) VALUES (1, {target}, "
                    f"{self.agreement if agreement else 'NULL'}, '{state}', '2024-03-04 05:06:07', 2)")
        return int(self.db.scalar("SELECT MAX(id) FROM shipment"))

    def detail(self, shipment, box_id):
        """An open detail of a box, as a preparation writes it."""
        self.db.sql("INSERT INTO shipment_detail (shipment_id, box_id, source_product_id, source_quantity, "
                    "source_size_id, source_location_id, created_on, created_by_id) SELECT "
                    f"{shipment}, id, product_id, items, size_id, location_id, '2024-03-04 05:06:07', 2 "
                    f"FROM stock WHERE id = {box_id}")
        return int(self.db.scalar("SELECT MAX(id) FROM shipment_detail"))

    # -- checks -----------------------------------------------------------------------------

    def checksums(self):
        return self.db.sql("CHECKSUM TABLE " + ", ".join(WRITTEN))

    def states(self, ids):
        return [int(r[0]) for r in self.db.sql(
            f"SELECT box_state_id FROM stock WHERE id IN ({','.join(str(i) for i in ids)}) ORDER BY id")]

    def state_history(self, ids, since):
        """(record_id, from_int, to_int, user, changedate) of the box_state_id rows since."""
        return [(int(r[1]), int(r[6]), int(r[7]), int(r[3]), r[5]) for r in self.history(ids, since)
                if r[2] == "box_state_id"]

    def details(self, shipment):
        """(id, box_id, source product/quantity/size/location, created_by, removed_by) by id."""
        return [tuple(None if v is None else int(v) for v in r) for r in self.db.sql(
            "SELECT id, box_id, source_product_id, source_quantity, source_size_id, source_location_id, "
            f"created_by_id, removed_by_id FROM shipment_detail WHERE shipment_id = {shipment} ORDER BY id")]

    def answered_details(self, shipment_json):
        """(detail id, box label, box state, removed) of an answer's ShipmentFields details."""
        return sorted((int(d["id"]), d["box"]["labelIdentifier"], d["box"]["state"], d["removedOn"] is not None)
                      for d in shipment_json["details"])

    def table_details(self, shipment):
        """The same, from the tables."""
        state_name = {1: "InStock", 3: "MarkedForShipment", 7: "InTransit"}
        return sorted((int(r[0]), r[1], state_name[int(r[2])], r[3] is not None) for r in self.db.sql(
            "SELECT d.id, s.box_id, s.box_state_id, d.removed_on FROM shipment_detail d JOIN stock s "
            f"ON s.id = d.box_id WHERE d.shipment_id = {shipment}"))

    def refused(self, query, variables, token, code, message):
        """A call that must fail with code and message and change nothing."""
        response = self.assert_unchanged(query, variables, token)
        self.assertEqual(len(response["errors"]), 1, response)
        error = response["errors"][0]
        self.assertEqual(error["extensions"]["code"], code, response)
        self.assertEqual(error["message"], message, response)
        return response


class ShipmentPreparation(ShipmentFixture, unittest.TestCase):

    def test_prepare_takes_instock_boxes_of_the_source_base_only(self):
        shipment, other = self.shipment(), self.shipment()
        good = self.boxes(3, self.loc["Bulk A"], items=7)
        deleted = self.boxes(1, self.loc["Bulk A"], deleted="2024-02-02 02:02:02")
        donated = self.boxes(1, self.loc["Bulk Donated"], state=5)
        elsewhere = self.boxes(1, self.loc["Bulk Org2"])
        # InStock by its row, yet open in another shipment: boxtribute would add it a second time.
        in_other = self.boxes(1, self.loc["Bulk A"])
        self.detail(other, in_other[0][0])
        labels = [b[1] for b in good + deleted + donated + elsewhere + in_other] + ["99999999"]
        untouched = [b[0] for b in deleted + donated + elsewhere + in_other]
        before_states = self.states(untouched)
        since = self.last_history_id()
        before = self.utc_now()
        data = self.mutate(ASSIGN, {"id": str(shipment), "labelIdentifiers": labels})
        after = self.utc_now()

        ids = [b[0] for b in good]
        self.assertEqual(self.states(ids), [3, 3, 3])
        self.assertEqual(self.states(untouched), before_states)
        history = self.state_history(ids + untouched, since)
        self.assertEqual([h[:4] for h in history], [(i, 1, 3, USER) for i in ids])
        for h in history:
            self.assert_when(h[4], before, after)
        for row in self.db.sql(f"SELECT modified, modified_by FROM stock WHERE id IN ({','.join(map(str, ids))})"):
            self.assert_when(row[0], before, after)
            self.assertEqual(int(row[1]), USER)
        expected = [tuple(int(v) for v in r) for r in self.db.sql(
            "SELECT id, product_id, items, size_id, location_id FROM stock "
            f"WHERE id IN ({','.join(map(str, ids))}) ORDER BY id")]
        got = self.details(shipment)
        self.assertEqual([d[1:6] for d in got], expected)
        self.assertEqual({(d[6], d[7]) for d in got}, {(USER, None)})
        # The answer (ShipmentFields) is the shipment as the tables now hold it.
        answer = data["updateShipmentWhenPreparing"]
        self.assertEqual(answer["id"], str(shipment))
        self.assertEqual(answer["state"], "Preparing")
        self.assertEqual(self.answered_details(answer), self.table_details(shipment))

        # Removing one (ShipmentView's document): back InStock, its detail removed.
        since = self.last_history_id()
        data = self.mutate(REMOVE, {"id": str(shipment), "removedBoxLabelIdentifiers": [good[0][1], in_other[0][1]]})
        self.assertEqual(self.states(ids), [1, 3, 3])
        self.assertEqual([h[:4] for h in self.state_history(ids + untouched, since)], [(ids[0], 3, 1, USER)])
        self.assertEqual([d[7] for d in self.details(shipment)], [USER, None, None])
        self.assertEqual(self.answered_details(data["updateShipmentWhenPreparing"]), self.table_details(shipment))
        # the other shipment's detail is not this shipment's to remove
        self.assertIsNone(self.details(other)[0][7])

    def test_a_label_prepared_and_removed_at_once_goes_in_and_out(self):
        shipment = self.shipment()
        box = self.boxes(1, self.loc["Bulk A"])
        since = self.last_history_id()
        self.mutate(PREPARE_ALL, {"id": str(shipment), "prepared": [box[0][1]], "removed": [box[0][1]]})
        self.assertEqual(self.states([box[0][0]]), [1])
        self.assertEqual([h[:3] for h in self.state_history([box[0][0]], since)],
                         [(box[0][0], 1, 3), (box[0][0], 3, 1)])
        self.assertEqual([d[7] for d in self.details(shipment)], [USER])

    def test_statements_do_not_depend_on_the_number_of_boxes(self):
        counts = []
        for n in (1, 10, 50):
            shipment = self.shipment()
            boxes = self.boxes(n, self.loc["Bulk A"])
            counts.append(self.counts(ASSIGN, {"id": str(shipment), "labelIdentifiers": [b[1] for b in boxes]}))
            self.assertEqual(len(self.details(shipment)), n)
        self.assertEqual(counts[0], counts[1])
        self.assertEqual(counts[0], counts[2])
        sends = []
        for n in (1, 50):
            shipment = self.shipment()
            boxes = self.boxes(n, self.loc["Bulk A"], state=3)
            for box_id, _ in boxes:
                self.detail(shipment, box_id)
            sends.append(self.counts(SEND, {"id": str(shipment)}))
            self.assertEqual(self.states([b[0] for b in boxes]), [7] * n)
        self.assertEqual(sends[0], sends[1])

    def test_refusals_change_nothing(self):
        shipment = self.shipment()
        box = self.boxes(1, self.loc["Bulk A"])
        variables = {"id": str(shipment), "labelIdentifiers": [box[0][1]]}
        not_found = "The requested resource does not exist in the database."
        self.refused(ASSIGN, {"id": "999999", "labelIdentifiers": [box[0][1]]}, self.token, "BAD_USER_INPUT",
                     not_found)
        self.refused(SEND, {"id": "999999"}, self.token, "BAD_USER_INPUT", not_found)
        self.refused(CANCEL, {"id": "12x"}, self.token, "BAD_USER_INPUT", not_found)
        self.refused(MARKED, {"labelIdentifier": "99999999", "weight": 1.0}, self.token, "BAD_USER_INPUT",
                     not_found)
        # the other organisation's user: shipment:edit in the source base is needed
        self.refused(ASSIGN, variables, self.org2_user, "FORBIDDEN", "You don't have access to 'base=1'")
        self.refused(ASSIGN, variables, self.no_detail, "FORBIDDEN",
                     "You don't have access to 'shipment_detail:write'")
        for state in ("Sent", "Canceled", "Completed"):
            closed = self.shipment(state=state)
            self.refused(ASSIGN, {"id": str(closed), "labelIdentifiers": [box[0][1]]}, self.token,
                         "BAD_USER_INPUT", STATE_ERROR.format(state))
            self.refused(SEND, {"id": str(closed)}, self.token, "BAD_USER_INPUT", STATE_ERROR.format(state))
            self.refused(CANCEL, {"id": str(closed)}, self.org2_user, "BAD_USER_INPUT", STATE_ERROR.format(state))
        # a new target outside the agreement (boxtribute's message, its dict's keys printed)
        self.refused(PREPARE_ALL, {"id": str(shipment), "prepared": [box[0][1]], "target": self.other_base},
                     self.token, "BAD_USER_INPUT",
                     f"The specified base (ID: {self.other_base}) is not part of the current transfer "
                     "agreement (included base IDs: source, target).")
        # a shipment without agreement: the new target must be another base of the organisation
        internal = self.shipment(target=self.other_base, agreement=False)
        self.refused(PREPARE_ALL, {"id": str(internal), "target": self.org2_base}, self.token, "BAD_USER_INPUT",
                     "Source and target base must be of same organisation")
        self.refused(PREPARE_ALL, {"id": str(internal), "target": 1}, self.token, "BAD_USER_INPUT",
                     "Source and target base must not be identical")
        # send: the source base's user only; cancel: either base's, with shipment_detail:write
        self.refused(SEND, {"id": str(shipment)}, self.org2_user, "FORBIDDEN", "You don't have access to 'base=1'")
        stranger = self.keys.token(sub="auth0|9", org=self.org2, base_ids=(self.other_base,),
                                   permissions=prepare_permissions(self.other_base))
        self.refused(CANCEL, {"id": str(shipment)}, stranger, "FORBIDDEN",
                     f"You don't have access to 'bases=[1, {self.org2_base}]'")
        self.refused(CANCEL, {"id": str(shipment)}, self.no_detail, "FORBIDDEN",
                     "You don't have access to 'shipment_detail:write'")
        # below the beta level: the gateway refuses before any statement
        low = self.keys.token(permissions=prepare_permissions(1), beta=1)
        before = self.checksums()
        status, response = self.send(ASSIGN, variables, low, headers={"Accept": "application/json"})
        self.assertEqual((status, response), (200, {"errors": [{"message": "Insufficient beta-level"}]}))
        self.assertEqual(self.checksums(), before)
        # updateMarkedForShipmentBox: only a MarkedForShipment, live box; no negative numbers
        marked = self.boxes(1, self.loc["Bulk A"], state=3)
        self.refused(MARKED, {"labelIdentifier": box[0][1], "weight": 2.0}, self.token, "BAD_USER_INPUT",
                     f"Box with label identifier '{box[0][1]}' is in state 'InStock' and cannot be updated. "
                     "Only boxes in states InStock, Donated, Scrap, or Lost can be updated")
        gone = self.boxes(1, self.loc["Bulk A"], state=3, deleted="2024-02-02 02:02:02")
        self.refused(MARKED, {"labelIdentifier": gone[0][1], "weight": 2.0}, self.token, "BAD_USER_INPUT",
                     f"Box with label identifier '{gone[0][1]}' is deleted and cannot be updated")
        self.refused(MARKED, {"labelIdentifier": marked[0][1], "weight": -1.0}, self.token, "BAD_USER_INPUT",
                     "Invalid input: negative value for 'weight'")
        self.refused(MARKED, {"labelIdentifier": marked[0][1], "monetaryValue": -1.0}, self.token,
                     "BAD_USER_INPUT", "Invalid input: negative value for 'monetaryValue'")
        self.refused(MARKED, {"labelIdentifier": marked[0][1], "weight": 2.0}, self.org2_user, "FORBIDDEN",
                     "You don't have access to 'base=1'")

    def test_send_moves_marked_boxes_in_transit(self):
        shipment = self.shipment()
        boxes = self.boxes(3, self.loc["Bulk A"])
        self.mutate(ASSIGN, {"id": str(shipment), "labelIdentifiers": [b[1] for b in boxes]})
        self.mutate(REMOVE, {"id": str(shipment), "removedBoxLabelIdentifiers": [boxes[2][1]]})
        ids = [b[0] for b in boxes]
        since = self.last_history_id()
        before = self.utc_now()
        data = self.mutate(SEND, {"id": str(shipment)})
        after = self.utc_now()
        self.assertEqual(self.states(ids), [7, 7, 1])
        self.assertEqual([h[:4] for h in self.state_history(ids, since)], [(ids[0], 3, 7, USER), (ids[1], 3, 7, USER)])
        state, sent_on, sent_by = self.db.sql(f"SELECT state, sent_on, sent_by_id FROM shipment WHERE id = {shipment}")[0]
        self.assertEqual((state, int(sent_by)), ("Sent", USER))
        self.assert_when(sent_on, before, after)
        answer = data["sendShipment"]
        self.assertEqual(answer["state"], "Sent")
        self.assertEqual(answer["sentOn"], sent_on.replace(" ", "T") + "+00:00")
        self.assertEqual(answer["sentBy"]["id"], str(USER))
        self.assertEqual(self.answered_details(answer), self.table_details(shipment))
        # BoxView of a box in transit, for both sides
        for token in (self.token, self.org2_user):
            response = self.mutate(BOX_IN_TRANSIT, {"label": boxes[0][1]}, token)
            detail = self.db.scalar(f"SELECT id FROM shipment_detail WHERE box_id = {ids[0]}")
            self.assertEqual(response["box"], {"labelIdentifier": boxes[0][1], "state": "InTransit",
                                               "shipmentDetail": {"id": str(detail), "shipment": {
                                                   "id": str(shipment), "state": "Sent"}}})

    def test_cancel_by_the_target_side_returns_boxes_to_stock(self):
        shipment = self.shipment()
        boxes = self.boxes(2, self.loc["Bulk A"])
        self.mutate(ASSIGN, {"id": str(shipment), "labelIdentifiers": [b[1] for b in boxes]})
        ids = [b[0] for b in boxes]
        since = self.last_history_id()
        before = self.utc_now()
        data = self.mutate(CANCEL, {"id": str(shipment)}, self.org2_user)
        after = self.utc_now()
        self.assertEqual(self.states(ids), [1, 1])
        self.assertEqual([h[:4] for h in self.state_history(ids, since)], [(ids[0], 3, 1, 9), (ids[1], 3, 1, 9)])
        self.assertEqual([d[7] for d in self.details(shipment)], [9, 9])
        state, canceled_on, canceled_by = self.db.sql(
            f"SELECT state, canceled_on, canceled_by_id FROM shipment WHERE id = {shipment}")[0]
        self.assertEqual((state, int(canceled_by)), ("Canceled", 9))
        self.assert_when(canceled_on, before, after)
        self.assertEqual(data["cancelShipment"]["state"], "Canceled")
        self.assertEqual(self.answered_details(data["cancelShipment"]), self.table_details(shipment))

    def test_god_prepares_any_shipment(self):
        god = self.keys.token(sub="auth0|1", org="null", roles=("boxtribute_god",), permissions=[])
        shipment = self.shipment()
        boxes = self.boxes(1, self.loc["Bulk A"])
        self.mutate(ASSIGN, {"id": str(shipment), "labelIdentifiers": [boxes[0][1]]}, god)
        self.assertEqual(self.states([boxes[0][0]]), [3])
        self.assertEqual([d[6] for d in self.details(shipment)], [1])

    def test_aliased_copies_are_one_transaction_each(self):
        first, sent = self.shipment(), self.shipment()
        boxes = self.boxes(2, self.loc["Bulk A"])
        self.mutate(ASSIGN, {"id": str(first), "labelIdentifiers": [boxes[0][1]]})
        self.mutate(ASSIGN, {"id": str(sent), "labelIdentifiers": [boxes[1][1]]})
        self.db.sql(f"UPDATE shipment SET state = 'Sent' WHERE id = {sent}")
        query = UNASSIGN_MANY.replace("SHIPMENT_A", str(first)).replace("SHIPMENT_B", str(sent))
        status, response = self.send(query, {"shipment0": str(first), "labelIdentifiers0": [boxes[0][1]],
                                              "shipment1": str(sent), "labelIdentifiers1": [boxes[1][1]]})
        self.assertEqual(status, 200, response)
        # the first alias committed; the second was refused alone
        done = response["data"][f"unassignBoxesFromShipment{first}"]
        self.assertEqual(done["details"][0]["box"], {
            "labelIdentifier": boxes[0][1], "state": "InStock", "shipmentDetail": None,
            "lastModifiedOn": done["details"][0]["box"]["lastModifiedOn"],
            "lastModifiedBy": {"id": str(USER), "name": self.db.scalar(f"SELECT naam FROM cms_users WHERE id = {USER}"),
                               "__typename": "User"}, "__typename": "Box"})
        self.assertIsNotNone(done["details"][0]["removedOn"])
        self.assertIsNone(response["data"][f"unassignBoxesFromShipment{sent}"])
        self.assertEqual(response["errors"][0]["message"], STATE_ERROR.format("Sent"))
        self.assertEqual(response["errors"][0]["path"], [f"unassignBoxesFromShipment{sent}"])
        self.assertEqual(self.states([b[0] for b in boxes]), [1, 3])

    def test_update_marked_for_shipment_box(self):
        box = self.boxes(1, self.loc["Bulk A"], state=3)
        box_id = box[0][0]
        self.db.sql(f"UPDATE stock SET weight = 1.5, monetary_value = NULL, weight_display_unit_id = "
                    f"(SELECT id FROM units WHERE symbol = 'kg') WHERE id = {box_id}")
        since = self.last_history_id()
        data = self.mutate(MARKED, {"labelIdentifier": box[0][1], "weight": 2.25, "monetaryValue": 3.5})
        self.assertEqual(data["updateMarkedForShipmentBox"],
                         {"labelIdentifier": box[0][1], "weight": 2.25, "monetaryValue": 3.5,
                          "weightDisplayUnit": {"symbol": "kg", "__typename": "Unit"}, "__typename": "Box"})
        weight, money, state, modified_by = self.db.sql(
            f"SELECT weight, monetary_value, box_state_id, modified_by FROM stock WHERE id = {box_id}")[0]
        self.assertEqual((float(weight), float(money), int(state), int(modified_by)), (2.25, 3.5, 3, USER))
        self.assertEqual([r[2] for r in self.history([box_id], since)],
                         ["changed weight from 1.50kg to 2.25kg", 'changed monetary value from "" to 3.50€'])
        # the same values again: no change, no history row
        since = self.last_history_id()
        before = self.checksums()
        self.mutate(MARKED, {"labelIdentifier": box[0][1], "weight": 2.25})
        self.assertEqual(self.checksums(), before)


class ShipmentPreparationOnDump(ShipmentPreparation):
    """The same on boxtribute's dump (its utf8mb3 tables and its own rows)."""
    ON_DUMP = True


class ShipmentRaces(ShipmentFixture, unittest.TestCase):

    def run_at_once(self, calls):
        """Run (query, variables, token) calls in threads released together; their answers."""
        barrier = threading.Barrier(len(calls))
        answers = [None] * len(calls)

        def call(i, query, variables, token):
            barrier.wait()
            answers[i] = self.send(query, variables, token)

        threads = [threading.Thread(target=call, args=(i,) + c) for i, c in enumerate(calls)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        return answers

    def test_sixteen_clients_put_twenty_boxes_into_two_shipments(self):
        shipments = [self.shipment(), self.shipment()]
        boxes = self.boxes(20, self.loc["Bulk A"])
        labels = [b[1] for b in boxes]
        since = self.last_history_id()
        answers = self.run_at_once([(ASSIGN, {"id": str(shipments[i % 2]), "labelIdentifiers": labels}, self.token)
                                    for i in range(16)])
        for status, response in answers:
            self.assertEqual(status, 200, response)
            for error in response.get("errors", []):
                # a field that met conflicting changes three times changed nothing
                self.assertEqual(error["extensions"]["code"], "DATABASE_BUSY", response)
        ids = [b[0] for b in boxes]
        open_details = self.db.sql(
            "SELECT box_id, COUNT(*) FROM shipment_detail WHERE removed_on IS NULL AND lost_on IS NULL "
            f"AND received_on IS NULL AND box_id IN ({','.join(map(str, ids))}) GROUP BY box_id")
        self.assertEqual(sorted(int(r[0]) for r in open_details), ids, "every box was taken")
        self.assertEqual({int(r[1]) for r in open_details}, {1}, "a box in two open details")
        self.assertEqual(self.states(ids), [3] * 20)
        self.assertEqual(sorted(h[0] for h in self.state_history(ids, since)), ids, "one state change per box")

    def test_send_and_cancel_at_once_have_one_winner(self):
        for _ in range(6):
            shipment = self.shipment()
            boxes = self.boxes(5, self.loc["Bulk A"])
            self.mutate(ASSIGN, {"id": str(shipment), "labelIdentifiers": [b[1] for b in boxes]})
            ids = [b[0] for b in boxes]
            (s_status, sent), (c_status, canceled) = self.run_at_once(
                [(SEND, {"id": str(shipment)}, self.token), (CANCEL, {"id": str(shipment)}, self.token)])
            self.assertEqual((s_status, c_status), (200, 200))
            won = [r for r in (sent, canceled) if "errors" not in r]
            lost = [r for r in (sent, canceled) if "errors" in r]
            self.assertEqual(len(won), 1, (sent, canceled))
            state = self.db.scalar(f"SELECT state FROM shipment WHERE id = {shipment}")
            self.assertEqual(lost[0]["errors"][0]["message"], STATE_ERROR.format(state))
            if state == "Sent":
                self.assertEqual(self.states(ids), [7] * 5)
                self.assertEqual([d[7] for d in self.details(shipment)], [None] * 5)
            else:
                self.assertEqual(state, "Canceled")
                self.assertEqual(self.states(ids), [1] * 5)
                self.assertEqual([d[7] for d in self.details(shipment)], [USER] * 5)


if __name__ == "__main__":
    unittest.main()
