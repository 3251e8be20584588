"""The bulk box mutations end to end: deleteBoxes, moveBoxesToLocation, assignTagsToBoxes,
unassignTagsFromBoxes and createBoxes, as boxtribute's front-end sends them (ManageBoxes'
actions; createBoxes is the bulk import's), on a real MariaDB.

Each success path is checked row by row against the tables (stock, history, tags,
tags_relations) with SQL written here; each refusal (a union error member, a user without
the permission, of another organisation, below the beta level) is checked to change nothing
(CHECKSUM TABLE before and after). The answers' boxes are built by MariaDB from the tables.
Each mutation on 1, 10 and 50 boxes takes the same number of SQL statements (MariaDB's
Com_select/Com_insert/Com_update/Com_delete), with a fixed pool so a new connection's set-up
SELECT is not counted. The semantics are boxtribute's (business_logic/warehouse/box/
mutations.py and crud.py); README "Deliberate choices" says where Depot differs.
Licensed under the Apache License 2.0.
"""
import json
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

DUMP = os.path.join(harness.SHARED, "data", "boxtribute-init.sql")
USER = 8
WRITTEN = ("stock", "history", "tags", "tags_relations", "qr")
COUNTERS = ("Com_select", "Com_insert", "Com_update", "Com_delete")
# Apollo Client's Accept: a request error (the beta-level refusal) is 400 then, as boxtribute
# answers it (README: 200 for a client accepting only application/json).
FRONT_END_ACCEPT = {"Accept": "application/graphql-response+json,application/json;q=0.9"}

# The front-end's documents as Apollo Client sends them (tests/queries/mutations/: ManageBoxes'
# delete, move, assign and remove-tags actions), __typename on every object included.
DELETE_BOXES = harness.read_query("mutations/DeleteBoxes.graphql")

MOVE_BOXES = harness.read_query("mutations/MoveBoxesToLocation.graphql")

# Every field of every union member, to check each error's fields (the front-end asks fewer);
# ResourceDoesNotExistError.id (ID) is aliased: it may not share a response key with
# UnauthorizedForBaseError.id (ID!).
MOVE_BOXES_ALL = """mutation Move($labelIdentifiers: [String!]!, $locationId: Int!) {
  moveBoxesToLocation(updateInput: { labelIdentifiers: $labelIdentifiers, locationId: $locationId }) {
    __typename
    ... on BoxesResult { updatedBoxes { labelIdentifier } invalidBoxLabelIdentifiers }
    ... on InsufficientPermissionError { name }
    ... on ResourceDoesNotExistError { resourceId: id name }
    ... on UnauthorizedForBaseError { id name organisationName }
    ... on DeletedLocationError { name }
  }
}"""

ASSIGN_TAGS = harness.read_query("mutations/AssignTagsToBoxes.graphql")

UNASSIGN_TAGS = harness.read_query("mutations/UnassignTagsFromBoxes.graphql")

TAG_ERRORS = """
    tagErrorInfo { id error { __typename
      ... on InsufficientPermissionError { name }
      ... on ResourceDoesNotExistError { resourceId: id name }
      ... on UnauthorizedForBaseError { id name organisationName }
      ... on TagTypeMismatchError { expectedType }
      ... on TagBaseMismatchError { _ }
      ... on DeletedTagError { name } } }"""

ASSIGN_TAGS_ALL = ("""mutation Assign($labelIdentifiers: [String!]!, $tagIds: [Int!]!) {
  assignTagsToBoxes(updateInput: { labelIdentifiers: $labelIdentifiers, tagIds: $tagIds }) {
    updatedBoxes { labelIdentifier } invalidBoxLabelIdentifiers""" + TAG_ERRORS + "\n  }\n}")

UNASSIGN_TAGS_ALL = ("""mutation Unassign($labelIdentifiers: [String!]!, $tagIds: [Int!]!) {
  unassignTagsFromBoxes(updateInput: { labelIdentifiers: $labelIdentifiers, tagIds: $tagIds }) {
    updatedBoxes { labelIdentifier } invalidBoxLabelIdentifiers""" + TAG_ERRORS + "\n  }\n}")

# boxtribute's bulk import (its Google Sheets add-on); no front-end page sends it.
CREATE_BOXES = """mutation CreateBoxes($input: [BoxBulkCreationInput!]) {
  createBoxes(creationInput: $input) {
    __typename
    ... on BoxesResult {
      updatedBoxes { id labelIdentifier numberOfItems comment state product { id } size { id }
        location { id } tags { id } createdOn createdBy { id } lastModifiedOn }
      invalidBoxLabelIdentifiers
    }
    ... on InsufficientPermissionError { name }
    ... on UnauthorizedForBaseError { id name organisationName }
    ... on DeletedBaseError { name }
    ... on ProductLocationBaseMismatchError { _ }
    ... on InvalidBaseError { ids }
  }
}"""

STATE = ("CASE s.box_state_id WHEN 1 THEN 'InStock' WHEN 2 THEN 'Lost' WHEN 3 THEN "
         "'MarkedForShipment' WHEN 4 THEN 'Receiving' WHEN 5 THEN 'Donated' WHEN 6 THEN 'Scrap' "
         "WHEN 7 THEN 'InTransit' WHEN 8 THEN 'NotDelivered' END")


def dt(column):
    """A DATETIME column as Depot's Datetime: ISO-8601 +00:00, zero dates and NULL -> null."""
    return (f"IF({column} IS NULL OR {column} = 0, NULL, "
            f"DATE_FORMAT({column}, '%Y-%m-%dT%H:%i:%s+00:00'))")


def js(expr):
    return f"JSON_EXTRACT({expr}, '$')"


LIVE_TAGS = ("(SELECT JSON_ARRAYAGG(JSON_OBJECT('id', CAST(t.id AS CHAR){typename}) ORDER BY t.id) "
             "FROM tags_relations tr JOIN tags t ON t.id = tr.tag_id "
             "WHERE tr.object_type = 'Stock' AND tr.object_id = s.id AND tr.deleted_on IS NULL "
             "AND (t.deleted IS NULL OR t.deleted = 0))")
MODIFIED_BY = ("IF(mu.id IS NULL, NULL, JSON_OBJECT('id', CAST(mu.id AS CHAR), 'name', mu.naam, "
               "'__typename', 'User'))")
TAGS_WITH_TYPENAME = LIVE_TAGS.format(typename=", '__typename', 'Tag'")
TAGS_PLAIN = LIVE_TAGS.format(typename="")
LOCATION_TYPE = ("(SELECT IF(l.type = 'MapDistroSpot', 'DistributionSpot', 'ClassicLocation') "
                 "FROM locations l WHERE l.id = s.location_id)")
# Each document's box, built from the tables.
BOX_SQL = {
    "delete": f"""JSON_OBJECT('labelIdentifier', s.box_id, 'deletedOn', {dt('s.deleted')},
        'product', JSON_OBJECT('id', CAST(s.product_id AS CHAR),
          'instockItemsCount', (SELECT COALESCE(SUM(x.items), 0) FROM stock x WHERE x.product_id = s.product_id
              AND x.box_state_id = 1 AND (x.deleted IS NULL OR x.deleted = 0)),
          'transferItemsCount', (SELECT COALESCE(SUM(x.items), 0) FROM stock x WHERE x.product_id = s.product_id
              AND x.box_state_id IN (3, 4, 7) AND (x.deleted IS NULL OR x.deleted = 0)),
          '__typename', 'Product'), '__typename', 'Box')""",
    "move": f"""JSON_OBJECT('labelIdentifier', s.box_id, 'state', {STATE},
        'location', JSON_OBJECT('id', CAST(s.location_id AS CHAR), '__typename', {LOCATION_TYPE}),
        'lastModifiedOn', {dt('s.modified')}, 'lastModifiedBy', {js(MODIFIED_BY)}, '__typename', 'Box')""",
    "tags": f"""JSON_OBJECT('labelIdentifier', s.box_id,
        'tags', {js(f"COALESCE({TAGS_WITH_TYPENAME}, '[]')")},
        'lastModifiedOn', {dt('s.modified')}, 'lastModifiedBy', {js(MODIFIED_BY)}, '__typename', 'Box')""",
    "create": f"""JSON_OBJECT('id', CAST(s.id AS CHAR), 'labelIdentifier', s.box_id, 'numberOfItems', s.items,
        'comment', s.comments, 'state', {STATE}, 'product', JSON_OBJECT('id', CAST(s.product_id AS CHAR)),
        'size', {js("IF(s.size_id IS NULL, NULL, JSON_OBJECT('id', CAST(s.size_id AS CHAR)))")},
        'location', JSON_OBJECT('id', CAST(s.location_id AS CHAR)),
        'tags', {js(f"COALESCE({TAGS_PLAIN}, '[]')")},
        'createdOn', {dt('s.created')},
        'createdBy', {js("IF(s.created_by IS NULL, NULL, JSON_OBJECT('id', CAST(s.created_by AS CHAR)))")},
        'lastModifiedOn', {dt('s.modified')})""",
}


def coordinator_permissions(base, write=True, assign=True):
    """boxtribute's base coordinator: every read in the base, stock:write and
    tag_relation:assign (each can be left out)."""
    perms = [f"base_{base}/{r}:read" for r in harness.RESOURCES]
    if write:
        perms.append(f"base_{base}/stock:write")
    if assign:
        perms.append(f"base_{base}/tag_relation:assign")
    return perms


class BulkFixture:
    """A database with Depot's DDL and demo data (a small base 1), rows written by the tests
    (locations, tags, boxes with labels of their own), tokens and Depot with a fixed pool."""

    @classmethod
    def start(cls, dump=False):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        if dump:
            cls.db.load_file(DUMP)
            cls.db.load_file(os.path.join(harness.REPO, "db", "indexes.sql"))
        else:
            harness.load_demo(cls.db, boxes=300)
        cls.keys = harness.Keys(cls.scratch.path)
        db = cls.db
        cls.org2_base = int(db.scalar("SELECT MIN(id) FROM camps WHERE organisation_id <> 1 "
                                      "AND (deleted IS NULL OR deleted = 0)"))
        cls.org2 = int(db.scalar(f"SELECT organisation_id FROM camps WHERE id = {cls.org2_base}"))
        # A base the base-1 coordinator has no permission in: of organisation 1 where there is
        # one (the demo data), else any other (boxtribute's dump has one base in organisation 1).
        cls.other_base = int(db.scalar(f"SELECT id FROM camps WHERE id NOT IN (1, {cls.org2_base}) "
                                       "AND (deleted IS NULL OR deleted = 0) ORDER BY organisation_id <> 1, id LIMIT 1"))
        cls.label_counter = 70000000
        # Locations: the tests' own, so no other box sits in them.
        cls.loc = {}
        for name, base, state, deleted in [("Bulk A", 1, 1, None), ("Bulk B", 1, 1, None),
                                           ("Bulk Donated", 1, 5, None), ("Bulk Lost", 1, 2, None),
                                           ("Bulk Gone", 1, 1, "2024-01-02 03:04:05"),
                                           ("Bulk Other", cls.other_base, 1, None),
                                           ("Bulk Org2", cls.org2_base, 1, None)]:
            db.sql(f"INSERT INTO locations (label, camp_id, type, box_state_id, deleted, seq) VALUES "
                   f"('{name}', {base}, 'Warehouse', {state}, {'NULL' if deleted is None else repr(deleted)}, 1)")
            cls.loc[name] = int(db.scalar(f"SELECT id FROM locations WHERE label = '{name}'"))
        cls.tag = {}
        for name, base, kind, deleted in [("bulk box", 1, "Stock", None), ("bulk all", 1, "All", None),
                                          ("bulk people", 1, "People", None),
                                          ("bulk deleted", 1, "Stock", "2024-02-03 04:05:06"),
                                          ("bulk other", cls.other_base, "Stock", None),
                                          ("bulk org2", cls.org2_base, "All", None)]:
            db.sql(f"INSERT INTO tags (label, color, camp_id, type, description, deleted, created) VALUES "
                   f"('{name}', '#aabbcc', {base}, '{kind}', '', {'NULL' if deleted is None else repr(deleted)}, "
                   f"'2024-01-01 00:00:00')")
            cls.tag[name] = int(db.scalar(f"SELECT id FROM tags WHERE label = '{name}'"))
        cls.product = int(db.scalar("SELECT MIN(p.id) FROM products p WHERE p.camp_id = 1 AND p.deleted IS NULL "
                                    "AND p.sizegroup_id NOT IN (28, 29) AND EXISTS (SELECT 1 FROM sizes_sizegroup ss "
                                    "WHERE ss.sizegroup_id = p.sizegroup_id)"))
        cls.size = int(db.scalar(f"SELECT MIN(ss.size_id) FROM sizes_sizegroup ss JOIN products p "
                                 f"ON p.sizegroup_id = ss.sizegroup_id WHERE p.id = {cls.product}"))
        cls.other_product = int(db.scalar(f"SELECT MIN(id) FROM products WHERE camp_id = {cls.other_base}"))
        cls.token = cls.keys.token(permissions=coordinator_permissions(1))
        cls.no_write = cls.keys.token(permissions=coordinator_permissions(1, write=False))
        cls.no_assign = cls.keys.token(permissions=coordinator_permissions(1, assign=False))
        cls.org2_user = cls.keys.token(sub="auth0|9", org=cls.org2, base_ids=(cls.org2_base,),
                                       roles=(f"base_{cls.org2_base}_coordinator",),
                                       permissions=coordinator_permissions(cls.org2_base))
        cls.god = cls.keys.token(sub="auth0|1", org="null", roles=("boxtribute_god",), permissions=[])
        cls.beta = {level: cls.keys.token(permissions=coordinator_permissions(1), beta=level) for level in (2, 5)}
        cls.depot = harness.Depot(db, cls.keys, cls.scratch.path, form="one", extra_env=harness.FIXED_POOL)

    @classmethod
    def stop(cls):
        codes = cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()
        assert codes == [0], f"depot did not exit cleanly on SIGTERM: {codes}"

    # -- rows the tests write ---------------------------------------------------------------

    def boxes(self, n, location, state=1, deleted=None, items=5):
        """n new boxes in a location; returns [(id, label)] in id order."""
        cls = type(self)
        labels = []
        for _ in range(n):
            cls.label_counter += 1
            labels.append(str(cls.label_counter))
        values = ", ".join(
            f"('{label}', {self.product}, {self.size}, {items}, {location}, {state}, '2024-05-06 07:08:09', 2, "
            f"'2024-05-06 07:08:09', 2, {'0' if deleted is None else repr(deleted)})" for label in labels)
        self.db.sql("INSERT INTO stock (box_id, product_id, size_id, items, location_id, box_state_id, created, "
                    f"created_by, modified, modified_by, deleted) VALUES {values}")
        return [(int(r[0]), r[1]) for r in self.db.sql(
            f"SELECT id, box_id FROM stock WHERE box_id IN ({','.join(repr(x) for x in labels)}) ORDER BY id")]

    def relate(self, box_id, tag_id, deleted_on=None):
        self.db.sql("INSERT INTO tags_relations (object_id, object_type, tag_id, created_on, created_by_id, deleted_on) "
                    f"VALUES ({box_id}, 'Stock', {tag_id}, '2024-01-01 00:00:00', 2, "
                    f"{'NULL' if deleted_on is None else repr(deleted_on)})")

    # -- requests and checks ----------------------------------------------------------------

    def send(self, query, variables, token=None, headers=None):
        status, response, _ = harness.post(self.depot.url, {"query": query, "variables": variables},
                                           token or self.token, headers=headers)
        return status, response

    def mutate(self, query, variables, token=None):
        status, response = self.send(query, variables, token)
        self.assertEqual(status, 200, response)
        self.assertNotIn("errors", response, response)
        return response["data"]

    def checksums(self):
        return self.db.sql("CHECKSUM TABLE " + ", ".join(WRITTEN))

    def assert_unchanged(self, query, variables, token=None, expect=None, status=200, headers=None):
        """Run a mutation that must change nothing; returns its answer."""
        before = self.checksums()
        got_status, response = self.send(query, variables, token, headers)
        self.assertEqual(got_status, status, response)
        self.assertEqual(self.checksums(), before, f"a refused call changed rows: {response}")
        if expect is not None:
            self.assertEqual(response.get("data"), expect, response)
        return response

    def unauthorized(self, base):
        """UnauthorizedForBaseError for a base, its names from the tables."""
        name, organisation = self.db.sql(f"SELECT c.name, o.label FROM camps c JOIN organisations o "
                                         f"ON o.id = c.organisation_id WHERE c.id = {base}")[0]
        return {"__typename": "UnauthorizedForBaseError", "id": str(base), "name": name,
                "organisationName": organisation}

    def utc_now(self):
        return self.db.scalar("SELECT UTC_TIMESTAMP()")

    def expected(self, kind, ids):
        """The document's boxes, in the order of ids, from the tables."""
        if not ids:
            return []
        rows = self.db.sql(f"SELECT s.id, {BOX_SQL[kind]} FROM stock s LEFT JOIN cms_users mu ON mu.id = s.modified_by "
                           f"WHERE s.id IN ({','.join(str(i) for i in ids)})")
        by_id = {int(r[0]): json.loads(r[1]) for r in rows}
        return [by_id[i] for i in ids]

    def history(self, ids, since_id):
        """The history rows written after since_id for these boxes, in id order."""
        return self.db.sql(f"SELECT tablename, record_id, changes, user_id, ip, changedate, from_int, to_int, "
                           f"from_float, to_float FROM history WHERE id > {since_id} AND tablename = 'stock' "
                           f"AND record_id IN ({','.join(str(i) for i in ids)}) ORDER BY id")

    def last_history_id(self):
        return int(self.db.scalar("SELECT COALESCE(MAX(id), 0) FROM history"))

    def assert_when(self, stamp, before, after):
        """A timestamp the mutation wrote lies between two readings of the server's UTC clock."""
        self.assertIsNotNone(stamp)
        self.assertTrue(before <= stamp <= after, f"{stamp} not within [{before}, {after}]")

    def statuses(self):
        """MariaDB's global statement counters, read in one statement."""
        names = ", ".join(f"'{c}'" for c in COUNTERS)
        values = dict(self.db.sql(f"SHOW GLOBAL STATUS WHERE Variable_name IN ({names})"))
        return [int(values[c]) for c in COUNTERS]

    def counts(self, query, variables, token=None):
        """The statements one mutation takes, by MariaDB's own counters (less what reading
        the counters itself adds)."""
        first = self.statuses()
        overhead = [b - a for a, b in zip(first, self.statuses())]
        before = self.statuses()
        status, response = self.send(query, variables, token)
        after = self.statuses()
        self.assertEqual(status, 200, response)
        self.assertNotIn("errors", response, response)
        counted = [a - b - o for a, b, o in zip(after, before, overhead)]
        # Depot's own count has the transaction's BEGIN and COMMIT besides.
        self.assertEqual(response["extensions"]["debug"]["sqlStatements"], sum(counted) + 2)
        return counted


class BulkMutations(BulkFixture, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.start()

    @classmethod
    def tearDownClass(cls):
        cls.stop()

    # -- deleteBoxes ------------------------------------------------------------------------

    def test_delete_boxes(self):
        """Boxes in a warehouse state are soft-deleted (stock.deleted = now, modified left
        alone) with one "Record deleted" history row each; boxes not found, deleted, in a
        state that may not be deleted, or of a base without stock:write are listed, sorted,
        as invalid and left alone."""
        live = self.boxes(3, self.loc["Bulk A"])
        lost = self.boxes(1, self.loc["Bulk Lost"], state=2)
        marked = self.boxes(1, self.loc["Bulk A"], state=3)
        gone = self.boxes(1, self.loc["Bulk A"], deleted="2024-03-03 03:03:03")
        other = self.boxes(1, self.loc["Bulk Other"])
        valid = live + lost
        labels = [b[1] for b in valid + marked + gone + other] + ["99999999", live[0][1]]
        mark = self.last_history_id()
        untouched = self.db.sql("SELECT id, modified, modified_by FROM stock WHERE id IN (%s) ORDER BY id"
                                % ",".join(str(b[0]) for b in valid))
        before = self.utc_now()
        data = self.mutate(DELETE_BOXES, {"labelIdentifiers": labels})
        after = self.utc_now()
        ids = [b[0] for b in valid]
        self.assertEqual(data["deleteBoxes"], {
            "__typename": "BoxesResult", "updatedBoxes": self.expected("delete", ids),
            "invalidBoxLabelIdentifiers": sorted(["99999999"] + [b[1] for b in marked + gone + other])})
        stamps = {r[0] for r in self.db.sql(f"SELECT deleted FROM stock WHERE id IN ({','.join(map(str, ids))})")}
        self.assertEqual(len(stamps), 1)
        now = stamps.pop()
        self.assert_when(now, before, after)
        self.assertEqual(self.db.sql("SELECT id, modified, modified_by FROM stock WHERE id IN (%s) ORDER BY id"
                                     % ",".join(map(str, ids))), untouched, "deleting does not touch modified")
        self.assertEqual(self.history(ids + [b[0] for b in marked + gone + other], mark),
                         [["stock", str(i), "Record deleted", str(USER), None, now, None, None, None, None] for i in ids])
        self.assertEqual(self.db.sql("SELECT deleted FROM stock WHERE id IN (%s) ORDER BY id"
                                     % ",".join(str(b[0]) for b in marked + gone + other)),
                         [["0000-00-00 00:00:00"], ["2024-03-03 03:03:03"], ["0000-00-00 00:00:00"]])

    def test_delete_boxes_refused(self):
        """Without stock:write: InsufficientPermissionError; a user of another organisation
        finds none of base 1's boxes; below beta level 3: the whole document is refused.
        Nothing changes in any case."""
        box = self.boxes(2, self.loc["Bulk A"])
        labels = [b[1] for b in box]
        self.assert_unchanged(DELETE_BOXES, {"labelIdentifiers": labels}, self.no_write,
                              {"deleteBoxes": {"__typename": "InsufficientPermissionError", "name": "stock:write"}})
        self.assert_unchanged(DELETE_BOXES, {"labelIdentifiers": labels}, self.org2_user,
                              {"deleteBoxes": {"__typename": "BoxesResult", "updatedBoxes": [],
                                               "invalidBoxLabelIdentifiers": sorted(labels)}})
        response = self.assert_unchanged(DELETE_BOXES, {"labelIdentifiers": labels}, self.beta[2], status=400,
                                         headers=FRONT_END_ACCEPT)
        self.assertEqual(response["errors"][0]["message"], "Insufficient beta-level")
        self.assert_unchanged(DELETE_BOXES, {"labelIdentifiers": []}, None,
                              {"deleteBoxes": {"__typename": "BoxesResult", "updatedBoxes": [],
                                               "invalidBoxLabelIdentifiers": []}})

    def test_delete_boxes_god(self):
        """A god user deletes boxes of any base."""
        boxes = self.boxes(1, self.loc["Bulk A"]) + self.boxes(1, self.loc["Bulk Org2"])
        data = self.mutate(DELETE_BOXES, {"labelIdentifiers": [b[1] for b in boxes]}, self.god)
        self.assertEqual(data["deleteBoxes"]["invalidBoxLabelIdentifiers"], [])
        self.assertEqual(data["deleteBoxes"]["updatedBoxes"], self.expected("delete", [b[0] for b in boxes]))
        self.assertEqual(self.db.scalar("SELECT COUNT(*) FROM history WHERE tablename = 'stock' AND changes = "
                                        f"'Record deleted' AND user_id = 1 AND record_id IN ({boxes[0][0]}, {boxes[1][0]})"), "2")

    # -- moveBoxesToLocation ------------------------------------------------------------------

    def test_move_boxes(self):
        """Boxes move with location_id history rows for every box, then box_state_id rows for
        boxes whose state the location's box state changes; modified and modified_by set;
        boxes already there, of another base, deleted or not in a warehouse state are
        invalid and left alone."""
        instock = self.boxes(2, self.loc["Bulk A"])
        donated = self.boxes(1, self.loc["Bulk Donated"], state=5)
        there = self.boxes(1, self.loc["Bulk B"])
        marked = self.boxes(1, self.loc["Bulk A"], state=3)
        gone = self.boxes(1, self.loc["Bulk A"], deleted="2024-03-03 03:03:03")
        other = self.boxes(1, self.loc["Bulk Other"])
        valid = instock + donated
        invalid = there + marked + gone + other
        mark = self.last_history_id()
        before = self.utc_now()
        data = self.mutate(MOVE_BOXES, {"labelIdentifiers": [b[1] for b in valid + invalid] + ["99999998"],
                                        "locationId": self.loc["Bulk B"]})
        after = self.utc_now()
        ids = [b[0] for b in valid]
        self.assertEqual(data["moveBoxesToLocation"], {
            "__typename": "BoxesResult", "updatedBoxes": self.expected("move", ids),
            "invalidBoxLabelIdentifiers": sorted([b[1] for b in invalid] + ["99999998"])})
        rows = self.db.sql(f"SELECT location_id, box_state_id, modified, modified_by FROM stock "
                           f"WHERE id IN ({','.join(map(str, ids))}) ORDER BY id")
        now = rows[0][2]
        self.assert_when(now, before, after)
        self.assertEqual(rows, [[str(self.loc["Bulk B"]), "1", now, str(USER)]] * 3)
        a, b, d = self.loc["Bulk A"], self.loc["Bulk B"], self.loc["Bulk Donated"]
        self.assertEqual(self.history(ids + [x[0] for x in invalid], mark), [
            ["stock", str(ids[0]), "location_id", str(USER), None, now, str(a), str(b), None, None],
            ["stock", str(ids[1]), "location_id", str(USER), None, now, str(a), str(b), None, None],
            ["stock", str(ids[2]), "location_id", str(USER), None, now, str(d), str(b), None, None],
            ["stock", str(ids[2]), "box_state_id", str(USER), None, now, "5", "1", None, None]])
        self.assertEqual(self.db.sql(f"SELECT location_id, modified FROM stock WHERE id IN "
                                     f"({','.join(str(x[0]) for x in invalid)}) ORDER BY id"),
                         [[str(b), "2024-05-06 07:08:09"], [str(a), "2024-05-06 07:08:09"],
                          [str(a), "2024-05-06 07:08:09"], [str(self.loc['Bulk Other']), "2024-05-06 07:08:09"]])

    def test_move_boxes_to_location_with_state(self):
        """A location with a box state (Donated) gives it to the boxes moved there, with a
        box_state_id history row each after the location_id rows."""
        boxes = self.boxes(2, self.loc["Bulk A"]) + self.boxes(1, self.loc["Bulk Lost"], state=2)
        ids = [b[0] for b in boxes]
        mark = self.last_history_id()
        data = self.mutate(MOVE_BOXES, {"labelIdentifiers": [b[1] for b in boxes], "locationId": self.loc["Bulk Donated"]})
        self.assertEqual(data["moveBoxesToLocation"]["updatedBoxes"], self.expected("move", ids))
        self.assertEqual([x["state"] for x in data["moveBoxesToLocation"]["updatedBoxes"]], ["Donated"] * 3)
        a, lost, d = str(self.loc["Bulk A"]), str(self.loc["Bulk Lost"]), str(self.loc["Bulk Donated"])
        self.assertEqual([(r[1], r[2], r[6], r[7]) for r in self.history(ids, mark)], [
            (str(ids[0]), "location_id", a, d), (str(ids[1]), "location_id", a, d), (str(ids[2]), "location_id", lost, d),
            (str(ids[0]), "box_state_id", "1", "5"), (str(ids[1]), "box_state_id", "1", "5"),
            (str(ids[2]), "box_state_id", "2", "5")])

    def test_move_boxes_errors(self):
        """Each union error member with its fields, and nothing changed: an unknown location
        (ResourceDoesNotExistError), a location of a base without stock:write
        (UnauthorizedForBaseError with the base's and organisation's names), a deleted
        location (DeletedLocationError), no stock:write at all (InsufficientPermissionError);
        a user of another organisation; below beta level 3."""
        labels = [b[1] for b in self.boxes(2, self.loc["Bulk A"])]
        missing = int(self.db.scalar("SELECT MAX(id) + 1000 FROM locations"))
        cases = [
            (missing, None, {"__typename": "ResourceDoesNotExistError", "resourceId": str(missing), "name": "Location"}),
            (self.loc["Bulk Other"], None, self.unauthorized(self.other_base)),
            (self.loc["Bulk Gone"], None, {"__typename": "DeletedLocationError", "name": "Bulk Gone"}),
            (self.loc["Bulk B"], self.no_write, {"__typename": "InsufficientPermissionError", "name": "stock:write"}),
            (self.loc["Bulk B"], self.org2_user, self.unauthorized(1)),
        ]
        for location, token, expect in cases:
            with self.subTest(expect=expect["__typename"], location=location):
                self.assert_unchanged(MOVE_BOXES_ALL, {"labelIdentifiers": labels, "locationId": location}, token,
                                      {"moveBoxesToLocation": expect})
        response = self.assert_unchanged(MOVE_BOXES, {"labelIdentifiers": labels, "locationId": self.loc["Bulk B"]},
                                         self.beta[2], status=400,
                                         headers=FRONT_END_ACCEPT)
        self.assertEqual(response["errors"][0]["message"], "Insufficient beta-level")

    def test_move_boxes_god(self):
        """A god user moves boxes of the location's base only (boxes of other bases are invalid)."""
        here = self.boxes(1, self.loc["Bulk A"])
        there = self.boxes(1, self.loc["Bulk Org2"])
        data = self.mutate(MOVE_BOXES, {"labelIdentifiers": [here[0][1], there[0][1]],
                                        "locationId": self.loc["Bulk B"]}, self.god)
        self.assertEqual(data["moveBoxesToLocation"]["invalidBoxLabelIdentifiers"], [there[0][1]])
        self.assertEqual(data["moveBoxesToLocation"]["updatedBoxes"], self.expected("move", [here[0][0]]))
        self.assertEqual(self.db.scalar(f"SELECT modified_by FROM stock WHERE id = {here[0][0]}"), "1")

    # -- assignTagsToBoxes -------------------------------------------------------------------

    def test_assign_tags(self):
        """Each box gets the tags it lacks (one tags_relations row per box and tag, created
        now by the user) and modified/modified_by; a box that has every tag already, or is
        deleted, of another base, not in a warehouse state or unknown, is invalid. No history
        rows (boxtribute writes none for tags)."""
        fresh = self.boxes(2, self.loc["Bulk A"])
        half = self.boxes(1, self.loc["Bulk A"])
        full = self.boxes(1, self.loc["Bulk A"])
        marked = self.boxes(1, self.loc["Bulk A"], state=3)
        gone = self.boxes(1, self.loc["Bulk A"], deleted="2024-03-03 03:03:03")
        other = self.boxes(1, self.loc["Bulk Other"])
        t_box, t_all = self.tag["bulk box"], self.tag["bulk all"]
        self.relate(half[0][0], t_box)
        self.relate(half[0][0], t_all, deleted_on="2024-01-02 00:00:00")  # an old, removed one
        self.relate(full[0][0], t_box)
        self.relate(full[0][0], t_all)
        mark_rel = int(self.db.scalar("SELECT MAX(id) FROM tags_relations"))
        mark = self.last_history_id()
        valid = fresh + half
        invalid = full + marked + gone + other
        before = self.utc_now()
        data = self.mutate(ASSIGN_TAGS, {"labelIdentifiers": [b[1] for b in valid + invalid] + ["99999997"],
                                         "tagIds": [t_all, t_box, t_box]})
        after = self.utc_now()
        ids = [b[0] for b in valid]
        self.assertEqual(data["assignTagsToBoxes"], {
            "__typename": "BoxesTagsOperationResult", "updatedBoxes": self.expected("tags", ids),
            "invalidBoxLabelIdentifiers": sorted([b[1] for b in invalid] + ["99999997"])})
        new = self.db.sql(f"SELECT object_id, object_type, tag_id, created_on, created_by_id, deleted_on, deleted_by_id "
                          f"FROM tags_relations WHERE id > {mark_rel} ORDER BY object_id, tag_id")
        now = new[0][3]
        self.assert_when(now, before, after)
        self.assertEqual(new, [
            [str(fresh[0][0]), "Stock", str(t_box), now, str(USER), None, None],
            [str(fresh[0][0]), "Stock", str(t_all), now, str(USER), None, None],
            [str(fresh[1][0]), "Stock", str(t_box), now, str(USER), None, None],
            [str(fresh[1][0]), "Stock", str(t_all), now, str(USER), None, None],
            [str(half[0][0]), "Stock", str(t_all), now, str(USER), None, None]])
        self.assertEqual(self.db.sql(f"SELECT modified, modified_by FROM stock WHERE id IN ({','.join(map(str, ids))})"),
                         [[now, str(USER)]] * 3)
        self.assertEqual(self.db.sql(f"SELECT DISTINCT modified FROM stock WHERE id IN "
                                     f"({','.join(str(b[0]) for b in invalid)})"), [["2024-05-06 07:08:09"]])
        self.assertEqual(self.history(ids, mark), [])

    def test_assign_tags_errors(self):
        """Tags not found, deleted, of type Beneficiary, or of a base the user may not read
        each get their TagErrorInfo; the valid tags are still assigned. Tags of two bases (a
        god user may use both) all get TagBaseMismatchError and nothing is assigned. With no
        valid tag: empty lists and nothing changed."""
        box = self.boxes(1, self.loc["Bulk A"])
        missing = int(self.db.scalar("SELECT MAX(id) + 1000 FROM tags"))
        t = self.tag
        data = self.mutate(ASSIGN_TAGS_ALL, {"labelIdentifiers": [box[0][1]],
                                             "tagIds": [missing, t["bulk deleted"], t["bulk people"], t["bulk other"],
                                                        t["bulk box"]]})
        errors = {
            missing: {"__typename": "ResourceDoesNotExistError", "resourceId": str(missing), "name": "Tag"},
            t["bulk deleted"]: {"__typename": "DeletedTagError", "name": "bulk deleted"},
            t["bulk people"]: {"__typename": "TagTypeMismatchError", "expectedType": "Box"},
            t["bulk other"]: self.unauthorized(self.other_base),
        }
        self.assertEqual(data["assignTagsToBoxes"], {
            "updatedBoxes": [{"labelIdentifier": box[0][1]}], "invalidBoxLabelIdentifiers": [],
            "tagErrorInfo": [{"id": str(k), "error": v} for k, v in sorted(errors.items())]})
        self.assertEqual(self.db.sql(f"SELECT tag_id FROM tags_relations WHERE object_id = {box[0][0]} "
                                     "AND object_type = 'Stock'"), [[str(t["bulk box"])]])
        # Two bases: every tag id gets TagBaseMismatchError; nothing written.
        two = sorted([t["bulk box"], t["bulk other"]])
        self.assert_unchanged(ASSIGN_TAGS_ALL, {"labelIdentifiers": [box[0][1]], "tagIds": two}, self.god, {
            "assignTagsToBoxes": {"updatedBoxes": [], "invalidBoxLabelIdentifiers": [],
                                  "tagErrorInfo": [{"id": str(i), "error": {"__typename": "TagBaseMismatchError", "_": None}}
                                                   for i in two]}})
        # No valid tag at all: nothing changes and the boxes are not looked at.
        self.assert_unchanged(ASSIGN_TAGS_ALL, {"labelIdentifiers": [box[0][1]], "tagIds": [missing]}, None, {
            "assignTagsToBoxes": {"updatedBoxes": [], "invalidBoxLabelIdentifiers": [],
                                  "tagErrorInfo": [{"id": str(missing), "error": errors[missing]}]}})

    def test_assign_tags_refused(self):
        """Without tag_relation:assign each tag gets InsufficientPermissionError; without
        stock:write likewise (stock:write); a user of another organisation is unauthorised for
        base 1's tags; below beta level 3 the document is refused. Nothing changes."""
        box = self.boxes(1, self.loc["Bulk A"])
        tag = self.tag["bulk box"]
        variables = {"labelIdentifiers": [box[0][1]], "tagIds": [tag]}
        for token, error in [
                (self.no_assign, {"__typename": "InsufficientPermissionError", "name": "tag_relation:assign"}),
                (self.no_write, {"__typename": "InsufficientPermissionError", "name": "stock:write"}),
                (self.org2_user, self.unauthorized(1))]:
            with self.subTest(error=error):
                self.assert_unchanged(ASSIGN_TAGS_ALL, variables, token, {"assignTagsToBoxes": {
                    "updatedBoxes": [], "invalidBoxLabelIdentifiers": [],
                    "tagErrorInfo": [{"id": str(tag), "error": error}]}})
        response = self.assert_unchanged(ASSIGN_TAGS, variables, self.beta[2], status=400,
                                         headers=FRONT_END_ACCEPT)
        self.assertEqual(response["errors"][0]["message"], "Insufficient beta-level")

    # -- unassignTagsFromBoxes -----------------------------------------------------------------

    def test_unassign_tags(self):
        """The boxes' live relations to the tags get deleted_on = now and deleted_by_id =
        the user, the boxes modified/modified_by; relations removed before stay as they
        were; boxes carrying none of the tags are invalid. A deleted tag may be unassigned
        (boxtribute allows it for legacy data)."""
        tagged = self.boxes(2, self.loc["Bulk A"])
        bare = self.boxes(1, self.loc["Bulk A"])
        t_box, t_deleted, t_all = self.tag["bulk box"], self.tag["bulk deleted"], self.tag["bulk all"]
        self.relate(tagged[0][0], t_box)
        self.relate(tagged[0][0], t_all)
        self.relate(tagged[1][0], t_deleted)
        self.relate(tagged[1][0], t_box, deleted_on="2024-01-02 00:00:00")
        self.relate(bare[0][0], t_box, deleted_on="2024-01-02 00:00:00")
        ids = [b[0] for b in tagged]
        before = self.utc_now()
        data = self.mutate(UNASSIGN_TAGS, {"labelIdentifiers": [b[1] for b in tagged + bare],
                                           "tagIds": [t_box, t_deleted]})
        after = self.utc_now()
        self.assertEqual(data["unassignTagsFromBoxes"], {
            "__typename": "BoxesTagsOperationResult",
            "updatedBoxes": self.expected("tags", ids), "invalidBoxLabelIdentifiers": [bare[0][1]],
            "tagErrorInfo": []})
        rows = self.db.sql(f"SELECT object_id, tag_id, deleted_on, deleted_by_id FROM tags_relations WHERE object_id IN "
                           f"({','.join(str(b[0]) for b in tagged + bare)}) AND object_type = 'Stock' ORDER BY id")
        now = rows[0][2]
        self.assert_when(now, before, after)
        self.assertEqual(rows, [
            [str(tagged[0][0]), str(t_box), now, str(USER)],
            [str(tagged[0][0]), str(t_all), None, None],
            [str(tagged[1][0]), str(t_deleted), now, str(USER)],
            [str(tagged[1][0]), str(t_box), "2024-01-02 00:00:00", None],
            [str(bare[0][0]), str(t_box), "2024-01-02 00:00:00", None]])
        self.assertEqual(self.db.sql(f"SELECT modified, modified_by FROM stock WHERE id IN "
                                     f"({','.join(str(b[0]) for b in tagged + bare)}) ORDER BY id"),
                         [[now, str(USER)], [now, str(USER)], ["2024-05-06 07:08:09", "2"]])

    def test_unassign_tags_refused(self):
        """Without tag_relation:assign, of another organisation, tags of two bases, tags not
        found: TagErrorInfo and nothing changed; below beta level 3 the document is refused."""
        box = self.boxes(1, self.loc["Bulk A"])
        self.relate(box[0][0], self.tag["bulk box"])
        tag = self.tag["bulk box"]
        missing = int(self.db.scalar("SELECT MAX(id) + 1000 FROM tags"))
        variables = {"labelIdentifiers": [box[0][1]], "tagIds": [tag]}
        for token, tags, errors in [
                (self.no_assign, [tag], [{"__typename": "InsufficientPermissionError", "name": "tag_relation:assign"}]),
                (self.org2_user, [tag], [self.unauthorized(1)]),
                (None, [missing], [{"__typename": "ResourceDoesNotExistError", "resourceId": str(missing), "name": "Tag"}]),
                (self.god, sorted([tag, self.tag["bulk org2"]]), [{"__typename": "TagBaseMismatchError", "_": None}] * 2)]:
            with self.subTest(errors=errors):
                self.assert_unchanged(UNASSIGN_TAGS_ALL, {"labelIdentifiers": [box[0][1]], "tagIds": tags}, token, {
                    "unassignTagsFromBoxes": {"updatedBoxes": [], "invalidBoxLabelIdentifiers": [],
                                              "tagErrorInfo": [{"id": str(i), "error": e} for i, e in zip(tags, errors)]}})
        response = self.assert_unchanged(UNASSIGN_TAGS, variables, self.beta[2], status=400,
                                         headers=FRONT_END_ACCEPT)
        self.assertEqual(response["errors"][0]["message"], "Insufficient beta-level")

    # -- createBoxes -------------------------------------------------------------------------

    def test_create_boxes(self):
        """Each row a new box (InStock, its 8-digit label, created/created_by now/user, no
        modified) with a "Record created" history row and its tags; the size found by name
        whatever its case, else the size range's "Mixed" with the original size in the
        comment; newTagNames create Box tags of the base (with their own "Record created"
        history row); a merge row adds its items to an existing box with an items history
        row; the result in input order, an invalid merge label listed as invalid."""
        db = self.db
        size_label = db.scalar(f"SELECT label FROM sizes WHERE id = {self.size}")
        mixed = db.scalar(f"SELECT s.id FROM sizes s JOIN sizes_sizegroup ss ON ss.size_id = s.id JOIN products p "
                          f"ON p.sizegroup_id = ss.sizegroup_id WHERE p.id = {self.product} AND LOWER(s.label) = 'mixed'")
        merge = self.boxes(1, self.loc["Bulk A"], items=7)
        merge_gone = self.boxes(1, self.loc["Bulk A"], deleted="2024-03-03 03:03:03")
        mark = self.last_history_id()
        mark_rel = int(db.scalar("SELECT MAX(id) FROM tags_relations"))
        mark_box = int(db.scalar("SELECT MAX(id) FROM stock"))
        rows = [
            {"productId": self.product, "sizeName": size_label.upper(), "numberOfItems": 3,
             "locationId": self.loc["Bulk A"], "comment": "first", "tagIds": [self.tag["bulk box"]],
             "newTagNames": ["bulk new"]},
            {"productId": self.product, "sizeName": size_label.lower(), "numberOfItems": 4,
             "locationId": self.loc["Bulk A"]},
            {"productId": self.product, "sizeName": "Tiny Giant", "locationId": self.loc["Bulk B"], "comment": "c"},
            {"productId": self.product, "sizeName": "x", "locationId": self.loc["Bulk A"],
             "boxLabelIdentifierForMerge": merge[0][1], "numberOfItems": 2},
            {"productId": self.product, "sizeName": "x", "locationId": self.loc["Bulk A"],
             "boxLabelIdentifierForMerge": merge_gone[0][1], "numberOfItems": 2},
        ]
        before = self.utc_now()
        data = self.mutate(CREATE_BOXES, {"input": rows})
        after = self.utc_now()
        new = [int(r[0]) for r in db.sql(f"SELECT id FROM stock WHERE id > {mark_box} ORDER BY id")]
        self.assertEqual(len(new), 3)
        result = data["createBoxes"]
        self.assertEqual(result["__typename"], "BoxesResult")
        self.assertEqual(result["invalidBoxLabelIdentifiers"], [merge_gone[0][1]])
        self.assertEqual(result["updatedBoxes"], self.expected("create", new + [merge[0][0]]))
        created = db.sql(f"SELECT box_id, product_id, size_id, items, location_id, comments, box_state_id, created, "
                         f"created_by, modified, modified_by, qr_id, display_unit_id, measure_value "
                         f"FROM stock WHERE id > {mark_box} ORDER BY id")
        now = created[0][7]
        self.assert_when(now, before, after)
        for row in created:
            self.assertRegex(row[0], r"^[0-9]{8}$")
        p, a, b = str(self.product), str(self.loc["Bulk A"]), str(self.loc["Bulk B"])
        self.assertEqual([r[1:] for r in created], [
            [p, str(self.size), "3", a, "first", "1", now, str(USER), None, None, None, None, None],
            [p, str(self.size), "4", a, "", "1", now, str(USER), None, None, None, None, None],
            [p, mixed, "0", b, "c; original size: 'tiny giant'", "1", now, str(USER), None, None, None, None, None]])
        new_tag = db.sql("SELECT id, camp_id, type, color, created, created_by, deleted FROM tags WHERE label = 'bulk new'")
        self.assertEqual(len(new_tag), 1)
        self.assertEqual(new_tag[0][1:3], ["1", "Stock"])
        self.assertRegex(new_tag[0][3], r"^#[0-9a-f]{6}$")
        self.assertEqual(new_tag[0][4:], [now, str(USER), None])
        self.assertEqual(db.sql(f"SELECT object_id, object_type, tag_id, created_on, created_by_id FROM tags_relations "
                                f"WHERE id > {mark_rel} ORDER BY object_id, tag_id"),
                         [[str(new[0]), "Stock", str(self.tag["bulk box"]), now, str(USER)],
                          [str(new[0]), "Stock", new_tag[0][0], now, str(USER)]])
        self.assertEqual(db.sql(f"SELECT tablename, record_id, changes, user_id, changedate, from_int, to_int "
                                f"FROM history WHERE id > {mark} ORDER BY id"),
                         [["tags", new_tag[0][0], "Record created", str(USER), now, None, None]]
                         + [["stock", str(i), "Record created", str(USER), now, None, None] for i in new]
                         + [["stock", str(merge[0][0]), "items", str(USER), now, "7", "9"]])
        self.assertEqual(db.sql(f"SELECT items, modified, modified_by FROM stock WHERE id = {merge[0][0]}"),
                         [["9", now, str(USER)]])

    def test_create_boxes_measure_product(self):
        """A measure product's size name such as "1.5kg" gives the display unit of that symbol
        and the value in the dimension's base unit; one that does not parse is noted in the
        comment and leaves size, unit and value empty."""
        db = self.db
        product = db.scalar("SELECT MIN(id) FROM products WHERE camp_id = 1 AND sizegroup_id = 28 AND deleted IS NULL")
        if product is None:
            self.skipTest("the demo data has no mass product in base 1")
        unit, factor = db.sql("SELECT id, conversion_factor FROM units WHERE symbol = 'g'")[0]
        mark_box = int(db.scalar("SELECT MAX(id) FROM stock"))
        self.mutate(CREATE_BOXES, {"input": [
            {"productId": int(product), "sizeName": "250 g", "locationId": self.loc["Bulk A"], "numberOfItems": 1},
            {"productId": int(product), "sizeName": "a bag", "locationId": self.loc["Bulk A"]}]})
        rows = db.sql(f"SELECT size_id, display_unit_id, measure_value, comments, items FROM stock WHERE id > {mark_box} "
                      "ORDER BY id")
        expected_value = db.scalar(f"SELECT CAST(250 / {factor} AS DECIMAL(36,18))")
        self.assertEqual(rows, [[None, unit, expected_value, "", "1"],
                                [None, None, None, "original size: 'a bag'", "0"]])

    def test_create_boxes_errors(self):
        """Each union error member with its fields, nothing changed: locations of two bases or
        none (InvalidBaseError with the sorted base ids), a product of another base
        (ProductLocationBaseMismatchError), products of two bases (InvalidBaseError), a
        deleted base (DeletedBaseError), a base without stock:write (UnauthorizedForBaseError),
        no stock:write or tag_relation:assign (InsufficientPermissionError); below beta level
        6 the document is refused."""
        row = {"productId": self.product, "sizeName": "x", "locationId": self.loc["Bulk A"]}
        other_row = {"productId": self.other_product, "sizeName": "x", "locationId": self.loc["Bulk Other"]}
        missing = int(self.db.scalar("SELECT MAX(id) + 1000 FROM locations"))
        deleted_base = self.deleted_base()
        cases = [
            ([row, other_row], self.god, {"__typename": "InvalidBaseError", "ids": sorted([1, self.other_base])}),
            ([dict(row, locationId=missing)], None, {"__typename": "InvalidBaseError", "ids": []}),
            ([dict(row, productId=self.other_product)], None, {"__typename": "ProductLocationBaseMismatchError", "_": None}),
            ([row, dict(row, productId=self.other_product)], None,
             {"__typename": "InvalidBaseError", "ids": sorted([1, self.other_base])}),
            ([deleted_base], self.god, {"__typename": "DeletedBaseError", "name": "Bulk closed base"}),
            ([other_row], None, self.unauthorized(self.other_base)),
            ([row], self.no_write, {"__typename": "InsufficientPermissionError", "name": "stock:write"}),
            ([row], self.no_assign, {"__typename": "InsufficientPermissionError", "name": "tag_relation:assign"}),
            ([row], self.org2_user, self.unauthorized(1)),
        ]
        for rows, token, expect in cases:
            with self.subTest(expect=expect):
                self.assert_unchanged(CREATE_BOXES, {"input": rows}, token, {"createBoxes": expect})
        response = self.assert_unchanged(CREATE_BOXES, {"input": [row]}, self.beta[5], status=400,
                                         headers=FRONT_END_ACCEPT)
        self.assertEqual(response["errors"][0]["message"], "Insufficient beta-level")
        self.assert_unchanged(CREATE_BOXES, {"input": []}, None, {"createBoxes": {
            "__typename": "BoxesResult", "updatedBoxes": [], "invalidBoxLabelIdentifiers": []}})

    def test_create_boxes_refuses_foreign_tags(self):
        """A tag id of another base, deleted, of type Beneficiary or unknown in a row is
        refused with BAD_USER_INPUT and nothing is created (boxtribute inserts the relation
        unchecked; Depot refuses it: README "Deliberate choices")."""
        missing = int(self.db.scalar("SELECT MAX(id) + 1000 FROM tags"))
        for tag in (self.tag["bulk other"], self.tag["bulk deleted"], self.tag["bulk people"], missing):
            with self.subTest(tag=tag):
                response = self.assert_unchanged(CREATE_BOXES, {"input": [
                    {"productId": self.product, "sizeName": "x", "locationId": self.loc["Bulk A"], "tagIds": [tag]}]})
                self.assertEqual(response.get("data"), {"createBoxes": None}, response)
                self.assertEqual(response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT")

    def deleted_base(self):
        """A row for a deleted base of organisation 1, with a location and a product there."""
        db = self.db
        db.sql("INSERT INTO camps (name, organisation_id, seq, deleted) VALUES ('Bulk closed base', 1, 99, "
               "'2024-01-01 00:00:00')")
        base = db.scalar("SELECT id FROM camps WHERE name = 'Bulk closed base'")
        db.sql(f"INSERT INTO locations (label, camp_id, seq) VALUES ('Bulk closed', {base}, 1)")
        db.sql(f"INSERT INTO products (name, category_id, gender_id, sizegroup_id, camp_id) SELECT 'Bulk closed', "
               f"category_id, gender_id, sizegroup_id, {base} FROM products WHERE id = {self.product}")
        return {"productId": int(db.scalar(f"SELECT id FROM products WHERE camp_id = {base}")), "sizeName": "x",
                "locationId": int(db.scalar(f"SELECT id FROM locations WHERE camp_id = {base}"))}

    def test_many_labels(self):
        """ManageBoxes' select-all on a large base: 3,000 labels in one call, ten of them boxes,
        in the same statements as one label."""
        boxes = self.boxes(10, self.loc["Bulk A"])
        unknown = [f"5{i:07d}" for i in range(2990)]
        counts = self.counts(MOVE_BOXES, {"labelIdentifiers": [b[1] for b in boxes] + unknown,
                                          "locationId": self.loc["Bulk B"]})
        self.assertEqual(self.db.sql(f"SELECT DISTINCT location_id FROM stock WHERE id IN "
                                     f"({','.join(str(b[0]) for b in boxes)})"), [[str(self.loc["Bulk B"])]])
        one = self.boxes(1, self.loc["Bulk A"])
        self.assertEqual(counts, self.counts(MOVE_BOXES, {"labelIdentifiers": [one[0][1]],
                                                          "locationId": self.loc["Bulk B"]}))
        data = self.mutate(DELETE_BOXES, {"labelIdentifiers": [b[1] for b in boxes] + unknown})
        self.assertEqual(data["deleteBoxes"]["invalidBoxLabelIdentifiers"], sorted(unknown))
        self.assertEqual(len(data["deleteBoxes"]["updatedBoxes"]), 10)

    # -- concurrent moves ----------------------------------------------------------------------

    def test_concurrent_moves_keep_history_consistent(self):
        """Four clients move the same 20 boxes between three locations at once, ten times
        each. The boxes are locked before each move decides, so every history row starts
        where the previous one of its box ended and the last one ends at the box's location
        and state (boxtribute reads the boxes unlocked: a concurrent move leaves a history row
        from a stale location)."""
        boxes = self.boxes(20, self.loc["Bulk A"])
        ids = [b[0] for b in boxes]
        labels = [b[1] for b in boxes]
        targets = [self.loc["Bulk A"], self.loc["Bulk B"], self.loc["Bulk Donated"]]
        mark = self.last_history_id()
        failures = []

        def client(k):
            for i in range(10):
                status, response = self.send(MOVE_BOXES, {"labelIdentifiers": labels,
                                                          "locationId": targets[(k + i) % 3]})
                if status != 200 or "errors" in response:
                    failures.append(response)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        final = {int(r[0]): (r[1], r[2]) for r in self.db.sql(
            f"SELECT id, location_id, box_state_id FROM stock WHERE id IN ({','.join(map(str, ids))})")}
        rows = self.history(ids, mark)
        for box in ids:
            for column, start, index in (("location_id", str(self.loc["Bulk A"]), 0), ("box_state_id", "1", 1)):
                chain = [(r[6], r[7]) for r in rows if r[1] == str(box) and r[2] == column]
                at = start
                for before, after in chain:
                    self.assertEqual(before, at, f"box {box}: a {column} row from a stale value")
                    self.assertNotEqual(before, after)
                    at = after
                self.assertEqual(at, final[box][index], f"box {box}: {column} history ends elsewhere")

    # -- statements independent of the number of boxes ------------------------------------------

    def test_statement_counts(self):
        """Each bulk mutation on 1, 10 and 50 boxes takes the same number of SELECTs, INSERTs,
        UPDATEs and DELETEs (MariaDB's own counters)."""
        t_box, t_all = self.tag["bulk box"], self.tag["bulk all"]
        for name in ("delete", "move", "assign", "unassign", "create"):
            seen = {}
            for n in (1, 10, 50):
                boxes = self.boxes(n, self.loc["Bulk A"])
                labels = [b[1] for b in boxes]
                if name == "delete":
                    seen[n] = self.counts(DELETE_BOXES, {"labelIdentifiers": labels})
                elif name == "move":
                    seen[n] = self.counts(MOVE_BOXES, {"labelIdentifiers": labels, "locationId": self.loc["Bulk Donated"]})
                elif name == "assign":
                    seen[n] = self.counts(ASSIGN_TAGS, {"labelIdentifiers": labels, "tagIds": [t_box, t_all]})
                elif name == "unassign":
                    for box in boxes:
                        self.relate(box[0], t_box)
                    seen[n] = self.counts(UNASSIGN_TAGS, {"labelIdentifiers": labels, "tagIds": [t_box, t_all]})
                else:
                    rows = [{"productId": self.product, "sizeName": "nothing", "numberOfItems": i,
                             "locationId": self.loc["Bulk A"], "tagIds": [t_box]} for i in range(n)]
                    seen[n] = self.counts(CREATE_BOXES, {"input": rows})
            with self.subTest(mutation=name, statements=seen):
                self.assertEqual(seen[1], seen[10])
                self.assertEqual(seen[1], seen[50])
                self.assertGreater(sum(seen[1]), 0)
            print(f"\n{name}: {dict(zip(COUNTERS, seen[1]))} for 1, 10 and 50 boxes, and BEGIN and COMMIT", end="")


@unittest.skipUnless(os.path.exists(DUMP), f"{DUMP} is absent: boxtribute's dump is not available here")
class BulkOnBoxtributeDump(BulkFixture, unittest.TestCase):
    """The same mutations on boxtribute's own database (utf8mb3 tables, its data)."""

    @classmethod
    def setUpClass(cls):
        cls.start(dump=True)

    @classmethod
    def tearDownClass(cls):
        cls.stop()

    def dump_boxes(self, n):
        """Live boxes of boxtribute's data in base 1, InStock, not in the tests' locations."""
        return [(int(r[0]), r[1]) for r in self.db.sql(
            "SELECT s.id, s.box_id FROM stock s JOIN locations l ON l.id = s.location_id WHERE l.camp_id = 1 "
            "AND s.box_state_id = 1 AND (s.deleted IS NULL OR s.deleted = 0) AND l.label NOT LIKE 'Bulk %' "
            f"ORDER BY s.id LIMIT {n}")]

    def test_move_tag_and_delete_dump_boxes(self):
        """boxtribute's own boxes: moved (history as boxtribute writes it), tagged, untagged
        and deleted, each checked against the tables."""
        boxes = self.dump_boxes(3)
        self.assertEqual(len(boxes), 3)
        ids, labels = [b[0] for b in boxes], [b[1] for b in boxes]
        olds = [r[0] for r in self.db.sql(f"SELECT location_id FROM stock WHERE id IN ({','.join(map(str, ids))}) ORDER BY id")]
        mark = self.last_history_id()
        data = self.mutate(MOVE_BOXES, {"labelIdentifiers": labels, "locationId": self.loc["Bulk B"]})
        self.assertEqual(data["moveBoxesToLocation"]["updatedBoxes"], self.expected("move", ids))
        now = self.db.scalar(f"SELECT modified FROM stock WHERE id = {ids[0]}")
        self.assertEqual(self.history(ids, mark),
                         [["stock", str(i), "location_id", str(USER), None, now, old, str(self.loc["Bulk B"]), None, None]
                          for i, old in zip(ids, olds)])
        tag = self.tag["bulk box"]
        data = self.mutate(ASSIGN_TAGS, {"labelIdentifiers": labels, "tagIds": [tag]})
        self.assertEqual(data["assignTagsToBoxes"]["updatedBoxes"], self.expected("tags", ids))
        self.assertEqual(self.db.scalar(f"SELECT COUNT(*) FROM tags_relations WHERE tag_id = {tag} AND deleted_on IS NULL "
                                        f"AND object_type = 'Stock' AND object_id IN ({','.join(map(str, ids))})"), "3")
        data = self.mutate(UNASSIGN_TAGS, {"labelIdentifiers": labels, "tagIds": [tag]})
        self.assertEqual(data["unassignTagsFromBoxes"]["updatedBoxes"], self.expected("tags", ids))
        self.assertEqual(self.db.scalar(f"SELECT COUNT(*) FROM tags_relations WHERE tag_id = {tag} AND deleted_on IS NULL "
                                        f"AND object_id IN ({','.join(map(str, ids))})"), "0")
        mark = self.last_history_id()
        data = self.mutate(DELETE_BOXES, {"labelIdentifiers": labels})
        self.assertEqual(data["deleteBoxes"]["updatedBoxes"], self.expected("delete", ids))
        self.assertEqual([r[2] for r in self.history(ids, mark)], ["Record deleted"] * 3)

    def test_create_boxes_on_dump(self):
        """createBoxes on boxtribute's tables: boxes, history and tag relations written."""
        mark_box = int(self.db.scalar("SELECT MAX(id) FROM stock"))
        rows = [{"productId": self.product, "sizeName": "nothing", "numberOfItems": i, "locationId": self.loc["Bulk A"],
                 "tagIds": [self.tag["bulk box"]]} for i in range(3)]
        data = self.mutate(CREATE_BOXES, {"input": rows})
        new = [int(r[0]) for r in self.db.sql(f"SELECT id FROM stock WHERE id > {mark_box} ORDER BY id")]
        self.assertEqual(data["createBoxes"]["updatedBoxes"], self.expected("create", new))
        self.assertEqual(self.db.scalar(f"SELECT COUNT(*) FROM history WHERE tablename = 'stock' AND changes = "
                                        f"'Record created' AND record_id > {mark_box}"), "3")

    def test_labels_the_tables_cannot_hold(self):
        """Labels boxtribute's utf8mb3 stock.box_id cannot hold (a four-byte emoji) or that
        hold U+0000 match no box: answered as invalid beside a box that is deleted, and
        nothing else changes."""
        box = self.dump_boxes(1)
        labels = ["\U0001F4E6", "1234\u00005678", box[0][1]]
        data = self.mutate(DELETE_BOXES, {"labelIdentifiers": labels})
        self.assertEqual(data["deleteBoxes"]["updatedBoxes"], self.expected("delete", [box[0][0]]))
        self.assertEqual(sorted(data["deleteBoxes"]["invalidBoxLabelIdentifiers"]), sorted(labels[:2]))

    def test_statement_counts_on_dump(self):
        """moveBoxesToLocation on 1 and 10 of boxtribute's boxes: the same statements."""
        boxes = self.dump_boxes(11)
        one = self.counts(MOVE_BOXES, {"labelIdentifiers": [boxes[0][1]], "locationId": self.loc["Bulk A"]})
        ten = self.counts(MOVE_BOXES, {"labelIdentifiers": [b[1] for b in boxes[1:]], "locationId": self.loc["Bulk A"]})
        self.assertEqual(one, ten)


if __name__ == "__main__":
    unittest.main()
