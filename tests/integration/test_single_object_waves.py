"""BoxView and the QR scan in few round trips (issue 21): a single object's grandchildren are
asked in the wave that asks for its children (resolver-svc/dp_exec_prefetch.c).

The front-end's documents (tests/queries/box_view.graphql, qr_code_scan.graphql) against a real
MariaDB with the demo data, through the gateway. Pins down, per request: the sequential waits
for db-svc (extensions.debug.roundTrips) and the statements MariaDB ran (Com_select, with a
fixed pool); and that the relations asked ahead answer what SQL says they are (the box's
location's base, the detail's shipment's target base and its organisation).
  BoxView of a box without a shipment: 3 round trips (the box and the shipments; the box's
  relations with its location's base, the base's locations and distribution events; their
  relations), 19 statements and one more when the box has tags (camps once: the shipments'
  bases with the box's base; the shipments of either side of the user's bases in one);
  BoxView of a box sent to a base nothing else loads: 4 (the detail's shipment comes with its
  target base, whose organisation is one more);
  the QR scan: 3 round trips and 7 statements (the box's location and its base together), 4 for
  a box on a shipment (its shipment after its detail).
Licensed under the Apache License 2.0.
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from mutation_cases import DepotPerClass  # noqa: E402

ACTIVE_DETAIL = "d.removed_on IS NULL AND d.lost_on IS NULL AND d.received_on IS NULL"


class SingleObjectWaves(DepotPerClass, unittest.TestCase):
    DEPOT_ENV = harness.FIXED_POOL
    box_view = harness.read_query("box_view.graphql")
    qr_scan = harness.read_query("qr_code_scan.graphql")

    @classmethod
    def load(cls, db):
        harness.load_demo(db, boxes=400)

    @classmethod
    def tokens(cls):
        cls.token = cls.keys.token()

    @classmethod
    def add_rows(cls, db):
        # A box of base 1 with a QR code and no active shipment detail, and one on a shipment
        # of base 1 (its active detail's).
        cls.still = cls.db.sql(
            "SELECT s.box_id, q.code FROM stock s JOIN locations l ON l.id = s.location_id "
            "JOIN qr q ON q.id = s.qr_id WHERE l.camp_id = 1 AND s.deleted IS NULL AND NOT EXISTS "
            f"(SELECT 1 FROM shipment_detail d WHERE d.box_id = s.id AND {ACTIVE_DETAIL}) "
            "ORDER BY s.id LIMIT 1")[0]
        # A box of base 1 sent to a base of its own (a new organisation's), which nothing else
        # in BoxView loads: its target base comes with the shipment, its organisation after.
        box_id, label, code, product, size, location = cls.db.sql(
            "SELECT s.id, s.box_id, q.code, s.product_id, s.size_id, s.location_id FROM stock s "
            "JOIN locations l ON l.id = s.location_id JOIN qr q ON q.id = s.qr_id "
            f"WHERE l.camp_id = 1 AND s.deleted IS NULL AND s.box_id <> '{cls.still[0]}' AND NOT EXISTS "
            f"(SELECT 1 FROM shipment_detail d WHERE d.box_id = s.id AND {ACTIVE_DETAIL}) "
            "ORDER BY s.id LIMIT 1")[0]
        cls.db.sql(
            "INSERT INTO organisations (label) VALUES ('Waves organisation'); "
            "INSERT INTO camps (organisation_id, name, seq) VALUES (LAST_INSERT_ID(), 'Waves base', 1); "
            "INSERT INTO shipment (source_base_id, target_base_id, state, started_on, started_by_id, "
            "sent_on, sent_by_id) SELECT 1, LAST_INSERT_ID(), 'Sent', NOW(), MIN(id), NOW(), MIN(id) "
            "FROM cms_users; "
            "INSERT INTO shipment_detail (shipment_id, box_id, source_product_id, source_size_id, "
            "source_location_id, source_quantity, created_on, created_by_id) SELECT LAST_INSERT_ID(), "
            f"{box_id}, {product}, {size or 'NULL'}, {location}, 1, NOW(), MIN(id) FROM cms_users")
        cls.travelling = (label, code, *cls.db.sql(
            "SELECT c.id, c.name, o.label FROM camps c JOIN organisations o ON o.id = c.organisation_id "
            "WHERE c.name = 'Waves base'")[0])

    def run_counted(self, document, operation, variables):
        """The answer, and the statements MariaDB ran for it (Com_select)."""
        first = self.db.status("Com_select")
        before = self.db.status("Com_select")
        overhead = before - first       # what reading Com_select itself counts
        status, answer, _ = harness.post(self.depot.url, {"query": document, "operationName": operation,
                                                          "variables": variables}, self.token)
        selects = self.db.status("Com_select") - before - overhead
        self.assertEqual(status, 200, answer)
        self.assertNotIn("errors", answer, json.dumps(answer)[:500])
        self.assertEqual(answer["extensions"]["debug"]["sqlStatements"], selects)
        return answer, selects

    def tag_loads(self, label):
        """1 when the box has tags (tags_by_id after its links), else 0."""
        return int(self.db.scalar(
            "SELECT COUNT(*) > 0 FROM tags_relations tr JOIN stock s ON s.id = tr.object_id "
            f"WHERE tr.object_type = 'Stock' AND tr.deleted_on IS NULL AND s.box_id = '{label}'"))

    def view(self, label):
        return self.run_counted(self.box_view, "BoxByLabelIdentifier", {"labelIdentifier": label})

    def scan(self, code):
        return self.run_counted(self.qr_scan, "GetBoxLabelIdentifierForQrCode", {"qrCode": code})

    def test_box_view_without_shipment(self):
        label = self.still[0]
        answer, selects = self.view(label)
        self.assertEqual(answer["extensions"]["debug"]["roundTrips"], 3)
        self.assertEqual(selects, 19 + self.tag_loads(label))
        base_id, base_name, currency = self.db.sql(
            "SELECT c.id, c.name, c.monetary_currency_code FROM stock s JOIN locations l "
            f"ON l.id = s.location_id JOIN camps c ON c.id = l.camp_id WHERE s.box_id = '{label}'")[0]
        base = answer["data"]["box"]["location"]["base"]
        self.assertEqual((base["id"], base["name"], base["monetaryCurrencyCode"]), (base_id, base_name, currency))
        self.assertIsNone(answer["data"]["box"]["shipmentDetail"])

    def test_box_view_on_shipment(self):
        label, _, target_id, target_name, organisation = self.travelling
        answer, selects = self.view(label)
        self.assertEqual(answer["extensions"]["debug"]["roundTrips"], 4)
        # The shipment, its target base and that base's organisation: 3 more.
        self.assertEqual(selects, 19 + self.tag_loads(label) + 3)
        target = answer["data"]["box"]["shipmentDetail"]["shipment"]["targetBase"]
        self.assertEqual((target["id"], target["name"], target["organisation"]["name"]),
                         (target_id, target_name, organisation))

    def test_qr_scan(self):
        label, code = self.still
        answer, selects = self.scan(code)
        self.assertEqual(answer["extensions"]["debug"]["roundTrips"], 3)
        self.assertEqual(selects, 7)
        box = answer["data"]["qrCode"]["box"]
        self.assertEqual(box["labelIdentifier"], label)
        base_id = self.db.scalar("SELECT l.camp_id FROM stock s JOIN locations l ON l.id = s.location_id "
                                 f"WHERE s.box_id = '{label}'")
        self.assertEqual(box["location"]["base"]["id"], base_id)

    def test_qr_scan_on_shipment(self):
        label, code = self.travelling[:2]
        answer, selects = self.scan(code)
        self.assertEqual(answer["extensions"]["debug"]["roundTrips"], 4)
        self.assertEqual(selects, 8)
        shipment_id = self.db.scalar(
            f"SELECT d.shipment_id FROM shipment_detail d JOIN stock s ON s.id = d.box_id "
            f"WHERE s.box_id = '{label}' AND {ACTIVE_DETAIL}")
        self.assertEqual(answer["data"]["qrCode"]["box"]["shipmentDetail"]["shipment"]["id"], shipment_id)


if __name__ == "__main__":
    unittest.main()
