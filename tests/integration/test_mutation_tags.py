"""The tag mutations: createTag, updateTag, deleteTag, deleteTags, assignTag and unassignTag
(on a Box and on a Beneficiary), as every kind of user (the base's coordinator, a user of
another organisation, a god user, a user without the permission, a user below the beta
level), on Depot's DDL with rows written here and on boxtribute's own dump.

Each success is checked row by row (tags, tags_relations, history, and the tagged box's or
beneficiary's modified/modified_by) against SQL run here, with one timestamp per mutation
between the clock read before and after it; each union error member and each top-level error
as boxtribute answers it; and every refused call changes nothing (CHECKSUM TABLE of every
table a tag mutation writes). Where Depot is stricter than boxtribute (deleted, wrong-type
and other-base tags on assignTag/unassignTag; no write when nothing is unassigned), README's
"Deliberate choices" says so.
Licensed under the Apache License 2.0.
"""
import concurrent.futures
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from mutation_cases import (BOX_STATES, NOT_FOUND, OLD, TWO_ORGANISATIONS, MutationCases, dt,  # noqa: E402
                            on_each_data_set, ref)

# TagType and TaggableResourceType as boxtribute stores them (facts: enums).
TYPE_TO_DB = {"Box": "Stock", "Beneficiary": "People", "All": "All"}
DB_TO_TYPE = {v: k for k, v in TYPE_TO_DB.items()}
WRITTEN = "tags, tags_relations, history, stock, people"  # every table a tag mutation writes

# The front-end's own documents as it sends them (tests/queries/mutations/: the Tags pages'
# CreateTag and UpdateTag forms, useDeleteTags).
FRONTEND_CREATE_TAG = harness.read_query(os.path.join("mutations", "CreateTag.graphql"))
FRONTEND_UPDATE_TAG = harness.read_query(os.path.join("mutations", "UpdateTag.graphql"))
FRONTEND_DELETE_TAGS = harness.read_query(os.path.join("mutations", "DeleteTags.graphql"))

TAG = """id name description color type base { id } createdBy { id } createdOn
         lastModifiedBy { id } lastModifiedOn deletedOn"""
# Each union's error members (a fragment on a type outside the union is invalid).
# ResourceDoesNotExistError.id (ID) and InvalidColorError.color (String!) differ in type from
# Tag's fields of those names, so they are aliased (graphql's OverlappingFieldsCanBeMerged).
PERMISSION = """... on InsufficientPermissionError { name }"""
BASE = """... on UnauthorizedForBaseError { id name organisationName }"""
MISSING = """... on ResourceDoesNotExistError { missingId: id name }"""
COLOR = """... on InvalidColorError { invalidColor: color }"""
CREATE = f"""mutation($input: TagCreationInput) {{ createTag(creationInput: $input) {{
             __typename ... on Tag {{ {TAG} taggedResources {{ __typename }} lastUsedOn }}
             {PERMISSION} {BASE} {COLOR} }} }}"""
UPDATE = f"""mutation($input: TagUpdateInput) {{ updateTag(updateInput: $input) {{
             __typename ... on Tag {{ {TAG} }} {PERMISSION} {BASE} {MISSING} {COLOR}
             ... on EmptyNameError {{ _ }} ... on DeletedTagError {{ name }} }} }}"""
DELETE = f"""mutation($id: ID!) {{ deleteTag(id: $id) {{
             __typename ... on Tag {{ {TAG} taggedResources {{ __typename }} }} {PERMISSION} {BASE} {MISSING} }} }}"""
DELETE_MANY = f"""mutation($ids: [Int!]!) {{ deleteTags(ids: $ids) {{
             __typename ... on TagsResult {{ updatedTags {{ {TAG} }} invalidTagIds }} {PERMISSION} }} }}"""
RESOURCE = """__typename
              ... on Box { id labelIdentifier tags { id } lastModifiedOn lastModifiedBy { id } }
              ... on Beneficiary { id tags { id } lastModifiedOn lastModifiedBy { id } }"""
ASSIGN = f"""mutation($input: TagOperationInput) {{ assignTag(assignmentInput: $input) {{ {RESOURCE} }} }}"""
UNASSIGN = f"""mutation($input: TagOperationInput) {{ unassignTag(unassignmentInput: $input) {{ {RESOURCE} }} }}"""


class TagMutationCases(MutationCases):
    """The cases, run on each data set by the classes at the end of the file."""
    TABLES_WRITTEN = WRITTEN
    WRITES = ["stock:write", "tag:write", "tag_relation:assign", "beneficiary:write"]

    @classmethod
    def tokens(cls):
        super().tokens()
        # createTag ... deleteTags are beta level 5, assignTag/unassignTag 98 (boxtribute's authz.py).
        cls.beta4 = cls.beta_token(4)
        cls.beta7 = cls.beta_token(7)

    # --- requests ---------------------------------------------------------------------

    def call(self, text, variables=None):
        """status and response, for requests sent from threads."""
        status, response, _ = harness.post(self.depot.url, self.body(text, variables), self.token)
        return status, response

    # --- rows written here ---------------------------------------------------------------

    def insert(self, sql):
        """The new row's id as SQL prints it: the cases compare it with the IDs Depot answers."""
        return str(super().insert(sql))

    def new_tag(self, base=1, kind="All", deleted=None, name=None, color="#123abc"):
        name = name or f"tag {self.next_serial()}"
        return self.insert(
            "INSERT INTO tags (label, color, camp_id, deleted, created, created_by, description, type) "
            f"VALUES ('{name}', '{color}', {base}, {f'{chr(39)}{deleted}{chr(39)}' if deleted else 'NULL'}, "
            f"'{OLD}', 8, 'described', '{TYPE_TO_DB[kind]}')")

    def new_box(self, base=1):
        product = self.db.scalar(f"SELECT MIN(id) FROM products WHERE camp_id = {base} AND (deleted IS NULL OR deleted = 0)")
        location = self.db.scalar(f"SELECT MIN(id) FROM locations WHERE camp_id = {base} AND type = 'Warehouse' "
                                  "AND (deleted IS NULL OR deleted = 0)")
        return self.insert(
            "INSERT INTO stock (box_id, product_id, location_id, items, box_state_id, created, created_by, "
            f"modified, modified_by) VALUES ('{77000000 + self.next_serial()}', {product}, {location}, 3, 1, "
            f"'{OLD}', 8, '{OLD}', 1)")

    def new_person(self, base=1):
        return self.insert(
            "INSERT INTO people (seq, firstname, lastname, family_id, camp_id, deleted, bicyclebancomment, "
            "workshopbancomment, created, created_by, modified, modified_by) "
            f"VALUES (1, 'Test', 'Person {self.next_serial()}', 1, {base}, '0000-00-00 00:00:00', '', '', "
            f"'{OLD}', 8, '{OLD}', 1)")

    def relate(self, tag, resource_type, resource, deleted=False):
        gone = f"'{OLD}', 1" if deleted else "NULL, NULL"
        return self.insert(
            "INSERT INTO tags_relations (object_id, object_type, tag_id, created_on, created_by_id, deleted_on, "
            f"deleted_by_id) VALUES ({resource}, '{TYPE_TO_DB[resource_type]}', {tag}, '{OLD}', 8, {gone})")

    def tag_row(self, tag):
        """Every column of a tags row, as SQL has it."""
        (row,) = self.json_rows(
            "label, color, camp_id, CAST(deleted AS CHAR), CAST(created AS CHAR), created_by, "
            "CAST(modified AS CHAR), modified_by, description, type, seq", f"FROM tags WHERE id = {tag}")
        return dict(zip(["label", "color", "camp_id", "deleted", "created", "created_by", "modified",
                         "modified_by", "description", "type", "seq"], row))

    def relation_rows(self, where):
        return [dict(zip(["id", "object_id", "object_type", "tag_id", "created_on", "created_by_id",
                          "deleted_on", "deleted_by_id"], r)) for r in self.json_rows(
            "id, object_id, object_type, tag_id, CAST(created_on AS CHAR), created_by_id, "
            "CAST(deleted_on AS CHAR), deleted_by_id", f"FROM tags_relations WHERE {where} ORDER BY id")]

    def history_rows(self, table, record):
        return [dict(zip(["changes", "user_id", "ip", "changedate", "from_int", "to_int", "from_float",
                          "to_float"], r)) for r in self.json_rows(
            "changes, user_id, ip, CAST(changedate AS CHAR), from_int, to_int, from_float, to_float",
            f"FROM history WHERE tablename = '{table}' AND record_id = {record} ORDER BY id")]

    def history(self, changes, user, when):
        return {"changes": changes, "user_id": user, "ip": None, "changedate": when, "from_int": None,
                "to_int": None, "from_float": None, "to_float": None}

    def modified(self, table, row):
        (r,) = self.json_rows("CAST(modified AS CHAR), modified_by", f"FROM {table} WHERE id = {row}")
        return r

    def expected_tag(self, tag):
        """The Tag fields of TAG as Depot must answer them, from SQL."""
        (r,) = self.json_rows(
            f"CAST(id AS CHAR), label, description, color, type, CAST(camp_id AS CHAR), CAST(created_by AS CHAR), "
            f"{dt('created')}, CAST(modified_by AS CHAR), {dt('modified')}, {dt('deleted')}", f"FROM tags WHERE id = {tag}")
        return {"id": r[0], "name": r[1], "description": r[2], "color": r[3], "type": DB_TO_TYPE[r[4]],
                "base": ref(r[5]), "createdBy": ref(r[6]), "createdOn": r[7], "lastModifiedBy": ref(r[8]),
                "lastModifiedOn": r[9], "deletedOn": r[10]}

    def expected_resource(self, kind, resource):
        """A Box or Beneficiary as RESOURCE selects it, from SQL: its live relations to live tags."""
        table, db_type = ("stock", "Stock") if kind == "Box" else ("people", "People")
        tags = [{"id": r[0]} for r in self.db.sql(
            f"SELECT t.id FROM tags_relations r JOIN tags t ON t.id = r.tag_id WHERE r.object_type = '{db_type}' "
            f"AND r.object_id = {resource} AND r.deleted_on IS NULL AND (t.deleted IS NULL OR t.deleted = 0) "
            "ORDER BY t.id")]
        (r,) = self.json_rows(f"CAST(id AS CHAR), {'box_id' if kind == 'Box' else 'NULL'}, {dt('modified')}, "
                              f"CAST(modified_by AS CHAR)", f"FROM {table} WHERE id = {resource}")
        out = {"__typename": kind, "id": r[0], "tags": tags, "lastModifiedOn": r[2], "lastModifiedBy": ref(r[3])}
        if kind == "Box":
            out["labelIdentifier"] = r[1]
        return out

    # --- createTag -------------------------------------------------------------------------

    def test_create_tag(self):
        """A tag of base 1: its row, its one "Record created" history row, the same timestamp
        in both, and the answer read from them."""
        before = self.now()
        created = self.field(CREATE, {"input": {"name": "Winter 2024", "description": "Jackets first",
                                                "color": "#ff0000", "type": "All", "baseId": 1}})
        after = self.now()
        tag = created["id"]
        row = self.tag_row(tag)
        self.assertBetween(before, row["created"], after)
        self.assertEqual(row, {"label": "Winter 2024", "color": "#ff0000", "camp_id": 1, "deleted": None,
                               "created": row["created"], "created_by": 8, "modified": None, "modified_by": None,
                               "description": "Jackets first", "type": "All", "seq": None})
        self.assertEqual(self.history_rows("tags", tag), [self.history("Record created", 8, row["created"])])
        expected = dict(self.expected_tag(tag), __typename="Tag", taggedResources=[], lastUsedOn=None)
        self.assertEqual(created, expected)

    def test_create_tag_each_type_and_default_description(self):
        """Box and Beneficiary tags are stored as 'Stock' and 'People'; a description left out
        or null is the empty string (tags.description is NOT NULL)."""
        for kind, description in [("Box", {}), ("Beneficiary", {"description": None}), ("All", {"description": ""})]:
            with self.subTest(kind=kind):
                created = self.field(CREATE, {"input": dict({"name": f"type {kind}", "color": "#abc", "type": kind,
                                                             "baseId": 1}, **description)})
                row = self.tag_row(created["id"])
                self.assertEqual((row["type"], row["description"], row["color"]), (TYPE_TO_DB[kind], "", "#abc"))
                self.assertEqual(created["type"], kind)

    def test_create_tag_invalid_color(self):
        """boxtribute's colours are #RGB or #RRGGBB; anything else is InvalidColorError."""
        for color in ["not-a-color", "#12345", "#abcd", "123456", "#12345g", ""]:
            with self.subTest(color=color):
                self.union_error(CREATE, {"input": {"name": "x", "color": color, "type": "All", "baseId": 1}},
                                 {"__typename": "InvalidColorError", "invalidColor": color})

    def test_create_tag_refused(self):
        """Without tag:write, in another organisation's base, in a base that does not exist;
        and below beta level 5. Nothing is written."""
        good = {"name": "x", "color": "#abcdef", "type": "Box"}
        self.union_error(CREATE, {"input": dict(good, baseId=1)},
                         {"__typename": "InsufficientPermissionError", "name": "tag:write"}, token=self.reader)
        self.union_error(CREATE, {"input": dict(good, baseId=2)}, self.base_error(2))
        self.union_error(CREATE, {"input": dict(good, baseId=1)}, self.base_error(1), token=self.other)
        self.union_error(CREATE, {"input": dict(good, baseId=987654)}, self.base_error(987654))
        self.beta_refused(CREATE, {"input": dict(good, baseId=1)}, self.beta4)

    def test_create_tag_god_and_other_organisation(self):
        """A god user creates in any base; base 2's coordinator in base 2."""
        for token, base, user in [(self.god, 2, 1), (self.other, 2, 2)]:
            created = self.field(CREATE, {"input": {"name": "n", "color": "#000000", "type": "Box", "baseId": base}},
                                 token=token)
            row = self.tag_row(created["id"])
            self.assertEqual((row["camp_id"], row["created_by"]), (base, user))
            self.assertEqual(self.history_rows("tags", created["id"]),
                             [self.history("Record created", user, row["created"])])

    def test_create_tag_frontend_document(self):
        """The front-end's CreateTag as it sends it (no description: the form left it empty)."""
        created = self.field(FRONTEND_CREATE_TAG, {"baseId": 1, "name": "From the form", "type": "Box",
                                                   "color": "#c0ffee"})
        tag = created["id"]
        row = self.tag_row(tag)
        base_name = self.db.scalar("SELECT name FROM camps WHERE id = 1")
        user_name = self.db.scalar("SELECT naam FROM cms_users WHERE id = 8")
        self.assertEqual(created, {"__typename": "Tag", "id": tag, "name": "From the form", "description": "",
                                   "color": "#c0ffee", "type": "Box",
                                   "base": {"id": "1", "name": base_name, "__typename": "Base"},
                                   "createdBy": {"id": "8", "name": user_name, "__typename": "User"},
                                   "lastUsedOn": None, "createdOn": row["created"].replace(" ", "T") + "+00:00"})

    # --- updateTag -------------------------------------------------------------------------

    def test_update_tag_fields(self):
        """One history row per changed field, in boxtribute's order and wording (label,
        description, color), none for an unchanged one; modified/modified_by set with the
        same timestamp."""
        tag = self.new_tag(name="Old name", color="#111111")
        before = self.now()
        updated = self.field(UPDATE, {"input": {"id": tag, "name": "New name", "description": "",
                                                "color": "#111111"}})
        after = self.now()
        row = self.tag_row(tag)
        self.assertBetween(before, row["modified"], after)
        self.assertEqual((row["label"], row["description"], row["color"], row["modified_by"]),
                         ("New name", "", "#111111", 8))
        when = row["modified"]
        self.assertEqual(self.history_rows("tags", tag), [
            self.history('label changed from "Old name" to "New name";', 8, when),
            self.history('description changed from "described" to "";', 8, when)])
        self.assertEqual(updated, dict(self.expected_tag(tag), __typename="Tag"))

    def test_update_tag_nothing_changed(self):
        """The same values again (or none at all): no history row, modified stays, the tag
        is answered."""
        tag = self.new_tag(name="Same", color="#222222")
        checksum = self.checksum()
        for update in [{"name": "Same", "color": "#222222", "type": "All", "description": "described"}, {}]:
            updated = self.field(UPDATE, {"input": dict(update, id=tag)})
            self.assertEqual(updated, dict(self.expected_tag(tag), __typename="Tag"))
        self.assertEqual(self.checksum(), checksum)
        self.assertIsNone(self.tag_row(tag)["modified"])

    def test_update_tag_type(self):
        """A type change writes its history row ('Stock' ... 'People' as stored) and
        unassigns the tag from the resources the new type no longer fits (relations
        soft-deleted with the same timestamp and the user); already removed relations and
        the ones that still fit stay as they are."""
        cases = [("All", "Box", "Beneficiary"), ("All", "Beneficiary", "Box"), ("Box", "Beneficiary", "Box"),
                 ("Beneficiary", "Box", "Beneficiary"), ("Box", "All", None)]
        for old, new, dropped in cases:
            with self.subTest(old=old, new=new):
                tag = self.new_tag(kind=old)
                box, person = self.new_box(), self.new_person()
                live = {"Box": self.relate(tag, "Box", box), "Beneficiary": self.relate(tag, "Beneficiary", person)}
                gone = self.relate(tag, "Box", box, deleted=True)
                untouched = self.relation_rows(f"tag_id = {tag}")
                before = self.now()
                self.field(UPDATE, {"input": {"id": tag, "type": new}})
                after = self.now()
                row = self.tag_row(tag)
                when = row["modified"]
                self.assertBetween(before, when, after)
                self.assertEqual((row["type"], row["modified_by"]), (TYPE_TO_DB[new], 8))
                self.assertEqual(self.history_rows("tags", tag), [
                    self.history(f'type changed from "{TYPE_TO_DB[old]}" to "{TYPE_TO_DB[new]}";', 8, when)])
                expected = []
                for r in untouched:
                    if dropped is not None and r["id"] == int(live[dropped]):
                        r = dict(r, deleted_on=when, deleted_by_id=8)
                    expected.append(r)
                self.assertEqual(self.relation_rows(f"tag_id = {tag}"), expected)
                self.assertEqual(self.relation_rows(f"id = {gone}")[0]["deleted_on"], OLD)
                # The resources' own rows are not touched by a tag's update.
                self.assertEqual(self.modified("stock", box), [OLD, 1])
                self.assertEqual(self.modified("people", person), [OLD, 1])

    def test_update_tag_errors(self):
        """Each union error member, in boxtribute's order of checks (existence, permission,
        deleted, empty name, colour); a valid field beside an invalid one is not written
        either."""
        tag = self.new_tag(name="Keep")
        deleted = self.new_tag(name="Gone", deleted=OLD)
        other_base = self.new_tag(base=2)
        self.union_error(UPDATE, {"input": {"id": "987654", "name": "x"}},
                         {"__typename": "ResourceDoesNotExistError", "missingId": "987654", "name": "Tag"})
        self.union_error(UPDATE, {"input": {"id": tag, "name": "x"}},
                         {"__typename": "InsufficientPermissionError", "name": "tag:write"}, token=self.reader)
        self.union_error(UPDATE, {"input": {"id": other_base, "name": "x"}}, self.base_error(2))
        self.union_error(UPDATE, {"input": {"id": tag, "name": "x"}}, self.base_error(1), token=self.other)
        self.union_error(UPDATE, {"input": {"id": deleted, "name": ""}}, {"__typename": "DeletedTagError", "name": "Gone"})
        self.union_error(UPDATE, {"input": {"id": tag, "name": "", "color": "bad"}},
                         {"__typename": "EmptyNameError", "_": None})
        self.union_error(UPDATE, {"input": {"id": tag, "name": "Valid", "color": "bad"}},
                         {"__typename": "InvalidColorError", "invalidColor": "bad"})
        self.union_error(UPDATE, {"input": {"id": tag, "type": "Box", "color": "#12"}},
                         {"__typename": "InvalidColorError", "invalidColor": "#12"})
        self.beta_refused(UPDATE, {"input": {"id": tag, "name": "x"}}, self.beta4)
        self.assertEqual(self.tag_row(tag)["label"], "Keep")

    def test_update_tag_god(self):
        tag = self.new_tag(base=2)
        self.field(UPDATE, {"input": {"id": tag, "color": "#abcdef"}}, token=self.god)
        row = self.tag_row(tag)
        self.assertEqual((row["color"], row["modified_by"]), ("#abcdef", 1))
        self.assertEqual(self.history_rows("tags", tag),
                         [self.history('color changed from "#123abc" to "#abcdef";', 1, row["modified"])])

    def test_update_tag_frontend_document(self):
        tag = self.new_tag(kind="Box")
        updated = self.field(FRONTEND_UPDATE_TAG, {"id": tag, "name": "Renamed", "type": "Box", "color": "#123abc",
                                                   "description": "described"})
        self.assertEqual((updated["__typename"], updated["name"]), ("Tag", "Renamed"))
        self.assertEqual(len(self.history_rows("tags", tag)), 1)

    def test_update_tag_name_the_column_cannot_hold(self):
        """A four-byte character in the name: stored as sent where tags.label is utf8mb4
        (Depot's DDL); refused with an error and nothing written where it is utf8mb3
        (boxtribute's dump), never stored as '?'."""
        tag = self.new_tag(name="Plain")
        charset = self.db.scalar("SELECT CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE "
                                 "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'tags' AND COLUMN_NAME = 'label'")
        name = "Boxes \U0001F4E6"
        if charset == "utf8mb4":
            self.field(UPDATE, {"input": {"id": tag, "name": name}})
            self.assertEqual(self.db.scalar(f"SELECT HEX(label) FROM tags WHERE id = {tag}"), name.encode().hex().upper())
        else:
            before = self.checksum()
            response = self.send(UPDATE, {"input": {"id": tag, "name": name}})
            self.assertEqual(response.get("data"), {"updateTag": None}, response)
            self.assertTrue(response["errors"], response)
            self.assertEqual(self.checksum(), before)
            self.assertEqual(self.tag_row(tag)["label"], "Plain")

    def test_update_tag_name_too_long(self):
        """A name longer than tags.label's 255 characters is refused with an error and
        nothing written, never cut short."""
        tag = self.new_tag(name="Short")
        before = self.checksum()
        response = self.send(UPDATE, {"input": {"id": tag, "name": "n" * 256}})
        self.assertEqual(response.get("data"), {"updateTag": None}, response)
        self.assertTrue(response["errors"], response)
        self.assertEqual(self.checksum(), before)
        self.field(UPDATE, {"input": {"id": tag, "name": "n" * 255}})
        self.assertEqual(self.tag_row(tag)["label"], "n" * 255)

    def test_aliased_updates_each_their_own_outcome(self):
        """Two aliased updateTag fields in one document: the first commits, the second is
        refused and writes nothing, the third commits."""
        a, b, c = self.new_tag(name="A"), self.new_tag(name="B"), self.new_tag(name="C")
        response = self.send(
            """mutation($a: ID!, $b: ID!, $c: ID!) {
                 first: updateTag(updateInput: {id: $a, name: "A2"}) { __typename ... on Tag { name } }
                 second: updateTag(updateInput: {id: $b, name: ""}) { __typename }
                 third: updateTag(updateInput: {id: $c, name: "C2"}) { __typename ... on Tag { name } } }""",
            {"a": a, "b": b, "c": c})
        self.assertEqual(response.get("data"), {"first": {"__typename": "Tag", "name": "A2"},
                                            "second": {"__typename": "EmptyNameError"},
                                            "third": {"__typename": "Tag", "name": "C2"}})
        self.assertEqual([self.tag_row(t)["label"] for t in (a, b, c)], ["A2", "B", "C2"])
        self.assertEqual([len(self.history_rows("tags", t)) for t in (a, b, c)], [1, 0, 1])

    # --- deleteTag -------------------------------------------------------------------------

    def test_delete_tag(self):
        """deleted set (modified not), one "Record deleted" row, every live relation of the
        tag (boxes and beneficiaries) soft-deleted with the same timestamp; relations removed
        before stay as they were; the resources' rows are not touched."""
        tag = self.new_tag()
        box, person = self.new_box(), self.new_person()
        live = [self.relate(tag, "Box", box), self.relate(tag, "Beneficiary", person)]
        gone = self.relate(tag, "Box", box, deleted=True)
        other = self.relate(self.new_tag(), "Box", box)
        before = self.now()
        deleted = self.field(DELETE, {"id": tag})
        after = self.now()
        row = self.tag_row(tag)
        when = row["deleted"]
        self.assertBetween(before, when, after)
        self.assertEqual((row["modified"], row["modified_by"]), (None, None))
        self.assertEqual(self.history_rows("tags", tag), [self.history("Record deleted", 8, when)])
        for r in self.relation_rows(f"id IN ({', '.join(live)})"):
            self.assertEqual((r["deleted_on"], r["deleted_by_id"]), (when, 8))
        self.assertEqual([(r["deleted_on"], r["deleted_by_id"]) for r in self.relation_rows(f"id IN ({gone}, {other})")],
                         [(OLD, 1), (None, None)])
        self.assertEqual(self.modified("stock", box), [OLD, 1])
        self.assertEqual(deleted, dict(self.expected_tag(tag), __typename="Tag", taggedResources=[]))

    def test_delete_tag_already_deleted(self):
        """boxtribute answers an already deleted tag as it is: no new timestamp, no history."""
        tag = self.new_tag(deleted=OLD)
        checksum = self.checksum()
        deleted = self.field(DELETE, {"id": tag})
        self.assertEqual(deleted["deletedOn"], OLD.replace(" ", "T") + "+00:00")
        self.assertEqual(self.checksum(), checksum)

    def test_delete_tag_refused(self):
        tag = self.new_tag()
        self.relate(tag, "Box", self.new_box())
        other_base = self.new_tag(base=2)
        self.union_error(DELETE, {"id": "987654"}, {"__typename": "ResourceDoesNotExistError", "missingId": "987654",
                                                    "name": "Tag"})
        self.union_error(DELETE, {"id": tag}, {"__typename": "InsufficientPermissionError", "name": "tag:write"},
                         token=self.reader)
        self.union_error(DELETE, {"id": other_base}, self.base_error(2))
        self.union_error(DELETE, {"id": tag}, self.base_error(1), token=self.other)
        self.beta_refused(DELETE, {"id": tag}, self.beta4)
        self.assertIsNone(self.tag_row(tag)["deleted"])

    def test_delete_tag_god(self):
        tag = self.new_tag(base=2)
        relation = self.relate(tag, "Box", self.new_box(base=2))
        self.field(DELETE, {"id": tag}, token=self.god)
        when = self.tag_row(tag)["deleted"]
        self.assertEqual(self.history_rows("tags", tag), [self.history("Record deleted", 1, when)])
        self.assertEqual(self.relation_rows(f"id = {relation}")[0]["deleted_by_id"], 1)

    # --- deleteTags ------------------------------------------------------------------------

    def test_delete_tags(self):
        """The valid tags (existing, not deleted, in a base with tag:write) are deleted as
        deleteTag deletes one, with one timestamp; the others are listed in invalidTagIds,
        ascending as numbers, each once; updatedTags by id."""
        valid = [self.new_tag(kind="Box"), self.new_tag(kind="Beneficiary")]
        box, person = self.new_box(), self.new_person()
        relations = [self.relate(valid[0], "Box", box), self.relate(valid[1], "Beneficiary", person)]
        other_base, deleted = self.new_tag(base=2), self.new_tag(deleted=OLD)
        keep = self.relate(other_base, "Box", self.new_box(base=2))
        ids = [int(valid[1]), 100000, int(other_base), int(valid[0]), 99999, int(deleted), int(valid[1])]
        before = self.now()
        result = self.field(DELETE_MANY, {"ids": ids})
        after = self.now()
        when = self.tag_row(valid[0])["deleted"]
        self.assertBetween(before, when, after)
        for tag in valid:
            self.assertEqual(self.tag_row(tag)["deleted"], when)
            self.assertEqual(self.history_rows("tags", tag), [self.history("Record deleted", 8, when)])
        for r in self.relation_rows(f"id IN ({', '.join(relations)})"):
            self.assertEqual((r["deleted_on"], r["deleted_by_id"]), (when, 8))
        self.assertEqual(self.relation_rows(f"id = {keep}")[0]["deleted_on"], None)
        self.assertIsNone(self.tag_row(other_base)["deleted"])
        self.assertEqual(self.tag_row(deleted)["deleted"], OLD)
        self.assertEqual(self.history_rows("tags", deleted), [])
        self.assertEqual(result, {
            "__typename": "TagsResult",
            "updatedTags": [self.expected_tag(t) for t in sorted(valid, key=int)],
            "invalidTagIds": [str(i) for i in sorted({int(other_base), int(deleted), 99999, 100000})]})

    def test_zero_date_is_not_deleted(self):
        """A tag whose deleted is the zero date is live (Depot's "not deleted", README):
        it may be assigned and is deleted by deleteTags."""
        tag, box = self.new_tag(kind="Box", deleted="0000-00-00 00:00:00"), self.new_box()
        self.field(ASSIGN, {"input": {"id": tag, "resourceId": box, "resourceType": "Box"}})
        self.assertEqual(len(self.relation_rows(f"tag_id = {tag} AND deleted_on IS NULL")), 1)
        result = self.field(DELETE_MANY, {"ids": [int(tag)]})
        self.assertEqual((result["invalidTagIds"], [t["id"] for t in result["updatedTags"]]), ([], [tag]))
        self.assertNotEqual(self.tag_row(tag)["deleted"], "0000-00-00 00:00:00")

    def test_delete_tags_by_user(self):
        """Without tag:write anywhere: InsufficientPermissionError. Another organisation's
        coordinator: every base-1 tag is invalid. A god user: every live tag is valid.
        An empty list: an empty result."""
        tags = [self.new_tag(), self.new_tag(base=2)]
        self.union_error(DELETE_MANY, {"ids": [int(t) for t in tags]},
                         {"__typename": "InsufficientPermissionError", "name": "tag:write"}, token=self.reader)
        self.union_error(DELETE_MANY, {"ids": [int(tags[0])]},
                         {"__typename": "TagsResult", "updatedTags": [], "invalidTagIds": [tags[0]]}, token=self.other)
        self.union_error(DELETE_MANY, {"ids": []}, {"__typename": "TagsResult", "updatedTags": [], "invalidTagIds": []})
        self.beta_refused(DELETE_MANY, {"ids": [int(tags[0])]}, self.beta4)
        result = self.field(DELETE_MANY, {"ids": [int(t) for t in tags]}, token=self.god)
        self.assertEqual([t["id"] for t in result["updatedTags"]], tags)
        for tag in tags:
            self.assertEqual(self.history_rows("tags", tag)[0]["user_id"], 1)

    def test_delete_tags_frontend_document(self):
        tags = [self.new_tag(), self.new_tag()]
        result = self.field(FRONTEND_DELETE_TAGS, {"ids": [int(t) for t in tags]})
        self.assertEqual(result, {"__typename": "TagsResult", "invalidTagIds": [], "updatedTags": [
            {"id": t, "name": self.tag_row(t)["label"], "deletedOn": self.expected_tag(t)["deletedOn"],
             "__typename": "Tag"} for t in tags]})

    def test_delete_tags_statements_do_not_depend_on_the_number(self):
        """deleteTags of 2 tags and of 12 (each with relations) takes the same number of SQL
        statements, as MariaDB counts them."""
        counters = ["Com_select", "Com_insert", "Com_update", "Com_delete"]

        def statements(n):
            tags = [self.new_tag() for _ in range(n)]
            for tag in tags:
                self.relate(tag, "Box", self.new_box())
                self.relate(tag, "Beneficiary", self.new_person())
            before = [self.db.status(c) for c in counters]
            result = self.field(DELETE_MANY, {"ids": [int(t) for t in tags]})
            after = [self.db.status(c) for c in counters]
            self.assertEqual(len(result["updatedTags"]), n)
            return [b - a for a, b in zip(before, after)]

        self.assertEqual(statements(2), statements(12))

    # --- assignTag / unassignTag -------------------------------------------------------------

    def test_assign_tag(self):
        """A new relation (created_on/by) and the resource's modified/modified_by with the same
        timestamp, no history row; for a box and a beneficiary, with a tag of their type and
        an All tag. A relation removed before stays and a new one is made."""
        for kind, new in [("Box", self.new_box), ("Beneficiary", self.new_person)]:
            for tag_kind in (kind, "All"):
                with self.subTest(kind=kind, tag_kind=tag_kind):
                    tag, resource = self.new_tag(kind=tag_kind), new()
                    old = self.relate(tag, kind, resource, deleted=True)
                    history = self.db.scalar("SELECT COUNT(*) FROM history")
                    before = self.now()
                    answer = self.field(ASSIGN, {"input": {"id": tag, "resourceId": resource, "resourceType": kind}})
                    after = self.now()
                    when, by = self.modified("stock" if kind == "Box" else "people", resource)
                    self.assertBetween(before, when, after)
                    self.assertEqual(by, 8)
                    rows = self.relation_rows(f"tag_id = {tag}")
                    self.assertEqual(rows[0]["id"], int(old))
                    self.assertEqual(rows[1:], [{"id": rows[1]["id"], "object_id": int(resource),
                                                 "object_type": TYPE_TO_DB[kind], "tag_id": int(tag),
                                                 "created_on": when, "created_by_id": 8, "deleted_on": None,
                                                 "deleted_by_id": None}])
                    self.assertEqual(self.db.scalar("SELECT COUNT(*) FROM history"), history)
                    self.assertEqual(answer, self.expected_resource(kind, resource))
                    self.assertIn({"id": tag}, answer["tags"])

    def test_assign_tag_already_assigned(self):
        """boxtribute's "do nothing": no second relation, the resource not touched."""
        tag, box = self.new_tag(kind="Box"), self.new_box()
        self.relate(tag, "Box", box)
        checksum = self.checksum()
        answer = self.field(ASSIGN, {"input": {"id": tag, "resourceId": box, "resourceType": "Box"}})
        self.assertEqual(answer, self.expected_resource("Box", box))
        self.assertEqual(self.checksum(), checksum)

    def test_assign_tag_as_god_and_other_organisation(self):
        for token, base, user in [(self.god, 1, 1), (self.other, 2, 2)]:
            tag, box = self.new_tag(base=base, kind="Box"), self.new_box(base=base)
            self.field(ASSIGN, {"input": {"id": tag, "resourceId": box, "resourceType": "Box"}}, token=token)
            self.assertEqual(self.relation_rows(f"tag_id = {tag}")[0]["created_by_id"], user)
            self.assertEqual(self.modified("stock", box)[1], user)

    def test_assign_and_unassign_refused_as_boxtribute_refuses(self):
        """Top-level errors as boxtribute raises them (these two fields have no union):
        unknown tag or resource, a tag of another base (FORBIDDEN base=<id>), no
        tag_relation:assign, a tag whose type does not fit the resource (boxtribute checks
        that on assignTag only; Depot on both); below beta level 98."""
        box, person = self.new_box(), self.new_person()
        box_tag, person_tag, other_base = self.new_tag(kind="Box"), self.new_tag(kind="Beneficiary"), self.new_tag(base=2)
        for name, text in [("assignTag", ASSIGN), ("unassignTag", UNASSIGN)]:
            with self.subTest(mutation=name):
                self.refused(text, {"input": {"id": "987654", "resourceId": box, "resourceType": "Box"}},
                             "BAD_USER_INPUT", NOT_FOUND)
                self.refused(text, {"input": {"id": box_tag, "resourceId": "987654321", "resourceType": "Box"}},
                             "BAD_USER_INPUT", NOT_FOUND)
                self.refused(text, {"input": {"id": person_tag, "resourceId": "987654321",
                                              "resourceType": "Beneficiary"}}, "BAD_USER_INPUT", NOT_FOUND)
                self.refused(text, {"input": {"id": other_base, "resourceId": box, "resourceType": "Box"}},
                             "FORBIDDEN", "You don't have access to 'base=2'")
                self.refused(text, {"input": {"id": box_tag, "resourceId": box, "resourceType": "Box"}},
                             "FORBIDDEN", "You don't have access to 'base=1'", token=self.other)
                self.refused(text, {"input": {"id": box_tag, "resourceId": box, "resourceType": "Box"}},
                             "FORBIDDEN", "You don't have access to 'tag_relation:assign'", token=self.reader)
                self.refused(text, {"input": {"id": person_tag, "resourceId": box, "resourceType": "Box"}},
                             "BAD_USER_INPUT", f"The tag with ID {person_tag} and type 'Beneficiary' cannot be "
                             "applied to the resource of type 'Box'")
                self.refused(text, {"input": {"id": box_tag, "resourceId": person, "resourceType": "Beneficiary"}},
                             "BAD_USER_INPUT", f"The tag with ID {box_tag} and type 'Box' cannot be applied to the "
                             "resource of type 'Beneficiary'")
                self.beta_refused(text, {"input": {"id": box_tag, "resourceId": box, "resourceType": "Box"}},
                                  self.beta7)

    def test_assign_and_unassign_refuse_deleted_and_other_base_tags(self):
        """Depot's stricter rules (README, Deliberate choices): a deleted tag, and a tag of
        another base than the box or beneficiary, are refused (boxtribute applies them)."""
        deleted = self.new_tag(kind="All", deleted=OLD)
        base1_tag = self.new_tag(kind="All")
        box2, person2, box1 = self.new_box(base=2), self.new_person(base=2), self.new_box()
        self.relate(deleted, "Box", box1, deleted=True)
        for name, text in [("assignTag", ASSIGN), ("unassignTag", UNASSIGN)]:
            with self.subTest(mutation=name):
                self.refused(text, {"input": {"id": deleted, "resourceId": box1, "resourceType": "Box"}},
                             "BAD_USER_INPUT", f"The tag with ID {deleted} is deleted.")
                for resource, kind in [(box2, "Box"), (person2, "Beneficiary")]:
                    self.refused(text, {"input": {"id": base1_tag, "resourceId": resource, "resourceType": kind}},
                                 "BAD_USER_INPUT", f"The tag with ID {base1_tag} belongs to another base than the "
                                 f"resource of type '{kind}'.", token=self.god)

    def test_unassign_tag(self):
        """Every live relation of the tag and resource soft-deleted (deleted_on/by) and the
        resource's modified/modified_by with the same timestamp; the tag's other relations,
        the resource's other tags and relations removed before stay."""
        for kind, new in [("Box", self.new_box), ("Beneficiary", self.new_person)]:
            with self.subTest(kind=kind):
                tag, resource, elsewhere = self.new_tag(), new(), new()
                # Two live rows for one pair (legacy data has such): both go.
                pair = [self.relate(tag, kind, resource), self.relate(tag, kind, resource)]
                before_removed = self.relate(tag, kind, resource, deleted=True)
                stay = [self.relate(tag, kind, elsewhere), self.relate(self.new_tag(), kind, resource)]
                # The same id in the other table is another resource.
                other_kind = "Beneficiary" if kind == "Box" else "Box"
                stay.append(self.relate(tag, other_kind, resource))
                stay_rows = self.relation_rows(f"id IN ({', '.join(stay + [before_removed])})")
                before = self.now()
                answer = self.field(UNASSIGN, {"input": {"id": tag, "resourceId": resource, "resourceType": kind}})
                after = self.now()
                when, by = self.modified("stock" if kind == "Box" else "people", resource)
                self.assertBetween(before, when, after)
                self.assertEqual(by, 8)
                for r in self.relation_rows(f"id IN ({', '.join(pair)})"):
                    self.assertEqual((r["deleted_on"], r["deleted_by_id"]), (when, 8))
                self.assertEqual(self.relation_rows(f"id IN ({', '.join(stay + [before_removed])})"), stay_rows)
                self.assertEqual(answer, self.expected_resource(kind, resource))
                self.assertNotIn({"id": tag}, answer["tags"])

    def test_unassign_tag_not_assigned(self):
        """Nothing to unassign: nothing is written (boxtribute's schema says "do nothing";
        its code still bumps the resource's modified; README, Deliberate choices)."""
        tag, box = self.new_tag(kind="Box"), self.new_box()
        self.relate(tag, "Box", box, deleted=True)
        checksum = self.checksum()
        answer = self.field(UNASSIGN, {"input": {"id": tag, "resourceId": box, "resourceType": "Box"}})
        self.assertEqual(answer, self.expected_resource("Box", box))
        self.assertEqual(self.checksum(), checksum)

    def test_aliased_assignments_each_their_own_outcome(self):
        """A document assigning two tags, the second refused: the first commits."""
        good, wrong, box = self.new_tag(kind="Box"), self.new_tag(kind="Beneficiary"), self.new_box()
        response = self.send(
            """mutation($good: ID!, $wrong: ID!, $box: ID!) {
                 a: assignTag(assignmentInput: {id: $good, resourceId: $box, resourceType: Box}) { __typename }
                 b: assignTag(assignmentInput: {id: $wrong, resourceId: $box, resourceType: Box}) { __typename } }""",
            {"good": good, "wrong": wrong, "box": box})
        self.assertEqual(response.get("data"), {"a": {"__typename": "Box"}, "b": None})
        self.assertEqual([e["path"] for e in response["errors"]], [["b"]])
        self.assertEqual([r["tag_id"] for r in self.relation_rows(f"object_id = {box} AND object_type = 'Stock'")],
                         [int(good)])

    def test_concurrent_assignments_of_one_pair(self):
        """Eight clients assign one tag to one box at once: one relation, as if one after
        another (the tag's and the pair's rows are locked)."""
        tag, box = self.new_tag(kind="Box"), self.new_box()
        variables = {"input": {"id": tag, "resourceId": box, "resourceType": "Box"}}
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: self.call(ASSIGN, variables), range(8)))
        for status, response in answers:
            self.assertEqual(status, 200, response)
            self.assertNotIn("errors", response, response)
        self.assertEqual(len(self.relation_rows(f"tag_id = {tag} AND deleted_on IS NULL")), 1)

    def test_assignments_racing_a_deletion(self):
        """A tag assigned to eight boxes while it is deleted: every assignment either came
        first (and deleteTag removed its relation) or was refused as deleted; no live relation
        of the deleted tag is left."""
        tag, boxes = self.new_tag(kind="Box"), [self.new_box() for _ in range(8)]

        def assign(box):
            return self.call(ASSIGN, {"input": {"id": tag, "resourceId": box, "resourceType": "Box"}})

        with concurrent.futures.ThreadPoolExecutor(9) as pool:
            assigned = [pool.submit(assign, box) for box in boxes]
            deleted = pool.submit(self.call, DELETE, {"id": tag})
            answers = [f.result() for f in assigned]
            self.assertEqual(deleted.result()[1]["data"]["deleteTag"]["__typename"], "Tag")
        when = self.tag_row(tag)["deleted"]
        self.assertIsNotNone(when)
        self.assertEqual(self.relation_rows(f"tag_id = {tag} AND deleted_on IS NULL"), [])
        made = self.relation_rows(f"tag_id = {tag}")
        for status, response in answers:
            self.assertEqual(status, 200, response)
            if response.get("errors"):
                self.assertEqual(response["errors"][0]["extensions"]["description"], f"The tag with ID {tag} is deleted.")
        self.assertEqual(len(made), sum(1 for _, r in answers if not r.get("errors")))
        for r in made:
            self.assertEqual((r["deleted_on"], r["deleted_by_id"]), (when, 8))


# Depot's DDL with the few rows the cases need: two organisations, a base each, their users,
# a product and a location per base (boxes and beneficiaries are made by each case).
DDL_ROWS = TWO_ORGANISATIONS + BOX_STATES + """
INSERT INTO sizegroup (id, label) VALUES (1, 'One size'), (28, 'Mass');
INSERT INTO units (id, name, symbol, conversion_factor, dimension_id) VALUES (1, 'kilogram', 'kg', 1, 28);
INSERT INTO product_categories (id, label) VALUES (1, 'Clothing');
INSERT INTO genders (id, label, color) VALUES (1, 'Women', '');
INSERT INTO products (id, name, category_id, gender_id, sizegroup_id, camp_id) VALUES
  (1, 'Jackets', 1, 1, 1, 1), (2, 'Jackets', 1, 1, 1, 2);
INSERT INTO locations (id, label, camp_id) VALUES (1, 'WH', 1), (2, 'WH', 2);
"""


TagMutationsOnDepotDDL, TagMutationsOnBoxtributeDump = on_each_data_set(
    TagMutationCases, "TagMutations", DDL_ROWS)


if __name__ == "__main__":
    unittest.main()
