// Many subscribers of Depot's live updates in one process (graphql-ws client, one WebSocket
// each), for tests/integration/test_live_fanout.py and bench/live_bench.py. The groups come as
// JSON on stdin: [{"name", "token", "query", "variables", "count"}, ...]. Prints one JSON line
// per thing that happens: {"ready": n} once every subscriber is acked, {"sub": name, "i": k,
// "at": ms since the epoch (sub-millisecond), "next": payload} per event, {"error": ...}.
// With "quiet" as the second argument an event prints its receive time and the payload's
// numberOfItems fields only (a benchmark's thousands of events).
// Usage: node live_many.mjs ws://host:port/ [quiet] < groups.json
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { readFileSync } from 'node:fs';

const [url, quiet] = process.argv.slice(2);
const groups = JSON.parse(readFileSync(0, 'utf8'));
const print = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const now = () => performance.timeOrigin + performance.now();

// Opened 200 at a time, each batch once acked: thousands of handshakes at once would hold the
// process's loop past the server's 3 s for connection_init (4408).
const BATCH = 200;
let total = 0, acked = 0;
for (const g of groups)
    total += g.count;
let batch = [];
const open = (g, i) => new Promise((resolve) => {
    const client = createClient({
        url,
        webSocketImpl: WebSocket,
        connectionParams: { Authorization: `Bearer ${g.token}` },
        retryAttempts: 0,
        lazy: false,
        keepAlive: 0,
        on: {
            connected: () => { resolve(); if (++acked === total) print({ ready: total }); },
            closed: (event) => { resolve(); print({ sub: g.name, i, closed: event.code }); },
        },
    });
    client.subscribe({ query: g.query, variables: g.variables }, {
        next: (payload) => {
            const at = now();
            print(quiet ? { sub: g.name, i, at, items: JSON.stringify(payload).match(/"numberOfItems":\d+/g) }
                        : { sub: g.name, i, at, next: payload });
        },
        error: (error) => print({ sub: g.name, i, error: Array.isArray(error) ? error : String(error?.code ?? error) }),
        complete: () => print({ sub: g.name, i, complete: true }),
    });
});
for (const g of groups)
    for (let i = 0; i < g.count; i++) {
        batch.push(open(g, i));
        if (batch.length === BATCH) {
            await Promise.all(batch);
            batch = [];
        }
    }
await Promise.all(batch);
