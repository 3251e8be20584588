"""createShareableLink (issue 17) on db/ddl.sql with rows written here: boxtribute's semantics
(business_logic/statistics/crud.py and mutations.py): shareable_link:create in the base, a
validUntil in the past is InvalidDateError, none is one week from the transaction's time, the
code a SHA-256 hex digest, created_on/created_by_id the caller's; as a base coordinator, a user
without the permission, one holding it for another base, another organisation's user and a god
user. The created row is read back by SQL; every refusal writes nothing; the statements of a
creation are counted; statviz's own CreateShareableLink document is run, and the link it made
resolves on /public. Licensed under the Apache License 2.0.
"""
import datetime
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from mutation_cases import READS, permissions  # noqa: E402
from statistics_cases import DepotPerClass  # noqa: E402

LINK = """id code base { id name } urlParameters view validUntil createdOn createdBy { id }"""
CREATE = f"""mutation($input: LinkCreationInput) {{ createShareableLink(creationInput: $input) {{
             __typename ... on ShareableLink {{ {LINK} }} ... on InsufficientPermissionError {{ name }}
             ... on UnauthorizedForBaseError {{ id name organisationName }}
             ... on InvalidDateError {{ date }} }} }}"""
STATVIZ_CREATE = harness.read_query(os.path.join("statistics", "CreateShareableLink.graphql"))
ROWS = """
INSERT INTO organisations (id, label) VALUES (1, 'BoxAid'), (2, 'BoxCare');
INSERT INTO cms_users (id, naam, email, lastlogin, lastaction, deleted) VALUES
  (1, 'Admin', 'a@example.org', 0, 0, 0), (2, 'Other', 'o@example.org', 0, 0, 0),
  (8, 'Coordinator', 'c@example.org', 0, 0, 0);
INSERT INTO camps (id, name, organisation_id, seq) VALUES (1, 'Lesvos', 1, 1), (2, 'Samos', 1, 2),
  (3, 'Athens', 2, 3);
"""


def dt(column):
    return f"DATE_FORMAT({column}, '%Y-%m-%dT%H:%i:%s+00:00')"


class ShareableLinkCreation(DepotPerClass, unittest.TestCase):
    @classmethod
    def load(cls, db):
        db.load_file(os.path.join(harness.REPO, "db", "ddl.sql"))
        harness.load_depot_tables(db)
        db.sql(ROWS)

    @classmethod
    def tokens(cls):
        reads = permissions(1, READS)
        cls.token = cls.coordinator = cls.keys.token(permissions=reads + ["base_1/shareable_link:create"])
        cls.without = cls.keys.token(permissions=reads)
        cls.base_2_only = cls.keys.token(base_ids=(1, 2), permissions=reads + ["base_2/shareable_link:create"])
        cls.other = cls.keys.token(sub="auth0|2", org=2, base_ids=(3,), roles=("base_3_coordinator",),
                                   permissions=["base_3/shareable_link:create", "base_3/base:read"])
        cls.god = cls.god_token()

    def create(self, input_, token=None):
        return self.ask(CREATE, {"input": input_}, token)

    def links(self):
        return int(self.db.scalar("SELECT COUNT(*) FROM shareable_link"))

    def row(self, link_id):
        return self.db.json(f"""
            SELECT JSON_OBJECT('id', CAST(id AS CHAR), 'code', code, 'base', JSON_OBJECT('id', CAST(base_id AS CHAR),
                   'name', (SELECT name FROM camps WHERE camps.id = base_id)), 'urlParameters', url_parameters,
                   'view', view, 'validUntil', {dt('valid_until')}, 'createdOn', {dt('created_on')},
                   'createdBy', JSON_OBJECT('id', CAST(created_by_id AS CHAR)))
            FROM shareable_link WHERE id = {int(link_id)}""")

    def test_default_validity_is_one_week(self):
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0, tzinfo=None)
        body = self.create({"baseId": 1, "view": "StockOverview", "urlParameters": "tags=1,2&notags=3"})
        self.assertNotIn("errors", body)
        link = body["data"]["createShareableLink"]
        self.assertEqual(link.pop("__typename"), "ShareableLink")
        self.assertEqual(link, self.row(link["id"]))
        self.assertRegex(link["code"], r"^[0-9a-f]{64}$")
        self.assertEqual(link["createdBy"], {"id": "8"})
        self.assertEqual(link["view"], "StockOverview")
        self.assertEqual(link["urlParameters"], "tags=1,2&notags=3")
        # created_on is the transaction's UTC time; valid_until exactly a week later.
        created = datetime.datetime.fromisoformat(link["createdOn"]).replace(tzinfo=None)
        self.assertLessEqual(abs((created - before).total_seconds()), 5)
        self.assertEqual(self.db.scalar(f"SELECT TIMESTAMPDIFF(SECOND, created_on, valid_until) "
                                        f"FROM shareable_link WHERE id = {link['id']}"), str(7 * 24 * 3600))
        # BEGIN, the base read, the one INSERT, the link, its base and its creator read back, COMMIT.
        self.assertEqual(body["extensions"]["debug"]["sqlStatements"], 7)

    def test_given_validity_is_stored_in_utc(self):
        body = self.create({"baseId": 1, "view": "StatvizDashboard", "validUntil": "2031-05-06T01:30:00+02:00"})
        link = body["data"]["createShareableLink"]
        self.assertEqual(link["validUntil"], "2031-05-05T23:30:00+00:00")
        self.assertEqual(self.db.scalar(f"SELECT valid_until FROM shareable_link WHERE id = {link['id']}"),
                         "2031-05-05 23:30:00")
        self.assertIsNone(link["urlParameters"])
        self.assertEqual(link["view"], "StatvizDashboard")
        # Two links never share a code.
        again = self.create({"baseId": 1, "view": "StatvizDashboard", "validUntil": "2031-05-06T01:30:00+02:00"})
        self.assertNotEqual(again["data"]["createShareableLink"]["code"], link["code"])

    def test_god_creates_for_any_base(self):
        link = self.create({"baseId": 3, "view": "StatvizDashboard"}, self.god)["data"]["createShareableLink"]
        self.assertEqual((link["base"]["id"], link["createdBy"]["id"]), ("3", "1"))
        self.assertEqual(self.db.scalar(f"SELECT base_id FROM shareable_link WHERE id = {link['id']}"), "3")

    def test_refusals_change_nothing(self):
        past = "2020-01-02T03:04:05"
        cases = [
            ({"baseId": 1, "view": "StockOverview", "validUntil": past}, self.coordinator,
             {"__typename": "InvalidDateError", "date": "2020-01-02T03:04:05+00:00"}),
            ({"baseId": 1, "view": "StockOverview"}, self.without,
             {"__typename": "InsufficientPermissionError", "name": "shareable_link:create"}),
            ({"baseId": 1, "view": "StockOverview"}, self.base_2_only,
             {"__typename": "UnauthorizedForBaseError", "id": "1", "name": "Lesvos", "organisationName": "BoxAid"}),
            ({"baseId": 1, "view": "StockOverview"}, self.other,
             {"__typename": "UnauthorizedForBaseError", "id": "1", "name": "Lesvos", "organisationName": "BoxAid"}),
            # The permission is checked before the date, as boxtribute does.
            ({"baseId": 1, "view": "StockOverview", "validUntil": past}, self.without,
             {"__typename": "InsufficientPermissionError", "name": "shareable_link:create"}),
        ]
        before = self.links()
        for input_, token, expected in cases:
            with self.subTest(input=input_, expected=expected["__typename"]):
                body = self.create(input_, token)
                self.assertNotIn("errors", body)
                self.assertEqual(body["data"]["createShareableLink"], expected)
        for input_, token, code in [
                ({"baseId": 99, "view": "StockOverview"}, self.god, "BAD_USER_INPUT"),
                ({"baseId": 1, "view": "StockOverview", "validUntil": "2031-02-30T00:00:00"}, self.coordinator,
                 "BAD_USER_INPUT"),
                ({"baseId": 1, "view": "StockOverview", "urlParameters": "x" * 2001}, self.coordinator,
                 "BAD_USER_INPUT"),
                (None, self.coordinator, "INTERNAL_SERVER_ERROR")]:
            with self.subTest(input=str(input_)[:60]):
                body = self.create(input_, token)
                self.assertIsNone(body["data"]["createShareableLink"])
                self.assertEqual(body["errors"][0]["extensions"]["code"], code)
        self.assertEqual(self.links(), before)

    def test_statviz_document_and_the_link_resolves_without_a_token(self):
        body = self.ask(STATVIZ_CREATE, {"baseId": 1, "urlParameters": "tags=2", "view": "StockOverview"})
        link = body["data"]["createShareableLink"]
        self.assertEqual(set(link), {"__typename", "code", "validUntil"})
        expected = self.db.scalar(f"SELECT {dt('valid_until')} FROM shareable_link WHERE code = '{link['code']}'")
        self.assertEqual(link["validUntil"], expected)
        body = self.ask("query($c: String!) { resolveLink(code: $c) { __typename ... on ResolvedLink"
                        " { baseName urlParameters } } }", {"c": link["code"]}, public=True)
        self.assertEqual(body["data"]["resolveLink"],
                         {"__typename": "ResolvedLink", "baseName": "Lesvos", "urlParameters": "tags=2"})


if __name__ == "__main__":
    unittest.main()
