"""Statistics cubes served by dp_cube (issue 17): createdBoxes, topProductsCheckedOut and
topProductsDonated, on db/ddl.sql with rows written here (boxes created, moved, re-produced,
tagged, donated and checked out over a span of days in three bases of two organisations).

Expected facts and dimensions are computed here in Python from the rows this test inserted,
following boxtribute's business_logic/statistics/crud.py; authorisation as a base coordinator,
a user without a permission, another organisation's coordinator and a god user; the statviz
dashboard's own createdBoxes document (tests/queries/statistics/); and the statements per
request (extensions.debug.sqlStatements), the same for a base with many facts and one with few.
Licensed under the Apache License 2.0.
"""
import collections
import datetime
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from statistics_cases import DepotPerClass, canonical  # noqa: E402

GENDERS = {1: "Women", 2: "Men", 10: "none"}
BASE_OF_LOCATION = {1: 1, 2: 1, 3: 2, 4: 3}
CATEGORIES = {1: "Clothing", 2: "Food", 3: "Hygiene"}
PRODUCTS = {  # id: (name, category, gender, base)
    1: ("Jackets", 1, 1, 1), 2: ("Rice", 2, 10, 1), 3: ("Soap", 3, 2, 1),
    4: ("Socks", 1, 2, 2), 5: ("Pasta", 2, 10, 2), 6: ("Hats", 1, 1, 3)}
TAGS = {1: ("urgent", "#ff0000"), 2: ("winter", "#0000ff"), 3: ("old", "#00ff00")}
SIZES = {1: "S", 2: "M", 3: "L"}
DAYS = [datetime.date(2024, 3, d) for d in (1, 2, 5, 9)]

CREATED = """query($b: Int!) { createdBoxes(baseId: $b) { facts { createdOn categoryId productId gender
             tagIds boxesCount itemsCount } dimensions { product { id name gender }
             category { id name } tag { id name color } } } }"""
CHECKED_OUT = """query($b: Int!) { topProductsCheckedOut(baseId: $b) { facts { checkedOutOn productId
                 categoryId rank itemsCount } dimensions { size { id name } product { id name gender }
                 category { id name } } } }"""
DONATED = """query($b: Int!) { topProductsDonated(baseId: $b) { facts { createdOn donatedOn sizeId
             productId categoryId rank itemsCount } dimensions { size { id name }
             product { id name gender } category { id name } } } }"""
STATVIZ_CREATED = harness.read_query(os.path.join("statistics", "createdBoxes.graphql"))


def ranks(totals):
    """SQL's RANK() over the totals, highest first (ties share a rank, then a gap)."""
    ordered = sorted(totals, reverse=True)
    return [ordered.index(t) + 1 for t in totals]


class Rows:
    """The rows of the test, made up with a fixed seed, and the cubes computed over them."""

    def __init__(self, seed=17):
        rng = random.Random(seed)
        self.boxes = []      # dicts: id, product, location, items, size, created, first_* values
        self.history = []    # (record_id, changes, from_int, to_int, changedate)
        self.tags = []       # (box, tag, deleted)
        self.transactions = []   # (product, count, date)
        hid = 0
        for box in range(1, 121):
            first_location = rng.choice(list(BASE_OF_LOCATION))
            first_product = rng.choice(list(PRODUCTS))
            first_items = rng.randint(1, 40)
            created = datetime.datetime.combine(rng.choice(DAYS), datetime.time(rng.randint(0, 23), 5))
            b = dict(id=box, location=first_location, product=first_product, items=first_items,
                     size=rng.choice(list(SIZES)), created=created if box % 23 else None,
                     first=dict(location=first_location, product=first_product, items=first_items))
            # Later changes: the first one's from_int is what the box was created with.
            for field in ("location_id", "product_id", "items"):
                for _ in range(rng.choice((0, 0, 1, 2))):
                    key = field.replace("_id", "")
                    new = (rng.choice(list(BASE_OF_LOCATION)) if field == "location_id"
                           else rng.choice(list(PRODUCTS)) if field == "product_id" else rng.randint(0, 40))
                    hid += 1
                    self.history.append((box, field, b[key], new, created or datetime.datetime(2024, 1, 1)))
                    b[key] = new
            self.boxes.append(b)
            for tag in TAGS:
                if rng.random() < 0.3:
                    self.tags.append((box, tag, rng.random() < 0.25))
            if rng.random() < 0.3:
                donated = datetime.datetime.combine(rng.choice(DAYS), datetime.time(12))
                self.history.append((box, "box_state_id", 1, 5, donated))
            if rng.random() < 0.1:
                self.history.append((box, "box_state_id", 5, 1, created or datetime.datetime(2024, 1, 1)))
        # One box's first location change has no from_int: its current location counts.
        self.history.append((7, "location_id", None, 2, datetime.datetime(2024, 3, 1)))
        for _ in range(80):
            self.transactions.append((rng.choice(list(PRODUCTS)), rng.randint(1, 9),
                                      datetime.datetime.combine(rng.choice(DAYS), datetime.time(9))))

    def sql(self):
        lines = [
            "INSERT INTO organisations (id, label) VALUES (1, 'BoxAid'), (2, 'BoxCare');",
            "INSERT INTO cms_users (id, naam, email, lastlogin, lastaction, deleted) VALUES"
            " (1, 'Admin', 'a@example.org', 0, 0, 0), (8, 'Coordinator', 'c@example.org', 0, 0, 0);",
            "INSERT INTO camps (id, name, organisation_id, seq) VALUES (1, 'Lesvos', 1, 1),"
            " (2, 'Samos', 1, 2), (3, 'Athens', 2, 3);",
            "INSERT INTO box_state (id, label) VALUES (1, 'Instock'), (2, 'Lost'), (3, 'MarkedForShipment'),"
            " (4, 'Receiving'), (5, 'Donated'), (6, 'Scrap'), (7, 'InTransit'), (8, 'NotDelivered');",
            "INSERT INTO genders (id, label, color) VALUES (1, 'Women', ''), (2, 'Men', ''), (10, '-', '');",
            "INSERT INTO sizegroup (id, label) VALUES (1, 'S M L'), (28, 'Mass');",
            "INSERT INTO units (id, name, symbol, conversion_factor, dimension_id) VALUES (1, 'kilogram', 'kg', 1, 28);",
            "INSERT INTO sizes (id, label) VALUES " + ", ".join(f"({i}, '{n}')" for i, n in SIZES.items()) + ";",
            "INSERT INTO product_categories (id, label) VALUES "
            + ", ".join(f"({i}, '{n}')" for i, n in CATEGORIES.items()) + ";",
            "INSERT INTO locations (id, label, camp_id) VALUES "
            + ", ".join(f"({i}, 'L{i}', {b})" for i, b in BASE_OF_LOCATION.items()) + ";",
            "INSERT INTO products (id, name, category_id, gender_id, sizegroup_id, camp_id, value, comments,"
            " stockincontainer) VALUES " + ", ".join(
                f"({i}, '{n}', {c}, {g}, 1, {b}, 0, '', 0)" for i, (n, c, g, b) in PRODUCTS.items()) + ";",
            "INSERT INTO tags (id, label, color, camp_id, description, type) VALUES " + ", ".join(
                f"({i}, '{n}', '{c}', 1, '', 'Stock')" for i, (n, c) in TAGS.items()) + ";",
        ]
        for b in self.boxes:
            created = f"'{b['created']}'" if b["created"] else "NULL"
            lines.append(f"INSERT INTO stock (id, box_id, product_id, size_id, items, location_id, created)"
                         f" VALUES ({b['id']}, '{b['id']:08d}', {b['product']}, {b['size']}, {b['items']},"
                         f" {b['location']}, {created});")
        for box, changes, old, new, when in self.history:
            old = "NULL" if old is None else old
            lines.append(f"INSERT INTO history (tablename, record_id, changes, from_int, to_int, changedate)"
                         f" VALUES ('stock', {box}, '{changes}', {old}, {new}, '{when}');")
        for box, tag, deleted in self.tags:
            lines.append(f"INSERT INTO tags_relations (object_id, object_type, tag_id, deleted_on) VALUES"
                         f" ({box}, 'Stock', {tag}, {'NOW()' if deleted else 'NULL'});")
        for product, count, when in self.transactions:
            lines.append(f"INSERT INTO transactions (product_id, count, description, transaction_date)"
                         f" VALUES ({product}, {count}, '', '{when}');")
        return "\n".join(lines)

    def box_tags(self, box):
        return sorted(t for b, t, deleted in self.tags if b == box and not deleted)

    def created_boxes(self, base):
        first_location = {}
        for box, changes, old, new, _ in self.history:   # inserted in id order
            if changes == "location_id":
                first_location.setdefault(box, old)
        groups = collections.defaultdict(lambda: [0, 0])
        for b in self.boxes:
            if b["created"] is None:
                continue
            location = first_location.get(b["id"]) or b["location"]
            if BASE_OF_LOCATION[location] != base:
                continue
            product = b["first"]["product"]
            key = (b["created"].date().isoformat(), product, tuple(self.box_tags(b["id"])))
            groups[key][0] += 1
            groups[key][1] += b["first"]["items"]
        facts = [{"createdOn": d, "categoryId": PRODUCTS[p][1], "productId": p, "gender": GENDERS[PRODUCTS[p][2]],
                  "tagIds": list(tags), "boxesCount": n, "itemsCount": items}
                 for (d, p, tags), (n, items) in groups.items()]
        products = sorted({f["productId"] for f in facts})
        tags = sorted({t for f in facts for t in f["tagIds"]})
        return facts, {
            "product": [{"id": p, "name": PRODUCTS[p][0], "gender": GENDERS[PRODUCTS[p][2]]} for p in products],
            "category": [{"id": c, "name": n} for c, n in CATEGORIES.items()],
            "tag": [{"id": t, "name": TAGS[t][0], "color": TAGS[t][1]} for t in tags]}

    def checked_out(self, base):
        totals = collections.Counter()
        for product, count, when in self.transactions:
            if PRODUCTS[product][3] == base:
                totals[(when.date().isoformat(), product)] += count
        keys = list(totals)
        facts = [{"checkedOutOn": d, "productId": p, "categoryId": PRODUCTS[p][1], "rank": r,
                  "itemsCount": totals[(d, p)]}
                 for (d, p), r in zip(keys, ranks([totals[k] for k in keys]))]
        products = sorted({f["productId"] for f in facts})
        return facts, {
            "size": None,
            "product": [{"id": p, "name": PRODUCTS[p][0], "gender": GENDERS[PRODUCTS[p][2]]} for p in products],
            "category": [{"id": c, "name": n} for c, n in CATEGORIES.items()]}

    def donated(self, base):
        boxes = {b["id"]: b for b in self.boxes}
        totals = collections.Counter()
        for box, changes, old, new, when in self.history:
            b = boxes[box]
            if changes == "box_state_id" and (old, new) == (1, 5) and PRODUCTS[b["product"]][3] == base:
                created = b["created"].date().isoformat() if b["created"] else None
                totals[(created, when.date().isoformat(), b["size"], b["product"])] += b["items"]
        keys = list(totals)
        facts = [{"createdOn": c, "donatedOn": d, "sizeId": s, "productId": p, "categoryId": PRODUCTS[p][1],
                  "rank": r, "itemsCount": totals[(c, d, s, p)]}
                 for (c, d, s, p), r in zip(keys, ranks([totals[k] for k in keys]))]
        return facts, {
            "size": [{"id": s, "name": SIZES[s]} for s in sorted({f["sizeId"] for f in facts})],
            "product": [{"id": p, "name": PRODUCTS[p][0], "gender": GENDERS[PRODUCTS[p][2]]}
                        for p in sorted({f["productId"] for f in facts})],
            "category": [{"id": c, "name": n} for c, n in CATEGORIES.items()]}


class StatsCubes(DepotPerClass, unittest.TestCase):
    DEPOT_ENV = harness.FIXED_POOL

    @classmethod
    def load(cls, db):
        db.load_file(os.path.join(harness.REPO, "db", "ddl.sql"))
        harness.load_depot_tables(db)
        cls.rows = Rows()
        path = os.path.join(cls.scratch.path, "rows.sql")
        with open(path, "w") as f:
            f.write(cls.rows.sql())
        db.load_file(path)

    @classmethod
    def tokens(cls):
        cls.token = cls.coordinator = cls.coordinator_token((1, 2))
        cls.other = cls.coordinator_token((3,), sub="auth0|2", org=2)
        cls.without = cls.tokens_lacking((1, 2), ("product_category:read", "transaction:read", "stock:read"))
        cls.god = cls.god_token()

    def check_cube(self, query, field, expected, base, token=None):
        body = self.ask_cube(query, base, token)
        self.assertNotIn("errors", body)
        cube = body["data"][field]
        facts, dimensions = expected(base)
        self.assertEqual(canonical(cube["facts"]), canonical(facts))
        self.assertEqual(cube["dimensions"], dimensions)
        return body

    def test_created_boxes_per_base(self):
        for base in (1, 2, 3):
            with self.subTest(base=base):
                token = self.other if base == 3 else None
                body = self.check_cube(CREATED, "createdBoxes", self.rows.created_boxes, base, token)
                self.assertTrue(body["data"]["createdBoxes"]["facts"], "no facts: the test's rows are wrong")
        # Boxes moved away since creation count where they were created (Python says which).
        moved = [b for b in self.rows.boxes if b["location"] != b["first"]["location"]]
        self.assertTrue(moved)

    def test_top_products_checked_out_per_base(self):
        for base in (1, 2):
            with self.subTest(base=base):
                self.check_cube(CHECKED_OUT, "topProductsCheckedOut", self.rows.checked_out, base)

    def test_top_products_donated_per_base(self):
        for base in (1, 2):
            with self.subTest(base=base):
                body = self.check_cube(DONATED, "topProductsDonated", self.rows.donated, base)
                self.assertTrue(body["data"]["topProductsDonated"]["facts"])

    def test_god_reads_every_base_and_an_unknown_one_does_not_exist(self):
        self.check_cube(CREATED, "createdBoxes", self.rows.created_boxes, 3, self.god)
        body = self.ask_cube(CREATED, 99, self.god)
        self.assertIsNone(body["data"]["createdBoxes"])
        self.assertEqual(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT")

    def test_refusals(self):
        cases = [
            (CREATED, "createdBoxes", 3, self.coordinator, "base=3"),      # another organisation's base
            (CREATED, "createdBoxes", 1, self.other, "base=1"),
            (CREATED, "createdBoxes", 99, self.coordinator, "base=99"),    # not even there
            (CREATED, "createdBoxes", 1, self.without["product_category:read"], "product_category:read"),
            (CREATED, "createdBoxes", 1, self.without["stock:read"], "stock:read"),
            (CHECKED_OUT, "topProductsCheckedOut", 1, self.without["transaction:read"], "transaction:read"),
            (DONATED, "topProductsDonated", 1, self.without["stock:read"], "stock:read"),
        ]
        for query, field, base, token, denied in cases:
            with self.subTest(field=field, base=base, denied=denied):
                body = self.ask_cube(query, base, token)
                self.assertIsNone(body["data"][field])
                error = body["errors"][0]
                self.assertEqual(error["extensions"]["code"], "FORBIDDEN")
                self.assertEqual(error["extensions"]["description"], f"You don't have access to '{denied}'")

    def agreement(self, state, source_base, target_base):
        """One transfer agreement between the organisations of the two bases, with one detail."""
        self.db.sql("DELETE FROM transfer_agreement_detail; DELETE FROM transfer_agreement;"
                    " INSERT INTO transfer_agreement (id, source_organisation_id, target_organisation_id, state,"
                    " type, requested_on, requested_by, valid_from) SELECT 1, s.organisation_id,"
                    f" t.organisation_id, '{state}', 'Bidirectional', NOW(), 8, NOW() FROM camps s, camps t"
                    f" WHERE s.id = {source_base} AND t.id = {target_base};"
                    " INSERT INTO transfer_agreement_detail (transfer_agreement_id, source_base_id, target_base_id)"
                    f" VALUES (1, {source_base}, {target_base});")
        self.addCleanup(self.db.sql, "DELETE FROM transfer_agreement_detail; DELETE FROM transfer_agreement;")

    def assert_refused(self, query, field, base, token, denied):
        body = self.ask_cube(query, base, token)
        self.assertIsNone(body["data"][field])
        self.assertEqual(body["errors"][0]["extensions"]["code"], "FORBIDDEN")
        self.assertEqual(body["errors"][0]["extensions"]["description"], f"You don't have access to '{denied}'")

    def test_another_organisation_reads_through_an_accepted_agreement(self):
        # boxtribute's authorize_cross_organisation_access: either side of the agreement's detail.
        for source, target in ((3, 1), (1, 3)):
            self.agreement("Accepted", source, target)
            with self.subTest(source=source, target=target):
                self.check_cube(CREATED, "createdBoxes", self.rows.created_boxes, 1, self.other)
                self.check_cube(DONATED, "topProductsDonated", self.rows.donated, 1, self.other)
                # The base, its agreements, the facts, then the dimensions: fixed.
                body = self.ask_cube(CREATED, 1, self.other)
                self.assertEqual(body["extensions"]["debug"]["sqlStatements"], 6)
                # Not a base the agreement names; no cross-organisation beneficiary data.
                self.assert_refused(CREATED, "createdBoxes", 2, self.other, "base=2")
                self.assert_refused(CHECKED_OUT, "topProductsCheckedOut", 1, self.other, "base=1")

    def test_another_organisation_without_an_accepted_agreement_is_refused(self):
        for state in ("UnderReview", "Rejected", "Canceled", "Expired"):
            self.agreement(state, 3, 1)
            for query, field in ((CREATED, "createdBoxes"), (DONATED, "topProductsDonated")):
                with self.subTest(state=state, field=field):
                    self.assert_refused(query, field, 1, self.other, "base=1")

    def test_an_agreement_needs_the_permissions_in_the_users_own_bases(self):
        self.agreement("Accepted", 3, 1)
        reads = [f"base_3/{r}:read" for r in harness.RESOURCES if r != "product"]
        no_product = self.keys.token(sub="auth0|2", org=2, base_ids=(3,), roles=("base_3_coordinator",),
                                     permissions=reads)
        self.assert_refused(CREATED, "createdBoxes", 1, no_product, "product:read")
        elsewhere = self.keys.token(sub="auth0|2", org=2, base_ids=(3, 4), roles=("base_3_coordinator",),
                                    permissions=reads + ["base_4/product:read"])
        self.assert_refused(CREATED, "createdBoxes", 1, elsewhere, "bases=[3]")

    def test_statviz_created_boxes_document(self):
        body = self.ask(STATVIZ_CREATED, {"baseId": 1})
        self.assertNotIn("errors", body)
        cube = body["data"]["createdBoxes"]
        self.assertEqual(cube["__typename"], "CreatedBoxesData")
        facts, dimensions = self.rows.created_boxes(1)
        strip = [{k: v for k, v in f.items() if k != "__typename"} for f in cube["facts"]]
        self.assertEqual(canonical(strip), canonical(facts))
        self.assertEqual({f["__typename"] for f in cube["facts"]}, {"CreatedBoxesResult"})
        self.assertEqual([d["id"] for d in cube["dimensions"]["tag"]], [t["id"] for t in dimensions["tag"]])

    def test_statements_do_not_depend_on_the_rows(self):
        # facts and base in the first wave, then one LOAD per dimension kind
        for query, field, expected in ((CREATED, "createdBoxes", 5), (DONATED, "topProductsDonated", 5),
                                       (CHECKED_OUT, "topProductsCheckedOut", 4)):
            counts = {}
            for base in (1, 2):
                body = self.ask_cube(query, base)
                self.assertNotIn("errors", body)
                counts[base] = body["extensions"]["debug"]["sqlStatements"]
            with self.subTest(field=field):
                self.assertEqual(counts, {1: expected, 2: expected})


if __name__ == "__main__":
    unittest.main()
