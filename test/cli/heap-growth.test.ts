import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heapGrowthFlag } from '../../cli/heap-growth.js';

test('the growth flag is set when node was started without one', () => {
  assert.equal(heapGrowthFlag(100, []), '--heap-growing-percent=100');
  assert.equal(heapGrowthFlag(100, ['--max-old-space-size=512', '--enable-source-maps']), '--heap-growing-percent=100');
});

test("node's own flag wins, in either spelling V8 accepts", () => {
  assert.equal(heapGrowthFlag(100, ['--heap-growing-percent=0']), undefined);
  assert.equal(heapGrowthFlag(100, ['--heap_growing_percent=25']), undefined);
  assert.equal(heapGrowthFlag(100, ['--heap-growing-percent', '30']), undefined);
});

test('a flag that only starts alike is not taken for it', () => {
  assert.equal(heapGrowthFlag(50, ['--heap-growing-percentage=3']), '--heap-growing-percent=50');
});
