"""Reads exactly as boxtribute answers them, for every kind of user, on two databases:
boxtribute's own dump (../shared/data/boxtribute-init.sql, partly utf8mb3) and db/ddl.sql with
depot-gen's data (utf8mb4). Each root query is sent with the selection boxtribute's front-end
sends (tests/queries/), as three users: a base-1 coordinator of organisation 1, a user of
organisation 2 with its own bases, and a god user. The WHOLE answer (every value, nested
objects, order) is compared with one built here by SQL for that user's access, following
boxtribute's resolvers and authz.py; never with Depot's own mapping.
Licensed under the Apache License 2.0.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

DUMP = os.path.join(harness.SHARED, "data", "boxtribute-init.sql")
FOUR_BYTES = "box\U0001F4E6"   # a string argument outside utf8mb3
# box_state ids as boxtribute's BoxState enum names them (its labels differ: "Instock").
STATES = ["InStock", "Lost", "MarkedForShipment", "Receiving", "Donated", "Scrap", "InTransit", "NotDelivered"]


def live(alias):
    """boxtribute's "not deleted": NULL or the zero date."""
    return f"({alias}.deleted IS NULL OR {alias}.deleted = 0)"


def dt(column):
    """A DATETIME as Depot's Datetime: ISO-8601 with +00:00; the zero date as null."""
    return (f"IF({column} IS NULL OR {column} = 0, NULL, "
            f"DATE_FORMAT({column}, '%Y-%m-%dT%H:%i:%s+00:00'))")


def forbidden(path, denied):
    return {"path": path, "extensions": {"code": "FORBIDDEN", "description": f"You don't have access to '{denied}'"}}


class User:
    """A caller: its token and what boxtribute's authz lets it read."""

    def __init__(self, name, token, user_id, organisation_id, base_ids, god=False):
        self.name, self.token, self.user_id = name, token, user_id
        self.organisation_id, self.base_ids, self.god = organisation_id, base_ids, god

    def bases_in(self, column):
        """SQL: the column names a base this user may read."""
        return "TRUE" if self.god else f"{column} IN ({','.join(str(b) for b in self.base_ids)})"


class ReadExact:
    """The cases; a subclass supplies the database (load) and its name."""

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        try:
            cls.load(cls.db)
            cls.keys = harness.Keys(cls.scratch.path)
            cls.users = cls.make_users()
            cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="one")
        except BaseException:
            # tearDownClass does not run after a failed set-up: stop what was started.
            cls.db.stop()
            cls.scratch.remove()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()

    @classmethod
    def make_users(cls):
        db = cls.db
        org2_bases = [int(r[0]) for r in db.sql(f"SELECT id FROM camps c WHERE organisation_id = 2 AND {live('c')} ORDER BY id")]
        if not org2_bases:
            raise unittest.SkipTest("the database has no live base of organisation 2")
        in_org2 = ("SELECT MIN(u.id) FROM cms_users u JOIN cms_usergroups g ON g.id = u.cms_usergroups_id "
                   "WHERE g.organisation_id = 2")
        has_groups = db.scalar("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                               "AND TABLE_NAME = 'cms_usergroups' AND COLUMN_NAME = 'organisation_id'") != "0"
        org2_user = (has_groups and db.scalar(in_org2)) or db.scalar("SELECT MAX(id) FROM cms_users")
        god_user = db.scalar("SELECT MIN(id) FROM cms_users WHERE id <> 8")
        org2_permissions = [f"base_{'-'.join(map(str, org2_bases))}/{r}:read" for r in harness.RESOURCES]
        return [
            User("coordinator", cls.keys.token(), 8, 1, [1]),
            User("org2", cls.keys.token(sub=f"auth0|{org2_user}", org=2, base_ids=org2_bases,
                                        roles=(f"base_{org2_bases[0]}_coordinator",), permissions=org2_permissions),
                 int(org2_user), 2, org2_bases),
            User("god", cls.keys.token(sub=f"auth0|{god_user}", org=0, base_ids=(), roles=("boxtribute_god",),
                                       permissions=["*"]), int(god_user), None, [], god=True),
        ]

    # -- helpers -----------------------------------------------------------------------------

    def rows(self, sql):
        return self.db.sql(sql)

    def charset(self, table, column):
        """The column's character set, read from the live database."""
        return self.db.scalar("SELECT CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE "
                              f"TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}' AND COLUMN_NAME = '{column}'")

    def ask(self, user, text, variables=None):
        status, response, _ = harness.post(self.depot.url, {"query": text, "variables": variables or {}}, user.token)
        self.assertEqual(status, 200, response)
        response.pop("extensions", None)
        for error in response.get("errors", []):
            error.pop("locations", None)
            error.pop("message", None)
        return response

    def check(self, name, text, expected_for, variables=None):
        """Every user's whole answer against expected_for(user): {"data": ..., ["errors": ...]}."""
        for user in self.users:
            with self.subTest(query=name, user=user.name):
                self.assertEqual(self.ask(user, text, variables), expected_for(user))

    def bases_of(self, where):
        return [{"id": r[0], "name": r[1]} for r in self.rows(f"SELECT id, name FROM camps c WHERE {where} ORDER BY id")]

    def organisation(self, org_id):
        r = self.rows(f"SELECT id, label FROM organisations WHERE id = {org_id}")[0]
        return {"id": r[0], "name": r[1]}

    # -- one case per root query ---------------------------------------------------------------

    def test_bases(self):
        """bases (the front-end's first query): the live bases the user may read, by id."""
        def expected(user):
            return {"data": {"bases": [
                {"id": r[0], "name": r[1], "organisation": {"id": r[2], "name": r[3], "__typename": "Organisation"},
                 "__typename": "Base"}
                for r in self.rows("SELECT c.id, c.name, o.id, o.label FROM camps c JOIN organisations o ON "
                                   f"o.id = c.organisation_id WHERE {user.bases_in('c.id')} AND {live('c')} ORDER BY c.id")]}}
        self.check("bases", harness.read_query("bases.graphql"), expected)

    def test_organisations(self):
        """organisations (CreateTransferAgreement): the live organisations, each with all its live
        bases (Organisation.bases needs base:read anywhere, not in those bases)."""
        def expected(user):
            return {"data": {"organisations": [
                {"id": r[0], "name": r[1], "bases": self.bases_of(f"organisation_id = {r[0]} AND {live('c')}")}
                for r in self.rows(f"SELECT id, label FROM organisations o WHERE {live('o')} ORDER BY id")]}}
        self.check("organisations", harness.read_query("all_organisations_and_bases.graphql"), expected)

    def test_organisation(self):
        """organisation(id) for each live organisation with bases: every user reads it."""
        for org_id in [r[0] for r in self.rows("SELECT DISTINCT organisation_id FROM camps ORDER BY 1")]:
            def expected(user, org_id=org_id):
                return {"data": {"organisation": dict(self.organisation(org_id),
                                                      bases=self.bases_of(f"organisation_id = {org_id} AND {live('c')}"))}}
            self.check(f"organisation {org_id}", "query($id: ID!) { organisation(id: $id) { id name bases { id name } } }",
                       expected, {"id": org_id})

    def test_user(self):
        """user: the caller's own organisation (with its live bases) and bases come from the
        token; god has no organisation and every base, deleted ones included (Base.select())."""
        def expected(user):
            name = self.db.scalar(f"SELECT naam FROM cms_users WHERE id = {user.user_id}")
            organisation = None if user.god else dict(
                self.organisation(user.organisation_id),
                bases=self.bases_of(f"organisation_id = {user.organisation_id} AND {live('c')}"))
            bases = self.bases_of("TRUE" if user.god else user.bases_in("c.id"))
            return {"data": {"user": {"id": str(user.user_id), "name": name, "organisation": organisation,
                                      "bases": bases}}}
        for user in self.users:
            with self.subTest(query="user", user=user.name):
                self.assertEqual(self.ask(user, "query($id: ID) { user(id: $id) { id name organisation { id name "
                                                "bases { id name } } bases { id name } } }", {"id": str(user.user_id)}),
                                 expected(user))

    def test_users(self):
        """users: every user for god (by id), [] for everybody else."""
        def expected(user):
            return {"data": {"users": [{"id": r[0], "name": r[1]} for r in self.rows("SELECT id, naam FROM cms_users ORDER BY id")]
                             if user.god else []}}
        self.check("users", "{ users { id name } }", expected)

    def test_product_categories_and_size_ranges(self):
        """productCategories and sizeRanges (CustomProductFormOptions): every row, by id."""
        def expected(user):
            return {"data": {
                "productCategories": [{"id": r[0], "name": r[1]} for r in self.rows("SELECT id, label FROM product_categories ORDER BY id")],
                "sizeRanges": [{"id": r[0], "label": r[1]} for r in self.rows("SELECT id, label FROM sizegroup ORDER BY id")]}}
        self.check("productCategories sizeRanges", harness.read_query("custom_product_form_options.graphql"), expected)

    def test_locations(self):
        """locations (LocationBasicFields): the warehouse locations of the readable bases, deleted
        ones included as boxtribute lists them, by id."""
        states = dict(enumerate(STATES, start=1))

        def expected(user):
            return {"data": {"locations": [
                {"defaultBoxState": states.get(int(r[2])), "id": r[0], "seq": int(r[3]) if r[3] is not None else None,
                 "name": r[1]}
                for r in self.rows("SELECT id, label, box_state_id, seq FROM locations l WHERE type = 'Warehouse' "
                                   f"AND {user.bases_in('l.camp_id')} ORDER BY id")]}}
        self.check("locations", "{ locations { defaultBoxState id seq name } }", expected)

    def test_tags(self):
        """tags (TagBasicFields): the live tags of the readable bases, by id, with lastUsedOn the
        newest assignment of the tag."""
        types = {"Stock": "Box", "People": "Beneficiary", "All": "All"}

        def expected(user):
            return {"data": {"tags": [
                {"id": r[0], "name": r[1], "color": r[2], "description": r[3], "type": types[r[4]], "deletedOn": r[5],
                 "createdOn": r[6], "lastModifiedOn": r[7], "lastUsedOn": r[8]}
                for r in self.rows(f"SELECT t.id, t.label, t.color, t.description, t.type, {dt('t.deleted')}, "
                                   f"{dt('t.created')}, {dt('t.modified')}, (SELECT {dt('MAX(r.created_on)')} FROM "
                                   f"tags_relations r WHERE r.tag_id = t.id) FROM tags t WHERE {user.bases_in('t.camp_id')} "
                                   f"AND {live('t')} ORDER BY t.id")]}}
        self.check("tags", "{ tags { id name color description type deletedOn createdOn lastModifiedOn lastUsedOn } }",
                   expected)

    def test_string_keyed_queries_with_four_bytes(self):
        """box(labelIdentifier), qrCode(code) and qrExists(code) with a four-byte string: no such
        box or code, whatever the column's character set (utf8mb3 on the dump)."""
        charsets = (self.charset("stock", "box_id"), self.charset("qr", "code"))
        for user in self.users:
            with self.subTest(query="box/qrCode/qrExists", user=user.name, charsets=charsets):
                response = self.ask(user, "query($s: String!) { qrExists(code: $s) qrCode(code: $s) { __typename "
                                          "... on ResourceDoesNotExistError { name } } box(labelIdentifier: $s) { id } }",
                                    {"s": FOUR_BYTES})
                self.assertEqual(response, {
                    "data": {"qrExists": False, "qrCode": {"__typename": "ResourceDoesNotExistError", "name": "QrCode"},
                             "box": None},
                    "errors": [{"path": ["box"], "extensions": {
                        "code": "BAD_USER_INPUT", "description": "The requested resource does not exist in the database."}}]})

    def test_box_of_another_organisation(self):
        """box(labelIdentifier) of a base-1 box: its label for users who may read base 1, FORBIDDEN
        base=1 for the user of organisation 2."""
        label = self.db.scalar(f"SELECT s.box_id FROM stock s JOIN locations l ON l.id = s.location_id WHERE l.camp_id = 1 "
                               f"AND {live('s')} AND s.box_state_id = 1 ORDER BY s.id LIMIT 1")

        def expected(user):
            if user.god or 1 in user.base_ids:
                return {"data": {"box": {"labelIdentifier": label}}}
            return {"data": {"box": None}, "errors": [forbidden(["box"], "base=1")]}
        self.check("box", "query($l: String!) { box(labelIdentifier: $l) { labelIdentifier } }", expected, {"l": label})


class OnBoxtributeDump(ReadExact, unittest.TestCase):
    """boxtribute's own dump, unchanged, plus Depot's indexes."""

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(DUMP):
            raise unittest.SkipTest(f"{DUMP} is absent: boxtribute's dump is not available here")
        super().setUpClass()

    @staticmethod
    def load(db):
        db.load_file(DUMP)
        db.load_file(os.path.join(harness.REPO, "db", "indexes.sql"))

    def test_dump_is_partly_utf8mb3(self):
        self.assertEqual(self.charset("stock", "box_id"), "utf8mb3")


class OnDepotDdl(ReadExact, unittest.TestCase):
    """db/ddl.sql with depot-gen's data."""

    @staticmethod
    def load(db):
        harness.load_demo(db, boxes=400)

    def test_ddl_is_utf8mb4(self):
        self.assertEqual(self.charset("stock", "box_id"), "utf8mb4")


if __name__ == "__main__":
    unittest.main(verbosity=2)
