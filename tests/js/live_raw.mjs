// A raw graphql-transport-ws peer for tests/integration/test_live_protocol.py: the `ws` library
// and nothing of graphql-ws, so it can break the protocol on purpose. Sends each step in order
// ({"send": text or object} as one text frame, {"wait": ms}), then waits for the close. Prints
// one JSON line per message received ({"message": ...}) and {"closed": code, "reason": ...};
// exits after the close or timeout_ms.
// Usage: node live_raw.mjs ws://host:port/ SUBPROTOCOL|- STEPS_JSON [TIMEOUT_MS]
import WebSocket from 'ws';

const [url, subprotocol, stepsJson, timeoutMs = '15000'] = process.argv.slice(2);
const steps = JSON.parse(stepsJson);
const print = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const socket = subprotocol === '-' ? new WebSocket(url) : new WebSocket(url, subprotocol);

setTimeout(() => { print({ timeout: true }); process.exit(0); }, Number(timeoutMs));
socket.on('message', (data) => {
    const text = data.toString();
    try { print({ message: JSON.parse(text) }); } catch { print({ message: text }); }
});
socket.on('close', (code, reason) => { print({ closed: code, reason: reason.toString() }); process.exit(0); });
socket.on('error', (error) => print({ error: String(error.message ?? error) }));
socket.on('open', async () => {
    print({ open: true, protocol: socket.protocol });
    for (const step of steps) {
        if ('wait' in step)
            await new Promise((resolve) => setTimeout(resolve, step.wait));
        else if (socket.readyState === WebSocket.OPEN)
            socket.send(typeof step.send === 'string' ? step.send : JSON.stringify(step.send));
    }
});
