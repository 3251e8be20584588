#!/usr/bin/env python3
"""Live updates' benchmark (issue 19): memory per idle subscriber and COMMIT-to-delivery latency.

Starts a private MariaDB with the demo data and Depot as separate processes with live updates
(harness.Depot(form="three", live=True): live-svc is a process of its own, so its memory is its
own), then measures:
  idle     N idle subscribers (default 5,000) of boxesChanged on base 1 (graphql-ws clients,
           tests/js/live_many.mjs, in processes of at most 2,500): live-svc's RSS (VmRSS) before
           and after they are all acked, per subscriber;
  latency  M subscribers (default 1,000) of boxesChanged on base 1 while bench.py's P1 load
           (ManageBoxes at 16 connections, wrk) runs: a writer (one mysql client session) sends
           one-row UPDATEs of a box of base 1, each with a new numberOfItems, a change every
           0.3 s (beyond the coalescing window: one event per change); the commit time is taken
           when the writer reads the statement's answer after its autocommit, the delivery time
           at each client on receipt; both are this machine's clock. p50 and p99 over every
           delivery.
The machine's load (os.getloadavg) is recorded before and after each part. The file-descriptor
limit is raised to its hard limit first (live-svc and the clients inherit it).
Usage: bench/live_bench.py [--build DIR] [--idle N] [--subscribers M] [--changes K]
Results: bench/results/<date>-issue19-live.{md,json}.
Licensed under the Apache License 2.0.
"""
import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import threading
import time

from common import (FILTERS, REPO, RESULTS, Demo, harness, manage_boxes_body, memory_kib, percentile, wrk,
                    write_report)

MANY = os.path.join(REPO, "tests", "js", "live_many.mjs")
PER_PROCESS = 2500
BOXES = """subscription Live($baseId: ID!) {
  boxesChanged(baseId: $baseId) { changed { id labelIdentifier numberOfItems } removedBoxIds }
}"""


class Clients:
    """live_many.mjs processes holding n subscribers of BOXES between them (quiet output)."""

    def __init__(self, folder, url, token, n, name):
        self.processes, self.paths = [], []
        for k in range(0, n, PER_PROCESS):
            count = min(PER_PROCESS, n - k)
            path = os.path.join(folder, f"{name}-{k}.jsonl")
            out = open(path, "wb")
            p = subprocess.Popen(["node", "--max-old-space-size=4096", MANY, url, "quiet"],
                                 stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT)
            p.stdin.write(json.dumps([{"name": name, "token": token, "query": BOXES,
                                       "variables": {"baseId": "1"}, "count": count}]).encode())
            p.stdin.close()
            self.processes.append((p, out, count))
            self.paths.append(path)

    def lines(self):
        for path in self.paths:
            with open(path) as f:
                for line in f:
                    if line.endswith("\n") and line.startswith("{"):
                        yield json.loads(line)

    def wait_ready(self, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            ready = [m for m in self.lines() if "ready" in m]
            if len(ready) == len(self.processes):
                return
            errors = [m for m in self.lines() if "error" in m or "closed" in m]
            if errors:
                raise RuntimeError(f"subscribers failed: {errors[:3]}")
            time.sleep(0.5)
        raise RuntimeError("subscribers not acked in time")

    def stop(self):
        for p, out, _ in self.processes:
            p.terminate()
            p.wait(timeout=30)
            out.close()


class Writer:
    """One mysql client session: each statement's end is read back, so the time taken when its
    marker arrives is just after its COMMIT returned."""

    def __init__(self, db):
        self.process = subprocess.Popen(db.client() + ["--batch", "--raw", "-N", "--unbuffered"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def run(self, statement):
        self.process.stdin.write(f"{statement};\nSELECT 'done';\n")
        self.process.stdin.flush()
        while self.process.stdout.readline().strip() != "done":
            pass
        return time.time() * 1000

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--idle", type=int, default=5000)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=40)
    parser.add_argument("--out", default=os.path.join(RESULTS, f"{datetime.date.today()}-issue19-live"))
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    results = {"cores": os.cpu_count(), "fd_limit": hard, "build": os.path.basename(args.build)}
    with Demo(args.build) as demo:
        db, scratch = demo.db, demo.scratch
        token = demo.keys.token()
        depot = demo.depot(form="three", debug=False, live=True, extra_env={"DEPOT_THREADS": "128"})
        live_pid = depot.processes[depot.commands["live-svc"][0]].pid

        # (a) idle subscribers: live-svc's memory per subscriber.
        time.sleep(2)
        results["idle_load_before"] = os.getloadavg()
        before = memory_kib(live_pid, "VmRSS")
        idle = Clients(scratch.path, depot.live_url, token, args.idle, "idle")
        idle.wait_ready(600)
        time.sleep(3)
        after = memory_kib(live_pid, "VmRSS")
        idle.stop()
        results.update({"idle_subscribers": args.idle, "rss_before_kib": before, "rss_after_kib": after,
                        "per_subscriber_bytes": (after - before) * 1024 / args.idle,
                        "idle_load_after": os.getloadavg()})
        print(f"idle: {args.idle} subscribers, live-svc RSS {before} -> {after} KiB, "
              f"{results['per_subscriber_bytes']:.0f} bytes each", flush=True)

        # (b) COMMIT-to-delivery latency under the read benchmark's P1 load.
        time.sleep(5)                   # the idle clients' connections are closed
        subscribers = Clients(scratch.path, depot.live_url, token, args.subscribers, "live")
        subscribers.wait_ready(600)
        time.sleep(2)                   # the group has read its view
        box_id = db.scalar("SELECT s.id FROM stock s JOIN locations l ON l.id = s.location_id"
                           " WHERE l.camp_id = 1 AND s.items IS NOT NULL ORDER BY s.id LIMIT 1")
        items = int(db.scalar(f"SELECT items FROM stock WHERE id = {box_id}"))
        query = harness.read_query("manage_boxes.graphql")
        bodies_file = demo.bodies("bodies.txt", [manage_boxes_body(query, 50, f) for f in FILTERS])
        duration = int(args.changes * 0.3) + 10
        load = {}
        reader = threading.Thread(target=lambda: load.update(
            wrk(depot.url, bodies_file, token, 16, duration)))
        results["latency_load_before"] = os.getloadavg()
        reader.start()
        time.sleep(3)                   # the read load is running
        writer = Writer(db)
        committed = {}
        for k in range(1, args.changes + 1):
            committed[items + k] = writer.run(f"UPDATE stock SET items = {items + k} WHERE id = {box_id}")
            time.sleep(0.3)
        writer.stop()
        time.sleep(3)
        results["latency_load_during"] = os.getloadavg()
        reader.join()
        subscribers.stop()
        latencies, delivered = [], 0
        for m in subscribers.lines():
            for item in m.get("items") or []:
                value = int(item.split(":")[1])
                if value in committed:
                    latencies.append(m["at"] - committed[value])
                    delivered += 1
        expected = args.subscribers * args.changes
        results.update({"subscribers": args.subscribers, "changes": args.changes,
                        "deliveries": delivered, "deliveries_expected": expected,
                        "latency_p50_ms": statistics.median(latencies),
                        "latency_p99_ms": percentile(latencies, 99),
                        "latency_max_ms": max(latencies), "read_load": load})
        print(f"latency: {delivered}/{expected} deliveries, p50 {results['latency_p50_ms']:.1f} ms, "
              f"p99 {results['latency_p99_ms']:.1f} ms; P1 at 16 connections {load.get('rps', 0):.0f} req/s",
              flush=True)
    report(results, args.out)


def report(r, out):
    load = lambda t: " / ".join(f"{x:.1f}" for x in t)  # noqa: E731
    write_report(out, f"""# Live updates (issue 19): memory per subscriber, COMMIT-to-delivery latency

`bench/live_bench.py --build {r['build']}`, {datetime.datetime.now():%Y-%m-%d %H:%M}, a shared
{r['cores']}-core machine; Depot as separate processes, live-svc on its own; clients are
graphql-ws under Node on the same machine (fd limit {r['fd_limit']}).

| figure | value |
|---|---|
| idle subscribers (boxesChanged, base 1, one group) | {r['idle_subscribers']:,} |
| live-svc RSS before / after | {r['rss_before_kib']:,} / {r['rss_after_kib']:,} KiB |
| per subscriber | {r['per_subscriber_bytes']:,.0f} bytes |
| machine load (1/5/15 min) before / after | {load(r['idle_load_before'])} / {load(r['idle_load_after'])} |
| subscribers of base 1 for latency | {r['subscribers']:,} |
| changes (one-row UPDATEs, 0.3 s apart) | {r['changes']} |
| deliveries / expected | {r['deliveries']:,} / {r['deliveries_expected']:,} |
| COMMIT-to-delivery p50 / p99 / max | {r['latency_p50_ms']:.1f} / {r['latency_p99_ms']:.1f} / {r['latency_max_ms']:.1f} ms |
| read load meanwhile (P1 at 16 connections) | {r['read_load'].get('rps', 0):.0f} req/s, p99 {r['read_load'].get('p99_ms', 0):.1f} ms |
| machine load before / during | {load(r['latency_load_before'])} / {load(r['latency_load_during'])} |

The commit time is taken when the writer reads its statement's answer (autocommit: just after
COMMIT returned), the delivery time when each client receives the event, both on this
machine's clock. Each change goes binlog -> feed -> live-svc -> one resolution for the group
(view, then the changed box) -> 1,000 WebSocket frames, under the coalescing window (50 ms).
""", r)


if __name__ == "__main__":
    main()
