"""What the mutation test files share: a private MariaDB and Depot per test class (DepotPerClass,
which the statistics tests' base extends), loaded with Depot's DDL (and the file's rows) or
boxtribute's own dump; the callers' tokens; one request
and its checks (a root field, a top-level error, a union error member, the beta-level
refusal), each refusal proven to change nothing by CHECKSUM TABLE of every table the file's
mutations write; and the SQL pieces expected answers are built from.
Licensed under the Apache License 2.0.
"""
import json
import os
import unittest

import harness
from read_exact import DUMP, date, dt  # noqa: F401 (date and dt: for the test files)

OLD = "2024-01-02 03:04:05"  # the timestamps of rows written by the tests, before any mutation
ZERO = "0000-00-00 00:00:00"
NOT_FOUND = "The requested resource does not exist in the database."
READS = [f"{r}:read" for r in harness.RESOURCES]

# Rows on Depot's DDL: two organisations with a base each, and their users (1: a god, 2: base
# 2's coordinator, 8: base 1's, as boxtribute's test/auth.py numbers them).
TWO_ORGANISATIONS = """
INSERT INTO organisations (id, label) VALUES (1, 'BoxAid'), (2, 'BoxCare');
INSERT INTO cms_users (id, naam, email, lastlogin, lastaction, deleted) VALUES
  (1, 'Admin', 'admin@example.org', 0, 0, 0), (2, 'Other Coordinator', 'other@example.org', 0, 0, 0),
  (8, 'Dev Coordinator', 'dev@example.org', 0, 0, 0);
INSERT INTO camps (id, name, organisation_id, seq) VALUES (1, 'Lesvos', 1, 1), (2, 'Thessaloniki', 2, 2);
"""
# box_state as boxtribute's dump has it (its labels, not the BoxState names).
BOX_STATES = """
INSERT INTO box_state (id, label) VALUES (1, 'Instock'), (2, 'Lost'), (3, 'MarkedForShipment'), (4, 'Receiving'),
  (5, 'Donated'), (6, 'Scrap'), (7, 'InTransit'), (8, 'NotDelivered');
"""

needs_dump = unittest.skipUnless(os.path.exists(DUMP), f"{DUMP} is absent: boxtribute's dump is not available here")


def ref(value):
    return {"id": str(value)} if value is not None else None


def permissions(bases, names):
    """The permission claims of names in one base (an id) or in each of several."""
    bases = (bases,) if isinstance(bases, int) else bases
    return [f"base_{b}/{p}" for b in bases for p in names]


class OnDepotSchema:
    """Data set: Depot's DDL and indexes, and the test file's ROWS."""
    ROWS = ""

    @classmethod
    def load(cls, db):
        db.load_file(os.path.join(harness.REPO, "db", "ddl.sql"))
        db.load_file(os.path.join(harness.REPO, "db", "indexes.sql"))
        if cls.ROWS:
            db.sql(cls.ROWS)


class OnBoxtributeDump:
    """Data set: boxtribute's own dump (partly utf8mb3) with Depot's indexes."""

    @classmethod
    def load(cls, db):
        db.load_file(DUMP)
        db.load_file(os.path.join(harness.REPO, "db", "indexes.sql"))


def on_each_data_set(cases, prefix, rows=""):
    """The two test classes that run cases on Depot's DDL with rows (prefixOnDepotDDL) and on
    boxtribute's dump (prefixOnBoxtributeDump, skipped where the dump is absent); the test file
    binds them to those names so that unittest finds them."""
    def made(name, data_set, **attributes):
        return type(prefix + name, (data_set, cases, unittest.TestCase),
                    dict(attributes, __module__=cases.__module__, __qualname__=prefix + name))
    return made("OnDepotDDL", OnDepotSchema, ROWS=rows), needs_dump(made("OnBoxtributeDump", OnBoxtributeDump))


class DepotPerClass:
    """A scratch folder, MariaDB with the class's rows (load, then add_rows), keys, the callers'
    tokens and the one-process Depot (with DEPOT_ENV), for the class; its tear-down fails when
    Depot did not stop cleanly. Mixed in before unittest.TestCase."""
    DEPOT_ENV = None    # Depot's variables beyond the harness's

    @classmethod
    def load(cls, db):
        raise NotImplementedError("a DepotPerClass loads its own rows into db")

    @classmethod
    def add_rows(cls, db):
        """Rows every data set needs beyond its own (none unless a file says so)."""

    @classmethod
    def tokens(cls):
        """The callers' tokens, minted once the keys exist (none unless a file says so)."""

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        cls.load(cls.db)
        cls.add_rows(cls.db)
        cls.keys = harness.Keys(cls.scratch.path)
        cls.tokens()
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="one", extra_env=cls.DEPOT_ENV)

    @classmethod
    def tearDownClass(cls):
        codes = cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()
        assert codes == [0], f"Depot did not stop cleanly: {codes}"


class Answers:
    """A request as the class's coordinator (or token): answer (200 or 400, extensions dropped)
    and ok (its data, no errors)."""

    def answer(self, text, variables=None, token=None):
        status, response, _ = harness.post(self.depot.url, {"query": text, "variables": variables or {}},
                                           token or self.coordinator)
        self.assertIn(status, (200, 400), response)
        response.pop("extensions", None)
        return response

    def ok(self, text, variables=None, token=None):
        response = self.answer(text, variables, token)
        self.assertNotIn("errors", response, response.get("errors"))
        return response["data"]


class MutationCases(DepotPerClass):
    """A test file's cases, run on each data set by the classes on_each_data_set makes (or by
    a class that mixes in OnDepotSchema before them and unittest.TestCase after them)."""
    TABLES_WRITTEN = None  # every table the file's mutations write: what "changes nothing" sums
    WRITES = []            # the base-1 coordinator's write permissions
    DEPOT_ENV = harness.FIXED_POOL

    @classmethod
    def tokens(cls):
        """boxtribute's test user (user 8, coordinator of base 1: test/auth.py) as token, a
        coordinator of base 2 in organisation 2, a base-1 volunteer who reads everything and
        writes nothing, and a god user; a file adds its own."""
        cls.token = cls.keys.token(sub="auth0|8", permissions=permissions(1, READS + cls.WRITES))
        cls.other = cls.keys.token(sub="auth0|2", org=2, base_ids=(2,), roles=("base_2_coordinator",),
                                   permissions=permissions(2, READS + cls.WRITES))
        cls.reader = cls.keys.token(sub="auth0|8", permissions=permissions(1, READS))
        cls.god = cls.keys.token(sub="auth0|1", org="null", roles=("boxtribute_god",), permissions=[])

    @classmethod
    def beta_token(cls, level):
        """The base-1 coordinator at a beta level."""
        return cls.keys.token(sub="auth0|8", permissions=permissions(1, READS + cls.WRITES), beta=level)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.serial = 0

    # --- requests ---------------------------------------------------------------------

    def body(self, text, variables):
        return {"query": text, "variables": variables or {}}

    def send(self, text, variables=None, token=None):
        status, response, _ = harness.post(self.depot.url, self.body(text, variables), token or self.token)
        self.assertEqual(status, 200, response)
        return response

    def field(self, text, variables=None, token=None):
        """The request's one root field, which must answer without a top-level error."""
        response = self.send(text, variables, token)
        self.assertNotIn("errors", response, response.get("errors"))
        (value,) = response["data"].values()
        return value

    def refused(self, text, variables, code, description, token=None):
        """A top-level error as boxtribute raises it: the field null, one error with its
        code and description, and nothing written."""
        before = self.checksum()
        response = self.send(text, variables, token)
        self.assertEqual(list((response.get("data") or {"?": "no data"}).values()), [None], response)
        self.assertEqual(len(response["errors"]), 1, response)
        self.assertEqual(response["errors"][0]["extensions"]["code"], code, response)
        self.assertEqual(response["errors"][0]["extensions"]["description"], description, response)
        self.assertEqual(self.checksum(), before, "a refused call changed nothing")

    def union_error(self, text, variables, expected, token=None):
        """A union error member (or no row at all) as the answer, and nothing written."""
        before = self.checksum()
        self.assertEqual(self.field(text, variables, token), expected)
        self.assertEqual(self.checksum(), before, "a refused call changed nothing")

    def beta_refused(self, text, variables, token):
        """boxtribute's beta-level check: "Insufficient beta-level" and no data, nothing
        written. boxtribute answers 400; Depot answers as the GraphQL-over-HTTP spec says for
        a request error (API.md section 1): 400 for application/graphql-response+json, 200 for
        application/json."""
        before = self.checksum()
        for accept, code in [("application/graphql-response+json", 400), ("application/json", 200)]:
            status, response, _ = harness.post(self.depot.url, self.body(text, variables), token,
                                               headers={"Accept": accept})
            self.assertEqual(status, code, response)
            self.assertEqual([e["message"] for e in response["errors"]], ["Insufficient beta-level"])
            self.assertNotIn("data", response)
        self.assertEqual(self.checksum(), before)

    # --- rows -------------------------------------------------------------------------

    def now(self):
        return self.db.scalar("SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s')")

    def checksum(self):
        return self.db.sql(f"CHECKSUM TABLE {self.TABLES_WRITTEN}")

    @classmethod
    def next_serial(cls):
        cls.serial += 1
        return cls.serial

    @classmethod
    def insert(cls, sql):
        return int(cls.db.scalar(f"{sql}; SELECT LAST_INSERT_ID()"))

    def json_rows(self, columns, rest):
        return [json.loads(r[0]) for r in self.db.sql(f"SELECT JSON_ARRAY({columns}) {rest}")]

    def base_error(self, base):
        """UnauthorizedForBaseError for a base, its names from SQL (empty when it does not exist)."""
        row = self.db.sql(f"SELECT c.name, o.label FROM camps c JOIN organisations o ON o.id = c.organisation_id "
                          f"WHERE c.id = {base}")
        name, organisation = row[0] if row else ("", "")
        return {"__typename": "UnauthorizedForBaseError", "id": str(base), "name": name,
                "organisationName": organisation}

    def assertBetween(self, before, value, after):
        self.assertIsNotNone(value)
        self.assertTrue(before <= value <= after, f"{value} not within [{before}, {after}]")
