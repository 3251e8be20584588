"""Shared pieces of Depot's integration tests: a private MariaDB, demo data, keys and
tokens, Depot in its one-process and three-process forms, HTTP and SQL helpers.

Everything is real: a mariadbd from Debian's package on a private socket and datadir,
Depot's own binaries, HTTP over TCP. Only the standard library is used.
Licensed under the Apache License 2.0.
"""
import json
import os
import shutil
import random
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("DEPOT_BUILD_DIR", os.path.join(REPO, "build"))
SHARED = os.path.join(os.path.dirname(REPO), "shared")
DOMAIN = "depot-test.example"
AUDIENCE = "depot-test-audience"
# How long a start-up may take before the test calls it a hang (generous: CI runs ASan).
STARTUP_SECONDS = float(os.environ.get("DEPOT_TEST_TIMEOUT_MULTIPLIER", "1")) * 60

# Every read and write permission boxtribute knows for base 1 (facts section 6).
RESOURCES = ["stock", "location", "product", "tag", "tag_relation", "base", "history", "qr",
             "shipment", "shipment_detail", "transfer_agreement", "beneficiary", "user",
             "organisation", "size", "unit", "size_range", "product_category", "distro_event",
             "box_state", "gender", "language", "standard_product", "transaction"]


def binary(*parts):
    path = os.path.join(BUILD, *parts)
    if not os.path.exists(path):
        raise RuntimeError(f"{path} is missing: build Depot first")
    return path


def node():
    """The node to run tests/js with: the one on PATH, if it is as new as tests/js/package.json's
    engines ask (the GraphiQL test's playwright-core is pinned to a release that runs on Debian
    12's Node.js 18). None when there is no node (the caller skips); a clear error when it is too
    old, rather than a failure deep inside a package."""
    path = shutil.which("node")
    if not path:
        return None
    with open(os.path.join(REPO, "tests", "js", "package.json")) as f:
        wanted = json.load(f)["engines"]["node"]
    minimum = int(wanted.lstrip(">= ").split(".")[0])
    version = subprocess.run([path, "--version"], capture_output=True, text=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < minimum:
        raise RuntimeError(f"tests/js needs Node.js {wanted} (tests/js/package.json engines); "
                           f"{path} is {version}: install Debian's nodejs (scripts/setup.sh) or newer")
    return path


# Ports handed out come from below the kernel's ephemeral range (32768-60999 here): a port the
# kernel picked for bind(0) is free only until an outgoing connection (a client, a MariaDB or
# ZeroMQ connect of a test running beside) takes it as its source port, which happened between
# the pick and a service's bind ("cannot bind ...: Resource temporarily unavailable").
_PORTS_LOW, _PORTS_HIGH = 20000, 32000
_handed_out = set()


def free_port():
    """A TCP port of 127.0.0.1 nobody listens on, outside the ephemeral range, not handed out
    before by this process."""
    rng = random.SystemRandom()
    for _ in range(1000):
        port = rng.randrange(_PORTS_LOW, _PORTS_HIGH)
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free port in {_PORTS_LOW}-{_PORTS_HIGH}")


class MariaDB:
    """A private mariadbd in a temporary folder, with one database; on a TCP port of
    127.0.0.1 too when port is given, with extra mariadbd options when args are."""

    def __init__(self, folder, database="dropapp_dev", port=0, args=()):
        self.folder = folder
        self.database = database
        self.port = port
        self.args = list(args)
        self.start()
        self.sql(f"CREATE DATABASE IF NOT EXISTS {database} CHARACTER SET utf8mb4", db=None)

    def start(self):
        """Start the server (again, after stop) on its datadir, socket, port and options."""
        env = dict(os.environ, MARIADB_EXTRA_ARGS=" ".join(self.args))
        out = subprocess.run([os.path.join(REPO, "scripts", "mariadb.sh"), "start",
                              os.path.join(self.folder, "mariadb")] + ([str(self.port)] if self.port else []),
                             check=True, capture_output=True, text=True, timeout=STARTUP_SECONDS, env=env)
        self.socket = out.stdout.strip().splitlines()[-1]

    def stop(self):
        subprocess.run([os.path.join(REPO, "scripts", "mariadb.sh"), "stop",
                        os.path.join(self.folder, "mariadb")], timeout=60)

    def client(self, db="__default__"):
        db = self.database if db == "__default__" else db
        args = ["mariadb", "--no-defaults", "--default-character-set=utf8mb4", "-uroot", "-S", self.socket]
        return args + ([db] if db else [])

    def sql(self, text, db="__default__"):
        """Run SQL; returns the rows as lists of strings (NULL as None)."""
        out = subprocess.run(self.client(db) + ["--batch", "--raw", "-N", "-e", text],
                             check=True, capture_output=True, text=True, timeout=600)
        rows = []
        for line in out.stdout.splitlines():
            rows.append([None if v == "NULL" else v for v in line.split("\t")])
        return rows

    def scalar(self, text):
        rows = self.sql(text)
        return rows[0][0] if rows else None

    def json(self, text):
        """Run a query that returns one JSON document; returns it parsed."""
        value = self.scalar(text)
        return json.loads(value) if value is not None else None

    def load_file(self, path):
        with open(path, "rb") as f:
            subprocess.run(self.client(), stdin=f, check=True, timeout=600)

    def load_bytes(self, data):
        subprocess.run(self.client(), input=data, check=True, timeout=600)

    def status(self, name):
        return int(self.sql(f"SHOW GLOBAL STATUS LIKE '{name}'")[0][1])

    def logged(self, where, action):
        """How many texts clients sent during action() that MariaDB's general log (a table,
        log_output = 'TABLE' already set) holds as queries matching the SQL condition where
        (on its column argument)."""
        def count():
            return int(self.scalar(f"SELECT COUNT(*) FROM mysql.general_log WHERE command_type = 'Query'"
                                   f" AND ({where})"))
        before = count()
        self.sql("SET GLOBAL general_log = 1")
        try:
            action()
        finally:
            self.sql("SET GLOBAL general_log = 0")
        return count() - before

    def kept(self, where, action, timeout=10):
        """True once a second action() sends nothing matching where (logged): Depot keeps
        what the action reads, the change feed vouching for it again after a write (its
        status comes once a second); False when that does not happen within timeout s."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            action()
            if self.logged(where, action) == 0:
                return True
            time.sleep(0.3)
        return False


def load_depot_tables(db, indexes=None):
    """What Depot adds to boxtribute's schema: its indexes (db/indexes.sql, or another tree's
    to measure it) and its own tables."""
    db.load_file(indexes or os.path.join(REPO, "db", "indexes.sql"))
    db.load_file(os.path.join(REPO, "db", "idempotency.sql"))
    db.load_file(os.path.join(REPO, "db", "feed.sql"))


def load_demo(db, boxes=None, seed=None, indexes=None):
    """Depot's DDL, its indexes (load_depot_tables') and the generator's demo data."""
    db.load_file(os.path.join(REPO, "db", "ddl.sql"))
    load_depot_tables(db, indexes)
    args = [binary("tools", "depot-gen")]
    if boxes is not None:
        args += ["--boxes", str(boxes)]
    if seed is not None:
        args += ["--seed", str(seed)]
    data = subprocess.run(args, check=True, capture_output=True, timeout=300).stdout
    db.load_bytes(data)


class Keys:
    """An RSA key pair of the test's own, and tokens minted with depot-token."""

    def __init__(self, folder):
        self.private = os.path.join(folder, "private.pem")
        self.public = os.path.join(folder, "public.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                        "-out", self.private], check=True, capture_output=True)
        subprocess.run(["openssl", "pkey", "-in", self.private, "-pubout", "-out", self.public],
                       check=True, capture_output=True)

    def token(self, sub="auth0|8", org=1, base_ids=(1,), roles=("base_1_coordinator",),
              permissions=None, beta=99, ttl=3600, extra=()):
        if permissions is None:
            permissions = [f"base_1/{r}:read" for r in RESOURCES] + ["base_1/stock:write"]
        args = [binary("gateway", "depot-token"), "--key", self.private, "--sub", sub,
                "--domain", DOMAIN, "--audience", AUDIENCE, "--ttl", str(ttl), "--org", str(org),
                "--base-ids", ",".join(str(b) for b in base_ids), "--roles", ",".join(roles),
                "--permissions", ",".join(permissions), "--beta", str(beta)] + list(extra)
        return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


# For tests that count SQL statements with MariaDB's global Com_select: a fixed pool, opened at
# start. The adaptive pool (DEPOT_DB_POOL_MIN 2 up to DEPOT_DB_POOL) opens connections while a
# request's statements queue, and each new connection runs a set-up SELECT of its own, which
# Com_select would count as the request's.
# The Idempotency-Key purge (every 60 s on db-svc's control connection: its set-up SELECT and
# its DELETE) is off for the same reason.
FIXED_POOL = {"DEPOT_DB_POOL": "8", "DEPOT_DB_POOL_MIN": "8", "DEPOT_IDEMPOTENCY_PURGE_MS": "0"}


class Depot:
    """Depot running either as one process (`depot`) or as three (db-svc, resolver-svc,
    gateway) talking over tcp://, on a free port. With feed=True the change feed publishes on
    feed_endpoint: inside `depot`, or as a fourth process, feed-svc, which kill() and
    restart() can stop with SIGKILL and start again. With live=True (the feed comes with it)
    live updates serve live_url: inside `depot`, or as one more process, live-svc, which
    reaches the gateway's broker on its DEPOT_EXECUTE_BIND."""

    def __init__(self, db, keys, folder, form="one", debug=True, extra_env=None, feed=False,
                 live=False):
        self.port = free_port()
        self.commands = {}
        feed = feed or live
        self.feed_endpoint = f"tcp://127.0.0.1:{free_port()}" if feed else None
        self.live_port = free_port() if live else None
        self.live_url = f"ws://127.0.0.1:{self.live_port}/" if live else None
        self.url = f"http://127.0.0.1:{self.port}/graphql"
        self.processes = []
        self.logs = []
        env = dict(os.environ)
        env.update({
            "MYSQL_SOCKET": db.socket, "MYSQL_USER": "root", "MYSQL_DB": db.database,
            "AUTH0_DOMAIN": DOMAIN, "AUTH0_AUDIENCE": AUDIENCE,
            "DEPOT_PUBLIC_KEY_FILE": keys.public, "DEPOT_PORT": str(self.port),
            "DEPOT_DEBUG_EXTENSION": "1" if debug else "0",
        })
        if feed:
            writes = f"tcp://127.0.0.1:{free_port()}"      # the fallback's pushes (three processes)
            env.update({"DEPOT_FEED_BIND": self.feed_endpoint, "DEPOT_FEED_CONNECT": self.feed_endpoint,
                        "DEPOT_FEED_WRITES_BIND": writes, "DEPOT_FEED_WRITES": writes})
        if live:
            execute = f"tcp://127.0.0.1:{free_port()}"     # the broker's, for live-svc
            env.update({"DEPOT_LIVE_PORT": str(self.live_port),
                        "DEPOT_LIVE_FEED_CONNECT": self.feed_endpoint,
                        "DEPOT_EXECUTE_BIND": execute, "DEPOT_EXECUTE_CONNECT": execute,
                        "DEPOT_LIVE_URL": self.live_url})     # GraphiQL's subscriptions
        env.update(extra_env or {})
        if form == "one":
            self._start(folder, "depot", [binary("depot", "depot")], env)
        else:
            backend, dbport = free_port(), free_port()
            env3 = dict(env)
            env3.update({
                "DEPOT_DB_BIND": f"tcp://127.0.0.1:{dbport}",
                "DEPOT_DB_CONNECT": f"tcp://127.0.0.1:{dbport}",
                "DEPOT_BACKEND_BIND": f"tcp://127.0.0.1:{backend}",
                "DEPOT_BACKEND_CONNECT": f"tcp://127.0.0.1:{backend}",
            })
            self._start(folder, "db-svc", [binary("db-svc", "db-svc")], env3)
            self._start(folder, "gateway", [binary("gateway", "gateway")], env3)
            self._start(folder, "resolver-svc", [binary("resolver-svc", "resolver-svc")], env3)
            if feed:
                self._start(folder, "feed-svc", [binary("feed-svc", "feed-svc")], env3)
            if live:
                self._start(folder, "live-svc", [binary("live-svc", "live-svc")], env3)
        self.wait_ready(keys)
        if live:
            self.wait_port(self.live_port)

    def _start(self, folder, name, args, env):
        log = open(os.path.join(folder, f"{name}.log"), "wb")
        self.logs.append(log)
        self.processes.append(subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT))
        self.commands[name] = (len(self.processes) - 1, args, env)

    def kill(self, name):
        """SIGKILL one process (by its name: "feed-svc", "db-svc", ...) and wait for its end."""
        process = self.processes[self.commands[name][0]]
        process.kill()
        process.wait()

    def restart(self, name):
        """Start a killed process again, logging to the end of its log."""
        index, args, env = self.commands[name]
        self.processes[index] = subprocess.Popen(args, env=env, stdout=self.logs[index],
                                                 stderr=subprocess.STDOUT)

    def wait_ready(self, keys):
        token = keys.token()
        deadline = time.time() + STARTUP_SECONDS
        while time.time() < deadline:
            for p in self.processes:
                if p.poll() is not None:
                    raise RuntimeError(f"a Depot process exited with {p.returncode}: see its log")
            try:
                status, _, _ = post(self.url, {"query": "{ __typename }"}, token, timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("Depot did not answer in time")

    def wait_port(self, port):
        """Wait until something accepts TCP connections on the port (live updates' listener)."""
        deadline = time.time() + STARTUP_SECONDS
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"nothing listens on port {port} in time")

    def stop(self):
        """SIGTERM every process; each must exit 0 (graceful shutdown)."""
        codes = []
        for p in reversed(self.processes):
            p.terminate()
        for p in reversed(self.processes):
            try:
                codes.append(p.wait(timeout=30))
            except subprocess.TimeoutExpired:
                p.kill()
                codes.append("hung")
        for log in self.logs:
            log.close()
        # A process that did not stop cleanly: show the end of its log (a sanitizer's report,
        # an assertion) in the test's output, since the scratch folder goes away.
        for log, code in zip(reversed(self.logs), codes):
            if code != 0:
                with open(log.name, "rb") as f:
                    tail = f.read()[-6000:].decode("utf-8", "replace")
                print(f"\n--- {os.path.basename(log.name)}: exit {code}; its end:\n{tail}", flush=True)
        return codes


def post(url, body, token=None, headers=None, timeout=120, raw=None):
    """POST JSON; returns (status, parsed body or None, response headers)."""
    data = raw if raw is not None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        request.add_header(k, v)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
            return response.status, json.loads(text), dict(response.headers)
    except urllib.error.HTTPError as e:
        text = e.read()
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        return e.code, parsed, dict(e.headers)


def cpu_seconds(pid):
    """The CPU time (user and system) process pid has spent so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def read_query(name):
    with open(os.path.join(REPO, "tests", "queries", name)) as f:
        return f.read()


class Scratch:
    """A temporary folder kept on failure when DEPOT_KEEP_TMP=1."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="depot-test-")

    def remove(self):
        if os.environ.get("DEPOT_KEEP_TMP") != "1":
            shutil.rmtree(self.path, ignore_errors=True)
