#!/usr/bin/env python3
"""The gateway's HTTP edge as real clients meet it: request bodies and kept-alive connections.

Pins down (issue 10):
- A JSON body whose strings contain \\u0000 is valid JSON and is read as such; a U+0000
  between the document's tokens gets graphql-js's lexer error with its location; an
  operationName with a U+0000 in it selects no operation (it is not cut short at the NUL).
- A variable's string holding U+0000 is a value of its own length wherever it is used (issue
  11): an ID "1\\u0000x" is no ID (not base 1), an enum name with a NUL is unknown with
  graphql-js's message, a label or QR code with a NUL matches no box, a cursor with one is
  malformed, __type(name:) with one names no type.
- A body over DEPOT_MAX_BODY gets 413 as soon as it is known to be too large: from the
  Content-Length header alone (nothing of the body is waited for), or once a chunked body
  passes the limit. The client reads that 413 (it is answered first, the connection then
  half-closed and the rest of the body drained for a bounded time), never a reset, and the
  connection is closed after it.
- Kept-alive connections: every kept-alive answer says how long an idle connection lives
  (Keep-Alive: timeout=N) and Depot keeps it open longer than that, so Node's own fetch
  (undici) retires idle sockets before Depot closes them, and a client whose event loop was
  busy for a while (Apollo Client normalising a large answer) still finds its socket open.

Real sockets throughout: raw Python sockets for the bodies, Node's fetch for keep-alive.
Time appears only as bounds against hangs.

Run: DEPOT_BUILD_DIR=build python3 tests/integration/test_gateway_body.py
Licensed under the Apache License 2.0.
"""
import http.client
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

JS = os.path.join(harness.REPO, "tests", "js")
MAX_BODY = 1024 * 1024              # DEPOT_MAX_BODY's default, which this Depot runs with
HANG = 10.0                         # seconds: an answer later than this is a hang (civetweb's
                                    # own request timeout is 30 s)


def graphql_js_parse_error(document):
    """graphql-js's syntax error for document: (message, locations)."""
    script = ("const g = require(process.argv[1]); let d = ''; process.stdin.on('data', c => d += c);"
              "process.stdin.on('end', () => { try { g.parse(d); console.log('null') } catch (e) {"
              " console.log(JSON.stringify({message: e.message, locations: e.locations})) } })")
    out = subprocess.run(["node", "-e", script, os.path.join(JS, "node_modules", "graphql")],
                         input=document, capture_output=True, text=True, check=True, timeout=60)
    error = json.loads(out.stdout)
    return error["message"], error["locations"]


def graphql_js_variable_errors(query, variables):
    """graphql-js's getVariableValues errors for the operation of query on Depot's schema."""
    script = os.path.join(harness.REPO, "tests", "oracle", "coercion", "variables.mjs")
    out = subprocess.run(["node", script, os.path.join(harness.REPO, "schema", "depot.graphql")],
                         input=json.dumps([{"query": query, "variables": variables}]),
                         capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout)[0]


def read_response(sock):
    """Read one HTTP response from a blocking socket: (status, headers, body, closed), closed
    meaning the server then ended the connection (EOF). A reset raises."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection ended before a full response head: {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("connection ended inside the response body")
        rest += chunk
    body, extra = rest[:length], rest[length:]
    closed = False
    if headers.get("connection", "").lower() == "close":
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                closed = True
                break
            extra += chunk
    if extra:
        raise AssertionError(f"bytes after the response: {extra[:100]!r}")
    return status, headers, body, closed


class GatewayBodyTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        harness.load_demo(cls.db, boxes=20)
        cls.keys = harness.Keys(cls.scratch.path)
        # Every HTTP setting at its default: these are what clients meet.
        cls.depot = harness.Depot(cls.db, cls.keys, cls.scratch.path, debug=False)
        cls.token = cls.keys.token()
        cls.port = cls.depot.port

    @classmethod
    def tearDownClass(cls):
        codes = cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()
        assert all(c == 0 for c in codes), f"graceful exit codes: {codes}"

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=HANG)
        self.addCleanup(sock.close)
        return sock

    def head(self, length=None, chunked=False):
        framing = "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {length}\r\n"
        return (f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                f"Authorization: Bearer {self.token}\r\nContent-Type: application/json\r\n"
                f"{framing}\r\n").encode()

    def post_raw(self, body):
        """POST body bytes as they are (JSON text written by the test); (status, parsed)."""
        status, parsed, _ = harness.post(self.depot.url, None, self.token, raw=body)
        return status, parsed

    def assert_413(self, status, headers, body, closed):
        self.assertEqual(status, 413, body)
        self.assertEqual(json.loads(body), {"errors": [{"message": "Request body too large."}]})
        self.assertEqual(headers.get("connection", "").lower(), "close")
        self.assertTrue(closed, "the connection is closed after a 413 whose body was not read")

    # -- U+0000 in JSON strings ---------------------------------------------------------------

    def test_nul_between_tokens_is_graphql_js_lexer_error(self):
        """The body is valid JSON; the document has a U+0000 after a name: graphql-js's
        "Unexpected character: U+0000." at its line and column (a GraphQL request error,
        200 for application/json)."""
        document = "{\n  __typename\u0000 }"
        message, locations = graphql_js_parse_error(document)
        status, parsed = self.post_raw(json.dumps({"query": document}).encode())
        self.assertIn("\\u0000", json.dumps({"query": document}))
        self.assertEqual(status, 200, parsed)
        self.assertEqual(parsed, {"errors": [{"message": message, "locations": locations}]})

    def test_nul_in_other_strings_is_a_value(self):
        """U+0000 inside strings the request carries but the gateway does not need
        (extensions, an unknown member) changes nothing: the query runs."""
        body = json.dumps({"query": "query Q { __typename }", "note": "a\u0000b",
                           "extensions": {"trace": "x\u0000y"}}).encode()
        status, parsed = self.post_raw(body)
        self.assertEqual((status, parsed), (200, {"data": {"__typename": "Query"}}))

    def test_nul_in_operation_name_selects_nothing(self):
        """operationName "Q\\u0000" is not "Q": no operation has that name, and the message
        shows the whole name (the NUL escaped in the JSON), as graphql-http writes it."""
        body = json.dumps({"query": "query Q { __typename }", "operationName": "Q\u0000"}).encode()
        status, parsed = self.post_raw(body)
        self.assertEqual((status, parsed), (200, {"errors": [{"message": 'Unknown operation named "Q\u0000".'}]}))

    def post_variables(self, query, variables):
        """POST query with variables as Python's JSON writes them (U+0000 as \\u0000)."""
        body = json.dumps({"query": query, "variables": variables})
        self.assertNotIn("\0", body)
        return self.post_raw(body.encode())

    def test_nul_in_id_variable_is_no_id(self):
        """ID "1\\u0000x" is a valid ID value (graphql-js coerces it) but not the id 1: base 1,
        which exists, is not answered; the answer is that of any malformed id."""
        self.assertEqual(self.depot_db_scalar("SELECT COUNT(*) FROM camps WHERE id = 1"), "1")
        query = "query Q($id: ID!) { base(id: $id) { id } }"
        self.assertEqual(graphql_js_variable_errors(query, {"id": "1\u0000x"}), [])
        status, parsed = self.post_variables(query, {"id": "1"})
        self.assertEqual((status, parsed), (200, {"data": {"base": {"id": "1"}}}))
        status, nul = self.post_variables(query, {"id": "1\u0000x"})
        _, malformed = self.post_variables(query, {"id": "1x"})
        self.assertEqual(status, 200, nul)
        self.assertEqual(nul["data"], {"base": None})
        self.assertEqual(nul, malformed)

    def test_nul_in_enum_variable_is_unknown_value(self):
        """An enum name with a NUL is no enum value: graphql-js's errors, word for word
        (the message quotes the name whole, NUL included)."""
        for tag_type in ("Box\u0000", "Bo\u0000x"):
            query = "query Q($t: TagType) { tags(tagType: $t) { id } }"
            expected = graphql_js_variable_errors(query, {"t": tag_type})
            self.assertEqual(len(expected), 1)
            status, parsed = self.post_variables(query, {"t": tag_type})
            self.assertEqual((status, parsed), (200, {"errors": expected}))

    def test_nul_in_label_and_qr_code_matches_nothing(self):
        """A label or a QR code with a NUL after a real one is an unknown one: box is null with
        BAD_USER_INPUT as for any unknown label, qrExists is false."""
        label = self.depot_db_scalar("SELECT s.box_id FROM stock s JOIN locations l ON l.id = s.location_id "
                                     "WHERE l.camp_id = 1 AND s.deleted IS NULL ORDER BY s.id LIMIT 1")
        query = "query Q($l: String!) { box(labelIdentifier: $l) { labelIdentifier } }"
        status, parsed = self.post_variables(query, {"l": label})
        self.assertEqual((status, parsed), (200, {"data": {"box": {"labelIdentifier": label}}}))
        status, parsed = self.post_variables(query, {"l": label + "\u0000"})
        self.assertEqual(status, 200, parsed)
        self.assertEqual(parsed["data"], {"box": None})
        self.assertEqual(parsed["errors"][0]["extensions"]["code"], "BAD_USER_INPUT")
        code = self.depot_db_scalar("SELECT q.code FROM qr q JOIN stock s ON s.qr_id = q.id JOIN locations l "
                                    "ON l.id = s.location_id WHERE l.camp_id = 1 ORDER BY q.id LIMIT 1")
        query = "query Q($a: String, $b: String) { yes: qrExists(code: $a) no: qrExists(code: $b) }"
        status, parsed = self.post_variables(query, {"a": code, "b": code + "\u0000"})
        self.assertEqual((status, parsed), (200, {"data": {"yes": True, "no": False}}))

    def test_nul_in_cursor_and_type_name(self):
        """A real cursor with a NUL after it is malformed; __type(name: "Box\\u0000") is null."""
        query = ('query Q($a: String) { products(baseId: "1", paginationInput: {first: 1, after: $a}) '
                 '{ pageInfo { endCursor } } }')
        status, parsed = self.post_variables(query, {"a": None})
        self.assertEqual(status, 200, parsed)
        cursor = parsed["data"]["products"]["pageInfo"]["endCursor"]
        status, parsed = self.post_variables(query, {"a": cursor + "\u0000"})
        self.assertEqual(status, 200, parsed)
        self.assertEqual(parsed["errors"][0]["message"], "Invalid pagination input: malformed 'after' cursor.")
        query = "query Q($n: String!) { __type(name: $n) { name } }"
        self.assertEqual(self.post_variables(query, {"n": "Box"}), (200, {"data": {"__type": {"name": "Box"}}}))
        self.assertEqual(self.post_variables(query, {"n": "Box\u0000"}), (200, {"data": {"__type": None}}))

    def depot_db_scalar(self, sql):
        value = self.db.scalar(sql)
        self.assertIsNotNone(value, sql)
        return value

    # -- Bodies over the limit ----------------------------------------------------------------

    def test_declared_oversize_body_is_refused_from_the_header(self):
        """Content-Length: 64 MiB and 10 bytes sent: the 413 comes while all but those 10
        bytes are still unsent, and the connection is then closed (FIN, not reset)."""
        sock = self.connect()
        declared = 64 * 1024 * 1024
        sock.sendall(self.head(declared) + b'{"query":"')
        status, headers, body, closed = read_response(sock)
        self.assert_413(status, headers, body, closed)

    def send_while_reading(self, sock, head, body_chunks, total):
        """Send head then the body chunks while watching for an answer, as curl does; stop
        sending once one arrives and read it. Returns (bytes of body sent, response)."""
        sock.sendall(head)
        sent = 0
        pending = b""
        chunks = iter(body_chunks)
        sock.setblocking(False)
        while True:
            readable, writable, _ = select.select([sock], [sock], [], HANG)
            if readable:
                break
            self.assertTrue(writable, "neither an answer nor room to send: a hang")
            if not pending:
                pending = next(chunks, b"")
                if not pending:
                    break           # all sent: wait for the answer
            n = sock.send(pending)
            pending = pending[n:]
            sent += n
        sock.setblocking(True)
        sock.settimeout(HANG)
        return sent, read_response(sock)

    def test_large_body_sender_reads_the_413(self):
        """A 20 MB body, declared by Content-Length or sent chunked: the sender sees the 413
        before it has sent its body (the answer comes first), reads it, and the connection
        ends with FIN, not a reset."""
        total = 20 * 1024 * 1024
        piece = b"x" * 65536

        def plain():
            for _ in range(total // len(piece)):
                yield piece

        def chunked():
            for _ in range(total // len(piece)):
                yield b"%x\r\n" % len(piece) + piece + b"\r\n"
            yield b"0\r\n\r\n"

        for name, head, body in [("content-length", self.head(total), plain()),
                                 ("chunked", self.head(chunked=True), chunked())]:
            with self.subTest(framing=name):
                sock = self.connect()
                sent, response = self.send_while_reading(sock, head, body, total)
                self.assert_413(*response)
                self.assertLess(sent, total, "the 413 came before the body was sent")
                if name == "chunked":
                    # Depot read up to the limit before it could know; not much more.
                    self.assertGreater(sent, MAX_BODY)

    def test_client_sending_all_before_reading_gets_the_413(self):
        """Python's http.client sends its whole 20 MB body before it reads: the 413 is
        there for it afterwards (the rest of the body was drained), not a reset."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HANG * 3)
        self.addCleanup(conn.close)
        conn.request("POST", "/graphql", body=b"x" * (20 * 1024 * 1024),
                     headers={"Authorization": f"Bearer {self.token}",
                              "Content-Type": "application/json"})
        response = conn.getresponse()
        body = response.read()
        self.assertEqual(response.status, 413, body)
        self.assertEqual(json.loads(body), {"errors": [{"message": "Request body too large."}]})

    def test_small_unread_body_keeps_the_connection(self):
        """A body within the limit that Depot does not need (a 401) is read past, and the
        connection stays usable for the next request."""
        sock = self.connect()
        body = b'{"query":"{ __typename }"}'
        head = self.head(len(body)).replace(f"Bearer {self.token}".encode(), b"Bearer nope")
        sock.sendall(head + body)
        status, headers, _, _ = read_response(sock)
        self.assertEqual(status, 401)
        self.assertEqual(headers["connection"].lower(), "keep-alive")
        sock.sendall(self.head(len(body)) + body)
        status, _, answer, _ = read_response(sock)
        self.assertEqual((status, json.loads(answer)), (200, {"data": {"__typename": "Query"}}))

    # -- Kept-alive connections ---------------------------------------------------------------

    def run_node(self, mode, pauses):
        return subprocess.Popen(["node", os.path.join(JS, "gateway_keepalive.mjs"), self.depot.url,
                                 self.token, mode] + [str(p) for p in pauses],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=JS)

    def keep_alive_timeout(self):
        """The N of the Keep-Alive: timeout=N header on a kept-alive answer, in seconds."""
        sock = self.connect()
        body = b'{"query":"{ __typename }"}'
        sock.sendall(self.head(len(body)) + body)
        status, headers, _, _ = read_response(sock)
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("connection", "").lower(), "keep-alive")
        self.assertIn("keep-alive", headers, "kept-alive answers say how long the connection lives")
        value = headers["keep-alive"]
        self.assertRegex(value, r"^timeout=\d+$")
        return int(value.split("=")[1])

    def test_node_fetch_never_meets_a_closing_connection(self):
        """Node's fetch, 10 requests after idle pauses just under the advertised timeout and 10
        just over it, and 3 after its event loop was busy for just under it: every request
        succeeds (undici retires sockets before Depot closes them, and Depot keeps a socket
        open past the timeout it advertises)."""
        if not shutil.which("node"):
            self.skipTest("node missing")
        timeout_ms = self.keep_alive_timeout() * 1000
        self.assertGreaterEqual(timeout_ms, 3000, "long enough for clients to reuse sockets")
        under, over = timeout_ms - 200, timeout_ms + 200
        # Several clients at once (each its own process, so its own connection pool), so the
        # test takes a few pauses' time, not twenty.
        runs = [self.run_node("idle", [under] * 5), self.run_node("idle", [under] * 5),
                self.run_node("idle", [over] * 5), self.run_node("idle", [over] * 5),
                self.run_node("busy", [under] * 3)]
        results = []
        for run in runs:
            out, err = run.communicate(timeout=300)
            self.assertEqual(run.returncode, 0, err)
            report = json.loads(out)
            self.assertEqual(report["keepAlive"], f"timeout={timeout_ms // 1000}")
            results += report["results"]
        self.assertEqual(len(results), 23)
        failed = [r for r in results if not r["ok"]]
        self.assertEqual(failed, [], f"{len(failed)} of {len(results)} requests failed")


if __name__ == "__main__":
    unittest.main(verbosity=2)
