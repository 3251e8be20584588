"""Shared pieces of the resilience tests (test_resilience_*.py): request bodies, a load
generator that records every request's outcome and time, a table lock held from the test's
own MariaDB session, RSS sampling, and Depot in the three-process form with several db-svc
and resolver-svc processes that a test can kill and restart one by one.

Everything is real: Depot's binaries, HTTP over loopback, a private mariadbd (harness.py).
Only the standard library is used. Licensed under the Apache License 2.0.
"""
import http.client
import json
import multiprocessing
import os
import random
import signal
import subprocess
import threading
import time
import urllib.request

import harness

MANAGE_BOXES = harness.read_query("manage_boxes.graphql")
BOX_VIEW = harness.read_query("box_view.graphql")
# The front-end's mount-time filters and a few more, so requests vary.
FILTERS = [None, {"states": ["InStock"]}, {"states": ["Donated"]}, {"states": ["Scrap"]},
           {"states": ["InStock", "MarkedForShipment"]}, {"states": ["Lost"]}]


def manage_boxes(first=20, filter_input=None):
    variables = {"baseId": "1", "paginationInput": first}
    if filter_input:
        variables["filterInput"] = filter_input
    return json.dumps({"query": MANAGE_BOXES, "operationName": "BoxesForBoxesView",
                       "variables": variables}).encode()


def varied_bodies(count=24, seed=5):
    rng = random.Random(seed)
    return [manage_boxes(rng.choice([10, 20, 50]), rng.choice(FILTERS)) for _ in range(count)]


def box_view(label):
    return json.dumps({"query": BOX_VIEW, "operationName": "BoxByLabelIdentifier",
                       "variables": {"labelIdentifier": label}}).encode()


def mixed_reads(labels, count=48, seed=7):
    """The front-end's two busiest reads in turn: ManageBoxes (varied) and BoxView on labels."""
    rng = random.Random(seed)
    manage = varied_bodies(count // 2, seed)
    return [body for pair in zip(manage, (box_view(rng.choice(labels)) for _ in manage))
            for body in pair]


# What a client sees when the server's process is gone (refused, reset, closed mid-answer), as
# http.client raises it; a timeout is not among them (it is a request left waiting).
CONNECTION_ERRORS = ("ConnectionRefusedError", "ConnectionResetError", "ConnectionAbortedError",
                     "BrokenPipeError", "RemoteDisconnected", "IncompleteRead")


class Outcome:
    """One request: when it started (monotonic s), how long it took, its status (0 when the
    connection failed), whether it carried data without errors, and its error message."""
    __slots__ = ("started", "elapsed", "status", "ok", "message", "retry_after")

    def __init__(self, started, elapsed, status, ok, message, retry_after):
        self.started, self.elapsed, self.status = started, elapsed, status
        self.ok, self.message, self.retry_after = ok, message, retry_after

    def clear_error(self):
        """An HTTP error with a JSON body naming what went wrong."""
        return self.status >= 500 and bool(self.message)

    def connection_failed(self):
        """No HTTP answer because the connection was refused or broken (not a timeout)."""
        return self.status == 0 and self.message.startswith(CONNECTION_ERRORS)

    @property
    def finished(self):
        return self.started + self.elapsed


def post_once(conn, body, token, timeout, keep_alive=True):
    """POST on a connection; returns (status, parsed body or None, headers)."""
    conn.timeout = timeout
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if not keep_alive:
        headers["Connection"] = "close"
    conn.request("POST", "/graphql", body, headers)
    response = conn.getresponse()
    data = response.read()
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = None
    return response.status, parsed, dict(response.getheaders())


def classify(status, parsed, headers, started, elapsed):
    ok = status == 200 and isinstance(parsed, dict) and "data" in parsed and not parsed.get("errors")
    message = ""
    if isinstance(parsed, dict) and parsed.get("errors"):
        message = str(parsed["errors"][0].get("message", ""))
    return Outcome(started, elapsed, status, ok, message, headers.get("Retry-After"))


class Load:
    """`clients` threads, each on its own connection (kept alive, or a new one per request),
    posting bodies in a loop until stop(); every request's Outcome is kept. After a connection
    error a client waits `retry_pause` s before its next request, as a real client backs off
    instead of spinning on a refused port."""

    def __init__(self, port, token, bodies, clients, timeout=60.0, pause=0.0, keep_alive=True,
                 retry_pause=0.0):
        self.port, self.token, self.bodies = port, token, bodies
        self.timeout, self.pause, self.keep_alive = timeout, pause, keep_alive
        self.retry_pause = retry_pause
        self.outcomes = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                        for i in range(clients)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def _run(self, index):
        rng = random.Random(index)
        conn = None
        while not self.stopping.is_set():
            body = rng.choice(self.bodies)
            started = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                status, parsed, headers = post_once(conn, body, self.token, self.timeout,
                                                    self.keep_alive)
                outcome = classify(status, parsed, headers, started, time.monotonic() - started)
                if not self.keep_alive or headers.get("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                outcome = Outcome(started, time.monotonic() - started, 0, False, repr(e), None)
                if conn is not None:
                    conn.close()
                conn = None
            with self.lock:
                self.outcomes.append(outcome)
            if self.pause:
                time.sleep(self.pause)
            if self.retry_pause and outcome.status == 0:
                time.sleep(self.retry_pause)
        if conn is not None:
            conn.close()

    def stop(self, join_timeout=120):
        """Stop the clients; returns those still waiting for an answer after join_timeout s
        (one bound for all of them, not one each)."""
        self.stopping.set()
        deadline = time.monotonic() + join_timeout
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))
        hung = [t for t in self.threads if t.is_alive()]
        return hung

    def snapshot(self):
        with self.lock:
            return list(self.outcomes)


def _load_process(queue, port, token, bodies, clients, seconds, timeout, keep_alive):
    load = Load(port, token, bodies, clients, timeout=timeout, keep_alive=keep_alive).start()
    time.sleep(seconds)
    hung = load.stop()
    queue.put(([(o.started, o.elapsed, o.status, o.ok, o.message, o.retry_after)
                for o in load.snapshot()], len(hung)))


def load_in_processes(port, token, bodies, clients, seconds, processes=8, timeout=60.0,
                      keep_alive=True):
    """Like Load for `seconds`, with the clients spread over `processes` processes, so that
    one interpreter's lock does not make the clients themselves the bottleneck (200 client
    threads in one process stall each other for seconds). Returns (outcomes, clients that
    were still waiting for an answer when told to stop)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    share = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    workers = [context.Process(target=_load_process,
                               args=(queue, port, token, bodies, n, seconds, timeout, keep_alive))
               for n in share if n]
    for w in workers:
        w.start()
    outcomes, hung = [], 0
    for _ in workers:
        rows, stuck = queue.get(timeout=seconds + 180)
        outcomes.extend(Outcome(*row) for row in rows)
        hung += stuck
    for w in workers:
        w.join(30)
    return outcomes, hung


class Locker:
    """LOCK TABLES held from a session of the test's own (a mariadb client kept open), so
    that Depot's statements on the table wait as long as the test likes."""

    def __init__(self, db, *tables):
        self.process = subprocess.Popen(db.client() + ["--batch", "-N", "--unbuffered"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        locks = ", ".join(f"{t} WRITE" for t in tables)
        self.process.stdin.write(f"LOCK TABLES {locks};\nSELECT CONNECTION_ID();\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline().strip()
        if not line.isdigit():
            raise RuntimeError(f"LOCK TABLES failed: {line}")
        self.id = int(line)

    def release(self):
        if self.process.poll() is None:
            self.process.stdin.write("UNLOCK TABLES;\n")
            self.process.stdin.close()
            self.process.wait(timeout=30)
        self.process.stdout.close()


def running_statements(db, exclude_id):
    """Statements running on the server now, except the checker's own and exclude_id's."""
    rows = db.sql("SELECT ID, TIME_MS, LEFT(INFO, 120) FROM information_schema.PROCESSLIST "
                  f"WHERE COMMAND = 'Query' AND ID <> CONNECTION_ID() AND ID <> {int(exclude_id)}")
    return rows


def rss_kb(pid):
    """Resident set size of a process in kB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler:
    """Samples the RSS of named processes every interval seconds in a thread; peak per name."""

    def __init__(self, pids, interval=0.2):
        self.pids, self.interval = dict(pids), interval
        self.peak = {name: rss_kb(pid) for name, pid in self.pids.items()}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def _run(self):
        while not self.stopping.wait(self.interval):
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], rss_kb(pid))

    def stop(self):
        self.stopping.set()
        self.thread.join(10)
        return self.peak


class Cluster:
    """Depot's three-process form with `dbs` db-svc and `resolvers` resolver-svc processes
    (every resolver connects to every db-svc) and one gateway, on free ports. Processes are
    named "db0", "db1", ..., "resolver0", ..., "gateway" and can be killed and restarted one
    by one; each restart appends to the same log. Each process has its name as
    DEPOT_INSTANCE_NAME, as a container keeps its host name across restarts: a restarted
    process is the same place to its peers, with a new instance id."""

    def __init__(self, db, keys, folder, dbs=2, resolvers=2, extra_env=None):
        self.folder = folder
        self.port = harness.free_port()
        self.url = f"http://127.0.0.1:{self.port}/graphql"
        self.db_ports = [harness.free_port() for _ in range(dbs)]
        backend = harness.free_port()
        env = dict(os.environ)
        env.update({
            "MYSQL_SOCKET": db.socket, "MYSQL_USER": "root", "MYSQL_DB": db.database,
            "AUTH0_DOMAIN": harness.DOMAIN, "AUTH0_AUDIENCE": harness.AUDIENCE,
            "DEPOT_PUBLIC_KEY_FILE": keys.public, "DEPOT_PORT": str(self.port),
            "DEPOT_BACKEND_BIND": f"tcp://127.0.0.1:{backend}",
            "DEPOT_BACKEND_CONNECT": f"tcp://127.0.0.1:{backend}",
            "DEPOT_DB_CONNECT": ",".join(f"tcp://127.0.0.1:{p}" for p in self.db_ports),
        })
        env.update(extra_env or {})
        self.env = env
        self.commands = {}
        for i, p in enumerate(self.db_ports):
            self.commands[f"db{i}"] = ([harness.binary("db-svc", "db-svc")],
                                       {"DEPOT_DB_BIND": f"tcp://127.0.0.1:{p}"})
        for i in range(resolvers):
            self.commands[f"resolver{i}"] = ([harness.binary("resolver-svc", "resolver-svc")], {})
        self.commands["gateway"] = ([harness.binary("gateway", "gateway")], {})
        self.processes = {}
        self.logs = {}
        for name in self.commands:
            self.start(name)
        self.wait_ready(keys)

    def start(self, name):
        args, extra = self.commands[name]
        log = self.logs.get(name) or open(os.path.join(self.folder, f"{name}.log"), "ab")
        self.logs[name] = log
        env = dict(self.env, DEPOT_INSTANCE_NAME=name)
        env.update(extra)
        self.processes[name] = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)

    def kill(self, name):
        """SIGKILL: no goodbye, no DISCONNECT."""
        p = self.processes[name]
        p.send_signal(signal.SIGKILL)
        p.wait(30)

    def pid(self, name):
        return self.processes[name].pid

    def alive(self):
        return {name: p.poll() is None for name, p in self.processes.items()}

    def wait_ready(self, keys):
        token = keys.token()
        deadline = time.time() + harness.STARTUP_SECONDS
        while time.time() < deadline:
            for name, p in self.processes.items():
                if p.poll() is not None:
                    raise RuntimeError(f"{name} exited with {p.returncode}: see {name}.log")
            try:
                status, _, _ = harness.post(self.url, {"query": "{ __typename }"}, token, timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the cluster did not answer in time")

    def wait_serving(self, seconds):
        """Poll GET /readyz (a real request through a resolver, db-svc and MariaDB) until it
        answers 200; returns the monotonic time it did, or None after `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=5) as r:
                    if r.status == 200:
                        return time.monotonic()
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.02)
        return None

    def stop(self):
        """SIGTERM every process still running; returns {name: exit code} of those."""
        codes = {}
        running = {name: p for name, p in self.processes.items() if p.poll() is None}
        for p in running.values():
            p.terminate()
        for name, p in running.items():
            try:
                codes[name] = p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                codes[name] = "hung"
        for log in self.logs.values():
            log.close()
        # A process that did not stop cleanly: show the end of its log (the sanitizer's
        # report, an assertion) in the test's output, since the scratch folder goes away.
        for name, code in codes.items():
            if code != 0:
                with open(os.path.join(self.folder, f"{name}.log"), "rb") as f:
                    tail = f.read()[-6000:].decode("utf-8", "replace")
                print(f"\n--- {name} exited with {code}; the end of {name}.log:\n{tail}", flush=True)
        return codes

    def warnings(self, most=60):
        """The warning and error lines of every process's log (their last `most`), to show
        why a case failed: the logs go away with the scratch folder."""
        lines = []
        for name in self.commands:
            path = os.path.join(self.folder, f"{name}.log")
            if not os.path.exists(path):
                continue
            with open(path, "rb") as f:
                for line in f.read().decode("utf-8", "replace").splitlines():
                    if '"level":"warn"' in line or '"level":"error"' in line or "ERROR" in line:
                        lines.append(f"{name}: {line}")
        return lines[-most:]


def summary(outcomes):
    """Counts by status, for messages."""
    counts = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    return counts
