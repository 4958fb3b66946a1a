// The demo fleet of `npm start -- --demo`: two hours back-filled at once (every sample in the
// past, ids unique, the key sent), then stopped cleanly. A local HTTP server stands in for ingest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDemo } from '../../loadgen/demo.js';

test('back-fill: 3 servers × (120 s ÷ 10 s) rounds arrive at once, all in the past, each id once', async () => {
  const received: { id: string; server_id: string; ts: string }[] = [];
  const auth = new Set<string>();
  // 120 s back-filled in 10 s steps from a start aligned down to 10 s: 12 or 13 rounds × 3 servers.
  let enough!: () => void;
  const arrived = new Promise<void>((r) => (enough = r));
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      auth.add(req.headers.authorization ?? '');
      for (const line of body.split('\n').filter(Boolean)) received.push(JSON.parse(line) as { id: string; server_id: string; ts: string });
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: body.split('\n').filter(Boolean).length, rejected: [] }));
      if (received.length >= 36) enough();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const t0 = Date.now();
  const demo = startDemo({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, key: 'ml_demo', backfillMs: 120_000 });
  try {
    await arrived;
  } finally {
    await demo.stop();
    server.close();
  }
  assert.deepEqual([...auth], ['Bearer ml_demo']);
  assert.deepEqual([...new Set(received.map((s) => s.server_id))].sort(), ['srv-0001', 'srv-0002', 'srv-0003']);
  assert.equal(new Set(received.map((s) => s.id)).size, received.length, 'ids unique');
  for (const s of received) assert.ok(Date.parse(s.ts) <= Date.now() && Date.parse(s.ts) >= t0 - 130_000, s.ts);
});
