// A sample every entry point accepts must be one the aggregator can count: a value the exact
// core cannot hold (exponent beyond ±10000) would be answered 202 by ingest and then dropped to
// the DLQ by the aggregate, after its id was claimed (a corrected re-send would then be taken
// for a duplicate). So parsing rejects it, with the reason, at the door.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSample } from '../../../pipeline/samples/parse.js';
import { parseFixed } from '../../../pipeline/aggregation/fixed.js';

const base = { id: 'a', server_id: 's', ts: '2026-10-01T00:00:00Z' };

test('a metric value the aggregator cannot hold is rejected when parsed, naming the metric', () => {
  for (const v of ['1e20000', '1e-20000', '-7E+10001']) {
    const r = parseSample({ ...base, metrics: { m: v } });
    assert.equal(r.ok, false, v);
    assert.match(r.ok ? '' : r.reason, /metrics\.m /);
  }
  const i = parseSample({ ...base, interval_s: '1e20000', metrics: { m: 1 } });
  assert.equal(i.ok, false);
});

test('every value parsing accepts, the aggregator parses too (the limit itself included)', () => {
  for (const v of ['1e10000', '1e-10000', '12.5', '-3', '.5', '1.5E+21', '18446744073709551615']) {
    const r = parseSample({ ...base, metrics: { m: v } });
    assert.ok(r.ok, v);
    assert.doesNotThrow(() => parseFixed(r.ok ? (r.sample.metrics.m as string) : ''), v);
  }
});
