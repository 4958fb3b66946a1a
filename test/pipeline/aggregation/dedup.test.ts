import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeenIds } from '../../../pipeline/aggregation/dedup.js';

test('an id counts once within the horizon, again after it', () => {
  const seen = new SeenIds(1000);
  assert.equal(seen.firstTime('a', 0), true);
  assert.equal(seen.firstTime('a', 999), false); // 999 ms after first seen: within the horizon
  assert.equal(seen.firstTime('b', 500), true);
  assert.equal(seen.firstTime('a', 1000), true); // horizon passed: forgotten, counts again
  assert.equal(seen.firstTime('b', 1200), false); // b first seen at 500: still within
  assert.equal(seen.size, 2);
});

test('without a horizon nothing is forgotten', () => {
  const seen = new SeenIds();
  assert.equal(seen.firstTime('x', 0), true);
  assert.equal(seen.firstTime('x', Number.MAX_SAFE_INTEGER), false);
});
