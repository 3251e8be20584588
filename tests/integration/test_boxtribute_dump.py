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
        harness.load_depot_tables(cls.db)
        cls.keys = harness.Keys(cls.scratch.path)
        cls.token = cls.keys.token()
        # A god user as boxtribute's tokens carry one: the role, no organisation.
        cls.god = cls.keys.token(sub="auth0|1", org="null", roles=("boxtribute_god",), permissions=[])
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="one")

    @classmethod
    def tearDownClass(cls):
        cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()

    def query(self, text, variables=None, token=None):
        response = self.answer(text, variables, token)
        self.assertNotIn("errors", response, response.get("errors"))
        return response["data"]

    def answer(self, text, variables=None, token=None):
        """The whole 200 response, errors included, without Depot's debug extension."""
        status, response, _ = harness.post(self.depot.url, {"query": text, "variables": variables or {}},
                                           token or self.token)
        self.assertEqual(status, 200, response)
        response.pop("extensions", None)
        return response

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

    def test_god_user_lists_tags_and_locations_of_every_base(self):
        """A boxtribute_god user's tags and locations, with the front-end's selections: every
        live tag and every classic location of the database, by id (boxtribute's
        authorized_bases_filter is no filter for god)."""
        tags = self.query("{ tags { id name color type base { id name } } }", token=self.god)["tags"]
        expected = [{"id": r[0], "name": r[1], "color": r[2], "type": {"Stock": "Box", "People": "Beneficiary"}.get(r[3], r[3]),
                     "base": {"id": r[4], "name": r[5]}}
                    for r in self.db.sql(f"SELECT t.id, t.label, t.color, t.type, c.id, c.name FROM tags t "
                                         f"JOIN camps c ON c.id = t.camp_id WHERE {LIVE.format(t='t')} ORDER BY t.id")]
        self.assertEqual(tags, expected)
        self.assertGreater(len({t["base"]["id"] for t in tags}), 1)
        locations = self.query("{ locations { id name seq base { id name } defaultBoxState } }",
                               token=self.god)["locations"]
        rows = self.db.sql("SELECT l.id, l.label, l.seq, c.id, c.name, s.label FROM locations l "
                           "JOIN camps c ON c.id = l.camp_id JOIN box_state s ON s.id = l.box_state_id "
                           "WHERE l.type = 'Warehouse' ORDER BY l.id")
        self.assertEqual([(x["id"], x["name"], x["seq"], x["base"], x["defaultBoxState"].lower()) for x in locations],
                         [(r[0], r[1], int(r[2]) if r[2] is not None else None, {"id": r[3], "name": r[4]}, r[5].lower())
                          for r in rows])
        self.assertGreater(len({x["base"]["id"] for x in locations}), 1)

    def test_four_byte_characters_in_keys_are_unknown_keys(self):
        """A label or QR code with a character the utf8mb3 column cannot hold (here U+1F4E6) is
        a key no row has: the answer is exactly the one an unknown ASCII key gets, whether the
        string is a literal or a variable; a three-byte character the column can hold still
        reaches the database."""
        self.assertEqual(self.db.scalar("SELECT CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE "
                                        "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'stock' AND COLUMN_NAME = 'box_id'"),
                         "utf8mb3")
        unknown = "zz-no-such"
        self.assertEqual(self.db.scalar(f"SELECT COUNT(*) FROM stock WHERE box_id = '{unknown}'"), "0")
        self.assertEqual(self.db.scalar(f"SELECT COUNT(*) FROM qr WHERE code = '{unknown}'"), "0")
        box = "query($l: String!) { box(labelIdentifier: $l) { id labelIdentifier } }"
        qr = "query($c: String!) { qrExists(code: $c) qrCode(code: $c) { __typename ... on QrCode { id } } }"
        for query in (box, qr):
            expected = self.answer(query, {"l" if "$l" in query else "c": unknown})
            self.assertIn("data", expected)
            for key in ["\U0001F4E6", "1234\U0001F4E6", "\u20ac\U0001F4E6", "\u20ac"]:
                with self.subTest(query=query, key=key):
                    self.assertEqual(self.answer(query, {"l" if "$l" in query else "c": key}), expected)
        literal = self.answer('{ box(labelIdentifier: "\U0001F4E6") { id labelIdentifier } }')
        self.assertEqual(literal, self.answer('{ box(labelIdentifier: "%s") { id labelIdentifier } }' % unknown))
        self.assertEqual(literal["errors"][0]["extensions"]["code"], "BAD_USER_INPUT")

    def test_transaction_created_on_and_by(self):
        """Transaction.createdOn and createdBy are transactions.transaction_date and user_id, as
        boxtribute's model maps them (the dump leaves created and created_by NULL)."""
        data = self.query("{ beneficiaries(paginationInput: {first: 10000}) { elements { id "
                          "transactions { id createdOn createdBy { id } tokens } } } }")
        got = [(t["id"], t["createdOn"], t["createdBy"]["id"] if t["createdBy"] else None, t["tokens"])
               for b in data["beneficiaries"]["elements"] for t in b["transactions"]]
        rows = self.db.sql("SELECT t.id, DATE_FORMAT(t.transaction_date, '%Y-%m-%dT%H:%i:%s+00:00'), t.user_id, t.drops "
                           "FROM transactions t JOIN people p ON p.id = t.people_id WHERE p.camp_id = 1 "
                           "ORDER BY p.id, t.id")
        self.assertEqual(got, [(r[0], r[1], r[2], int(r[3])) for r in rows])
        self.assertGreater(len(got), 0)
        self.assertEqual(self.db.scalar("SELECT COUNT(*) FROM transactions WHERE created IS NOT NULL"), "0")


if __name__ == "__main__":
    unittest.main(verbosity=2)
