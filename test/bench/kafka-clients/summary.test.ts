// The comparison table's arithmetic: median and range over runs, records/s from seconds, commit
// p99 over the pooled commits, a failed run named and left out of the figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markdownTable, spread, summarise, type RunFigures } from '../../../bench/kafka-clients/summary.js';

test('spread: median of an odd and an even count, min and max; nothing for no runs', () => {
  assert.deepEqual(spread([30, 10, 20]), { median: 20, min: 10, max: 30, runs: 3 });
  assert.deepEqual(spread([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4, runs: 4 });
  assert.equal(spread([]), undefined);
});

test('summarise: records/s per client from each run, the produce step without its untimed first record', () => {
  const runs: RunFigures[] = [
    // 1001 records: produce times 1000 of them, read and transform all 1001.
    { client: 'a', run: 1, produceSeconds: 0.5, readSeconds: 1.001, transformSeconds: 2.002, commitMs: [10, 30], cpuMicros: { produce: 2002 }, loadBefore: '', loadAfter: '' },
    { client: 'a', run: 2, produceSeconds: 0.25, readSeconds: 0.1001, transformSeconds: 1.001, commitMs: [20], cpuMicros: { produce: 5005 }, loadBefore: '', loadAfter: '' },
    { client: 'a', run: 3, produceSeconds: 1, readSeconds: 0.5005, transformSeconds: 0.5005, commitMs: [40], cpuMicros: { produce: 3003 }, loadBefore: '', loadAfter: '' },
    { client: 'b', run: 1, error: 'boom', loadBefore: '', loadAfter: '' },
  ];
  const [a, b] = summarise(runs, 1001);
  // produce: 1000/0.5 = 2000, 1000/0.25 = 4000, 1000/1 = 1000 → median 2000, range 1000–4000.
  assert.deepEqual(a?.produce, { median: 2000, min: 1000, max: 4000, runs: 3 });
  // read: 1001/1.001 = 1000, 1001/0.1001 = 10000, 1001/0.5005 = 2000 → median 2000.
  assert.equal(Math.round(a?.read?.median ?? 0), 2000);
  assert.equal(Math.round(a?.read?.max ?? 0), 10000);
  // transform: 500, 1000, 2000 → median 1000.
  assert.equal(Math.round(a?.transform?.median ?? 0), 1000);
  // commits pooled: 10, 20, 30, 40 → nearest-rank p99 is the 4th = 40.
  assert.equal(a?.commitP99Ms, 40);
  assert.equal(a?.commits, 4);
  // CPU per record: 2002, 5005, 3003 µs over 1001 records = 2, 5, 3 µs → median 3; no read figure.
  assert.deepEqual(a?.cpuPerRecord, { produce: 3 });
  assert.deepEqual(a?.errors, []);
  assert.equal(b?.produce, undefined);
  assert.deepEqual(b?.errors, ['run 1: boom']);
  assert.ok(a && b);
  const table = markdownTable([a, b]);
  assert.match(table, /\| a \| 2,000 \(1,000 – 4,000\) \|/);
  assert.match(table, /\| b \| failed \| failed \| failed \| – \|/);
  assert.match(table, /b run 1: boom/);
  assert.match(table, /\| a \| 3\.0 µs \| – \| – \|/);
});
