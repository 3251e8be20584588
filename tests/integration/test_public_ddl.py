"""The public endpoint (issue 17) on db/ddl.sql with rows written here (test_stats_cubes' boxes
created, moved, re-produced and tagged in three bases): ResolvedLink.data, the cubes of a link's
view (boxtribute's statistics/fields.py), read without a token; only the link's base is read.
Expected createdBoxes facts come from SQL written here (boxtribute's compute_created_boxes: each
box's first location, product and items from its oldest history row, its live tags). Statements
per request are counted: a fixed number whatever the base. Licensed under the Apache License 2.0.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_stats_cubes import GENDERS, Rows  # noqa: E402  (the rows only; expectations are SQL here)

DATA = """query($code: String!) { resolveLink(code: $code) { __typename ... on ResolvedLink { view
          data { __typename ... on CreatedBoxesData { facts { createdOn categoryId productId gender
          tagIds boxesCount itemsCount } dimensions { product { id name } category { id name }
          tag { id name color } } } } } } }"""
LINKS = {"a" * 64: ("StatvizDashboard", 1, None), "b" * 64: ("StatvizDashboard", 2, None),
         "c" * 64: ("StockOverview", 1, "tags=1,2&notags=3")}


def first(field):
    """A box's value at creation: its oldest history row's from_int for the field, else today's."""
    return (f"COALESCE((SELECT h.from_int FROM history h WHERE h.tablename = 'stock' AND h.record_id = s.id"
            f" AND h.changes = '{field}' ORDER BY h.id LIMIT 1), s.{field})")


class PublicOnDepotDDL(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        cls.db.load_file(os.path.join(harness.REPO, "db", "ddl.sql"))
        harness.load_depot_tables(cls.db)
        path = os.path.join(cls.scratch.path, "rows.sql")
        with open(path, "w") as f:
            f.write(Rows().sql())
            for code, (view, base, parameters) in LINKS.items():
                parameters = f"'{parameters}'" if parameters else "NULL"
                f.write(f"\nINSERT INTO shareable_link (code, valid_until, view, base_id, url_parameters,"
                        f" created_on, created_by_id) VALUES ('{code}', UTC_TIMESTAMP() + INTERVAL 1 DAY,"
                        f" '{view}', {base}, {parameters}, UTC_TIMESTAMP(), 8);")
        cls.db.load_file(path)
        cls.keys = harness.Keys(cls.scratch.path)
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="one")
        cls.public = cls.depot.url.replace("/graphql", "/public")

    @classmethod
    def tearDownClass(cls):
        codes = cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()
        assert codes == [0], f"Depot did not stop cleanly: {codes}"

    def ask(self, query, variables, token=None):
        status, body, _ = harness.post(self.public, {"query": query, "variables": variables}, token)
        self.assertEqual(status, 200, body)
        return body

    def created_boxes(self, base):
        rows = self.db.sql(f"""
            SELECT DATE_FORMAT(DATE(s.created), '%Y-%m-%d'), p.category_id, p.id, p.gender_id,
                   IFNULL(t.tag_ids, ''), COUNT(*), SUM(s.first_items)
            FROM (SELECT s.id, s.created, {first('items')} AS first_items,
                         {first('product_id')} AS first_product, {first('location_id')} AS first_location
                  FROM stock s WHERE s.created IS NOT NULL) s
            JOIN locations l ON l.id = s.first_location AND l.camp_id = {base}
            JOIN products p ON p.id = s.first_product
            LEFT JOIN (SELECT object_id, GROUP_CONCAT(tag_id ORDER BY tag_id) AS tag_ids FROM tags_relations
                       WHERE object_type = 'Stock' AND deleted_on IS NULL GROUP BY object_id) t
                   ON t.object_id = s.id
            GROUP BY 1, p.id, t.tag_ids""")
        return [{"createdOn": d, "categoryId": int(c), "productId": int(p), "gender": GENDERS[int(g)],
                 "tagIds": [int(x) for x in tags.split(",") if x], "boxesCount": int(n), "itemsCount": int(items)}
                for d, c, p, g, tags, n, items in rows]

    def test_dashboard_link_shows_its_base_created_boxes_without_a_token(self):
        counts = set()
        for code, base in (("a" * 64, 1), ("b" * 64, 2)):
            with self.subTest(base=base):
                body = self.ask(DATA, {"code": code})
                self.assertNotIn("errors", body)
                link = body["data"]["resolveLink"]
                # The dashboard's four cubes, in boxtribute's order (statistics/fields.py).
                self.assertEqual([c["__typename"] for c in link["data"]],
                                 ["BeneficiaryDemographicsData", "CreatedBoxesData", "MovedBoxesData",
                                  "StockOverviewData"])
                (cube,) = [c for c in link["data"] if c["__typename"] == "CreatedBoxesData"]
                expected = self.created_boxes(base)
                self.assertTrue(expected, "no facts: the test's rows are wrong")
                key = lambda f: (f["createdOn"], f["productId"], f["tagIds"])  # noqa: E731
                self.assertEqual(sorted(cube["facts"], key=key), sorted(expected, key=key))
                products = {f["productId"] for f in expected}
                self.assertEqual([int(p["id"]) for p in cube["dimensions"]["product"]], sorted(products))
                categories = self.db.sql("SELECT id, label FROM product_categories ORDER BY id")
                self.assertEqual(cube["dimensions"]["category"],
                                 [{"id": int(i), "name": n} for i, n in categories])
                tags = sorted({t for f in expected for t in f["tagIds"]})
                self.assertEqual([t["id"] for t in cube["dimensions"]["tag"]], tags)
                counts.add(body["extensions"]["debug"]["sqlStatements"])
        # The link, each cube's facts, then one LOAD per dimension kind (the cubes' loads of one
        # kind shared): the same for both bases, whatever their rows.
        self.assertEqual(counts, {8})

    def test_a_token_changes_nothing(self):
        token = self.keys.token(sub="auth0|2", org=2, base_ids=(3,), roles=("base_3_coordinator",),
                                permissions=["base_3/stock:read"])
        self.assertEqual(self.ask(DATA, {"code": "a" * 64}, token)["data"],
                         self.ask(DATA, {"code": "a" * 64})["data"])

    def test_stock_overview_link(self):
        # A StockOverview link's data is its one cube.
        body = self.ask(DATA, {"code": "c" * 64})
        self.assertNotIn("errors", body)
        self.assertEqual(body["data"]["resolveLink"], {"__typename": "ResolvedLink", "view": "StockOverview",
                                                       "data": [{"__typename": "StockOverviewData"}]})


if __name__ == "__main__":
    unittest.main()
