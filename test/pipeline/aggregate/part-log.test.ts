// The first buffer of a fresh PartLog follows the last commit's bytes (part-log.ts), within bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_REUSED_BYTES, PartLog, initialBytesAfter } from '../../../pipeline/aggregate/part-log.js';

test('a fresh log starts at 1.25 × the last commit, never below 64 KiB nor above a reusable log', () => {
  assert.equal(initialBytesAfter(0), 65_536); //              nothing written yet: the default
  assert.equal(initialBytesAfter(40_000), 65_536); //         1.25 × 40 000 = 50 000 < 64 KiB
  assert.equal(initialBytesAfter(1_000_000), 1_250_000); //   a second of one partition's parts
  assert.equal(initialBytesAfter(100 * 1024 * 1024), MAX_REUSED_BYTES); // a migration's flush: capped (8 MiB)
});

test('bytes counts what the log holds, and clear empties it', () => {
  const log = new PartLog(16);
  const head = Buffer.from([0, 0, 0, 0, 1]);
  log.add(head, { partId: 'p', serverId: 's', meter: 'm', windowStartMs: 0, windowEndMs: 60_000, correction: false, state: { count: 1, sum: '1' } });
  // head 5; 'p' 's' 'm' 2 each = 6; start 0: 1; end 60 000 (zig-zag 120 000: 3 varint bytes) 3;
  // false 1; count 1; sum '1' 2; null max, min, latest, latestTs, distinct: 5; null source 1 → 25
  assert.equal(log.bytes, 25);
  assert.equal(log.count, 1);
  assert.equal(log.clear(), true);
  assert.equal(log.bytes, 0);
});
