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
from read_exact import FOUR_BYTES, STATES, BoxtributeDump, DepotDdl, Reads, dt, forbidden, live  # noqa: E402


class ReadExact(Reads):
    """The cases; a database class supplies load()."""

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


class OnBoxtributeDump(BoxtributeDump, ReadExact, unittest.TestCase):
    def test_dump_is_partly_utf8mb3(self):
        self.assertEqual(self.charset("stock", "box_id"), "utf8mb3")


class OnDepotDdl(DepotDdl, ReadExact, unittest.TestCase):
    def test_ddl_is_utf8mb4(self):
        self.assertEqual(self.charset("stock", "box_id"), "utf8mb4")


if __name__ == "__main__":
    unittest.main(verbosity=2)
