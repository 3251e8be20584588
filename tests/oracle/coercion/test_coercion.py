"""Variable coercion against graphql-js: Depot and graphql-js's getVariableValues judge the same
corpus of (query, variables) cases on Depot's schema and must give the same errors: messages
(with graphql-js's inspect() of the value, the path inside the variable and its "Did you mean"
hints) and locations. Depot is reached over HTTP like any client. The custom scalars (Datetime,
Date) are left out: graphql-js's buildSchema accepts anything for them, Depot checks dates.
Licensed under the Apache License 2.0.
"""
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
import harness  # noqa: E402

# Where each kind of variable is used: a document that validates with $v of that type.
USES = {
    "ID!": '{ boxes(baseId: $v) { totalCount } }',
    "PaginationInput": '{ boxes(baseId: "1", paginationInput: $v) { totalCount } }',
    "FilterBoxInput": '{ boxes(baseId: "1", filterInput: $v) { totalCount } }',
    "[BoxState!]": '{ boxes(baseId: "1", filterInput: {states: $v}) { totalCount } }',
    "[Int!]": '{ boxes(baseId: "1", filterInput: {locationIds: $v}) { totalCount } }',
    "Int": '{ boxes(baseId: "1", paginationInput: {first: $v}) { totalCount } }',
    "Boolean": '{ bases(filterInput: {includeDeleted: $v}) { id } }',
    "String!": '{ box(labelIdentifier: $v) { id } }',
    "TagType": '{ tags(tagType: $v) { id } }',
    "[ShipmentState!]": '{ shipments(states: $v) { id } }',
    "FilterBaseInput": '{ bases(filterInput: $v) { id } }',
}

VALUES = {
    "ID!": [None, "1", 1, 1.5, True, [1], {"a": 1}, 1e21, -0.0],
    "PaginationInput": [{"first": "x"}, {"frist": 1}, {"first": 1.5, "last": "y"}, [1, 2], "abc",
                        {"after": 3}, {"first": 1, "after": None}, {"first": 2147483648}, {}],
    "FilterBoxInput": [{"states": ["Instock"]}, {"states": "InStock"}, {"states": [None]},
                       {"locationIds": [1, "2", 3.5]}, {"productGender": "women"},
                       {"statess": []}, {"tagIds": [[1]]}, {"sizeId": {"id": 1}},
                       {"states": ["InStock", 7], "productIds": [1, 2]}, {"productCategoryId": 1e-7},
                       {"locationIds": list(range(15)) + ["x"]}],
    "[BoxState!]": [["InStock", "Lost"], "Donated", [], ["instock"], [1], [None], ["Scrap", "X", "Y"],
                    [{"a": [1, [2, [3]]]}]],
    "[Int!]": [[1, 2], 3, ["a"], [1.0, 2.5], [2147483647, -2147483649]],
    "Int": [1, -1, 1.0, 0.5, "1", True, None, 9007199254740993, 1e300, [], {}],
    "Boolean": [True, "true", 1, None, [True]],
    "String!": ["12345678", 123, None, True, {"s": "t"}, ["a"], "caf\u00e9 \U0001F4E6"],
    "TagType": ["Box", "box", "BOX", 1, "Beneficiar", "All"],
    "[ShipmentState!]": [["Sent"], ["sent", "Recieving"], "Completed", [None, "Lost"]],
    "FilterBaseInput": [{"includeDeleted": "yes"}, {"includeDeleted": True, "extra": 1}, None, {}],
}


def cases():
    for kind, values in VALUES.items():
        query = f"query Q($v: {kind}) {USES[kind]}"
        for value in values:
            yield {"query": query, "variables": {"v": value}}
        # The variable absent altogether.
        yield {"query": query, "variables": {}}


class Coercion(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db, boxes=50)
        cls.keys = harness.Keys(cls.scratch.path)
        cls.token = cls.keys.token()
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="one")

    @classmethod
    def tearDownClass(cls):
        cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()

    def test_same_errors_as_graphql_js(self):
        corpus = list(cases())
        schema = os.path.join(harness.REPO, "schema", "depot.graphql")
        out = subprocess.run(["node", os.path.join(HERE, "variables.mjs"), schema],
                             input=json.dumps(corpus), capture_output=True, text=True, check=True)
        expected = json.loads(out.stdout)
        agree = invalid = 0
        for case, verdict in zip(corpus, expected):
            status, response, _ = harness.post(self.depot.url, case, self.token)
            with self.subTest(variables=case["variables"], query=case["query"]):
                if verdict:
                    invalid += 1
                    got = [{"message": e["message"], "locations": e.get("locations")} for e in response["errors"]]
                    self.assertEqual(got, verdict)
                    self.assertNotIn("data", response)
                else:
                    # Coerced: execution runs (it may still refuse the value, e.g. an unknown base).
                    self.assertIn("data", response, response)
                agree += 1
        print(f"\ncoercion oracle: {len(corpus)} cases, {invalid} refused by graphql-js, "
              f"{agree} judged alike, {len(corpus) - agree} disagreements")


if __name__ == "__main__":
    unittest.main(verbosity=2)
