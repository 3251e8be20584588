"""Introspection end to end: graphql-js's getIntrospectionQuery() as GraphiQL and code
generators send it, through the gateway and the resolver of a running Depot (real HTTP, a
real token, a real MariaDB behind it), judged by graphql-js itself.

Pins down: the answer is byte for byte graphql-js's own execution of the query over
schema/depot.graphql (graphql-js made the October 2021 edition: tests/js/october_2021.mjs);
buildClientSchema on it passes assertValidSchema and prints exactly Depot's SDL; the directive
locations are the edition's (no DIRECTIVE_DEFINITION); __type and
__typename answer as the spec says; introspection needs a token, reads no SQL, and
DEPOT_INTROSPECTION=0 switches it off while the rest of the API keeps working.
Licensed under the Apache License 2.0.
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SDL = os.path.join(harness.REPO, "schema", "depot.graphql")
ORACLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "graphql_js.mjs")
# Everything getIntrospectionQuery can ask, as recent GraphiQL and codegen ask it.
ALL_OPTIONS = {"descriptions": True, "specifiedByUrl": True, "directiveIsRepeatable": True,
               "schemaDescription": True, "inputValueDeprecation": True, "oneOf": True}
# The GraphQL specification's __DirectiveLocation, October 2021 edition (section 4.2).
OCTOBER_2021_DIRECTIVE_LOCATIONS = [
    "QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD",
    "INLINE_FRAGMENT", "VARIABLE_DEFINITION", "SCHEMA", "SCALAR", "OBJECT", "FIELD_DEFINITION",
    "ARGUMENT_DEFINITION", "INTERFACE", "UNION", "ENUM", "ENUM_VALUE", "INPUT_OBJECT",
    "INPUT_FIELD_DEFINITION"]


def node(*args, stdin=None):
    out = subprocess.run(["node", ORACLE, *args], input=stdin, capture_output=True, text=True,
                         check=True, timeout=120)
    return out.stdout


def type_string(ref):
    """An introspected type reference as GraphQL writes it ("[Box!]!")."""
    if ref["kind"] == "NON_NULL":
        return type_string(ref["ofType"]) + "!"
    if ref["kind"] == "LIST":
        return "[" + type_string(ref["ofType"]) + "]"
    return ref["name"]


class Introspection(unittest.TestCase):
    """One database, one key pair and one Depot (introspection on) for the class."""

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db, boxes=300)
        cls.keys = harness.Keys(cls.scratch.path)
        cls.token = cls.keys.token()
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="one", debug=False,
                                  extra_env=harness.FIXED_POOL)

    @classmethod
    def tearDownClass(cls):
        codes = cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()
        assert codes == [0], f"depot did not exit cleanly on SIGTERM: {codes}"

    def post(self, query, url=None, token="default", variables=None):
        body = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return harness.post(url or self.depot.url, body, self.token if token == "default" else token)

    def check_full_introspection(self, options):
        query = node("introspection-query", json.dumps(options))
        first = self.db.status("Com_select")
        before = self.db.status("Com_select")
        overhead = before - first       # what reading Com_select itself counts
        status, response, _ = self.post(query)
        selects = self.db.status("Com_select") - before - overhead
        self.assertEqual(status, 200)
        self.assertNotIn("errors", response)
        self.assertEqual(selects, 0, "introspection reads no SQL")
        verdict = json.loads(node("check-introspection", SDL, json.dumps(options),
                                  stdin=json.dumps(response)))
        if not verdict["sameAnswer"]:
            expected = json.dumps(verdict["expected"])
            got = json.dumps(response)
            at = next((i for i, (a, b) in enumerate(zip(expected, got)) if a != b),
                      min(len(expected), len(got)))
            self.fail(f"answer differs from graphql-js's at {at}: "
                      f"expected ...{expected[max(0, at - 100):at + 100]} "
                      f"got ...{got[max(0, at - 100):at + 100]}")
        self.assertIs(verdict["valid"], True, verdict["valid"])
        self.assertTrue(verdict["sameSdl"], verdict["rebuiltSdl"][:2000])
        return response

    def test_graphiql_introspection_rebuilds_the_sdl(self):
        """getIntrospectionQuery() with its defaults (GraphiQL's): graphql-js's answer, byte
        for byte, and printSchema(buildClientSchema(answer)) == printSchema(buildSchema(SDL))."""
        response = self.check_full_introspection({})
        types = [t["name"] for t in response["data"]["__schema"]["types"]]
        self.assertIn("Box", types)
        self.assertIn("__Schema", types)
        print(f"\n  full introspection: {len(types)} types, "
              f"{len(json.dumps(response))} bytes, identical to graphql-js", file=sys.stderr)

    def test_every_option_introspection(self):
        """Every option on: specifiedByURL, isRepeatable, schema description, input value
        deprecation, isOneOf."""
        self.check_full_introspection(ALL_OPTIONS)

    def test_directive_locations_are_the_october_2021_editions(self):
        """__DirectiveLocation and @deprecated's locations are those of the spec edition Depot
        follows, which graphql-js 16.0 to 16.13 (in GraphiQL, codegen, Apollo's tooling) know:
        no DIRECTIVE_DEFINITION, which graphql-js 16.14 took from the working draft."""
        status, response, _ = self.post(
            '{ __type(name: "__DirectiveLocation") { enumValues { name } } '
            '__schema { directives { name locations } } }')
        self.assertEqual(status, 200, response)
        self.assertEqual([v["name"] for v in response["data"]["__type"]["enumValues"]],
                         OCTOBER_2021_DIRECTIVE_LOCATIONS)
        directives = {d["name"]: d["locations"] for d in response["data"]["__schema"]["directives"]}
        self.assertEqual(directives["deprecated"],
                         ["FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INPUT_FIELD_DEFINITION", "ENUM_VALUE"])
        for name, locations in directives.items():
            self.assertLessEqual(set(locations), set(OCTOBER_2021_DIRECTIVE_LOCATIONS), name)

    def test_type_box(self):
        """__type(name: "Box"): its fields, in SDL order, with their exact types; unknown
        names are null."""
        status, response, _ = self.post(
            '{ box: __type(name: "Box") { kind name fields { name type { kind name ofType { kind name '
            'ofType { kind name ofType { kind name } } } } } } nope: __type(name: "Nope") { name } }')
        self.assertEqual(status, 200)
        self.assertNotIn("errors", response)
        box = response["data"]["box"]
        self.assertEqual((box["kind"], box["name"]), ("OBJECT", "Box"))
        got = [{"name": f["name"], "type": type_string(f["type"])} for f in box["fields"]]
        self.assertEqual(got, json.loads(node("type", SDL, "Box")))
        self.assertIsNone(response["data"]["nope"])

    def test_typename_on_interface(self):
        """__typename on Box.location (interface Location) names the concrete type, as the
        location's own row says (MapDistroSpot rows are DistributionSpot); the demo data keeps
        boxes in warehouses, so one box is moved to base 1's distribution spot first."""
        query = ('query ($base: ID!) { boxes(baseId: $base, paginationInput: {first: 300}) { '
                 'elements { labelIdentifier location { __typename id ... on ClassicLocation { name } '
                 '... on DistributionSpot { spotName: name } } } } }')
        status, response, _ = self.post(query, variables={"base": "1"})
        self.assertEqual(status, 200)
        moved = response["data"]["boxes"]["elements"][0]["labelIdentifier"]
        self.db.sql(f"UPDATE stock SET location_id = (SELECT MIN(id) FROM locations WHERE camp_id = 1 "
                    f"AND type = 'MapDistroSpot') WHERE box_id = '{moved}'")
        status, response, _ = self.post(query, variables={"base": "1"})
        self.assertEqual(status, 200)
        self.assertNotIn("errors", response)
        rows = self.db.sql(
            "SELECT s.box_id, IF(l.type = 'MapDistroSpot', 'DistributionSpot', 'ClassicLocation') "
            "FROM stock s JOIN locations l ON l.id = s.location_id WHERE l.camp_id = 1 "
            "AND (s.deleted IS NULL OR s.deleted = 0)")
        expected = {label: typename for label, typename in rows}
        elements = response["data"]["boxes"]["elements"]
        self.assertTrue(elements)
        for box in elements:
            self.assertEqual(box["location"]["__typename"], expected[box["labelIdentifier"]])
            self.assertEqual("name" in box["location"],
                             box["location"]["__typename"] == "ClassicLocation")
            self.assertEqual("spotName" in box["location"],
                             box["location"]["__typename"] == "DistributionSpot")
        kinds = {box["labelIdentifier"]: box["location"]["__typename"] for box in elements}
        self.assertEqual(kinds[moved], "DistributionSpot")
        self.assertIn("ClassicLocation", kinds.values())

    def test_typename_at_the_root_and_in_introspection(self):
        status, response, _ = self.post(
            '{ __typename __schema { __typename queryType { __typename name } } }')
        self.assertEqual(status, 200)
        self.assertEqual(response, {"data": {"__typename": "Query", "__schema": {
            "__typename": "__Schema", "queryType": {"__typename": "__Type", "name": "Query"}}}})

    def test_introspection_needs_a_token(self):
        status, response, _ = self.post("{ __schema { queryType { name } } }", token=None)
        self.assertEqual(status, 401)
        self.assertNotIn("data", response or {})

    def test_introspection_switched_off(self):
        """DEPOT_INTROSPECTION=0: __schema and __type answer an error and no data, while
        __typename and the rest of the API keep working."""
        folder = os.path.join(self.scratch.path, "off")
        os.makedirs(folder, exist_ok=True)
        off = harness.Depot(self.db, self.keys, folder, form="one", debug=False,
                            extra_env={"DEPOT_INTROSPECTION": "0"})
        try:
            status, response, _ = self.post(node("introspection-query"), url=off.url)
            self.assertEqual(status, 200)
            self.assertIsNone(response["data"])
            self.assertEqual([e["message"] for e in response["errors"]],
                             ['GraphQL introspection has been disabled, but the requested query '
                              'contained the field "__schema".'])
            status, response, _ = self.post('{ __typename t: __type(name: "Box") { name } }', url=off.url)
            self.assertEqual(response["data"], {"__typename": "Query", "t": None})
            self.assertIn('the field "__type"', response["errors"][0]["message"])
            status, response, _ = self.post(
                '{ boxes(baseId: "1", paginationInput: {first: 2}) { elements { labelIdentifier } } }',
                url=off.url)
            self.assertEqual(status, 200)
            self.assertNotIn("errors", response)
            self.assertEqual(len(response["data"]["boxes"]["elements"]), 2)
        finally:
            codes = off.stop()
        self.assertEqual(codes, [0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
