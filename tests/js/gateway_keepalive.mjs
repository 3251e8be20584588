// gateway_keepalive.mjs - Node's own fetch (undici) reusing kept-alive connections to Depot.
//
//   node tests/js/gateway_keepalive.mjs URL TOKEN idle|busy PAUSE-MS...
//
// Sends one POST /graphql ({ __typename }), then for each pause: waits that long, either idle
// (a timer: undici's own timers run, as in a client waiting for the user) or busy (the event
// loop blocked, as in Apollo Client normalising a large answer), and sends the next one on
// the same global fetch, which reuses an idle socket when undici still thinks it alive. Prints
// one JSON object: {"keepAlive": the first answer's Keep-Alive header, "results": [{mode,
// pause, ok, status | error}]}. A request that fails ("other side closed", a reset) is a socket
// reused while Depot was closing it. The Python test (tests/integration/test_gateway_body.py)
// starts Depot, runs this and judges the result.
// Licensed under the Apache License 2.0.

const [url, token, mode, ...pauses] = process.argv.slice(2);
if (!url || !token || (mode !== 'idle' && mode !== 'busy')) {
  console.error('usage: node gateway_keepalive.mjs URL TOKEN idle|busy PAUSE-MS...');
  process.exit(2);
}

async function ask() {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  const body = await response.json();
  return { status: response.status, keepAlive: response.headers.get('keep-alive'), body };
}

function wait(ms) {
  if (mode === 'idle')
    return new Promise((resolve) => setTimeout(resolve, ms));
  const end = performance.now() + ms;
  while (performance.now() < end)
    ;                           // the event loop is held, as by a long computation
  return Promise.resolve();
}

const first = await ask();
// Before each busy pause but the first, the loop idles long enough for undici to retire every
// socket (N − 2 s after the answer, on timers of 1 s resolution; 5 s without the header), so
// that each busy pause starts from one fresh connection, as after a client's quiet moment.
const hinted = /timeout=(\d+)/.exec(first.keepAlive ?? '');
const settle = hinted ? Number(hinted[1]) * 1000 : 5000;
const results = [];
for (const [i, pause] of pauses.map(Number).entries()) {
  try {
    if (mode === 'busy' && i > 0) {
      await new Promise((resolve) => setTimeout(resolve, settle));
      await ask();
    }
    await wait(pause);
    const answer = await ask();
    results.push({ mode, pause, ok: answer.status === 200 && answer.body.data?.__typename === 'Query',
                   status: answer.status });
  } catch (error) {
    results.push({ mode, pause, ok: false, error: `${error.message}: ${error.cause?.message ?? ''}` });
  }
}
console.log(JSON.stringify({ keepAlive: first.keepAlive, results }));
