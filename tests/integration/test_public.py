"""The public endpoint (issue 17): POST and GET /public without a token, the public schema
(schema/public.graphql) and nothing else, resolveLink with its ResolvedLink / ExpiredLinkError /
UnknownLinkError members, standardProducts, CORS limited to DEPOT_PUBLIC_CORS_ORIGINS,
introspection, GraphiQL for a browser's GET, its own route label in /metrics.

On boxtribute's dump, with links the test writes itself; expected values come from SQL written
here (boxtribute's statistics/queries.py: a link is expired when its valid_until, a UTC time, is
before now). Licensed under the Apache License 2.0.
"""
import json
import os
import sys
import time
import unittest
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from statistics_cases import DepotPerClass  # noqa: E402
from read_exact import DUMP, GENDERS, dt  # noqa: E402

ALLOWED = "https://statviz.example"
LINK = """query($code: String!) { resolveLink(code: $code) { __typename
          ... on ResolvedLink { id code baseName organisationName urlParameters view validUntil }
          ... on ExpiredLinkError { expiredOn: validUntil } ... on UnknownLinkError { code } } }"""
VALID = "a" * 64
EXPIRED = "b" * 64
FOREVER = "c" * 64


def request(url, method="GET", body=None, headers=None):
    """Any method; returns (status, text, headers)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


@unittest.skipUnless(os.path.exists(DUMP), f"{DUMP} is absent: boxtribute's dump is not available here")
class PublicEndpoint(DepotPerClass, unittest.TestCase):
    DEPOT_ENV = {"DEPOT_PUBLIC_CORS_ORIGINS": ALLOWED}

    @classmethod
    def load(cls, db):
        db.load_file(DUMP)
        harness.load_depot_tables(db)
        db.sql(f"""
            INSERT INTO shareable_link (code, valid_until, view, base_id, url_parameters, created_on, created_by_id)
            VALUES ('{VALID}', UTC_TIMESTAMP() + INTERVAL 1 DAY, 'StockOverview', 1, 'tags=1,2&notags=3',
                    UTC_TIMESTAMP(), 8),
                   ('{EXPIRED}', UTC_TIMESTAMP() - INTERVAL 1 MINUTE, 'StatvizDashboard', 2, NULL,
                    UTC_TIMESTAMP() - INTERVAL 8 DAY, 8),
                   ('{FOREVER}', NULL, 'StatvizDashboard', 1, NULL, UTC_TIMESTAMP(), 8)""")

    def link(self, code):
        return self.ask_ok(LINK, {"code": code}, public=True)

    def test_resolve_valid_link_without_a_token(self):
        body = self.link(VALID)
        expected = self.db.json(f"""
            SELECT JSON_OBJECT('__typename', 'ResolvedLink', 'id', CAST(l.id AS CHAR), 'code', l.code,
                   'baseName', c.name, 'organisationName', o.label, 'urlParameters', l.url_parameters,
                   'view', l.view, 'validUntil', {dt('l.valid_until')})
            FROM shareable_link l JOIN camps c ON c.id = l.base_id JOIN organisations o ON o.id = c.organisation_id
            WHERE l.code = '{VALID}'""")
        self.assertEqual(body["data"]["resolveLink"], expected)
        # One statement: the link with its base's and organisation's names.
        self.assertEqual(body["extensions"]["debug"]["sqlStatements"], 1)

    def test_expired_and_unknown_links(self):
        until = self.db.scalar(f"SELECT {dt('valid_until')} FROM shareable_link WHERE code = '{EXPIRED}'")
        self.assertEqual(self.link(EXPIRED)["data"]["resolveLink"],
                         {"__typename": "ExpiredLinkError", "expiredOn": until})
        for code in ["d" * 64, "", "x' OR '1'='1"]:
            self.assertEqual(self.link(code)["data"]["resolveLink"],
                             {"__typename": "UnknownLinkError", "code": code})
        # No validity: never expires (boxtribute fails on it).
        self.assertEqual(self.link(FOREVER)["data"]["resolveLink"]["__typename"], "ResolvedLink")

    def test_standard_products(self):
        body = self.ask("{ standardProducts { id name categoryName sizeRangeName gender version } }", public=True)
        rows = self.db.json("""
            SELECT JSON_ARRAYAGG(JSON_OBJECT('id', CAST(s.id AS CHAR), 'name', s.name, 'categoryName', c.label,
                   'sizeRangeName', g.label, 'gender', s.gender_id, 'version', s.version))
            FROM (SELECT * FROM standard_product ORDER BY id) s
            JOIN product_categories c ON c.id = s.category_id JOIN sizegroup g ON g.id = s.size_range_id""")
        for row in rows:
            row["gender"] = GENDERS[row["gender"]]
        self.assertGreater(len(rows), 10)
        self.assertEqual(sorted(body["data"]["standardProducts"], key=lambda r: int(r["id"])),
                         sorted(rows, key=lambda r: int(r["id"])))

    def test_only_the_public_schema_whatever_the_token(self):
        token = self.keys.token()
        for query, message in [
                ('{ boxes(baseId: "1") { totalCount } }', 'Cannot query field "boxes" on type "Query".'),
                ('mutation { createTag(creationInput: {name: "x", color: "#000000", type: All, baseId: 1}) '
                 '{ __typename } }', "Schema is not configured to execute mutation operation."),
                ('{ standardProducts(baseId: "1") { __typename } }',
                 'Unknown argument "baseId" on field "Query.standardProducts".')]:
            body = self.ask(query, token=token, public=True)
            self.assertTrue(any(e["message"].startswith(message) for e in body["errors"]), body)
            self.assertNotIn("data", body)
        # And /graphql does not serve the public fields.
        status, body, _ = harness.post(self.depot.url, {"query": LINK, "variables": {"code": VALID}}, token)
        self.assertTrue(body["errors"][0]["message"].startswith('Cannot query field "resolveLink"'), body)
        # Nothing was written.
        self.assertEqual(self.db.scalar("SELECT COUNT(*) FROM tags WHERE label = 'x'"), "0")

    def test_get_introspection_and_graphiql(self):
        query = "{ __schema { queryType { fields { name } } mutationType { name } } }"
        status, text, _ = request(self.public + "?" + urllib.parse.urlencode({"query": query}))
        self.assertEqual(status, 200, text)
        schema = json.loads(text)["data"]["__schema"]
        self.assertEqual([f["name"] for f in schema["queryType"]["fields"]],
                         ["resolveLink", "standardProducts", "newlyRegisteredBeneficiaryNumbers",
                          "newlyCreatedBoxNumbers", "reachedBeneficiariesNumbers"])
        self.assertIsNone(schema["mutationType"])
        status, text, headers = request(self.public, headers={"Accept": "text/html"})
        self.assertEqual(status, 200)
        self.assertIn("text/html", headers["Content-Type"])
        self.assertIn("GraphiQL", text)

    def test_cors_limited_to_the_configured_origins(self):
        status, _, headers = request(self.public, "POST", {"query": "{ __typename }"}, {"Origin": ALLOWED})
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("Access-Control-Allow-Origin"), ALLOWED)
        status, _, headers = request(self.public, "POST", {"query": "{ __typename }"},
                                     {"Origin": "https://evil.example"})
        self.assertEqual(status, 200)
        self.assertNotIn("Access-Control-Allow-Origin", headers)
        # /graphql keeps its own setting (DEPOT_CORS_ORIGINS, unset here).
        _, _, headers = request(self.depot.url, "POST", {"query": "{ __typename }"}, {"Origin": ALLOWED})
        self.assertNotIn("Access-Control-Allow-Origin", headers)
        preflight = {"Origin": ALLOWED, "Access-Control-Request-Method": "POST"}
        status, _, headers = request(self.public, "OPTIONS", headers=preflight)
        self.assertEqual(status, 204)
        self.assertEqual(headers.get("Access-Control-Allow-Origin"), ALLOWED)
        status, _, _ = request(self.public, "OPTIONS",
                               headers={**preflight, "Origin": "https://evil.example"})
        self.assertEqual(status, 403)

    def test_metrics_route_label(self):
        before = self.public_count()
        self.link(VALID)
        # The gateway counts a request once its answer is sent, so the client may ask first.
        deadline = time.time() + 10
        while self.public_count() < before + 1 and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.public_count(), before + 1)
        _, text, _ = request(self.depot.url.replace("/graphql", "/metrics"))
        self.assertIn('depot_gateway_http_request_duration_seconds_count{route="public"}', text)

    def public_count(self):
        _, text, _ = request(self.depot.url.replace("/graphql", "/metrics"))
        for line in text.splitlines():
            if line.startswith('depot_gateway_http_requests_total{route="public",code="200"'):
                return int(line.split()[-1])
        return 0


if __name__ == "__main__":
    unittest.main()
