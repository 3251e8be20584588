"""Depot on boxtribute's own database: ../shared/data/boxtribute-init.sql (boxtribute's dump,
unchanged) plus Depot's indexes, and every root query of the phase-1 API with a token for a
base-1 user, each answer checked against that database with SQL written here. Skipped, saying
so, when the dump is absent.
Licensed under the Apache License 2.0.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

DUMP = os.path.join(harness.SHARED, "data", "boxtribute-init.sql")
LIVE = "({t}.deleted IS NULL OR {t}.deleted = 0)"


@unittest.skipUnless(os.path.exists(DUMP), f"{DUMP} is absent: boxtribute's dump is not available here")
class BoxtributeDump(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        cls.db.load_file(DUMP)
        cls.db.load_file(os.path.join(harness.REPO, "db", "indexes.sql"))
        cls.keys = harness.Keys(cls.scratch.path)
        cls.token = cls.keys.token()
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="one")

    @classmethod
    def tearDownClass(cls):
        cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()

    def query(self, text, variables=None):
        status, response, _ = harness.post(self.depot.url, {"query": text, "variables": variables or {}}, self.token)
        self.assertEqual(status, 200, response)
        self.assertNotIn("errors", response, response.get("errors"))
        return response["data"]

    def ids(self, sql):
        return [r[0] for r in self.db.sql(sql)]

    def test_every_root_query(self):
        db = self.db
        live_boxes = f"FROM stock s JOIN locations l ON l.id = s.location_id WHERE l.camp_id = 1 AND {LIVE.format(t='s')}"
        checks = {
            '{ bases { id } }': ("bases", self.ids(f"SELECT id FROM camps c WHERE id = 1 AND {LIVE.format(t='c')}")),
            '{ base(id: "1") { locations { id } } }':
                (lambda d: [x["id"] for x in d["base"]["locations"]],
                 self.ids("SELECT id FROM locations WHERE camp_id = 1 AND type = 'Warehouse' AND deleted IS NULL ORDER BY id")),
            '{ organisations { id } }': ("organisations", self.ids(f"SELECT id FROM organisations o WHERE {LIVE.format(t='o')} ORDER BY id")),
            '{ organisation(id: "1") { id } }': (lambda d: [d["organisation"]["id"]], ["1"]),
            '{ user { id } }': (lambda d: [d["user"]["id"]], ["8"]),
            '{ users { id } }': ("users", []),
            '{ boxes(baseId: "1", paginationInput: {first: 100000}) { totalCount elements { id } } }':
                (lambda d: [x["id"] for x in d["boxes"]["elements"]],
                 self.ids(f"SELECT s.id {live_boxes} ORDER BY s.modified DESC, s.id DESC")),
            '{ locations { id } }': ("locations", self.ids("SELECT id FROM locations WHERE camp_id = 1 AND type = 'Warehouse' ORDER BY id")),
            '{ products(baseId: "1", paginationInput: {first: 10000}) { elements { id } } }':
                (lambda d: [x["id"] for x in d["products"]["elements"]], self.ids("SELECT id FROM products WHERE camp_id = 1 ORDER BY id")),
            '{ productCategories { id } }': ("productCategories", self.ids("SELECT id FROM product_categories ORDER BY id")),
            '{ sizeRanges { id } }': ("sizeRanges", self.ids("SELECT id FROM sizegroup ORDER BY id")),
            '{ tags { id } }': ("tags", self.ids(f"SELECT id FROM tags t WHERE camp_id = 1 AND {LIVE.format(t='t')} ORDER BY id")),
            '{ shipments { id } }': ("shipments", self.ids("SELECT id FROM shipment WHERE source_base_id = 1 OR target_base_id = 1 ORDER BY id")),
            '{ transferAgreements { id } }':
                ("transferAgreements", self.ids("SELECT DISTINCT a.id FROM transfer_agreement a JOIN transfer_agreement_detail d "
                                                "ON d.transfer_agreement_id = a.id WHERE d.source_base_id = 1 OR d.target_base_id = 1 ORDER BY a.id")),
            '{ beneficiaries(paginationInput: {first: 10000}) { elements { id } } }':
                (lambda d: [x["id"] for x in d["beneficiaries"]["elements"]], self.ids("SELECT id FROM people WHERE camp_id = 1 ORDER BY id")),
        }
        for text, (pick, expected) in checks.items():
            with self.subTest(query=text):
                data = self.query(text)
                got = [x["id"] for x in data[pick]] if isinstance(pick, str) else pick(data)
                self.assertEqual(got, expected)
        # Single objects, taken from the dump.
        label = db.scalar(f"SELECT s.box_id {live_boxes} ORDER BY s.id LIMIT 1")
        self.assertEqual(self.query("query($l: String!) { box(labelIdentifier: $l) { labelIdentifier } }",
                                    {"l": label})["box"]["labelIdentifier"], label)
        code = db.scalar(f"SELECT q.code FROM qr q JOIN stock s ON s.qr_id = q.id JOIN locations l ON l.id = s.location_id "
                         f"WHERE l.camp_id = 1 ORDER BY q.id LIMIT 1")
        qr = self.query('query($c: String!) { qrExists(code: $c) qrCode(code: $c) { ... on QrCode { box { ... on Box { id } } } } }',
                        {"c": code})
        self.assertTrue(qr["qrExists"])
        self.assertIsNotNone(qr["qrCode"]["box"])
        for field, sql in [("location", "SELECT MIN(id) FROM locations WHERE camp_id = 1 AND type = 'Warehouse'"),
                           ("product", "SELECT MIN(id) FROM products WHERE camp_id = 1"),
                           ("productCategory", "SELECT MIN(id) FROM product_categories"),
                           ("tag", "SELECT MIN(id) FROM tags WHERE camp_id = 1"),
                           ("shipment", "SELECT MIN(id) FROM shipment WHERE source_base_id = 1 OR target_base_id = 1"),
                           ("beneficiary", "SELECT MIN(id) FROM people WHERE camp_id = 1")]:
            with self.subTest(field=field):
                key = db.scalar(sql)
                self.assertEqual(self.query(f'{{ {field}(id: "{key}") {{ id }} }}')[field], {"id": key})

    def test_manage_boxes_and_box_view(self):
        """The front-end's two heaviest queries run on boxtribute's data without errors."""
        data = self.query(harness.read_query("manage_boxes.graphql"), {"baseId": "1", "paginationInput": 100000})
        total = int(self.db.scalar("SELECT COUNT(*) FROM stock s JOIN locations l ON l.id = s.location_id "
                                   "WHERE l.camp_id = 1 AND (s.deleted IS NULL OR s.deleted = 0)"))
        self.assertEqual(data["boxes"]["totalCount"], total)
        self.assertEqual(len(data["boxes"]["elements"]), total)
        label = data["boxes"]["elements"][0]["labelIdentifier"]
        view = harness.read_query("box_view.graphql")
        status, response, _ = harness.post(self.depot.url, {"query": view, "variables": {"labelIdentifier": label}},
                                           self.token)
        self.assertEqual(status, 200)
        self.assertNotIn("errors", response, response.get("errors"))
        self.assertEqual(response["data"]["box"]["labelIdentifier"], label)


if __name__ == "__main__":
    unittest.main(verbosity=2)
