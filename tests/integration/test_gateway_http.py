"""The gateway as a production citizen, end to end on a real MariaDB: GraphQL over HTTP as
npm graphql-http's audit checks it, the limits' status codes, /metrics, /readyz following
MariaDB, CORS, request ids through the three services, replicas sharing the work, and a
SIGTERM under load that loses no admitted request.

Depot runs as separate processes (gateway, resolver-svc, db-svc over tcp://) from the build
in DEPOT_BUILD_DIR; HTTP goes over TCP with the standard library only.
Licensed under the Apache License 2.0.
"""
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

JS = os.path.join(harness.REPO, "tests", "js")
ORIGIN = "https://front.example"
PAGE_QUERY = ('query Page($n: Int) { boxes(baseId: "1", paginationInput: {first: $n}) '
              '{ totalCount elements { labelIdentifier state product { name } location { name } } } }')


class Topology:
    """gateway + N resolver-svc + M db-svc processes over tcp://, each with its own log."""

    def __init__(self, db, keys, folder, resolvers=1, dbs=1, env=None):
        self.folder = folder
        self.port = harness.free_port()
        self.url = f"http://127.0.0.1:{self.port}/graphql"
        self.base = f"http://127.0.0.1:{self.port}"
        backend = harness.free_port()
        db_ports = [harness.free_port() for _ in range(dbs)]
        common = dict(os.environ)
        common.update({
            "MYSQL_SOCKET": db.socket, "MYSQL_USER": "root", "MYSQL_DB": db.database,
            "AUTH0_DOMAIN": harness.DOMAIN, "AUTH0_AUDIENCE": harness.AUDIENCE,
            "DEPOT_PUBLIC_KEY_FILE": keys.public, "DEPOT_PORT": str(self.port),
            "DEPOT_BACKEND_BIND": f"tcp://127.0.0.1:{backend}",
            "DEPOT_BACKEND_CONNECT": f"tcp://127.0.0.1:{backend}",
            "DEPOT_DB_CONNECT": ",".join(f"tcp://127.0.0.1:{p}" for p in db_ports),
            # One actor per resolver-svc process, so /readyz counts processes.
            "DEPOT_RESOLVERS": "1",
        })
        common.update(env or {})
        self.procs = {}
        self.logs = {}
        for i, p in enumerate(db_ports):
            self._start(f"db-svc-{i}", [harness.binary("db-svc", "db-svc")],
                        dict(common, DEPOT_DB_BIND=f"tcp://127.0.0.1:{p}"))
        self._start("gateway", [harness.binary("gateway", "gateway")], common)
        for i in range(resolvers):
            self._start(f"resolver-svc-{i}", [harness.binary("resolver-svc", "resolver-svc")], common)
        self.token = keys.token()
        self.wait_ready()

    def _start(self, name, args, env):
        path = os.path.join(self.folder, f"{name}.log")
        log = open(path, "wb")
        self.logs[name] = (log, path)
        self.procs[name] = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)

    def wait_ready(self, resolvers=None):
        deadline = time.time() + harness.STARTUP_SECONDS
        while time.time() < deadline:
            for name, p in self.procs.items():
                if p.poll() is not None:
                    raise RuntimeError(f"{name} exited with {p.returncode}: see {self.logs[name][1]}")
            try:
                status, body, _ = request(self.base + "/readyz")
                if status == 200 and (resolvers is None or json.loads(body)["resolvers"] == resolvers):
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("Depot did not become ready in time")

    def log_lines(self, name):
        with open(self.logs[name][1], "rb") as f:
            lines = []
            for raw in f.read().decode("utf-8", "replace").splitlines():
                try:
                    lines.append(json.loads(raw))
                except ValueError:
                    lines.append({"raw": raw})
            return lines

    def stop(self, name=None):
        """SIGTERM one process (or all: the gateway, then the resolvers, then db-svc);
        returns {name: exit code}."""
        names = [name] if name else (["gateway"] + sorted(n for n in self.procs if n.startswith("resolver"))
                                     + sorted(n for n in self.procs if n.startswith("db-svc")))
        for n in names:
            if self.procs[n].poll() is None:
                self.procs[n].send_signal(signal.SIGTERM)
        codes = {}
        for n in names:
            try:
                codes[n] = self.procs[n].wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.procs[n].kill()
                codes[n] = "hung"
            self.logs[n][0].close()
        return codes


def request(url, method="GET", body=None, headers=None, timeout=30):
    """One HTTP request on its own connection; returns (status, body text, headers dict)."""
    m = re.match(r"http://([^/:]+):(\d+)(/.*)?$", url)
    conn = http.client.HTTPConnection(m.group(1), int(m.group(2)), timeout=timeout)
    try:
        data = body.encode() if isinstance(body, str) else body
        conn.request(method, m.group(3) or "/", body=data, headers=headers or {})
        response = conn.getresponse()
        text = response.read().decode("utf-8")
        return response.status, text, {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def parse_prometheus(text):
    """Prometheus text format 0.0.4 → {(name, frozenset(labels)): value}; asserts the syntax:
    every sample's family has HELP and TYPE first, labels are name="value" pairs, values are
    numbers."""
    samples, typed = {}, {}
    sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
    label = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            if parts[1] == "TYPE":
                assert parts[3] in ("counter", "gauge", "histogram", "summary", "untyped"), line
                typed[parts[2]] = parts[3]
            continue
        assert not line.startswith("#") and line, f"unexpected line {line!r}"
        m = sample.match(line)
        assert m, f"not a sample: {line!r}"
        name = m.group(1)
        family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in typed else name
        assert family in typed, f"{name} has no TYPE before it"
        labels = []
        rest = m.group(3) or ""
        while rest:
            lm = label.match(rest)
            assert lm, f"bad labels in {line!r}"
            labels.append((lm.group(1), lm.group(2)))
            rest = rest[lm.end():]
        samples[(name, frozenset(labels))] = float(m.group(4))
    return samples


def metric(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


class GatewayHttpTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db, boxes=400)
        cls.keys = harness.Keys(cls.scratch.path)
        folder = os.path.join(cls.scratch.path, "main")
        os.makedirs(folder)
        cls.depot = Topology(cls.db, cls.keys, folder, env={
            "DEPOT_CORS_ORIGINS": ORIGIN, "DEPOT_MAX_BODY": "100000", "DEPOT_VERBOSE": "1"})
        cls.token = cls.depot.token
        cls.auth = {"Authorization": f"Bearer {cls.token}"}

    @classmethod
    def tearDownClass(cls):
        codes = cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()
        assert all(c == 0 for c in codes.values()), f"graceful exit codes: {codes}"

    def post(self, body, headers=None, raw=None):
        h = dict(self.auth, **{"Content-Type": "application/json"})
        h.update(headers or {})
        return request(self.depot.url, "POST", raw if raw is not None else json.dumps(body), h)

    def test_graphql_http_audit(self):
        """npm graphql-http's auditServer, with the token added by its fetchFn: every MUST and
        every SHOULD audit is ok."""
        node = harness.node()
        if not node or not os.path.isdir(os.path.join(JS, "node_modules", "graphql-http")):
            self.skipTest("node or npm graphql-http missing (npm ci in tests/js)")
        out = subprocess.run([node, os.path.join(JS, "gateway_audit.mjs"), self.depot.url, self.token],
                             capture_output=True, text=True, timeout=300, cwd=JS)
        self.assertEqual(out.returncode, 0, out.stderr)
        results = json.loads(out.stdout)
        counts = {}
        for r in results:
            level = r["name"].split(" ")[0]
            counts.setdefault(level, {}).setdefault(r["status"], 0)
            counts[level][r["status"]] += 1
        print(f"\ngraphql-http audit ({len(results)} audits): "
              + "; ".join(f"{level}: " + ", ".join(f"{n} {s}" for s, n in sorted(by.items()))
                          for level, by in sorted(counts.items())), file=sys.stderr)
        failed = [r for r in results if r["status"] != "ok" and r["name"].split(" ")[0] in ("MUST", "SHOULD")]
        for r in results:
            if r["status"] != "ok":
                print(f"  {r['status']}: {r['id']} {r['name']}: {r['reason']} [{r.get('response')}]",
                      file=sys.stderr)
        self.assertEqual(failed, [])

    def test_limits_answer_with_status_and_json(self):
        """413, 414, 405 (method, and a mutation over GET), 415 and 406: the right status, a
        JSON {"errors": [...]} body, and no request reaches a resolver."""
        before = parse_prometheus(request(self.depot.base + "/metrics")[1])
        big = json.dumps({"query": "{ __typename }", "pad": "x" * 150000})
        cases = [
            ("POST", self.depot.url, big, {"Content-Type": "application/json"}, 413),
            ("GET", self.depot.url + "?query=" + "%7B" * 5000, None, {}, 414),
            ("PUT", self.depot.url, "{}", {"Content-Type": "application/json"}, 405),
            ("GET", self.depot.url + "?query=mutation%20%7B%20__typename%20%7D", None, {}, 405),
            ("POST", self.depot.url, '{"query":"{ __typename }"}', {"Content-Type": "text/plain"}, 415),
            ("POST", self.depot.url, '{"query":"{ __typename }"}',
             {"Content-Type": "application/json", "Accept": "application/xml"}, 406),
        ]
        for method, url, body, headers, expected in cases:
            with self.subTest(status=expected, method=method):
                status, text, response_headers = request(url, method, body, dict(self.auth, **headers))
                self.assertEqual(status, expected, text)
                self.assertTrue(response_headers["content-type"].startswith("application/json"))
                self.assertTrue(json.loads(text)["errors"][0]["message"])
                self.assertIn("x-request-id", response_headers)
                if expected == 405:
                    self.assertIn("POST", response_headers["allow"])
        after = parse_prometheus(request(self.depot.base + "/metrics")[1])
        self.assertEqual(metric(after, "depot_broker_requests_total", result="accepted")
                         - metric(before, "depot_broker_requests_total", result="accepted"), 0)

    def test_get_and_accept(self):
        """GET runs queries with URL-encoded variables; the answer has the media type asked
        for; a GraphQL request error is 200 for application/json and 400 for
        application/graphql-response+json."""
        from urllib.parse import urlencode
        url = self.depot.url + "?" + urlencode({"query": PAGE_QUERY, "variables": json.dumps({"n": 3})})
        status, text, headers = request(url, headers=self.auth)
        self.assertEqual(status, 200, text)
        self.assertEqual(len(json.loads(text)["data"]["boxes"]["elements"]), 3)
        for accept, expected_type in [("application/graphql-response+json", "application/graphql-response+json"),
                                      ("application/json", "application/json"), ("*/*", "application/json")]:
            status, text, headers = self.post({"query": "{ __typename }"}, {"Accept": accept})
            self.assertEqual(status, 200, text)
            self.assertTrue(headers["content-type"].startswith(expected_type), headers["content-type"])
        status, text, _ = self.post({"query": "{ nope }"}, {"Accept": "application/json"})
        self.assertEqual(status, 200, text)
        self.assertNotIn("data", json.loads(text))
        status, text, _ = self.post({"query": "{ nope }"}, {"Accept": "application/graphql-response+json"})
        self.assertEqual(status, 400, text)
        self.assertNotIn("data", json.loads(text))

    def test_metrics_parse_and_move(self):
        """/metrics is Prometheus text; three good requests and one bad one move the request
        counters, the histogram and the SQL statement counter by what happened."""
        status, text, headers = request(self.depot.base + "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain; version=0.0.4"))
        before = parse_prometheus(text)
        for _ in range(3):
            status, body, _ = self.post({"query": PAGE_QUERY, "variables": {"n": 5}})
            self.assertEqual(status, 200, body)
        self.assertEqual(self.post({"query": "{"}, raw="{ not json")[0], 400)
        # A worker counts a request just after writing its answer: wait for the last count.
        for _ in range(100):
            after = parse_prometheus(request(self.depot.base + "/metrics")[1])
            if (metric(after, "depot_gateway_http_request_duration_seconds_count", route="graphql")
                    - metric(before, "depot_gateway_http_request_duration_seconds_count", route="graphql")) >= 4:
                break
            time.sleep(0.02)

        def moved(name, **labels):
            return metric(after, name, **labels) - metric(before, name, **labels)
        self.assertEqual(moved("depot_gateway_http_requests_total", route="graphql", code="200", outcome="ok"), 3)
        self.assertEqual(moved("depot_gateway_http_requests_total", route="graphql", code="400",
                               outcome="bad_request"), 1)
        self.assertEqual(moved("depot_gateway_http_request_duration_seconds_count", route="graphql"), 4)
        self.assertEqual(moved("depot_gateway_http_request_duration_seconds_bucket", route="graphql",
                               le="+Inf"), 4)
        self.assertGreater(moved("depot_gateway_http_request_duration_seconds_sum", route="graphql"), 0)
        self.assertEqual(moved("depot_broker_requests_total", result="accepted"), 3)
        # Each page query is a count, a page and one LOAD per relation: at least 3 statements.
        self.assertGreaterEqual(moved("depot_gateway_sql_statements_total"), 9)
        self.assertEqual(metric(after, "depot_broker_resolvers"), 1)
        self.assertEqual(metric(after, "depot_broker_queue_depth"), 0)
        self.assertGreaterEqual(metric(after, "depot_gateway_http_requests_in_flight"), 1)

    def test_cors(self):
        """DEPOT_CORS_ORIGINS: the allowed origin's preflight gets 204 and the CORS headers
        without a token; another origin gets 403; answers to the allowed origin carry
        Access-Control-Allow-Origin."""
        status, _, headers = request(self.depot.url, "OPTIONS", None, {
            "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type"})
        self.assertEqual(status, 204)
        self.assertEqual(headers["access-control-allow-origin"], ORIGIN)
        self.assertIn("Authorization", headers["access-control-allow-headers"])
        status, text, headers = request(self.depot.url, "OPTIONS", None, {
            "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"})
        self.assertEqual(status, 403, text)
        self.assertNotIn("access-control-allow-origin", headers)
        status, _, headers = self.post({"query": "{ __typename }"}, {"Origin": ORIGIN})
        self.assertEqual(status, 200)
        self.assertEqual(headers["access-control-allow-origin"], ORIGIN)
        self.assertIn("X-Request-Id", headers["access-control-expose-headers"])

    def test_request_id_follows_the_request(self):
        """The client's X-Request-Id comes back, and is the "req" of the gateway's access log
        line and of the resolver's lines; db-svc's lines name it too."""
        rid = f"itest-{os.getpid()}-{int(time.time())}"
        status, _, headers = self.post({"query": PAGE_QUERY, "variables": {"n": 2}}, {"X-Request-Id": rid})
        self.assertEqual(status, 200)
        self.assertEqual(headers["x-request-id"], rid)
        time.sleep(0.3)
        access = [l for l in self.depot.log_lines("gateway") if l.get("req") == rid and l.get("msg") == "http"]
        self.assertEqual(len(access), 1)
        self.assertEqual((access[0]["method"], access[0]["path"], access[0]["status"]), ("POST", "/graphql", 200))
        self.assertGreater(access[0]["statements"], 0)
        self.assertTrue(any(l.get("req") == rid for l in self.depot.log_lines("resolver-svc-0")))
        self.assertTrue(any(rid in json.dumps(l) for l in self.depot.log_lines("db-svc-0")))
        # Without one, the gateway makes its own and still sends it back.
        status, _, headers = self.post({"query": "{ __typename }"})
        self.assertRegex(headers["x-request-id"], r"^[0-9a-f]{8}-\d+$")

    def test_help_on_every_binary(self):
        """--help on every binary lists its settings with their variables and exits 0."""
        for parts, variable in [(("gateway", "gateway"), "DEPOT_CORS_ORIGINS"),
                                (("resolver-svc", "resolver-svc"), "DEPOT_BACKEND_CONNECT"),
                                (("db-svc", "db-svc"), "MYSQL_HOST"),
                                (("depot", "depot"), "DEPOT_PERSISTED_QUERIES")]:
            out = subprocess.run([harness.binary(*parts), "--help"], capture_output=True, text=True, timeout=30)
            self.assertEqual(out.returncode, 0, parts)
            self.assertIn(variable, out.stdout + out.stderr)

    def test_zz_readiness_follows_mariadb(self):
        """/readyz is 200 while MariaDB serves, 503 (with the reason) once it stops, and 200
        again when it is back; /healthz stays 200 throughout. (Runs late: it stops MariaDB.)"""
        self.assertEqual(request(self.depot.base + "/readyz")[0], 200)
        harness_script = os.path.join(harness.REPO, "scripts", "mariadb.sh")
        folder = os.path.join(self.scratch.path, "mariadb")
        subprocess.run([harness_script, "stop", folder], check=True, timeout=120, capture_output=True)
        try:
            deadline, status, text = time.time() + 60, None, ""
            while time.time() < deadline:
                status, text, _ = request(self.depot.base + "/readyz")
                if status == 503:
                    break
                time.sleep(0.25)
            self.assertEqual(status, 503, text)
            self.assertEqual(json.loads(text)["status"], "unavailable")
            self.assertEqual(request(self.depot.base + "/healthz")[0], 200)
        finally:
            out = subprocess.run([harness_script, "start", folder], check=True, timeout=300,
                                 capture_output=True, text=True)
            self.assertEqual(out.stdout.strip().splitlines()[-1], self.db.socket)
        deadline = time.time() + 90
        while time.time() < deadline:
            status, text, _ = request(self.depot.base + "/readyz")
            if status == 200:
                break
            time.sleep(0.25)
        self.assertEqual(status, 200, text)
        self.assertEqual(self.post({"query": PAGE_QUERY, "variables": {"n": 1}})[0], 200)


class ReplicasAndShutdownTest(unittest.TestCase):
    """Topologies of their own: replicas, and a gateway stopped under load."""

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db, boxes=400)
        cls.keys = harness.Keys(cls.scratch.path)

    @classmethod
    def tearDownClass(cls):
        cls.db.stop()
        cls.scratch.remove()

    def test_replicas_all_serve(self):
        """One gateway, three resolver-svc and two db-svc (as `docker compose up --scale
        resolver-svc=3 --scale db-svc=2` runs them): every replica serves requests, and the
        answers are the same as from one of each."""
        folder = os.path.join(self.scratch.path, "replicas")
        os.makedirs(folder)
        topo = Topology(self.db, self.keys, folder, resolvers=3, dbs=2, env={"DEPOT_VERBOSE": "1"})
        try:
            topo.wait_ready(resolvers=3)
            auth = {"Authorization": f"Bearer {topo.token}", "Content-Type": "application/json"}
            answers = set()
            ids = []

            def client(n):
                for i in range(n):
                    rid = f"replica-{threading.get_ident()}-{i}"
                    status, text, _ = request(topo.url, "POST", json.dumps(
                        {"query": PAGE_QUERY, "variables": {"n": 20}}), dict(auth, **{"X-Request-Id": rid}))
                    self.assertEqual(status, 200, text)
                    answers.add(text)
                    ids.append(rid)
            threads = [threading.Thread(target=client, args=(15,)) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(len(answers), 1, "every replica gives the same answer")
            time.sleep(0.3)
            served = {}
            for name in topo.procs:
                if name == "gateway":
                    continue
                text = "\n".join(json.dumps(l) for l in topo.log_lines(name))
                served[name] = sum(1 for rid in ids if rid in text)
            print(f"\nrequests seen per replica: {served}", file=sys.stderr)
            for name, count in served.items():
                self.assertGreater(count, 0, f"{name} served nothing")
        finally:
            codes = topo.stop()
        self.assertTrue(all(c == 0 for c in codes.values()), codes)

    def test_sigterm_under_load_loses_no_admitted_request(self):
        """Eight clients send queries without pause; the gateway gets SIGTERM. It exits 0, every
        request it admitted (its access log's 200s) reached its client whole, and every other
        request was refused cleanly: 503 JSON, or no connection at all."""
        folder = os.path.join(self.scratch.path, "sigterm")
        os.makedirs(folder)
        topo = Topology(self.db, self.keys, folder, env={"DEPOT_DRAIN_MS": "20000"})
        auth = {"Authorization": f"Bearer {topo.token}", "Content-Type": "application/json"}
        outcomes = {"ok": 0, "refused_503": 0, "no_connection": 0}
        bad = []
        lock = threading.Lock()
        stop_at = time.time() + 30

        def client():
            while time.time() < stop_at:
                try:
                    status, text, _ = request(topo.url, "POST", json.dumps(
                        {"query": PAGE_QUERY, "variables": {"n": 100}}), auth, timeout=30)
                except (ConnectionError, http.client.RemoteDisconnected) as e:
                    with lock:
                        outcomes["no_connection"] += 1
                    if isinstance(e, ConnectionRefusedError):
                        return
                    continue
                except Exception as e:   # a truncated or garbled answer
                    with lock:
                        bad.append(repr(e))
                    continue
                with lock:
                    if status == 200 and len(json.loads(text)["data"]["boxes"]["elements"]) == 100:
                        outcomes["ok"] += 1
                    elif status == 503 and json.loads(text)["errors"]:
                        outcomes["refused_503"] += 1
                    else:
                        bad.append(f"{status} {text[:200]}")
        threads = [threading.Thread(target=client) for _ in range(8)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        code = topo.stop("gateway")
        for t in threads:
            t.join()
        others = topo.stop()
        admitted = sum(1 for l in topo.log_lines("gateway")
                       if l.get("msg") == "http" and l.get("path") == "/graphql" and l.get("status") == 200)
        print(f"\nSIGTERM under load: {outcomes}, gateway logged {admitted} answered", file=sys.stderr)
        self.assertEqual(code["gateway"], 0)
        self.assertEqual(bad, [])
        self.assertGreater(outcomes["ok"], 10)
        self.assertEqual(admitted, outcomes["ok"], "every admitted request reached its client")
        self.assertTrue(all(c == 0 for c in others.values()), others)


if __name__ == "__main__":
    unittest.main(verbosity=2)
