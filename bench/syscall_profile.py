#!/usr/bin/env python3
"""System calls per ManageBoxes request, per thread of `depot` (issue 21).

On a VM a system call is dear (the kernel's share of Depot's CPU under the varied pages was about
a quarter), and Depot's threads hand each request to one another over ZeroMQ: every turn of an
actor's loop costs polls, and libzmq's fork check (getpid) with each. This bench starts a private
MariaDB with the demo data of scripts/run.sh and, for each build given (in turn, on the same
data), the one-process `depot` with its change feed; sends issue 21's varied ManageBoxes pages at
16 connections (wrk) and, in the middle of the run, traces `depot` with strace for a few seconds:
the system calls of each thread, by its name (/proc/<pid>/task/<tid>/comm: dp-resolver, dp-db,
dp-broker, civetweb-worker, ...; a build whose threads have no names shows them as `depot`),
divided by the requests answered meanwhile (the gateway's /metrics). strace slows Depot down; the
counts per request are what it tells, not the time.
Usage: bench/syscall_profile.py --build build-rel [--before OLD/build-rel] [--seconds 3]
       [--out PREFIX]
Results: bench/results/<date>-issue21-syscalls.md and .json (--out another prefix).
Licensed under the Apache License 2.0.
"""
import argparse
import collections
import datetime
import os
import re
import subprocess
import threading
import time
import urllib.request

from common import LIMITS, RESULTS, Demo, builds_compared, tree_of, wrk, write_report
from manage_boxes_bench import VARIED

CALLS = ("poll", "getpid", "read", "write", "sendto", "recvfrom", "sendmsg", "recvmsg", "writev",
         "futex")
WRK_SECONDS = 12        # the trace starts after WARM_S and lasts --seconds, inside the run
WARM_S = 4


def answered(port):
    """GraphQL answers the gateway counted so far (every status)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        text = r.read().decode()
    return sum(int(n) for n in re.findall(
        r'^depot_gateway_http_requests_total\{route="graphql"[^}]*\} (\d+)', text, re.M))


def thread_names(pid):
    names = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                names[tid] = f.read().strip()
        except OSError:
            pass
    return names


def trace(depot, seconds, scratch):
    """System calls by thread name over `seconds` of the running load, and the answers meanwhile."""
    pid = depot.processes[0].pid
    names = thread_names(pid)
    out = os.path.join(scratch, "strace.txt")
    before = answered(depot.port)
    subprocess.run(["timeout", "-s", "INT", str(seconds), "strace", "-f", "-qq", "-o", out,
                    "-e", "trace=" + ",".join(CALLS), "-p", str(pid)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    requests = answered(depot.port) - before
    counts = collections.defaultdict(collections.Counter)
    with open(out) as f:
        for line in f:
            m = re.match(r"(\d+)\s+(?:<\.\.\. )?(\w+)", line)
            if m and m.group(2) in CALLS and "resumed>" not in line:
                counts[names.get(m.group(1), "depot")][m.group(2)] += 1
    return requests, {name: dict(c) for name, c in counts.items()}


def measure(demo, build, label, seconds):
    token = demo.keys.token()
    depot = demo.depot(build=build, feed=True, extra_env=LIMITS)
    try:
        varied = demo.bodies("varied.txt", VARIED)
        wrk(depot.url, varied, token, 16, 3)                    # warm: rows kept, counts cached
        load = {}
        runner = threading.Thread(target=lambda: load.update(wrk(depot.url, varied, token, 16,
                                                                 WRK_SECONDS)))
        runner.start()
        time.sleep(WARM_S)
        requests, counts = trace(depot, seconds, demo.scratch.path)
        runner.join()
        print(f"{label}: {requests} answers traced, {load.get('rps', 0):.0f} req/s over the run",
              flush=True)
        return {"requests": requests, "calls": counts, "rps_traced_run": load.get("rps")}
    finally:
        demo.stop(depot)


def report(results, prefix):
    lines = [f"# System calls per ManageBoxes request, per thread ({datetime.date.today().isoformat()})", "",
             f"Machine: {os.cpu_count()} cores; the demo data of scripts/run.sh (8,201 boxes in base 1); "
             "the one-process `depot` with its change feed, Release build; issue 21's 80 varied "
             f"ManageBoxes pages at 16 connections (wrk); strace -f over {results['seconds']} s in the "
             "middle of the run; each cell: calls of that thread kind divided by the answers in the "
             "trace's window (the gateway's /metrics). A build whose threads have no names shows "
             "them as `depot`.", ""]
    for label in results["builds"]:
        lines.append(f"- {label}: {results['trees'][label]}")
    for label in results["builds"]:
        run = results["runs"][label]
        n = max(run["requests"], 1)
        lines += ["", f"## {label} ({run['requests']} answers traced)", "",
                  "| thread | " + " | ".join(CALLS) + " | all |", "|---|" + "---|" * (len(CALLS) + 1)]
        totals = collections.Counter()
        for name, calls in sorted(run["calls"].items(), key=lambda kv: -sum(kv[1].values())):
            totals.update(calls)
            lines.append(f"| {name} | " + " | ".join(f"{calls.get(c, 0) / n:.1f}" for c in CALLS)
                         + f" | {sum(calls.values()) / n:.1f} |")
        lines.append("| **all** | " + " | ".join(f"{totals.get(c, 0) / n:.1f}" for c in CALLS)
                     + f" | **{sum(totals.values()) / n:.1f}** |")
    write_report(prefix, "\n".join(lines) + "\n", results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True)
    parser.add_argument("--before")
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--out", default=os.path.join(
        RESULTS, f"{datetime.date.today().isoformat()}-issue21-syscalls"))
    args = parser.parse_args()
    builds = builds_compared(args.build, args.before)
    results = {"builds": [label for label, _ in builds], "seconds": args.seconds,
               "trees": {label: tree_of(build) for label, build in builds}, "runs": {}}
    with Demo(args.build, others=[b for _, b in builds[:-1]]) as demo:
        for label, build in builds:
            results["runs"][label] = measure(demo, build, label, args.seconds)
    report(results, args.out)


if __name__ == "__main__":
    main()
