"""The custom-product mutations: createCustomProduct, editCustomProduct and deleteProduct, as
every kind of user (the base's coordinator, a user of another organisation, a god user, users
without a permission, a user below the beta level), on Depot's DDL with rows written here.

Each success is checked row by row (products and history) against SQL run here, with one
timestamp per mutation between the clock read before and after it; each union error member as
boxtribute answers it (business_logic/warehouse/product); every refused call changes nothing
(CHECKSUM TABLE of products, history and stock). deleteProduct's check for boxes still using
the product takes the same statements for 1 and 40 boxes, and runs under the product's lock:
16 clients creating boxes of a product while it is deleted leave either the delete refused or
no live box of the deleted product. The front-end's product forms run their own documents.
Licensed under the Apache License 2.0.
"""
import concurrent.futures
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from mutation_cases import (BOX_STATES, OLD, READS, TWO_ORGANISATIONS, MutationCases, OnDepotSchema, dt,  # noqa: E402
                            permissions, ref)

WRITTEN = "products, history, stock"  # every table a product mutation (or createBox) writes
# ProductGender as boxtribute numbers it (its genders table, enums.py).
GENDER_TO_DB = {"Women": 1, "Men": 2, "UnisexAdult": 3, "none": 10}
DB_TO_GENDER = {v: k for k, v in GENDER_TO_DB.items()}
# BoxState ids (box_state table).
IN_STOCK, LOST, MARKED, RECEIVING, DONATED, SCRAP, IN_TRANSIT, NOT_DELIVERED = range(1, 9)

FRONTEND_CREATE = harness.read_query(os.path.join("mutations", "CreateCustomProduct.graphql"))
FRONTEND_EDIT = harness.read_query(os.path.join("mutations", "EditCustomProduct.graphql"))
FRONTEND_DELETE = harness.read_query(os.path.join("mutations", "DeleteProduct.graphql"))

PRODUCT = """id name type category { id } sizeRange { id } base { id } price gender comment inShop
             createdBy { id } createdOn lastModifiedBy { id } lastModifiedOn deletedOn"""
# Union error members; ResourceDoesNotExistError.id and InvalidPriceError.value are aliased
# where they would clash with Product's fields (OverlappingFieldsCanBeMerged).
PERMISSION = "... on InsufficientPermissionError { name }"
BASE = "... on UnauthorizedForBaseError { id name organisationName }"
MISSING = "... on ResourceDoesNotExistError { missingId: id name }"
PRICE = "... on InvalidPriceError { value }"
EMPTY = "... on EmptyNameError { _ }"
MISMATCH = "... on ProductTypeMismatchError { expectedType }"
STILL = "... on BoxesStillAssignedToProductError { labelIdentifiers }"
CREATE = f"""mutation($input: CustomProductCreationInput) {{ createCustomProduct(creationInput: $input) {{
             __typename ... on Product {{ {PRODUCT} }} {PERMISSION} {BASE} {MISSING} {PRICE} {EMPTY} }} }}"""
EDIT = f"""mutation($input: CustomProductEditInput) {{ editCustomProduct(editInput: $input) {{
           __typename ... on Product {{ {PRODUCT} }} {PERMISSION} {BASE} {MISSING} {PRICE} {EMPTY} {MISMATCH} }} }}"""
DELETE = f"""mutation($id: ID!) {{ deleteProduct(id: $id) {{
             __typename ... on Product {{ {PRODUCT} }} {PERMISSION} {BASE} {MISSING} {STILL} {MISMATCH} }} }}"""
CREATE_BOX = """mutation($input: BoxCreationInput) { createBox(creationInput: $input) { labelIdentifier } }"""
CREATE_BOXES = """mutation($input: [BoxBulkCreationInput!]) { createBoxes(creationInput: $input) {
  ... on BoxesResult { updatedBoxes { labelIdentifier } } } }"""

DDL_ROWS = TWO_ORGANISATIONS + BOX_STATES + """
INSERT INTO sizegroup (id, label) VALUES (1, 'One size'), (2, 'Shoes'), (28, 'Mass');
INSERT INTO sizes (id, label) VALUES (1, 'One');
INSERT INTO units (id, name, symbol, conversion_factor, dimension_id) VALUES (1, 'kilogram', 'kg', 1, 28);
INSERT INTO sizes_sizegroup (size_id, sizegroup_id) VALUES (1, 1);
INSERT INTO product_categories (id, label) VALUES (1, 'Clothing'), (2, 'Food');
INSERT INTO genders (id, label) VALUES (1, 'Women'), (2, 'Men'), (3, 'Unisex Adult'), (10, '-');
INSERT INTO standard_product (id, name, category_id, gender_id, size_range_id, version, added_on)
  VALUES (1, 'Standard jacket', 1, 1, 1, 1, '2024-01-01 00:00:00');
INSERT INTO locations (id, label, camp_id, box_state_id) VALUES (1, 'WH', 1, 1), (2, 'WH', 2, 1);
"""


class ProductMutations(OnDepotSchema, MutationCases, unittest.TestCase):
    ROWS = DDL_ROWS
    TABLES_WRITTEN = WRITTEN
    WRITES = ["product:write", "stock:write", "tag_relation:assign"]

    @classmethod
    def tokens(cls):
        super().tokens()
        # A coordinator without size_range:read, one without product_category:read.
        cls.no_sizes = cls.keys.token(sub="auth0|8", permissions=permissions(
            1, [p for p in READS if p != "size_range:read"] + cls.WRITES))
        cls.no_categories = cls.keys.token(sub="auth0|8", permissions=permissions(
            1, [p for p in READS if p != "product_category:read"] + cls.WRITES))
        # The product mutations are beta level 4 (boxtribute's authz.py: ManageProducts).
        cls.beta3 = cls.beta_token(3)
        cls.beta4 = cls.beta_token(4)

    # --- rows written here ---------------------------------------------------------------

    def new_product(self, base=1, name=None, comment="'old comment'", deleted=None, standard=None,
                    category=1, size_range=1, gender=1, price=5, in_shop=0):
        name = name or f"Product {self.next_serial()}"
        return self.insert(
            "INSERT INTO products (name, category_id, gender_id, sizegroup_id, camp_id, value, created, "
            "created_by, modified, modified_by, stockincontainer, comments, deleted, standard_product_id) "
            f"VALUES ('{name}', {category}, {gender}, {size_range}, {base}, {price}, '{OLD}', 8, '{OLD}', 1, "
            f"{in_shop}, {comment}, {f'{chr(39)}{deleted}{chr(39)}' if deleted else 'NULL'}, "
            f"{standard if standard else 'NULL'})")

    def new_box(self, product, state=IN_STOCK, deleted=None):
        """A box of product; not deleted: the column's default, the zero date."""
        label = str(78000000 + self.next_serial())
        gone = (", deleted", f", '{deleted}'") if deleted else ("", "")
        self.insert(
            "INSERT INTO stock (box_id, product_id, size_id, location_id, items, box_state_id, created, "
            f"created_by, modified, modified_by{gone[0]}) VALUES ('{label}', {product}, 1, 1, 3, {state}, "
            f"'{OLD}', 8, '{OLD}', 1{gone[1]})")
        return label

    def product_row(self, product):
        """Every column of a products row a mutation may write, as SQL has it."""
        names = ["name", "category_id", "gender_id", "sizegroup_id", "camp_id", "value", "created",
                 "created_by", "modified", "modified_by", "stockincontainer", "comments", "deleted",
                 "standard_product_id"]
        (row,) = self.json_rows(
            "name, category_id, gender_id, sizegroup_id, camp_id, value, CAST(created AS CHAR), created_by, "
            "CAST(modified AS CHAR), modified_by, stockincontainer, comments, CAST(deleted AS CHAR), "
            "standard_product_id", f"FROM products WHERE id = {product}")
        return dict(zip(names, row))

    def history_rows(self, product):
        return [dict(zip(["changes", "user_id", "ip", "changedate", "from_int", "to_int", "from_float",
                          "to_float"], r)) for r in self.json_rows(
            "changes, user_id, ip, CAST(changedate AS CHAR), from_int, to_int, from_float, to_float",
            f"FROM history WHERE tablename = 'products' AND record_id = {product} ORDER BY id")]

    def history(self, changes, when, from_int=None, to_int=None, user=8):
        return {"changes": changes, "user_id": user, "ip": None, "changedate": when, "from_int": from_int,
                "to_int": to_int, "from_float": None, "to_float": None}

    def expected_product(self, product):
        """The Product fields of PRODUCT as Depot must answer them, from SQL."""
        (r,) = self.json_rows(
            "CAST(id AS CHAR), name, standard_product_id, CAST(category_id AS CHAR), CAST(sizegroup_id AS CHAR), "
            "CAST(camp_id AS CHAR), value, gender_id, comments, stockincontainer, CAST(created_by AS CHAR), "
            f"{dt('created')}, CAST(modified_by AS CHAR), {dt('modified')}, {dt('deleted')}",
            f"FROM products WHERE id = {product}")
        return {"__typename": "Product", "id": r[0], "name": r[1],
                "type": "Custom" if r[2] is None else "StandardInstantiation",
                "category": ref(r[3]), "sizeRange": ref(r[4]), "base": ref(r[5]), "price": float(r[6]),
                "gender": DB_TO_GENDER[r[7]], "comment": r[8], "inShop": bool(r[9]), "createdBy": ref(r[10]),
                "createdOn": r[11], "lastModifiedBy": ref(r[12]), "lastModifiedOn": r[13], "deletedOn": r[14]}

    # --- createCustomProduct ------------------------------------------------------------

    def creation(self, **fields):
        given = {"name": f"Custom {self.next_serial()}", "categoryId": 2, "sizeRangeId": 2, "gender": "Men",
                 "baseId": 1}
        given.update(fields)
        return {"input": given}

    def test_create(self):
        """Every input field stored in its column, created/created_by the mutation's, modified
        untouched, one history row "Record created" at the same timestamp."""
        before = self.now()
        answer = self.field(CREATE, self.creation(name="Rain coat", price=7, comment="warm", inShop=True))
        after = self.now()
        product = int(answer["id"])
        row = self.product_row(product)
        self.assertBetween(row["created"], before, after)
        self.assertEqual(row, {"name": "Rain coat", "category_id": 2, "gender_id": 2, "sizegroup_id": 2,
                               "camp_id": 1, "value": 7, "created": row["created"], "created_by": 8,
                               "modified": None, "modified_by": None, "stockincontainer": 1,
                               "comments": "warm", "deleted": None, "standard_product_id": None})
        self.assertEqual(self.history_rows(product), [self.history("Record created", row["created"])])
        self.assertEqual(answer, self.expected_product(product))

    def test_create_defaults(self):
        """Left out, price is 0, comment "" and inShop false (boxtribute's defaults); a null
        comment is stored as NULL, as boxtribute stores None."""
        product = int(self.field(CREATE, self.creation())["id"])
        row = self.product_row(product)
        self.assertEqual((row["value"], row["comments"], row["stockincontainer"]), (0, "", 0))
        product = int(self.field(CREATE, self.creation(comment=None))["id"])
        self.assertIsNone(self.product_row(product)["comments"])

    def test_create_refused(self):
        """Each union error as boxtribute answers it, in its order, and nothing written."""
        cases = [
            (self.creation(price=-1), {"__typename": "InvalidPriceError", "value": -1}, None),
            (self.creation(name=""), {"__typename": "EmptyNameError", "_": None}, None),
            # price is checked before the name
            (self.creation(name="", price=-2), {"__typename": "InvalidPriceError", "value": -2}, None),
            (self.creation(categoryId=999),
             {"__typename": "ResourceDoesNotExistError", "missingId": None, "name": "ProductCategory"}, None),
            (self.creation(sizeRangeId=999),
             {"__typename": "ResourceDoesNotExistError", "missingId": None, "name": "SizeRange"}, None),
            (self.creation(baseId=2),
             {"__typename": "UnauthorizedForBaseError", "id": "2", "name": "Thessaloniki",
              "organisationName": "BoxCare"}, None),
            (self.creation(baseId=1), {"__typename": "UnauthorizedForBaseError", "id": "1", "name": "Lesvos",
                                       "organisationName": "BoxAid"}, self.other),
            (self.creation(), {"__typename": "InsufficientPermissionError", "name": "product:write"}, self.reader),
            (self.creation(), {"__typename": "InsufficientPermissionError", "name": "size_range:read"},
             self.no_sizes),
            (self.creation(), {"__typename": "InsufficientPermissionError", "name": "product_category:read"},
             self.no_categories),
            (self.creation(baseId=99), {"__typename": "ResourceDoesNotExistError", "missingId": "99",
                                        "name": "Base"}, self.god),
        ]
        for variables, expected, token in cases:
            with self.subTest(expected=expected):
                self.union_error(CREATE, variables, expected, token)
        self.beta_refused(CREATE, self.creation(), self.beta3)

    def test_create_beta_level_4_and_god(self):
        """Beta level 4 may; a god user may in any base."""
        self.assertEqual(self.field(CREATE, self.creation(), self.beta4)["__typename"], "Product")
        answer = self.field(CREATE, self.creation(baseId=2), self.god)
        self.assertEqual(self.product_row(int(answer["id"]))["camp_id"], 2)

    # --- editCustomProduct ----------------------------------------------------------------

    def test_edit_every_field(self):
        """One history row per changed field in boxtribute's order and encoding (foreign keys
        and integers as from_int/to_int named by column, text as `col changed from "a" to
        "b";`), modified/modified_by set, only the product's own row written."""
        product = self.new_product(comment="NULL", price=5, in_shop=0)
        old_name = self.product_row(product)["name"]
        before = self.now()
        answer = self.field(EDIT, {"input": {"id": str(product), "name": "New name", "categoryId": 2,
                                             "sizeRangeId": 2, "gender": "UnisexAdult", "price": 9,
                                             "comment": "fresh", "inShop": True}})
        after = self.now()
        row = self.product_row(product)
        when = row["modified"]
        self.assertBetween(when, before, after)
        self.assertEqual(row, {"name": "New name", "category_id": 2, "gender_id": 3, "sizegroup_id": 2,
                               "camp_id": 1, "value": 9, "created": OLD, "created_by": 8, "modified": when,
                               "modified_by": 8, "stockincontainer": 1, "comments": "fresh", "deleted": None,
                               "standard_product_id": None})
        self.assertEqual(self.history_rows(product), [
            self.history("category_id", when, 1, 2),
            self.history("sizegroup_id", when, 1, 2),
            self.history("gender_id", when, 1, 3),
            self.history(f'name changed from "{old_name}" to "New name";', when),
            self.history("value", when, 5, 9),
            self.history('comments changed from "None" to "fresh";', when),
            self.history("stockincontainer", when, 0, 1),
        ])
        self.assertEqual(answer, self.expected_product(product))

    def test_edit_some_fields(self):
        """Fields left out or null keep their values; a field sent with the value it has is no
        change: no history row, no write."""
        product = self.new_product(name="Socks", price=5, comment="'kept'")
        before_sum = self.checksum()
        answer = self.field(EDIT, {"input": {"id": str(product), "name": "Socks", "price": 5, "comment": None}})
        self.assertEqual(self.checksum(), before_sum, "nothing changed, nothing written")
        self.assertEqual(answer, self.expected_product(product))
        answer = self.field(EDIT, {"input": {"id": str(product), "price": 6}})
        row = self.product_row(product)
        self.assertEqual((row["name"], row["value"], row["comments"], row["modified_by"]), ("Socks", 6, "kept", 8))
        self.assertEqual(self.history_rows(product), [self.history("value", row["modified"], 5, 6)])

    def test_edit_refused(self):
        custom = self.new_product()
        standard = self.new_product(standard=1)
        other = self.new_product(base=2)
        cases = [
            ({"id": "999999"}, {"__typename": "ResourceDoesNotExistError", "missingId": "999999",
                                "name": "Product"}, None),
            ({"id": str(standard), "name": "x"}, {"__typename": "ProductTypeMismatchError",
                                                  "expectedType": "Custom"}, None),
            ({"id": str(custom), "name": ""}, {"__typename": "EmptyNameError", "_": None}, None),
            # the name is checked before the price
            ({"id": str(custom), "name": "", "price": -1}, {"__typename": "EmptyNameError", "_": None}, None),
            ({"id": str(custom), "price": -3}, {"__typename": "InvalidPriceError", "value": -3}, None),
            ({"id": str(custom), "categoryId": 999},
             {"__typename": "ResourceDoesNotExistError", "missingId": None, "name": "ProductCategory"}, None),
            ({"id": str(custom), "sizeRangeId": 999},
             {"__typename": "ResourceDoesNotExistError", "missingId": None, "name": "SizeRange"}, None),
            ({"id": str(other), "name": "x"}, {"__typename": "UnauthorizedForBaseError", "id": "2",
                                               "name": "Thessaloniki", "organisationName": "BoxCare"}, None),
            ({"id": str(custom), "name": "x"}, {"__typename": "InsufficientPermissionError",
                                                "name": "product:write"}, self.reader),
            ({"id": str(custom), "name": "x"}, {"__typename": "InsufficientPermissionError",
                                                "name": "size_range:read"}, self.no_sizes),
        ]
        for given, expected, token in cases:
            with self.subTest(given=given):
                self.union_error(EDIT, {"input": given}, expected, token)
        self.beta_refused(EDIT, {"input": {"id": str(custom), "name": "x"}}, self.beta3)

    # --- deleteProduct --------------------------------------------------------------------

    def test_delete(self):
        """A product whose boxes are all deleted or in a state that does not use it (Lost,
        Donated, Scrap, NotDelivered) is deleted: products.deleted the mutation's timestamp,
        modified untouched, one history row "Record deleted"."""
        product = self.new_product()
        for state in (LOST, DONATED, SCRAP, NOT_DELIVERED):
            self.new_box(product, state)
        self.new_box(product, IN_STOCK, deleted=OLD)
        before = self.now()
        answer = self.field(DELETE, {"id": str(product)})
        after = self.now()
        row = self.product_row(product)
        self.assertBetween(row["deleted"], before, after)
        self.assertEqual((row["modified"], row["modified_by"]), (OLD, 1))
        self.assertEqual(self.history_rows(product), [self.history("Record deleted", row["deleted"])])
        self.assertEqual(answer, self.expected_product(product))
        # deleted already: answered as it is, nothing written
        before_sum = self.checksum()
        self.assertEqual(self.field(DELETE, {"id": str(product)}), self.expected_product(product))
        self.assertEqual(self.checksum(), before_sum)

    def test_delete_refused(self):
        product = self.new_product()
        live = [self.new_box(product, state) for state in (IN_STOCK, MARKED, IN_TRANSIT, RECEIVING)]
        self.new_box(product, IN_STOCK, deleted=OLD)
        self.new_box(product, LOST)
        standard = self.new_product(standard=1)
        other = self.new_product(base=2)
        cases = [
            (str(product), {"__typename": "BoxesStillAssignedToProductError", "labelIdentifiers": live}, None),
            ("999999", {"__typename": "ResourceDoesNotExistError", "missingId": "999999", "name": "Product"},
             None),
            (str(standard), {"__typename": "ProductTypeMismatchError", "expectedType": "Custom"}, None),
            (str(other), {"__typename": "UnauthorizedForBaseError", "id": "2", "name": "Thessaloniki",
                          "organisationName": "BoxCare"}, None),
            (str(product), {"__typename": "InsufficientPermissionError", "name": "product:write"}, self.reader),
        ]
        for given, expected, token in cases:
            with self.subTest(given=given):
                self.union_error(DELETE, {"id": given}, expected, token)
        self.beta_refused(DELETE, {"id": str(product)}, self.beta3)

    def test_delete_statements_independent_of_boxes(self):
        """The refusal reads the boxes in one statement: 1 and 40 boxes take the same count."""
        counts = []
        for n in (1, 40):
            product = self.new_product()
            for _ in range(n):
                self.new_box(product)
            response = self.send(DELETE, {"id": str(product)})
            self.assertEqual(len(response["data"]["deleteProduct"]["labelIdentifiers"]), n)
            counts.append(response["extensions"]["debug"]["sqlStatements"])
        self.assertEqual(counts[0], counts[1])

    # --- the race with createBox -----------------------------------------------------------

    def test_delete_races_create_box(self):
        """16 clients create boxes of a product while it is deleted: either the delete is
        refused (it found their boxes) or no box that uses the product (not deleted, InStock)
        exists once it is deleted. boxtribute checks without a lock; Depot locks the product
        row in both mutations. Several rounds, each on a product of its own."""
        self.race_delete_against(lambda product: self.send(CREATE_BOX, {"input": {
            "productId": product, "locationId": 1, "sizeId": 1, "numberOfItems": 1}}), "createBox")

    def test_delete_races_create_boxes(self):
        """The same with the bulk import's createBoxes, which locks the products of its new
        rows (boxtribute's bulk import does not even check that they are live)."""
        self.race_delete_against(lambda product: self.send(CREATE_BOXES, {"input": [{
            "productId": product, "locationId": 1, "sizeName": "One", "numberOfItems": 1}]}),
            "createBoxes")

    def test_create_boxes_refuses_a_deleted_product(self):
        """createBoxes of a deleted product is refused and writes nothing (boxtribute's bulk
        import does not check); decided on the product row it locks, as createBox does."""
        product = self.new_product(deleted="2024-01-01 00:00:00")
        before = self.db.scalar("SELECT COUNT(*) FROM stock")
        response = self.send(CREATE_BOXES, {"input": [{
            "productId": product, "locationId": 1, "sizeName": "One", "numberOfItems": 1}]})
        self.assertIn("is deleted", response["errors"][0]["message"], response)
        self.assertEqual(response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT")
        self.assertEqual(self.db.scalar("SELECT COUNT(*) FROM stock"), before)

    def race_delete_against(self, create, field, rounds=6):
        for round_ in range(rounds):
            product = self.new_product()
            stop = threading.Event()
            created, failures = [], []

            def create_boxes():
                while not stop.is_set():
                    response = create(product)
                    if not response.get("errors"):
                        answer = response["data"][field]
                        created.append(answer["labelIdentifier"] if field == "createBox"
                                       else answer["updatedBoxes"][0]["labelIdentifier"])
                    elif "is deleted" not in response["errors"][0]["message"]:
                        failures.append(response["errors"])
                        return

            with concurrent.futures.ThreadPoolExecutor(16) as pool:
                workers = [pool.submit(create_boxes) for _ in range(16)]
                while len(created) < 8 + round_ * 4 and not failures:
                    stop.wait(0.005)
                self.assertEqual(failures, [], f"{field} failed other than on the deleted product")
                # the boxes made so far use it: delete them, so the delete may succeed
                self.db.sql(f"UPDATE stock SET deleted = UTC_TIMESTAMP() WHERE product_id = {product}")
                try:
                    answer = self.field(DELETE, {"id": str(product)})
                finally:
                    stop.set()
                    for worker in workers:
                        worker.result()
            deleted = self.db.scalar(f"SELECT deleted IS NOT NULL FROM products WHERE id = {product}")
            live = int(self.db.scalar(
                f"SELECT COUNT(*) FROM stock WHERE product_id = {product} AND (deleted IS NULL OR deleted = 0) "
                "AND box_state_id IN (1, 3, 4, 7)"))
            with self.subTest(round=round_):
                if answer["__typename"] == "Product":
                    self.assertEqual(str(deleted), "1")
                    self.assertEqual(live, 0, "a live box uses the deleted product")
                else:
                    self.assertEqual(answer["__typename"], "BoxesStillAssignedToProductError")
                    self.assertEqual(str(deleted), "0")

    # --- the front-end's documents ---------------------------------------------------------

    def test_front_end_documents(self):
        """The Products page's forms, as the front-end sends them."""
        answer = self.field(FRONTEND_CREATE, {"baseId": 1, "name": "Front coat", "categoryId": 1,
                                              "sizeRangeId": 1, "gender": "Women", "price": 3, "inShop": False,
                                              "comment": ""})
        product = int(answer["id"])
        self.assertEqual(answer, {"__typename": "Product", "id": str(product)})
        self.assertEqual(self.product_row(product)["name"], "Front coat")

        answer = self.field(FRONTEND_EDIT, {"id": str(product), "name": "Front jacket", "categoryId": 2,
                                            "sizeRangeId": 2, "gender": "Men", "price": 4, "inShop": True,
                                            "comment": "edited"})
        (r,) = self.json_rows(
            f"CAST(id AS CHAR), name, CAST(category_id AS CHAR), CAST(sizegroup_id AS CHAR), gender_id, value, "
            f"stockincontainer, comments, {dt('modified')}, CAST(modified_by AS CHAR)",
            f"FROM products WHERE id = {product}")
        category = self.db.scalar(f"SELECT label FROM product_categories WHERE id = {r[2]}")
        size_range = self.db.scalar(f"SELECT label FROM sizegroup WHERE id = {r[3]}")
        user = self.db.scalar(f"SELECT naam FROM cms_users WHERE id = {r[9]}")
        self.assertEqual(answer, {
            "__typename": "Product", "id": r[0], "name": r[1],
            "category": {"id": r[2], "name": category, "__typename": "ProductCategory"},
            "sizeRange": {"id": r[3], "label": size_range, "__typename": "SizeRange"},
            "gender": DB_TO_GENDER[r[4]], "price": float(r[5]), "inShop": bool(r[6]), "comment": r[7],
            "lastModifiedOn": r[8], "lastModifiedBy": {"id": r[9], "name": user, "__typename": "User"}})
        self.assertEqual(r[1:8], ["Front jacket", "2", "2", 2, 4, 1, "edited"])

        label = self.new_box(product)
        self.assertEqual(self.field(FRONTEND_DELETE, {"productId": str(product)}),
                         {"__typename": "BoxesStillAssignedToProductError", "labelIdentifiers": [label]})
        self.db.sql(f"UPDATE stock SET deleted = '{OLD}' WHERE box_id = '{label}'")
        answer = self.field(FRONTEND_DELETE, {"productId": str(product)})
        deleted = self.db.scalar(f"SELECT {dt('deleted')} FROM products WHERE id = {product}")
        self.assertIsNotNone(deleted)
        self.assertEqual(answer, {"__typename": "Product", "id": str(product), "type": "Custom",
                                  "standardProduct": None, "deletedOn": deleted})
        answer = self.field(FRONTEND_DELETE, {"productId": str(product)}, self.other)
        self.assertEqual(answer, {"__typename": "UnauthorizedForBaseError", "name": "Lesvos",
                                  "organisationName": "BoxAid"})


if __name__ == "__main__":
    unittest.main()
