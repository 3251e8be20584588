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
from mutation_cases import (BOX_STATES, READS, TWO_ORGANISATIONS, MutationCases, on_each_data_set,  # noqa: E402
                            permissions)
from read_exact import GENDERS, dt, live  # noqa: E402

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

FRONTEND_ENABLE = harness.read_query(os.path.join("mutations", "EnableStandardProduct.graphql"))
FRONTEND_EDIT = harness.read_query(os.path.join("mutations", "EditStandardProduct.graphql"))
FRONTEND_DISABLE = harness.read_query(os.path.join("mutations", "DisableStandardProduct.graphql"))
PRODUCT = """id name type standardProduct { id } category { id } sizeRange { id } gender price comment inShop
             base { id } createdBy { id } createdOn lastModifiedBy { id } lastModifiedOn deletedOn"""
ENABLE = f"""mutation($input: StandardProductEnableInput) {{ enableStandardProduct(enableInput: $input) {{
             __typename ... on Product {{ {PRODUCT} }} {PERMISSION} {BASE_ERROR} {MISSING}
             ... on InvalidPriceError {{ value }}
             ... on StandardProductAlreadyEnabledForBaseError {{ existingStandardProductInstantiationId }}
             ... on OutdatedStandardProductVersionError {{ mostRecentStandardProductId }} }} }}"""
ENABLE_MANY = f"""mutation($input: StandardProductsEnableInput) {{ enableStandardProducts(enableInput: $input) {{
             __typename ... on ProductsResult {{ instantiations {{ {PRODUCT} }} invalidStandardProductIds }}
             {PERMISSION} {BASE_ERROR} }} }}"""
EDIT = f"""mutation($input: StandardProductInstantiationEditInput) {{
             editStandardProductInstantiation(editInput: $input) {{
             __typename ... on Product {{ {PRODUCT} }} {PERMISSION} {BASE_ERROR} {MISSING}
             ... on InvalidPriceError {{ value }} ... on ProductTypeMismatchError {{ expectedType }} }} }}"""
DISABLE = f"""mutation($id: ID!) {{ disableStandardProduct(instantiationId: $id) {{
             __typename ... on Product {{ {PRODUCT} }} {PERMISSION} {BASE_ERROR} {MISSING}
             ... on BoxesStillAssignedToProductError {{ labelIdentifiers }}
             ... on ProductTypeMismatchError {{ expectedType }} }} }}"""
WRITTEN = "products, history, standard_product"   # every table these mutations write

FRONTEND_STANDARD_PRODUCTS = harness.read_query("standard_products_for_products_view.graphql")
FRONTEND_PRODUCTS = harness.read_query("products_for_products_view.graphql")
FRONTEND_FORM = harness.read_query("standard_product_form.graphql")

# Depot's DDL with the rows the cases need: two organisations with a base each, users, and a
# small catalogue with two versions, a deprecated entry and instantiations (live and deleted).
DDL_ROWS = TWO_ORGANISATIONS + BOX_STATES + """
INSERT INTO sizegroup (id, label) VALUES (1, 'One size'), (2, 'S M L'), (28, 'Mass');
INSERT INTO units (id, name, symbol, conversion_factor, dimension_id) VALUES (1, 'kilogram', 'kg', 1, 28);
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


class StandardProductCases(MutationCases):
    """The cases, run on each data set by the classes at the end of the file."""
    TABLES_WRITTEN = WRITTEN
    WRITES = ["product:write"]

    @classmethod
    def tokens(cls):
        super().tokens()
        # A user of base 1 without standard_product:read nor product:write.
        cls.without = cls.keys.token(sub="auth0|8", permissions=permissions(
            1, [r for r in READS if r != "standard_product:read"]))
        # The standard-product mutations are beta level 4 (boxtribute's authz.py).
        cls.beta3 = cls.beta_token(3)

    # --- requests and expected values --------------------------------------------------

    def data(self, text, variables=None, token=None):
        response = self.send(text, variables, token)
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
        # Without standard_product:read: FORBIDDEN on each standard product (boxtribute's
        # loader authorizes), null for custom products.
        response = self.send(PRODUCT_STANDARD, {"baseId": "1"}, self.without)
        rows = self.db.sql("SELECT id, standard_product_id FROM products WHERE camp_id = 1 ORDER BY id")
        self.assertEqual(response["data"]["products"]["elements"],
                         [{"id": str(r[0]), "standardProduct": None} for r in rows])
        errors = [(e["path"][2], e["extensions"]["code"]) for e in response.get("errors", [])]
        self.assertEqual(errors, [(i, "FORBIDDEN") for i, r in enumerate(rows) if r[1] is not None])

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

    def test_frontend_form_document(self):
        """The Enable/Edit standard product forms' query: the base's list with instantiations."""
        data = self.data(FRONTEND_FORM, {"baseId": "1"})["standardProducts"]
        expected = []
        for sp_id in self.listed_ids(1):
            sp = self.standard(sp_id, 1)
            instantiation = None
            if sp["instantiation"]:
                price, comment, in_shop = self.db.sql(f"SELECT value, comments, stockincontainer FROM products "
                                                      f"WHERE id = {sp['instantiation']['id']}")[0]
                instantiation = {"id": sp["instantiation"]["id"], "price": float(price), "comment": comment,
                                 "inShop": bool(int(in_shop)), "deletedOn": None, "__typename": "Product"}
            expected.append({"id": sp["id"], "name": sp["name"], "gender": sp["gender"],
                             "category": dict(sp["category"], __typename="ProductCategory"),
                             "sizeRange": dict(sp["sizeRange"], __typename="SizeRange"),
                             "instantiation": instantiation, "__typename": "StandardProduct"})
        self.assertEqual(data, {"__typename": "StandardProductPage", "elements": expected})

    def test_statements_independent_of_rows(self):
        """standardProducts(baseId) with its relations takes the same statements for the catalogue
        as loaded and with 40 more standard products enabled in the base."""
        text = f"""query($baseId: ID) {{ standardProducts(baseId: $baseId) {{ ... on StandardProductPage {{
                   elements {{ {STANDARD} instantiation {{ id standardProduct {{ id }} }} }} }} }} }}"""

        def statements():
            response = self.send(text, {"baseId": "1"})
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


    # --- mutations: helpers ------------------------------------------------------------

    def fresh_standard_product(self, base=1):
        """A standard product of the newest version never instantiated in base, made here."""
        category, gender, size_range = self.db.sql("SELECT category_id, gender_id, size_range_id "
                                                   "FROM standard_product ORDER BY id LIMIT 1")[0]
        version = self.db.scalar("SELECT MAX(version) FROM standard_product")
        self.db.sql(f"INSERT INTO standard_product (name, category_id, gender_id, size_range_id, version, added_on, "
                    f"added_by) VALUES ('Fresh', {category}, {gender}, {size_range}, {version}, NOW(), 1)")
        return int(self.db.scalar("SELECT MAX(id) FROM standard_product"))

    def product_row(self, product_id):
        """products' columns as the mutations write them."""
        row = self.db.sql(f"SELECT name, category_id, gender_id, sizegroup_id, camp_id, value, comments, "
                           f"stockincontainer, standard_product_id, created_by, "
                           f"DATE_FORMAT(created, '%Y-%m-%d %H:%i:%s'), modified_by, "
                           f"DATE_FORMAT(modified, '%Y-%m-%d %H:%i:%s'), "
                           f"DATE_FORMAT(deleted, '%Y-%m-%d %H:%i:%s') FROM products WHERE id = {product_id}")[0]
        return tuple(row)

    def history(self, product_id, since_id):
        return [tuple(r) for r in self.db.sql(
            f"SELECT changes, user_id, DATE_FORMAT(changedate, '%Y-%m-%d %H:%i:%s'), from_int, to_int "
            f"FROM history WHERE tablename = 'products' AND record_id = {product_id} AND id > {since_id} ORDER BY id")]

    def last_history(self):
        return int(self.db.scalar("SELECT COALESCE(MAX(id), 0) FROM history"))

    def live_box(self, product_id, base=1):
        location = self.db.scalar(f"SELECT MIN(id) FROM locations WHERE camp_id = {base}")
        label = "9" + str(product_id).zfill(6)
        self.db.sql(f"INSERT INTO stock (box_id, product_id, location_id, box_state_id, items, created, created_by) "
                    f"VALUES ('{label}', {product_id}, {location}, 1, 3, NOW(), 8)")
        return label

    # --- mutations ----------------------------------------------------------------------

    def test_enable_disable_enable_again(self):
        """enableStandardProduct makes a product from the standard product (its name, category,
        gender, size range; price 0, comment "", not in shop) with "Record created";
        disableStandardProduct sets deleted with "Record deleted"; enabling again reuses that
        product with the new input values and writes "Record created" again."""
        sp = self.fresh_standard_product()
        name, category, gender, size_range = self.db.sql(f"SELECT name, category_id, gender_id, size_range_id "
                                                         f"FROM standard_product WHERE id = {sp}")[0]
        mark, start = self.last_history(), self.now()
        data = self.data(FRONTEND_ENABLE, {"baseId": 1, "standardProductId": sp})["enableStandardProduct"]
        product = int(data["id"])
        row = self.product_row(product)
        self.assertEqual(row[:10], (name, category, gender, size_range, "1", "0", "", "0", str(sp), "8"))
        self.assertGreaterEqual(row[10], start)
        self.assertEqual(row[11:], (None, None, None))
        self.assertEqual(self.history(product, mark), [("Record created", "8", row[10], None, None)])
        self.assertEqual(data, {"__typename": "Product", "id": str(product), "type": "StandardInstantiation",
                                "standardProduct": {"id": str(sp), "__typename": "StandardProduct"},
                                "comment": "", "inShop": False, "price": 0.0,
                                "createdOn": row[10].replace(" ", "T") + "+00:00",
                                "createdBy": {"id": "8", "name": self.db.scalar("SELECT naam FROM cms_users WHERE id = 8"),
                                              "__typename": "User"}})
        # Enabled already: refused, nothing written.
        self.union_error(ENABLE, {"input": {"baseId": 1, "standardProductId": sp}},
                         {"__typename": "StandardProductAlreadyEnabledForBaseError",
                          "existingStandardProductInstantiationId": str(product)})
        # Disabled.
        mark = self.last_history()
        data = self.data(FRONTEND_DISABLE, {"instantiationId": str(product)})["disableStandardProduct"]
        row = self.product_row(product)
        self.assertIsNotNone(row[13])
        self.assertEqual(data["deletedOn"], row[13].replace(" ", "T") + "+00:00")
        self.assertEqual(self.history(product, mark), [("Record deleted", "8", row[13], None, None)])
        # Disabled already: answered as it is, nothing written.
        before = self.checksum()
        self.assertEqual(self.data(FRONTEND_DISABLE, {"instantiationId": str(product)})["disableStandardProduct"], data)
        self.assertEqual(self.checksum(), before)
        # Enabled again: the same product, with the input's values.
        other_range = self.db.scalar(f"SELECT MIN(id) FROM sizegroup WHERE id <> {size_range}")
        mark = self.last_history()
        data = self.data(ENABLE, {"input": {"baseId": 1, "standardProductId": sp, "sizeRangeId": int(other_range),
                                            "price": 7, "comment": "again", "inShop": True}})["enableStandardProduct"]
        self.assertEqual(data["id"], str(product))
        row = self.product_row(product)
        self.assertEqual(row[3:9], (other_range, "1", "7", "again", "1", str(sp)))
        self.assertEqual((row[11], row[13]), ("8", None))
        self.assertEqual(self.history(product, mark), [("Record created", "8", row[12], None, None)])

    def test_enable_refusals(self):
        """Each documented error of enableStandardProduct, and nothing changed."""
        sp = self.fresh_standard_product()
        newest = self.fresh_standard_product()
        self.db.sql(f"UPDATE standard_product SET superceded_by_product_id = {newest} WHERE id = {sp}")
        self.union_error(ENABLE, {"input": {"baseId": 1, "standardProductId": sp}},
                         {"__typename": "OutdatedStandardProductVersionError", "mostRecentStandardProductId": str(newest)})
        missing = int(self.db.scalar("SELECT MAX(id) + 1 FROM standard_product"))
        self.union_error(ENABLE, {"input": {"baseId": 1, "standardProductId": missing}},
                         {"__typename": "ResourceDoesNotExistError", "missingId": None, "name": "StandardProduct"})
        no_range = int(self.db.scalar("SELECT MAX(id) + 1 FROM sizegroup"))
        self.union_error(ENABLE, {"input": {"baseId": 1, "standardProductId": newest, "sizeRangeId": no_range}},
                         {"__typename": "ResourceDoesNotExistError", "missingId": None, "name": "SizeRange"})
        self.union_error(ENABLE, {"input": {"baseId": 1, "standardProductId": newest, "price": -1}},
                         {"__typename": "InvalidPriceError", "value": -1})
        self.union_error(ENABLE, {"input": {"baseId": 2, "standardProductId": newest}}, self.base_error(2))
        self.union_error(ENABLE, {"input": {"baseId": 1, "standardProductId": newest}},
                         {"__typename": "InsufficientPermissionError", "name": "product:write"}, self.without)
        before = self.checksum()
        status, response, _ = harness.post(self.depot.url, {"query": ENABLE, "variables": {
            "input": {"baseId": 1, "standardProductId": newest}}}, self.beta3)
        self.assertEqual(response, {"errors": [{"message": "Insufficient beta-level"}]})
        self.assertEqual(self.checksum(), before)

    def test_disable_refusals(self):
        """disableStandardProduct: refused while a live box uses the product (the boxes'
        labels), for a custom product, an unknown id and another base; nothing changed."""
        sp = self.fresh_standard_product()
        product = int(self.data(ENABLE, {"input": {"baseId": 1, "standardProductId": sp}})
                      ["enableStandardProduct"]["id"])
        label = self.live_box(product)
        self.union_error(DISABLE, {"id": str(product)},
                         {"__typename": "BoxesStillAssignedToProductError", "labelIdentifiers": [label]})
        self.union_error(DISABLE, {"id": str(product)}, self.base_error(1), self.other)
        custom = self.db.scalar("SELECT MIN(id) FROM products WHERE camp_id = 1 AND standard_product_id IS NULL")
        self.union_error(DISABLE, {"id": str(custom)},
                         {"__typename": "ProductTypeMismatchError", "expectedType": "StandardInstantiation"})
        missing = int(self.db.scalar("SELECT MAX(id) + 1 FROM products"))
        self.union_error(DISABLE, {"id": str(missing)},
                         {"__typename": "ResourceDoesNotExistError", "missingId": str(missing), "name": "Product"})
        # The box leaves (deleted): now the product may be disabled.
        self.db.sql(f"UPDATE stock SET deleted = NOW() WHERE box_id = '{label}'")
        self.assertEqual(self.data(DISABLE, {"id": str(product)})["disableStandardProduct"]["id"], str(product))
        self.assertIsNotNone(self.product_row(product)[13])

    def test_edit_instantiation(self):
        """editStandardProductInstantiation: only changed columns, one history row per change
        (boxtribute's columns and texts), modified set; the front-end's document; refusals."""
        sp = self.fresh_standard_product()
        product = int(self.data(ENABLE, {"input": {"baseId": 1, "standardProductId": sp}})
                      ["enableStandardProduct"]["id"])
        size_range = self.product_row(product)[3]
        other_range = self.db.scalar(f"SELECT MIN(id) FROM sizegroup WHERE id <> {size_range}")
        mark = self.last_history()
        data = self.data(EDIT, {"input": {"id": str(product), "sizeRangeId": int(other_range), "price": 5,
                                          "comment": "new", "inShop": True}})["editStandardProductInstantiation"]
        row = self.product_row(product)
        self.assertEqual(row[3:8], (other_range, "1", "5", "new", "1"))
        self.assertEqual(row[11], "8")
        self.assertEqual(data["lastModifiedOn"], row[12].replace(" ", "T") + "+00:00")
        self.assertEqual(self.history(product, mark), [
            ("sizegroup_id", "8", row[12], size_range, other_range), ("value", "8", row[12], "0", "5"),
            ('comments changed from "" to "new";', "8", row[12], None, None),
            ("stockincontainer", "8", row[12], "0", "1")])
        # The front-end's form, changing the price only.
        mark = self.last_history()
        data = self.data(FRONTEND_EDIT, {"id": str(product), "price": 6, "comment": "new", "inShop": True})
        self.assertEqual(data["editStandardProductInstantiation"]["price"], 6.0)
        self.assertEqual([h[0] for h in self.history(product, mark)], ["value"])
        self.union_error(EDIT, {"input": {"id": str(product), "price": -3}}, {"__typename": "InvalidPriceError", "value": -3})
        custom = self.db.scalar("SELECT MIN(id) FROM products WHERE camp_id = 1 AND standard_product_id IS NULL")
        self.union_error(EDIT, {"input": {"id": str(custom), "price": 1}},
                         {"__typename": "ProductTypeMismatchError", "expectedType": "StandardInstantiation"})
        self.union_error(EDIT, {"input": {"id": str(product), "price": 1}}, self.base_error(1), self.other)

    def test_enable_many(self):
        """enableStandardProducts: the valid ones (existing, newest, never instantiated in the
        base) enabled with "Record created" each; the others listed, ascending; statements the
        same for 1 and 12 standard products."""
        fresh = [self.fresh_standard_product() for _ in range(3)]
        outdated = self.fresh_standard_product()
        self.db.sql(f"UPDATE standard_product SET superceded_by_product_id = {fresh[0]} WHERE id = {outdated}")
        enabled = int(self.db.scalar("SELECT MIN(standard_product_id) FROM products WHERE camp_id = 1 "
                                     "AND standard_product_id IS NOT NULL"))
        missing = int(self.db.scalar("SELECT MAX(id) + 100 FROM standard_product"))
        mark = self.last_history()
        response = self.send(ENABLE_MANY, {"input": {"baseId": 1, "standardProductIds":
                                                     [fresh[1], missing, enabled, fresh[0], outdated, fresh[1]]}})
        result = response["data"]["enableStandardProducts"]
        made = self.db.sql(f"SELECT id, standard_product_id FROM products WHERE camp_id = 1 "
                           f"AND standard_product_id IN ({fresh[0]}, {fresh[1]}) ORDER BY standard_product_id")
        self.assertEqual(sorted(int(p["id"]) for p in result["instantiations"]), sorted(int(m[0]) for m in made))
        self.assertEqual([int(m[1]) for m in made], [fresh[0], fresh[1]])
        self.assertEqual(result["invalidStandardProductIds"], sorted([missing, enabled, outdated]))
        for product_id, _ in made:
            row = self.product_row(product_id)
            self.assertEqual(row[4:8], ("1", "0", "", "0"))
            self.assertEqual(self.history(product_id, mark), [("Record created", "8", row[10], None, None)])
        # Only invalid ones: nothing written.
        self.union_error(ENABLE_MANY, {"input": {"baseId": 1, "standardProductIds": [missing, fresh[0]]}},
                         {"__typename": "ProductsResult", "instantiations": [],
                          "invalidStandardProductIds": sorted([missing, fresh[0]])})
        self.union_error(ENABLE_MANY, {"input": {"baseId": 2, "standardProductIds": [fresh[2]]}}, self.base_error(2))
        self.union_error(ENABLE_MANY, {"input": {"baseId": 1, "standardProductIds": [fresh[2]]}},
                         {"__typename": "InsufficientPermissionError", "name": "product:write"}, self.without)
        self.union_error(EDIT, {"input": {"id": str(made[0][0]), "price": 1}},
                         {"__typename": "InsufficientPermissionError", "name": "product:write"}, self.without)
        self.union_error(DISABLE, {"id": str(made[0][0])},
                         {"__typename": "InsufficientPermissionError", "name": "product:write"}, self.without)
        # Statements: the same for 1 and for 12 standard products.
        one = self.send(ENABLE_MANY, {"input": {"baseId": 1, "standardProductIds": [fresh[2]]}})
        twelve_ids = [self.fresh_standard_product() for _ in range(12)]
        twelve = self.send(ENABLE_MANY, {"input": {"baseId": 1, "standardProductIds": twelve_ids}})
        self.assertEqual(len(twelve["data"]["enableStandardProducts"]["instantiations"]), 12)
        self.assertEqual(int(self.db.scalar(f"SELECT COUNT(*) FROM products WHERE camp_id = 1 AND "
                                            f"standard_product_id IN ({','.join(map(str, twelve_ids))})")), 12)
        self.assertEqual(one["extensions"]["debug"]["sqlStatements"], twelve["extensions"]["debug"]["sqlStatements"])

    def test_concurrent_enables(self):
        """16 concurrent enables of one standard product in one base: one product, one
        success, the others StandardProductAlreadyEnabledForBaseError naming it."""
        import concurrent.futures
        sp = self.fresh_standard_product()
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(lambda _: self.data(ENABLE, {"input": {"baseId": 1, "standardProductId": sp}})
                                    ["enableStandardProduct"], range(16)))
        ids = [r[0] for r in self.db.sql(f"SELECT id FROM products WHERE standard_product_id = {sp}")]
        self.assertEqual(len(ids), 1)
        self.assertEqual(sorted(a["__typename"] for a in answers),
                         ["Product"] + ["StandardProductAlreadyEnabledForBaseError"] * 15)
        for answer in answers:
            self.assertEqual(answer.get("id", answer.get("existingStandardProductInstantiationId")), str(ids[0]))


StandardProductsOnDepotDDL, StandardProductsOnBoxtributeDump = on_each_data_set(
    StandardProductCases, "StandardProducts", DDL_ROWS)


if __name__ == "__main__":
    unittest.main()
