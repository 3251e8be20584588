"""The beneficiary mutations: createBeneficiary, updateBeneficiary, deactivateBeneficiary and
createBeneficiaries, as the base's coordinator, a user of another organisation, a god user, a
user without the permissions and users below the beta levels (createBeneficiaries 6, the others
98: boxtribute's authz.py), on Depot's DDL with rows written here and on boxtribute's own dump.

Each success is checked row by row against SQL run here (people, x_people_languages,
tags_relations, history with boxtribute's texts), and read back through beneficiary(id) and
beneficiaries; each union error member and each top-level error as boxtribute answers it (or as
README's "Deliberate choices" says where Depot is stricter); every refused call changes nothing
(CHECKSUM TABLE of every table these mutations write). createBeneficiaries takes the same
number of statements for 1 and 50 rows.
Licensed under the Apache License 2.0.
"""
import concurrent.futures
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from mutation_cases import (NOT_FOUND, OLD, READS, TWO_ORGANISATIONS, ZERO, MutationCases, date, dt,  # noqa: E402
                            on_each_data_set, permissions, ref)

WRITTEN = "people, x_people_languages, tags_relations, history"  # every table these mutations write
GENDERS = {"M": "Male", "F": "Female", "D": "Diverse", "": "Diverse"}
LANGUAGES = {1: "nl", 2: "en", 3: "fr", 4: "de", 5: "ar", 6: "ckb"}

BENEFICIARY = """id firstName lastName dateOfBirth comment base { id } groupIdentifier gender languages
                 familyHead { id } active isVolunteer signed registered phoneNumber signature dateOfSignature
                 createdBy { id } createdOn lastModifiedBy { id } lastModifiedOn tags { id }"""
CREATE = f"""mutation($input: BeneficiaryCreationInput) {{ createBeneficiary(creationInput: $input) {{
             {BENEFICIARY} }} }}"""
UPDATE = f"""mutation($input: BeneficiaryUpdateInput) {{ updateBeneficiary(updateInput: $input) {{
             {BENEFICIARY} }} }}"""
DEACTIVATE = f"""mutation($id: ID!) {{ deactivateBeneficiary(id: $id) {{ {BENEFICIARY} }} }}"""
CREATE_MANY = f"""mutation($input: BeneficiariesCreationInput) {{ createBeneficiaries(creationInput: $input) {{
             __typename
             ... on BeneficiariesResult {{ results {{ __typename ... on Beneficiary {{ {BENEFICIARY} }} }} }}
             ... on InsufficientPermissionError {{ name }}
             ... on UnauthorizedForBaseError {{ id name organisationName }}
             ... on DeletedBaseError {{ name }}
             ... on ResourceDoesNotExistError {{ missingId: id name }} }} }}"""
READ = f"""query($id: ID!) {{ beneficiary(id: $id) {{ {BENEFICIARY} }} }}"""


class BeneficiaryMutationCases(MutationCases):
    """The cases, run on each data set by the classes at the end of the file."""
    TABLES_WRITTEN = WRITTEN
    WRITES = ["beneficiary:create", "beneficiary:edit", "beneficiary:delete", "tag_relation:assign",
              "beneficiary_language:assign"]

    @classmethod
    def tokens(cls):
        super().tokens()
        # May write beneficiaries but not assign their languages.
        cls.no_languages = cls.keys.token(sub="auth0|8", permissions=permissions(1, READS + cls.WRITES[:4]))
        # createBeneficiaries is beta level 6, the three others 98.
        cls.beta5 = cls.beta_token(5)
        cls.beta7 = cls.beta_token(7)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Tags of the cases: base 1's for beneficiaries, and the ones they may not carry.
        cls.tag_people = cls.new_tag(1, "People")
        cls.tag_all = cls.new_tag(1, "All")
        cls.tag_box = cls.new_tag(1, "Stock")
        cls.tag_deleted = cls.new_tag(1, "People", deleted=OLD)
        cls.tag_other_base = cls.new_tag(2, "People")
        cls.deleted_base = cls.insert("INSERT INTO camps (name, organisation_id, seq, deleted) "
                                      f"VALUES ('Closed base', 1, 99, '{OLD}')")

    # --- rows written here ---------------------------------------------------------------

    @classmethod
    def new_tag(cls, base, db_type, deleted=None):
        gone = f"'{deleted}'" if deleted else "NULL"
        return cls.insert(
            "INSERT INTO tags (label, color, camp_id, deleted, created, created_by, description, type) "
            f"VALUES ('benef tag {cls.next_serial()}', '#123abc', {base}, {gone}, '{OLD}', 8, '', '{db_type}')")

    def new_person(self, base=1, parent=None, deleted=ZERO, **columns):
        """A people row as the legacy app writes one; columns override its values."""
        values = {"seq": 2 if parent else 1, "firstname": "Test", "lastname": f"Person {self.next_serial()}",
                  "family_id": 1, "camp_id": base, "deleted": deleted, "bicyclebancomment": "",
                  "workshopbancomment": "", "created": OLD, "created_by": 8, "modified": OLD, "modified_by": 1,
                  "parent_id": parent, "container": "G1", "gender": "F", "date_of_birth": "1990-05-06",
                  "comments": "first comment", "notregistered": 0, "volunteer": 0}
        values.update(columns)
        names = ", ".join(values)
        literals = ", ".join("NULL" if v is None else str(v) if isinstance(v, int) else "'" + v.replace("'", "''") + "'"
                             for v in values.values())
        return self.insert(f"INSERT INTO people ({names}) VALUES ({literals})")

    def person_row(self, person):
        """The columns these mutations write, as SQL has them."""
        names = ["parent_id", "seq", "firstname", "lastname", "date_of_birth", "gender", "family_id", "created",
                 "created_by", "modified", "modified_by", "container", "comments", "phone", "camp_id", "deleted",
                 "notregistered", "bicyclebancomment", "workshopbancomment", "volunteer", "approvalsigned",
                 "signaturefield", "date_of_signature"]
        text = {"date_of_birth", "created", "modified", "deleted", "date_of_signature"}
        (row,) = self.json_rows(", ".join(f"CAST({n} AS CHAR)" if n in text else n for n in names),
                                f"FROM people WHERE id = {person}")
        return dict(zip(names, row))

    def languages(self, person):
        return [int(r[0]) for r in self.db.sql(
            f"SELECT language_id FROM x_people_languages WHERE people_id = {person} ORDER BY language_id")]

    def relations(self, person):
        return [tuple(r) for r in self.json_rows(
            "tag_id, object_type, CAST(created_on AS CHAR), created_by_id, deleted_on",
            f"FROM tags_relations WHERE object_id = {person} AND object_type = 'People' ORDER BY tag_id")]

    def history_rows(self, person, after=0):
        return [tuple(r) for r in self.json_rows(
            "changes, user_id, ip, CAST(changedate AS CHAR), from_int, to_int",
            f"FROM history WHERE tablename = 'people' AND record_id = {person} AND id > {after} ORDER BY id")]

    def last_history(self):
        return int(self.db.scalar("SELECT COALESCE(MAX(id), 0) FROM history"))

    def expected(self, person):
        """The fields of BENEFICIARY as Depot must answer them, from SQL."""
        (r,) = self.json_rows(
            f"CAST(id AS CHAR), firstname, lastname, {date('date_of_birth')}, comments, CAST(camp_id AS CHAR), "
            f"container, gender, CAST(parent_id AS CHAR), (deleted IS NULL OR deleted = 0), volunteer, "
            f"approvalsigned, notregistered, phone, signaturefield, {date('date_of_signature')}, "
            f"CAST(created_by AS CHAR), {dt('created')}, CAST(modified_by AS CHAR), {dt('modified')}",
            f"FROM people WHERE id = {person}")
        tags = [{"id": str(t[0])} for t in self.db.sql(
            f"SELECT t.id FROM tags_relations r JOIN tags t ON t.id = r.tag_id WHERE r.object_type = 'People' "
            f"AND r.object_id = {person} AND r.deleted_on IS NULL AND (t.deleted IS NULL OR t.deleted = 0) "
            "ORDER BY t.id")]
        return {"id": r[0], "firstName": r[1], "lastName": r[2], "dateOfBirth": r[3], "comment": r[4],
                "base": ref(r[5]), "groupIdentifier": r[6], "gender": GENDERS[r[7]],
                "languages": [LANGUAGES[i] for i in self.languages(person)], "familyHead": ref(r[8]),
                "active": bool(r[9]), "isVolunteer": bool(r[10]), "signed": bool(r[11]),
                "registered": not r[12], "phoneNumber": r[13], "signature": r[14], "dateOfSignature": r[15],
                "createdBy": ref(r[16]), "createdOn": r[17], "lastModifiedBy": ref(r[18]), "lastModifiedOn": r[19],
                "tags": tags}

    def read_back(self, person):
        """beneficiary(id) answers what SQL holds."""
        self.assertEqual(self.field(READ, {"id": str(person)}), self.expected(person))

    # --- createBeneficiary ---------------------------------------------------------------

    def test_create_beneficiary(self):
        """Every input field: the row as boxtribute's create_beneficiary writes it (and the
        signature, which Depot keeps), languages once each, tags, one "Record created"."""
        head = self.new_person()
        before = self.now()
        created = self.field(CREATE, {"input": {
            "firstName": "Some", "lastName": "One", "baseId": 1, "groupIdentifier": "1234",
            "dateOfBirth": "2000-01-01", "comment": "today is a good day", "gender": "Diverse",
            "languages": ["en", "ar", "en"], "familyHeadId": head, "isVolunteer": True, "registered": False,
            "signature": "Some One", "dateOfSignature": "2022-07-16",
            "tagIds": [self.tag_people, self.tag_all, self.tag_people]}})
        after = self.now()
        person = int(created["id"])
        row = self.person_row(person)
        self.assertBetween(before, row["created"], after)
        when = row["created"]
        self.assertEqual(row, {
            "parent_id": head, "seq": 2, "firstname": "Some", "lastname": "One", "date_of_birth": "2000-01-01",
            "gender": "", "family_id": 0, "created": when, "created_by": 8, "modified": when, "modified_by": 8,
            "container": "1234", "comments": "today is a good day", "phone": None, "camp_id": 1, "deleted": ZERO,
            "notregistered": 1, "bicyclebancomment": "", "workshopbancomment": "", "volunteer": 1,
            "approvalsigned": 1, "signaturefield": "Some One", "date_of_signature": "2022-07-16 00:00:00"})
        self.assertEqual(self.languages(person), [2, 5])
        self.assertEqual(self.relations(person), sorted([(self.tag_people, "People", when, 8, None),
                                                         (self.tag_all, "People", when, 8, None)]))
        self.assertEqual(self.history_rows(person), [("Record created", 8, None, when, None, None)])
        self.assertEqual(created, self.expected(person))
        self.read_back(person)

    def test_create_beneficiary_defaults(self):
        """Only the required fields: comment "", no signature (the zero date), Male as 'M', no
        languages or tags, seq 1 for a family head."""
        created = self.field(CREATE, {"input": {
            "firstName": "Ali", "lastName": "Veli", "baseId": 1, "groupIdentifier": "", "dateOfBirth": "1980-12-31",
            "gender": "Male", "isVolunteer": False, "registered": True}})
        person = int(created["id"])
        row = self.person_row(person)
        self.assertEqual((row["parent_id"], row["seq"], row["gender"], row["comments"], row["approvalsigned"],
                          row["signaturefield"], row["date_of_signature"], row["notregistered"], row["volunteer"]),
                         (None, 1, "M", "", 0, None, ZERO, 0, 0))
        self.assertEqual((self.languages(person), self.relations(person)), ([], []))
        self.assertEqual(created, self.expected(person))
        self.assertEqual((created["comment"], created["dateOfSignature"], created["signed"]), ("", None, False))
        # An explicit null comment is stored as NULL, as boxtribute passes comment=None on.
        created = self.field(CREATE, {"input": {
            "firstName": "Ali", "lastName": "Veli", "baseId": 1, "groupIdentifier": "", "dateOfBirth": "1980-12-31",
            "gender": "Female", "isVolunteer": False, "registered": True, "comment": None}})
        self.assertEqual(self.person_row(int(created["id"]))["comments"], None)
        self.assertIsNone(created["comment"])

    def test_create_beneficiary_by_god_and_other_organisation(self):
        """A god user creates in any base; base 2's coordinator in base 2."""
        for token, base, user in [(self.god, 2, 1), (self.other, 2, 2)]:
            created = self.field(CREATE, {"input": {
                "firstName": "X", "lastName": "Y", "baseId": base, "groupIdentifier": "g", "dateOfBirth": "2010-01-01",
                "gender": "Female", "isVolunteer": False, "registered": True}}, token=token)
            row = self.person_row(int(created["id"]))
            self.assertEqual((row["camp_id"], row["created_by"], row["modified_by"]), (base, user, user))

    def test_create_beneficiary_refused(self):
        """Permissions, the base, tags and family heads Depot refuses: nothing is written."""
        good = {"firstName": "N", "lastName": "O", "baseId": 1, "groupIdentifier": "g", "dateOfBirth": "2001-02-03",
                "gender": "Female", "isVolunteer": False, "registered": True}
        self.refused(CREATE, {"input": good}, "FORBIDDEN", "You don't have access to 'beneficiary:create'",
                     token=self.reader)
        self.refused(CREATE, {"input": good}, "FORBIDDEN", "You don't have access to 'base=1'", token=self.other)
        self.refused(CREATE, {"input": good}, "FORBIDDEN", "You don't have access to 'beneficiary_language:assign'",
                     token=self.no_languages)
        self.refused(CREATE, {"input": dict(good, baseId=987654)}, "BAD_USER_INPUT", NOT_FOUND, token=self.god)
        for tag in [self.tag_box, self.tag_deleted, self.tag_other_base, 987654]:
            with self.subTest(tag=tag):
                self.refused(CREATE, {"input": dict(good, tagIds=[self.tag_people, tag])}, "BAD_USER_INPUT",
                             f"Tag {tag} cannot be assigned to beneficiaries of base 1: it does not exist, is "
                             "deleted, is of another base or is a Box tag.")
        for head in [self.new_person(base=2), 987654]:
            with self.subTest(head=head):
                self.refused(CREATE, {"input": dict(good, familyHeadId=head)}, "BAD_USER_INPUT",
                             f"The family head {head} is no beneficiary of base 1.")
        # A value its column cannot hold (people.firstname is VARCHAR(255)) fails the field.
        self.refused(CREATE, {"input": dict(good, firstName="x" * 256)}, "INTERNAL_SERVER_ERROR",
                     "The database failed to perform the requested action; nothing was changed.")
        self.beta_refused(CREATE, {"input": good}, self.beta7)

    # --- updateBeneficiary ---------------------------------------------------------------

    def test_update_beneficiary(self):
        """boxtribute's two updates of test_beneficiary_mutations: each changed field's history
        row in boxtribute's order and wording, modified set, languages replaced."""
        person = self.new_person(notregistered=1, volunteer=1, comments="today is a good day", container="1234",
                                 date_of_birth="2000-01-01", gender="", firstname="Some", lastname="One",
                                 date_of_signature="2022-07-16 00:00:00")
        self.db.sql(f"INSERT INTO x_people_languages (people_id, language_id) VALUES ({person}, 2), ({person}, 5)")
        mark = self.last_history()
        before = self.now()
        updated = self.field(UPDATE, {"input": {
            "id": str(person), "lastName": "Body", "signature": "Some", "dateOfSignature": "2021-09-09",
            "languages": ["nl"], "isVolunteer": False, "registered": True}})
        after = self.now()
        row = self.person_row(person)
        self.assertBetween(before, row["modified"], after)
        when = row["modified"]
        self.assertEqual((row["lastname"], row["approvalsigned"], row["signaturefield"], row["date_of_signature"],
                          row["notregistered"], row["volunteer"], row["modified_by"], row["seq"]),
                         ("Body", 1, "Some", "2021-09-09 00:00:00", 0, 0, 8, 1))
        self.assertEqual(self.languages(person), [1])
        self.assertEqual(self.history_rows(person, mark), [
            ('lastname changed from "One" to "Body";', 8, None, when, None, None),
            ("notregistered", 8, None, when, 1, 0),
            ("volunteer", 8, None, when, 1, 0),
            ('date_of_signature changed from "2022-07-16 00:00:00" to "2021-09-09";', 8, None, when, None, None),
            ("approvalsigned", 8, None, when, 0, 1)])
        self.assertEqual(updated, self.expected(person))

        mark = self.last_history()
        updated = self.field(UPDATE, {"input": {
            "id": str(person), "firstName": "Foo", "groupIdentifier": "1235", "dateOfBirth": "2001-01-01",
            "comment": "cool dude", "gender": "Male", "familyHeadId": person}})
        when = self.person_row(person)["modified"]
        self.assertEqual(self.history_rows(person, mark), [
            ('firstname changed from "Some" to "Foo";', 8, None, when, None, None),
            ('comments changed from "today is a good day" to "cool dude";', 8, None, when, None, None),
            ('container changed from "1234" to "1235";', 8, None, when, None, None),
            ('date_of_birth changed from "2000-01-01" to "2001-01-01";', 8, None, when, None, None),
            ('gender changed from "D" to "M";', 8, None, when, None, None),
            ("parent_id", 8, None, when, None, person)])
        row = self.person_row(person)
        self.assertEqual((row["parent_id"], row["seq"], row["gender"]), (person, 2, "M"))
        self.assertEqual(self.languages(person), [1], "no languages given: kept")
        self.assertEqual(updated, self.expected(person))
        self.read_back(person)

    def test_update_beneficiary_without_change(self):
        """The values it has already, [] for languages, a dateOfSignature on the same day: no
        row is written at all (boxtribute would write a date_of_signature row)."""
        person = self.new_person(date_of_signature="2022-07-16 00:00:00", gender="", approvalsigned=1,
                                 signaturefield="S")
        self.db.sql(f"INSERT INTO x_people_languages (people_id, language_id) VALUES ({person}, 3)")
        row = self.person_row(person)
        before = self.checksum()
        updated = self.field(UPDATE, {"input": {
            "id": str(person), "firstName": row["firstname"], "lastName": row["lastname"], "gender": "Diverse",
            "comment": row["comments"], "groupIdentifier": row["container"], "dateOfBirth": row["date_of_birth"],
            "isVolunteer": False, "registered": True, "dateOfSignature": "2022-07-16", "languages": [],
            "signature": "S"}})
        self.assertEqual(self.checksum(), before)
        self.assertEqual(updated, self.expected(person))

    def test_update_beneficiary_nulls(self):
        """A null dateOfSignature clears it (the zero date), null comment and dateOfBirth are
        stored as NULL; null for a field its column cannot hold changes nothing."""
        person = self.new_person(date_of_signature="2022-07-16 00:00:00")
        mark = self.last_history()
        self.field(UPDATE, {"input": {"id": str(person), "dateOfSignature": None, "comment": None,
                                      "dateOfBirth": None, "gender": None, "registered": None}})
        row = self.person_row(person)
        when = row["modified"]
        self.assertEqual((row["date_of_signature"], row["comments"], row["date_of_birth"], row["gender"]),
                         (ZERO, None, None, "F"))
        self.assertEqual(self.history_rows(person, mark), [
            ('comments changed from "first comment" to "None";', 8, None, when, None, None),
            ('date_of_signature changed from "2022-07-16 00:00:00" to "None";', 8, None, when, None, None),
            ('date_of_birth changed from "1990-05-06" to "None";', 8, None, when, None, None)])
        for name in ["firstName", "lastName", "groupIdentifier", "isVolunteer"]:
            with self.subTest(field=name):
                self.refused(UPDATE, {"input": {"id": str(person), "comment": "x", name: None}}, "BAD_USER_INPUT",
                             f"{name} cannot be null.")

    def test_update_beneficiary_text_as_given(self):
        """Texts are stored with every byte they hold, U+0000 included."""
        person = self.new_person()
        self.field(UPDATE, {"input": {"id": str(person), "lastName": "a\u0000b", "comment": "c\u0000d"}})
        self.assertEqual(self.db.sql(f"SELECT HEX(lastname), HEX(comments) FROM people WHERE id = {person}"),
                         [["610062", "630064"]])

    def test_update_beneficiary_refused(self):
        person = self.new_person()
        self.refused(UPDATE, {"input": {"id": "987654", "lastName": "x"}}, "BAD_USER_INPUT", NOT_FOUND)
        self.refused(UPDATE, {"input": {"id": "abc", "lastName": "x"}}, "BAD_USER_INPUT", NOT_FOUND)
        self.refused(UPDATE, {"input": {"id": str(person), "lastName": "x"}}, "FORBIDDEN",
                     "You don't have access to 'beneficiary:edit'", token=self.reader)
        self.refused(UPDATE, {"input": {"id": str(person), "lastName": "x"}}, "FORBIDDEN",
                     "You don't have access to 'base=1'", token=self.other)
        self.refused(UPDATE, {"input": {"id": str(person), "lastName": "x"}}, "FORBIDDEN",
                     "You don't have access to 'beneficiary_language:assign'", token=self.no_languages)
        other_base = self.new_person(base=2)
        self.refused(UPDATE, {"input": {"id": str(person), "lastName": "x", "familyHeadId": other_base}},
                     "BAD_USER_INPUT", f"The family head {other_base} is no beneficiary of base 1.")
        self.beta_refused(UPDATE, {"input": {"id": str(person), "lastName": "x"}}, self.beta7)
        # base 2's coordinator edits base 2's beneficiaries
        updated = self.field(UPDATE, {"input": {"id": str(other_base), "lastName": "Two"}}, token=self.other)
        self.assertEqual((updated["lastName"], self.person_row(other_base)["modified_by"]), ("Two", 2))

    # --- deactivateBeneficiary -----------------------------------------------------------

    def test_deactivate_family_head(self):
        """The head and its active members get `deleted` and "Record deleted" (members first);
        an inactive member and another family are left alone."""
        head = self.new_person()
        members = [self.new_person(parent=head), self.new_person(parent=head)]
        gone = self.new_person(parent=head, deleted=OLD)
        stranger = self.new_person(parent=self.new_person())
        mark = self.last_history()
        before = self.now()
        answer = self.field(DEACTIVATE, {"id": str(head)})
        after = self.now()
        when = self.person_row(head)["deleted"]
        self.assertBetween(before, when, after)
        for person in members:
            self.assertEqual(self.person_row(person)["deleted"], when)
        self.assertEqual((self.person_row(gone)["deleted"], self.person_row(stranger)["deleted"]), (OLD, ZERO))
        written = [tuple(r) for r in self.json_rows("record_id, changes, CAST(changedate AS CHAR), user_id",
                                                   f"FROM history WHERE id > {mark} ORDER BY id")]
        self.assertEqual(written, [(members[0], "Record deleted", when, 8), (members[1], "Record deleted", when, 8),
                                   (head, "Record deleted", when, 8)])
        self.assertEqual(answer, self.expected(head))
        self.assertFalse(answer["active"])

    def test_deactivate_family_member(self):
        """A member alone: its head stays active."""
        head = self.new_person()
        member = self.new_person(parent=head)
        answer = self.field(DEACTIVATE, {"id": str(member)})
        self.assertFalse(answer["active"])
        self.assertEqual(self.person_row(head)["deleted"], ZERO)
        self.read_back(member)

    def test_deactivate_refused(self):
        person = self.new_person()
        self.refused(DEACTIVATE, {"id": "987654"}, "BAD_USER_INPUT", NOT_FOUND)
        self.refused(DEACTIVATE, {"id": str(person)}, "FORBIDDEN", "You don't have access to 'beneficiary:delete'",
                     token=self.reader)
        self.refused(DEACTIVATE, {"id": str(person)}, "FORBIDDEN", "You don't have access to 'base=1'",
                     token=self.other)
        self.beta_refused(DEACTIVATE, {"id": str(person)}, self.beta7)

    # --- createBeneficiaries -------------------------------------------------------------

    def rows(self, n, **extra):
        return [dict({"firstName": f"Row {i}", "groupIdentifier": f"B{i}"}, **extra) for i in range(n)]

    def test_create_beneficiaries(self):
        """boxtribute's two rows: the full one and the defaults (registered, Diverse as '',
        "" comment and last name, no modified), in input order, with history, tags and
        languages; read back through beneficiaries."""
        head = self.new_person()
        mark = self.last_history()
        before = self.now()
        result = self.field(CREATE_MANY, {"input": {"baseId": 1, "beneficiaryData": [
            {"firstName": "Some", "lastName": "One", "groupIdentifier": "1234", "dateOfBirth": "2000-01-01",
             "gender": "Female", "isVolunteer": False, "registered": False, "comment": "cool dude",
             "tagIds": [self.tag_all, self.tag_people], "phoneNumber": "+491234567", "languages": ["de", "fr"],
             "familyHeadId": head},
            {"firstName": "Some", "groupIdentifier": "1234", "lastName": None}]}})
        after = self.now()
        self.assertEqual(result["__typename"], "BeneficiariesResult")
        ids = [int(r["id"]) for r in result["results"]]
        self.assertEqual(ids[1], ids[0] + 1)
        first, second = self.person_row(ids[0]), self.person_row(ids[1])
        when = first["created"]
        self.assertBetween(before, when, after)
        self.assertEqual(first, {
            "parent_id": head, "seq": 2, "firstname": "Some", "lastname": "One", "date_of_birth": "2000-01-01",
            "gender": "F", "family_id": 0, "created": when, "created_by": 8, "modified": None, "modified_by": None,
            "container": "1234", "comments": "cool dude", "phone": "+491234567", "camp_id": 1, "deleted": ZERO,
            "notregistered": 1, "bicyclebancomment": "", "workshopbancomment": "", "volunteer": 0,
            "approvalsigned": 0, "signaturefield": None, "date_of_signature": ZERO})
        self.assertEqual(second, dict(first, parent_id=None, seq=1, lastname="", date_of_birth=None, gender="",
                                      comments="", phone=None, notregistered=0))
        self.assertEqual(self.languages(ids[0]), [3, 4])
        self.assertEqual(self.relations(ids[0]), sorted([(self.tag_people, "People", when, 8, None),
                                                         (self.tag_all, "People", when, 8, None)]))
        self.assertEqual((self.languages(ids[1]), self.relations(ids[1])), ([], []))
        written = [tuple(r) for r in self.json_rows("tablename, record_id, changes, CAST(changedate AS CHAR), user_id",
                                                   f"FROM history WHERE id > {mark} ORDER BY id")]
        self.assertEqual(written, [("people", i, "Record created", when, 8) for i in ids])
        self.assertEqual(result["results"], [dict(self.expected(i), __typename="Beneficiary") for i in ids])
        page = self.field("""query { beneficiaries(paginationInput: {first: 100000}) { elements { id } } }""")
        self.assertTrue({str(i) for i in ids} <= {e["id"] for e in page["elements"]})

    def test_create_beneficiaries_statements(self):
        """1 and 50 rows, each with tags and languages, take the same statements."""
        counts = []
        for n in [1, 50]:
            response = self.send(CREATE_MANY, {"input": {"baseId": 1, "beneficiaryData": self.rows(
                n, tagIds=[self.tag_people], languages=["ar"])}})
            self.assertNotIn("errors", response, response)
            self.assertEqual(len(response["data"]["createBeneficiaries"]["results"]), n)
            counts.append(response["extensions"]["debug"]["sqlStatements"])
        self.assertEqual(counts[0], counts[1], counts)

    def test_create_beneficiaries_concurrently(self):
        """8 clients importing 20 rows each at once: each answer holds its own rows (by
        name), in input order, each with one "Record created" row and its tag."""
        def client(k):
            rows = [{"firstName": f"Client {k}", "lastName": f"Row {i}", "groupIdentifier": "C",
                     "tagIds": [self.tag_people]} for i in range(20)]
            return k, self.field(CREATE_MANY, {"input": {"baseId": 1, "beneficiaryData": rows}})
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(client, range(8)))
        seen = set()
        for k, result in answers:
            ids = [int(r["id"]) for r in result["results"]]
            self.assertEqual([r["lastName"] for r in result["results"]], [f"Row {i}" for i in range(20)])
            names = self.db.sql(f"SELECT firstname, lastname FROM people WHERE id IN ({', '.join(map(str, ids))}) "
                                "ORDER BY id")
            self.assertEqual(names, [[f"Client {k}", f"Row {i}"] for i in range(20)])
            for person in ids:
                self.assertEqual([r[0] for r in self.history_rows(person)], ["Record created"])
                self.assertEqual([r[0] for r in self.relations(person)], [self.tag_people])
            seen.update(ids)
        self.assertEqual(len(seen), 160)

    def test_create_beneficiaries_refused(self):
        """Each union error member as boxtribute answers it, [] for no rows, Depot's refusal of
        a tag: nothing written."""
        data = self.rows(2)
        self.union_error(CREATE_MANY, {"input": {"baseId": 1, "beneficiaryData": data}},
                         {"__typename": "InsufficientPermissionError", "name": "beneficiary:create"}, token=self.reader)
        self.union_error(CREATE_MANY, {"input": {"baseId": 1, "beneficiaryData": data}},
                         {"__typename": "InsufficientPermissionError", "name": "beneficiary_language:assign"},
                         token=self.no_languages)
        name, organisation = self.db.sql("SELECT c.name, o.label FROM camps c JOIN organisations o "
                                         "ON o.id = c.organisation_id WHERE c.id = 1")[0]
        self.union_error(CREATE_MANY, {"input": {"baseId": 1, "beneficiaryData": data}},
                         {"__typename": "UnauthorizedForBaseError", "id": "1", "name": name,
                          "organisationName": organisation}, token=self.other)
        self.union_error(CREATE_MANY, {"input": {"baseId": 987654, "beneficiaryData": data}},
                         {"__typename": "ResourceDoesNotExistError", "missingId": "987654", "name": "Base"},
                         token=self.god)
        closed = self.db.scalar(f"SELECT name FROM camps WHERE id = {self.deleted_base}")
        self.union_error(CREATE_MANY, {"input": {"baseId": self.deleted_base, "beneficiaryData": data}},
                         {"__typename": "DeletedBaseError", "name": closed}, token=self.god)
        self.union_error(CREATE_MANY, {"input": {"baseId": 1, "beneficiaryData": []}},
                         {"__typename": "BeneficiariesResult", "results": []})
        self.refused(CREATE_MANY, {"input": {"baseId": 1, "beneficiaryData": self.rows(1) + self.rows(
            1, tagIds=[self.tag_box])}}, "BAD_USER_INPUT",
            f"Tag {self.tag_box} cannot be assigned to beneficiaries of base 1: it does not exist, is deleted, "
            "is of another base or is a Box tag.")
        self.refused(CREATE_MANY, {"input": {"baseId": 1, "beneficiaryData": self.rows(1) + self.rows(
            1, lastName="x" * 256)}}, "INTERNAL_SERVER_ERROR",
            "The database failed to perform the requested action; nothing was changed.")
        self.beta_refused(CREATE_MANY, {"input": {"baseId": 1, "beneficiaryData": data}}, self.beta5)


# Depot's DDL with the few rows the cases need: two organisations, a base each, their users and
# boxtribute's six languages (people and tags are made by each case).
DDL_ROWS = TWO_ORGANISATIONS + """
INSERT INTO languages (id, visible, code, name, rtl) VALUES (1, 0, 'nl', 'Dutch', 0), (2, 1, 'en', 'English', 0),
  (3, 1, 'fr', 'French', 0), (4, 0, 'de', 'German', 0), (5, 1, 'ar', 'Arabic', 1), (6, 1, 'ckb', 'Sorani', 1);
"""


BeneficiaryMutationsOnDepotDDL, BeneficiaryMutationsOnBoxtributeDump = on_each_data_set(
    BeneficiaryMutationCases, "BeneficiaryMutations", DDL_ROWS)


class BeneficiaryIdsNotAssumed(unittest.TestCase):
    """A server whose auto-increment steps by 2 gives a multi-row INSERT ids that are not
    consecutive: createBeneficiaries fails (nothing written) rather than answer or tag rows
    it did not write; one row still works."""

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path, args=["--auto-increment-increment=2"])
        BeneficiaryMutationsOnDepotDDL.load(cls.db)
        cls.keys = harness.Keys(cls.scratch.path)
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="one", extra_env=harness.FIXED_POOL)
        cls.god = cls.keys.token(sub="auth0|1", org="null", roles=("boxtribute_god",), permissions=[])

    @classmethod
    def tearDownClass(cls):
        cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()

    def send(self, rows):
        status, response, _ = harness.post(self.depot.url, {"query": CREATE_MANY, "variables": {"input": {
            "baseId": 1, "beneficiaryData": [{"firstName": f"R{i}", "groupIdentifier": "g"} for i in range(rows)]}}},
            self.god)
        self.assertEqual(status, 200, response)
        return response

    def test_ids_read_back(self):
        before = self.db.sql(f"CHECKSUM TABLE {WRITTEN}")
        response = self.send(3)
        self.assertEqual(response["data"], {"createBeneficiaries": None})
        self.assertEqual(response["errors"][0]["extensions"]["code"], "INTERNAL_SERVER_ERROR")
        self.assertEqual(self.db.sql(f"CHECKSUM TABLE {WRITTEN}"), before)
        response = self.send(1)
        self.assertNotIn("errors", response, response)
        (row,) = response["data"]["createBeneficiaries"]["results"]
        self.assertEqual(self.db.sql(f"SELECT firstname FROM people WHERE id = {row['id']}"), [["R0"]])


if __name__ == "__main__":
    unittest.main()
