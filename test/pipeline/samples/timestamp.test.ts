// parseTimestamp's character-scanned fast path (the canonical `…T…Z` forms) must accept and
// compute exactly what the RFC 3339 grammar path does. Reference model: that grammar path,
// restated here as it stood before the fast path existed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTimestamp } from '../../../pipeline/samples/timestamp.js';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

/** The grammar path: epoch ms, or undefined when rejected (strings only). */
function reference(value: string): number | undefined {
  if (/^\d{1,15}$/.test(value)) return Number(value) <= 253402300799999 ? Number(value) : undefined;
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, off] = m as unknown as string[];
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return undefined;
  const ms = frac ? Number((frac + '00').slice(0, 3)) : 0;
  let t = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Math.min(Number(s), 59), ms);
  if (new Date(t).getUTCDate() !== day) return undefined;
  if (off && off !== 'Z' && off !== 'z') {
    const sign = off[0] === '-' ? -1 : 1;
    const [oh, om] = off.slice(1).split(':').map(Number) as [number, number];
    if (oh > 23 || om > 59) return undefined;
    t -= sign * (oh * 60 + om) * 60_000;
  }
  return t;
}

const got = (v: string): number | undefined => {
  const r = parseTimestamp(v);
  return r.ok ? r.ms : undefined;
};

test('timestamps: hand-picked canonical and near-canonical forms match the grammar path', () => {
  // 2026-10-01T00:00:00Z is 1790812800 s after the epoch; 0050 is read as 1950 by Date.UTC (both paths)
  assert.equal(got('2026-10-01T00:00:00Z'), 1790812800000);
  assert.equal(got('2026-10-01T00:00:00.123Z'), 1790812800123);
  for (const v of [
    '2026-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z', '2026-04-31T00:00:00Z', '2026-04-30T23:59:59.999Z', '2026-10-01T24:00:00Z',
    '2026-10-01T00:60:00Z', '2026-10-01T00:00:60Z', '2026-00-01T00:00:00Z', '2026-10-00T00:00:00Z', '0050-02-29T00:00:00Z',
    '0000-01-01T00:00:00Z', '2026-10-01t00:00:00z', '2026-10-01 00:00:00Z', '2026-1a-01T00:00:00Z', '2026-10-01T00:00:00.12Z',
    '2026-10-01T00:00:00.1234Z', '2026-10-01T00:00:00+00:00', '2026-10-01T00:00:00.000+02:00', '2026-10-01T00:00:00,000Z', '+02026-10-01T00:00:00Z',
  ]) {
    assert.equal(got(v), reference(v), v);
  }
});

test('timestamps: generated canonical forms and single-character mutations match the grammar path', () => {
  const canonical = fc.oneof(
    fc.date({ min: new Date(Date.UTC(0, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.date({ min: new Date(0), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true }).map((d) => d.toISOString().replace(/\.\d{3}/, '')),
    fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 61 }))
      .map(([y, mo, d, s]) => `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T23:59:${String(s).padStart(2, '0')}Z`),
  );
  const mutated = fc.tuple(canonical, fc.nat(), fc.constantFrom('0', '9', 'a', ':', '-', 'T', 'Z', '.', ' ', '/')).map(([s, i, c]) => {
    const k = i % s.length;
    return s.slice(0, k) + c + s.slice(k + 1);
  });
  fc.assert(fc.property(fc.oneof(canonical, mutated), (v) => assert.equal(got(v), reference(v), v)), { numRuns: 5000 });
});
