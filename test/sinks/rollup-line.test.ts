// The hand writer from a RollupPart's Avro body to its COPY row (sinks/rollup-line.ts) against
// the general path it replaces: avsc decodes the body, recordToRollup makes the part, copyRow
// formats it. Over many generated parts the writer either gives exactly those bytes or declines
// (nothing written) — and it must not decline an ASCII part it is meant to handle. avsc and
// copyRow are a separate implementation, so agreement is not the writer checking itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currentSchema } from '../../avro/schemas.js';
import { recordToRollup, rollupToRecord } from '../../avro/records.js';
import { copyField, copyRow } from '../../sinks/copy-rows.js';
import { RollupLineWriter, maxRowBytes, originPrefix } from '../../sinks/rollup-line.js';
import type { RollupPart } from '../../pipeline/aggregation/rollup.js';
import { rng } from '../e2e/workload.js'; // mulberry32: a failure names a reproducible part

const type = currentSchema('rollup').type;

// Strings the COPY format and text[] literals treat specially, and non-ASCII ones (declined).
const PIECES = ['', 'a', 'srv-0001', '\\', '"', '\t', '\n', '\r', ',', '{', '}', 'NULL', '\\N', ' ', "'", 'é', '日本', '😀', '\u0000', '\u007f'];
const isAscii = (s: string): boolean => [...s].every((c) => c.charCodeAt(0) < 0x80);
const ASCII_PIECES = PIECES.filter(isAscii);

function text(r: () => number, ascii: boolean): string {
  const pieces = ascii ? ASCII_PIECES : PIECES;
  const target = r() < 0.9 ? Math.floor(r() * 40) : Math.floor(r() * 3000);
  let s = '';
  while (s.length < target) s += r() < 0.8 ? String.fromCharCode(32 + Math.floor(r() * 95)) : (pieces[Math.floor(r() * pieces.length)] as string);
  return s;
}

/** Instants from 1970 to 9999 (toISOString's plain form), around varint byte boundaries too. */
function instant(r: () => number): number {
  const edges = [0, 1, 63, 64, 8191, 8192, Date.UTC(2026, 9, 1), Date.UTC(2026, 9, 1, 0, 1), 253402300799999];
  return r() < 0.3 ? (edges[Math.floor(r() * edges.length)] as number) : Math.floor(r() * 253402300799999);
}

function part(r: () => number, ascii: boolean): RollupPart {
  const t = () => text(r, ascii);
  const counts = [0, 1, 63, 64, 2 ** 31, 2 ** 52 - 1]; // 2^52 and past: declined (zig-zag beyond 2^53 - 1)
  const p: RollupPart = {
    partId: t(),
    serverId: t(),
    meter: t(),
    windowStartMs: instant(r),
    windowEndMs: instant(r),
    correction: r() < 0.5,
    state: { count: r() < 0.3 ? (counts[Math.floor(r() * counts.length)] as number) : Math.floor(r() * 1e6), sum: t() },
  };
  if (r() < 0.5) p.state.max = t();
  if (r() < 0.5) p.state.min = t();
  if (r() < 0.5) p.state.latest = t();
  if (r() < 0.5) p.state.latestTsMs = instant(r);
  if (r() < 0.4) p.state.distinct = Array.from({ length: Math.floor(r() * (r() < 0.1 ? 300 : 4)) }, t);
  if (r() < 0.8) {
    const partition = r() < 0.2 ? ([0, 2 ** 31 - 1, -(2 ** 31), 63, 64, -1][Math.floor(r() * 6)] as number) : Math.floor(r() * 1000);
    p.source = { topic: t(), partition, firstOffset: t(), lastOffset: t() };
  }
  return p;
}

/** What the writer gives for one body, or undefined when it declines (and then writes nothing). */
function written(body: Buffer, prefix: Buffer, offset: string): Buffer | undefined {
  const w = new RollupLineWriter(Buffer.alloc(maxRowBytes(body.length, prefix.length) + 16, 0xee));
  w.pos = 7; // rows are appended mid-chunk
  if (!w.write(body, 0, body.length, prefix, offset)) {
    assert.equal(w.pos, 7, 'a declined row leaves the position');
    return undefined;
  }
  return w.out.subarray(7, w.pos);
}

test('ASCII parts: the row is byte for byte the general path’s (avsc → recordToRollup → copyRow)', () => {
  const r = rng(11);
  for (let i = 0; i < 3000; i++) {
    const p = part(r, true);
    const body = type.toBuffer(rollupToRecord(p));
    const origin = { topic: i % 2 ? 'usage.rollups' : 'odd\ttopic\\', partition: i % 7, offset: String(9007199254740993n + BigInt(i)) };
    const expected = Buffer.from(copyRow({ part: recordToRollup(type.fromBuffer(body)), origin }));
    const got = written(body, originPrefix(copyField(origin.topic), origin.partition), origin.offset);
    assert.ok(got, `part ${i} (seed 11) was declined`);
    assert.equal(got.toString('utf8'), expected.toString('utf8'), `part ${i} (seed 11)`);
  }
});

test('any part: equal bytes, or declined exactly when a string holds a non-ASCII character', () => {
  const r = rng(12);
  let declined = 0;
  for (let i = 0; i < 3000; i++) {
    const p = part(r, r() < 0.5); // half of them with non-ASCII pieces (nearly all of those declined)
    const body = type.toBuffer(rollupToRecord(p));
    const origin = { topic: 'usage.rollups', partition: 3, offset: String(i) };
    const got = written(body, originPrefix(origin.topic, origin.partition), origin.offset);
    const nonAscii = !isAscii(JSON.stringify(rollupToRecord(p)));
    assert.equal(got === undefined, nonAscii, `part ${i} (seed 12)`);
    if (got === undefined) declined++;
    else assert.equal(got.toString('utf8'), copyRow({ part: recordToRollup(type.fromBuffer(body)), origin }), `part ${i} (seed 12)`);
  }
  assert.ok(declined > 100 && declined < 2900, `both kinds generated (${declined} declined)`);
});

test('a hand-worked row: every column, escapes and a distinct list', () => {
  const p: RollupPart = {
    partId: 'raw:1:7:requests:0',
    serverId: 'srv\t1',
    meter: 'requests',
    windowStartMs: Date.UTC(2026, 9, 1),
    windowEndMs: Date.UTC(2026, 9, 1, 0, 1),
    correction: true,
    state: { count: 3, sum: '1.5', latest: '2', latestTsMs: Date.UTC(2026, 9, 1, 0, 0, 30), distinct: ['a"b', 'c\\d'] },
  };
  const body = type.toBuffer(rollupToRecord(p));
  const got = written(body, originPrefix('usage.rollups', 4), '12');
  // distinct: text[] literal {"a\"b","c\\d"}, then COPY doubles each backslash.
  const expected = [
    'raw:1:7:requests:0', 'srv\\t1', 'requests', '2026-10-01T00:00:00.000Z', '2026-10-01T00:01:00.000Z', 't', '3', '1.5',
    '\\N', '\\N', '2', '2026-10-01T00:00:30.000Z', '{"a\\\\"b","c\\\\\\\\d"}', '\\N', '\\N', '\\N', '\\N', 'usage.rollups', '4', '12',
  ].join('\t');
  assert.equal(got?.toString('utf8'), `${expected}\n`);
});

test('bodies the general path refuses or reads otherwise are declined: truncated, trailing bytes, bad union index or boolean, unsafe long', () => {
  const p: RollupPart = {
    partId: 'p', serverId: 's', meter: 'm', windowStartMs: 60_000, windowEndMs: 120_000, correction: false,
    state: { count: 1, sum: '1', max: '1' }, source: { topic: 't', partition: 0, firstOffset: '0', lastOffset: '0' },
  };
  const body = type.toBuffer(rollupToRecord(p));
  const prefix = originPrefix('u', 0);
  assert.ok(written(body, prefix, '0'), 'the well-formed body is written');
  for (let cut = 0; cut < body.length; cut++) assert.equal(written(body.subarray(0, cut), prefix, '0'), undefined, `cut at ${cut}`);
  assert.equal(written(Buffer.concat([body, Buffer.from([0])]), prefix, '0'), undefined, 'trailing byte');
  // Byte 12 is `correction` (three 1-byte strings = 6 bytes, two 3-byte longs): 2 is not a boolean avsc writes.
  const badBool = Buffer.from(body);
  assert.equal(badBool[12], 0);
  badBool[12] = 2;
  assert.equal(written(badBool, prefix, '0'), undefined, 'boolean byte 2');
  // Byte 13 is the count (1: zig-zag 2, one byte). As zig-zag 2^54 (count 2^53, eight varint
  // bytes: seven 0x80 and 0x20 = 32 × 2^49) it is past what a JS number holds exactly: avsc refuses it.
  assert.equal(body[13], 2);
  const unsafe = Buffer.concat([body.subarray(0, 13), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]), body.subarray(14)]);
  assert.throws(() => type.fromBuffer(unsafe));
  assert.equal(written(unsafe, prefix, '0'), undefined, 'count 2^53');
  // 2^52 - 1 the same way (zig-zag 2^53 - 2) is exact and written.
  const safe = type.toBuffer({ ...rollupToRecord(p), state: { ...rollupToRecord(p).state, count: 2 ** 52 - 1 } });
  assert.match(written(safe, prefix, '0')?.toString() ?? '', /\t4503599627370495\t/);
});

test('a row that does not fit the buffer is declined, not cut short', () => {
  const p: RollupPart = { partId: 'p', serverId: 's', meter: 'm', windowStartMs: 0, windowEndMs: 1, correction: false, state: { count: 1, sum: '1' } };
  const body = type.toBuffer(rollupToRecord(p));
  // p, s, m, two instants (24 bytes each), f, 1, 1, then 9 NULLs, the origin columns and a newline.
  const row = `p\ts\tm\t1970-01-01T00:00:00.000Z\t1970-01-01T00:00:00.001Z\tf\t1\t1${'\t\\N'.repeat(9)}\tu\t0\t5\n`;
  const fits = new RollupLineWriter(Buffer.alloc(row.length));
  assert.ok(fits.write(body, 0, body.length, originPrefix('u', 0), '5'));
  assert.equal(fits.out.toString(), row);
  const short = new RollupLineWriter(Buffer.alloc(row.length - 1));
  assert.equal(short.write(body, 0, body.length, originPrefix('u', 0), '5'), false);
  assert.equal(short.pos, 0);
});

