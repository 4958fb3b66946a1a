// `meterline bench rate-role` at a tiny scale on the local stack: it runs end to end (scratch
// database and topics), and its report counts what was worked out by hand below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bench } from '../../bench/rate-role.js';

test('bench rate-role rates every produced part into the drafts and reports staleness and transactions', async () => {
  const dir = 'bench-results';
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir).filter((f) => f.startsWith('rate-role-')));
  const code = await bench.run(['--servers', '100', '--history-hours', '1', '--minutes', '1', '--rate', '1000', '--max-seconds', '240']);
  assert.equal(code, 0);
  const file = readdirSync(dir).find((f) => f.startsWith('rate-role-') && !before.has(f));
  assert.ok(file, 'a new report file');
  const r = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { details: Record<string, unknown>; latencyMs: { p50: number; p99: number } };
  // 100 servers × 3 meters × 1 hour of history; × 1 minute produced through Kafka.
  assert.equal(r.details['historyParts'], 300);
  assert.equal(r.details['parts'], 300);
  // bench rate's catalogue spreads 100 servers over 100 customers: one October draft each.
  assert.equal(r.details['drafts'], 100);
  assert.equal(r.details['customers'], 100);
  assert.ok(r.latencyMs.p50 > 0 && r.latencyMs.p99 >= r.latencyMs.p50, 'staleness measured for the produced parts');
  assert.ok((r.details['transactions'] as number) > 100, 'a store transaction per batch and a draft transaction per customer touched');
});
