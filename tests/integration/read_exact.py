"""What test_read_exact.py and test_read_exact_more.py share: the two databases (boxtribute's
own dump, partly utf8mb3, and db/ddl.sql with depot-gen's data), the three callers (a base-1
coordinator of organisation 1, a user of organisation 2 with its own bases, a god user), and
the SQL pieces the expected answers are built from. Expected answers come from SQL written in
the tests, following boxtribute's resolvers and authz.py; never from Depot's own mapping.
Licensed under the Apache License 2.0.
"""
import json
import os
import unittest

import harness

DUMP = os.path.join(harness.SHARED, "data", "boxtribute-init.sql")
FOUR_BYTES = "box\U0001F4E6"   # a string argument outside utf8mb3
# box_state ids as boxtribute's BoxState enum names them (its labels differ: "Instock").
STATES = ["InStock", "Lost", "MarkedForShipment", "Receiving", "Donated", "Scrap", "InTransit", "NotDelivered"]
# genders ids as boxtribute's ProductGender enum names them (11 is not used).
GENDERS = {1: "Women", 2: "Men", 3: "UnisexAdult", 4: "Girl", 5: "Boy", 6: "UnisexKid", 7: "BabyGirl",
           8: "BabyBoy", 9: "UnisexBaby", 10: "none", 12: "TeenGirl", 13: "TeenBoy"}
NOT_FOUND = {"code": "BAD_USER_INPUT", "description": "The requested resource does not exist in the database."}


def live(alias):
    """boxtribute's "not deleted": NULL or the zero date."""
    return f"({alias}.deleted IS NULL OR {alias}.deleted = 0)"


def dt(column):
    """A DATETIME as Depot's Datetime: ISO-8601 with +00:00; the zero date as null."""
    return (f"IF({column} IS NULL OR {column} = 0, NULL, "
            f"DATE_FORMAT({column}, '%Y-%m-%dT%H:%i:%s+00:00'))")


def date(column):
    """A DATE as Depot's Date: YYYY-MM-DD; the zero date as null."""
    return f"IF({column} IS NULL OR {column} = 0, NULL, DATE_FORMAT({column}, '%Y-%m-%d'))"


def forbidden(path, denied):
    return {"path": path, "extensions": {"code": "FORBIDDEN", "description": f"You don't have access to '{denied}'"}}


def not_found(path):
    return {"path": path, "extensions": NOT_FOUND}


class User:
    """A caller: its token and what boxtribute's authz lets it read."""

    def __init__(self, name, token, user_id, organisation_id, base_ids, god=False):
        self.name, self.token, self.user_id = name, token, user_id
        self.organisation_id, self.base_ids, self.god = organisation_id, base_ids, god

    def reads(self, base_id):
        """The user may read this base's resources (every permission it has is a read there)."""
        return self.god or (base_id is not None and int(base_id) in self.base_ids)

    def bases_in(self, column):
        """SQL: the column names a base this user may read."""
        return "TRUE" if self.god else f"{column} IN ({','.join(str(b) for b in self.base_ids)})"


class Reads:
    """Set-up and helpers of the cases; a database class (BoxtributeDump, DepotDdl) supplies
    load()."""

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

    def rows(self, sql):
        return self.db.sql(sql)

    def records(self, columns, rest):
        """SELECT rows as lists through JSON_ARRAY: texts may hold tabs and newlines, which the
        client's batch output cannot carry. Values keep SQL's types (cast ids to CHAR)."""
        return [json.loads(r[0]) for r in self.db.sql(f"SELECT JSON_ARRAY({columns}) {rest}")]

    def charset(self, table, column):
        """The column's character set, read from the live database."""
        return self.db.scalar("SELECT CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE "
                              f"TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}' AND COLUMN_NAME = '{column}'")

    def ask(self, user, text, variables=None, operation=None):
        body = {"query": text, "variables": variables or {}}
        if operation:
            body["operationName"] = operation
        status, response, _ = harness.post(self.depot.url, body, user.token)
        self.assertEqual(status, 200, response)
        response.pop("extensions", None)
        for error in response.get("errors", []):
            error.pop("locations", None)
            error.pop("message", None)
        return response

    def check(self, name, text, expected_for, variables=None, operation=None):
        """Every user's whole answer against expected_for(user): {"data": ..., ["errors": ...]}."""
        for user in self.users:
            with self.subTest(query=name, user=user.name):
                self.assertEqual(self.ask(user, text, variables, operation), expected_for(user))

    def bases_of(self, where):
        return [{"id": r[0], "name": r[1]} for r in self.rows(f"SELECT id, name FROM camps c WHERE {where} ORDER BY id")]

    def organisation(self, org_id):
        r = self.rows(f"SELECT id, label FROM organisations WHERE id = {org_id}")[0]
        return {"id": r[0], "name": r[1]}


class BoxtributeDump:
    """boxtribute's own dump, unchanged, plus Depot's indexes."""

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(DUMP):
            raise unittest.SkipTest(f"{DUMP} is absent: boxtribute's dump is not available here")
        super().setUpClass()

    @staticmethod
    def load(db):
        db.load_file(DUMP)
        harness.load_depot_tables(db)


class DepotDdl:
    """db/ddl.sql with depot-gen's data."""

    @staticmethod
    def load(db):
        harness.load_demo(db, boxes=400)
