#!/usr/bin/env python3
"""Depot's benchmarks P4 and P5 (spec/PERFORMANCE.md) and the coalescing figure (issue 5).

Starts a private MariaDB on a loopback TCP port with Depot's DDL, indexes and the 8,201-box demo
data, and the one-process `depot` (Release build) against it, then measures:
  P4  "MariaDB 10 ms away": bench/delay_proxy.c (built here with cc) between Depot and MariaDB
      delays every byte by 5 ms each way. For P1 (ManageBoxes, first 50, varied filters) and P3
      (BoxView, random labels): the single-request median with the delay, throughput at 64
      connections with and without it (wrk), and the ratio to the ideal
      min(64 / single-request latency with the delay, throughput at 64 without it).
  P5  P3 p99 over sequential requests alone, and while 4 clients loop P2 (the full ManageBoxes
      preload, first: 100000).
  Coalescing: SQL statements per request (MariaDB's Com_select over requests answered) at 1, 16
      and 64 connections, DEPOT_DB_COALESCE on and off, on varied requests (random bases of the
      organisation, page sizes, filters; BoxView on random labels).
  503s (issue 12, `--only shed`, not part of the default run): P1 and P3 at 64 and 256
      connections against Depot at its default settings (threads, admission limit, pool): the
      share of answers that are 503, p50/p99 of all answers, throughput of all answers and of
      the 200s alone; printed as a Markdown table.
Results: a Markdown table, the JSON and an SVG plot in bench/results/.
Usage: bench/resilience_bench.py [--build DIR] [--duration SECONDS] [--pool N] [--only p4,p5,coalescing,shed]
Licensed under the Apache License 2.0.
"""
import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import time

from common import (FILTERS, HERE, LIMITS, REPO, harness, manage_boxes_body, percentile, timed_post, wrk,
                    write_bodies, write_report)

DELAY_MS = 5.0          # one way: 10 ms per round trip


def box_view(query, label):
    return json.dumps({"query": query, "operationName": "BoxByLabelIdentifier",
                       "variables": {"labelIdentifier": label}})


def post_ms(port, payload, token):
    elapsed, _ = timed_post(port, payload, token)
    return elapsed * 1000


class Setup:
    def __init__(self, build, pool):
        self.pool = pool
        os.environ["DEPOT_BUILD_DIR"] = build
        harness.BUILD = build
        self.scratch = harness.Scratch()
        self.db = harness.MariaDB(self.scratch.path)
        harness.load_demo(self.db)
        # Again with a TCP port: Depot reaches MariaDB over TCP, directly or through the proxy.
        folder = os.path.join(self.scratch.path, "mariadb")
        script = os.path.join(REPO, "scripts", "mariadb.sh")
        subprocess.run([script, "stop", folder], check=True, timeout=120)
        self.mariadb_port = harness.free_port()
        subprocess.run([script, "start", folder, str(self.mariadb_port)], check=True,
                       capture_output=True, timeout=120)
        self.proxy_bin = os.path.join(self.scratch.path, "delay_proxy")
        subprocess.run(["cc", "-O2", "-o", self.proxy_bin, os.path.join(HERE, "delay_proxy.c")],
                       check=True)
        self.proxy_port = harness.free_port()
        self.proxy = subprocess.Popen([self.proxy_bin, str(self.proxy_port), str(self.mariadb_port),
                                       str(DELAY_MS)], stdout=subprocess.PIPE, text=True)
        assert self.proxy.stdout.readline().strip() == "ready"
        self.keys = harness.Keys(self.scratch.path)
        self.bases = [int(r[0]) for r in self.db.sql(
            "SELECT id FROM camps WHERE organisation_id = 1 AND deleted IS NULL ORDER BY id")]
        permissions = [f"base_{b}/{r}:read" for b in self.bases for r in harness.RESOURCES]
        self.token = self.keys.token(base_ids=self.bases, permissions=permissions)
        self.labels = [r[0] for r in self.db.sql(
            "SELECT s.box_id FROM stock s JOIN locations l ON l.id = s.location_id "
            f"WHERE l.camp_id IN ({','.join(map(str, self.bases))}) ORDER BY RAND(3) LIMIT 400")]
        self.mb = harness.read_query("manage_boxes.graphql")
        self.bv = harness.read_query("box_view.graphql")

    def depot(self, name, delayed, coalesce=True, resolvers=1, pool=None):
        env = dict(LIMITS, DEPOT_RESOLVERS=str(resolvers),
                   DEPOT_DB_COALESCE="1" if coalesce else "0", DEPOT_DB_POOL=str(pool or self.pool),
                   DEPOT_DB_POOL_MIN=str(pool or self.pool))
        return self.depot_with(name, delayed, env)

    def depot_with(self, name, delayed, env):
        """Depot reaching MariaDB over TCP (through the proxy when delayed), with env on top
        of its defaults."""
        folder = os.path.join(self.scratch.path, name)
        os.makedirs(folder, exist_ok=True)
        env = dict(env, MYSQL_HOST="127.0.0.1",
                   MYSQL_PORT=str(self.proxy_port if delayed else self.mariadb_port))
        return harness.Depot(self.db, self.keys, folder, form="one", debug=False, extra_env=env)

    def workloads(self):
        """{"p1": file, "p3": file} of wrk's request bodies: ManageBoxes first 50 with the
        front-end's filters, BoxView on 200 random labels."""
        rng = random.Random(5)
        return {"p1": write_bodies(os.path.join(self.scratch.path, "p1.txt"),
                                   [manage_boxes_body(self.mb, 50, f) for f in FILTERS]),
                "p3": write_bodies(os.path.join(self.scratch.path, "p3.txt"),
                                   [box_view(self.bv, rng.choice(self.labels)) for _ in range(200)])}

    def close(self):
        self.proxy.terminate()
        self.proxy.wait(10)
        self.db.stop()
        self.scratch.remove()


def p4(s, duration, results, pool):
    workloads = s.workloads()
    out = {}
    for delayed in (False, True):
        depot = s.depot(f"p4-{pool}-{'delayed' if delayed else 'direct'}", delayed, pool=pool)
        try:
            for name, path in workloads.items():
                with open(path) as f:
                    bodies = f.read().splitlines()
                for b in bodies[:8]:
                    timed_post(depot.port, b, s.token)        # warm up
                single = statistics.median(post_ms(depot.port, bodies[i % len(bodies)], s.token)
                                           for i in range(30))
                w = wrk(depot.url, path, s.token, 64, duration)
                out[(name, delayed)] = {"single_ms": single, "rps64": w["rps"],
                                        "p99_64_ms": w["p99_ms"], "non2xx": w["non2xx"]}
        finally:
            depot.stop()
    for name in ("p1", "p3"):
        direct, delayed = out[(name, False)], out[(name, True)]
        ideal = min(64 / (delayed["single_ms"] / 1000), direct["rps64"])
        results[f"p4_{name}_pool_{pool}"] = {"direct": direct, "delayed": delayed,
                                             "ideal_rps": ideal, "ratio": delayed["rps64"] / ideal}


def p5(s, results, resolvers):
    depot = s.depot(f"p5-{resolvers}", delayed=False, resolvers=resolvers)
    rng = random.Random(9)
    try:
        bodies = [box_view(s.bv, rng.choice(s.labels)) for _ in range(300)]
        preload = manage_boxes_body(s.mb, 100000)
        for b in bodies[:20]:
            timed_post(depot.port, b, s.token)
        preload_alone = post_ms(depot.port, preload, s.token)
        alone = [post_ms(depot.port, b, s.token) for b in bodies]
        # The 4 preload clients are wrk's (C, responses read and dropped): Python threads
        # parsing 13 MB answers would hold the interpreter lock and delay the measuring client.
        path = write_bodies(os.path.join(s.scratch.path, "preload.txt"), [preload])
        env = dict(os.environ, DEPOT_BENCH_BODIES=path, DEPOT_BENCH_TOKEN=s.token)
        loop = subprocess.Popen(["wrk", "-t2", "-c4", "-d300s", "--timeout", "60s",
                                 "-s", os.path.join(HERE, "manage_boxes.lua"), depot.url],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(2)
            loaded = [post_ms(depot.port, b, s.token) for b in bodies]
        finally:
            loop.terminate()
            loop.wait(30)
        r = {"p99_alone_ms": percentile(alone, 99), "p50_alone_ms": percentile(alone, 50),
             "p99_loaded_ms": percentile(loaded, 99), "p50_loaded_ms": percentile(loaded, 50),
             "preload_alone_ms": preload_alone}
        r["ratio"] = r["p99_loaded_ms"] / r["p99_alone_ms"]
        results[f"p5_resolvers_{resolvers}"] = r
    finally:
        depot.stop()


def coalescing(s, duration, results):
    rng = random.Random(13)
    bodies = []
    for _ in range(400):
        if rng.random() < 0.7:
            bodies.append(manage_boxes_body(s.mb, base=rng.choice(s.bases), first=rng.choice([10, 20, 50]),
                                            filter_input=rng.choice(FILTERS)))
        else:
            bodies.append(box_view(s.bv, rng.choice(s.labels)))
    path = write_bodies(os.path.join(s.scratch.path, "varied.txt"), bodies)
    figures = {}
    for coalesce in (False, True):
        depot = s.depot("coalesce-on" if coalesce else "coalesce-off", delayed=False,
                        coalesce=coalesce)
        try:
            for b in bodies[:20]:
                timed_post(depot.port, b, s.token)
            for connections in (1, 16, 64):
                before = s.db.status("Com_select")
                w = wrk(depot.url, path, s.token, connections, duration)
                statements = s.db.status("Com_select") - before
                requests = w["rps"] * duration
                figures[f"{'on' if coalesce else 'off'}_{connections}"] = {
                    "statements_per_request": statements / requests, "rps": w["rps"],
                    "p99_ms": w["p99_ms"], "non2xx": w["non2xx"]}
        finally:
            depot.stop()
    results["coalescing"] = figures


SHED_CONNECTIONS = (64, 256)
SHED_TIMEOUT_S = 30     # wrk's own 2 s would count slow answers as socket timeouts


def shed(s, duration, results):
    """The share of 503s at Depot's default settings, P1 and P3 at 64 and 256 connections."""
    workloads = s.workloads()
    depot = s.depot_with("shed", delayed=False, env={})
    try:
        for name, path in workloads.items():
            with open(path) as f:
                for b in f.read().splitlines()[:8]:
                    timed_post(depot.port, b, s.token)        # warm up
            for connections in SHED_CONNECTIONS:
                w = wrk(depot.url, path, s.token, connections, duration, timeout=SHED_TIMEOUT_S)
                answers = sum(w["statuses"].values())
                w["share_503"] = w["statuses"].get(503, 0) / answers if answers else 0.0
                w["rps_200"] = w["statuses"].get(200, 0) / duration
                results[f"shed_{name}_{connections}"] = w
    finally:
        depot.stop()


def shed_report(r, duration):
    lines = [f"Depot at its default settings, {duration} s per run, one-process `depot`, "
             f"{r['cores']} cores shared with MariaDB and wrk (--timeout {SHED_TIMEOUT_S}s).", "",
             "| workload | connections | answers | 503 share | p50 / p99 (all answers) "
             "| req/s (all) | req/s (200) | other statuses | socket errors |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, label in (("p1", "P1 ManageBoxes first 50"), ("p3", "P3 BoxView")):
        for connections in SHED_CONNECTIONS:
            w = r[f"shed_{name}_{connections}"]
            other = {k: v for k, v in w["statuses"].items() if k not in (200, 503)}
            sockets = {k: v for k, v in w["socket_errors"].items() if v}
            lines.append(f"| {label} | {connections} | {sum(w['statuses'].values())} "
                         f"| {w['share_503'] * 100:.1f}% | {w['p50_ms']:.1f} / {w['p99_ms']:.1f} ms "
                         f"| {w['rps']:.0f} | {w['rps_200']:.0f} | {other or '-'} | {sockets or '-'} |")
    text = "\n".join(lines)
    print(text)
    return text


def svg(results, path):
    """Two bar charts: P4 throughput against the ideal, and statements per request."""
    bars = []
    for name in ("p1", "p3"):
        for pool in (results["pool"], 32):
            r = results.get(f"p4_{name}_pool_{pool}")
            if r and not any(label.startswith(f"{name.upper()} pool {pool}") for label, _, _ in bars):
                bars.append((f"{name.upper()} pool {pool}: ideal", r["ideal_rps"], "#bbbbbb"))
                bars.append((f"{name.upper()} pool {pool}: 10 ms", r["delayed"]["rps64"], "#3366cc"))
    rows = []
    for c in (1, 16, 64):
        rows.append((f"{c} conn., off", results["coalescing"][f"off_{c}"]["statements_per_request"], "#cc6633"))
        rows.append((f"{c} conn., on", results["coalescing"][f"on_{c}"]["statements_per_request"], "#33aa55"))
    height = 60 + 45 * max(len(bars), len(rows))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="800" height="{height}" font-family="sans-serif" font-size="12">']

    def chart(x0, title, items, unit):
        top = max(v for _, v, _ in items) or 1
        out.append(f'<text x="{x0}" y="20" font-weight="bold">{title}</text>')
        for i, (label, value, colour) in enumerate(items):
            y = 40 + i * 45
            width = 200 * value / top
            out.append(f'<text x="{x0}" y="{y + 14}">{label}</text>')
            out.append(f'<rect x="{x0 + 140}" y="{y}" width="{width:.1f}" height="22" fill="{colour}"/>')
            out.append(f'<text x="{x0 + 145 + width:.1f}" y="{y + 15}">{value:.1f} {unit}</text>')
    chart(10, "P4: throughput at 64 connections (req/s)", bars, "")
    chart(420, "SQL statements per request", rows, "")
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out))


def report(r, prefix):
    lines = [f"# Depot benchmarks P4, P5 and coalescing, {datetime.date.today().isoformat()}", "",
             f"Machine: {r['cores']} cores shared by MariaDB 10.11, Depot (one-process `depot`, "
             f"Release build, DEPOT_DB_POOL {r['pool']}, DEPOT_THREADS 128, DEPOT_MAX_INFLIGHT 96), "
             "wrk and the client; 8,201-box demo base; Depot reaches MariaDB over loopback TCP. "
             "Plot: " + os.path.basename(prefix) + ".svg", "",
             "## P4: MariaDB 10 ms away (bench/delay_proxy.c, 5 ms each way)", "",
             "| query | DEPOT_DB_POOL | single request, direct | single request, 10 ms away | @64 direct "
             "| @64, 10 ms away | ideal | ratio | target |", "|---|---|---|---|---|---|---|---|---|"]
    for key, label, pool in sorted(((k, k.split("_")[1].upper(), int(k.split("_")[-1]))
                                    for k in r if k.startswith("p4_")), key=lambda x: (x[1], x[2])):
        x = r[key]
        label = "P1 ManageBoxes first 50" if label == "P1" else "P3 BoxView"
        lines.append(f"| {label} | {pool} | {x['direct']['single_ms']:.1f} ms | {x['delayed']['single_ms']:.1f} ms "
                     f"| {x['direct']['rps64']:.0f} req/s | {x['delayed']['rps64']:.0f} req/s "
                     f"(p99 {x['delayed']['p99_64_ms']:.0f} ms) | {x['ideal_rps']:.0f} req/s "
                     f"| {x['ratio'] * 100:.0f}% | ≥ 70% |")
    lines += ["", "ideal = min(64 ÷ single-request latency 10 ms away, throughput at 64 connections "
              "direct).", "", "## P5: interference", "",
              "P3 BoxView, 300 sequential requests on random labels, alone and while 4 clients "
              "(wrk -c4) loop P2, the full ManageBoxes preload of 8,201 boxes.", "",
              "| resolver actors (DEPOT_RESOLVERS) | one preload alone | P3 p50 / p99 alone "
              "| P3 p50 / p99 under P2 | p99 ratio | target |", "|---|---|---|---|---|---|"]
    for n in sorted(int(k.rsplit("_", 1)[1]) for k in r if k.startswith("p5_resolvers_")):
        x = r[f"p5_resolvers_{n}"]
        lines.append(f"| {n} | {x['preload_alone_ms']:.0f} ms | {x['p50_alone_ms']:.1f} / "
                     f"{x['p99_alone_ms']:.1f} ms | {x['p50_loaded_ms']:.1f} / {x['p99_loaded_ms']:.1f} ms "
                     f"| {x['ratio']:.1f} | ≤ 3 |")
    lines += ["",
              "## Coalescing: SQL statements per request", "",
              "Varied requests: ManageBoxes on random bases of organisation 1 with random page sizes "
              "(10, 20, 50) and filters, and BoxView on random labels (30%); statements are MariaDB's "
              "Com_select over the requests wrk completed.", "",
              "| connections | off: statements/request | off: req/s | on: statements/request | on: req/s |",
              "|---|---|---|---|---|"]
    for c in (1, 16, 64):
        off, on = r["coalescing"][f"off_{c}"], r["coalescing"][f"on_{c}"]
        lines.append(f"| {c} | {off['statements_per_request']:.2f} | {off['rps']:.0f} "
                     f"| {on['statements_per_request']:.2f} | {on['rps']:.0f} |")
    lines.append("")
    write_report(prefix, "\n".join(lines), r)
    svg(r, prefix + ".svg")
    print(f"written to {prefix}.md, .json, .svg")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--pool", type=int, default=8, help="DEPOT_DB_POOL, fixed (DEPOT_DB_POOL_MIN the same); 8 was Depot's default before "
                        "the adaptive pool of issue 12")
    parser.add_argument("--only", default="p4,p5,coalescing")
    parser.add_argument("--p5-resolvers", default="1,2,4", help="DEPOT_RESOLVERS values P5 compares")
    args = parser.parse_args()
    only = args.only.split(",")
    s = Setup(args.build, args.pool)
    try:
        results = {"cores": os.cpu_count(), "delay_ms_one_way": DELAY_MS, "pool": args.pool}
        if "p4" in only:
            for pool in sorted({args.pool, 32}):
                p4(s, args.duration, results, pool)
        if "p5" in only:
            for resolvers in (int(r) for r in args.p5_resolvers.split(",")):
                p5(s, results, resolvers)
        if "coalescing" in only:
            coalescing(s, args.duration, results)
        if "shed" in only:
            shed(s, args.duration, results)
            shed_report(results, args.duration)
        if sorted(only) != ["coalescing", "p4", "p5"]:
            print(json.dumps(results, indent=1))
            return
        prefix = os.path.join(HERE, "results", f"{datetime.date.today().isoformat()}-p4-p5-coalescing")
        report(results, prefix)
    finally:
        s.close()


if __name__ == "__main__":
    main()
