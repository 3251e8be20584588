"""ManageBoxes end to end: boxtribute's BoxesForBoxesView query, as Apollo Client sends it,
through gateway -> resolver-svc -> db-svc on a real MariaDB loaded with Depot's DDL and demo
data, in both forms (one process; three processes over tcp://).

Expected values come from SQL written here, never from Depot's own mapping: each box's
JSON is built by MariaDB with JSON_OBJECT from the tables directly.
Licensed under the Apache License 2.0.
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

BASE = 1


def dt(column):
    """A DATETIME column as Depot's Datetime: ISO-8601 +00:00, zero dates and NULL → null."""
    return (f"IF({column} IS NULL OR {column} = 0, NULL, "
            f"DATE_FORMAT({column}, '%Y-%m-%dT%H:%i:%s+00:00'))")


def js(expr):
    """Keep a nested JSON document typed as JSON inside JSON_OBJECT."""
    return f"JSON_EXTRACT({expr}, '$')"


STATE = ("CASE s.box_state_id WHEN 1 THEN 'InStock' WHEN 2 THEN 'Lost' WHEN 3 THEN "
         "'MarkedForShipment' WHEN 4 THEN 'Receiving' WHEN 5 THEN 'Donated' WHEN 6 THEN 'Scrap' "
         "WHEN 7 THEN 'InTransit' WHEN 8 THEN 'NotDelivered' END")
GENDER = ("CASE p.gender_id WHEN 1 THEN 'Women' WHEN 2 THEN 'Men' WHEN 3 THEN 'UnisexAdult' "
          "WHEN 4 THEN 'Girl' WHEN 5 THEN 'Boy' WHEN 6 THEN 'UnisexKid' WHEN 7 THEN 'BabyGirl' "
          "WHEN 8 THEN 'BabyBoy' WHEN 9 THEN 'UnisexBaby' WHEN 10 THEN 'none' WHEN 12 THEN "
          "'TeenGirl' WHEN 13 THEN 'TeenBoy' END")

TAGS = f"""(SELECT JSON_ARRAYAGG(JSON_OBJECT(
      'id', CAST(t.id AS CHAR), 'name', t.label, 'color', t.color, 'description', t.description,
      'type', CASE t.type WHEN 'Stock' THEN 'Box' WHEN 'People' THEN 'Beneficiary' ELSE 'All' END,
      'deletedOn', {dt('t.deleted')}, 'createdOn', {dt('t.created')},
      'lastModifiedOn', {dt('t.modified')},
      'lastUsedOn', (SELECT {dt('MAX(x.created_on)')} FROM tags_relations x WHERE x.tag_id = t.id),
      '__typename', 'Tag') ORDER BY t.id)
    FROM tags_relations tr JOIN tags t ON t.id = tr.tag_id
    WHERE tr.object_type = 'Stock' AND tr.object_id = s.id AND tr.deleted_on IS NULL
      AND (t.deleted IS NULL OR t.deleted = 0) AND t.camp_id = {BASE})"""

SHIPMENT_DETAIL = f"""(SELECT JSON_OBJECT('id', CAST(sd.id AS CHAR),
      'shipment', JSON_OBJECT('id', CAST(sh.id AS CHAR),
          'labelIdentifier', CONCAT('S', RIGHT(LPAD(sh.id, 3, '0'), 3), '-',
              DATE_FORMAT(sh.started_on, '%y%m%d'), '-', UPPER(LEFT(sb.name, 2)), 'x',
              UPPER(LEFT(tb.name, 2))),
          '__typename', 'Shipment'),
      '__typename', 'ShipmentDetail')
    FROM shipment_detail sd JOIN shipment sh ON sh.id = sd.shipment_id
    JOIN camps sb ON sb.id = sh.source_base_id JOIN camps tb ON tb.id = sh.target_base_id
    WHERE sd.box_id = s.id AND sd.removed_on IS NULL AND sd.lost_on IS NULL
      AND sd.received_on IS NULL LIMIT 1)"""


def user(alias, column):
    return (f"IF({alias}.id IS NULL, NULL, JSON_OBJECT('id', CAST({alias}.id AS CHAR), "
            f"'name', {alias}.naam, '__typename', 'User'))")


BOX_JSON = f"""JSON_OBJECT(
  'id', CAST(s.id AS CHAR),
  'labelIdentifier', s.box_id,
  'product', {js(f'''IF(p.id IS NULL, NULL, JSON_OBJECT(
      'type', IF(p.standard_product_id IS NULL, 'Custom', 'StandardInstantiation'),
      'id', CAST(p.id AS CHAR), 'name', p.name, 'gender', {GENDER},
      'deletedOn', {dt('p.deleted')},
      'category', JSON_OBJECT('id', CAST(pc.id AS CHAR), 'name', pc.label, '__typename', 'ProductCategory'),
      '__typename', 'Product'))''')},
  'numberOfItems', s.items,
  'size', {js("IF(sz.id IS NULL, NULL, JSON_OBJECT('id', CAST(sz.id AS CHAR), 'label', sz.label, '__typename', 'Size'))")},
  'weight', CAST(s.weight AS DOUBLE),
  'monetaryValue', CAST(s.monetary_value AS DOUBLE),
  'weightDisplayUnit', {js("IF(wu.id IS NULL, NULL, JSON_OBJECT('symbol', wu.symbol, '__typename', 'Unit'))")},
  'state', {STATE},
  'location', {js(f'''JSON_OBJECT('id', CAST(l.id AS CHAR), 'name', l.label,
      'base', JSON_OBJECT('monetaryCurrencyCode', c.monetary_currency_code, '__typename', 'Base'),
      '__typename', IF(l.type = 'MapDistroSpot', 'DistributionSpot', 'ClassicLocation'))''')},
  'tags', {js(f"COALESCE({TAGS}, '[]')")},
  'shipmentDetail', {js(SHIPMENT_DETAIL)},
  'qrCode', {js("IF(q.id IS NULL, NULL, JSON_OBJECT('code', q.code, '__typename', 'QrCode'))")},
  'comment', s.comments,
  'createdOn', {dt('s.created')},
  'lastModifiedOn', {dt('s.modified')},
  'deletedOn', {dt('s.deleted')},
  'createdBy', {js(user('cu', 's.created_by'))},
  'lastModifiedBy', {js(user('mu', 's.modified_by'))},
  '__typename', 'Box')"""

BOXES_FROM = f"""FROM stock s
  JOIN locations l ON l.id = s.location_id AND l.camp_id = {BASE}
  JOIN camps c ON c.id = l.camp_id
  LEFT JOIN products p ON p.id = s.product_id
  LEFT JOIN product_categories pc ON pc.id = p.category_id
  LEFT JOIN sizes sz ON sz.id = s.size_id
  LEFT JOIN units wu ON wu.id = s.weight_display_unit_id
  LEFT JOIN qr q ON q.id = s.qr_id
  LEFT JOIN cms_users cu ON cu.id = s.created_by
  LEFT JOIN cms_users mu ON mu.id = s.modified_by
  WHERE (s.deleted IS NULL OR s.deleted = 0)"""


class ManageBoxes(unittest.TestCase):
    """One database and one key pair for the class; Depot started per form."""

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db)
        cls.keys = harness.Keys(cls.scratch.path)
        cls.token = cls.keys.token()
        cls.query = harness.read_query("manage_boxes.graphql")
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="one",
                                  extra_env=harness.FIXED_POOL)

    @classmethod
    def tearDownClass(cls):
        codes = cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()
        assert codes == [0], f"depot did not exit cleanly on SIGTERM: {codes}"

    def expected_boxes(self, limit, extra_where=""):
        rows = self.db.sql(f"SELECT {BOX_JSON} {BOXES_FROM} {extra_where} "
                           f"ORDER BY s.modified DESC, s.id DESC LIMIT {limit}")
        return [json.loads(r[0]) for r in rows]

    def run_query(self, first, url=None, variables=None):
        body = {"query": self.query, "operationName": "BoxesForBoxesView",
                "variables": {"baseId": str(BASE), "paginationInput": first, **(variables or {})}}
        status, response, _ = harness.post(url or self.depot.url, body, self.token)
        self.assertEqual(status, 200, response)
        return response

    def assert_boxes_equal(self, got, expected):
        self.assertEqual(len(got), len(expected))
        for i, (g, e) in enumerate(zip(got, expected)):
            if g != e:
                for key in e:
                    self.assertEqual(g.get(key), e[key], f"box #{i} ({e['labelIdentifier']}) field {key}")
            self.assertEqual(list(g.keys()), list(e.keys()), "keys in query order")

    def test_first_page_matches_sql(self):
        """first: 50 gives the 50 newest boxes of the base with every field the SQL gives."""
        response = self.run_query(50)
        self.assertNotIn("errors", response)
        page = response["data"]["boxes"]
        self.assertEqual(list(page.keys()), ["totalCount", "pageInfo", "elements", "__typename"])
        self.assertEqual(page["__typename"], "BoxPage")
        total = int(self.db.scalar(f"SELECT COUNT(*) {BOXES_FROM}"))
        self.assertEqual(total, 8201, "the generator's big base")
        self.assertEqual(page["totalCount"], total)
        self.assertEqual(page["pageInfo"], {"hasNextPage": True, "__typename": "PageInfo"})
        self.assert_boxes_equal(page["elements"], self.expected_boxes(50))

    def test_full_preload_matches_sql(self):
        """first: 100000 (the front-end's preload) returns all 8,201 boxes, in order."""
        response = self.run_query(100000)
        self.assertNotIn("errors", response)
        page = response["data"]["boxes"]
        self.assertEqual(page["pageInfo"]["hasNextPage"], False)
        self.assert_boxes_equal(page["elements"], self.expected_boxes(100000))

    def test_data_covers_the_interesting_cases(self):
        """The demo data must exercise nulls, tags, shipments and measure products, or the
        comparisons above would prove little."""
        boxes = self.run_query(100000)["data"]["boxes"]["elements"]
        self.assertTrue(any(b["size"] is None for b in boxes), "a box without size")
        self.assertTrue(any(b["shipmentDetail"] for b in boxes), "a box in a shipment")
        self.assertTrue(any(len(b["tags"]) >= 2 for b in boxes), "a box with two tags")
        self.assertTrue(any(b["tags"] == [] for b in boxes), "a box without tags")
        self.assertTrue(any(b["comment"] for b in boxes), "a box with a comment")
        self.assertTrue(any(b["weight"] is not None for b in boxes), "a box with a weight")
        self.assertTrue(len({b["state"] for b in boxes}) >= 3, "several states")

    def test_statements_do_not_depend_on_page_size(self):
        """The number of SQL statements MariaDB counts is the same for 50 and 100,000 boxes,
        and equals Depot's own debug counter."""
        def statements(first):
            overhead = self._status_overhead()
            before = self.db.status("Com_select")
            response = self.run_query(first)
            after = self.db.status("Com_select")
            return after - before - overhead, response["extensions"]["debug"]["sqlStatements"]
        small, small_debug = statements(50)
        large, large_debug = statements(100000)
        self.assertEqual(small, large)
        self.assertEqual(small, small_debug)
        self.assertEqual(large, large_debug)
        self.assertLessEqual(small, 16, "PERFORMANCE.md: P1 needs at most 16 statements")
        print(f"\nSQL statements per ManageBoxes request: {small} (first: 50), {large} (first: 100000)")

    def test_filters_states_and_locations(self):
        """filterInput states and locationIds, alone and combined, against SQL."""
        location = self.db.scalar(f"SELECT l.id FROM locations l JOIN stock s ON s.location_id = l.id "
                                  f"WHERE l.camp_id = {BASE} GROUP BY l.id ORDER BY COUNT(*) DESC LIMIT 1")
        cases = [
            ({"states": ["InStock"]}, "AND s.box_state_id = 1"),
            ({"states": ["Donated", "Scrap"]}, "AND s.box_state_id IN (5, 6)"),
            ({"locationIds": [int(location)]}, f"AND s.location_id = {location}"),
            ({"states": ["InStock"], "locationIds": [int(location)]},
             f"AND s.box_state_id = 1 AND s.location_id = {location}"),
            ({"states": []}, ""),
        ]
        for filter_input, where in cases:
            with self.subTest(filter=filter_input):
                response = self.run_query(100000, variables={"filterInput": filter_input})
                page = response["data"]["boxes"]
                expected = self.expected_boxes(100000, where)
                self.assertEqual(page["totalCount"], len(expected))
                self.assertEqual([b["id"] for b in page["elements"]], [b["id"] for b in expected])

    def test_state_filtered_count_reads_the_index_only(self):
        """The totalCount of a state-filtered page (the front-end's preload filters) is counted
        from an index alone: read row by row, it was the costliest statement of ManageBoxes
        (8,201 boxes looked up for each count), and with a far database, where fewer identical
        counts of concurrent requests share a statement, it bound P4 at 10 ms. The statement
        is the one Depot sent (MariaDB's general log), its plan MariaDB's EXPLAIN."""
        for states in (["InStock"], ["Donated", "Scrap"]):
            with self.subTest(states=states):
                self.db.sql("TRUNCATE TABLE mysql.general_log; SET GLOBAL log_output = 'TABLE'; "
                            "SET GLOBAL general_log = 1", db=None)
                try:
                    self.run_query(50, variables={"filterInput": {"states": states}})
                finally:
                    self.db.sql("SET GLOBAL general_log = 0", db=None)
                sent = [r[0] for r in self.db.sql(
                    "SELECT CONVERT(argument USING utf8mb4) FROM mysql.general_log "
                    "WHERE command_type = 'Query' AND argument LIKE '%SELECT COUNT(*) FROM stock%'")]
                self.assertEqual(len(sent), 1, sent)
                # db-svc may send it in one text with other reads (DEPOT_DB_BATCH): the
                # COUNT ends at the next ';' (its literals are numbers).
                count = sent[0][sent[0].index("SELECT COUNT(*)"):].split(";")[0]
                self.assertIn("box_state_id", count)
                plan = {row[2]: row for row in self.db.sql("EXPLAIN " + count)}
                self.assertIn("Using index", plan["stock"][9] or "",
                              f"stock rows are read one by one: {plan['stock']}")

    def test_cursor_pages_walk_every_box_once(self):
        """Following endCursor with first: 1000 visits every box exactly once, in order; and
        following startCursor with last: 1000 backwards from the last box does too."""
        query = """query($after: String) { boxes(baseId: "1", paginationInput: {first: 1000, after: $after}) {
                     pageInfo { hasNextPage hasPreviousPage endCursor } elements { id } } }"""
        ids, after, pages = [], None, 0
        while True:
            status, response, _ = harness.post(self.depot.url, {"query": query, "variables": {"after": after}},
                                               self.token)
            self.assertEqual(status, 200, response)
            page = response["data"]["boxes"]
            self.assertEqual(page["pageInfo"]["hasPreviousPage"], pages > 0)
            ids += [b["id"] for b in page["elements"]]
            pages += 1
            if not page["pageInfo"]["hasNextPage"]:
                after_last_page_end = page["pageInfo"]["endCursor"]
                break
            after = page["pageInfo"]["endCursor"]
        expected = [r[0] for r in self.db.sql(f"SELECT s.id {BOXES_FROM} ORDER BY s.modified DESC, s.id DESC")]
        self.assertEqual(ids, expected)
        self.assertEqual(pages, 9)

        # The same backwards: from the last box, `last: 1000` before each page's first box.
        back_query = """query($before: String) { boxes(baseId: "1", paginationInput: {last: 1000, before: $before}) {
                          pageInfo { hasNextPage hasPreviousPage startCursor } elements { id } } }"""
        walked, before, pages = [], after_last_page_end, 0
        while True:
            status, response, _ = harness.post(self.depot.url, {"query": back_query, "variables": {"before": before}},
                                               self.token)
            self.assertEqual(status, 200, response)
            page = response["data"]["boxes"]
            self.assertTrue(page["pageInfo"]["hasNextPage"])
            walked = [b["id"] for b in page["elements"]] + walked
            pages += 1
            if not page["pageInfo"]["hasPreviousPage"]:
                break
            before = page["pageInfo"]["startCursor"]
        self.assertEqual(walked, expected[:-1], "every box but the last (the first cursor), once, in order")
        self.assertEqual(pages, 9)
        status, response, _ = harness.post(self.depot.url, {"query": '{ boxes(baseId: "1", paginationInput: {last: 5}) { totalCount } }'},
                                           self.token)
        self.assertEqual(response["errors"][0]["message"], "Invalid pagination input: missing 'before' field.")

    def test_other_base_is_forbidden(self):
        """A base the user has no stock:read for: FORBIDDEN, and data null (BoxPage! propagates)."""
        body = {"query": self.query, "variables": {"baseId": "2", "paginationInput": 5}}
        status, response, _ = harness.post(self.depot.url, body, self.token)
        self.assertEqual(status, 200)
        self.assertIsNone(response["data"])
        error = response["errors"][0]
        self.assertEqual(error["extensions"]["code"], "FORBIDDEN")
        self.assertEqual(error["extensions"]["description"], "You don't have access to 'base=2'")
        self.assertEqual(error["path"], ["boxes"])

    def test_field_authorization(self):
        """boxtribute's per-field rules: without product:read the product is null (no error);
        without shipment_detail:read the detail is null (no error); without size:read each
        size is null with a FORBIDDEN error at its path; tags need tag:read in the tag's base."""
        permissions = [f"base_1/{r}:read" for r in harness.RESOURCES
                       if r not in ("product", "shipment_detail", "size", "tag")]
        token = self.keys.token(permissions=permissions)
        body = {"query": self.query, "variables": {"baseId": "1", "paginationInput": 50}}
        status, response, _ = harness.post(self.depot.url, body, token)
        self.assertEqual(status, 200)
        boxes = response["data"]["boxes"]["elements"]
        self.assertEqual(len(boxes), 50)
        self.assertTrue(all(b["product"] is None for b in boxes))
        self.assertTrue(all(b["shipmentDetail"] is None for b in boxes))
        self.assertTrue(all(b["tags"] == [] for b in boxes))
        self.assertTrue(all(b["size"] is None for b in boxes))
        with_size = [i for i, e in enumerate(self.expected_boxes(50)) if e["size"] is not None]
        size_errors = [e for e in response["errors"] if e["path"][-1] == "size"]
        self.assertEqual(len(size_errors), len(with_size) if with_size else 0)
        self.assertEqual([e["path"] for e in size_errors],
                         [["boxes", "elements", i, "size"] for i in with_size])
        self.assertTrue(all(e["extensions"] == {"code": "FORBIDDEN",
                                                "description": "You don't have access to 'size:read'"}
                            for e in size_errors))
        self.assertEqual(len(response["errors"]), len(size_errors), "no other errors")

    def test_without_valid_token_401(self):
        """No token, a garbage token and a token signed by another key: 401, and no SQL runs."""
        other_folder = os.path.join(self.scratch.path, "other")
        os.makedirs(other_folder, exist_ok=True)
        other = harness.Keys(other_folder)
        overhead = self._status_overhead()
        before = self.db.status("Com_select")
        for token, code in [(None, "authorization_header_missing"), ("garbage", "invalid_header"),
                            (other.token(), "invalid_header")]:
            with self.subTest(code=code):
                status, response, _ = harness.post(self.depot.url, {"query": self.query}, token)
                self.assertEqual(status, 401)
                self.assertEqual(response["code"], code)
        self.assertEqual(self.db.status("Com_select") - before, overhead)

    def _status_overhead(self):
        """Com_select counted by reading Com_select itself (the client's own queries)."""
        a = self.db.status("Com_select")
        return self.db.status("Com_select") - a

    def test_three_processes_answer_the_same(self):
        """db-svc, resolver-svc and gateway as three processes over tcp:// give byte-for-byte
        the same data as the one-process form."""
        folder = os.path.join(self.scratch.path, "three")
        os.makedirs(folder, exist_ok=True)
        three = harness.Depot(self.db, self.keys, folder, form="three", extra_env=harness.FIXED_POOL)
        try:
            one = self.run_query(50)
            other = self.run_query(50, url=three.url)
            self.assertEqual(one["data"], other["data"])
        finally:
            codes = three.stop()
        self.assertEqual(codes, [0, 0, 0], "each service exits 0 on SIGTERM")


if __name__ == "__main__":
    unittest.main(verbosity=2)
