#!/usr/bin/env python3
"""The cost of an Idempotency-Key (issue 14): createTag alone, one request at a time.

Starts a private MariaDB with Depot's DDL, indexes, its idempotency table and a small demo set,
and the one-process `depot` of the build given, then sends createTag sequentially (one
connection, a new one per request, as common.py's timed_post) in three forms, interleaved so
that drift on a shared machine hits each form alike:
  plain     no key;
  key       a new key per request (claim, the field with its stored answer, release);
  replay    a key already answered (the stored answer; no write).
Reports p50 and p90 per form and the SQL statements per request (extensions.debug). Not a test:
no figure is asserted.
Usage: bench/idempotency_bench.py --build build-rel [--requests 300] [--out PREFIX]
Results: bench/results/<date>-issue14-idempotency.md and .json (--out another prefix).
Licensed under the Apache License 2.0.
"""
import argparse
import datetime
import json
import os
import statistics

from common import RESULTS, Demo, harness, timed_post, write_report

CREATE = ("mutation Create($input: TagCreationInput) { createTag(creationInput: $input) "
          "{ __typename ... on Tag { id name color description type base { id } } } }")


def post(port, token, name, key=None):
    body = json.dumps({"query": CREATE, "variables": {"input": {
        "name": name, "color": "#aabbcc", "type": "Box", "baseId": 1}}})
    elapsed, parsed = timed_post(port, body, token, {"Idempotency-Key": key} if key else None)
    assert "errors" not in parsed, parsed
    return elapsed, parsed["extensions"]["debug"]["sqlStatements"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--out", default=os.path.join(
        RESULTS, f"{datetime.date.today().isoformat()}-issue14-idempotency"))
    args = parser.parse_args()
    with Demo(args.build, boxes=200) as demo:
        permissions = [f"base_1/{r}:read" for r in harness.RESOURCES] + ["base_1/tag:write"]
        token = demo.keys.token(permissions=permissions)
        depot = demo.depot(extra_env=dict(harness.FIXED_POOL, DEPOT_IDEMPOTENCY_PURGE_MS="0"))
        post(depot.port, token, "warm-replay", key="replay-key")
        for i in range(30):                         # warm up
            post(depot.port, token, f"warm-{i}")
            post(depot.port, token, f"warm-key-{i}", key=f"warm-key-{i}")
        times = {"plain": [], "key": [], "replay": []}
        statements = {}
        for i in range(args.requests):
            for form in times:
                if form == "plain":
                    elapsed, n = post(depot.port, token, f"plain-{i}")
                elif form == "key":
                    elapsed, n = post(depot.port, token, f"key-{i}", key=f"bench-{i}")
                else:
                    elapsed, n = post(depot.port, token, "warm-replay", key="replay-key")
                times[form].append(elapsed * 1000)
                statements[form] = n
    figures = {}
    for form, values in times.items():
        values.sort()
        figures[form] = {"p50_ms": round(statistics.median(values), 2),
                         "p90_ms": round(values[int(len(values) * 0.9)], 2),
                         "sql_statements": statements[form], "requests": len(values)}
    lines = [f"# createTag with and without an Idempotency-Key ({datetime.date.today().isoformat()})",
             "", f"`bench/idempotency_bench.py --build {args.build} --requests {args.requests}`: one "
             "request at a time, a new connection each, the one-process `depot` beside MariaDB on "
             "a shared 2-core machine; forms interleaved.", "",
             "| form | p50 | p90 | SQL statements |", "|---|---|---|---|"]
    names = {"plain": "no key", "key": "a new key", "replay": "a key already answered (replay)"}
    for form, fig in figures.items():
        lines.append(f"| {names[form]} | {fig['p50_ms']} ms | {fig['p90_ms']} ms | "
                     f"{fig['sql_statements']} |")
    write_report(args.out, "\n".join(lines) + "\n", figures)


if __name__ == "__main__":
    main()
