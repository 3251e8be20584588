// gateway_audit.mjs - graphql-http's GraphQL-over-HTTP audit against a running Depot.
//
//   node tests/js/gateway_audit.mjs URL TOKEN
//
// Runs every server audit of npm graphql-http (auditServer) against URL, adding the bearer
// TOKEN to each request (Depot refuses requests without a verified identity), and prints
// one JSON array of {id, name, status, reason}: status "ok", or "error" for a failed MUST,
// "warn" for a failed SHOULD, "notice" for a failed MAY. The Python test
// (tests/integration/test_gateway_http.py) starts Depot, runs this and judges the result.
// Licensed under the Apache License 2.0.
import { auditServer } from 'graphql-http';

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node gateway_audit.mjs URL TOKEN');
  process.exit(2);
}

function fetchFn(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn });
const out = [];
for (const result of results) {
  let body;
  if (result.status !== 'ok' && result.response) {
    try {
      body = `${result.response.status} ${await result.response.text()}`;
    } catch {
      body = undefined;
    }
  }
  out.push({ id: result.id, name: result.name, status: result.status,
             reason: result.status === 'ok' ? undefined : result.reason, response: body });
}
console.log(JSON.stringify(out));
