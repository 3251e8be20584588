#!/usr/bin/env python3
"""The change feed's benchmark (issue 18) on this machine.

Starts a private MariaDB (binary log on, as scripts/mariadb.sh runs it) with Depot's DDL,
indexes and the 8,201-box demo base, the one-process `depot` (Release build) with its feed on
a TCP endpoint, and a subscriber (depot-feed-sub), then measures:
  - events per second the feed sustains: one UPDATE of every box of the base in one
    transaction (8,201 row changes), and 2,000 one-row transactions sent back to back by one
    client; from the first statement sent until the subscriber has the last change;
  - its lag at the write benchmark's load: updateBox at 16 connections (wrk, as
    bench/write_bench.py), sampling /metrics' depot_feed_lag_seconds and
    depot_feed_transactions_behind every 100 ms; then how long after the load the feed has
    every change.
Every change is counted at the subscriber; a missing one stops the run. Results: a Markdown
table in bench/results/. Usage: bench/feed_bench.py [--build DIR] [--duration SECONDS]
Licensed under the Apache License 2.0.
"""
import argparse
import datetime
import os
import re
import statistics
import subprocess
import threading
import time
import urllib.request

from common import REPO, RESULTS, Demo, harness, wrk, write_report
from write_bench import PERMISSIONS, document, editable_boxes, update_body


class Subscriber:
    def __init__(self, folder, endpoint):
        self.path = os.path.join(folder, "feed.jsonl")
        self.out = open(self.path, "wb")
        self.process = subprocess.Popen([harness.binary("feed-svc", "depot-feed-sub"), endpoint],
                                        stdout=self.out)

    def changes(self):
        with open(self.path) as f:
            return sum(1 for line in f if line.startswith('{"type":"change"'))

    def wait_changes(self, count, timeout=300):
        """Seconds until the subscriber has count changes in all."""
        start = time.time()
        while self.changes() < count:
            if time.time() - start > timeout:
                raise SystemExit(f"the feed delivered {self.changes()} of {count} changes")
            time.sleep(0.01)
        return time.time() - start

    def wait_status(self):
        while True:
            with open(self.path) as f:
                if any('"type":"status"' in line for line in f):
                    return
            time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.out.close()


def feed_metrics(depot):
    with urllib.request.urlopen(depot.url.replace("/graphql", "/metrics"), timeout=10) as r:
        text = r.read().decode()
    get = lambda name: float(re.search(rf"^{name} (\S+)$", text, re.M).group(1))  # noqa: E731
    return get("depot_feed_lag_seconds"), get("depot_feed_transactions_behind")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    with Demo(args.build) as demo:
        db, scratch = demo.db, demo.scratch
        token = demo.keys.token(permissions=PERMISSIONS)
        endpoint = f"tcp://127.0.0.1:{harness.free_port()}"
        depot = demo.depot(debug=False, extra_env={"DEPOT_FEED_BIND": endpoint})
        sub = Subscriber(scratch.path, endpoint)
        try:
            measure(db, scratch, depot, sub, token, args.duration)
        finally:
            sub.stop()


def measure(db, scratch, depot, sub, token, duration):
    """The feed's figures (the module's docstring), reported."""
    sub.wait_status()
    results = {"cores": os.cpu_count(), "load": os.getloadavg()}
    seen = 0

    # One transaction of every box.
    boxes = int(db.scalar("SELECT COUNT(*) FROM stock"))
    start = time.time()
    db.sql("UPDATE stock SET comments = CONCAT('feed bench ', id)")
    seen += boxes
    sub.wait_changes(seen)
    elapsed = time.time() - start
    results["one_transaction"] = {"rows": boxes, "seconds": elapsed, "per_s": boxes / elapsed}

    # 2,000 one-row transactions, back to back on one session.
    ids = [int(r[0]) for r in db.sql("SELECT id FROM stock ORDER BY id LIMIT 2000")]
    script = "".join(f"UPDATE stock SET comments = 'single {i}' WHERE id = {box};\n"
                     for i, box in enumerate(ids))
    start = time.time()
    db.load_bytes(script.encode())
    seen += len(ids)
    sub.wait_changes(seen)
    elapsed = time.time() - start
    results["single_transactions"] = {"rows": len(ids), "seconds": elapsed,
                                      "per_s": len(ids) / elapsed}

    # The write benchmark's load: updateBox at 16 connections, /metrics sampled meanwhile.
    rows = editable_boxes(db, 800)[400:]
    update = document("UpdateContentOfBox")
    bodies_file = os.path.join(scratch.path, "update.txt")
    with open(bodies_file, "w") as f:
        for i in range(2000):
            f.write(update_body(update, rows[i % len(rows)], f"load {i}") + "\n")
    before = int(db.scalar("SELECT COUNT(*) FROM history"))
    samples, stop = [], threading.Event()

    def sample():
        while not stop.is_set():
            samples.append(feed_metrics(depot))
            time.sleep(0.1)
    sampler = threading.Thread(target=sample)
    sampler.start()
    load = wrk(depot.url, bodies_file, token, 16, duration)
    stop.set()
    sampler.join()
    end = time.time()
    # An updateBox that changed its box wrote the stock row and one history row (only the
    # comment differs); one that set the comment the box had wrote nothing (no row event).
    written = int(db.scalar("SELECT COUNT(*) FROM history")) - before
    expected = 2 * written
    # The feed has caught up when /metrics says nothing is behind.
    while feed_metrics(depot)[1] > 0:
        time.sleep(0.05)
    catch_up = time.time() - end
    sub.wait_changes(seen + expected)
    delivered = sub.changes() - seen
    if delivered != expected:
        raise SystemExit(f"{delivered} changes delivered, {expected} written")
    lags = [s[0] for s in samples]
    behind = [s[1] for s in samples]
    results["under_load"] = {
        "wrk": load, "history_rows": written, "changes": delivered,
        "changes_per_s": delivered / duration, "samples": len(samples),
        "lag_p50_s": statistics.median(lags), "lag_max_s": max(lags),
        "behind_p50": statistics.median(behind), "behind_max": max(behind),
        "catch_up_s": catch_up, "answers": load["statuses"].get(200, 0)}
    report(results)


def report(r):
    today = datetime.date.today().isoformat()
    one, single, load = r["one_transaction"], r["single_transactions"], r["under_load"]
    lines = [
        f"# Depot change feed benchmark, {today}",
        "",
        f"Machine: {r['cores']} cores shared with other work (load average {r['load'][0]:.1f} at "
        "the start); MariaDB (binary log on, ROW) on the same machine; 8,201-box demo base; "
        "Release build; one-process `depot` with its feed; one subscriber (`depot-feed-sub`); "
        "`bench/feed_bench.py`.",
        "",
        "| what | row changes | seconds | changes per second at the subscriber |",
        "|---|---|---|---|",
        f"| one UPDATE of every box, one transaction | {one['rows']} | {one['seconds']:.2f} | "
        f"{one['per_s']:.0f} |",
        f"| one-row transactions back to back, one client | {single['rows']} | "
        f"{single['seconds']:.2f} | {single['per_s']:.0f} |",
        "",
        f"Under the write benchmark's load (updateBox at 16 connections: {load['wrk']['rps']:.0f}"
        f" req/s, p50 {load['wrk']['p50_ms']:.1f} ms; {load['answers']} answers, "
        f"{load['history_rows']} of them changed their box, the others set the comment it had): "
        f"{load['changes']} changes published, as many as SQL says were written (each changed box:"
        f" its stock row and one history row), {load['changes_per_s']:.0f}/s; "
        f"/metrics sampled every 100 ms ({load['samples']} samples): transactions behind p50 "
        f"{load['behind_p50']:.0f}, max {load['behind_max']:.0f}; lag p50 "
        f"{load['lag_p50_s']:.0f} s, max {load['lag_max_s']:.0f} s (whole seconds: the binlog's"
        f" event times; 0 is under a second); /metrics showed nothing behind "
        f"{load['catch_up_s']:.2f} s after the load ended.",
        "",
    ]
    prefix = os.path.join(RESULTS, f"{today}-issue18-feed")
    write_report(prefix, "\n".join(lines), r)


if __name__ == "__main__":
    main()
