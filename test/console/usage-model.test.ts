// The usage page's shaping of /v1/rollups rows, worked by hand: a series per server with gaps,
// the fleet total per bucket and the top servers combined the way each meter aggregates, in
// exact decimals (0.1 + 0.2 is 0.3 here, not 0.30000000000000004).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Aggregation } from '../../catalog/types.js';
import { chartGroups, MAX_PLOTTED, type RollupRow } from '../../console/usage-model.js';

const row = (bucket: string, server_id: string, meter: string, value: string, unit = 'u'): RollupRow => ({ bucket, server_id, meter, value, unit });
const AGG: Record<string, Aggregation> = { req: 'sum', peak: 'max', mean: 'avg' };
const aggregationOf = (m: string) => AGG[m];

const ROWS = [
  row('2026-10-01T00:00:00Z', 'a', 'peak', '7'),
  row('2026-10-01T00:00:00Z', 'a', 'req', '0.1'),
  row('2026-10-01T00:00:00Z', 'b', 'peak', '9.5'),
  row('2026-10-01T00:00:00Z', 'b', 'req', '0.2'),
  row('2026-10-01T01:00:00Z', 'b', 'req', '5'),
  row('2026-10-01T01:00:00Z', 'a', 'mean', '3.333333333333'),
];

test('one chart per meter, a series per server with null where it has no bucket', () => {
  const groups = chartGroups(ROWS, aggregationOf, false);
  assert.deepEqual(groups.map((g) => g.meter), ['mean', 'peak', 'req']);
  const req = groups[2]!;
  assert.deepEqual(req.buckets, ['2026-10-01T00:00:00Z', '2026-10-01T01:00:00Z']);
  assert.deepEqual(req.series, [
    { label: 'a', values: ['0.1', null] },
    { label: 'b', values: ['0.2', '5'] },
  ]);
  assert.equal(req.fleet, undefined, 'no fleet total unless asked');
});

test('fleet total and top servers: sums add exactly, peaks take the maximum, a mean has neither', () => {
  const [mean, peak, req] = chartGroups(ROWS, aggregationOf, true);
  assert.deepEqual(req!.fleet, ['0.3', '5']); // 0.1 + 0.2; b alone
  assert.deepEqual(req!.top, [{ server_id: 'b', value: '5.2' }, { server_id: 'a', value: '0.1' }]);
  assert.deepEqual(peak!.fleet, ['9.5']);
  assert.deepEqual(peak!.top, [{ server_id: 'b', value: '9.5' }, { server_id: 'a', value: '7' }]);
  assert.equal(mean!.fleet, undefined);
  assert.deepEqual(mean!.top, []);
});

test('a fleet of more than MAX_PLOTTED servers: the chart draws the top ones, the fleet total covers all', () => {
  // Servers s00…s14, server i with i + 1 requests in one bucket: the top ten are s14 … s05.
  const rows = Array.from({ length: 15 }, (_, i) => row('2026-10-01T00:00:00Z', `s${String(i).padStart(2, '0')}`, 'req', String(i + 1)));
  const [g] = chartGroups(rows, aggregationOf, true);
  assert.equal(MAX_PLOTTED, 10);
  assert.deepEqual(g!.plotted, ['s14', 's13', 's12', 's11', 's10', 's09', 's08', 's07', 's06', 's05']);
  assert.equal(g!.series.length, 15, 'every server stays in the data');
  assert.deepEqual(g!.fleet, ['120']); // 1 + 2 + … + 15
  // Without a total (a mean), the first ten by id.
  const means = rows.map((r) => ({ ...r, meter: 'mean' }));
  assert.deepEqual(chartGroups(means, aggregationOf, true)[0]!.plotted, ['s00', 's01', 's02', 's03', 's04', 's05', 's06', 's07', 's08', 's09']);
});
