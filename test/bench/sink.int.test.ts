// `meterline bench sink` at a tiny scale on the local stack: it runs end to end (scratch
// database and topics), stores every row through the sink, and reports its ratios to both
// yardsticks — the plain COPY into rollup_parts itself and the unindexed COPY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench } from '../../bench/sink.js';

test('bench sink stores every row and reports the sink beside a plain COPY into the same table and an unindexed one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sink-'));
  try {
    const code = await bench.run(['--rows', '1200', '--servers', '100', '--batch', '500', '--max-seconds', '120', '--out', dir]);
    assert.equal(code, 0);
    const file = readdirSync(dir).find((f) => f.startsWith('sink-'));
    assert.ok(file, 'a report file');
    const r = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { perSecond: number; details: Record<string, number | string> };
    const d = r.details;
    assert.equal(d['rows'], 1200);
    const num = (k: string): number => {
      const v = d[k];
      assert.equal(typeof v, 'number', k);
      return v as number;
    };
    // Each ratio is the quotient of two reported rates (rounded to 2 places).
    const near = (ratio: string, a: number, b: number) => assert.ok(Math.abs(num(ratio) - a / b) <= 0.01 * Math.max(1, a / b), `${ratio}: ${num(ratio)} vs ${a / b}`);
    near('sinkToPlainCopy', r.perSecond, num('plainCopyRowsPerSecond'));
    near('sinkToUnindexedCopy', r.perSecond, num('unindexedCopyRowsPerSecond'));
    near('storeToPlainCopy', num('storeStepRowsPerSecond'), num('plainCopyRowsPerSecond'));
    near('storeToUnindexedCopy', num('storeStepRowsPerSecond'), num('unindexedCopyRowsPerSecond'));
    // The yardstick COPY ran twice: before the store step and just before the sink.
    assert.match(String(d['plainCopyRuns']), /^\d+ \/ \d+$/);
    assert.ok(num('decodeCpuMicrosPerRow') > 0 && num('sinkCpuMicrosPerRow') > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
