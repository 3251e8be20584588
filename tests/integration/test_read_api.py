"""The phase-1 read API beyond ManageBoxes: bases, base (with its locations, tags and
products), organisations, locations, location, tags, tag, product, productCategories,
productCategory, user. Each answer is compared with SQL written here; users of other bases
and organisations get FORBIDDEN or an empty list, as boxtribute answers.
Licensed under the Apache License 2.0.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

NOT_DELETED = "({t}.deleted IS NULL OR {t}.deleted = 0)"


def dt(column):
    return (f"IF({column} IS NULL OR {column} = 0, NULL, "
            f"DATE_FORMAT({column}, '%Y-%m-%dT%H:%i:%s+00:00'))")


class ReadApi(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db, boxes=300)
        cls.keys = harness.Keys(cls.scratch.path)
        cls.token = cls.keys.token()
        cls.god = cls.keys.token(roles=("boxtribute_god",), permissions=["*"], org=1)
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="one",
                                  extra_env=harness.FIXED_POOL)

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

    def test_bases_of_the_user_and_of_god(self):
        """bases: the bases the user may read (base 1), not deleted; god sees every live base;
        includeDeleted adds the deleted ones. Ordered by id."""
        response = self.query(harness.read_query("bases.graphql"))
        self.assertNotIn("errors", response)
        expected = [{"id": r[0], "name": r[1], "organisation": {"id": r[2], "name": r[3], "__typename": "Organisation"},
                     "__typename": "Base"}
                    for r in self.rows("SELECT c.id, c.name, o.id, o.label FROM camps c JOIN organisations o "
                                       "ON o.id = c.organisation_id WHERE c.id = 1 AND "
                                       + NOT_DELETED.format(t="c") + " ORDER BY c.id")]
        self.assertEqual(response["data"]["bases"], expected)
        god = self.query("{ bases { id } }", token=self.god)["data"]["bases"]
        live = [r[0] for r in self.rows("SELECT id FROM camps c WHERE " + NOT_DELETED.format(t="c") + " ORDER BY id")]
        self.assertEqual([b["id"] for b in god], live)
        self.assertGreater(len(live), 1)
        everything = self.query("{ bases(filterInput: {includeDeleted: true}) { id } }", token=self.god)
        self.assertEqual([b["id"] for b in everything["data"]["bases"]],
                         [r[0] for r in self.rows("SELECT id FROM camps ORDER BY id")])

    def test_base_with_locations_tags_products(self):
        """base(id) with the BoxCreate selection: live classic locations, Box tags (Box and All
        types, not deleted) and live products of the base, each ordered by id."""
        response = self.query("""{ base(id: "1") { id name monetaryCurrencyCode
            locations { id name seq defaultBoxState }
            tags(resourceType: Box) { id name color type }
            products { id name gender category { name } } } }""")
        self.assertNotIn("errors", response)
        base = response["data"]["base"]
        states = {1: "InStock", 2: "Lost", 3: "MarkedForShipment", 4: "Receiving", 5: "Donated",
                  6: "Scrap", 7: "InTransit", 8: "NotDelivered"}
        locations = [{"id": r[0], "name": r[1], "seq": int(r[2]) if r[2] is not None else None,
                      "defaultBoxState": states[int(r[3])]}
                     for r in self.rows("SELECT id, label, seq, box_state_id FROM locations WHERE camp_id = 1 "
                                        "AND type = 'Warehouse' AND deleted IS NULL ORDER BY id")]
        self.assertEqual(base["locations"], locations)
        types = {"Stock": "Box", "People": "Beneficiary", "All": "All"}
        tags = [{"id": r[0], "name": r[1], "color": r[2], "type": types[r[3]]}
                for r in self.rows("SELECT id, label, color, type FROM tags t WHERE camp_id = 1 AND "
                                   "type IN ('Stock', 'All') AND " + NOT_DELETED.format(t="t") + " ORDER BY id")]
        self.assertEqual(base["tags"], tags)
        products = self.rows("SELECT p.id, p.name, c.label FROM products p JOIN product_categories c "
                             "ON c.id = p.category_id WHERE p.camp_id = 1 AND "
                             + NOT_DELETED.format(t="p") + " ORDER BY p.id")
        self.assertEqual([(p["id"], p["name"], p["category"]["name"]) for p in base["products"]],
                         [tuple(r) for r in products])
        deleted = int(self.db.scalar("SELECT COUNT(*) FROM products p WHERE camp_id = 1 AND NOT "
                                     + NOT_DELETED.format(t="p")))
        self.assertGreater(deleted, 0, "the demo data has deleted products to leave out")
        with_deleted = self.query('{ base(id: "1") { products(filterInput: {includeDeleted: true}) { id } } }')
        self.assertEqual(len(with_deleted["data"]["base"]["products"]), len(products) + deleted)

    def test_base_of_another_organisation_is_forbidden(self):
        other = self.db.scalar("SELECT MIN(id) FROM camps WHERE organisation_id <> 1")
        response = self.query(f'{{ base(id: "{other}") {{ id name }} }}')
        self.assertIsNone(response["data"]["base"])
        error = response["errors"][0]
        self.assertEqual(error["extensions"]["code"], "FORBIDDEN")
        self.assertEqual(error["extensions"]["description"], f"You don't have access to 'base={other}'")
        self.assertEqual(error["path"], ["base"])

    def test_organisations(self):
        """organisations: those not deleted, by id, as boxtribute lists them; each with its live
        bases; organisation(id) answers a deleted one too (boxtribute's get_by_id)."""
        self.db.sql("INSERT INTO organisations (label, deleted) VALUES ('Gone Org', '2023-12-31 11:22:33')")
        response = self.query("{ organisations { id name bases { id } } }")
        self.assertNotIn("errors", response)
        orgs = self.rows("SELECT id, label FROM organisations o WHERE " + NOT_DELETED.format(t="o") + " ORDER BY id")
        self.assertLess(len(orgs), int(self.db.scalar("SELECT COUNT(*) FROM organisations")))
        self.assertEqual([(o["id"], o["name"]) for o in response["data"]["organisations"]], [tuple(r) for r in orgs])
        for org in response["data"]["organisations"]:
            live = [r[0] for r in self.rows(f"SELECT id FROM camps c WHERE organisation_id = {org['id']} AND "
                                            + NOT_DELETED.format(t="c") + " ORDER BY id")]
            self.assertEqual([b["id"] for b in org["bases"]], live)
        one = self.query('{ organisation(id: "1") { id name } }')["data"]["organisation"]
        self.assertEqual(one, {"id": "1", "name": orgs[0][1]})
        gone = self.db.scalar("SELECT MAX(id) FROM organisations WHERE label = 'Gone Org'")
        self.assertEqual(self.query(f'{{ organisation(id: "{gone}") {{ name }} }}')["data"]["organisation"],
                         {"name": "Gone Org"})

    def test_locations_and_location(self):
        """locations: the classic locations of readable bases (deleted ones too, as boxtribute);
        location(id): one, FORBIDDEN in another base."""
        response = self.query("{ locations { id name base { id } } }")
        expected = [r[0] for r in self.rows("SELECT id FROM locations WHERE camp_id = 1 AND type = 'Warehouse' ORDER BY id")]
        self.assertEqual([loc["id"] for loc in response["data"]["locations"]], expected)
        self.assertTrue(all(loc["base"] == {"id": "1"} for loc in response["data"]["locations"]))
        first = expected[0]
        label = self.db.scalar(f"SELECT label FROM locations WHERE id = {first}")
        self.assertEqual(self.query(f'{{ location(id: "{first}") {{ id name }} }}')["data"]["location"],
                         {"id": first, "name": label})
        foreign = self.db.scalar("SELECT MIN(id) FROM locations WHERE camp_id <> 1 AND type = 'Warehouse'")
        response = self.query(f'{{ location(id: "{foreign}") {{ id }} }}')
        self.assertIsNone(response["data"]["location"])
        self.assertEqual(response["errors"][0]["extensions"]["code"], "FORBIDDEN")

    def test_tags_and_tag(self):
        response = self.query("{ tags { id name type } }")
        expected = [r[0] for r in self.rows("SELECT id FROM tags t WHERE camp_id = 1 AND "
                                            + NOT_DELETED.format(t="t") + " ORDER BY id")]
        self.assertEqual([t["id"] for t in response["data"]["tags"]], expected)
        boxes_only = self.query("{ tags(tagType: Box) { type } }")["data"]["tags"]
        self.assertTrue(boxes_only and all(t["type"] in ("Box", "All") for t in boxes_only))
        tag = expected[0]
        self.assertEqual(self.query(f'{{ tag(id: "{tag}") {{ id }} }}')["data"]["tag"], {"id": tag})
        foreign = self.db.scalar("SELECT MIN(id) FROM tags WHERE camp_id <> 1")
        response = self.query(f'{{ tag(id: "{foreign}") {{ id }} }}')
        self.assertIsNone(response["data"]["tag"])
        self.assertEqual(response["errors"][0]["extensions"]["code"], "FORBIDDEN")

    def test_products_categories_and_user(self):
        product = self.db.scalar("SELECT MIN(id) FROM products WHERE camp_id = 1")
        name = self.db.scalar(f"SELECT name FROM products WHERE id = {product}")
        response = self.query(f'{{ product(id: "{product}") {{ id name base {{ id }} }} }}')
        self.assertEqual(response["data"]["product"], {"id": product, "name": name, "base": {"id": "1"}})
        categories = self.query("{ productCategories { id name hasGender } }")["data"]["productCategories"]
        expected = [{"id": r[0], "name": r[1], "hasGender": r[2] == "12"}
                    for r in self.rows("SELECT id, label, IFNULL(parent_id, 0) FROM product_categories ORDER BY id")]
        self.assertEqual(categories, expected)
        me = self.query("{ user { id name } }")["data"]["user"]
        self.assertEqual(me, {"id": "8", "name": self.db.scalar("SELECT naam FROM cms_users WHERE id = 8")})
        everyone = self.query("{ users { id } }", token=self.god)["data"]["users"]
        self.assertEqual([u["id"] for u in everyone], [r[0] for r in self.rows("SELECT id FROM cms_users ORDER BY id")])
        self.assertEqual(self.query("{ users { id } }")["data"]["users"], [], "only god users list users")

    def test_user_fields_depend_on_caller(self):
        """User.email, organisation and bases as boxtribute answers them: the caller sees their
        own (organisation and bases from the token, bases ordered by id); another user's e-mail
        is FORBIDDEN and their organisation and bases are null; god reads every e-mail, has no
        organisation and sees every base."""
        me_row = self.rows("SELECT u.email, o.id, o.label FROM cms_users u, organisations o "
                           "WHERE u.id = 8 AND o.id = 1")[0]
        bases = {r[0]: r[1] for r in self.rows("SELECT id, name FROM camps")}
        fields = "{ id email organisation { id name } bases { id name } }"
        me = self.query("{ user " + fields + " }")
        self.assertNotIn("errors", me)
        self.assertEqual(me["data"]["user"], {"id": "8", "email": me_row[0],
                                              "organisation": {"id": me_row[1], "name": me_row[2]},
                                              "bases": [{"id": "1", "name": bases["1"]}]})
        # The caller's organisation answers its own relations: every live base of it (boxtribute's
        # Organisation.bases), and each base of User.bases its organisation, also beside a root
        # field that loads the same organisation with another selection.
        org_bases = [{"id": r[0], "name": r[1]} for r in self.rows(
            "SELECT id, name FROM camps c WHERE organisation_id = 1 AND " + NOT_DELETED.format(t="c") + " ORDER BY id")]
        self.assertGreater(len(org_bases), 0)
        for text in ("{ user { organisation { id bases { id name } } bases { id organisation { id name } } } }",
                     "{ organisations { id } user { organisation { id bases { id name } } "
                     "bases { id organisation { id name } } } }"):
            nested = self.query(text)
            self.assertNotIn("errors", nested)
            self.assertEqual(nested["data"]["user"], {
                "organisation": {"id": "1", "bases": org_bases},
                "bases": [{"id": "1", "organisation": {"id": me_row[1], "name": me_row[2]}}]})
        # Bases come out ordered by id whatever order the token lists them in.
        two = self.keys.token(base_ids=(2, 1), permissions=["base_2/base:read", "base_1/base:read",
                                                            "base_1/user:read"])
        self.assertEqual(self.query("{ user { bases { id name } } }", token=two)["data"]["user"]["bases"],
                         [{"id": "1", "name": bases["1"]}, {"id": "2", "name": bases["2"]}])

        other_row = self.rows("SELECT naam, email FROM cms_users WHERE id = 3")[0]
        other = self.query('{ user(id: "3") { id name email organisation { id } bases { id } } }')
        self.assertEqual(other["data"]["user"], {"id": "3", "name": other_row[0], "email": None,
                                                 "organisation": None, "bases": None})
        self.assertEqual(len(other["errors"]), 1)
        self.assertEqual(other["errors"][0]["path"], ["user", "email"])
        self.assertEqual(other["errors"][0]["extensions"],
                         {"code": "FORBIDDEN", "description": "You don't have access to 'user=3'"})

        god_other = self.query('{ user(id: "3") { email organisation { id } bases { id } } }', token=self.god)
        self.assertNotIn("errors", god_other)
        self.assertEqual(god_other["data"]["user"], {"email": other_row[1], "organisation": None, "bases": None})
        god_self = self.query("{ user { organisation { id } bases { id } } }", token=self.god)
        self.assertNotIn("errors", god_self)
        self.assertEqual(god_self["data"]["user"], {
            "organisation": None, "bases": [{"id": r[0]} for r in self.rows("SELECT id FROM camps ORDER BY id")]})

    def test_box_by_label(self):
        """box(labelIdentifier): the box with its product and location; a box of another base
        is FORBIDDEN (base=N); an unknown label is BAD_USER_INPUT."""
        row = self.rows("SELECT s.id, s.box_id, s.items, p.name, l.label FROM stock s "
                        "JOIN locations l ON l.id = s.location_id JOIN products p ON p.id = s.product_id "
                        "WHERE l.camp_id = 1 ORDER BY s.id LIMIT 1")[0]
        response = self.query("query($label: String!) { box(labelIdentifier: $label) { id labelIdentifier "
                              "numberOfItems product { name } location { name } } }",
                              variables={"label": row[1]})
        self.assertNotIn("errors", response)
        self.assertEqual(response["data"]["box"], {
            "id": row[0], "labelIdentifier": row[1], "numberOfItems": int(row[2]) if row[2] else None,
            "product": {"name": row[3]}, "location": {"name": row[4]}})
        other = self.rows("SELECT s.box_id, l.camp_id FROM stock s JOIN locations l ON l.id = s.location_id "
                          "WHERE l.camp_id <> 1 ORDER BY s.id LIMIT 1")[0]
        response = self.query(f'{{ box(labelIdentifier: "{other[0]}") {{ id }} }}')
        self.assertIsNone(response["data"]["box"])
        self.assertEqual(response["errors"][0]["extensions"],
                         {"code": "FORBIDDEN", "description": f"You don't have access to 'base={other[1]}'"})
        response = self.query('{ box(labelIdentifier: "no-such-box") { id } }')
        self.assertIsNone(response["data"]["box"])
        self.assertEqual(response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT")
        self.assertEqual(response["errors"][0]["path"], ["box"])
        # A hostile label is a value, never SQL.
        response = self.query('{ box(labelIdentifier: "x\' OR \'1\'=\'1") { id } }')
        self.assertEqual(response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT")

    def test_four_byte_label_on_utf8mb4(self):
        """On Depot's own schema (utf8mb4) a label with a four-byte character is an ordinary
        key: unknown, it answers exactly as any unknown label; carried by a box, it finds the
        box (the column's character set is read from the database, not assumed)."""
        self.assertEqual(self.rows("SELECT CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE "
                                   "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'stock' "
                                   "AND COLUMN_NAME = 'box_id'")[0][0], "utf8mb4")
        query = "query($l: String!) { box(labelIdentifier: $l) { id labelIdentifier } }"

        def answer(label):
            response = self.query(query, variables={"l": label})
            response.pop("extensions", None)
            return response
        self.assertEqual(self.rows("SELECT COUNT(*) FROM stock WHERE box_id IN ('no-such-box', '\U0001F4E6')"),
                         [["0"]])
        unknown = answer("no-such-box")
        self.assertEqual(unknown["errors"][0]["extensions"]["code"], "BAD_USER_INPUT")
        self.assertEqual(answer("\U0001F4E6"), unknown)
        box_id, label = self.rows("SELECT s.id, s.box_id FROM stock s JOIN locations l ON l.id = s.location_id "
                                  "WHERE l.camp_id = 1 ORDER BY s.id LIMIT 1")[0]
        self.db.sql(f"UPDATE stock SET box_id = '\U0001F4E6' WHERE id = {box_id}")
        try:
            self.assertEqual(answer("\U0001F4E6"), {"data": {"box": {"id": box_id, "labelIdentifier": "\U0001F4E6"}}})
        finally:
            self.db.sql(f"UPDATE stock SET box_id = '{label}' WHERE id = {box_id}")

    def expected_history(self, box_id):
        """Box.history computed here from the raw tables with boxtribute's wording."""
        names = {
            "location_id": ("changed box location from {} to {}", "SELECT label FROM locations WHERE id = {}"),
            "product_id": ("changed product type from {} to {}", "SELECT name FROM products WHERE id = {}"),
            "size_id": ("changed size from {} to {}", "SELECT label FROM sizes WHERE id = {}"),
            "display_unit_id": ("changed unit from {} to {}", "SELECT symbol FROM units WHERE id = {}"),
            "box_state_id": ("changed box state from {} to {}", "SELECT label FROM box_state WHERE id = {}"),
        }
        entries = []
        for hid, date, user, changes, old, new in self.rows(
                f"SELECT id, {dt('changedate')}, user_id, changes, from_int, to_int FROM history "
                f"WHERE tablename = 'stock' AND record_id = {box_id}"):
            if changes in names:
                text, lookup = names[changes]
                message = text.format(self.db.scalar(lookup.format(old)), self.db.scalar(lookup.format(new)))
            elif changes == "items":
                message = f"changed the number of items from {old} to {new}"
            elif changes.startswith("comments"):
                message = changes.replace("comments changed", "changed comments")
            elif changes.startswith("Record"):
                message = changes[7:] + " box"
            elif changes == "New Qr-code assigned by pdf generation.":
                message = "created QR code label for box"
            else:
                message = changes
            entries.append((date, 0, -int(hid), hid, user, message))
        created = self.db.scalar(f"SELECT {dt('created')} FROM stock WHERE id = {box_id}")
        for rid, on, by, off, off_by, label in self.rows(
                f"SELECT tr.id, {dt('tr.created_on')}, tr.created_by_id, {dt('tr.deleted_on')}, tr.deleted_by_id, "
                f"t.label FROM tags_relations tr JOIN tags t ON t.id = tr.tag_id "
                f"WHERE tr.object_type = 'Stock' AND tr.object_id = {box_id}"):
            if on is not None and created is not None and on != created:
                entries.append((on, 1, int(rid), f"ta{rid}", by, f"assigned tag '{label}' to box"))
            if off is not None:
                entries.append((off, 2, int(rid), f"tr{rid}", off_by, f"removed tag '{label}' from box"))
        entries.sort(key=lambda e: (e[1], e[2]))
        entries.sort(key=lambda e: e[0] or "", reverse=True)
        return [{"id": e[3], "changes": e[5], "changeDate": e[0], "user": {"id": e[4]} if e[4] else None}
                for e in entries]

    def test_box_history(self):
        """Box.history: readable messages for history rows and tag changes, newest first, for
        every box of a page, in one statement."""
        boxes = self.rows("SELECT s.id, s.box_id FROM stock s JOIN locations l ON l.id = s.location_id "
                          "WHERE l.camp_id = 1 ORDER BY (SELECT COUNT(*) FROM tags_relations tr WHERE "
                          "tr.object_id = s.id AND tr.deleted_on IS NOT NULL) DESC, s.id LIMIT 20")
        query = "query($l: String!) { box(labelIdentifier: $l) { history { id changes changeDate user { id } } } }"
        kinds = set()
        for box_id, label in boxes:
            response = self.query(query, variables={"l": label})
            self.assertNotIn("errors", response)
            history = response["data"]["box"]["history"]
            self.assertEqual(history, self.expected_history(box_id), f"box {label}")
            kinds |= {h["id"][:2] for h in history if not h["id"].isdigit()} | (
                {"history"} if any(h["id"].isdigit() for h in history) else set())
        self.assertEqual(kinds, {"history", "ta", "tr"}, "the sample covers every kind of entry")
        page = self.query('{ boxes(baseId: "1", paginationInput: {first: 100}) { elements { history { id } } } }')
        self.assertLessEqual(page["extensions"]["debug"]["sqlStatements"], 4)

    def test_box_history_rewrites(self):
        """Every rewrite boxtribute's HistoryForBoxLoader applies to a history row's text, on
        rows written here for a box of their own: the texts expected are boxtribute's, the
        names those of the rows the ids point to."""
        box = self.rows("SELECT s.id, s.box_id FROM stock s JOIN locations l ON l.id = s.location_id "
                        "WHERE l.camp_id = 1 AND s.display_unit_id IS NULL ORDER BY s.id LIMIT 1")[0]
        new_id = int(self.db.scalar("SELECT MAX(id) + 1 FROM stock"))
        self.db.sql(f"INSERT INTO stock (id, box_id, product_id, size_id, items, location_id, box_state_id, created, "
                    f"modified) SELECT {new_id}, 'HISTORY1', product_id, size_id, items, location_id, 1, "
                    f"'2024-01-01 08:00:00', modified FROM stock WHERE id = {box[0]}")
        name = lambda sql: self.db.scalar(sql)  # noqa: E731
        loc = [r[0] for r in self.rows("SELECT id FROM locations WHERE camp_id = 1 ORDER BY id LIMIT 2")]
        prod = [r[0] for r in self.rows("SELECT id FROM products WHERE camp_id = 1 ORDER BY id LIMIT 2")]
        size = [r[0] for r in self.rows("SELECT id FROM sizes ORDER BY id LIMIT 2")]
        unit = [r[0] for r in self.rows("SELECT id FROM units ORDER BY id LIMIT 2")]
        rows = [  # (changes, from_int, to_int, the text boxtribute shows)
            ("Record created", None, None, "created box"),
            ("New Qr-code assigned by pdf generation.", None, None, "created QR code label for box"),
            ("location_id", loc[0], loc[1], "changed box location from {} to {}".format(
                name(f"SELECT label FROM locations WHERE id = {loc[0]}"), name(f"SELECT label FROM locations WHERE id = {loc[1]}"))),
            ("product_id", prod[0], prod[1], "changed product type from {} to {}".format(
                name(f"SELECT name FROM products WHERE id = {prod[0]}"), name(f"SELECT name FROM products WHERE id = {prod[1]}"))),
            ("size_id", size[0], size[1], "changed size from {} to {}".format(
                name(f"SELECT label FROM sizes WHERE id = {size[0]}"), name(f"SELECT label FROM sizes WHERE id = {size[1]}"))),
            ("display_unit_id", unit[0], unit[1], "changed unit from {} to {}".format(
                name(f"SELECT symbol FROM units WHERE id = {unit[0]}"), name(f"SELECT symbol FROM units WHERE id = {unit[1]}"))),
            ("box_state_id", 1, 3, "changed box state from {} to {}".format(
                name("SELECT label FROM box_state WHERE id = 1"), name("SELECT label FROM box_state WHERE id = 3"))),
            ("items", 12, 7, "changed the number of items from 12 to 7"),
            ('comments changed from "old" to "new";', None, None, 'changed comments from "old" to "new";'),
            ("box_id changed", None, None, "box_id changed"),
            ("Record deleted", None, None, "deleted box"),
        ]
        for minute, (changes, old, new, _) in enumerate(rows):
            self.db.sql("INSERT INTO history (tablename, record_id, changes, user_id, changedate, from_int, to_int) "
                        f"VALUES ('stock', {new_id}, '{changes}', 1, '2024-01-01 09:{minute:02d}:00', "
                        f"{'NULL' if old is None else old}, {'NULL' if new is None else new})")
        response = self.query('{ box(labelIdentifier: "HISTORY1") { history { changes changeDate } } }')
        self.assertNotIn("errors", response)
        self.assertEqual(response["data"]["box"]["history"],
                         [{"changes": text, "changeDate": f"2024-01-01T09:{minute:02d}:00+00:00"}
                          for minute, (_, _, _, text) in reversed(list(enumerate(rows)))])
        # A name that is missing makes boxtribute's CONCAT, and so the non-null text, null:
        # an error on the newest entry, and no history.
        for old, new in [(loc[0], 987654321), (None, size[1])]:
            changes = "location_id" if new == 987654321 else "size_id"
            self.db.sql("INSERT INTO history (tablename, record_id, changes, user_id, changedate, from_int, to_int) "
                        f"VALUES ('stock', {new_id}, '{changes}', 1, '2024-01-01 10:00:00', "
                        f"{'NULL' if old is None else old}, {new})")
            response = self.query('{ box(labelIdentifier: "HISTORY1") { history { changes changeDate } } }')
            self.assertIsNone(response["data"]["box"]["history"], changes)
            self.assertEqual([e["path"] for e in response["errors"]], [["box", "history", 0, "changes"]])
            self.db.sql(f"DELETE FROM history WHERE record_id = {new_id} AND changedate = '2024-01-01 10:00:00'")
        # A box without a creation date: boxtribute compares each tag relation's date with
        # it by <>, so none of its tag assignments is history (a removal still is).
        self.db.sql(f"UPDATE stock SET created = NULL WHERE id = {new_id}; DELETE FROM history WHERE record_id = {new_id};"
                    "INSERT INTO tags_relations (tag_id, object_type, object_id, created_on, created_by_id, deleted_on, "
                    f"deleted_by_id) SELECT id, 'Stock', {new_id}, '2024-02-01 10:00:00', 1, NULL, NULL FROM tags "
                    "WHERE camp_id = 1 ORDER BY id LIMIT 2;"
                    f"UPDATE tags_relations SET deleted_on = '2024-02-02 10:00:00', deleted_by_id = 1 WHERE object_id = {new_id} "
                    "AND object_type = 'Stock' ORDER BY id LIMIT 1")
        removed = self.db.scalar(f"SELECT t.label FROM tags_relations r JOIN tags t ON t.id = r.tag_id "
                                 f"WHERE r.object_id = {new_id} AND r.object_type = 'Stock' AND r.deleted_on IS NOT NULL")
        response = self.query('{ box(labelIdentifier: "HISTORY1") { history { changes changeDate } } }')
        self.assertEqual(response["data"]["box"]["history"],
                         [{"changes": f"removed tag '{removed}' from box", "changeDate": "2024-02-02T10:00:00+00:00"}])

    def test_shipments(self):
        """shipments: those leaving or reaching a base the user may read, by id, filtered by
        state; shipment(id) with its details and direction; a shipment between two other
        bases is FORBIDDEN."""
        query = """query($states: [ShipmentState!]) { shipments(states: $states) { id labelIdentifier state
                   direction(baseId: "1") sourceBase { id } targetBase { id } details { id box { id } } } }"""
        response = self.query(query)
        self.assertNotIn("errors", response)
        rows = self.rows("SELECT s.id, s.state, s.source_base_id, s.target_base_id, CONCAT('S', "
                         "RIGHT(LPAD(s.id, 3, '0'), 3), '-', DATE_FORMAT(s.started_on, '%y%m%d'), '-', "
                         "UPPER(LEFT(a.name, 2)), 'x', UPPER(LEFT(b.name, 2))) FROM shipment s "
                         "JOIN camps a ON a.id = s.source_base_id JOIN camps b ON b.id = s.target_base_id "
                         "WHERE s.source_base_id = 1 OR s.target_base_id = 1 ORDER BY s.id")
        self.assertGreater(len(rows), 1)
        got = response["data"]["shipments"]
        self.assertEqual([(s["id"], s["state"], s["sourceBase"]["id"], s["targetBase"]["id"], s["labelIdentifier"])
                          for s in got], [tuple(r[:4]) + (r[4],) for r in rows])
        for s, r in zip(got, rows):
            self.assertEqual(s["direction"], "Outgoing" if r[2] == "1" else "Incoming")
            details = [d[0] for d in self.rows(f"SELECT id FROM shipment_detail WHERE shipment_id = {r[0]} ORDER BY id")]
            self.assertEqual([d["id"] for d in s["details"]], details)
        state = rows[0][1]
        only = self.query(query, variables={"states": [state]})["data"]["shipments"]
        self.assertEqual([s["id"] for s in only], [r[0] for r in rows if r[1] == state])
        one = self.query(f'{{ shipment(id: "{rows[0][0]}") {{ id state }} }}')["data"]["shipment"]
        self.assertEqual(one, {"id": rows[0][0], "state": rows[0][1]})
        foreign = self.db.scalar("SELECT MIN(id) FROM shipment WHERE source_base_id <> 1 AND target_base_id <> 1")
        if foreign:
            response = self.query(f'{{ shipment(id: "{foreign}") {{ id }} }}')
            self.assertIsNone(response["data"]["shipment"])
            self.assertEqual(response["errors"][0]["extensions"]["code"], "FORBIDDEN")
        god = self.query("{ shipments { id } }", token=self.god)["data"]["shipments"]
        self.assertEqual([s["id"] for s in god], [r[0] for r in self.rows("SELECT id FROM shipment ORDER BY id")])

    def test_shipments_between_two_bases_of_the_user(self):
        """shipments for a user of two bases: a shipment from one to the other is named by both
        (one statement reads the shipments of either side of every base), and answers once."""
        new_id = self.db.scalar(
            "INSERT INTO shipment (source_base_id, target_base_id, transfer_agreement_id, state, started_on, "
            "started_by_id) SELECT 1, 2, transfer_agreement_id, 'Preparing', started_on, started_by_id "
            "FROM shipment ORDER BY id LIMIT 1; SELECT LAST_INSERT_ID()")
        try:
            token = self.keys.token(base_ids=(1, 2), permissions=[f"base_{b}/{r}:read" for b in (1, 2)
                                                                   for r in harness.RESOURCES])
            response = self.query("{ shipments { id sourceBase { id } targetBase { id } } }", token=token)
            self.assertNotIn("errors", response)
            expected = [{"id": r[0], "sourceBase": {"id": r[1]}, "targetBase": {"id": r[2]}} for r in self.rows(
                "SELECT id, source_base_id, target_base_id FROM shipment "
                "WHERE source_base_id IN (1, 2) OR target_base_id IN (1, 2) ORDER BY id")]
            self.assertIn({"id": new_id, "sourceBase": {"id": "1"}, "targetBase": {"id": "2"}}, expected)
            self.assertEqual(response["data"]["shipments"], expected)
        finally:
            self.db.sql(f"DELETE FROM shipment WHERE id = {new_id}")

    def test_counts(self):
        """Product.instockItemsCount/transferItemsCount and Base.instockBoxesCount/
        instockItemsCount: sums over boxes that are not deleted; 0 when there are none; one
        statement for all products of a base."""
        response = self.query('{ base(id: "1") { instockBoxesCount instockItemsCount '
                              'products { id instockItemsCount transferItemsCount } } }')
        self.assertNotIn("errors", response)
        base = response["data"]["base"]
        live = "(s.deleted IS NULL OR s.deleted = 0)"
        boxes, items = self.rows(f"SELECT COUNT(*), COALESCE(SUM(s.items), 0) FROM stock s JOIN locations l "
                                 f"ON l.id = s.location_id WHERE l.camp_id = 1 AND s.box_state_id = 1 AND {live}")[0]
        self.assertEqual((base["instockBoxesCount"], base["instockItemsCount"]), (int(boxes), int(items)))
        sums = {r[0]: (int(r[1]), int(r[2])) for r in self.rows(
            f"SELECT p.id, COALESCE(SUM(CASE WHEN s.box_state_id = 1 THEN s.items END), 0), "
            f"COALESCE(SUM(CASE WHEN s.box_state_id IN (3, 4, 7) THEN s.items END), 0) FROM products p "
            f"LEFT JOIN stock s ON s.product_id = p.id AND {live} WHERE p.camp_id = 1 GROUP BY p.id")}
        for product in base["products"]:
            self.assertEqual((product["instockItemsCount"], product["transferItemsCount"]), sums[product["id"]])
        self.assertTrue(any(p["instockItemsCount"] == 0 for p in base["products"]) or
                        all(v[0] > 0 for v in sums.values()))
        self.assertTrue(any(v[1] > 0 for v in sums.values()), "some items are in transfer")

    def test_size_ranges(self):
        """sizeRanges with their sizes (in the range's order) and units; Product.sizeRange."""
        response = self.query("{ sizeRanges { id name label sizes { id label } units { id symbol } } }")
        self.assertNotIn("errors", response)
        ranges = response["data"]["sizeRanges"]
        self.assertEqual([r["id"] for r in ranges], [r[0] for r in self.rows("SELECT id FROM sizegroup ORDER BY id")])
        for r in ranges:
            sizes = self.rows(f"SELECT s.id, s.label FROM sizes_sizegroup g JOIN sizes s ON s.id = g.size_id "
                              f"WHERE g.sizegroup_id = {r['id']} ORDER BY g.seq, s.id")
            self.assertEqual([(s["id"], s["label"]) for s in r["sizes"]], [tuple(x) for x in sizes])
            units = self.rows(f"SELECT id, symbol FROM units WHERE dimension_id = {r['id']} ORDER BY id")
            self.assertEqual([(u["id"], u["symbol"]) for u in r["units"]], [tuple(x) for x in units])
            self.assertEqual(r["name"], r["label"])
        self.assertTrue(any(r["units"] for r in ranges), "the Mass/Volume dimensions have units")
        product = self.db.scalar("SELECT MIN(id) FROM products WHERE camp_id = 1")
        expected = self.db.scalar(f"SELECT sizegroup_id FROM products WHERE id = {product}")
        got = self.query(f'{{ product(id: "{product}") {{ sizeRange {{ id }} }} }}')["data"]["product"]
        self.assertEqual(got, {"sizeRange": {"id": expected}})

    def test_products_pages(self):
        """products(baseId, paginationInput): the readable bases' products by id (deleted ones
        too), cut into pages with boxtribute's cursors; walking with first/after visits each
        once; last/before walks back; another base gives an empty page."""
        ids = [r[0] for r in self.rows("SELECT id FROM products WHERE camp_id = 1 ORDER BY id")]
        query = """query($after: String, $first: Int, $last: Int, $before: String) {
            products(baseId: "1", paginationInput: {first: $first, after: $after, last: $last, before: $before}) {
              totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } elements { id } } }"""
        seen, after = [], None
        while True:
            page = self.query(query, variables={"first": 30, "after": after})["data"]["products"]
            self.assertEqual(page["totalCount"], len(ids))
            self.assertEqual(page["pageInfo"]["hasPreviousPage"], bool(seen))
            seen += [p["id"] for p in page["elements"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        self.assertEqual(seen, ids)
        first = self.query(query, variables={"first": 1})["data"]["products"]
        import base64
        self.assertEqual(base64.b64decode(first["pageInfo"]["startCursor"]).decode(), f"{int(ids[0]):08d}")
        back = self.query(query, variables={"last": 5, "before": after})["data"]["products"]
        before_id = int(base64.b64decode(after).decode())
        self.assertEqual([p["id"] for p in back["elements"]], [i for i in ids if int(i) < before_id][-5:])
        other = self.query('{ products(baseId: "2") { totalCount elements { id } } }')["data"]["products"]
        self.assertEqual(other, {"totalCount": 0, "elements": []})
        default = self.query('{ products { elements { id } } }')["data"]["products"]["elements"]
        self.assertEqual([p["id"] for p in default], ids[:50])

    def test_transfer_agreements(self):
        """transferAgreements: those linking a base the user may read (source or target side of
        a detail), by id, filtered by state; their organisations, bases and shipments;
        transferAgreement(id) answers one of them and FORBIDDEN for others."""
        rows = self.rows("SELECT DISTINCT a.id, a.state, a.type, a.source_organisation_id, "
                         "a.target_organisation_id FROM transfer_agreement a JOIN transfer_agreement_detail d "
                         "ON d.transfer_agreement_id = a.id WHERE d.source_base_id = 1 OR d.target_base_id = 1 "
                         "ORDER BY a.id")
        self.assertTrue(rows, "the demo data links base 1 by an agreement")
        response = self.query("""{ transferAgreements { id state type sourceOrganisation { id } targetOrganisation { id }
                                 sourceBases { id } targetBases { id } shipments { id } } }""")
        self.assertNotIn("errors", response)
        got = response["data"]["transferAgreements"]
        self.assertEqual([(a["id"], a["state"], a["type"], a["sourceOrganisation"]["id"], a["targetOrganisation"]["id"])
                          for a in got], [tuple(r) for r in rows])
        for a in got:
            sources = [r[0] for r in self.rows(f"SELECT DISTINCT c.id FROM transfer_agreement_detail d JOIN camps c "
                                               f"ON c.id = d.source_base_id WHERE d.transfer_agreement_id = {a['id']} "
                                               f"AND (c.deleted IS NULL OR c.deleted = 0) ORDER BY c.id")]
            self.assertEqual([b["id"] for b in a["sourceBases"]], sources)
            shipments = [r[0] for r in self.rows(f"SELECT id FROM shipment WHERE transfer_agreement_id = {a['id']} "
                                                 f"AND (source_base_id = 1 OR target_base_id = 1) ORDER BY id")]
            self.assertEqual([s["id"] for s in a["shipments"]], shipments)
        one = self.query(f'{{ transferAgreement(id: "{rows[0][0]}") {{ id state }} }}')["data"]["transferAgreement"]
        self.assertEqual(one, {"id": rows[0][0], "state": rows[0][1]})
        other = self.db.scalar("SELECT MIN(a.id) FROM transfer_agreement a WHERE NOT EXISTS (SELECT 1 FROM "
                               "transfer_agreement_detail d WHERE d.transfer_agreement_id = a.id AND "
                               "(d.source_base_id = 1 OR d.target_base_id = 1))")
        if other:
            refused = self.query(f'{{ transferAgreement(id: "{other}") {{ id }} }}')
            self.assertIsNone(refused["data"]["transferAgreement"])
            self.assertEqual(refused["errors"][0]["extensions"]["code"], "FORBIDDEN")
        state = rows[0][1]
        only = self.query(f"{{ transferAgreements(states: [{state}]) {{ id }} }}")["data"]["transferAgreements"]
        self.assertEqual([a["id"] for a in only], [r[0] for r in rows if r[1] == state])
        shipment = self.query('{ shipments { id transferAgreement { id } } }')["data"]["shipments"]
        linked = {r[0]: r[1] for r in self.rows("SELECT id, transfer_agreement_id FROM shipment")}
        self.assertTrue(all((s["transferAgreement"] or {}).get("id") == linked[s["id"]] for s in shipment))

    def test_distribution_events(self):
        """The distribution fields BoxView reads: Box.distributionEvent, the base's events
        before and in return from distribution, its spots; rows written by this test."""
        self.db.sql("INSERT INTO locations (id, label, camp_id, type, description, latitude, longitude, box_state_id) "
                    "VALUES (9001, 'Spot A', 1, 'MapDistroSpot', 'By the gate', 51.5, -0.12, 1)")
        events = [(9101, "Planning"), (9102, "OnDistro"), (9103, "ReturnedFromDistribution"),
                  (9104, "Completed"), (9105, "Packing")]
        for event_id, state in events:
            self.db.sql(f"INSERT INTO distro_events (id, name, planned_start_date_time, planned_end_date_time, "
                        f"location_id, state, created_on) VALUES ({event_id}, 'Event {event_id}', "
                        f"'2025-05-01 10:00:00', '2025-05-01 14:00:00', 9001, '{state}', NOW())")
        self.db.sql("UPDATE distro_events SET deleted_on = NOW() WHERE id = 9105")
        box_id, label = self.rows("SELECT s.id, s.box_id FROM stock s JOIN locations l ON l.id = s.location_id "
                                  "WHERE l.camp_id = 1 ORDER BY s.id LIMIT 1")[0]
        self.db.sql(f"UPDATE stock SET distro_event_id = 9102 WHERE id = {box_id}")
        try:
            response = self.query("""query($l: String!) { box(labelIdentifier: $l) {
                distributionEvent { id name state plannedStartDateTime distributionSpot { id name comment latitude longitude } }
                location { base { distributionEventsBeforeReturnedFromDistributionState { id state }
                                  distributionEventsInReturnedFromDistributionState { id }
                                  distributionEvents(states: [Completed]) { id }
                                  distributionSpots { id distributionEvents { id } } } } } }""",
                                  variables={"l": label})
            self.assertNotIn("errors", response)
            box = response["data"]["box"]
            self.assertEqual(box["distributionEvent"], {
                "id": "9102", "name": "Event 9102", "state": "OnDistro",
                "plannedStartDateTime": "2025-05-01T10:00:00+00:00",
                "distributionSpot": {"id": "9001", "name": "Spot A", "comment": "By the gate",
                                     "latitude": 51.5, "longitude": -0.12}})
            base = box["location"]["base"]
            def events(states):
                return [r[0] for r in self.rows(
                    "SELECT e.id FROM distro_events e JOIN locations l ON l.id = e.location_id WHERE l.camp_id = 1 "
                    f"AND e.deleted_on IS NULL AND e.state IN ({states}) ORDER BY e.id")]
            before = base["distributionEventsBeforeReturnedFromDistributionState"]
            self.assertEqual([e["id"] for e in before], events("'Planning', 'Packing', 'OnDistro'"))
            self.assertIn({"id": "9102", "state": "OnDistro"}, before)
            self.assertNotIn("9105", [e["id"] for e in before], "deleted events are left out")
            self.assertEqual([e["id"] for e in base["distributionEventsInReturnedFromDistributionState"]],
                             events("'ReturnedFromDistribution'"))
            self.assertEqual([e["id"] for e in base["distributionEvents"]], events("'Completed'"))
            spots = [s["id"] for s in base["distributionSpots"]]
            self.assertEqual(spots, [r[0] for r in self.rows(
                "SELECT id FROM locations WHERE camp_id = 1 AND type = 'MapDistroSpot' ORDER BY id")])
            spot = [s for s in base["distributionSpots"] if s["id"] == "9001"][0]
            self.assertEqual([e["id"] for e in spot["distributionEvents"]], ["9101", "9102", "9103", "9104"])
        finally:
            self.db.sql(f"UPDATE stock SET distro_event_id = NULL WHERE id = {box_id}")
            self.db.sql("DELETE FROM distro_events WHERE id BETWEEN 9101 AND 9105")
            self.db.sql("DELETE FROM locations WHERE id = 9001")

    def test_null_propagation_and_abstract_types(self):
        """Spec 6.4.4: a FORBIDDEN non-null field (Tag.base without base:read) nulls its Tag, and
        since Box.tags is [Tag!] the whole list becomes null, with one error per failed field at
        its path; the box and its other fields stay. Fragments on an interface pick the
        concrete type's fields."""
        permissions = [f"base_1/{r}:read" for r in harness.RESOURCES if r != "base"]
        token = self.keys.token(permissions=permissions)
        response = self.query("""{ boxes(baseId: "1", paginationInput: {first: 20}) { elements {
                labelIdentifier tags { id base { id } }
                location { __typename ... on ClassicLocation { isShop } ... on DistributionSpot { latitude } } } } }""",
                              token=token)
        boxes = response["data"]["boxes"]["elements"]
        self.assertEqual(len(boxes), 20)
        tagged = [i for i, b in enumerate(boxes) if b["tags"] is None]
        expected_tagged = [i for i, r in enumerate(self.rows(
            "SELECT (SELECT COUNT(*) FROM tags_relations tr JOIN tags t ON t.id = tr.tag_id WHERE tr.object_type = 'Stock' "
            "AND tr.object_id = s.id AND tr.deleted_on IS NULL AND (t.deleted IS NULL OR t.deleted = 0)) "
            "FROM stock s JOIN locations l ON l.id = s.location_id WHERE l.camp_id = 1 AND (s.deleted IS NULL OR s.deleted = 0) "
            "ORDER BY s.modified DESC, s.id DESC LIMIT 20")) if int(r[0]) > 0]
        self.assertEqual(tagged, expected_tagged)
        self.assertTrue(tagged, "some of the 20 boxes have tags")
        self.assertTrue(all(b["tags"] == [] for i, b in enumerate(boxes) if i not in tagged))
        paths = [e["path"] for e in response["errors"]]
        self.assertTrue(all(p[:3] == ["boxes", "elements", p[2]] and p[3] == "tags" and p[5] == "base" for p in paths))
        self.assertEqual(sorted({p[2] for p in paths}), tagged)
        self.assertTrue(all(e["extensions"]["code"] == "FORBIDDEN" for e in response["errors"]))
        for b in boxes:
            self.assertEqual(b["location"]["__typename"], "ClassicLocation")
            self.assertIn("isShop", b["location"])
            self.assertNotIn("latitude", b["location"])

    def test_every_box_filter(self):
        """Every FilterBoxInput field alone, and combined, against SQL written here; the
        statements do not depend on the filter."""
        base = "FROM stock s JOIN locations l ON l.id = s.location_id JOIN products p ON p.id = s.product_id " \
               "WHERE l.camp_id = 1 AND (s.deleted IS NULL OR s.deleted = 0)"
        one = lambda sql: self.db.scalar(sql)  # noqa: E731
        product = one(f"SELECT s.product_id {base} GROUP BY s.product_id ORDER BY COUNT(*) DESC LIMIT 1")
        product2 = one(f"SELECT s.product_id {base} AND s.product_id <> {product} GROUP BY s.product_id "
                       f"ORDER BY COUNT(*) DESC LIMIT 1")
        category = one(f"SELECT p.category_id {base} GROUP BY p.category_id ORDER BY COUNT(*) DESC LIMIT 1")
        size = one(f"SELECT s.size_id {base} AND s.size_id IS NOT NULL GROUP BY s.size_id ORDER BY COUNT(*) DESC LIMIT 1")
        location = one(f"SELECT s.location_id {base} GROUP BY s.location_id ORDER BY COUNT(*) DESC LIMIT 1")
        tag = one("SELECT tag_id FROM tags_relations WHERE object_type = 'Stock' AND deleted_on IS NULL "
                  "GROUP BY tag_id ORDER BY COUNT(*) DESC LIMIT 1")
        middle = one(f"SELECT DATE(s.modified) {base} AND s.modified IS NOT NULL ORDER BY s.modified LIMIT 1 "
                     f"OFFSET {int(one(f'SELECT COUNT(*) {base} AND s.modified IS NOT NULL')) // 2}")
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
            ({"productIds": [int(product), int(product2)]}, f"s.product_id IN ({product}, {product2})"),
            ({"sizeId": int(size)}, f"s.size_id = {size}"),
            ({"tagIds": [int(tag)]}, has_tag.format(tag)),
            ({"locationIds": [int(location)]}, f"s.location_id = {location}"),
            ({"states": ["InStock"], "productGenders": ["Women", "Men"], "tagIds": [int(tag)],
              "lastModifiedFrom": middle},
             f"s.box_state_id = 1 AND p.gender_id IN (1, 2) AND {has_tag.format(tag)} AND s.modified >= '{middle}'"),
        ]
        query = """query($f: FilterBoxInput) { boxes(baseId: "1", filterInput: $f, paginationInput: {first: 100000}) {
                     totalCount elements { id } } }"""
        counts = set()
        for filter_input, where in cases:
            with self.subTest(filter=filter_input):
                expected = [r[0] for r in self.rows(f"SELECT s.id {base} AND {where} ORDER BY s.modified DESC, s.id DESC")]
                self.assertTrue(expected, "the filter selects something")
                response = self.query(query, variables={"f": filter_input})
                self.assertNotIn("errors", response)
                self.assertEqual([b["id"] for b in response["data"]["boxes"]["elements"]], expected)
                self.assertEqual(response["data"]["boxes"]["totalCount"], len(expected))
                counts.add(response["extensions"]["debug"]["sqlStatements"])
        self.assertEqual(len(counts), 1, f"statements per filter: {counts}")

    def test_bad_tokens_never_reach_a_resolver(self):
        """Missing, expired, wrong audience, wrong issuer, wrong key, alg none, HS256 signed with
        the public key as secret, RS512, truncated, garbage: each is a 401 with boxtribute's code,
        and no SQL runs for any of them."""
        import subprocess
        tool = harness.binary("gateway", "depot-token")
        other_folder = os.path.join(self.scratch.path, "other-key")
        os.makedirs(other_folder, exist_ok=True)
        other = harness.Keys(other_folder)

        def mint(*extra, key=None, domain=harness.DOMAIN, audience=harness.AUDIENCE):
            args = [tool, "--domain", domain, "--audience", audience, "--sub", "auth0|8", "--org", "1",
                    "--base-ids", "1", "--roles", "base_1_coordinator", "--permissions", "base_1/stock:read"]
            if key:
                args += ["--key", key]
            return subprocess.run(args + list(extra), check=True, capture_output=True, text=True).stdout.strip()

        good = mint(key=self.keys.private)
        cases = [
            (None, "authorization_header_missing"),
            (mint("--exp-offset", "-3600", key=self.keys.private), "token_expired"),
            (mint(key=self.keys.private, audience="someone-else"), "invalid_claims"),
            (mint(key=self.keys.private, domain="evil.example"), "invalid_claims"),
            (mint(key=other.private), "invalid_header"),
            (mint("--alg", "none"), "invalid_header"),
            (mint("--alg", "HS256", "--secret", open(self.keys.public).read()), "invalid_header"),
            (mint("--alg", "RS512", key=self.keys.private), "invalid_header"),
            (good[:-12], "invalid_header"),
            ("garbage.garbage.garbage", "invalid_header"),
        ]
        overhead = self.db.status("Com_select")
        overhead = self.db.status("Com_select") - overhead
        before = self.db.status("Com_select")
        for token, code in cases:
            with self.subTest(code=code, token=(token or "")[:20]):
                status, response, _ = harness.post(self.depot.url, {"query": '{ boxes(baseId: "1") { totalCount } }'},
                                                   token)
                self.assertEqual(status, 401)
                self.assertEqual(response["code"], code)
                self.assertTrue(response["description"])
        self.assertEqual(self.db.status("Com_select") - before, overhead, "no request reached the database")
        self.assertIn("data", self.query('{ boxes(baseId: "1") { totalCount } }', token=good))

    QR_QUERY = """query($code: String!) { qrCode(code: $code) { __typename
        ... on QrCode { code box { __typename ... on Box { labelIdentifier }
                                   ... on InsufficientPermissionError { name }
                                   ... on UnauthorizedForBaseError { id name organisationName } } }
        ... on InsufficientPermissionError { name }
        ... on ResourceDoesNotExistError { id name } } }"""

    def test_qr_code_scan(self):
        """The front-end's scan flow: union results instead of errors."""
        mine = self.rows("SELECT q.code, s.box_id FROM qr q JOIN stock s ON s.qr_id = q.id JOIN locations l "
                         "ON l.id = s.location_id WHERE l.camp_id = 1 ORDER BY q.id LIMIT 1")[0]
        response = self.query(self.QR_QUERY, variables={"code": mine[0]})
        self.assertNotIn("errors", response)
        self.assertEqual(response["data"]["qrCode"], {"__typename": "QrCode", "code": mine[0],
                         "box": {"__typename": "Box", "labelIdentifier": mine[1]}})
        foreign = self.rows("SELECT q.code, c.id, c.name, o.label FROM qr q JOIN stock s ON s.qr_id = q.id "
                            "JOIN locations l ON l.id = s.location_id JOIN camps c ON c.id = l.camp_id "
                            "JOIN organisations o ON o.id = c.organisation_id WHERE l.camp_id <> 1 "
                            "ORDER BY q.id LIMIT 1")[0]
        box = self.query(self.QR_QUERY, variables={"code": foreign[0]})["data"]["qrCode"]["box"]
        self.assertEqual(box, {"__typename": "UnauthorizedForBaseError", "id": foreign[1],
                               "name": foreign[2], "organisationName": foreign[3]})
        spare = self.db.scalar("SELECT q.code FROM qr q LEFT JOIN stock s ON s.qr_id = q.id "
                               "WHERE s.id IS NULL ORDER BY q.id LIMIT 1")
        self.assertIsNone(self.query(self.QR_QUERY, variables={"code": spare})["data"]["qrCode"]["box"])
        self.assertEqual(self.query(self.QR_QUERY, variables={"code": "nope"})["data"]["qrCode"],
                         {"__typename": "ResourceDoesNotExistError", "id": None, "name": "QrCode"})
        no_qr = self.keys.token(permissions=["base_1/stock:read"])
        self.assertEqual(self.query(self.QR_QUERY, token=no_qr, variables={"code": mine[0]})["data"]["qrCode"],
                         {"__typename": "InsufficientPermissionError", "name": "qr:read"})
        exists = self.query('query($a: String, $b: String) { yes: qrExists(code: $a) no: qrExists(code: $b) }',
                            variables={"a": mine[0], "b": "nope"})
        self.assertEqual(exists["data"], {"yes": True, "no": False})

    def test_no_permission_no_data(self):
        """A user without the read permissions: empty lists, FORBIDDEN for base-agnostic ones."""
        token = self.keys.token(permissions=["base_1/stock:read"])
        response = self.query("{ bases { id } locations { id } tags { id } }", token=token)
        self.assertEqual(response["data"], {"bases": [], "locations": [], "tags": []})
        response = self.query("{ organisations { id } }", token=token)
        self.assertIsNone(response["data"])
        self.assertEqual(response["errors"][0]["extensions"],
                         {"code": "FORBIDDEN", "description": "You don't have access to 'organisation:read'"})

    def test_statements_do_not_depend_on_rows(self):
        """The BoxCreate lookups take the same number of statements for the big base (with
        many products) as for a small one, and each list is one statement."""
        text = """query($id: ID!) { base(id: $id) { id locations { id } tags { id } products { id category { id } } } }"""
        big = self.query(text, token=self.god, variables={"id": "1"})
        small = self.query(text, token=self.god, variables={"id": "2"})
        self.assertEqual(big["extensions"]["debug"]["sqlStatements"],
                         small["extensions"]["debug"]["sqlStatements"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
