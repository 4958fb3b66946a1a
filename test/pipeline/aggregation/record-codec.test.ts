// Binary server records (format 3) round-trip every field exactly, and both they and the JSON
// records of format 2 — written by versions before format 4, under "<p>/<server>" keys — still
// restore (an upgrade in place), and are replaced by format-4 records at the next drain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aggregator } from '../../../pipeline/aggregation/aggregator.js';
import type { PartitionMeta, ServerRecord } from '../../../pipeline/aggregation/changes.js';
import { decodePacked, encodePacked, isPacked } from '../../../pipeline/aggregation/record-codec.js';
import { signature } from '../../../pipeline/aggregation/snapshot.js';
import { meter, T0, MIN } from './helpers.js';

const req = meter('req', 'r', 'delta', 'sum');
const peak = meter('peak', 'cpu', 'gauge', 'max');
const dcs = meter('dcs', 'cpu', 'gauge', 'unique', { label: 'dc' });
const bw = meter('bw', 'net', 'counter', 'sum', { factor: '1e-9' });
const config = { meters: [req, peak, dcs, bw], windowMs: MIN, allowedLatenessMs: 0, idleTimeoutMs: 1000 };

const record: ServerRecord = {
  serverId: 'srv-ü',
  open: [
    {
      startMs: T0,
      endMs: T0 + MIN,
      accs: {
        req: { count: 3, sum: '12345678901234567890.125', firstOffset: '0', lastOffset: '123456789012345678901' },
        peak: { count: 2, sum: '0', x: '-0.5', xTsMs: 0, firstOffset: '007', lastOffset: '9' },
        dcs: { count: 2, sum: '0', distinct: ['dc1', 'dc2'], firstOffset: '1', lastOffset: '2' },
      },
    },
  ],
  corrections: [{ startMs: T0 - MIN, endMs: T0, accs: { req: { count: 1, sum: '-4', firstOffset: '5', lastOffset: '5' } }, epoch: 2 }],
  counters: [['net', T0 + 5, '99999999999999999999']],
};

test('a packed record decodes to the same record, and is smaller than its JSON', () => {
  const b = encodePacked(record);
  assert.ok(isPacked(b));
  assert.deepEqual(decodePacked(b), record);
  assert.ok(b.length < Buffer.byteLength(JSON.stringify(record)), `${b.length} bytes`);
  assert.equal(isPacked(Buffer.from(JSON.stringify(record))), false);
});

test('varint edge cases round-trip: far and backward offsets, negative and scaled values, epoch 0, a latest time', () => {
  const r: ServerRecord = {
    serverId: 's',
    open: [
      {
        startMs: -60_000, // before 1970: allowed (any safe integer)
        endMs: 0,
        accs: {
          req: { count: 9007199254740991, sum: '-9007199254740.991', firstOffset: '999999999999999', lastOffset: '5' },
          peak: { count: 1, sum: '0', x: '0.000000000000000000001', xTsMs: -1, firstOffset: '0', lastOffset: '0' },
          dcs: { count: 2, sum: '-0.1', x: '-12345678901234567890', xTsMs: 0, firstOffset: '127', lastOffset: '128' },
        },
      },
    ],
    corrections: [{ startMs: 0, endMs: 1, accs: {}, epoch: 0 }, { startMs: 1, endMs: 2, accs: {} }],
    counters: [],
  };
  assert.deepEqual(decodePacked(encodePacked(r)), r);
});

const meta: PartitionMeta = {
  version: 2,
  windowMs: MIN,
  meters: Object.fromEntries(config.meters.map((m) => [m.name, signature(m)])),
  partition: 0,
  maxEventTsMs: T0 + 30_000,
  lastActivityMs: 5,
  closedUpToMs: T0,
  correctionsSinceMs: 3,
  correctionsEpoch: 2,
};

/** Parts of a restored partition, flushed: [server, meter, start (min), correction, state, first offset]. */
function restoredParts(records: Buffer[], m: PartitionMeta = meta): unknown[] {
  const agg = new Aggregator(config);
  agg.restoreFromRecords(m, records.map((b, i) => [`0/srv-${i}`, b] as const), 0);
  return agg.flushAll().map((p) => [p.serverId, p.meter, (p.windowStartMs - T0) / MIN, p.correction, p.state, p.source?.firstOffset]);
}

// What the record holds, worked by hand: the open segment [0,1) min (closed point T0 < its end)
// and the correction of epoch 2 (= the meta's: still pending); on time before corrections.
const expected = [
  ['srv-ü', 'req', 0, false, { count: 3, sum: '12345678901234567890.125' }, '0'],
  ['srv-ü', 'peak', 0, false, { count: 2, sum: '0', max: '-0.5' }, '007'],
  ['srv-ü', 'dcs', 0, false, { count: 2, sum: '0', distinct: ['dc1', 'dc2'] }, '1'],
  ['srv-ü', 'req', -1, true, { count: 1, sum: '-4' }, '5'],
];

test('a format-2 JSON record (as the previous version wrote it) restores; so does the packed one', () => {
  // The bytes as the previous version's encodeServer wrote them: JSON.stringify of the record.
  const old = Buffer.from(
    '{"serverId":"srv-ü","open":[{"startMs":1790812800000,"endMs":1790812860000,"accs":{"req":{"count":3,"sum":"12345678901234567890.125","firstOffset":"0","lastOffset":"123456789012345678901"},' +
      '"peak":{"count":2,"sum":"0","x":"-0.5","xTsMs":0,"firstOffset":"007","lastOffset":"9"},"dcs":{"count":2,"sum":"0","distinct":["dc1","dc2"],"firstOffset":"1","lastOffset":"2"}}}],' +
      '"corrections":[{"startMs":1790812740000,"endMs":1790812800000,"accs":{"req":{"count":1,"sum":"-4","firstOffset":"5","lastOffset":"5"}},"epoch":2}],"counters":[["net",1790812800005,"99999999999999999999"]]}',
  );
  assert.equal(T0, 1790812800000);
  assert.deepEqual(restoredParts([old]), expected);
  assert.deepEqual(restoredParts([encodePacked(record)]), expected);
});

test('a spent correction (older epoch) and an emitted open segment are skipped in a packed record', () => {
  const spent: ServerRecord = { ...record, corrections: [{ ...(record.corrections[0] as ServerRecord['corrections'][number]), epoch: 1 }] };
  assert.deepEqual(restoredParts([encodePacked(spent)]), expected.slice(0, 3));
  assert.deepEqual(restoredParts([encodePacked(spent)], { ...meta, closedUpToMs: T0 + MIN }), []);
  const agg = new Aggregator(config);
  agg.restoreFromRecords({ ...meta, closedUpToMs: T0 + MIN }, [['0/srv-ü', encodePacked(spent)]], 0);
  // the counter baseline survives: the next reading's increase is measured from it
  // (100000000000000000000 − 99999999999999999999 = 1, × 1e-9 = 0.000000001)
  agg.add({ id: 'x', serverId: 'srv-ü', tsMs: T0 + 3 * MIN, metrics: { net: '100000000000000000000' }, labels: {} }, { partition: 0, offset: '10' }, 0);
  assert.equal(agg.flushAll()[0]?.state.sum, '0.000000001');
});

test('after a legacy restore the next drain deletes the server record and writes its state as format 4', () => {
  for (const old of [Buffer.from(JSON.stringify(record)), encodePacked(record)]) {
    const agg = new Aggregator(config);
    agg.restoreFromRecords(meta, [['0/srv-ü', old], ['1/srv-ü', old]], 0);
    const out: Array<[string, boolean]> = [];
    agg.drainChanges(0, (k, v) => out.push([k, v === null]));
    // Only partition 0's keys are its records ("1/…" is another partition's). Deletions first.
    assert.deepEqual(out, [
      ['0/srv-ü', true],
      [`0#o${T0}/srv-ü`, false],
      [`0#c${T0 - MIN}/srv-ü`, false],
      ['0#k/srv-ü', false],
    ]);
  }
});
