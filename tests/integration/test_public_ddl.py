"""The public endpoint (issue 17) on db/ddl.sql with rows written here (test_stats_cubes' boxes
created, moved, re-produced and tagged in three bases): ResolvedLink.data, the cubes of a link's
view (boxtribute's statistics/fields.py), read without a token; only the link's base is read.
Expected createdBoxes facts come from SQL written here (boxtribute's compute_created_boxes: each
box's first location, product and items from its oldest history row, its live tags). Statements
per request are counted: a fixed number whatever the base. StockOverview links filter by their
urlParameters' tags / notags (boxtribute's fields.py and compute_stock_overview): boxes written
here with and without two tags of their own, links with tags, notags, both and neither, each
compared with SQL written here for the same filter; unreadable urlParameters are BAD_USER_INPUT
on the field. Licensed under the Apache License 2.0.
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from statistics_cases import DepotPerClass  # noqa: E402
from test_stats_cubes import GENDERS, Rows  # noqa: E402  (the rows only; expectations are SQL here)

DATA = """query($code: String!) { resolveLink(code: $code) { __typename ... on ResolvedLink { view
          data { __typename ... on CreatedBoxesData { facts { createdOn categoryId productId gender
          tagIds boxesCount itemsCount } dimensions { product { id name } category { id name }
          tag { id name color } } } } } } }"""
LINKS = {"a" * 64: ("StatvizDashboard", 1, None), "b" * 64: ("StatvizDashboard", 2, None),
         "c" * 64: ("StockOverview", 1, "tags=1,2&notags=3")}

# The StockOverview links' own rows: tags A and B, a deleted tag, a deleted location of base 1 and
# boxes (id: location, product, size, state, items, deleted, live tags, other tag relations).
TAG_A, TAG_B, TAG_GONE = 11, 12, 13
TAGGED_BOXES = {
    201: (1, 1, 1, 1, 5, False, [TAG_A], []),
    202: (1, 1, 1, 1, 6, False, [TAG_B], []),
    203: (2, 2, 2, 2, 7, False, [TAG_A, TAG_B], []),
    204: (2, 3, 3, 5, 8, False, [], []),
    205: (1, 1, 1, 1, 9, False, [TAG_A], [(TAG_B, "deleted relation")]),
    206: (1, 1, 1, 1, 10, False, [TAG_A, TAG_GONE], []),       # TAG_GONE is a deleted tag
    207: (2, 2, 2, 1, 11, False, [TAG_GONE], []),
    208: (1, 1, 1, 1, 12, True, [TAG_A], []),                   # a deleted box
    209: (5, 1, 1, 1, 13, False, [TAG_A], []),                  # in the deleted location
    210: (3, 4, 1, 1, 14, False, [TAG_A], []),                  # in base 2
    211: (1, 3, 2, 6, 15, False, [TAG_B, 1], []),
    212: (2, 3, 3, 1, 16, False, [TAG_A, TAG_A], []),           # one tag related twice
}
TAG_LINKS = {  # code: urlParameters, the filter (included tags, excluded tags) boxtribute reads
    "d" * 64: (f"tags={TAG_A}", ([TAG_A], [])),
    "e" * 64: (f"notags={TAG_B}", ([], [TAG_B])),
    "f" * 64: (f"tags={TAG_A}&notags={TAG_B}", ([TAG_A], [TAG_B])),
    "g" * 64: (None, ([], [])),
    "h" * 64: ("", ([], [])),
    "i" * 64: (f"boi=items&tags={TAG_A}%2C1&notags=&notags={TAG_B}", ([TAG_A, 1], [TAG_B])),
    "c" * 64: ("tags=1,2&notags=3", ([1, 2], [3])),
    # Python's int() ignores whitespace around each id: tabs and line feeds too.
    "l" * 64: (f"tags=%09{TAG_A}%09,%0A1&notags={TAG_B}%20", ([TAG_A, 1], [TAG_B])),
}
BAD_LINKS = {"j" * 64: f"tags={TAG_A},x", "k" * 64: f"tags={TAG_A}&notags=1,,2"}
# boxtribute's BoxState enum (enums.py) by box_state id.
BOX_STATES = {1: "InStock", 2: "Lost", 3: "MarkedForShipment", 4: "Receiving", 5: "Donated", 6: "Scrap",
              7: "InTransit", 8: "NotDelivered"}
STOCK = """query($code: String!) { resolveLink(code: $code) { ... on ResolvedLink { view
           data { ... on StockOverviewData { facts { productName categoryId gender sizeId locationId
           boxState tagIds boxesCount itemsCount } dimensions { tag { id } } } } } } }"""


def tagged_rows():
    """The SQL of TAGGED_BOXES, their tags and location, and the links of TAG_LINKS and BAD_LINKS."""
    lines = [f"INSERT INTO tags (id, label, color, camp_id, description, type, deleted) VALUES"
             f" ({TAG_A}, 'A', '#111111', 1, '', 'Stock', NULL), ({TAG_B}, 'B', '#222222', 1, '', 'Stock', NULL),"
             f" ({TAG_GONE}, 'gone', '#333333', 1, '', 'Stock', '2024-01-01');",
             "INSERT INTO locations (id, label, camp_id, deleted) VALUES (5, 'L5', 1, '2024-01-01');"]
    for box, (location, product, size, state, items, deleted, tags, others) in TAGGED_BOXES.items():
        lines.append(f"INSERT INTO stock (id, box_id, product_id, size_id, items, location_id, box_state_id,"
                     f" deleted) VALUES ({box}, '{box:08d}', {product}, {size}, {items}, {location}, {state},"
                     f" {'NOW()' if deleted else 'DEFAULT'});")
        relations = [(tag, "NULL") for tag in tags] + [(tag, "NOW()") for tag, _ in others]
        for tag, deleted_on in relations:
            lines.append(f"INSERT INTO tags_relations (object_id, object_type, tag_id, deleted_on)"
                         f" VALUES ({box}, 'Stock', {tag}, {deleted_on});")
    links = {code: parameters for code, (parameters, _) in TAG_LINKS.items() if code not in LINKS}
    links.update(BAD_LINKS)
    for code, parameters in links.items():
        parameters = "NULL" if parameters is None else f"'{parameters}'"
        lines.append(f"INSERT INTO shareable_link (code, valid_until, view, base_id, url_parameters, created_on,"
                     f" created_by_id) VALUES ('{code}', UTC_TIMESTAMP() + INTERVAL 1 DAY, 'StockOverview', 1,"
                     f" {parameters}, UTC_TIMESTAMP(), 8);")
    return "\n".join(lines)


def first(field):
    """A box's value at creation: its oldest history row's from_int for the field, else today's."""
    return (f"COALESCE((SELECT h.from_int FROM history h WHERE h.tablename = 'stock' AND h.record_id = s.id"
            f" AND h.changes = '{field}' ORDER BY h.id LIMIT 1), s.{field})")


class PublicOnDepotDDL(DepotPerClass, unittest.TestCase):
    @classmethod
    def load(cls, db):
        db.load_file(os.path.join(harness.REPO, "db", "ddl.sql"))
        harness.load_depot_tables(db)
        path = os.path.join(cls.scratch.path, "rows.sql")
        with open(path, "w") as f:
            f.write(Rows().sql())
            f.write("\n" + tagged_rows())
            for code, (view, base, parameters) in LINKS.items():
                parameters = f"'{parameters}'" if parameters else "NULL"
                f.write(f"\nINSERT INTO shareable_link (code, valid_until, view, base_id, url_parameters,"
                        f" created_on, created_by_id) VALUES ('{code}', UTC_TIMESTAMP() + INTERVAL 1 DAY,"
                        f" '{view}', {base}, {parameters}, UTC_TIMESTAMP(), 8);")
        db.load_file(path)

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

    def stock_overview(self, base, included, excluded):
        """boxtribute's stockOverview facts of the base with its tag filter: boxes that are not
        deleted in locations that are not deleted, with one of the included tags if any are given
        and none of the excluded ones; a deleted tag or relation is none of a box's tags (a box
        with deleted tags only is counted without tags: README, "Deliberate choices")."""
        live_tags = """SELECT tr.object_id, tr.tag_id FROM tags_relations tr LEFT JOIN tags t ON t.id = tr.tag_id
                       WHERE tr.object_type = 'Stock' AND tr.deleted_on IS NULL
                         AND (t.deleted IS NULL OR t.deleted = 0)"""
        having = lambda ids: f"s.id IN (SELECT object_id FROM ({live_tags}) lt WHERE tag_id IN ({ids}))"  # noqa: E731
        conditions = [having(",".join(map(str, included)))] if included else []
        conditions += [f"NOT {having(','.join(map(str, excluded)))}"] if excluded else []
        rows = self.db.sql(f"""
            SELECT TRIM(LOWER(p.name)), p.category_id, p.gender_id, s.size_id, s.location_id, s.box_state_id,
                   IFNULL(bt.tag_ids, ''), COUNT(*), SUM(s.items)
            FROM stock s
            JOIN locations l ON l.id = s.location_id AND l.camp_id = {base} AND (l.deleted IS NULL OR l.deleted = 0)
            JOIN products p ON p.id = s.product_id
            LEFT JOIN (SELECT object_id, GROUP_CONCAT(DISTINCT tag_id ORDER BY tag_id) AS tag_ids
                       FROM ({live_tags}) lt GROUP BY object_id) bt ON bt.object_id = s.id
            WHERE (s.deleted IS NULL OR s.deleted = 0) {"".join(" AND " + c for c in conditions)}
            GROUP BY 1, 2, 3, 4, 5, 6, 7""")
        return [{"productName": name, "categoryId": int(c), "gender": GENDERS[int(g)], "sizeId": int(size),
                 "locationId": int(location), "boxState": BOX_STATES[int(state)], "tagIds": [int(x) for x in tags.split(",") if x],
                 "boxesCount": int(n), "itemsCount": int(items)}
                for name, c, g, size, location, state, tags, n, items in rows]

    def test_stock_overview_link_filters_by_its_url_tags(self):
        key = lambda f: json.dumps(f, sort_keys=True)  # noqa: E731
        for code, (parameters, (included, excluded)) in TAG_LINKS.items():
            with self.subTest(urlParameters=parameters):
                body = self.ask(STOCK, {"code": code}, public=True)
                self.assertNotIn("errors", body)
                (cube,) = body["data"]["resolveLink"]["data"]
                expected = self.stock_overview(1, included, excluded)
                self.assertEqual(sorted(cube["facts"], key=key), sorted(expected, key=key))
                self.assertEqual([int(t["id"]) for t in cube["dimensions"]["tag"]],
                                 sorted({t for f in expected for t in f["tagIds"]}))
        # The rows make every filter matter: each link counts another set of the test's boxes.
        boxes = lambda included, excluded: tuple(sorted(  # noqa: E731
            (f["locationId"], tuple(f["tagIds"]), f["boxesCount"]) for f in self.stock_overview(1, included, excluded)))
        self.assertEqual(len({boxes(*f) for _, f in TAG_LINKS.values()}), len(TAG_LINKS) - 2)  # g and h: no filter; i and l

    def test_stock_overview_link_with_unreadable_url_tags(self):
        for code, parameters in BAD_LINKS.items():
            with self.subTest(urlParameters=parameters):
                body = self.ask(STOCK, {"code": code}, public=True)
                self.assertEqual(body["data"], {"resolveLink": {"view": "StockOverview", "data": None}})
                (error,) = body["errors"]
                self.assertEqual(error["path"], ["resolveLink", "data"])
                self.assertEqual(error["extensions"]["code"], "BAD_USER_INPUT")

    def test_dashboard_link_shows_its_base_created_boxes_without_a_token(self):
        counts = set()
        for code, base in (("a" * 64, 1), ("b" * 64, 2)):
            with self.subTest(base=base):
                body = self.ask(DATA, {"code": code}, public=True)
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
        self.assertEqual(self.ask(DATA, {"code": "a" * 64}, token, public=True)["data"],
                         self.ask(DATA, {"code": "a" * 64}, public=True)["data"])

    def test_stock_overview_link(self):
        # A StockOverview link's data is its one cube.
        body = self.ask(DATA, {"code": "c" * 64}, public=True)
        self.assertNotIn("errors", body)
        self.assertEqual(body["data"]["resolveLink"], {"__typename": "ResolvedLink", "view": "StockOverview",
                                                       "data": [{"__typename": "StockOverviewData"}]})


if __name__ == "__main__":
    unittest.main()
