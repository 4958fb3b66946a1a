import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idleCloseTarget, isIdle, newClock, watermarkOf, type PartitionClock } from '../../../pipeline/windows/watermark.js';

const clock = (maxEventTsMs: number, lastActivityMs: number): PartitionClock => ({ ...newClock(), maxEventTsMs, lastActivityMs });

test('watermark = max event time − allowed lateness; −∞ before any record', () => {
  assert.equal(watermarkOf(clock(10_000, 0), 3_000), 7_000);
  assert.equal(watermarkOf(newClock(), 3_000), Number.NEGATIVE_INFINITY);
});

test('idle after idleTimeoutMs of processing time without records', () => {
  assert.equal(isIdle(clock(0, 1000), 1999, 1000), false);
  assert.equal(isIdle(clock(0, 1000), 2000, 1000), true);
  assert.equal(isIdle(newClock(), 0, 1000), true);
});

test('idle partitions follow the largest active watermark, or the largest of all when none is active', () => {
  // lateness 0; now = 5000, timeout 1000: partitions 0 and 1 active, 2 idle
  const cs = [clock(100, 4500), clock(300, 4900), clock(900, 1000)];
  assert.equal(idleCloseTarget(cs, 5000, 1000, 0), 300); // not 900: the idle one's own watermark does not count
  assert.equal(idleCloseTarget(cs, 99_999, 1000, 0), 900); // all idle
  assert.equal(idleCloseTarget([], 0, 1000, 0), Number.NEGATIVE_INFINITY);
});
