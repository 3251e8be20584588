"""createBox, updateBox and createBoxFromBox against a real MariaDB, as boxtribute answers them
(back/boxtribute_server/business_logic/warehouse/box/{mutations,crud}.py): the rows written
(stock, history, tags, tags_relations) checked one by one against SQL, boxtribute's history
text as models/utils.py writes it, every error and union error result with its message, and
nothing changed by a refused call. Where boxtribute is not atomic (updateBox writes tags
before its row; createBoxFromBox is three transactions), Depot's one transaction is checked
by what it leaves behind.

The same fixture (organisations, bases, users, locations, products, tags, QR codes and boxes
with ids from 901) is written by the test into two databases: Depot's db/ddl.sql with the
generator's demo data, and boxtribute's own dump (skipped, saying so, when absent).
Licensed under the Apache License 2.0.
"""
import os
import sys
import unittest
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from mutation_cases import Answers, DepotPerClass  # noqa: E402

DUMP = os.path.join(harness.SHARED, "data", "boxtribute-init.sql")
ZERO = "0000-00-00 00:00:00"
NOT_FOUND = {"code": "BAD_USER_INPUT", "description": "The requested resource does not exist in the database."}


def bad_input(description):
    return {"code": "BAD_USER_INPUT", "description": description}


def forbidden(what):
    return {"code": "FORBIDDEN", "description": f"You don't have access to '{what}'"}


# Permissions of a base coordinator of base 901 (boxtribute's roles give these and more).
COORDINATOR = [f"base_901/{r}:read" for r in harness.RESOURCES] + [
    "base_901/stock:write", "base_901/tag_relation:assign", "base_901/tag:write"]

BOX_FIELDS = """id labelIdentifier state numberOfItems comment
    product { id } size { id } location { id } qrCode { code }
    tags { id name } measureValue displayUnit { id } weight monetaryValue
    createdBy { id } lastModifiedBy { id }"""


def fixture_sql(size_group, sizes, category, gender):
    """The test's rows, on either schema; ids from 901 so they meet nothing already there."""
    s1, s2 = sizes
    return f"""
INSERT INTO organisations (id, label) VALUES (901, 'Test Org A'), (902, 'Test Org B');
INSERT INTO camps (id, name, organisation_id, seq) VALUES
  (901, 'Base A1', 901, 901), (902, 'Base A2', 901, 902), (903, 'Base B', 902, 903);
INSERT INTO cms_users (id, naam, email, lastlogin, lastaction, deleted) VALUES
  (901, 'Coordinator A1', 'c901@example.org', NOW(), NOW(), '{ZERO}'),
  (902, 'Coordinator B', 'c902@example.org', NOW(), NOW(), '{ZERO}'),
  (903, 'God', 'g903@example.org', NOW(), NOW(), '{ZERO}'),
  (904, 'Reader A1', 'r904@example.org', NOW(), NOW(), '{ZERO}');
INSERT INTO locations (id, label, camp_id, box_state_id, type, deleted) VALUES
  (910, 'A1 Stock', 901, 1, 'Warehouse', NULL), (911, 'A1 Donated', 901, 5, 'Warehouse', NULL),
  (912, 'A1 Gone', 901, 1, 'Warehouse', '2024-01-01 00:00:00'), (913, 'A2 Stock', 902, 1, 'Warehouse', NULL),
  (914, 'B Stock', 903, 1, 'Warehouse', NULL);
INSERT INTO products (id, name, category_id, gender_id, sizegroup_id, camp_id, deleted) VALUES
  (920, 'Jackets', {category}, {gender}, {size_group}, 901, NULL),
  (921, 'Rice', {category}, {gender}, 28, 901, NULL),
  (922, 'Old Jackets', {category}, {gender}, {size_group}, 901, '2024-01-01 00:00:00'),
  (923, 'A2 Jackets', {category}, {gender}, {size_group}, 902, NULL),
  (924, 'B Jackets', {category}, {gender}, {size_group}, 903, NULL);
INSERT INTO tags (id, label, color, camp_id, description, type, deleted) VALUES
  (930, 'urgent', '#ff0000', 901, '', 'Stock', NULL), (931, 'winter', '#00ff00', 901, '', 'All', NULL),
  (932, 'gone', '#0000ff', 901, '', 'Stock', '2024-01-01 00:00:00'),
  (933, 'family', '#000000', 901, '', 'People', NULL), (934, 'a2 tag', '#111111', 902, '', 'Stock', NULL);
INSERT INTO qr (id, code, created) VALUES (940, 'qr-free-940', NOW()), (941, 'qr-taken-941', NOW());
INSERT INTO stock (id, box_id, product_id, size_id, items, location_id, qr_id, comments, created, created_by,
                   modified, modified_by, deleted, box_state_id, display_unit_id, measure_value) VALUES
  (950, '90100001', 920, {s1}, 10, 910, NULL, NULL, '2024-02-01 10:00:00', 901, '2024-02-01 10:00:00', 901, '{ZERO}', 1, NULL, NULL),
  (951, '90100002', 920, {s1}, 3, 910, 941, 'has a qr', '2024-02-01 10:00:00', 901, '2024-02-01 10:00:00', 901, '{ZERO}', 1, NULL, NULL),
  (952, '90100003', 920, {s1}, 3, 910, NULL, '', '2024-02-01 10:00:00', 901, '2024-02-01 10:00:00', 901, '2024-03-01 00:00:00', 1, NULL, NULL),
  (953, '90100004', 921, NULL, 2, 910, NULL, '', '2024-02-01 10:00:00', 901, '2024-02-01 10:00:00', 901, '{ZERO}', 1,
   (SELECT id FROM units WHERE symbol = 'g' AND dimension_id = 28), 0.5),
  (954, '90100005', 920, {s1}, 3, 910, NULL, '', '2024-02-01 10:00:00', 901, '2024-02-01 10:00:00', 901, '{ZERO}', 3, NULL, NULL),
  (955, '90100006', 924, {s1}, 3, 914, NULL, '', '2024-02-01 10:00:00', 902, '2024-02-01 10:00:00', 902, '{ZERO}', 1, NULL, NULL),
  (956, '90100007', 920, {s2}, 5, 910, NULL, 'for tags', '2024-02-01 10:00:00', 901, '2024-02-01 10:00:00', 901, '{ZERO}', 1, NULL, NULL);
INSERT INTO tags_relations (object_id, object_type, tag_id, created_on, created_by_id) VALUES
  (950, 'Stock', 930, '2024-02-01 10:00:00', 901), (956, 'Stock', 930, '2024-02-01 10:00:00', 901);
"""


class BoxMutations(Answers, DepotPerClass):
    """The cases; a subclass loads the schema (load), then the fixture is added (add_rows)."""

    @classmethod
    def add_rows(cls, db):
        size_group, = db.sql("SELECT sizegroup_id FROM sizes_sizegroup GROUP BY sizegroup_id "
                             "HAVING COUNT(*) >= 2 ORDER BY sizegroup_id LIMIT 1")[0]
        sizes = [r[0] for r in db.sql(f"SELECT size_id FROM sizes_sizegroup WHERE sizegroup_id = {size_group} "
                                      "ORDER BY size_id LIMIT 2")]
        category = db.scalar("SELECT MIN(id) FROM product_categories")
        gender = db.scalar("SELECT MIN(id) FROM genders")
        db.load_bytes(fixture_sql(size_group, sizes, category, gender).encode())
        cls.size_group, cls.sizes = size_group, [int(s) for s in sizes]
        cls.gram = int(db.scalar("SELECT id FROM units WHERE symbol = 'g' AND dimension_id = 28"))
        cls.kilogram = int(db.scalar("SELECT id FROM units WHERE symbol = 'kg' AND dimension_id = 28"))
        cls.other_size = int(db.scalar(f"SELECT MIN(id) FROM sizes WHERE id NOT IN "
                                       f"(SELECT size_id FROM sizes_sizegroup WHERE sizegroup_id = {size_group})"))

    @classmethod
    def tokens(cls):
        keys = cls.keys
        cls.coordinator = keys.token(sub="auth0|901", org=901, base_ids=(901,), roles=("base_901_coordinator",),
                                     permissions=COORDINATOR)
        cls.foreign = keys.token(sub="auth0|902", org=902, base_ids=(903,), roles=("base_903_coordinator",),
                                 permissions=[p.replace("base_901", "base_903") for p in COORDINATOR])
        cls.god = keys.token(sub="auth0|903", org="null", roles=("boxtribute_god",), permissions=[])
        cls.reader = keys.token(sub="auth0|904", org=901, base_ids=(901,), roles=("base_901_volunteer",),
                                permissions=[f"base_901/{r}:read" for r in harness.RESOURCES])
        cls.beta = {level: keys.token(sub="auth0|901", org=901, base_ids=(901,), roles=("base_901_coordinator",),
                                      permissions=COORDINATOR, beta=level) for level in (0, 4)}

    # -- helpers ----------------------------------------------------------------------------

    def error(self, text, variables=None, token=None, extensions=None, field=None):
        """A refused call: one error (with these extensions), the field null, nothing written."""
        before = self.snapshot()
        response = self.answer(text, variables, token)
        self.assertIn("errors", response, response)
        self.assertEqual(len(response["errors"]), 1, response["errors"])
        if extensions is not None:
            self.assertEqual(response["errors"][0].get("extensions"), extensions, response["errors"])
        if field is not None:
            self.assertIsNone((response.get("data") or {}).get(field), response)
        self.assertEqual(self.snapshot(), before, "a refused call changed rows")
        return response["errors"][0]

    def union(self, text, variables=None, token=None):
        """A union error result: no GraphQL error, nothing written."""
        before = self.snapshot()
        data = self.ok(text, variables, token)
        self.assertEqual(self.snapshot(), before, "a refused call changed rows")
        return data

    def snapshot(self):
        """Every row the three mutations may write: counts and checksums of the tables."""
        return self.db.sql("CHECKSUM TABLE stock, history, tags, tags_relations, qr")

    def row(self, sql):
        rows = self.db.sql(sql)
        self.assertEqual(len(rows), 1, rows)
        return rows[0]

    def box_row(self, box_id):
        return dict(zip(
            ["box_id", "product_id", "size_id", "items", "location_id", "qr_id", "comments", "created",
             "created_by", "modified", "modified_by", "deleted", "box_state_id", "display_unit_id",
             "measure_value", "weight", "monetary_value", "source_box_id", "distro_event_id",
             "weight_display_unit_id"],
            self.row(f"SELECT box_id, product_id, size_id, items, location_id, qr_id, comments, created, created_by, "
                     f"modified, modified_by, deleted, box_state_id, display_unit_id, measure_value, weight, "
                     f"monetary_value, source_box_id, distro_event_id, weight_display_unit_id "
                     f"FROM stock WHERE id = {box_id}")))

    def history(self, table, record_id, after_id=0):
        """(changes, user_id, changedate, from_int, to_int, from_float, to_float, ip) rows by id."""
        return [tuple(r) for r in self.db.sql(
            f"SELECT changes, user_id, changedate, from_int, to_int, from_float, to_float, ip FROM history "
            f"WHERE tablename = '{table}' AND record_id = {record_id} AND id > {after_id} ORDER BY id")]

    def last_history_id(self):
        return int(self.db.scalar("SELECT COALESCE(MAX(id), 0) FROM history"))

    def relations(self, box_id):
        return [tuple(r) for r in self.db.sql(
            f"SELECT tag_id, created_on, created_by_id, deleted_on, deleted_by_id FROM tags_relations "
            f"WHERE object_type = 'Stock' AND object_id = {box_id} ORDER BY id")]

    def fresh_box(self, label_suffix, items=10, location=910, size_index=0, comment=None):
        """A box of this test alone (tests must not depend on each other's writes)."""
        label = f"901900{label_suffix:0>2}"
        self.db.sql(f"INSERT INTO stock (box_id, product_id, size_id, items, location_id, comments, created, "
                    f"created_by, modified, modified_by, deleted, box_state_id) VALUES ('{label}', "
                    f"920, {self.sizes[size_index]}, {items}, {location}, "
                    f"{'NULL' if comment is None else repr(comment)}, '2024-02-01 10:00:00', 901, "
                    f"'2024-02-01 10:00:00', 901, '{ZERO}', (SELECT box_state_id FROM locations WHERE id = {location}))")
        return int(self.db.scalar(f"SELECT id FROM stock WHERE box_id = '{label}'")), label

    # -- createBox --------------------------------------------------------------------------

    CREATE = "mutation ($input: BoxCreationInput) { createBox(creationInput: $input) { " + BOX_FIELDS + " } }"

    def test_create_box(self):
        """A base coordinator's box: stock row, its creation history, an existing and a new
        tag, the QR code; created = modified = the history's date, by the caller."""
        after = self.last_history_id()
        tags_before = int(self.db.scalar("SELECT MAX(id) FROM tags"))
        data = self.ok(self.CREATE, {"input": {
            "productId": 920, "locationId": 911, "sizeId": self.sizes[1], "numberOfItems": 12,
            "comment": "warm \"ones\"", "tagIds": [930], "newTagNames": ["brand new"], "qrCode": "qr-free-940",
            "weight": 2.5, "monetaryValue": 10}})["createBox"]
        label = data["labelIdentifier"]
        self.assertRegex(label, r"^[0-9]{8}$")
        box_id = int(self.db.scalar(f"SELECT id FROM stock WHERE box_id = '{label}'"))
        box = self.box_row(box_id)
        self.assertEqual(box["product_id"], "920")
        self.assertEqual(box["size_id"], str(self.sizes[1]))
        self.assertEqual(box["items"], "12")
        self.assertEqual(box["location_id"], "911")
        self.assertEqual(box["box_state_id"], "5")  # the location's box state (Donated)
        self.assertEqual(box["qr_id"], "940")
        self.assertEqual(box["comments"], 'warm "ones"')
        self.assertEqual(box["created_by"], "901")
        self.assertEqual(box["modified_by"], "901")
        self.assertEqual(box["created"], box["modified"])
        self.assertEqual(box["deleted"], ZERO)
        self.assertIsNone(box["display_unit_id"])
        self.assertIsNone(box["measure_value"])
        self.assertEqual(float(box["weight"]), 2.5)
        self.assertEqual(float(box["monetary_value"]), 10.0)
        self.assertIsNone(box["source_box_id"])
        now = box["created"]
        # the new tag: a Box tag of the location's base, a random colour, created with the box
        new_tag = self.row(f"SELECT id, label, camp_id, type, description, created, created_by, deleted "
                           f"FROM tags WHERE id > {tags_before}")
        self.assertEqual(new_tag[1:], ["brand new", "901", "Stock", "", now, "901", None])
        self.assertRegex(self.db.scalar(f"SELECT color FROM tags WHERE id = {new_tag[0]}"), r"^#[0-9a-f]{6}$")
        self.assertEqual(sorted(self.relations(box_id)),
                         sorted([("930", now, "901", None, None), (new_tag[0], now, "901", None, None)]))
        # history: the tag's creation first (create_tag runs before the box is saved), then the box's
        self.assertEqual(self.history("tags", new_tag[0], after),
                         [("Record created", "901", now, None, None, None, None, None)])
        self.assertEqual(self.history("stock", box_id, after),
                         [("Record created", "901", now, None, None, None, None, None)])
        self.assertLess(int(self.db.scalar(f"SELECT id FROM history WHERE tablename = 'tags' AND record_id = {new_tag[0]}")),
                        int(self.db.scalar(f"SELECT id FROM history WHERE tablename = 'stock' AND record_id = {box_id}")))
        # the answer is what committed
        self.assertEqual(data["id"], str(box_id))
        self.assertEqual(data["state"], "Donated")
        self.assertEqual(data["numberOfItems"], 12)
        self.assertEqual(data["qrCode"], {"code": "qr-free-940"})
        self.assertEqual(sorted(t["name"] for t in data["tags"]), ["brand new", "urgent"])
        self.assertEqual(data["createdBy"], {"id": "901"})
        self.assertEqual(data["weight"], 2.5)

    def test_create_box_measure_product(self):
        """A measure product: measureValue in its display unit, stored in the base unit (kg)."""
        data = self.ok(self.CREATE, {"input": {"productId": 921, "locationId": 910, "displayUnitId": self.gram,
                                               "measureValue": 750, "numberOfItems": 1}})["createBox"]
        box = self.box_row(data["id"])
        self.assertIsNone(box["size_id"])
        self.assertEqual(box["display_unit_id"], str(self.gram))
        self.assertEqual(float(box["measure_value"]), 0.75)
        self.assertEqual(box["box_state_id"], "1")
        self.assertEqual(box["comments"], "")  # boxtribute's default comment
        self.assertEqual(data["measureValue"], 750)
        # an explicit null comment is passed on to create_box, which stores it
        nulled = self.ok(self.CREATE, {"input": {"productId": 920, "locationId": 910, "sizeId": self.sizes[0],
                                                 "comment": None}})["createBox"]
        self.assertIsNone(self.box_row(nulled["id"])["comments"])

    def test_create_box_refused(self):
        """Each of boxtribute's validations: an error, the field null, no row written."""
        sizes = self.sizes
        cases = [
            ({"productId": 923, "locationId": 910, "sizeId": sizes[0]}, self.god,
             bad_input("Invalid input: bases of 'location' and 'product' not matching")),
            ({"productId": 920, "locationId": 910, "sizeId": sizes[0], "numberOfItems": -1}, None,
             bad_input("Invalid input: negative value for 'numberOfItems'")),
            ({"productId": 920, "locationId": 910, "sizeId": sizes[0], "weight": -1}, None,
             bad_input("Invalid input: negative value for 'weight'")),
            ({"productId": 920, "locationId": 910, "sizeId": sizes[0], "monetaryValue": -0.5}, None,
             bad_input("Invalid input: negative value for 'monetaryValue'")),
            ({"productId": 920, "locationId": 910}, None,
             bad_input("Invalid input: either 'sizeId' or 'displayUnitId'+'measureValue' required")),
            ({"productId": 921, "locationId": 910, "sizeId": sizes[0], "displayUnitId": self.gram, "measureValue": 1},
             None, bad_input("Invalid input: either 'sizeId' or 'displayUnitId'+'measureValue' required")),
            ({"productId": 921, "locationId": 910, "displayUnitId": self.gram, "measureValue": -1}, None,
             bad_input("Invalid input: negative value for 'measureValue'")),
            ({"productId": 920, "locationId": 910, "displayUnitId": self.gram, "measureValue": 1}, None,
             bad_input("Invalid input: dimensions of 'displayUnit' and 'product' not matching")),
            ({"productId": 920, "locationId": 910, "sizeId": sizes[0], "qrCode": "qr-taken-941"}, None,
             bad_input("The QR code is already assigned to another box.")),
            ({"productId": 920, "locationId": 910, "sizeId": sizes[0], "qrCode": "no-such-qr"}, None, NOT_FOUND),
            ({"productId": 99999, "locationId": 910, "sizeId": sizes[0]}, None, NOT_FOUND),
            ({"productId": 920, "locationId": 99999, "sizeId": sizes[0]}, None, NOT_FOUND),
            ({"productId": 920, "locationId": 910, "sizeId": sizes[0], "tagIds": [930, 934]}, self.god,
             bad_input("Invalid input: bases of tags not matching")),
            ({"productId": 920, "locationId": 910, "sizeId": sizes[0], "tagIds": [934]}, self.god,
             bad_input("Invalid input: bases of 'location' and 'tag' not matching")),
            # Depot refuses what boxtribute would store: deleted locations, products and tags,
            # a tag for beneficiaries only, a size outside the product's size range
            ({"productId": 920, "locationId": 912, "sizeId": sizes[0]}, None,
             bad_input("Invalid input: the location 'A1 Gone' is deleted")),
            ({"productId": 922, "locationId": 910, "sizeId": sizes[0]}, None,
             bad_input("Invalid input: the product 'Old Jackets' is deleted")),
            ({"productId": 920, "locationId": 910, "sizeId": sizes[0], "tagIds": [932]}, None,
             bad_input("Invalid input: the tag 'gone' is deleted")),
            ({"productId": 920, "locationId": 910, "sizeId": sizes[0], "tagIds": [933]}, None,
             bad_input("Invalid input: the tag 'family' cannot be assigned to boxes")),
            ({"productId": 920, "locationId": 910, "sizeId": self.other_size}, None,
             bad_input("Invalid input: the size is not in the product's size range")),
            # authorisation
            ({"productId": 920, "locationId": 910, "sizeId": sizes[0]}, self.foreign, forbidden("base=901")),
            ({"productId": 924, "locationId": 910, "sizeId": sizes[0]}, None, forbidden("base=903")),
            ({"productId": 920, "locationId": 910, "sizeId": sizes[0]}, self.reader, forbidden("stock:write")),
            ({"productId": 920, "locationId": 910, "sizeId": sizes[0], "tagIds": [934]}, None, forbidden("base=902")),
        ]
        for creation_input, token, extensions in cases:
            with self.subTest(input=creation_input):
                self.error(self.CREATE, {"input": creation_input}, token, extensions, field="createBox")

    def test_create_box_callers(self):
        """A god user creates in any base; a user below beta level 1 is refused as boxtribute
        refuses the whole document."""
        data = self.ok(self.CREATE, {"input": {"productId": 924, "locationId": 914, "sizeId": self.sizes[0]}},
                       self.god)["createBox"]
        self.assertEqual(self.box_row(data["id"])["created_by"], "903")
        before = self.snapshot()
        response = self.answer(self.CREATE, {"input": {"productId": 920, "locationId": 910, "sizeId": self.sizes[0]}},
                               self.beta[0])
        self.assertEqual([e["message"] for e in response["errors"]], ["Insufficient beta-level"])
        self.assertIsNone(response.get("data"))
        self.assertEqual(self.snapshot(), before)

    # -- updateBox --------------------------------------------------------------------------

    UPDATE = "mutation ($input: BoxUpdateInput) { updateBox(updateInput: $input) { " + BOX_FIELDS + " } }"

    def test_update_box(self):
        """Every changed field gets its history row, in boxtribute's field order, with one
        date; the tags become exactly those asked (one removed, one added, one new)."""
        box_id, label = self.fresh_box("01", items=10, comment=None)
        self.db.sql(f"INSERT INTO tags_relations (object_id, object_type, tag_id, created_on, created_by_id) "
                    f"VALUES ({box_id}, 'Stock', 930, '2024-02-01 10:00:00', 901)")
        after = self.last_history_id()
        tags_before = int(self.db.scalar("SELECT MAX(id) FROM tags"))
        data = self.ok(self.UPDATE, {"input": {
            "labelIdentifier": label, "numberOfItems": 7, "comment": "checked", "locationId": 911,
            "sizeId": self.sizes[1], "weight": 3.25, "monetaryValue": 0.125,
            "tagIds": [931], "newTagNames": ["fresh"]}})["updateBox"]
        box = self.box_row(box_id)
        now = box["modified"]
        self.assertNotEqual(now, "2024-02-01 10:00:00")
        self.assertEqual(box["modified_by"], "901")
        self.assertEqual((box["items"], box["comments"], box["location_id"], box["box_state_id"], box["size_id"]),
                         ("7", "checked", "911", "5", str(self.sizes[1])))
        self.assertEqual(box["created"], "2024-02-01 10:00:00")
        history = self.history("stock", box_id, after)
        self.assertEqual([h[:5] for h in history], [
            ("size_id", "901", now, str(self.sizes[0]), str(self.sizes[1])),
            ("items", "901", now, "10", "7"),
            ("location_id", "901", now, "910", "911"),
            ('comments changed from "None" to "checked";', "901", now, None, None),
            ("box_state_id", "901", now, "1", "5"),
            ('changed weight from "" to 3.25kg', "901", now, None, None),
            ('changed monetary value from "" to 0.12€', "901", now, None, None),
        ])
        self.assertEqual([(h[5], h[6]) for h in history[5:]], [(None, "3.25"), (None, "0.125")])
        new_tag = self.db.scalar(f"SELECT id FROM tags WHERE id > {tags_before} AND label = 'fresh' AND camp_id = 901 "
                                 f"AND type = 'Stock'")
        self.assertIsNotNone(new_tag)
        self.assertEqual(self.history("tags", new_tag, after), [("Record created", "901", now, None, None, None, None, None)])
        self.assertEqual(self.relations(box_id), [
            ("930", "2024-02-01 10:00:00", "901", now, "901"),
            ("931", now, "901", None, None),
            (new_tag, now, "901", None, None)])
        self.assertEqual(sorted(t["name"] for t in data["tags"]), ["fresh", "winter"])
        self.assertEqual(data["state"], "Donated")
        self.assertEqual(data["lastModifiedBy"], {"id": "901"})

    def test_update_box_nothing_changed(self):
        """The values the box has already: no history row, no write (modified unchanged)."""
        box_id, label = self.fresh_box("02", items=4, comment="same")
        before = self.snapshot()
        data = self.ok(self.UPDATE, {"input": {"labelIdentifier": label, "numberOfItems": 4, "comment": "same",
                                               "locationId": 910, "tagIds": []}})["updateBox"]
        self.assertEqual(data["numberOfItems"], 4)
        self.assertEqual(self.snapshot(), before)
        # a float sent again is no change either (boxtribute compares Decimal(0.1), the float's
        # binary value, with the stored DECIMAL 0.1 and writes a row each time)
        self.ok(self.UPDATE, {"input": {"labelIdentifier": label, "weight": 0.1, "monetaryValue": 0.1}})
        before = self.snapshot()
        self.ok(self.UPDATE, {"input": {"labelIdentifier": label, "weight": 0.1, "monetaryValue": 0.1}})
        self.assertEqual(self.snapshot(), before)

    def test_update_box_tags_only(self):
        """Only the tags change: the box's modified and modified_by move, no history row."""
        box_id, label = self.fresh_box("03")
        after = self.last_history_id()
        self.ok(self.UPDATE, {"input": {"labelIdentifier": label, "tagIds": [930]}})
        box = self.box_row(box_id)
        self.assertNotEqual(box["modified"], "2024-02-01 10:00:00")
        self.assertEqual(self.relations(box_id), [("930", box["modified"], "901", None, None)])
        self.assertEqual(self.history("stock", box_id, after), [])

    def test_update_box_measure(self):
        """A measure in grams: the text in the display unit, the floats in kilograms."""
        after = self.last_history_id()
        self.ok(self.UPDATE, {"input": {"labelIdentifier": "90100004", "measureValue": 750}})
        self.assertEqual(float(self.box_row(953)["measure_value"]), 0.75)
        self.assertEqual([(h[0], h[5], h[6]) for h in self.history("stock", 953, after)],
                         [("changed units of measure from 500.00g to 750.00g", "0.5", "0.75")])

    def test_update_box_refused(self):
        box_id, label = self.fresh_box("04")
        cases = [
            ({"labelIdentifier": "90100003", "numberOfItems": 1}, None,
             bad_input("Box with label identifier '90100003' is deleted and cannot be updated")),
            ({"labelIdentifier": "90100005", "numberOfItems": 1}, None,
             bad_input("Box with label identifier '90100005' is in state 'MarkedForShipment' and cannot be updated. "
                       "Only boxes in states InStock, Donated, Scrap, or Lost can be updated")),
            ({"labelIdentifier": label, "numberOfItems": -1}, None,
             bad_input("Invalid input: negative value for 'numberOfItems'")),
            ({"labelIdentifier": label, "locationId": 913}, self.god,
             bad_input("Invalid input: bases of old and new location not matching")),
            ({"labelIdentifier": label, "productId": 923}, self.god,
             bad_input("Invalid input: bases of 'location' and 'product' not matching")),
            ({"labelIdentifier": label, "productId": 921}, None, bad_input("Input field 'measureValue' missing")),
            ({"labelIdentifier": label, "productId": 921, "measureValue": 1}, None,
             bad_input("Input field 'displayUnitId' missing")),
            ({"labelIdentifier": label, "displayUnitId": self.gram}, None,
             bad_input("Input field 'displayUnitId' must be None")),
            ({"labelIdentifier": "90100004", "sizeId": self.sizes[0]}, None, bad_input("Input field 'sizeId' must be None")),
            ({"labelIdentifier": "90100004", "productId": 920}, None, bad_input("Input field 'sizeId' missing")),
            ({"labelIdentifier": label, "tagIds": [930, 934]}, self.god, bad_input("Invalid input: bases of tags not matching")),
            ({"labelIdentifier": label, "locationId": 912}, None, bad_input("Invalid input: the location 'A1 Gone' is deleted")),
            ({"labelIdentifier": label, "tagIds": [932]}, None, bad_input("Invalid input: the tag 'gone' is deleted")),
            ({"labelIdentifier": "99999999", "numberOfItems": 1}, None, NOT_FOUND),
            ({"labelIdentifier": label, "numberOfItems": 1}, self.foreign, forbidden("base=901")),
            ({"labelIdentifier": label, "numberOfItems": 1}, self.reader, forbidden("stock:write")),
            ({"labelIdentifier": label, "locationId": 914}, None, forbidden("base=903")),
        ]
        for update_input, token, extensions in cases:
            with self.subTest(input=update_input):
                self.error(self.UPDATE, {"input": update_input}, token, extensions, field="updateBox")

    def test_update_box_is_atomic(self):
        """A statement failing after the tags were changed (the box's history rows, refused by
        a trigger the test adds) leaves the tags as they were too: boxtribute has written the
        tag relations and new tags outside its transaction by then."""
        box_id, label = self.fresh_box("05")
        self.db.sql(f"INSERT INTO tags_relations (object_id, object_type, tag_id, created_on, created_by_id) "
                    f"VALUES ({box_id}, 'Stock', 930, '2024-02-01 10:00:00', 901)")
        self.db.load_bytes(f"DELIMITER //\nCREATE TRIGGER refuse_history_{box_id} BEFORE INSERT ON history "
                           f"FOR EACH ROW IF NEW.tablename = 'stock' AND NEW.record_id = {box_id} THEN "
                           f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'; END IF //\n".encode())
        try:
            before = self.snapshot()
            response = self.answer(self.UPDATE, {"input": {"labelIdentifier": label, "numberOfItems": 1,
                                                           "tagIds": [931], "newTagNames": ["late"]}})
            self.assertEqual(len(response.get("errors", [])), 1, response)
            self.assertEqual(response["errors"][0]["extensions"]["code"], "INTERNAL_SERVER_ERROR")
            self.assertIsNone((response.get("data") or {}).get("updateBox"))
            self.assertEqual(self.snapshot(), before)
            self.assertEqual(self.relations(box_id), [("930", "2024-02-01 10:00:00", "901", None, None)])
        finally:
            self.db.sql(f"DROP TRIGGER refuse_history_{box_id}")

    def test_update_box_callers(self):
        """god updates any box; beta level 0 may update (boxtribute's lowest level has updateBox)."""
        self.ok(self.UPDATE, {"input": {"labelIdentifier": "90100006", "comment": "by god"}}, self.god)
        self.assertEqual(self.box_row(955)["modified_by"], "903")
        box_id, label = self.fresh_box("06")
        self.ok(self.UPDATE, {"input": {"labelIdentifier": label, "numberOfItems": 2}}, self.beta[0])
        self.assertEqual(self.box_row(box_id)["items"], "2")

    def test_history_reads_back(self):
        """Box.history shows Depot's rows as boxtribute's HistoryForBoxLoader words them."""
        box_id, label = self.fresh_box("07", items=10)
        self.ok(self.UPDATE, {"input": {"labelIdentifier": label, "numberOfItems": 6, "locationId": 911}})
        history = self.ok("query ($l: String!) { box(labelIdentifier: $l) { history { changes user { id } } } }",
                          {"l": label})["box"]["history"]
        self.assertEqual([h["changes"] for h in history], [
            "changed box state from Instock to Donated",
            "changed box location from A1 Stock to A1 Donated",
            "changed the number of items from 10 to 6"])
        self.assertEqual({h["user"]["id"] for h in history}, {"901"})

    # -- createBoxFromBox -------------------------------------------------------------------

    FROM_BOX = """mutation ($input: BoxFromBoxCreationInput!) { createBoxFromBox(creationInput: $input) {
        __typename ... on Box { id labelIdentifier numberOfItems state location { id } product { id } size { id } }
        ... on InsufficientPermissionError { name } ... on ResourceDoesNotExistError { missingId: id name }
        ... on UnauthorizedForBaseError { baseId: id name organisationName } ... on DeletedLocationError { name }
        ... on DeletedBoxError { labelIdentifier } ... on InvalidBoxStateError { invalidState: state }
        ... on InvalidNumberOfItemsError { invalidNumber: numberOfItems } } }"""

    def test_create_box_from_box(self):
        """The new box copies product and size, is made in the source's location with 0 items
        and then moved, as boxtribute records it for its statistics; the source loses the items."""
        source_id, source_label = self.fresh_box("08", items=10)
        after = self.last_history_id()
        data = self.ok(self.FROM_BOX, {"input": {"sourceBoxLabelIdentifier": source_label, "numberOfItems": 4,
                                                 "locationId": 911}})["createBoxFromBox"]
        self.assertEqual(data["__typename"], "Box")
        new_id = int(data["id"])
        new, source = self.box_row(new_id), self.box_row(source_id)
        now = new["created"]
        self.assertRegex(new["box_id"], r"^[0-9]{8}$")
        self.assertEqual((new["product_id"], new["size_id"], new["items"], new["location_id"], new["box_state_id"],
                          new["source_box_id"], new["comments"], new["created_by"], new["modified"], new["modified_by"]),
                         ("920", str(self.sizes[0]), "4", "911", "5", str(source_id), "", "901", now, "901"))
        self.assertEqual((source["items"], source["modified"], source["modified_by"]), ("6", now, "901"))
        self.assertEqual(self.history("stock", source_id, after),
                         [("items", "901", now, "10", "6", None, None, None)])
        self.assertEqual(self.history("stock", new_id, after), [
            ("Record created", "901", now, None, None, None, None, None),
            ("items", "901", now, "0", "4", None, None, None),
            ("location_id", "901", now, "910", "911", None, None, None),
            ("box_state_id", "901", now, "1", "5", None, None, None)])
        self.assertEqual((data["numberOfItems"], data["state"], data["location"]), (4, "Donated", {"id": "911"}))

    def test_create_box_from_box_measure(self):
        """A measure box's measure is copied as stored (boxtribute divides it by the display
        unit's factor a second time)."""
        source = self.box_row(953)
        data = self.ok(self.FROM_BOX, {"input": {"sourceBoxLabelIdentifier": "90100004", "numberOfItems": 1,
                                                 "locationId": 910}})["createBoxFromBox"]
        new = self.box_row(data["id"])
        self.assertEqual((new["display_unit_id"], new["measure_value"], new["size_id"]),
                         (source["display_unit_id"], source["measure_value"], None))

    def test_create_box_from_box_results(self):
        """boxtribute's union error results, each changing nothing."""
        source_id, source_label = self.fresh_box("09", items=10)
        cases = [
            ({"sourceBoxLabelIdentifier": source_label, "numberOfItems": 11, "locationId": 910}, None,
             {"__typename": "InvalidNumberOfItemsError", "invalidNumber": 11}),
            ({"sourceBoxLabelIdentifier": source_label, "numberOfItems": -1, "locationId": 910}, None,
             {"__typename": "InvalidNumberOfItemsError", "invalidNumber": -1}),
            ({"sourceBoxLabelIdentifier": "90100003", "numberOfItems": 1, "locationId": 910}, None,
             {"__typename": "DeletedBoxError", "labelIdentifier": "90100003"}),
            ({"sourceBoxLabelIdentifier": source_label, "numberOfItems": 1, "locationId": 912}, None,
             {"__typename": "DeletedLocationError", "name": "A1 Gone"}),
            ({"sourceBoxLabelIdentifier": "90100005", "numberOfItems": 1, "locationId": 910}, None,
             {"__typename": "InvalidBoxStateError", "invalidState": "MarkedForShipment"}),
            ({"sourceBoxLabelIdentifier": source_label, "numberOfItems": 1, "locationId": 99999}, None,
             {"__typename": "ResourceDoesNotExistError", "missingId": "99999", "name": "Location"}),
            ({"sourceBoxLabelIdentifier": "99999999", "numberOfItems": 1, "locationId": 910}, None,
             {"__typename": "ResourceDoesNotExistError", "missingId": "99999999", "name": "Box"}),
            ({"sourceBoxLabelIdentifier": source_label, "numberOfItems": 1, "locationId": 910}, self.foreign,
             {"__typename": "UnauthorizedForBaseError", "baseId": "901", "name": "Base A1", "organisationName": "Test Org A"}),
            ({"sourceBoxLabelIdentifier": "90100006", "numberOfItems": 1, "locationId": 910}, None,
             {"__typename": "UnauthorizedForBaseError", "baseId": "903", "name": "Base B", "organisationName": "Test Org B"}),
            ({"sourceBoxLabelIdentifier": source_label, "numberOfItems": 1, "locationId": 910}, self.reader,
             {"__typename": "InsufficientPermissionError", "name": "stock:write"}),
        ]
        for creation_input, token, expected in cases:
            with self.subTest(input=creation_input):
                self.assertEqual(self.union(self.FROM_BOX, {"input": creation_input}, token)["createBoxFromBox"], expected)

    def test_create_box_from_box_is_atomic(self):
        """A target location in another base of the caller: boxtribute has committed the new
        box and the source's items when it finds out; Depot refuses and changes nothing."""
        source_id, source_label = self.fresh_box("10", items=10)
        self.error(self.FROM_BOX, {"input": {"sourceBoxLabelIdentifier": source_label, "numberOfItems": 2,
                                             "locationId": 913}}, self.god,
                   bad_input("Invalid input: bases of old and new location not matching"), field="createBoxFromBox")

    def test_create_box_from_box_callers(self):
        """god in any base; below beta level 5 the document is refused."""
        data = self.ok(self.FROM_BOX, {"input": {"sourceBoxLabelIdentifier": "90100006", "numberOfItems": 1,
                                                 "locationId": 914}}, self.god)["createBoxFromBox"]
        self.assertEqual(self.box_row(data["id"])["created_by"], "903")
        source_id, source_label = self.fresh_box("11", items=10)
        before = self.snapshot()
        response = self.answer(self.FROM_BOX, {"input": {"sourceBoxLabelIdentifier": source_label, "numberOfItems": 1,
                                                         "locationId": 910}}, self.beta[4])
        self.assertEqual([e["message"] for e in response["errors"]], ["Insufficient beta-level"])
        self.assertEqual(self.snapshot(), before)


    # -- at the same time -------------------------------------------------------------------

    def test_concurrent_creations(self):
        """Sixteen createBox at once all succeed with distinct labels, and sixteen
        createBoxFromBox at once on a box of 5 items take exactly its 5 items: the source is
        read FOR UPDATE (boxtribute checks the items before its three transactions, so each
        call could take one)."""
        create = "mutation ($input: BoxCreationInput) { createBox(creationInput: $input) { labelIdentifier } }"
        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(lambda _: self.answer(create, {"input": {
                "productId": 920, "locationId": 910, "sizeId": self.sizes[0], "numberOfItems": 1}}), range(16)))
        self.assertEqual([a.get("errors") for a in answers], [None] * 16)
        labels = {a["data"]["createBox"]["labelIdentifier"] for a in answers}
        self.assertEqual(len(labels), 16)
        self.assertEqual(int(self.db.scalar("SELECT COUNT(*) FROM stock WHERE box_id IN ('" + "','".join(labels) + "')")), 16)

        source_id, source_label = self.fresh_box("12", items=5)
        take = {"input": {"sourceBoxLabelIdentifier": source_label, "numberOfItems": 1, "locationId": 910}}
        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(lambda _: self.answer(self.FROM_BOX, take), range(16)))
        self.assertEqual([a.get("errors") for a in answers], [None] * 16)
        kinds = sorted(a["data"]["createBoxFromBox"]["__typename"] for a in answers)
        self.assertEqual(kinds, ["Box"] * 5 + ["InvalidNumberOfItemsError"] * 11)
        self.assertEqual(self.box_row(source_id)["items"], "0")
        self.assertEqual(self.db.scalar(f"SELECT SUM(items) FROM stock WHERE source_box_id = {source_id}"), "5")
        self.assertEqual(len(self.history("stock", source_id)), 5)

    # -- the front-end's documents -----------------------------------------------------------

    def test_front_end_documents(self):
        """BoxCreate, BoxEdit and BoxView's documents (tests/queries/mutations/) as the front-end
        sends them: each answers without errors and writes what it asks."""
        data = self.ok(harness.read_query("mutations/CreateBox.graphql"), {
            "locationId": 910, "productId": 920, "sizeId": self.sizes[0], "numberOfItems": 3,
            "comment": "from the form", "tagIds": [930], "newTagNames": [], "qrCode": None})["createBox"]
        label = data["labelIdentifier"]
        self.assertEqual(self.row(f"SELECT items, comments, location_id FROM stock WHERE box_id = '{label}'"),
                         ["3", "from the form", "910"])
        self.ok(harness.read_query("mutations/UpdateContentOfBox.graphql"), {
            "boxLabelIdentifier": label, "productId": 920, "locationId": 910, "numberOfItems": 5,
            "sizeId": self.sizes[1], "comment": "edited", "tagIds": [931], "newTagNames": ["from edit"]})
        self.assertEqual(self.row(f"SELECT items, size_id, comments FROM stock WHERE box_id = '{label}'"),
                         ["5", str(self.sizes[1]), "edited"])
        self.ok(harness.read_query("mutations/UpdateNumberOfItems.graphql"),
                {"boxLabelIdentifier": label, "numberOfItems": 4})
        self.ok(harness.read_query("mutations/UpdateState.graphql"), {"boxLabelIdentifier": label, "newState": "Lost"})
        self.ok(harness.read_query("mutations/UpdateLocationOfBox.graphql"),
                {"boxLabelIdentifier": label, "newLocationId": 911})
        self.assertEqual(self.row(f"SELECT items, box_state_id, location_id FROM stock WHERE box_id = '{label}'"),
                         ["4", "5", "911"])
        data = self.ok(harness.read_query("mutations/CreateBoxFromBox.graphql"), {
            "sourceBoxLabelIdentifier": label, "numberOfItems": 1, "locationId": 910})["createBoxFromBox"]
        self.assertEqual(data["__typename"], "Box")
        self.assertEqual(self.row(f"SELECT items FROM stock WHERE box_id = '{label}'"), ["3"])
        self.assertEqual(self.row(f"SELECT items, location_id FROM stock WHERE box_id = '{data['labelIdentifier']}'"),
                         ["1", "910"])


class OnDepotSchema(BoxMutations, unittest.TestCase):
    """db/ddl.sql with the generator's demo data and the test's rows."""

    @classmethod
    def load(cls, db):
        harness.load_demo(db, boxes=50)


@unittest.skipUnless(os.path.exists(DUMP), f"{DUMP} is absent: boxtribute's dump is not available here")
class OnBoxtributeDump(BoxMutations, unittest.TestCase):
    """boxtribute's own dump (utf8mb3 tables, its column types) with the test's rows."""

    @classmethod
    def load(cls, db):
        db.load_file(DUMP)
        db.load_file(os.path.join(harness.REPO, "db", "indexes.sql"))


if __name__ == "__main__":
    unittest.main()
