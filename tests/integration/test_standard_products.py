"""Standard products (issue 16): the reads standardProduct(id), standardProducts(baseId) and
Product.standardProduct with their result unions, and the mutations enableStandardProduct,
enableStandardProducts, editStandardProductInstantiation and disableStandardProduct, as a base-1
coordinator, a coordinator of another organisation's base, a god user, a user without the
permission and a user below the beta level, on boxtribute's dump and on db/ddl.sql with rows
written here.

Expected answers come from SQL written here, following boxtribute's
business_logic/warehouse/{standard_product,product}; every mutation's rows (products, history)
are checked by SQL; every refused call changes nothing (CHECKSUM TABLE of the tables the
mutations write); statements per request do not depend on the number of rows
(extensions.debug.sqlStatements); the front-end's own documents (tests/queries/) run as sent.
Licensed under the Apache License 2.0.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from read_exact import DUMP, GENDERS, dt, live  # noqa: E402

PERMISSION = "... on InsufficientPermissionError { name }"
BASE_ERROR = "... on UnauthorizedForBaseError { id name organisationName }"
MISSING = "... on ResourceDoesNotExistError { missingId: id name }"
STANDARD = """id name gender version category { id name } sizeRange { id label } addedBy { id name }
              addedOn deprecatedBy { id name } deprecatedOn precededByProduct { id name }
              supercededByProduct { id name } instantiation { id name deletedOn }"""
ONE = f"""query($id: ID!) {{ standardProduct(id: $id) {{ __typename
          ... on StandardProduct {{ {STANDARD} }} {PERMISSION} {MISSING} }} }}"""
LIST = f"""query($baseId: ID) {{ standardProducts(baseId: $baseId) {{ __typename
           ... on StandardProductPage {{ totalCount elements {{ {STANDARD} }}
                 pageInfo {{ hasNextPage hasPreviousPage }} }} {PERMISSION} {BASE_ERROR} }} }}"""
PRODUCT_STANDARD = """query($baseId: ID) { products(baseId: $baseId, paginationInput: {first: 10000}) {
                      elements { id standardProduct { id name version } } } }"""

FRONTEND_STANDARD_PRODUCTS = harness.read_query("standard_products_for_products_view.graphql")
FRONTEND_PRODUCTS = harness.read_query("products_for_products_view.graphql")

# Depot's DDL with the rows the cases need: two organisations with a base each, users, and a
# small catalogue with two versions, a deprecated entry and instantiations (live and deleted).
DDL_ROWS = """
INSERT INTO organisations (id, label) VALUES (1, 'BoxAid'), (2, 'BoxCare');
INSERT INTO cms_users (id, naam, email, lastlogin, lastaction, deleted) VALUES
  (1, 'Admin', 'admin@example.org', 0, 0, 0), (2, 'Other Coordinator', 'other@example.org', 0, 0, 0),
  (8, 'Dev Coordinator', 'dev@example.org', 0, 0, 0);
INSERT INTO camps (id, name, organisation_id, seq) VALUES (1, 'Lesvos', 1, 1), (2, 'Thessaloniki', 2, 2);
INSERT INTO box_state (id, label) VALUES (1, 'Instock'), (2, 'Lost'), (3, 'MarkedForShipment'), (4, 'Receiving'),
  (5, 'Donated'), (6, 'Scrap'), (7, 'InTransit'), (8, 'NotDelivered');
INSERT INTO sizegroup (id, label) VALUES (1, 'One size'), (2, 'S M L');
INSERT INTO product_categories (id, label) VALUES (1, 'Clothing'), (2, 'Food');
INSERT INTO genders (id, label, color) VALUES (1, 'Women', ''), (2, 'Men', ''), (10, '-', '');
INSERT INTO standard_product (id, name, category_id, gender_id, size_range_id, version, added_on, added_by,
  deprecated_on, deprecated_by, preceded_by_product_id) VALUES
  (1, 'Jackets', 1, 1, 2, 1, '2023-01-01 01:00:00', 1, '2023-06-01 00:00:00', 8, NULL),
  (2, 'Socks', 1, 2, 1, 2, '2023-06-01 00:00:00', 8, NULL, NULL, NULL),
  (3, 'Jackets', 1, 1, 2, 2, '2023-06-01 00:00:00', NULL, NULL, NULL, 1),
  (4, 'Hats', 1, 2, 1, 1, '2023-01-01 01:00:00', 1, NULL, NULL, NULL),
  (5, 'Rice', 2, 10, 1, 2, '2023-06-01 00:00:00', 1, NULL, NULL, NULL),
  (6, 'Scarves', 1, 1, 1, 1, '2023-01-01 01:00:00', 1, NULL, NULL, NULL);
UPDATE standard_product SET superceded_by_product_id = 3 WHERE id = 1;
INSERT INTO products (id, name, category_id, gender_id, sizegroup_id, camp_id, standard_product_id, deleted,
  value, comments, stockincontainer, created, created_by) VALUES
  (1, 'Jackets', 1, 1, 1, 1, NULL, NULL, 0, '', 0, '2024-01-02 03:04:05', 8),
  (2, 'Jackets', 1, 1, 1, 2, NULL, NULL, 0, '', 0, '2024-01-02 03:04:05', 2),
  (10, 'Socks', 1, 2, 1, 1, 2, NULL, 3, 'warm', 1, '2024-01-02 03:04:05', 8),
  (11, 'Hats', 1, 2, 1, 1, 4, NULL, 0, '', 0, '2024-01-02 03:04:05', 8),
  (12, 'Rice', 2, 10, 1, 1, 5, '2024-02-01 00:00:00', 0, '', 0, '2024-01-02 03:04:05', 8),
  (13, 'Socks', 1, 2, 1, 2, 2, NULL, 0, '', 0, '2024-01-02 03:04:05', 2),
  (14, 'Scarves', 1, 1, 1, 1, 6, '2024-02-01 00:00:00', 0, '', 0, '2024-01-02 03:04:05', 8);
INSERT INTO locations (id, label, camp_id) VALUES (1, 'WH', 1), (2, 'WH', 2);
"""


def ref(row_id, name=None):
    if row_id is None:
        return None
    return {"id": str(row_id)} if name is None else {"id": str(row_id), "name": name}


class StandardProductCases:
    """The cases, run on each data set by the classes at the end of the file."""

    @classmethod
    def load(cls, db):
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        cls.load(cls.db)
        cls.keys = harness.Keys(cls.scratch.path)
        reads = [f"{r}:read" for r in harness.RESOURCES]
        writes = ["product:write"]

        def perms(base, names):
            return [f"base_{base}/{p}" for p in names]

        # boxtribute's test user: user 8, coordinator of base 1.
        cls.token = cls.keys.token(sub="auth0|8", permissions=perms(1, reads + writes))
        # A coordinator of base 2, in organisation 2.
        cls.other = cls.keys.token(sub="auth0|2", org=2, base_ids=(2,), roles=("base_2_coordinator",),
                                   permissions=perms(2, reads + writes))
        # A user of base 1 without standard_product:read nor product:write.
        cls.without = cls.keys.token(sub="auth0|8", permissions=perms(1, [r for r in reads
                                                                          if r != "standard_product:read"]))
        cls.god = cls.keys.token(sub="auth0|1", org="null", roles=("boxtribute_god",), permissions=[])
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="one", extra_env=harness.FIXED_POOL)

    @classmethod
    def tearDownClass(cls):
        codes = cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()
        assert codes == [0], f"Depot did not stop cleanly: {codes}"

    # --- requests and expected values --------------------------------------------------

    def call(self, text, variables=None, token=None):
        status, response, _ = harness.post(self.depot.url, {"query": text, "variables": variables or {}},
                                           token or self.token)
        self.assertEqual(status, 200, response)
        return response

    def data(self, text, variables=None, token=None):
        response = self.call(text, variables, token)
        self.assertNotIn("errors", response, response)
        return response["data"]

    def standard(self, sp_id, base_id=None):
        """A standard product as STANDARD selects it, from SQL; instantiation: the base's live
        product made from it when base_id is given (boxtribute's standardProducts(baseId))."""
        row = self.db.sql(
            f"SELECT sp.id, sp.name, sp.gender_id, sp.version, pc.id, pc.label, sg.id, sg.label, "
            f"sp.added_by, ua.naam, {dt('sp.added_on')}, sp.deprecated_by, ud.naam, {dt('sp.deprecated_on')}, "
            f"sp.preceded_by_product_id, pre.name, sp.superceded_by_product_id, sup.name "
            f"FROM standard_product sp JOIN product_categories pc ON pc.id = sp.category_id "
            f"JOIN sizegroup sg ON sg.id = sp.size_range_id LEFT JOIN cms_users ua ON ua.id = sp.added_by "
            f"LEFT JOIN cms_users ud ON ud.id = sp.deprecated_by "
            f"LEFT JOIN standard_product pre ON pre.id = sp.preceded_by_product_id "
            f"LEFT JOIN standard_product sup ON sup.id = sp.superceded_by_product_id WHERE sp.id = {sp_id}")[0]
        instantiation = None
        if base_id is not None:
            found = self.db.sql(f"SELECT p.id, p.name FROM products p WHERE p.camp_id = {base_id} "
                                f"AND p.standard_product_id = {sp_id} AND {live('p')}")
            if found:
                instantiation = {"id": str(found[0][0]), "name": found[0][1], "deletedOn": None}
        return {"id": str(row[0]), "name": row[1], "gender": GENDERS[int(row[2])], "version": int(row[3]),
                "category": {"id": str(row[4]), "name": row[5]}, "sizeRange": {"id": str(row[6]), "label": row[7]},
                "addedBy": ref(row[8], row[9]), "addedOn": row[10], "deprecatedBy": ref(row[11], row[12]),
                "deprecatedOn": row[13], "precededByProduct": ref(row[14], row[15]),
                "supercededByProduct": ref(row[16], row[17]), "instantiation": instantiation}

    def listed_ids(self, base_id=None):
        """boxtribute's standardProducts: the newest version, and with a base every standard
        product with a live instantiation there; by id."""
        enabled = ""
        if base_id is not None:
            enabled = (f" OR EXISTS (SELECT 1 FROM products p WHERE p.standard_product_id = sp.id "
                       f"AND p.camp_id = {base_id} AND {live('p')})")
        return [r[0] for r in self.db.sql(
            f"SELECT sp.id FROM standard_product sp WHERE sp.version = "
            f"(SELECT MAX(version) FROM standard_product){enabled} ORDER BY sp.id")]

    def page(self, base_id=None):
        ids = self.listed_ids(base_id)
        return {"__typename": "StandardProductPage", "totalCount": len(ids),
                "elements": [self.standard(i, base_id) for i in ids],
                "pageInfo": {"hasNextPage": False, "hasPreviousPage": False}}

    def base_error(self, base_id):
        name, organisation = self.db.sql(f"SELECT c.name, o.label FROM camps c JOIN organisations o "
                                         f"ON o.id = c.organisation_id WHERE c.id = {base_id}")[0]
        return {"__typename": "UnauthorizedForBaseError", "id": str(base_id), "name": name,
                "organisationName": organisation}

    # --- reads --------------------------------------------------------------------------

    def test_standard_products_newest_version(self):
        """Without baseId: every standard product of the newest version, none instantiated."""
        for token in (self.token, self.other, self.god):
            self.assertEqual(self.data(LIST, {}, token)["standardProducts"], self.page())

    def test_standard_products_of_a_base(self):
        """With baseId: also those enabled in the base, each with its live instantiation there;
        for a base the caller may not read, UnauthorizedForBaseError with the base's names."""
        self.assertEqual(self.data(LIST, {"baseId": "1"})["standardProducts"], self.page(1))
        self.assertEqual(self.data(LIST, {"baseId": "2"}, self.other)["standardProducts"], self.page(2))
        self.assertEqual(self.data(LIST, {"baseId": "2"}, self.god)["standardProducts"], self.page(2))
        self.assertEqual(self.data(LIST, {"baseId": "2"})["standardProducts"], self.base_error(2))
        self.assertEqual(self.data(LIST, {"baseId": "1"}, self.other)["standardProducts"], self.base_error(1))
        missing = self.db.scalar("SELECT MAX(id) + 1 FROM camps")
        self.assertEqual(self.data(LIST, {"baseId": str(missing)})["standardProducts"],
                         {"__typename": "UnauthorizedForBaseError", "id": str(missing), "name": "",
                          "organisationName": ""})

    def test_standard_products_without_permission(self):
        expected = {"__typename": "InsufficientPermissionError", "name": "standard_product:read"}
        for variables in ({}, {"baseId": "1"}):
            self.assertEqual(self.data(LIST, variables, self.without)["standardProducts"], expected)
        self.assertEqual(self.data(ONE, {"id": "1"}, self.without)["standardProduct"], expected)

    def test_standard_product_by_id(self):
        """standardProduct(id): every field; instantiation null (set only by standardProducts with
        a base); an unknown id ResourceDoesNotExistError without id."""
        for sp_id in self.listed_ids(1)[:5] + [self.db.scalar("SELECT MIN(id) FROM standard_product")]:
            for token in (self.token, self.other, self.god):
                self.assertEqual(self.data(ONE, {"id": str(sp_id)}, token)["standardProduct"],
                                 dict(self.standard(sp_id), __typename="StandardProduct"))
        missing = self.db.scalar("SELECT MAX(id) + 1 FROM standard_product")
        self.assertEqual(self.data(ONE, {"id": str(missing)})["standardProduct"],
                         {"__typename": "ResourceDoesNotExistError", "missingId": None, "name": "StandardProduct"})

    def test_product_standard_product(self):
        """Product.standardProduct: the standard product a product instantiates, null for custom ones."""
        for base, token in ((1, self.token), (2, self.other)):
            rows = self.db.sql(f"SELECT p.id, sp.id, sp.name, sp.version FROM products p LEFT JOIN standard_product sp "
                               f"ON sp.id = p.standard_product_id WHERE p.camp_id = {base} ORDER BY p.id")
            expected = [{"id": str(r[0]), "standardProduct": None if r[1] is None else
                         {"id": str(r[1]), "name": r[2], "version": int(r[3])}} for r in rows]
            self.assertEqual(self.data(PRODUCT_STANDARD, {"baseId": str(base)}, token)["products"]["elements"],
                             expected)

    def test_frontend_documents(self):
        """The Products page's two documents as the front-end sends them."""
        data = self.data(FRONTEND_PRODUCTS, {"baseId": "1"})
        rows = self.db.sql("SELECT id, standard_product_id FROM products WHERE camp_id = 1 ORDER BY id")
        self.assertEqual([(e["id"], e["standardProduct"]) for e in data["products"]["elements"]],
                         [(str(r[0]), None if r[1] is None else {"id": str(r[1]), "__typename": "StandardProduct"})
                          for r in rows])
        data = self.data(FRONTEND_STANDARD_PRODUCTS, {"baseId": "1"})["standardProducts"]
        ids = self.listed_ids(1)
        self.assertEqual(data["__typename"], "StandardProductPage")
        self.assertEqual(data["totalCount"], len(ids))
        self.assertEqual([e["id"] for e in data["elements"]], [str(i) for i in ids])
        for element in data["elements"]:
            expected = self.standard(element["id"], 1)["instantiation"]
            got = element["instantiation"]
            self.assertEqual(None if got is None else got["id"], None if expected is None else expected["id"])
            if got is not None:
                price, in_shop, comment = self.db.sql(f"SELECT value, stockincontainer, comments FROM products "
                                                      f"WHERE id = {got['id']}")[0]
                self.assertEqual((got["price"], got["inShop"], got["comment"]), (float(price), bool(int(in_shop)), comment))

    def test_statements_independent_of_rows(self):
        """standardProducts(baseId) with its relations takes the same statements for the catalogue
        as loaded and with 40 more standard products enabled in the base."""
        text = f"""query($baseId: ID) {{ standardProducts(baseId: $baseId) {{ ... on StandardProductPage {{
                   elements {{ {STANDARD} instantiation {{ id standardProduct {{ id }} }} }} }} }} }}"""

        def statements():
            response = self.call(text, {"baseId": "1"})
            self.assertNotIn("errors", response)
            return response["extensions"]["debug"]["sqlStatements"], len(response["data"]["standardProducts"]["elements"])
        before, n_before = statements()
        first = int(self.db.scalar("SELECT MAX(id) + 1 FROM standard_product"))
        version = int(self.db.scalar("SELECT MAX(version) FROM standard_product"))
        category, gender, size_range = self.db.sql("SELECT category_id, gender_id, size_range_id FROM standard_product "
                                                   "LIMIT 1")[0]
        product = int(self.db.scalar("SELECT MAX(id) + 1 FROM products"))
        values = ", ".join(f"({first + i}, 'Extra {i}', {category}, {gender}, {size_range}, {version}, NOW(), 1)"
                           for i in range(40))
        instantiations = ", ".join(f"({product + i}, 'Extra {i}', {category}, {gender}, {size_range}, 1, {first + i})"
                                   for i in range(40))
        self.db.sql(f"INSERT INTO standard_product (id, name, category_id, gender_id, size_range_id, version, added_on, "
                    f"added_by) VALUES {values}; INSERT INTO products (id, name, category_id, gender_id, sizegroup_id, "
                    f"camp_id, standard_product_id) VALUES {instantiations}")
        try:
            after, n_after = statements()
        finally:
            self.db.sql(f"DELETE FROM products WHERE id >= {product}; DELETE FROM standard_product WHERE id >= {first}")
        self.assertEqual(n_after, n_before + 40)
        self.assertEqual(after, before)


class StandardProductsOnDepotDDL(StandardProductCases, unittest.TestCase):

    @classmethod
    def load(cls, db):
        db.load_file(os.path.join(harness.REPO, "db", "ddl.sql"))
        db.load_file(os.path.join(harness.REPO, "db", "indexes.sql"))
        db.sql(DDL_ROWS)


@unittest.skipUnless(os.path.exists(DUMP), f"{DUMP} is absent: boxtribute's dump is not available here")
class StandardProductsOnBoxtributeDump(StandardProductCases, unittest.TestCase):

    @classmethod
    def load(cls, db):
        db.load_file(DUMP)
        db.load_file(os.path.join(harness.REPO, "db", "indexes.sql"))


if __name__ == "__main__":
    unittest.main()
