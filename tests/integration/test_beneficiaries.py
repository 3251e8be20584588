"""Beneficiaries: beneficiary(id), beneficiaries(paginationInput, filterInput) and
Base.beneficiaries, with every field of Beneficiary and Transaction compared with SQL written
here; the id-ordered pages walked both ways; each filter; other bases' beneficiaries hidden or
FORBIDDEN as boxtribute answers; statement counts that do not depend on the page size.
Licensed under the Apache License 2.0.
"""
import base64
import datetime
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def dt(column):
    return (f"IF({column} IS NULL OR {column} = 0, NULL, "
            f"DATE_FORMAT({column}, '%Y-%m-%dT%H:%i:%s+00:00'))")


def date(column):
    return f"IF({column} IS NULL OR {column} = 0, NULL, DATE_FORMAT({column}, '%Y-%m-%d'))"


def flag(value):
    return value is not None and int(value) != 0


GENDERS = {"M": "Male", "F": "Female", "D": "Diverse", "": "Diverse"}
LANGUAGES = {1: "nl", 2: "en", 3: "fr", 4: "de", 5: "ar", 6: "ckb"}

FIELDS = """id firstName lastName dateOfBirth age comment base { id } groupIdentifier gender
    languages familyHead { id } active isVolunteer signed registered phoneNumber signature
    dateOfSignature tokens createdBy { id } createdOn lastModifiedBy { id } lastModifiedOn
    tags { id name }
    transactions { id beneficiary { id } product { id } count tokens description
                   createdBy { id } createdOn }"""

PAGE = """query($first: Int, $after: String, $last: Int, $before: String, $filter: FilterBeneficiaryInput) {
    beneficiaries(paginationInput: {first: $first, after: $after, last: $last, before: $before},
                  filterInput: $filter) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } elements { id } } }"""


class Beneficiaries(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db, boxes=300)
        # Cases the generator does not make: the 'D' gender, comments to search, a
        # signature, a zero date of birth, a modifier.
        cls.db.sql("UPDATE people SET gender = 'D' WHERE id = 5010;"
                   "UPDATE people SET comments = 'Needs a WHEELCHAIR ramp' WHERE id IN (5020, 5021);"
                   "UPDATE people SET signaturefield = 'signed: Noor' WHERE id = 5001;"
                   "UPDATE people SET date_of_birth = '0000-00-00' WHERE id = 5030;"
                   "UPDATE people SET modified_by = (SELECT MIN(id) FROM cms_users), "
                   "modified = '2025-06-01 10:00:00' WHERE id IN (5005, 5100) AND modified_by IS NULL")
        cls.keys = harness.Keys(cls.scratch.path)
        cls.token = cls.keys.token()
        cls.god = cls.keys.token(roles=("boxtribute_god",), permissions=["*"], org=1)
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="one")

    @classmethod
    def tearDownClass(cls):
        cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()

    def query(self, text, token=None, variables=None):
        status, response, _ = harness.post(self.depot.url, {"query": text, "variables": variables or {}},
                                           token or self.token)
        self.assertEqual(status, 200, response)
        return response

    def json_rows(self, columns, rest):
        """SELECT rows as lists, through JSON_ARRAY: the demo's texts hold tabs and newlines,
        which the client's raw batch output cannot carry. Values keep SQL's types; ids and
        other keys are cast to text by the caller."""
        import json
        return [json.loads(r[0]) for r in self.db.sql(f"SELECT JSON_ARRAY({columns}) {rest}")]

    def ids(self, where):
        return [r[0] for r in self.db.sql(f"SELECT id FROM people p WHERE {where} ORDER BY id")]

    def expected(self, where):
        """Every field of the beneficiaries matching where, from SQL, as Depot must answer."""
        today = datetime.datetime.now(datetime.timezone.utc).date()
        rows = self.json_rows(
            "CAST(p.id AS CHAR), p.firstname, p.lastname, " + date("p.date_of_birth") + ", p.comments,"
            " CAST(p.camp_id AS CHAR), p.container, p.gender, CAST(p.parent_id AS CHAR),"
            " (p.deleted IS NULL OR p.deleted = 0), p.volunteer, p.approvalsigned, p.notregistered, p.phone,"
            " p.signaturefield, " + date("p.date_of_signature") + ", CAST(p.created_by AS CHAR), "
            + dt("p.created") + ", CAST(p.modified_by AS CHAR), " + dt("p.modified")
            + ", (SELECT COALESCE(SUM(t.drops), 0) FROM transactions t WHERE t.people_id = p.id)",
            f"FROM people p WHERE {where} ORDER BY p.id")
        languages, tags, transactions = {}, {}, {}
        for person, language in self.db.sql("SELECT people_id, language_id FROM x_people_languages "
                                             "ORDER BY people_id, language_id"):
            languages.setdefault(person, []).append(LANGUAGES[int(language)])
        for person, tag, name in self.json_rows(
                "CAST(r.object_id AS CHAR), CAST(t.id AS CHAR), t.label",
                "FROM tags_relations r JOIN tags t ON t.id = r.tag_id "
                "WHERE r.object_type = 'People' AND r.deleted_on IS NULL AND t.camp_id = 1 "
                "ORDER BY r.object_id, t.id"):
            tags.setdefault(person, []).append({"id": tag, "name": name})
        for t in self.json_rows("CAST(id AS CHAR), CAST(people_id AS CHAR), CAST(product_id AS CHAR), count, "
                                "drops, description, CAST(created_by AS CHAR), " + dt("created"),
                                "FROM transactions ORDER BY people_id, id"):
            transactions.setdefault(t[1], []).append({
                "id": t[0], "beneficiary": {"id": t[1]}, "product": {"id": t[2]} if t[2] else None,
                "count": int(t[3]), "tokens": int(t[4]), "description": t[5],
                "createdBy": {"id": t[6]} if t[6] else None, "createdOn": t[7]})
        out = []
        for r in rows:
            age = None
            if r[3]:
                born = datetime.date.fromisoformat(r[3])
                age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            out.append({
                "id": r[0], "firstName": r[1], "lastName": r[2], "dateOfBirth": r[3], "age": age,
                "comment": r[4], "base": {"id": r[5]}, "groupIdentifier": r[6], "gender": GENDERS[r[7]],
                "languages": languages.get(r[0], []), "familyHead": {"id": r[8]} if r[8] else None,
                "active": flag(r[9]), "isVolunteer": flag(r[10]), "signed": flag(r[11]),
                "registered": not flag(r[12]), "phoneNumber": r[13], "signature": r[14],
                "dateOfSignature": r[15], "tokens": int(r[20]),
                "createdBy": {"id": r[16]} if r[16] else None, "createdOn": r[17],
                "lastModifiedBy": {"id": r[18]} if r[18] else None, "lastModifiedOn": r[19],
                "tags": tags.get(r[0], []), "transactions": transactions.get(r[0], [])})
        return out

    def test_every_field_of_the_base(self):
        """beneficiaries: the readable base's people (and only theirs), every field as SQL says."""
        response = self.query(f"{{ beneficiaries(paginationInput: {{first: 1000}}) {{ totalCount "
                              f"pageInfo {{ hasNextPage hasPreviousPage }} elements {{ {FIELDS} }} }} }}")
        self.assertNotIn("errors", response)
        page = response["data"]["beneficiaries"]
        expected = self.expected("p.camp_id = 1")
        self.assertEqual(page["totalCount"], len(expected))
        self.assertEqual(page["pageInfo"], {"hasNextPage": False, "hasPreviousPage": False})
        for got, want in zip(page["elements"], expected):
            self.assertEqual(got, want)
        self.assertEqual(len(page["elements"]), len(expected))
        # The data exercises what the fields compute.
        elements = page["elements"]
        self.assertTrue(any(e["tokens"] for e in elements) and any(e["tags"] for e in elements))
        self.assertTrue(any(len(e["languages"]) > 1 for e in elements))
        self.assertTrue(any(not e["active"] for e in elements) and any(not e["registered"] for e in elements))
        self.assertEqual({e["gender"] for e in elements}, {"Male", "Female", "Diverse"})
        self.assertTrue(any(e["familyHead"] for e in elements) and any(e["dateOfSignature"] for e in elements))
        self.assertIsNone(next(e for e in elements if e["id"] == "5030")["age"])
        self.assertTrue(any(e["lastModifiedBy"] for e in elements))

    def test_beneficiary_by_id(self):
        """beneficiary(id): the same fields; another organisation's one is FORBIDDEN."""
        response = self.query(f'{{ beneficiary(id: "5020") {{ {FIELDS} }} }}')
        self.assertNotIn("errors", response)
        self.assertEqual(response["data"]["beneficiary"], self.expected("p.id = 5020")[0])
        other = self.db.scalar("SELECT MIN(p.id) FROM people p JOIN camps c ON c.id = p.camp_id "
                               "WHERE c.organisation_id <> 1")
        base = self.db.scalar(f"SELECT camp_id FROM people WHERE id = {other}")
        response = self.query(f'{{ beneficiary(id: "{other}") {{ id firstName }} }}')
        self.assertIsNone(response["data"]["beneficiary"])
        self.assertEqual(response["errors"][0]["extensions"],
                         {"code": "FORBIDDEN", "description": f"You don't have access to 'base={base}'"})
        self.assertEqual(response["errors"][0]["path"], ["beneficiary"])
        god = self.query(f'{{ beneficiary(id: "{other}") {{ id base {{ id }} }} }}', token=self.god)
        self.assertEqual(god["data"]["beneficiary"], {"id": other, "base": {"id": base}})

    def test_pages_forwards_and_backwards(self):
        """Pages by id with boxtribute's cursors: first/after visits each once, last/before
        walks back; the default page is the first 50."""
        ids = self.ids("p.camp_id = 1")
        seen, after = [], None
        while True:
            page = self.query(PAGE, variables={"first": 40, "after": after})["data"]["beneficiaries"]
            self.assertEqual(page["totalCount"], len(ids))
            self.assertEqual(page["pageInfo"]["hasPreviousPage"], bool(seen))
            elements = [e["id"] for e in page["elements"]]
            self.assertEqual(base64.b64decode(page["pageInfo"]["startCursor"]).decode(), f"{int(elements[0]):08d}")
            seen += elements
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        self.assertEqual(seen, ids)
        self.assertGreater(len(ids), 120, "several pages")
        back, before = [], None
        while True:
            variables = {"last": 40, "before": before or base64.b64encode(b"99999999").decode()}
            page = self.query(PAGE, variables=variables)["data"]["beneficiaries"]
            back = [e["id"] for e in page["elements"]] + back
            if not page["pageInfo"]["hasPreviousPage"]:
                break
            before = page["pageInfo"]["startCursor"]
        self.assertEqual(back, ids)
        default = self.query("{ beneficiaries { elements { id } } }")["data"]["beneficiaries"]["elements"]
        self.assertEqual([e["id"] for e in default], ids[:50])
        bad = self.query(PAGE, variables={"after": "not a cursor"})
        self.assertIsNone(bad["data"])
        self.assertEqual(bad["errors"][0]["extensions"]["code"], "BAD_USER_INPUT")

    def test_filters(self):
        """Each filterInput field, alone and combined, against SQL (totalCount counts the
        filtered rows)."""
        created = self.db.sql("SELECT DATE(created) FROM people WHERE camp_id = 1 ORDER BY created")
        middle = created[len(created) // 2][0]
        lastname = self.db.scalar("SELECT lastname FROM people WHERE camp_id = 1 "
                                  "AND lastname REGEXP '^[A-Za-z]{4,}$' ORDER BY id LIMIT 1")
        group = self.db.scalar("SELECT container FROM people WHERE id = 5004")

        def pattern(text):
            # boxtribute's condition, as MariaDB evaluates it (the oracle).
            return (f"(p.lastname LIKE '%{text}%' OR p.firstname LIKE '%{text}%' "
                    f"OR p.comments LIKE '%{text}%' OR p.container = '{text}')")
        cases = [
            ({"createdFrom": middle}, f"p.created >= '{middle}'"),
            ({"createdUntil": middle}, f"p.created <= '{middle}'"),
            ({"active": True}, "(p.deleted IS NULL OR p.deleted = 0)"),
            ({"active": False}, "p.deleted > 0"),
            ({"isVolunteer": True}, "p.volunteer"),
            ({"isVolunteer": False}, "NOT p.volunteer"),
            ({"registered": True}, "NOT p.notregistered"),
            ({"registered": False}, "p.notregistered"),
            ({"pattern": lastname[1:4].upper()}, pattern(lastname[1:4])),
            ({"pattern": "wheelchair"}, pattern("wheelchair")),
            ({"pattern": group.lower()}, pattern(group)),
            ({"active": True, "isVolunteer": False, "createdFrom": middle},
             f"(p.deleted IS NULL OR p.deleted = 0) AND NOT p.volunteer AND p.created >= '{middle}'"),
        ]
        for filter_input, where in cases:
            with self.subTest(filter=filter_input):
                expected = self.ids(f"p.camp_id = 1 AND ({where})")
                self.assertGreater(len(expected), 0)
                page = self.query(PAGE, variables={"first": 1000, "filter": filter_input})
                self.assertNotIn("errors", page)
                page = page["data"]["beneficiaries"]
                self.assertEqual([e["id"] for e in page["elements"]], expected)
                self.assertEqual(page["totalCount"], len(expected))
        first = self.query(PAGE, variables={"first": 3, "filter": {"active": False}})["data"]["beneficiaries"]
        inactive = self.ids("p.camp_id = 1 AND p.deleted > 0")
        self.assertEqual([e["id"] for e in first["elements"]], inactive[:3])
        self.assertEqual(first["pageInfo"]["hasNextPage"], len(inactive) > 3)

    def test_base_beneficiaries(self):
        """Base.beneficiaries: the base's people with the same pages and filters; per base for
        god; FORBIDDEN for a base the user may see but not read beneficiaries of."""
        response = self.query("""{ base(id: "1") { beneficiaries(paginationInput: {first: 5},
            filterInput: {registered: true}) { totalCount pageInfo { hasNextPage } elements { id firstName } } } }""")
        self.assertNotIn("errors", response)
        registered = self.db.sql("SELECT id, firstname FROM people WHERE camp_id = 1 AND NOT notregistered "
                                 "ORDER BY id")
        self.assertEqual(response["data"]["base"]["beneficiaries"], {
            "totalCount": len(registered), "pageInfo": {"hasNextPage": True},
            "elements": [{"id": r[0], "firstName": r[1]} for r in registered[:5]]})
        god = self.query("{ bases { id beneficiaries(filterInput: {active: true}) { totalCount elements { id } } } }",
                         token=self.god)
        self.assertNotIn("errors", god)
        bases = god["data"]["bases"]
        self.assertGreater(len(bases), 2)
        for b in bases:
            ids = self.ids(f"p.camp_id = {b['id']} AND (p.deleted IS NULL OR p.deleted = 0)")
            self.assertEqual(b["beneficiaries"], {"totalCount": len(ids), "elements": [{"id": i} for i in ids[:50]]})
        every = self.query("{ beneficiaries(paginationInput: {first: 100000}) { totalCount } }", token=self.god)
        self.assertEqual(every["data"]["beneficiaries"]["totalCount"], len(self.ids("TRUE")))
        # Base 2 readable, its beneficiaries not.
        token = self.keys.token(base_ids=(1, 2), permissions=[f"base_1/{r}:read" for r in harness.RESOURCES]
                                + ["base_2/base:read"])
        response = self.query('{ base(id: "2") { id beneficiaries { totalCount } } }', token=token)
        self.assertEqual(response["data"]["base"], {"id": "2", "beneficiaries": None})
        self.assertEqual(response["errors"][0]["extensions"],
                         {"code": "FORBIDDEN", "description": "You don't have access to 'base=2'"})
        self.assertEqual(response["errors"][0]["path"], ["base", "beneficiaries"])
        mine = self.query("{ beneficiaries(paginationInput: {first: 1000}) { totalCount } }", token=token)
        self.assertEqual(mine["data"]["beneficiaries"]["totalCount"], len(self.ids("p.camp_id = 1")))

    def test_permissions(self):
        """No beneficiary:read: an empty page. No transaction:read: tokens and transactions are
        FORBIDDEN. Tags of bases without tag:read are left out."""
        token = self.keys.token(permissions=["base_1/stock:read"])
        response = self.query("{ beneficiaries { totalCount elements { id } } }", token=token)
        self.assertEqual(response["data"]["beneficiaries"], {"totalCount": 0, "elements": []})
        token = self.keys.token(permissions=["base_1/beneficiary:read"])
        response = self.query('{ beneficiary(id: "5001") { id tokens } }', token=token)
        self.assertEqual(response["data"]["beneficiary"], {"id": "5001", "tokens": None})
        self.assertEqual(response["errors"][0]["extensions"],
                         {"code": "FORBIDDEN", "description": "You don't have access to 'transaction:read'"})
        response = self.query('{ beneficiary(id: "5001") { id transactions { id } } }', token=token)
        self.assertEqual(response["data"]["beneficiary"], {"id": "5001", "transactions": None})
        tagged = self.db.scalar("SELECT MIN(object_id) FROM tags_relations WHERE object_type = 'People' "
                                "AND deleted_on IS NULL")
        response = self.query(f'{{ beneficiary(id: "{tagged}") {{ tags {{ id }} }} }}', token=token)
        self.assertEqual(response["data"]["beneficiary"], {"tags": []})

    def test_statements_do_not_depend_on_rows(self):
        """Every field for a page of 30 beneficiaries or for all of base 1 takes the same
        statements, and a filter adds none."""
        text = f"""query($first: Int, $filter: FilterBeneficiaryInput) {{
            beneficiaries(paginationInput: {{first: $first}}, filterInput: $filter) {{
              totalCount elements {{ {FIELDS} familyHead {{ firstName base {{ name }} }} }} }} }}"""
        small = self.query(text, variables={"first": 30})
        big = self.query(text, variables={"first": 1000})
        filtered = self.query(text, variables={"first": 1000, "filter": {"pattern": "a", "active": True}})
        # The small page reaches every relation too (a relation without keys sends nothing).
        elements = small["data"]["beneficiaries"]["elements"]
        for field in ("tags", "transactions", "familyHead", "createdBy", "lastModifiedBy"):
            self.assertTrue(any(e[field] for e in elements), field)
        self.assertTrue(any(t["product"] for e in elements for t in e["transactions"]))
        counts = [r["extensions"]["debug"]["sqlStatements"] for r in (small, big, filtered)]
        print(f"\n  statements: first 30: {counts[0]}, first 1000: {counts[1]}, filtered: {counts[2]}")
        self.assertEqual(len(big["data"]["beneficiaries"]["elements"]), len(self.ids("p.camp_id = 1")))
        self.assertEqual(counts[0], counts[1])
        self.assertEqual(counts[1], counts[2])


if __name__ == "__main__":
    unittest.main(verbosity=2)
