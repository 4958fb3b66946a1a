// COPY text rows for rollup parts: field order, NULLs, escaping, arrays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyField, copyRow, textArrayLiteral, ROLLUP_COLUMNS } from '../../sinks/copy-rows.js';

test('copyField escapes what the COPY text format treats specially', () => {
  assert.equal(copyField(undefined), '\\N');
  assert.equal(copyField(null), '\\N');
  assert.equal(copyField('a\tb\nc\rd\\e'), 'a\\tb\\nc\\rd\\\\e');
  assert.equal(copyField('plain'), 'plain');
});

test('text[] literals quote every element and escape quotes and backslashes', () => {
  assert.equal(textArrayLiteral([]), '{}');
  assert.equal(
    textArrayLiteral(['fra1', 'a"b', 'c\\d', 'NULL', 'x,y']),
    '{"fra1","a\\"b","c\\\\d","NULL","x,y"}',
  );
});

test('a part becomes one row, columns in ROLLUP_COLUMNS order, absent fields NULL', () => {
  const row = copyRow({
    part: {
      partId: 'metrics.raw:2:17:cpu:1790812800000',
      serverId: 'srv\t1',
      meter: 'cpu',
      windowStartMs: Date.UTC(2026, 9, 1),
      windowEndMs: Date.UTC(2026, 9, 1, 0, 1),
      correction: true,
      state: {
        count: 3,
        sum: '1e-9',
        latest: '4',
        latestTsMs: Date.UTC(2026, 9, 1, 0, 0, 30),
        distinct: ['a'],
      },
      source: { topic: 'metrics.raw', partition: 2, firstOffset: '17', lastOffset: '9007199254740993' },
    },
    origin: { topic: 'usage.rollups', partition: 1, offset: '5' },
  });
  assert.ok(row.endsWith('\n'));
  const fields = row.slice(0, -1).split('\t');
  assert.equal(fields.length, ROLLUP_COLUMNS.length);
  assert.deepEqual(Object.fromEntries(ROLLUP_COLUMNS.map((c, i) => [c, fields[i]])), {
    part_id: 'metrics.raw:2:17:cpu:1790812800000',
    server_id: 'srv\\t1',
    meter: 'cpu',
    window_start: '2026-10-01T00:00:00.000Z',
    window_end: '2026-10-01T00:01:00.000Z',
    correction: 't',
    sample_count: '3',
    sum: '1e-9',
    max: '\\N',
    min: '\\N',
    latest: '4',
    latest_ts: '2026-10-01T00:00:30.000Z',
    distinct_values: '{"a"}',
    source_topic: 'metrics.raw',
    source_partition: '2',
    first_offset: '17',
    last_offset: '9007199254740993', // a 64-bit offset stays exact (never a JS number)
    rollup_topic: 'usage.rollups',
    rollup_partition: '1',
    rollup_offset: '5',
  });
});

test('window bounds stay right across many windows (the remembered instants are bounded and evicted)', () => {
  // 10 000 windows, more than the memo holds, visited twice in a different order.
  const starts = Array.from({ length: 10_000 }, (_, i) => Date.UTC(2026, 0, 1) + i * 60_000);
  for (const ms of [...starts, ...starts.reverse()]) {
    const fields = copyRow({
      part: {
        partId: 'p',
        serverId: 's',
        meter: 'm',
        windowStartMs: ms,
        windowEndMs: ms + 60_000,
        correction: false,
        state: { count: 0, sum: '0' },
      },
    }).split('\t');
    // Worked by hand for the first window: 2026-01-01T00:00:00.000Z; in general the UTC minute.
    const d = new Date(ms);
    const expected = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}T${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:00.000Z`;
    assert.equal(fields[3], expected);
  }
  assert.equal(
    copyRow({
      part: {
        partId: 'p',
        serverId: 's',
        meter: 'm',
        windowStartMs: Date.UTC(2026, 0, 1),
        windowEndMs: Date.UTC(2026, 0, 1, 0, 1),
        correction: false,
        state: { count: 0, sum: '0' },
      },
    }).split('\t')[3],
    '2026-01-01T00:00:00.000Z',
  );
});
