// /healthz, /readyz and /metrics of a role process (observability/process.ts) against the local
// stack. The broker "goes away" by stopping a TCP relay this test owns in front of the shared
// Kafka (other tests use that broker; it is never stopped): the probe's path to Kafka is cut
// exactly as a stopped broker cuts it (connection refused), then restored on the same port.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../observability/log.js';
import { createRoleProcess, type RoleProcess } from '../../observability/process.js';

/** A relay from a port of ours to the real broker; stop() refuses connections again. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(private readonly target: { host: string; port: number }) {}
  async start(port = 0): Promise<number> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    return (server.address() as { port: number }).port;
  }
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}

const procs: RoleProcess[] = [];
const relays: Relay[] = [];
after(async () => {
  for (const p of procs) await p.close();
  for (const r of relays) await r.stop();
});

const real = loadConfig();
const [host = '127.0.0.1', port = '9092'] = (real.kafka.brokers[0] ?? '').split(':');

async function readyz(p: RoleProcess): Promise<{ status: number; body: { status: string; checks: Record<string, { ok: boolean; error?: string }> } }> {
  const r = await p.app.request('/readyz');
  return { status: r.status, body: (await r.json()) as never };
}

test('/readyz: 503 naming Kafka while the broker is unreachable, 200 again once it is back', async () => {
  const relay = new Relay({ host, port: Number(port) });
  relays.push(relay);
  const relayPort = await relay.start();
  const config = loadConfig({ ...process.env, KAFKA_BROKERS: `127.0.0.1:${relayPort}` });
  // cacheMs 0: every request probes, so each answer reflects the state at that moment.
  const p = createRoleProcess(config, createLogger('silent'), ['kafka', 'database'], { cacheMs: 0, timeoutMs: 3000 });
  procs.push(p);

  const up = await readyz(p);
  assert.equal(up.status, 200, JSON.stringify(up.body));
  assert.deepEqual(Object.keys(up.body.checks).sort(), ['database', 'kafka']);

  await relay.stop();
  const down = await readyz(p);
  assert.equal(down.status, 503);
  assert.equal(down.body.status, 'unready');
  assert.equal(down.body.checks.kafka?.ok, false);
  assert.ok(down.body.checks.kafka?.error, 'the reason is given');
  assert.equal(down.body.checks.database?.ok, true, 'the database is still fine');
  // Liveness does not depend on Kafka: restarting the pod would not bring the broker back.
  assert.equal((await p.app.request('/healthz')).status, 200);

  await relay.start(relayPort);
  const back = await readyz(p);
  assert.equal(back.status, 200, JSON.stringify(back.body));
});

test('/readyz: 503 naming the database when nothing listens at its address', async () => {
  const url = new URL(real.database.url);
  // A port with nothing listening: take one from the OS and release it.
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const free = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  url.port = String(free);
  const config = loadConfig({ ...process.env, DATABASE_URL: url.toString() });
  const p = createRoleProcess(config, createLogger('silent'), ['database'], { cacheMs: 0 });
  procs.push(p);
  const r = await readyz(p);
  assert.equal(r.status, 503);
  assert.deepEqual(Object.keys(r.body.checks), ['database']);
  assert.equal(r.body.checks.database?.ok, false);
});

test('/metrics serves the process registry in the Prometheus text format', async () => {
  const p = createRoleProcess(real, createLogger('silent'), [], { cacheMs: 0 });
  procs.push(p);
  p.metrics.samplesIngested.inc({ format: 'json' }, 3);
  await p.app.request('/healthz');
  const r = await p.app.request('/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await r.text();
  assert.match(text, /^meterline_samples_ingested_total\{format="json"\} 3$/m);
  assert.match(text, /^meterline_http_request_seconds_count\{method="GET",route="\/healthz",status="200"\} 1$/m);
  assert.match(text, /^# TYPE meterline_consumer_lag_records gauge$/m);
});
