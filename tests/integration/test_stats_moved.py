"""Statistics cubes movedBoxes and stockOverview (issue 17), on db/ddl.sql with the rows of
stats_moved_data.py (boxes created, moved, donated and back, deleted and undeleted, shipped, lost,
re-produced and tagged over a span of days in four bases of three organisations), and on
boxtribute's dump.

Expected facts come from Python over the test's own rows (stats_moved_data.py) and from
boxtribute's own SQL (business_logic/statistics/sql.py, read from boxtribute's repository and run
here): Depot computes movedBoxes in one pass over history where boxtribute runs ten correlated
subqueries per history row, and this proves the answers are the same. stockOverview differs from
boxtribute's on purpose in one case (a box whose only tags are deleted ones is counted; README).
Also: the dimensions against SQL, authorisation as a base coordinator, a user without a
permission, another organisation's user and a god user, the statviz dashboard's own documents
(tests/queries/statistics/), and the statements per request (extensions.debug.sqlStatements),
the same whatever the number of facts.
Licensed under the Apache License 2.0.
"""
import collections
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boxtribute_sql  # noqa: E402
import harness  # noqa: E402
import replica  # noqa: E402
from statistics_cases import Callers, DepotPerClass  # noqa: E402
import stats_moved_data as data  # noqa: E402
from read_exact import DUMP, GENDERS, STATES  # noqa: E402

MOVED = """query($b: Int!) { movedBoxes(baseId: $b) { facts { movedOn targetId categoryId productName gender
           sizeId dimensionId absoluteMeasureValue organisationName tagIds itemsCount boxesCount }
           dimensions { category { id name } size { id name } tag { id name color }
           target { id name type deletedOn } dimension { id name } } } }"""
STOCK = """query($b: Int!) { stockOverview(baseId: $b) { facts { categoryId productName gender sizeId
           dimensionId absoluteMeasureValue tagIds locationId boxState itemsCount boxesCount }
           dimensions { category { id name } size { id name } tag { id name color }
           location { id name } dimension { id name } } } }"""
STATVIZ_MOVED = harness.read_query(os.path.join("statistics", "movedBoxes.graphql"))
STATVIZ_STOCK = harness.read_query(os.path.join("statistics", "stockOverview.graphql"))

needs_boxtribute = unittest.skipUnless(boxtribute_sql.STATEMENTS,
                                       f"boxtribute's repository is not at {boxtribute_sql.REPO}")


def boxtribute_moved(db, base):
    """boxtribute's compute_moved_boxes(base) facts, as Depot's MovedBoxesResult, in a Counter.
    Its NULL items of boxes without a number of items (an error in its GraphQL answer) are
    Depot's 0 (README)."""
    facts = collections.Counter()
    for (_, moved_on, category, name, gender, size, measure, dimension, tags, target, organisation, _,
         boxes, items) in db.sql(boxtribute_sql.moved_boxes(base)):
        facts[data.fact(moved_on, target, int(category), name, int(gender), size and int(size),
                        dimension and int(dimension), measure and float(measure), organisation,
                        [int(t) for t in (tags or "").split(",") if t], int(items or 0), int(boxes))] += 1
    return facts


def boxtribute_stock(db, base, tag_ids=None, excluded_tag_ids=None):
    """boxtribute's compute_stock_overview(base, tag_ids, excluded_tag_ids) facts as
    StockOverviewResult tuples (stats_moved_data.STOCK_FIELDS), in a Counter; NULL items as
    Depot's 0, as boxtribute_moved."""
    facts = collections.Counter()
    for (size, location, state, category, name, measure, dimension, gender, tags, boxes,
         items) in db.sql(boxtribute_sql.stock_overview(base, tag_ids, excluded_tag_ids)):
        facts[(int(category), name, GENDERS[int(gender)], size and int(size), dimension and int(dimension),
               measure and float(measure), tuple(int(t) for t in (tags or "").split(",") if t),
               int(location), STATES[int(state) - 1], int(items or 0), int(boxes))] += 1
    return facts


class MovedCases(DepotPerClass):
    """The cases that hold on any data: Depot against boxtribute's SQL, dimensions against SQL."""

    BASES = ()
    DEPOT_ENV = harness.FIXED_POOL

    @classmethod
    def tokens(cls):
        cls.coordinator = cls.coordinator_token((1, 2))
        cls.other = cls.coordinator_token((4,), sub="auth0|2", org=3)
        # Base 3's coordinator: organisation 2, whose base 3 an Accepted agreement links to base 1.
        cls.partner = cls.coordinator_token((3,), sub="auth0|2", org=2)
        cls.without = cls.tokens_lacking((1, 2), ("stock:read", "location:read", "history:read",
                                                   "tag_relation:read", "size:read"))
        cls.token = cls.god = cls.god_token()

    def cube(self, query, field, base, token=None):
        body = self.ask_cube(query, base, token)
        self.assertNotIn("errors", body, body)
        return body["data"][field]

    def moved_facts(self, base, token=None):
        cube = self.cube(MOVED, "movedBoxes", base, token)
        return collections.Counter(data.as_fact(f) for f in cube["facts"]), cube

    def stock_facts(self, base, token=None):
        cube = self.cube(STOCK, "stockOverview", base, token)
        return collections.Counter(data.as_stock_fact(f) for f in cube["facts"]), cube

    # --- the same answers as boxtribute's SQL ------------------------------------------------------

    @needs_boxtribute
    def test_moved_boxes_as_boxtributes_sql(self):
        for base in self.BASES:
            with self.subTest(base=base):
                depot, _ = self.moved_facts(base)
                self.assertEqual(depot, boxtribute_moved(self.db, base))

    @needs_boxtribute
    def test_stock_overview_as_boxtributes_sql(self):
        for base in self.BASES:
            with self.subTest(base=base):
                depot, _ = self.stock_facts(base)
                self.assertEqual(depot - boxtribute_stock(self.db, base), self.only_depot_counts(base))
                self.assertEqual(boxtribute_stock(self.db, base) - depot, collections.Counter())

    def only_depot_counts(self, base):
        """The stock facts Depot answers and boxtribute's SQL leaves out: boxes whose only tags
        are deleted ones (none on boxtribute's dump)."""
        return collections.Counter()

    # --- dimensions ------------------------------------------------------------------------------

    def test_dimensions(self):
        categories = [{"id": int(i), "name": n} for i, n in
                      self.db.sql("SELECT id, label FROM product_categories ORDER BY id")]
        measures = [{"id": int(i), "name": n} for i, n in
                    self.db.sql("SELECT id, label FROM sizegroup WHERE id IN (28, 29) ORDER BY id")]

        def named(table, ids, name="label", extra=""):
            if not ids:
                return []
            return [dict({"id": int(r[0]), "name": r[1]}, **({"color": r[2]} if extra else {}))
                    for r in self.db.sql(f"SELECT id, {name}{extra} FROM {table} WHERE id IN "
                                         f"({','.join(map(str, sorted(ids)))}) ORDER BY id")]
        for base in self.BASES:
            with self.subTest(base=base):
                _, moved = self.moved_facts(base)
                facts = moved["facts"]
                dims = moved["dimensions"]
                self.assertEqual(dims["category"], categories)
                self.assertEqual(dims["dimension"], measures)
                self.assertEqual(dims["size"], named("sizes", {f["sizeId"] for f in facts if f["sizeId"]}))
                self.assertEqual(dims["tag"], named("tags", {t for f in facts for t in f["tagIds"]},
                                                    extra=", color"))
                self.assertEqual(sorted(dims["target"], key=lambda t: (t["type"], t["id"])),
                                 self.expected_targets(facts))
                _, stock = self.stock_facts(base)
                facts = stock["facts"]
                dims = stock["dimensions"]
                self.assertEqual(dims["category"], categories)
                self.assertEqual(dims["dimension"], measures)
                self.assertEqual(dims["size"], named("sizes", {f["sizeId"] for f in facts if f["sizeId"]}))
                self.assertEqual(dims["location"], named("locations", {f["locationId"] for f in facts}))
                self.assertEqual(dims["tag"], named("tags", {t for f in facts for t in f["tagIds"]},
                                                    extra=", color"))

    def expected_targets(self, facts):
        """boxtribute's target dimension: a location's id, name and deletion day; otherwise the
        id, and as name the id without its going-to-/sent-from- prefix."""
        types = {"Deleted": "BoxState", "Lost": "BoxState", "Scrap": "BoxState"}
        targets = set()
        for f in facts:
            target = f["targetId"]
            if target.isdigit():
                label, deleted = self.db.sql(f"SELECT label, DATE(deleted) FROM locations WHERE id = {target}")[0]
                targets.add((target, label, "OutgoingLocation", deleted))
            elif target.startswith("going-to-"):
                targets.add((target, target[len("going-to-"):], "OutgoingShipment", None))
            elif target.startswith("sent-from-"):
                targets.add((target, target[len("sent-from-"):], "IncomingShipment", None))
            else:
                targets.add((target, target, types[target], None))
        return sorted(({"id": i, "name": n, "type": t, "deletedOn": d} for i, n, t, d in targets),
                      key=lambda t: (t["type"], t["id"]))

    # --- the statviz dashboard's documents ------------------------------------------------------

    def test_statviz_documents(self):
        for base in self.BASES:
            with self.subTest(base=base):
                body = self.ask(STATVIZ_MOVED, {"baseId": base})
                self.assertNotIn("errors", body, body)
                cube = body["data"]["movedBoxes"]
                self.assertEqual(cube["__typename"], "MovedBoxesData")
                self.assertEqual({f["__typename"] for f in cube["facts"]} - {"MovedBoxesResult"}, set())
                fields = ("movedOn", "targetId", "categoryId", "sizeId", "boxesCount", "itemsCount", "gender",
                          "productName", "tagIds", "organisationName")
                full, _ = self.moved_facts(base)
                expected = collections.Counter(tuple(kv for kv in fact if kv[0] in fields) for fact in full)
                sent = collections.Counter(data.as_fact(dict(f, dimensionId=None, absoluteMeasureValue=None))
                                           for f in cube["facts"])
                self.assertEqual(collections.Counter(tuple(kv for kv in fact if kv[0] in fields) for fact in sent),
                                 expected)
                self.assertEqual({t["__typename"] for t in cube["dimensions"]["target"]} - {"TargetDimensionInfo"},
                                 set())
                body = self.ask(STATVIZ_STOCK, {"baseId": base})
                self.assertNotIn("errors", body, body)
                cube = body["data"]["stockOverview"]
                self.assertEqual(cube["__typename"], "StockOverviewData")
                full, whole = self.stock_facts(base)
                self.assertEqual(sum(f["boxesCount"] for f in cube["facts"]),
                                 sum(f["boxesCount"] for f in whole["facts"]))
                self.assertEqual([dict(t, __typename=None) for t in cube["dimensions"]["tag"]],
                                 [dict(t, __typename=None) for t in whole["dimensions"]["tag"]])


class MovedOnDepotDDL(MovedCases, unittest.TestCase):
    """Depot's DDL with the rows of stats_moved_data.story(): the cases above, and Depot against
    Python over those rows."""

    BASES = (1, 2, 3)

    @classmethod
    def load(cls, db):
        db.load_file(os.path.join(harness.REPO, "db", "ddl.sql"))
        harness.load_depot_tables(db)
        db.sql(data.FIXED_ROWS)
        cls.story = data.story()
        db.load_bytes(cls.story.sql().encode())

    def tables(self):
        """The story and the fixed rows it refers to, read back from the test's own tables."""
        products = {int(i): (n, int(c), int(g), int(b)) for i, n, c, g, b in
                    self.db.sql("SELECT id, name, category_id, gender_id, camp_id FROM products")}
        locations = {int(i): (label, int(b), deleted) for i, label, b, deleted in
                     self.db.sql("SELECT id, label, camp_id, deleted FROM locations")}
        camps = {int(i): (n, o) for i, n, o in self.db.sql(
            "SELECT c.id, c.name, o.label FROM camps c JOIN organisations o ON o.id = c.organisation_id")}
        units = {int(i): int(d) for i, d in self.db.sql("SELECT id, dimension_id FROM units")}
        deleted_tags = {int(r[0]) for r in self.db.sql("SELECT id FROM tags WHERE deleted IS NOT NULL")}
        return data.Tables(self.story, products, locations, camps, units, deleted_tags)

    def only_depot_counts(self, base):
        # Box 3's only live tag relation is to tag 3, deleted: boxtribute's join drops the box.
        t = self.tables()
        return data.expected_stock(t, base) - data.expected_stock(t, base, as_boxtribute_drops=True)

    def test_moved_boxes_as_python_over_the_rows(self):
        t = self.tables()
        for base in self.BASES:
            with self.subTest(base=base):
                depot, _ = self.moved_facts(base)
                self.assertEqual(depot, data.expected_moved(t, base))
                self.assertTrue(depot, "no facts: the test's rows are wrong")

    def test_moved_boxes_cases_one_by_one(self):
        """The story's cases, each visible in base 1's facts as written out here."""
        depot, _ = self.moved_facts(1)

        def count(day, target, **fields):
            return sum(n * dict(f)["boxesCount"] for f, n in depot.items()
                       if dict(f)["movedOn"] == day and dict(f)["targetId"] == target
                       and all(dict(f)[k] == v for k, v in fields.items()))
        # 5 January: boxes 1 and 7 donated at the Donated location (their location row came
        # first), boxes 2 and 8 at WH (the state row came first, or alone).
        self.assertEqual(count("2024-01-05", "2", productName="jacket"), 2)
        self.assertEqual(count("2024-01-05", "1", productName="jacket"), 2)
        # 6 January: box 2 back and forth and back: one version each way, by the location it
        # was at (the second return is the first's version again and counts once).
        self.assertEqual(count("2024-01-06", "2", productName="jacket"), -1)
        self.assertEqual(count("2024-01-06", "1", productName="jacket"), 1)
        # Box 3 created Donated at location 2, its measure rounded to three digits.
        rice = [dict(f) for f in depot if dict(f)["movedOn"] == "2024-01-04" and dict(f)["productName"] == "rice"]
        self.assertEqual([(r["targetId"], r["absoluteMeasureValue"], r["dimensionId"]) for r in rice],
                         [("2", 12.3, 28)])
        # Box 4 deleted, undeleted, deleted: +1, -1, +1 on three days.
        self.assertEqual([count(f"2024-01-0{d}", "Deleted") for d in (7, 8, 9)], [1, -1, 1])
        # Lost and Scrap; shipped out to Athens, the removed box not counted.
        self.assertEqual((count("2024-01-10", "Lost"), count("2024-01-10", "Scrap")), (1, 1))
        self.assertEqual(count("2024-01-11", "going-to-Athens", organisationName="BoxCare"), 1)
        # Box 8's items at its donation: 12, the next change's old value.
        box8 = [dict(f) for f in depot if dict(f)["movedOn"] == "2024-01-05" and dict(f)["itemsCount"] == 12]
        self.assertEqual(len(box8), 1)
        # Box 15's state change without a new state is none: only its real donation on the 6th.
        soap = [dict(f) for f in depot if dict(f)["productName"] == "soap"]
        self.assertEqual(sorted((s["movedOn"], s["targetId"], s["boxesCount"], s["itemsCount"]) for s in soap),
                         [("2024-01-05", "2", 1, 0),        # box 18: no number of items, none counted
                          ("2024-01-06", "1", 1, 1)])

    def test_history_of_another_table_is_not_the_boxes(self):
        """boxtribute's subqueries look for a box's changes in every table's history rows; a
        products row with the box's id and an `items` change is not the box's (README)."""
        before, _ = self.moved_facts(1)
        self.db.sql("INSERT INTO history (id, tablename, record_id, changes, changedate, from_int, to_int) "
                    "VALUES (999999, 'products', 15, 'items', '2024-01-04 10:00:00', 50, 60)")
        try:
            after, _ = self.moved_facts(1)
            self.assertEqual(after, before)
            self.assertEqual(after, data.expected_moved(self.tables(), 1))
            if boxtribute_sql.STATEMENTS:
                soap = [dict(f) for f in boxtribute_moved(self.db, 1)
                        if dict(f)["productName"] == "soap" and dict(f)["movedOn"] == "2024-01-06"]
                # The products row, after box 15's donation, is its "next items change": 50.
                self.assertEqual([s["itemsCount"] for s in soap], [50])
        finally:
            self.db.sql("DELETE FROM history WHERE id = 999999")

    def test_stock_overview_as_python_over_the_rows(self):
        t = self.tables()
        for base in self.BASES:
            with self.subTest(base=base):
                depot, _ = self.stock_facts(base)
                self.assertEqual(depot, data.expected_stock(t, base))
        # Box 3, whose only tag is deleted, is counted without tags; box 16, in a deleted
        # location, is not.
        depot = [dict(zip(data.STOCK_FIELDS, f)) for f in self.stock_facts(1)[0]]
        box3 = [f for f in depot if f["productName"] == "rice" and f["absoluteMeasureValue"] == 12.3]
        self.assertEqual([(f["tagIds"], f["boxesCount"], f["locationId"]) for f in box3], [((), 1, 2)])
        self.assertFalse([f for f in depot if f["locationId"] == 3])

    def test_refusals(self):
        cases = [
            (MOVED, "movedBoxes", 4, self.coordinator, "base=4"),           # another organisation's base
            (MOVED, "movedBoxes", 1, self.other, "base=1"),
            (STOCK, "stockOverview", 1, self.other, "base=1"),
            (MOVED, "movedBoxes", 99, self.coordinator, "base=99"),         # not even there
            (MOVED, "movedBoxes", 1, self.without["history:read"], "history:read"),
            (MOVED, "movedBoxes", 1, self.without["location:read"], "location:read"),
            (STOCK, "stockOverview", 1, self.without["tag_relation:read"], "tag_relation:read"),
            (STOCK, "stockOverview", 1, self.without["stock:read"], "stock:read"),
            (STOCK, "stockOverview", 1, self.without["size:read"], "size:read"),
        ]
        for query, field, base, token, denied in cases:
            with self.subTest(field=field, base=base, denied=denied):
                body = self.ask_cube(query, base, token)
                self.assertIsNone(body["data"][field])
                error = body["errors"][0]
                self.assertEqual(error["extensions"]["code"], "FORBIDDEN")
                self.assertEqual(error["extensions"]["description"], f"You don't have access to '{denied}'")

    def test_coordinator_reads_its_bases_and_god_an_unknown_one_does_not_exist(self):
        t = self.tables()
        for base in (1, 2):
            depot, _ = self.moved_facts(base, self.coordinator)
            self.assertEqual(depot, data.expected_moved(t, base))
            depot, _ = self.stock_facts(base, self.coordinator)
            self.assertEqual(depot, data.expected_stock(t, base))
        for query, field in ((MOVED, "movedBoxes"), (STOCK, "stockOverview")):
            body = self.ask_cube(query, 99)
            self.assertIsNone(body["data"][field])
            self.assertEqual(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT")

    def test_another_organisation_through_an_accepted_agreement(self):
        """boxtribute's authorize_cross_organisation_access: base 3's coordinator reads base 1
        (the agreement links them) but not base 2 (no agreement)."""
        t = self.tables()
        depot, _ = self.moved_facts(1, self.partner)
        self.assertEqual(depot, data.expected_moved(t, 1))
        depot, _ = self.stock_facts(1, self.partner)
        self.assertEqual(depot, data.expected_stock(t, 1))
        for query, field in ((MOVED, "movedBoxes"), (STOCK, "stockOverview")):
            body = self.ask_cube(query, 2, self.partner)
            self.assertIsNone(body["data"][field])
            self.assertEqual(body["errors"][0]["extensions"]["code"], "FORBIDDEN")

    def test_statements_do_not_depend_on_the_rows(self):
        # The facts and the base in the first wave, then one LOAD per dimension kind loaded:
        # movedBoxes' targets come with its facts, categories and measures need no fact.
        expected = {"movedBoxes": 6, "stockOverview": 7}
        counts = collections.defaultdict(dict)
        for query, field in ((MOVED, "movedBoxes"), (STOCK, "stockOverview")):
            for base in (1, 2):
                body = self.ask_cube(query, base)
                self.assertNotIn("errors", body)
                counts[field][base] = (body["extensions"]["debug"]["sqlStatements"],
                                       len(body["data"][field]["facts"]))
        for field, by_base in counts.items():
            with self.subTest(field=field):
                self.assertNotEqual(by_base[1][1], by_base[2][1])       # different numbers of facts
                self.assertEqual({b: s for b, (s, _) in by_base.items()}, {1: expected[field], 2: expected[field]})
        # The statviz documents load only the dimensions they select: movedBoxes' category and
        # size (its targets cost none), stockOverview's category, size, tag and location.
        for document, field, statements in ((STATVIZ_MOVED, "movedBoxes", 4), (STATVIZ_STOCK, "stockOverview", 6)):
            for base in (1, 2):
                with self.subTest(document=field, base=base):
                    body = self.ask(document, {"baseId": base})
                    self.assertEqual(body["extensions"]["debug"]["sqlStatements"], statements)


class MovedOnReplica(Callers, replica.ReplicaTestCase):
    """With a read replica (two private mariadbd with GTID replication, as
    replica.py starts them), both cubes read the replica only: its SELECTs by
    Depot's user rise by exactly the statements Depot reports, the primary's do not move, and a
    donation on the primary shows only once the replica has it."""

    GRANTS = "SELECT"

    @classmethod
    def load(cls):
        MovedOnDepotDDL.load.__func__(cls, cls.primary)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.god_token()

    def donated_on_the_12th(self):
        body = self.ask_ok(MOVED, {"b": 1})
        facts = [f for f in body["data"]["movedBoxes"]["facts"] if f["movedOn"] == "2024-01-12"
                 and f["targetId"] == "2"]
        return sum(f["boxesCount"] for f in facts), body["extensions"]["debug"]["sqlStatements"]

    def test_cubes_read_the_replica(self):
        self.servers.catch_up()
        started = time.monotonic()
        while True:         # Depot's first connection to the replica may still be opening
            before = self.servers.selects_each()
            body = self.ask_cube(STOCK, 1)
            after = self.servers.selects_each()
            if after[0] == before[0] or time.monotonic() - started > 10:
                break
        self.assertNotIn("errors", body)
        self.assertEqual(after[0], before[0])
        self.assertEqual(after[1] - before[1], body["extensions"]["debug"]["sqlStatements"])
        before = self.servers.selects_each()
        count, statements = self.donated_on_the_12th()
        self.assertEqual(count, 0)
        self.assertEqual(self.servers.selects_each(), (before[0], before[1] + statements))
        # A donation on the primary while the replica's SQL thread is stopped: not seen until
        # replication catches up.
        with self.servers.lagging():
            self.primary.sql("INSERT INTO history (tablename, record_id, changes, user_id, changedate, from_int, "
                             "to_int) VALUES ('stock', 12, 'location_id', 8, '2024-01-12 11:00:00', 1, 2), "
                             "('stock', 12, 'box_state_id', 8, '2024-01-12 11:00:00', 1, 5)")
            self.assertEqual(self.donated_on_the_12th()[0], 0)
        self.servers.catch_up()
        self.assertEqual(self.donated_on_the_12th()[0], 1)


@unittest.skipUnless(os.path.exists(DUMP), f"{DUMP} is absent: boxtribute's dump is not available here")
class MovedOnBoxtributeDump(MovedCases, unittest.TestCase):
    """boxtribute's dump: every base, as a god user."""

    BASES = (1, 2, 3, 4)

    @classmethod
    def load(cls, db):
        db.load_file(DUMP)
        db.load_file(os.path.join(harness.REPO, "db", "indexes.sql"))

    def test_dump_has_moves_of_every_kind(self):
        """The sameness above means something: the dump moves boxes each way."""
        kinds = collections.Counter()
        for base in self.BASES:
            depot, _ = self.moved_facts(base)
            for f in depot:
                target = dict(f)["targetId"]
                kinds["location" if target.isdigit() else target.split("-")[0]] += 1
        self.assertTrue(kinds["location"] and kinds["going"] and kinds["sent"], kinds)


if __name__ == "__main__":
    unittest.main()
