"""createQrCode against a real MariaDB, as boxtribute answers it
(back/boxtribute_server/business_logic/warehouse/qr_code/{mutations,crud}.py): qr:create
anywhere; a new qr row whose code is the MD5 hex digest of its id; with boxLabelIdentifier, the
box (stock:write in its base) gets the code and one history row "New Qr-code assigned by pdf
generation."; an unknown box is BAD_USER_INPUT, a refused caller FORBIDDEN, and a refused call
writes nothing, not even the qr row (boxtribute checks before it writes; Depot's transaction
guarantees it). Every expected value comes from SQL run here.

The same fixture (organisations, bases, users, locations, products, QR codes and boxes with
ids from 901) is written into two databases: Depot's db/ddl.sql with the generator's demo data,
and boxtribute's own dump (skipped, saying so, when absent).
Licensed under the Apache License 2.0.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from mutation_cases import Answers, DepotPerClass  # noqa: E402

DUMP = os.path.join(harness.SHARED, "data", "boxtribute-init.sql")
ZERO = "0000-00-00 00:00:00"
NOT_FOUND = {"code": "BAD_USER_INPUT", "description": "The requested resource does not exist in the database."}
HISTORY_TEXT = "New Qr-code assigned by pdf generation."


def forbidden(what):
    return {"code": "FORBIDDEN", "description": f"You don't have access to '{what}'"}


def dt(column):
    return f"DATE_FORMAT({column}, '%Y-%m-%dT%H:%i:%s+00:00')"


# A base-901 coordinator: every read, stock:write and qr:create there.
COORDINATOR = [f"base_901/{r}:read" for r in harness.RESOURCES] + ["base_901/stock:write", "base_901/qr:create"]

CREATE = """mutation Create($label: String) {
  createQrCode(boxLabelIdentifier: $label) {
    id code createdOn
    box { __typename ... on Box { id labelIdentifier qrCode { id code } } }
  }
}"""


def fixture_sql(size_group, size, category, gender):
    """The test's rows, on either schema; ids from 901 so they meet nothing already there."""
    return f"""
INSERT INTO organisations (id, label) VALUES (901, 'QR Org A'), (902, 'QR Org B');
INSERT INTO camps (id, name, organisation_id, seq) VALUES (901, 'QR Base A', 901, 901), (902, 'QR Base B', 902, 902);
INSERT INTO cms_users (id, naam, email, lastlogin, lastaction, deleted) VALUES
  (901, 'Coordinator A', 'q901@example.org', NOW(), NOW(), '{ZERO}'),
  (902, 'Coordinator B', 'q902@example.org', NOW(), NOW(), '{ZERO}'),
  (903, 'God', 'q903@example.org', NOW(), NOW(), '{ZERO}'),
  (904, 'Reader A', 'q904@example.org', NOW(), NOW(), '{ZERO}');
INSERT INTO locations (id, label, camp_id, box_state_id, type, deleted) VALUES
  (910, 'A Stock', 901, 1, 'Warehouse', NULL), (914, 'B Stock', 902, 1, 'Warehouse', NULL);
INSERT INTO products (id, name, category_id, gender_id, sizegroup_id, camp_id, deleted) VALUES
  (920, 'Jackets', {category}, {gender}, {size_group}, 901, NULL),
  (924, 'B Jackets', {category}, {gender}, {size_group}, 902, NULL);
INSERT INTO qr (id, code, created) VALUES (941, 'qr-taken-941', '2024-02-01 09:00:00');
INSERT INTO stock (id, box_id, product_id, size_id, items, location_id, qr_id, comments, created, created_by,
                   modified, modified_by, deleted, box_state_id) VALUES
  (955, '90100006', 924, {size}, 3, 914, NULL, '', '2024-02-01 10:00:00', 902, '2024-02-01 10:00:00', 902,
   '{ZERO}', 1);
"""


class QrMutations(Answers, DepotPerClass):
    """The cases; a subclass loads the schema (load), then the fixture is added (add_rows)."""

    @classmethod
    def add_rows(cls, db):
        size_group, size = db.sql("SELECT sizegroup_id, MIN(size_id) FROM sizes_sizegroup GROUP BY sizegroup_id "
                                  "ORDER BY sizegroup_id LIMIT 1")[0]
        cls.size = int(size)
        category = db.scalar("SELECT MIN(id) FROM product_categories")
        gender = db.scalar("SELECT MIN(id) FROM genders")
        db.load_bytes(fixture_sql(size_group, size, category, gender).encode())

    @classmethod
    def tokens(cls):
        keys = cls.keys
        cls.coordinator = keys.token(sub="auth0|901", org=901, base_ids=(901,), roles=("base_901_coordinator",),
                                     permissions=COORDINATOR)
        cls.foreign = keys.token(sub="auth0|902", org=902, base_ids=(902,), roles=("base_902_coordinator",),
                                 permissions=[p.replace("base_901", "base_902") for p in COORDINATOR])
        cls.god = keys.token(sub="auth0|903", org="null", roles=("boxtribute_god",), permissions=[])
        reads = [f"base_901/{r}:read" for r in harness.RESOURCES]
        cls.reader = keys.token(sub="auth0|904", org=901, base_ids=(901,), roles=("base_901_volunteer",),
                                permissions=reads)
        cls.labeller = keys.token(sub="auth0|904", org=901, base_ids=(901,), roles=("base_901_volunteer",),
                                  permissions=reads + ["base_901/qr:create"])
        cls.beta = {level: keys.token(sub="auth0|901", org=901, base_ids=(901,), roles=("base_901_coordinator",),
                                      permissions=COORDINATOR, beta=level) for level in (0, 1)}

    # -- helpers ----------------------------------------------------------------------------

    def refused(self, variables, token, extensions):
        """One error with these extensions, createQrCode null, no row written anywhere."""
        before = self.snapshot()
        response = self.answer(CREATE, variables, token)
        self.assertEqual([e.get("extensions") for e in response.get("errors", [])], [extensions], response)
        self.assertEqual(response["errors"][0]["path"], ["createQrCode"])
        self.assertEqual(response.get("data"), {"createQrCode": None})
        self.assertEqual(self.snapshot(), before, "a refused call changed rows")

    def snapshot(self):
        return self.db.sql("CHECKSUM TABLE stock, history, qr")

    def last_id(self, table):
        return int(self.db.scalar(f"SELECT COALESCE(MAX(id), 0) FROM {table}"))

    def fresh_box(self, n, location=910, product=920, qr_id="NULL"):
        """A box of this test alone (tests must not depend on each other's writes)."""
        box_id, label = 960 + n, f"9019{n:04d}"
        self.db.sql(f"INSERT INTO stock (id, box_id, product_id, size_id, items, location_id, qr_id, comments, "
                    f"created, created_by, modified, modified_by, deleted, box_state_id) VALUES ({box_id}, '{label}', "
                    f"{product}, {self.size}, 4, {location}, {qr_id}, 'c', '2024-02-01 10:00:00', 901, "
                    f"'2024-02-01 10:00:00', 901, '{ZERO}', 1)")
        return box_id, label

    def box_row(self, box_id):
        return self.db.sql(f"SELECT * FROM stock WHERE id = {box_id}")[0]

    def qr_row(self, qr_id):
        """(code is MD5 of the id as text, created as ISO, legacy) of one qr row."""
        rows = self.db.sql(f"SELECT code = MD5(CAST(id AS CHAR)), code, {dt('created')}, legacy, "
                           f"created BETWEEN UTC_TIMESTAMP() - INTERVAL 1 MINUTE AND UTC_TIMESTAMP() "
                           f"FROM qr WHERE id = {qr_id}")
        self.assertEqual(len(rows), 1, f"no qr row {qr_id}")
        return rows[0]

    def history_after(self, after_id):
        return [tuple(r) for r in self.db.sql(
            f"SELECT tablename, record_id, changes, user_id, ip, changedate, from_int, to_int, from_float, "
            f"to_float FROM history WHERE id > {after_id} ORDER BY id")]

    def check_new_code(self, answer, box=None):
        """The answered QR code is a new qr row as boxtribute writes it; returns its row."""
        qr_id = int(answer["id"])
        same, code, created, legacy, recent = self.qr_row(qr_id)
        self.assertEqual((same, legacy, recent), ("1", "0", "1"))
        self.assertEqual(answer["code"], code)
        self.assertEqual(answer["createdOn"], created)
        return qr_id, code, created

    # -- cases ------------------------------------------------------------------------------

    def test_code_without_a_box(self):
        """A new qr row (code = MD5 of its id, created now, legacy 0); no box, no history."""
        stock_before = self.db.sql("CHECKSUM TABLE stock")
        history_id, qr_id = self.last_id("history"), self.last_id("qr")
        data = self.ok(CREATE)["createQrCode"]
        new_id, _, _ = self.check_new_code(data)
        self.assertGreater(new_id, qr_id)
        self.assertEqual(self.last_id("qr"), new_id, "exactly one qr row")
        self.assertIsNone(data["box"])
        self.assertEqual(self.history_after(history_id), [])
        self.assertEqual(self.db.sql("CHECKSUM TABLE stock"), stock_before)

    def test_code_for_a_box(self):
        """The box's qr_id becomes the new code's (nothing else of the box changes), with one
        history row of boxtribute's text at the code's creation time, no ip, no from/to."""
        box_id, label = self.fresh_box(1)
        before = self.box_row(box_id)
        history_id = self.last_id("history")
        data = self.ok(CREATE, {"label": label})["createQrCode"]
        qr_id, code, created = self.check_new_code(data)
        after = self.box_row(box_id)
        columns = [r[0] for r in self.db.sql("SELECT column_name FROM information_schema.columns WHERE "
                                             "table_schema = DATABASE() AND table_name = 'stock' "
                                             "ORDER BY ordinal_position")]
        changed = {c: (b, a) for c, b, a in zip(columns, before, after) if b != a}
        self.assertEqual(changed, {"qr_id": (None, str(qr_id))})
        changedate = self.db.scalar(f"SELECT created FROM qr WHERE id = {qr_id}")
        self.assertEqual(self.history_after(history_id),
                         [("stock", str(box_id), HISTORY_TEXT, "901", None, changedate, None, None, None, None)])
        self.assertEqual(data["box"], {"__typename": "Box", "id": str(box_id), "labelIdentifier": label,
                                       "qrCode": {"id": str(qr_id), "code": code}})

    def test_a_box_with_a_code_gets_a_new_one(self):
        """As boxtribute: the box's former code is replaced, its qr row left as it was."""
        box_id, label = self.fresh_box(2, qr_id=941)
        old = self.db.sql("SELECT * FROM qr WHERE id = 941")
        data = self.ok(CREATE, {"label": label})["createQrCode"]
        self.assertEqual(self.db.scalar(f"SELECT qr_id FROM stock WHERE id = {box_id}"), data["id"])
        self.assertEqual(self.db.sql("SELECT * FROM qr WHERE id = 941"), old)

    def test_front_end_document(self):
        """BoxView's CreateQrCode as the front-end sends it: the code, and the box with its
        new code and its history, the new row first."""
        box_id, label = self.fresh_box(3)
        history_id = self.last_id("history")
        data = self.ok(harness.read_query(os.path.join("mutations", "CreateQrCode.graphql")),
                       {"boxLabelIdentifier": label})["createQrCode"]
        qr_id, code = self.db.sql(f"SELECT id, code FROM qr WHERE id = (SELECT qr_id FROM stock "
                                  f"WHERE id = {box_id})")[0]
        new_history = self.db.sql(f"SELECT id, {dt('changedate')} FROM history WHERE id > {history_id}")
        self.assertEqual(len(new_history), 1)
        self.assertEqual(data["code"], code)
        self.assertEqual(data["__typename"], "QrCode")
        self.assertEqual(data["box"]["labelIdentifier"], label)
        self.assertEqual(data["box"]["qrCode"], {"code": code, "__typename": "QrCode"})
        first = data["box"]["history"][0]
        self.assertEqual((first["id"], first["changeDate"], first["user"]["id"]),
                         (new_history[0][0], new_history[0][1], "901"))

    def test_unknown_box(self):
        """An unknown label identifier: BAD_USER_INPUT, and no qr row either."""
        self.refused({"label": "00000000"}, self.coordinator, NOT_FOUND)
        self.refused({"label": "no such box"}, self.god, NOT_FOUND)

    def test_label_no_column_can_hold(self):
        """A four-byte character (boxtribute's dump stores labels as utf8mb3) matches no box."""
        self.refused({"label": "9\U0001F4E6"}, self.coordinator, NOT_FOUND)

    def test_without_qr_create(self):
        """qr:create is needed in some base, with or without a box: FORBIDDEN 'qr:create'."""
        box_id, label = self.fresh_box(4)
        self.refused({}, self.reader, forbidden("qr:create"))
        self.refused({"label": label}, self.reader, forbidden("qr:create"))

    def test_qr_create_without_stock_write(self):
        """qr:create alone makes a code; assigning it to a box needs stock:write there."""
        box_id, label = self.fresh_box(5)
        self.refused({"label": label}, self.labeller, forbidden("stock:write"))
        data = self.ok(CREATE, {}, self.labeller)["createQrCode"]
        self.check_new_code(data)

    def test_box_of_another_base(self):
        """stock:write in base 902 only, for a box of base 901: FORBIDDEN 'base=901'; the
        coordinator of base 901 for base 902's box: 'base=902'."""
        box_id, label = self.fresh_box(6)
        self.refused({"label": label}, self.foreign, forbidden("base=901"))
        self.refused({"label": "90100006"}, self.coordinator, forbidden("base=902"))

    def test_god_any_base(self):
        """A god user assigns a code to a box of any base; the history row names them."""
        box_id, label = self.fresh_box(7, location=914, product=924)
        history_id = self.last_id("history")
        data = self.ok(CREATE, {"label": label}, self.god)["createQrCode"]
        self.assertEqual(self.db.scalar(f"SELECT qr_id FROM stock WHERE id = {box_id}"), data["id"])
        self.assertEqual([(h[1], h[3]) for h in self.history_after(history_id)], [(str(box_id), "903")])

    def test_beta_level(self):
        """createQrCode is beta level 1 in boxtribute: level 0 is refused, writing nothing."""
        before = self.snapshot()
        response = self.answer(CREATE, {}, self.beta[0])
        self.assertEqual([e["message"] for e in response["errors"]], ["Insufficient beta-level"])
        self.assertNotIn("data", response)
        self.assertEqual(self.snapshot(), before)
        self.check_new_code(self.ok(CREATE, {}, self.beta[1])["createQrCode"])

    def test_two_codes_in_one_document(self):
        """Two aliased fields are two transactions, each with its own row and outcome: the
        refused one leaves the other's row in place."""
        box_id, label = self.fresh_box(8)
        qr_id = self.last_id("qr")
        response = self.answer('mutation { a: createQrCode { id code } b: createQrCode(boxLabelIdentifier: "00000000")'
                               f' {{ id }} c: createQrCode(boxLabelIdentifier: "{label}") {{ id code }} }}')
        self.assertEqual([(e["path"], e["extensions"]) for e in response["errors"]], [(["b"], NOT_FOUND)])
        a, c = response["data"]["a"], response["data"]["c"]
        self.assertIsNone(response["data"]["b"])
        self.assertEqual([r[0] for r in self.db.sql(f"SELECT id FROM qr WHERE id > {qr_id} ORDER BY id")],
                         [a["id"], c["id"]])
        for answer in (a, c):
            self.assertEqual(self.qr_row(answer["id"])[:2], ["1", answer["code"]])
        self.assertEqual(self.db.scalar(f"SELECT qr_id FROM stock WHERE id = {box_id}"), c["id"])


class OnDepotSchema(QrMutations, unittest.TestCase):
    """db/ddl.sql with the generator's demo data and the test's rows."""

    @classmethod
    def load(cls, db):
        harness.load_demo(db, boxes=50)


@unittest.skipUnless(os.path.exists(DUMP), f"{DUMP} is absent: boxtribute's dump is not available here")
class OnBoxtributeDump(QrMutations, unittest.TestCase):
    """boxtribute's own dump (utf8mb3 tables, its column types) with the test's rows."""

    @classmethod
    def load(cls, db):
        db.load_file(DUMP)
        harness.load_depot_tables(db)


if __name__ == "__main__":
    unittest.main()
