import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSample } from '../../../pipeline/samples/parse.js';

const base = { id: 'a1', server_id: 'srv-0001', ts: '2026-10-01T00:00:10.000Z', interval_s: 60, metrics: { cpu_util_pct: 12.5 } };

test('a SPEC §2 sample parses with exact decimal metric values', () => {
  const r = parseSample({ ...base, metrics: { net_tx_bytes: 1234567890, x: '0.1' }, labels: { dc: 'fra1' } });
  assert.ok(r.ok);
  assert.deepEqual(r.sample, {
    id: 'a1', serverId: 'srv-0001', tsMs: Date.UTC(2026, 9, 1, 0, 0, 10), intervalS: '60',
    metrics: { net_tx_bytes: '1234567890', x: '0.1' }, labels: { dc: 'fra1' },
  });
});

test('timestamps: offsets, epoch ms, sub-millisecond digits truncated', () => {
  const at = (ts: unknown) => { const r = parseSample({ ...base, ts }); return r.ok ? r.sample.tsMs : r.reason; };
  assert.equal(at('2026-10-01T02:00:10+02:00'), Date.UTC(2026, 9, 1, 0, 0, 10));
  assert.equal(at(1790812810123), 1790812810123);
  assert.equal(at('2026-10-01T00:00:10.123999Z'), Date.UTC(2026, 9, 1, 0, 0, 10, 123));
  assert.match(String(at('2026-10-01')), /not RFC 3339/);
  assert.match(String(at('2026-02-30T00:00:00Z')), /not a real date/);
});

test('bad samples name the field', () => {
  const reason = (v: unknown) => { const r = parseSample(v); return r.ok ? 'ok' : r.reason; };
  assert.match(reason({ ...base, id: undefined }), /^id is missing/);
  assert.match(reason({ ...base, metrics: { cpu: 'NaN' } }), /metrics\.cpu must be a finite number/);
  assert.match(reason({ ...base, metrics: { cpu: null } }), /metrics\.cpu must be a finite number/);
  assert.match(reason({ ...base, interval_s: -5 }), /interval_s must be a positive number/);
  assert.match(reason([1]), /must be a JSON object/);
});

test('CloudEvents structured form maps subject/time/data', () => {
  const r = parseSample({ specversion: '1.0', id: 'e1', source: 'agent', type: 'meterline.sample', subject: 'srv-9', time: '2026-10-01T00:00:00Z', data: { metrics: { power_on: 1 }, interval_s: 30 } });
  assert.ok(r.ok);
  assert.equal(r.sample.serverId, 'srv-9');
  assert.equal(r.sample.intervalS, '30');
});
