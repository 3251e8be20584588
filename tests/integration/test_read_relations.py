"""The relations boxtribute resolves one parent at a time, and the access rules that follow a
box across a shipment: ClassicLocation.boxes and DistributionSpot.boxes (id pages with every
FilterBoxInput field), ProductCategory.products, Tag.taggedResources,
ShipmentDetail.autoMatchingTargetProduct, box(labelIdentifier) and QrCode.box for boxes in
transit, transferAgreement(id), the either-base checks of ShipmentDetail, and single objects
that do not exist. Expected values come from SQL written here; statement counts do not depend
on the number of parents or rows.
Licensed under the Apache License 2.0.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

NOT_FOUND = {"code": "BAD_USER_INPUT", "description": "The requested resource does not exist in the database."}


def forbidden(what):
    return {"code": "FORBIDDEN", "description": f"You don't have access to '{what}'"}


class ReadRelations(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db, boxes=300)
        # Cases the generator does not make: a box whose modified is the zero date, a box at
        # the distribution spot, a product of base 4 made from the same standard product as a
        # shipped product of base 1 (twice, the lower id wins; a deleted one never).
        cls.db.sql("SET SESSION sql_mode = ''; UPDATE stock SET modified = '0000-00-00 00:00:00' WHERE id = "
                   "(SELECT id FROM (SELECT MIN(s.id) id FROM stock s WHERE s.location_id = 101) x)")
        cls.spot = cls.db.scalar("SELECT MIN(id) FROM locations WHERE type = 'MapDistroSpot'")
        cls.db.sql(f"UPDATE stock SET location_id = {cls.spot} WHERE id = (SELECT id FROM (SELECT MAX(s.id) id "
                   f"FROM stock s WHERE s.location_id = 102) x)")
        cls.keys = harness.Keys(cls.scratch.path)
        cls.token = cls.keys.token()
        cls.god = cls.keys.token(roles=("boxtribute_god",), permissions=["*"], org=1)
        # Answers of more than 300 rows are written by the resolver's low-priority writer
        # thread, so the big answers here take that path and the small ones do not.
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="one",
                                  extra_env={"DEPOT_LARGE_ANSWER_ROWS": "300"})

    @classmethod
    def tearDownClass(cls):
        cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()

    def query(self, text, token=None, variables=None):
        status, response, _ = harness.post(self.depot.url, {"query": text, "variables": variables or {}},
                                           token or self.token)
        self.assertEqual(status, 200, response)
        return response

    def rows(self, sql):
        return self.db.sql(sql)

    def ids(self, sql):
        return [r[0] for r in self.db.sql(sql)]

    def statements(self, response):
        return response["extensions"]["debug"]["sqlStatements"]

    # ---------------------------------------------------------------------------------------
    # Location pages

    LOCATION_BOXES = """query($f: FilterBoxInput, $first: Int, $after: String) { locations { id
        boxes(filterInput: $f, paginationInput: {first: $first, after: $after}) {
          totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } elements { id } } } }"""

    def test_location_boxes_every_box_once_by_id(self):
        """Every location of the base lists its boxes, deleted ones too, by id; walking one
        location with first: 7 returns each box once, in order."""
        response = self.query(self.LOCATION_BOXES, variables={"first": 100000})
        self.assertNotIn("errors", response)
        locations = response["data"]["locations"]
        self.assertEqual([l["id"] for l in locations],
                         self.ids("SELECT id FROM locations WHERE camp_id = 1 AND type = 'Warehouse' ORDER BY id"))
        deleted_seen = 0
        for location in locations:
            expected = self.ids(f"SELECT id FROM stock WHERE location_id = {location['id']} ORDER BY id")
            self.assertEqual([b["id"] for b in location["boxes"]["elements"]], expected, location["id"])
            self.assertEqual(location["boxes"]["totalCount"], len(expected))
            deleted_seen += int(self.db.scalar(f"SELECT COUNT(*) FROM stock WHERE location_id = {location['id']} "
                                               f"AND deleted IS NOT NULL AND deleted <> 0"))
        self.assertGreater(deleted_seen, 0, "the walk covers deleted boxes")
        # Over 300 rows: written by the writer thread, and still the answer SQL gives.
        self.assertTrue(response["extensions"]["debug"].get("lowPriorityWrite"), response["extensions"])
        biggest = self.db.scalar("SELECT location_id FROM stock s JOIN locations l ON l.id = s.location_id "
                                 "WHERE l.camp_id = 1 GROUP BY location_id ORDER BY COUNT(*) DESC LIMIT 1")
        text = """query($id: ID!, $after: String) { location(id: $id) { ... on ClassicLocation {
                    boxes(paginationInput: {first: 7, after: $after}) {
                      pageInfo { hasNextPage endCursor } elements { id } } } } }"""
        seen, after = [], None
        for _ in range(200):
            small = self.query(text, variables={"id": biggest, "after": after})
            self.assertNotIn("lowPriorityWrite", small["extensions"]["debug"])
            page = small["data"]["location"]["boxes"]
            seen += [b["id"] for b in page["elements"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        self.assertEqual(seen, self.ids(f"SELECT id FROM stock WHERE location_id = {biggest} ORDER BY id"))

    def test_location_boxes_filters(self):
        """Every FilterBoxInput field alone and combined on a location's boxes, against SQL
        written here; a box whose modified is the zero date passes no date bound; the
        statements do not depend on the filter."""
        location = 101
        base = f"FROM stock s LEFT JOIN products p ON p.id = s.product_id WHERE s.location_id = {location}"
        one = self.db.scalar
        product = one(f"SELECT s.product_id {base} GROUP BY s.product_id ORDER BY COUNT(*) DESC LIMIT 1")
        category = one(f"SELECT p.category_id {base} GROUP BY p.category_id ORDER BY COUNT(*) DESC LIMIT 1")
        size = one(f"SELECT s.size_id {base} AND s.size_id IS NOT NULL GROUP BY s.size_id ORDER BY COUNT(*) DESC LIMIT 1")
        tag = one(f"SELECT tr.tag_id FROM tags_relations tr JOIN stock s ON s.id = tr.object_id WHERE "
                  f"tr.object_type = 'Stock' AND tr.deleted_on IS NULL AND s.location_id = {location} "
                  f"GROUP BY tr.tag_id ORDER BY COUNT(*) DESC LIMIT 1")
        middle = one(f"SELECT DATE(s.modified) {base} AND s.modified > 0 ORDER BY s.modified LIMIT 1 OFFSET "
                     f"{int(one(f'SELECT COUNT(*) {base} AND s.modified > 0')) // 2}")
        self.assertEqual(one(f"SELECT COUNT(*) {base} AND s.modified = 0"), "1", "the zero-date box is here")
        has_tag = "EXISTS (SELECT 1 FROM tags_relations tr WHERE tr.object_type = 'Stock' AND tr.object_id = s.id " \
                  "AND tr.deleted_on IS NULL AND tr.tag_id IN ({}))"
        cases = [
            ({"states": ["InStock", "Donated"]}, "s.box_state_id IN (1, 5)"),
            ({"lastModifiedFrom": middle}, f"s.modified >= '{middle}'"),
            ({"lastModifiedUntil": middle}, f"s.modified <= '{middle}' AND s.modified > 0"),
            ({"productGender": "Women"}, "p.gender_id = 1"),
            ({"productGenders": ["Men", "Boy"]}, "p.gender_id IN (2, 5)"),
            ({"productCategoryId": int(category)}, f"p.category_id = {category}"),
            ({"productCategoryIds": [int(category), 1]}, f"p.category_id IN ({category}, 1)"),
            ({"productId": int(product)}, f"s.product_id = {product}"),
            ({"productIds": [int(product), 1]}, f"s.product_id IN ({product}, 1)"),
            ({"sizeId": int(size)}, f"s.size_id = {size}"),
            ({"tagIds": [int(tag)]}, has_tag.format(tag)),
            ({"tagIds": []}, "1 = 1"),
            ({"locationIds": [location]}, "1 = 1"),
            ({"locationIds": [location + 1]}, "1 = 0"),
            ({"states": ["InStock"], "productGenders": ["Women", "Men"], "tagIds": [int(tag)],
              "lastModifiedFrom": "2000-01-01"},
             f"s.box_state_id = 1 AND p.gender_id IN (1, 2) AND {has_tag.format(tag)} AND s.modified >= '2000-01-01'"),
        ]
        text = """query($f: FilterBoxInput) { location(id: "101") { ... on ClassicLocation {
                    boxes(filterInput: $f, paginationInput: {first: 100000}) { totalCount elements { id } } } } }"""
        counts = set()
        for filter_input, where in cases:
            with self.subTest(filter=filter_input):
                expected = self.ids(f"SELECT s.id {base} AND {where} ORDER BY s.id")
                if where != "1 = 0":
                    self.assertTrue(expected, "the filter selects something")
                response = self.query(text, variables={"f": filter_input})
                self.assertNotIn("errors", response)
                boxes = response["data"]["location"]["boxes"]
                self.assertEqual([b["id"] for b in boxes["elements"]], expected)
                self.assertEqual(boxes["totalCount"], len(expected))
                counts.add(self.statements(response))
        self.assertEqual(len(counts), 1, f"statements per filter: {counts}")

    def test_location_boxes_access_and_statements(self):
        """stock:read in the location's base or FORBIDDEN (the permission, or base=<id>); the
        statements for every location of a big base equal those for a small one."""
        no_stock = self.keys.token(permissions=["base_1/location:read"])
        response = self.query("{ locations { id boxes { totalCount } } }", token=no_stock)
        self.assertTrue(response["data"]["locations"])
        self.assertTrue(all(l["boxes"] is None for l in response["data"]["locations"]))
        self.assertEqual(response["errors"][0]["extensions"], forbidden("stock:read"))
        elsewhere = self.keys.token(permissions=["base_1/location:read", "base_2/stock:read"])
        response = self.query("{ locations { id boxes { totalCount } } }", token=elsewhere)
        self.assertEqual(response["errors"][0]["extensions"], forbidden("base=1"))
        text = """query($id: ID!) { base(id: $id) { locations { id boxes(paginationInput: {first: 100000}) {
                    totalCount elements { id product { id } } } } } }"""
        big = self.query(text, token=self.god, variables={"id": "1"})
        small = self.query(text, token=self.god, variables={"id": "3"})
        self.assertNotIn("errors", big)
        self.assertGreater(len(big["data"]["base"]["locations"]), 1)
        self.assertEqual(self.statements(big), self.statements(small))

    def test_distribution_spot_boxes(self):
        """DistributionSpot.boxes is the same page as a classic location's (boxtribute leaves it
        unimplemented, null; Depot answers it)."""
        response = self.query("""{ base(id: "1") { distributionSpots { id boxes { totalCount elements { id } } } } }""")
        self.assertNotIn("errors", response)
        spots = {s["id"]: s for s in response["data"]["base"]["distributionSpots"]}
        expected = self.ids(f"SELECT id FROM stock WHERE location_id = {self.spot} ORDER BY id")
        self.assertEqual(len(expected), 1)
        self.assertEqual([b["id"] for b in spots[self.spot]["boxes"]["elements"]], expected)

    # ---------------------------------------------------------------------------------------
    # Categories, tags, shipments

    def test_category_products(self):
        """ProductCategory.products: the category's products in the bases the caller may read
        with product:read (deleted ones too), by id; god sees every base; no product:read is
        FORBIDDEN."""
        text = """{ productCategories { id products(paginationInput: {first: 1000}) {
                    totalCount elements { id base { id } } } } }"""
        for token, bases in ((self.token, "(1)"), (self.god, "(SELECT id FROM camps)")):
            response = self.query(text, token=token)
            self.assertNotIn("errors", response)
            categories = response["data"]["productCategories"]
            self.assertEqual([c["id"] for c in categories], self.ids("SELECT id FROM product_categories ORDER BY id"))
            for category in categories:
                expected = self.ids(f"SELECT id FROM products WHERE category_id = {category['id']} "
                                    f"AND camp_id IN {bases} ORDER BY id")
                self.assertEqual([p["id"] for p in category["products"]["elements"]], expected)
                self.assertEqual(category["products"]["totalCount"], len(expected))
        self.assertGreater(int(self.db.scalar("SELECT COUNT(*) FROM products WHERE camp_id = 1 AND deleted IS NOT NULL "
                                              "AND deleted <> 0")), 0, "deleted products are listed")
        first = self.query("""{ productCategory(id: "1") { products(paginationInput: {first: 2}) {
                                pageInfo { hasNextPage endCursor } elements { id } } } }""")
        page = first["data"]["productCategory"]["products"]
        self.assertEqual([p["id"] for p in page["elements"]],
                         self.ids("SELECT id FROM products WHERE category_id = 1 AND camp_id = 1 ORDER BY id LIMIT 2"))
        no_products = self.keys.token(permissions=["base_1/product_category:read"])
        response = self.query('{ productCategory(id: "1") { id products { totalCount } } }', token=no_products)
        self.assertEqual(response["data"]["productCategory"], {"id": "1", "products": None})
        self.assertEqual(response["errors"][0]["extensions"], forbidden("product:read"))

    TAGGED = """{ tags { id taggedResources { __typename ... on Box { id labelIdentifier }
                  ... on Beneficiary { id firstName } } } }"""

    def test_tagged_resources(self):
        """Tag.taggedResources: the tag's current assignments; every box (deleted ones too),
        the beneficiaries of bases the caller may read; mixed, by id; tag_relation:read and
        beneficiary:read are needed."""
        response = self.query(self.TAGGED)
        self.assertNotIn("errors", response)
        people_seen = boxes_seen = 0
        for tag in response["data"]["tags"]:
            boxes = [("Box", r[0], r[1]) for r in self.rows(
                f"SELECT s.id, s.box_id FROM tags_relations tr JOIN stock s ON s.id = tr.object_id WHERE "
                f"tr.tag_id = {tag['id']} AND tr.object_type = 'Stock' AND tr.deleted_on IS NULL")]
            people = [("Beneficiary", r[0], r[1]) for r in self.rows(
                f"SELECT p.id, p.firstname FROM tags_relations tr JOIN people p ON p.id = tr.object_id WHERE "
                f"tr.tag_id = {tag['id']} AND tr.object_type = 'People' AND tr.deleted_on IS NULL AND p.camp_id = 1")]
            expected = sorted(boxes + people, key=lambda r: (int(r[1]), r[0] != "Box"))
            got = [(r["__typename"], r["id"], r.get("labelIdentifier", r.get("firstName")))
                   for r in tag["taggedResources"]]
            self.assertEqual(got, expected, tag["id"])
            people_seen += len(people)
            boxes_seen += len(boxes)
        self.assertGreater(people_seen, 0)
        self.assertGreater(boxes_seen, 0)
        for permissions, missing in ((["base_1/tag:read", "base_1/beneficiary:read"], "tag_relation:read"),
                                     (["base_1/tag:read", "base_1/tag_relation:read"], "beneficiary:read")):
            response = self.query("{ tags { id taggedResources { __typename } } }",
                                  token=self.keys.token(permissions=permissions))
            self.assertTrue(all(t["taggedResources"] is None for t in response["data"]["tags"]))
            self.assertEqual(response["errors"][0]["extensions"], forbidden(missing))
        text = """query($id: ID!) { base(id: $id) { tags { taggedResources { __typename
                    ... on Box { product { id } } ... on Beneficiary { base { id } } } } } }"""
        big = self.query(text, token=self.god, variables={"id": "1"})
        small = self.query(text, token=self.god, variables={"id": "3"})
        self.assertNotIn("errors", big)
        self.assertEqual(self.statements(big), self.statements(small))

    def test_auto_matching_target_product(self):
        """ShipmentDetail.autoMatchingTargetProduct: a live product of the shipment's target
        base with the source product's standard product (the lowest id of several), or null."""
        detail = self.rows("SELECT d.id, d.source_product_id, s.target_base_id FROM shipment_detail d "
                           "JOIN shipment s ON s.id = d.shipment_id WHERE s.source_base_id = 1 ORDER BY d.id LIMIT 1")[0]
        standard = self.db.scalar("SELECT MAX(id) FROM standard_product")
        self.db.sql(f"UPDATE products SET standard_product_id = {standard} WHERE id = {detail[1]}")
        made = []
        for deleted in ("'2024-01-01 00:00:00'", "NULL", "NULL"):
            self.db.sql(f"INSERT INTO products (name, category_id, sizegroup_id, camp_id, gender_id, value, "
                        f"standard_product_id, deleted) SELECT name, category_id, sizegroup_id, {detail[2]}, gender_id, "
                        f"value, {standard}, {deleted} FROM products WHERE id = {detail[1]}")
            made.append(self.db.scalar("SELECT MAX(id) FROM products"))
        expected = {r[0]: r[1] for r in self.rows(
            "SELECT d.id, (SELECT MIN(t.id) FROM products t WHERE t.standard_product_id = sp.standard_product_id "
            "AND t.camp_id = s.target_base_id AND (t.deleted IS NULL OR t.deleted = 0)) FROM shipment_detail d "
            "JOIN shipment s ON s.id = d.shipment_id JOIN products sp ON sp.id = d.source_product_id "
            "WHERE s.source_base_id = 1 OR s.target_base_id = 1")}
        self.assertEqual(expected[detail[0]], made[1])
        response = self.query("{ shipments { details { id autoMatchingTargetProduct { id } } } }", token=self.god)
        self.assertNotIn("errors", response)
        got = {d["id"]: (d["autoMatchingTargetProduct"] or {}).get("id")
               for s in response["data"]["shipments"] for d in s["details"] if d["id"] in expected}
        self.assertEqual(got, expected)

    def test_shipment_detail_fields_need_either_base(self):
        """A shipment detail's products, locations and box need product:read, location:read
        and stock:read in the source or the target base of its shipment; else FORBIDDEN
        'bases=[source, target]'."""
        shipment = self.rows("SELECT id, source_base_id, target_base_id FROM shipment WHERE source_base_id = 1 "
                             "AND target_base_id = 4")[0]
        text = """query($id: ID!) { shipment(id: $id) { details { id sourceProduct { id } sourceLocation { id }
                    targetProduct { id } box { id } } } }"""
        target = self.keys.token(org=2, base_ids=(4,), roles=("base_4_coordinator",),
                                 permissions=["base_4/shipment:read", "base_4/shipment_detail:read",
                                              "base_4/product:read", "base_4/location:read", "base_4/stock:read"])
        response = self.query(text, token=target, variables={"id": shipment[0]})
        self.assertNotIn("errors", response)
        details = response["data"]["shipment"]["details"]
        expected = self.rows(f"SELECT id, source_product_id, source_location_id, box_id FROM shipment_detail "
                             f"WHERE shipment_id = {shipment[0]} ORDER BY id")
        self.assertEqual([(d["id"], d["sourceProduct"]["id"], d["sourceLocation"]["id"], d["box"]["id"])
                          for d in details], [tuple(r) for r in expected])
        outsider = self.keys.token(org=2, base_ids=(4, 5), roles=("base_5_coordinator",),
                                   permissions=["base_4/shipment:read", "base_4/shipment_detail:read",
                                                "base_5/product:read", "base_5/location:read", "base_5/stock:read"])
        refused = forbidden(f"bases=[{shipment[1]}, {shipment[2]}]")
        response = self.query(text.replace("box { id }", ""), token=outsider, variables={"id": shipment[0]})
        self.assertIsNone(response["data"]["shipment"]["details"][0]["sourceProduct"])
        self.assertIsNone(response["data"]["shipment"]["details"][0]["sourceLocation"])
        self.assertTrue(all(e["extensions"] == refused for e in response["errors"]))
        self.assertEqual({e["path"][-1] for e in response["errors"] if e["path"][-2] == 0},
                         {"sourceProduct", "sourceLocation"}
                         | ({"targetProduct"} if self.db.scalar(f"SELECT target_product_id FROM shipment_detail WHERE "
                                                                f"id = {expected[0][0]}") else set()))
        # box is Box!: its error nulls the detail, and the non-null list nulls the shipment.
        response = self.query('query($id: ID!) { shipment(id: $id) { details { box { id } } } }',
                              token=outsider, variables={"id": shipment[0]})
        self.assertIsNone(response["data"]["shipment"])
        self.assertEqual(response["errors"][0]["extensions"], refused)
        self.assertEqual(response["errors"][0]["path"][-1], "box")

    # ---------------------------------------------------------------------------------------
    # Single objects

    BOX = 'query($label: String!) { box(labelIdentifier: $label) { labelIdentifier state } }'
    QR = """query($code: String!) { qrCode(code: $code) { ... on QrCode { box { __typename
              ... on Box { labelIdentifier } ... on UnauthorizedForBaseError { id } } } } }"""

    def test_box_visible_through_its_shipment(self):
        """A box InTransit, Receiving or NotDelivered is visible with stock:read in either base
        of the shipment it travels in; others see FORBIDDEN 'bases=[s, t]'; in those states
        without an open shipment detail it does not exist; other states need its own base."""
        travelling = self.rows(
            "SELECT st.box_id, q.code, s.source_base_id, s.target_base_id FROM stock st "
            "JOIN shipment_detail d ON d.box_id = st.id AND d.removed_on IS NULL AND d.received_on IS NULL "
            "JOIN shipment s ON s.id = d.shipment_id JOIN qr q ON q.id = st.qr_id "
            "JOIN locations l ON l.id = st.location_id "
            "WHERE st.box_state_id = 7 AND l.camp_id = 1 AND s.target_base_id = 4 ORDER BY st.id LIMIT 1")[0]
        receiver = self.keys.token(org=2, base_ids=(4,), roles=("base_4_coordinator",),
                                   permissions=["base_4/stock:read", "base_4/qr:read"])
        response = self.query(self.BOX, token=receiver, variables={"label": travelling[0]})
        self.assertEqual(response["data"]["box"], {"labelIdentifier": travelling[0], "state": "InTransit"})
        scan = self.query(self.QR, token=receiver, variables={"code": travelling[1]})
        self.assertEqual(scan["data"]["qrCode"]["box"], {"__typename": "Box", "labelIdentifier": travelling[0]})
        stranger = self.keys.token(org=2, base_ids=(5,), roles=("base_5_coordinator",),
                                   permissions=["base_5/stock:read", "base_5/qr:read"])
        response = self.query(self.BOX, token=stranger, variables={"label": travelling[0]})
        self.assertIsNone(response["data"]["box"])
        self.assertEqual(response["errors"][0]["extensions"],
                         forbidden(f"bases=[{travelling[2]}, {travelling[3]}]"))
        scan = self.query(self.QR, token=stranger, variables={"code": travelling[1]})
        self.assertIsNone(scan["data"]["qrCode"]["box"])
        self.assertEqual(scan["errors"][0]["extensions"], forbidden(f"bases=[{travelling[2]}, {travelling[3]}]"))
        # Out of the shipment (its detail removed) while still InTransit: it does not exist.
        self.db.sql(f"UPDATE shipment_detail d JOIN stock s ON s.id = d.box_id SET d.removed_on = NOW() "
                    f"WHERE s.box_id = '{travelling[0]}' AND d.removed_on IS NULL")
        try:
            response = self.query(self.BOX, variables={"label": travelling[0]})
            self.assertIsNone(response["data"]["box"])
            self.assertEqual(response["errors"][0]["extensions"], NOT_FOUND)
        finally:
            self.db.sql(f"UPDATE shipment_detail d JOIN stock s ON s.id = d.box_id SET d.removed_on = NULL "
                        f"WHERE s.box_id = '{travelling[0]}' AND d.removed_on IS NOT NULL AND d.removed_by_id IS NULL")
        home = self.rows("SELECT st.box_id, l.camp_id FROM stock st JOIN locations l ON l.id = st.location_id "
                         "WHERE st.box_state_id = 1 AND l.camp_id = 1 ORDER BY st.id LIMIT 1")[0]
        response = self.query(self.BOX, token=receiver, variables={"label": home[0]})
        self.assertEqual(response["errors"][0]["extensions"], forbidden(f"base={home[1]}"))
        response = self.query(self.BOX, variables={"label": "no-such-label"})
        self.assertEqual(response["errors"][0]["extensions"], NOT_FOUND)

    def test_transfer_agreement_by_id(self):
        """transferAgreement(id): one of the caller's agreements; another is FORBIDDEN naming
        its bases; an unknown id does not exist."""
        mine = self.db.scalar("SELECT MIN(transfer_agreement_id) FROM transfer_agreement_detail "
                              "WHERE source_base_id = 1 OR target_base_id = 1")
        response = self.query(f'{{ transferAgreement(id: "{mine}") {{ id }} }}')
        self.assertEqual(response["data"]["transferAgreement"], {"id": mine})
        other = self.db.scalar("SELECT MIN(a.id) FROM transfer_agreement a WHERE NOT EXISTS (SELECT 1 FROM "
                               "transfer_agreement_detail d WHERE d.transfer_agreement_id = a.id AND "
                               "(d.source_base_id = 1 OR d.target_base_id = 1))")
        bases = self.ids(f"SELECT source_base_id b FROM transfer_agreement_detail WHERE transfer_agreement_id = {other} "
                         f"UNION SELECT target_base_id FROM transfer_agreement_detail WHERE transfer_agreement_id = {other} "
                         f"ORDER BY b")
        response = self.query(f'{{ transferAgreement(id: "{other}") {{ id }} }}')
        self.assertIsNone(response["data"]["transferAgreement"])
        self.assertEqual(response["errors"][0]["extensions"], forbidden("bases=[" + ", ".join(bases) + "]"))
        response = self.query('{ transferAgreement(id: "999999") { id } }')
        self.assertEqual(response["errors"][0]["extensions"], NOT_FOUND)
        none = self.keys.token(permissions=["base_1/stock:read"])
        response = self.query(f'{{ transferAgreement(id: "{mine}") {{ id }} }}', token=none)
        self.assertEqual(response["errors"][0]["extensions"], forbidden("transfer_agreement:read"))

    def test_unknown_ids(self):
        """Single objects by an id the database does not have: BAD_USER_INPUT, as boxtribute's
        get_by_id; base(id) checks access to that base first."""
        unknown = str(int(self.db.scalar("SELECT GREATEST((SELECT MAX(id) FROM products), (SELECT MAX(id) FROM "
                                         "locations), (SELECT MAX(id) FROM people), (SELECT MAX(id) FROM tags), "
                                         "(SELECT MAX(id) FROM shipment), (SELECT MAX(id) FROM camps))")) + 1000)
        for field in ("product", "location", "tag", "shipment", "beneficiary"):
            with self.subTest(field=field):
                response = self.query(f'{{ {field}(id: "{unknown}") {{ id }} }}')
                self.assertIsNone(response["data"][field])
                self.assertEqual(response["errors"][0]["extensions"], NOT_FOUND)
        response = self.query(f'{{ base(id: "{unknown}") {{ id }} }}')
        self.assertEqual(response["errors"][0]["extensions"], forbidden(f"base={unknown}"))
        response = self.query(f'{{ base(id: "{unknown}") {{ id }} }}', token=self.god)
        self.assertEqual(response["errors"][0]["extensions"], NOT_FOUND)


if __name__ == "__main__":
    unittest.main(verbosity=2)
