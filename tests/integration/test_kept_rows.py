"""Rows of small, rarely written tables kept between requests while the change feed vouches for
them (db-svc/dp_db_kept_rows.h): Depot as three processes with feed-svc, on MariaDB with its
binary log.

Every answer is compared with values read here by SQL, right after writes by plain SQL, by a
session writing with binlog_format=STATEMENT and by a mutation, with no wait for the feed.
MariaDB's general log (a table) shows when Depot reads the kept tables: not again for the same
keys while nothing changed and the feed is up; again after a write, and on every request while
feed-svc is down. Asked as a base coordinator, a user of another organisation and a god user.
Licensed under the Apache License 2.0.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

# The kept loaders a box's page reads: product, category, size, unit, location, base,
# organisation, the base's locations, the history's users, the QR code and the tags.
QUERY = """query ($label: String!) { box(labelIdentifier: $label) {
  product { id name category { id name } } size { id label } weightDisplayUnit { symbol }
  location { id name base { id name organisation { id name } locations { id } } }
  history { user { id name } } qrCode { code } tags { id name } } }"""
BOX_VIEW = harness.read_query("box_view.graphql")
PRODUCT = "query ($id: ID!) { product(id: $id) { id name } }"
EDIT_PRODUCT = harness.read_query(os.path.join("mutations", "EditCustomProduct.graphql"))
# Statements that read a kept table by its key (dp_sql_catalog.c's loaders of those tables).
KEPT_READS = ["FROM products WHERE", "FROM product_categories WHERE", "FROM sizes WHERE",
              "FROM units WHERE", "FROM locations WHERE", "FROM camps WHERE",
              "FROM organisations WHERE", "FROM cms_users WHERE", "FROM qr WHERE", "FROM tags WHERE",
              "FROM shipment WHERE", "FROM shipment UNION"]


KEPT_WHERE = " OR ".join(f"argument LIKE '%{text}%'" for text in KEPT_READS)


class KeptRowsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db, boxes=300)
        cls.keys = harness.Keys(cls.scratch.path)
        cls.token = cls.keys.token()
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="three", feed=True)
        cls.db.sql("SET GLOBAL log_output = 'TABLE'")
        # A box of base 1 with a weight unit and history by a user.
        cls.label, cls.box_id = cls.db.sql(
            "SELECT s.box_id, s.id FROM stock s JOIN locations l ON l.id = s.location_id"
            " WHERE l.camp_id = 1 AND s.weight_display_unit_id IS NOT NULL"
            " AND EXISTS (SELECT 1 FROM history h WHERE h.tablename = 'stock' AND h.record_id = s.id"
            " AND h.user_id IS NOT NULL) AND s.qr_id IS NOT NULL AND EXISTS (SELECT 1 FROM tags_relations tr"
            " WHERE tr.object_type = 'Stock' AND tr.object_id = s.id AND tr.deleted_on IS NULL)"
            " ORDER BY s.id LIMIT 1")[0]

    @classmethod
    def tearDownClass(cls):
        cls.db.sql("SET GLOBAL general_log = 0")
        codes = cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()
        assert all(c == 0 for c in codes), codes

    def ask(self, query=QUERY, variables=None, token=None):
        status, body, _ = harness.post(self.depot.url, {
            "query": query, "variables": variables or {"label": self.label}}, token or self.token)
        self.assertEqual(status, 200, body)
        return body

    def box(self):
        body = self.ask()
        self.assertNotIn("errors", body)
        return body["data"]["box"]

    def expected(self):
        """The values of the box's kept rows, read by SQL."""
        (product, name, category, category_name, size, size_label, symbol, location, location_name,
         base, base_name, org, org_name) = self.db.sql(
            "SELECT p.id, p.name, pc.id, pc.label, z.id, z.label, u.symbol, l.id, l.label,"
            " c.id, c.name, o.id, o.label FROM stock s JOIN products p ON p.id = s.product_id"
            " JOIN product_categories pc ON pc.id = p.category_id JOIN sizes z ON z.id = s.size_id"
            " JOIN units u ON u.id = s.weight_display_unit_id JOIN locations l ON l.id = s.location_id"
            " JOIN camps c ON c.id = l.camp_id JOIN organisations o ON o.id = c.organisation_id"
            f" WHERE s.box_id = '{self.label}'")[0]
        users = dict(self.db.sql("SELECT CAST(id AS CHAR), naam FROM cms_users"))
        code = self.db.scalar(f"SELECT q.code FROM stock s JOIN qr q ON q.id = s.qr_id WHERE s.box_id = '{self.label}'")
        tags = self.db.sql("SELECT CAST(t.id AS CHAR), t.label FROM tags_relations tr JOIN tags t ON t.id = tr.tag_id"
                           " WHERE tr.object_type = 'Stock' AND tr.deleted_on IS NULL AND (t.deleted IS NULL"
                           f" OR t.deleted = 0) AND tr.object_id = {self.box_id} ORDER BY t.id")
        return {"code": code, "tags": [tuple(t) for t in tags],"product": (product, name, category, category_name), "size": (size, size_label),
                "symbol": symbol, "location": (location, location_name),
                "base": (base, base_name, org, org_name), "users": users}

    def assert_exact(self):
        got, want = self.box(), self.expected()
        self.assertEqual((got["product"]["id"], got["product"]["name"], got["product"]["category"]["id"],
                          got["product"]["category"]["name"]), want["product"])
        self.assertEqual((got["size"]["id"], got["size"]["label"]), want["size"])
        self.assertEqual(got["weightDisplayUnit"]["symbol"], want["symbol"])
        self.assertEqual((got["location"]["id"], got["location"]["name"]), want["location"])
        base = got["location"]["base"]
        self.assertEqual((base["id"], base["name"], base["organisation"]["id"], base["organisation"]["name"]),
                         want["base"])
        self.assertEqual(got["qrCode"]["code"], want["code"])
        self.assertEqual(sorted((t["id"], t["name"]) for t in got["tags"]), want["tags"])
        users = [entry["user"] for entry in got["history"] if entry["user"]]
        self.assertTrue(users)
        for user in users:
            self.assertEqual(user["name"], want["users"][user["id"]])

    def kept_reads(self, action):
        """How many texts Depot sent during action() read a kept table by its key."""
        return self.db.logged(KEPT_WHERE, action)

    def settle(self):
        """Until the feed vouches again for what was written (its status comes once a second)."""
        self.assertTrue(self.db.kept(KEPT_WHERE, self.box), "the rows were never kept")

    def test_1_kept_while_nothing_changes(self):
        """Once kept, the box's page reads none of the kept tables again, and every answer
        equals SQL's values; BoxView's whole answer is the same as when it read them."""
        first = self.ask(BOX_VIEW, {"labelIdentifier": self.label})
        self.settle()
        self.assertEqual(self.kept_reads(lambda: [self.assert_exact() for _ in range(3)]), 0)
        again = self.ask(BOX_VIEW, {"labelIdentifier": self.label})
        self.assertEqual(again["data"], first["data"])
        # The statements it no longer sends: one per kept loader, one position read instead.
        self.assertLess(again["extensions"]["debug"]["sqlStatements"],
                        first["extensions"]["debug"]["sqlStatements"])

    def test_8_box_view_in_one_round_trip(self):
        """With its kept rows in, the front-end's BoxView reads MariaDB in one round trip:
        what is keyed by the box (its history, access row, shipment detail, tag links, its
        product's item counts) goes with the lookup by label, keyed by a subquery on the
        label (resolver-svc/dp_exec_chain.c); its answer is the same."""
        body = {"query": harness.read_query("box_view.graphql"), "operationName": "BoxByLabelIdentifier",
                "variables": {"labelIdentifier": self.label}}
        def view():
            status, answer, _ = harness.post(self.depot.url, body, self.token)
            self.assertEqual(status, 200, answer)
            self.assertNotIn("errors", answer)
            return answer
        self.settle()
        first = view()
        keyed = ("argument LIKE '%FROM history%' OR argument LIKE '%tags_relations%'"
                 " OR argument LIKE '%FROM shipment_detail%' OR argument LIKE '%product_id IN%'")
        self.assertEqual(self.db.logged(f"({keyed}) AND argument NOT LIKE '%{self.label}%'", view), 0)
        self.assertEqual(self.db.logged(f"argument LIKE '%FROM history%' AND argument LIKE '%{self.label}%'",
                                        view), 1)
        self.assertEqual(view()["data"], first["data"])
        history = self.db.scalar("SELECT COUNT(*) FROM history WHERE tablename = 'stock' AND "
                                 f"record_id = {self.box_id}")
        self.assertGreaterEqual(len(first["data"]["box"]["history"]), int(history))
        # Two boxes of one product, each asking for another of its counts: both read with
        # their lookups, both counts as SQL has them.
        in_base = ("FROM stock s JOIN locations l ON l.id = s.location_id JOIN products p ON p.id = s.product_id"
                   " WHERE l.camp_id = 1 AND p.camp_id = 1")
        product, other, second = self.db.sql(
            f"SELECT s.product_id, MIN(s.box_id), MAX(s.box_id) {in_base} GROUP BY s.product_id"
            " HAVING COUNT(*) > 1 ORDER BY s.product_id LIMIT 1")[0]
        instock, transfer = (int(v) for v in self.db.sql(
            "SELECT COALESCE(SUM(CASE WHEN box_state_id = 1 THEN items END), 0),"
            " COALESCE(SUM(CASE WHEN box_state_id IN (3, 4, 7) THEN items END), 0) FROM stock"
            f" WHERE product_id = {product} AND (deleted IS NULL OR deleted = 0)")[0])
        status, answer, _ = harness.post(self.depot.url, {"query": (
            f'{{ a: box(labelIdentifier: "{other}") {{ product {{ instockItemsCount }} }}'
            f' b: box(labelIdentifier: "{second}") {{ product {{ transferItemsCount }} }} }}')}, self.token)
        self.assertEqual(status, 200, answer)
        self.assertEqual((answer["data"]["a"]["product"]["instockItemsCount"],
                          answer["data"]["b"]["product"]["transferItemsCount"]), (instock, transfer))

    def test_2_plain_sql_writes(self):
        """A write by plain SQL to each kept table, read at once: the answer follows."""
        self.settle()
        want = self.expected()
        product, category = want["product"][0], want["product"][2]
        location, base, org = want["location"][0], want["base"][0], want["base"][2]
        user = next(u["id"] for u in (e["user"] for e in self.box()["history"]) if u)
        def writes(mark):
            return [f"UPDATE products SET name = 'kept product{mark}' WHERE id = {product}",
                    f"UPDATE product_categories SET label = 'kept category{mark}' WHERE id = {category}",
                    f"UPDATE sizes SET label = 'kept size{mark}' WHERE id = {want['size'][0]}",
                    f"UPDATE units SET symbol = 'kg{mark}' WHERE id = (SELECT weight_display_unit_id"
                    f" FROM stock WHERE id = {self.box_id})",
                    f"UPDATE locations SET label = 'kept location{mark}' WHERE id = {location}",
                    f"UPDATE camps SET name = 'kept base{mark}' WHERE id = {base}",
                    f"UPDATE organisations SET label = 'kept org{mark}' WHERE id = {org}",
                    f"UPDATE cms_users SET naam = 'kept user{mark}' WHERE id = {user}",
                    f"UPDATE qr SET code = CONCAT(LEFT(code, 20), '{mark}') WHERE id = (SELECT qr_id"
                    f" FROM stock WHERE id = {self.box_id})",
                    f"UPDATE tags SET label = 'kept tag{mark}' WHERE id = {want['tags'][0][0]}"]
        # Read at once: the position read after the write is not vouched for yet.
        for write in writes("!"):
            self.box()                          # kept before the write
            self.db.sql(write)
            self.assert_exact()
        # Read once the feed has vouched for the writes: their CHANGEs dropped the rows.
        self.settle()
        for write in writes("?"):
            self.db.sql(write)
        time.sleep(1.5)                         # the feed's next status covers them
        self.assert_exact()

    def test_3_statement_format_write(self):
        """A session writing with binlog_format=STATEMENT (no row events: the feed sends a
        RESYNC), read at once and after the feed's next status."""
        self.settle()
        size = self.expected()["size"][0]
        self.db.sql("SET SESSION binlog_format = 'STATEMENT';"
                    f" UPDATE sizes SET label = CONCAT(label, '+') WHERE id = {size}")
        self.assert_exact()
        time.sleep(1.5)
        self.assert_exact()

    def test_4_mutation(self):
        """editCustomProduct through Depot, read at once: the product's name follows."""
        self.settle()
        product, category = self.db.sql("SELECT id, category_id FROM products WHERE camp_id = 1"
                                        " AND standard_product_id IS NULL AND sizegroup_id IS NOT NULL"
                                        " AND (deleted IS NULL OR deleted = 0) ORDER BY id LIMIT 1")[0]
        size_range = self.db.scalar(f"SELECT sizegroup_id FROM products WHERE id = {product}")
        read = lambda: self.ask(PRODUCT, {"id": str(product)})["data"]["product"]["name"]  # noqa: E731
        read()
        token = self.keys.token(permissions=[f"base_1/{r}:read" for r in harness.RESOURCES]
                                + ["base_1/product:write"])
        body = self.ask(EDIT_PRODUCT, {"id": str(product), "name": "kept edit", "categoryId": int(category),
                                       "sizeRangeId": int(size_range), "gender": "Women"}, token)
        self.assertNotIn("errors", body)
        self.assertEqual(read(), self.db.scalar(f"SELECT name FROM products WHERE id = {product}"))
        self.assertEqual(read(), "kept edit")

    def test_5_other_users(self):
        """Kept rows are not a way around authorisation: another organisation's user is
        refused the box, a god user gets the same values as SQL."""
        self.settle()
        other = self.keys.token(sub="auth0|2", org=2, base_ids=(2,), roles=("base_2_coordinator",),
                                permissions=[f"base_2/{r}:read" for r in harness.RESOURCES])
        body = self.ask(token=other)
        self.assertIsNone(body["data"]["box"])
        self.assertEqual(body["errors"][0]["extensions"]["code"], "FORBIDDEN")
        god = self.keys.token(sub="auth0|1", org=0, base_ids=(), roles=("boxtribute_god",),
                              permissions=["*"])
        got = self.ask(token=god)["data"]["box"]
        self.assertEqual(got["product"]["name"], self.expected()["product"][1])

    def test_7_shipments_of_the_base(self):
        """The base's shipments (kept per base, with their bases' names) follow a state
        change by plain SQL, read at once and once the feed has vouched for it."""
        query = "{ shipments { id state sourceBase { id name } targetBase { id name } } }"
        def sql():
            return sorted(tuple(r) for r in self.db.sql(
                "SELECT CAST(s.id AS CHAR), s.state, CAST(s.source_base_id AS CHAR), a.name,"
                " CAST(s.target_base_id AS CHAR), b.name FROM shipment s JOIN camps a ON a.id = s.source_base_id"
                " JOIN camps b ON b.id = s.target_base_id WHERE 1 IN (s.source_base_id, s.target_base_id)"))
        def depot():
            body = self.ask(query, {})
            self.assertNotIn("errors", body)
            return sorted((x["id"], x["state"], x["sourceBase"]["id"], x["sourceBase"]["name"],
                           x["targetBase"]["id"], x["targetBase"]["name"]) for x in body["data"]["shipments"])
        shipments = sql()
        self.assertTrue(shipments, "the demo data has shipments of base 1")
        self.settle()
        depot()
        self.assertEqual(self.kept_reads(depot), 0)
        self.assertEqual(depot(), sql())
        shipment, state = shipments[0][0], shipments[0][1]
        other = "Canceled" if state != "Canceled" else "Completed"
        self.db.sql(f"UPDATE shipment SET state = '{other}' WHERE id = {shipment}")
        self.assertEqual(depot(), sql())
        time.sleep(1.5)
        self.assertEqual(depot(), sql())
        self.db.sql(f"UPDATE shipment SET state = '{state}' WHERE id = {shipment}")

    def test_9_list_tag_links_and_shipment_details(self):
        """A list of boxes keeps its boxes' tag links and active shipment details: once kept,
        a page reads neither again; a link added or removed and a detail added or ended by
        plain SQL are in the answer at once and once the feed has vouched for them."""
        query = ('query { boxes(baseId: "1", paginationInput: {first: 1000}) { elements { id'
                 ' tags { id } shipmentDetail { id } } } }')
        keyed = "argument LIKE '%FROM tags_relations tr%' OR argument LIKE '%FROM shipment_detail WHERE%'"
        def depot():
            body = self.ask(query, {})
            self.assertNotIn("errors", body)
            return {b["id"]: (sorted(int(t["id"]) for t in b["tags"]),
                              b["shipmentDetail"] and int(b["shipmentDetail"]["id"]))
                    for b in body["data"]["boxes"]["elements"]}
        def sql():
            boxes = {str(i): ([], None) for (i,) in self.db.sql(
                "SELECT s.id FROM stock s JOIN locations l ON l.id = s.location_id"
                " WHERE l.camp_id = 1 AND (s.deleted IS NULL OR s.deleted = 0)")}
            for box, tag in self.db.sql(
                    "SELECT tr.object_id, tr.tag_id FROM tags_relations tr JOIN tags t ON t.id = tr.tag_id"
                    " WHERE tr.object_type = 'Stock' AND tr.deleted_on IS NULL"
                    " AND (t.deleted IS NULL OR t.deleted = 0) ORDER BY tr.tag_id"):
                if str(box) in boxes:
                    boxes[str(box)][0].append(int(tag))
            for box, detail in self.db.sql(
                    "SELECT box_id, id FROM shipment_detail WHERE removed_on IS NULL"
                    " AND lost_on IS NULL AND received_on IS NULL"):
                if str(box) in boxes:
                    boxes[str(box)] = (boxes[str(box)][0], int(detail))
            return boxes
        self.assertTrue(self.db.kept(keyed, depot), "the tag links and details were never kept")
        self.assertEqual(self.db.logged(keyed, depot), 0)
        self.assertEqual(depot(), sql())
        # A box of base 1 with no active detail, one of its live links, a tag it lacks, a shipment.
        box = int(self.db.scalar(
            "SELECT s.id FROM stock s JOIN locations l ON l.id = s.location_id WHERE l.camp_id = 1"
            " AND (s.deleted IS NULL OR s.deleted = 0) AND EXISTS (SELECT 1 FROM tags_relations tr"
            " WHERE tr.object_type = 'Stock' AND tr.object_id = s.id AND tr.deleted_on IS NULL)"
            " AND NOT EXISTS (SELECT 1 FROM shipment_detail d WHERE d.box_id = s.id) ORDER BY s.id LIMIT 1"))
        link = self.db.scalar(f"SELECT id FROM tags_relations WHERE object_type = 'Stock' AND object_id = {box}"
                              " AND deleted_on IS NULL ORDER BY id LIMIT 1")
        tag = self.db.scalar("SELECT t.id FROM tags t WHERE t.camp_id = 1 AND (t.deleted IS NULL OR t.deleted = 0)"
                             " AND t.type IN ('All', 'Stock') AND NOT EXISTS (SELECT 1 FROM tags_relations tr"
                             f" WHERE tr.tag_id = t.id AND tr.object_type = 'Stock' AND tr.object_id = {box})"
                             " ORDER BY t.id LIMIT 1")
        shipment = self.db.scalar("SELECT id FROM shipment WHERE source_base_id = 1 ORDER BY id LIMIT 1")
        self.assertTrue(tag and shipment, "the demo data has a tag the box lacks and a shipment of base 1")
        # Each change, then its undoing: the first read once the feed has vouched for the
        # change (the rows kept before it must not answer), the second at once.
        changes = [
            (f"INSERT INTO tags_relations (object_id, object_type, tag_id, created_on)"
             f" VALUES ({box}, 'Stock', {tag}, NOW())",
             f"DELETE FROM tags_relations WHERE object_id = {box} AND tag_id = {tag} AND object_type = 'Stock'"),
            (f"UPDATE tags_relations SET deleted_on = NOW() WHERE id = {link}",
             f"UPDATE tags_relations SET deleted_on = NULL WHERE id = {link}"),
            ("INSERT INTO shipment_detail (shipment_id, box_id, source_product_id, source_location_id,"
             f" source_size_id, source_quantity, created_on, created_by_id) SELECT {shipment}, s.id, s.product_id,"
             f" s.location_id, s.size_id, s.items, NOW(), 1 FROM stock s WHERE s.id = {box}",
             f"UPDATE shipment_detail SET removed_on = NOW(), removed_by_id = 1 WHERE box_id = {box}")]
        try:
            for change, undo in changes:
                self.assertTrue(self.db.kept(keyed, depot), "kept again once the feed vouched")
                self.db.sql(change)
                time.sleep(1.5)                         # the feed's next status covers it
                self.assertEqual(depot(), sql(), change)
                self.db.sql(undo)
                self.assertEqual(depot(), sql(), undo)  # at once: read again
        finally:
            self.db.sql(f"DELETE FROM tags_relations WHERE object_id = {box} AND tag_id = {tag}"
                        f" AND object_type = 'Stock'; UPDATE tags_relations SET deleted_on = NULL WHERE id = {link};"
                        f" DELETE FROM shipment_detail WHERE box_id = {box}")

    def test_6_feed_down_reads_again(self):
        """With feed-svc killed every request reads the kept tables again, and a write by SQL
        is seen; once it is back the rows are kept again."""
        self.settle()
        self.depot.kill("feed-svc")
        try:
            time.sleep(3.5)                     # past DP_DB_COUNTS_SILENCE_MS
            self.assertGreaterEqual(self.kept_reads(lambda: [self.box() for _ in range(3)]), 3)
            self.db.sql(f"UPDATE products SET name = 'feed down' WHERE id = {self.expected()['product'][0]}")
            self.assert_exact()
        finally:
            self.depot.restart("feed-svc")
        self.settle()
        self.assert_exact()


if __name__ == "__main__":
    unittest.main()
