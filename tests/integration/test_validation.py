#!/usr/bin/env python3
"""Validation through HTTP: the gateway validates every document against Depot's schema
before it forwards anything, and answers graphql-js's errors, with Depot's limits against
hostile queries on top.

Pins down: the front-end's queries and graphql-js's introspection query pass; a document that
breaks a rule gets {"errors": [...]} with graphql-js's messages and locations and no "data"
(400 for application/graphql-response+json, 200 for application/json, as the
GraphQL-over-HTTP spec asks); at most 100 errors plus graphql-js's "too many" error; deep
nesting, alias bombs, fragment bombs and fragment cycles are refused quickly with clear
errors; a refused document never reaches a resolver (no SQL statement is run); and, as
graphql-js, the whole document is validated before an operation is selected, so a document's
own errors come before "Must provide operation name" or "Unknown operation named", over POST
and GET alike.

Run: DEPOT_BUILD_DIR=build python3 tests/integration/test_validation.py
"""
import json
import os
import re
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

GRAPHQL_RESPONSE = "application/graphql-response+json"


def introspection_query():
    script = ("const g = require(process.argv[1]); process.stdout.write(g.getIntrospectionQuery("
              "{descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, "
              "schemaDescription: true, inputValueDeprecation: true}))")
    graphql = os.path.join(harness.REPO, "tests", "js", "node_modules", "graphql")
    return subprocess.run(["node", "-e", script, graphql], capture_output=True, text=True,
                          check=True).stdout


# Each document with operationNames a request might send (None: no operationName).
MULTI_OPERATION_CASES = [
    # LoneAnonymousOperation: one error for each anonymous operation.
    ("{ bases { id } }\n{ organisations { id } }", [None, "A"]),
    # UniqueOperationNames.
    ("query A { bases { id } }\nquery A { organisations { id } }", [None, "A"]),
    # ExecutableDefinitions next to the operations.
    ("query A { bases { id } }\ntype Extra { id: ID }\nquery B { organisations { id } }", [None, "A", "Nope"]),
    # NoUnusedVariables in the second operation.
    ("query A { bases { id } }\nquery B($unused: ID) { organisations { id } }", [None, "A", "B"]),
    # A valid document: the request's operationName decides.
    ("query A { bases { id } }\nquery B { organisations { id } }", [None, "Nope", "B"]),
]


def graphql_js_request_errors(cases):
    """For each (query, operationName): graphql-js's validation errors over the whole document,
    else execute's error when it cannot select an operation, else None (the operation runs),
    each error as (message, [(line, column)...])."""
    script = r"""
const [graphql, sdl] = process.argv.slice(1);
const g = require(graphql);
const { buildExecutionContext } = require(graphql + '/execution/execute');
const schema = g.buildSchema(require('fs').readFileSync(sdl, 'utf8'));
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(cases.map(([query, operationName]) => {
  const document = g.parse(query);
  const invalid = g.validate(schema, document);
  if (invalid.length) return invalid.map((e) => e.toJSON());
  const context = buildExecutionContext({ schema, document, operationName, variableValues: {} });
  return Array.isArray(context) ? context.map((e) => e.toJSON()) : null;
})));
"""
    graphql = os.path.join(harness.REPO, "tests", "js", "node_modules", "graphql")
    sdl = os.path.join(harness.REPO, "schema", "depot.graphql")
    out = subprocess.run(["node", "-e", script, graphql, sdl], input=json.dumps(cases),
                         capture_output=True, text=True, check=True)
    return [None if errors is None else
            [(e["message"], [(l["line"], l["column"]) for l in e.get("locations", [])]) for e in errors]
            for errors in json.loads(out.stdout)]


class Validation(unittest.TestCase):
    """One database, one Depot (one process) for the class."""

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db)
        cls.keys = harness.Keys(cls.scratch.path)
        cls.token = cls.keys.token()
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, form="one",
                                  extra_env=harness.FIXED_POOL)

    @classmethod
    def tearDownClass(cls):
        codes = cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()
        assert codes == [0], f"depot did not exit cleanly on SIGTERM: {codes}"

    def post(self, query, variables=None, media=GRAPHQL_RESPONSE, operation=None):
        body = {"query": query}
        if variables is not None:
            body["variables"] = variables
        if operation:
            body["operationName"] = operation
        return harness.post(self.depot.url, body, self.token, headers={"Accept": media})

    def assert_refused(self, query, expected, media=GRAPHQL_RESPONSE):
        """The document is refused with exactly these errors (message, [(line, column)...])."""
        status, response, _ = self.post(query, media=media)
        self.assertEqual(status, 400 if media == GRAPHQL_RESPONSE else 200, response)
        self.assertNotIn("data", response)
        got = [(e["message"], [(l["line"], l["column"]) for l in e.get("locations", [])])
               for e in response["errors"]]
        self.assertEqual(got, expected)
        return response

    def get(self, query, operation=None):
        params = {"query": query}
        if operation is not None:
            params["operationName"] = operation
        url = self.depot.url + "?" + urllib.parse.urlencode(params)
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.token}",
                                                       "Accept": GRAPHQL_RESPONSE})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.loads(response.read()), dict(response.headers)
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read()), dict(e.headers)

    def test_whole_document_validated_before_the_operation_is_selected(self):
        """Documents with several operations, with and without operationName, over POST and
        GET: graphql-js's validation errors of the whole document when it has any (400),
        else its selection error (400), else the operation runs."""
        cases = [(query, name) for query, names in MULTI_OPERATION_CASES for name in names]
        expected = graphql_js_request_errors(cases)
        self.assertIn([("This anonymous operation must be the only defined operation.", [(1, 1)]),
                       ("This anonymous operation must be the only defined operation.", [(2, 1)])], expected)
        for (query, name), errors in zip(cases, expected):
            for method in ("POST", "GET"):
                with self.subTest(query=query, operationName=name, method=method):
                    status, response, _ = (self.post(query, operation=name) if method == "POST"
                                           else self.get(query, name))
                    if errors is None:
                        self.assertEqual(status, 200, response)
                        self.assertEqual(list(response["data"]), ["organisations"])
                        continue
                    self.assertEqual(status, 400, response)
                    self.assertNotIn("data", response)
                    got = [(e["message"], [(l["line"], l["column"]) for l in e.get("locations", [])])
                           for e in response["errors"]]
                    self.assertEqual(got, errors)

    def test_front_end_queries_pass(self):
        """Boxtribute's front-end queries are valid and run (no validation error), twice."""
        variables = {
            "bases.graphql": {},
            "manage_boxes.graphql": {"baseId": "1", "paginationInput": 5},
            "box_view.graphql": {"labelIdentifier": "100000"},
        }
        for name, values in variables.items():
            for attempt in ("validated", "known from the cache"):
                with self.subTest(query=name, attempt=attempt):
                    status, response, _ = self.post(harness.read_query(name), values, media="application/json")
                    self.assertEqual(status, 200, response)
                    self.assertIn("data", response, response)

    def test_front_end_mutations_pass_validation(self):
        """The front-end's mutation documents (tests/queries/mutations/) pass the gateway's
        validation and operation selection as graphql-js's do; sent without their required
        variables, each stops at variable coercion with graphql-js's errors, so nothing runs
        (executing them is the mutation tests' part)."""
        folder = os.path.join(harness.REPO, "tests", "queries", "mutations")
        files = sorted(f for f in os.listdir(folder) if f.endswith(".graphql"))
        self.assertGreaterEqual(len(files), 14)
        writes = ("Com_insert", "Com_update", "Com_delete")
        before = [int(self.db.status(name)) for name in writes]
        for name in files:
            with self.subTest(document=name):
                query = harness.read_query(os.path.join("mutations", name))
                operation = re.search(r"^mutation (\w+)", query, re.M).group(1)
                expected = graphql_js_request_errors([(query, operation)])[0]
                # graphql-js validates it and selects the operation; only the variables fail.
                self.assertTrue(expected)
                for message, _ in expected:
                    self.assertRegex(message, r'^Variable "\$\w+" of required type .* was not provided\.$')
                status, response, _ = self.post(query, {}, operation=operation)
                self.assertEqual(status, 400, response)
                self.assertNotIn("data", response)
                got = [(e["message"], [(l["line"], l["column"]) for l in e.get("locations", [])])
                       for e in response["errors"]]
                self.assertEqual(got, expected)
        self.assertEqual([int(self.db.status(name)) for name in writes], before)

    def test_introspection_query_passes(self):
        """graphql-js's full introspection query is within Depot's default limits."""
        status, response, _ = self.post(introspection_query(), media="application/json")
        self.assertEqual(status, 200, response)
        self.assertIn("data", response, response)

    def test_errors_as_graphql_js_words_them(self):
        """Messages, suggestions and locations are graphql-js's, in its order."""
        self.assert_refused(
            "query Q($first: Int) {\n"
            "  boxes(baseId: 1, paginationInput: {frist: $first}) { totalCont elements { stat } }\n"
            "  base { name }\n"
            "}",
            [("Field \"frist\" is not defined by type \"PaginationInput\". Did you mean \"first\" or \"last\"?",
              [(2, 38)]),
             ("Cannot query field \"totalCont\" on type \"BoxPage\". Did you mean \"totalCount\"?", [(2, 56)]),
             ("Cannot query field \"stat\" on type \"Box\". Did you mean \"state\"?", [(2, 77)]),
             ("Field \"base\" argument \"id\" of type \"ID!\" is required, but it was not provided.", [(3, 3)])])

    def test_status_follows_media_type(self):
        """A validation failure is a GraphQL request error: 200 under application/json."""
        self.assert_refused("{ bases { nope } }",
                            [("Cannot query field \"nope\" on type \"Base\". Did you mean \"name\"?", [(1, 11)])],
                            media="application/json")

    def test_error_limit(self):
        """100 errors, then graphql-js's "too many" error without locations."""
        query = "{ " + " ".join(f"f{i}" for i in range(150)) + " }"
        status, response, _ = self.post(query)
        self.assertEqual(status, 400)
        errors = response["errors"]
        self.assertEqual(len(errors), 101)
        self.assertEqual(errors[99]["message"], "Cannot query field \"f99\" on type \"Query\".")
        self.assertEqual(errors[100], {"message": "Too many validation errors, error limit reached. "
                                                  "Validation aborted."})

    def test_hostile_queries(self):
        """Deep nesting, alias bombs, fragment bombs, huge variable lists and fragment cycles."""
        deep = "{ beneficiary(id: 1) { " + "familyHead { " * 22 + "id" + " }" * 22 + " } }"
        self.assert_refused(deep, [("The operation nests fields 24 levels deep, more than the 20 Depot "
                                    "allows.", [(1, 271)])])
        aliases = "{ " + " ".join(f"a{i}: bases {{ id }}" for i in range(150)) + " }"
        self.assert_refused(aliases, [("The operation uses 150 aliases (fragments expanded), more than "
                                       "the 100 Depot allows.", [(1, 1)])])
        bomb = ("query Bomb { bases { ...F0 } }\n"
                + "\n".join(f"fragment F{i} on Base {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
                + "\nfragment F40 on Base { id }")
        started = time.monotonic()
        response = self.assert_refused(bomb, [
            ("Operation \"Bomb\" selects 1099511627777 fields (fragments expanded), more than the 2000 "
             "Depot allows.", [(1, 1)]),
            ("Operation \"Bomb\" has an estimated cost of 10995116277761, more than the 100000 Depot "
             "allows (every field costs 1; a list multiplies the cost of its selection by 10).", [(1, 1)])])
        self.assertLess(time.monotonic() - started, 10, response)
        variables = "query V(" + ", ".join(f"$v{i}: Int" for i in range(150)) + ") { bases { id } }"
        self.assert_refused(variables, [("Operation \"V\" declares 150 variables, more than the 100 Depot "
                                         "allows.", [(1, 1)])])
        self.assert_refused("{ bases { ...A } } fragment A on Base { organisation { bases { ...A } } }",
                            [("Cannot spread fragment \"A\" within itself.", [(1, 64)])])

    def test_limits_are_configurable(self):
        """DEPOT_MAX_QUERY_DEPTH and friends set the limits; 0 turns one off."""
        folder = os.path.join(self.scratch.path, "limits")
        os.makedirs(folder)
        depot = harness.Depot(self.db, self.keys, folder, form="one",
                              extra_env={"DEPOT_MAX_QUERY_DEPTH": "2", "DEPOT_MAX_ALIASES": "0"})
        try:
            aliases = "{ " + " ".join(f"a{i}: bases {{ id }}" for i in range(150)) + " }"
            status, response, _ = harness.post(depot.url, {"query": aliases}, self.token)
            self.assertEqual(status, 200, response)
            self.assertIn("data", response)
            status, response, _ = harness.post(depot.url, {"query": "{ bases { organisation { id } } }"},
                                               self.token, headers={"Accept": GRAPHQL_RESPONSE})
            self.assertEqual(status, 400, response)
            self.assertEqual(response["errors"], [{
                "message": "The operation nests fields 3 levels deep, more than the 2 Depot allows.",
                "locations": [{"line": 1, "column": 26}]}])
        finally:
            self.assertEqual(depot.stop(), [0])

    def test_refused_documents_run_no_sql(self):
        """A refused document never reaches a resolver: MariaDB's SELECT counter does not move."""
        before = int(self.db.status("Com_select"))
        for _ in range(5):
            self.assert_refused("{ boxes(baseId: 1) { elements { nope } } }",
                                [("Cannot query field \"nope\" on type \"Box\".", [(1, 33)])])
        self.assertEqual(int(self.db.status("Com_select")), before)


if __name__ == "__main__":
    unittest.main(verbosity=2)
