// Checkpoint records of aggregate.state round-trip and reject what is not one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { decodeCheckpoint, decodeMeta, encodeCheckpoint, encodeMeta } from '../../../pipeline/aggregate/changelog.js';

test('a checkpoint round-trips and is compressed', () => {
  const c = { version: 1 as const, partition: 3, nextOffset: '9007199254740993' };
  const bytes = encodeCheckpoint(c);
  assert.deepEqual(decodeCheckpoint(bytes), c);
  assert.equal(bytes[0], 0x1f); // gzip magic
});

test('an unreadable checkpoint is an error naming the topic, not a silent reset', () => {
  const bad = gzipSync(Buffer.from(JSON.stringify({ version: 2, partition: 0, nextOffset: '1' })));
  assert.throws(() => decodeCheckpoint(bad), /aggregate\.state: unreadable checkpoint/);
  const badOffset = gzipSync(Buffer.from(JSON.stringify({ version: 1, partition: 0, nextOffset: '-1' })));
  assert.throws(() => decodeCheckpoint(badOffset), /unreadable checkpoint/);
});

test('a format-2 meta record round-trips; format 1 (gzipped whole state) is still read', () => {
  const m = {
    version: 2 as const,
    windowMs: 60_000,
    meters: { req: 'r|delta|sum|1|60|3600|' },
    partition: 4,
    maxEventTsMs: 1,
    lastActivityMs: null,
    closedUpToMs: null,
    correctionsSinceMs: null,
    correctionsEpoch: 3,
    nextOffset: '12',
  };
  assert.deepEqual(decodeMeta(encodeMeta(m)), m);
  const v1 = { version: 1 as const, partition: 3, nextOffset: '7' };
  assert.deepEqual(decodeMeta(encodeCheckpoint(v1)), v1);
  assert.throws(() => decodeMeta(Buffer.from(JSON.stringify({ ...m, nextOffset: 'x' }))), /unreadable checkpoint/);
});
