// Keys of the aggregate state changelog (state-keys.ts): every builder's key parses back to what
// built it, whatever a server id holds; a key of another partition — "1" is a prefix of "10" and
// "11" — or a malformed one is no key of this partition. Expected keys are spelt out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countersKey, legacyServerKey, metaKey, parseStateKey, segmentKey } from '../../../pipeline/aggregation/state-keys.js';

const ids = ['srv-1', 'a/b', 'a#b', '#o5/', '0#o5/x', '12345', '', 'ü-服务器-🚀', '/', '#k/', ' '];

test('keys are spelt as documented', () => {
  assert.equal(metaKey(3), '3');
  assert.equal(legacyServerKey(3, 'a/b'), '3/a/b');
  assert.equal(segmentKey(3, false, 1790812800000, 's'), '3#o1790812800000/s');
  assert.equal(segmentKey(3, true, -60000, '#o5/'), '3#c-60000/#o5/');
  assert.equal(countersKey(3, ''), '3#k/');
});

test('every builder round-trips through parseStateKey, for any server id and partition', () => {
  for (const p of [0, 1, 10, 11, 123]) {
    assert.deepEqual(parseStateKey(p, metaKey(p)), { kind: 'meta' });
    for (const serverId of ids) {
      assert.deepEqual(parseStateKey(p, legacyServerKey(p, serverId)), { kind: 'legacy', serverId }, `${p} ${serverId}`);
      assert.deepEqual(parseStateKey(p, countersKey(p, serverId)), { kind: 'counters', serverId }, `${p} ${serverId}`);
      for (const startMs of [0, 5, -1, -60_000, 1790812800000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
        assert.deepEqual(parseStateKey(p, segmentKey(p, false, startMs, serverId)), { kind: 'open', startMs, serverId });
        assert.deepEqual(parseStateKey(p, segmentKey(p, true, startMs, serverId)), { kind: 'correction', startMs, serverId });
      }
    }
  }
});

test('a server id that looks like a key part stays the server id (it comes after the first "/")', () => {
  assert.deepEqual(parseStateKey(0, '0#o5/#o5/'), { kind: 'open', startMs: 5, serverId: '#o5/' });
  assert.deepEqual(parseStateKey(0, '0#k/0#o5/x'), { kind: 'counters', serverId: '0#o5/x' });
  assert.deepEqual(parseStateKey(0, '0/0#c7/y'), { kind: 'legacy', serverId: '0#c7/y' });
  assert.deepEqual(parseStateKey(0, '0#c12//'), { kind: 'correction', startMs: 12, serverId: '/' });
});

test('keys of other partitions are not this one\'s: 1 vs 10 vs 11', () => {
  const of10 = ['10', '10/a', '10#o5/a', '10#c5/a', '10#k/a'];
  const of11 = ['11', '11/a', '11#o5/a', '11#k/a'];
  const of1 = ['1', '1/a', '1#o5/a', '1#c5/a', '1#k/a'];
  for (const k of [...of10, ...of11]) assert.equal(parseStateKey(1, k), undefined, k);
  for (const k of [...of1, ...of11]) assert.equal(parseStateKey(10, k), undefined, k);
  for (const k of [...of1, ...of10]) assert.equal(parseStateKey(11, k), undefined, k);
  // And each parses under its own partition.
  assert.deepEqual(parseStateKey(10, '10#o5/a'), { kind: 'open', startMs: 5, serverId: 'a' });
  assert.deepEqual(parseStateKey(11, '11/a'), { kind: 'legacy', serverId: 'a' });
  assert.deepEqual(parseStateKey(1, '1'), { kind: 'meta' });
});

test('malformed keys are undefined', () => {
  const bad = [
    '', // no partition at all
    'x', // another prefix
    '0x', // neither "/" nor "#" after the partition
    '0#', // no tag
    '0#o', // no start, no "/"
    '0#o5', // no "/"
    '0#o/a', // empty start
    '0#oab/a', // start not an integer
    '0#o5.5/a', // not an integer
    '0#o1e3/a', // exponent notation
    '0#o+5/a', // a sign other than "-"
    '0#o--5/a',
    '0#o 5/a',
    '0#o99999999999999999999/a', // past the safe integers
    '0#x5/a', // unknown tag
    '0#kx/a', // counters take nothing between "k" and "/"
    '0#k5/a',
    '0#k', // no "/"
    '0#O5/a', // tags are lower case
  ];
  for (const k of bad) assert.equal(parseStateKey(0, k), undefined, JSON.stringify(k));
});
