// malloc_trim through koffi: available wherever the C library is glibc (as on this project's
// machines and image), a no-op answering false elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canTrimMalloc, trimMalloc } from '../../lib/malloc-trim.js';

const glibc = (): boolean => {
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  return process.platform === 'linux' && typeof header?.glibcVersionRuntime === 'string';
};

test('on glibc the arenas are trimmed; elsewhere trimming says it cannot', () => {
  assert.equal(canTrimMalloc(), glibc());
  // Free memory to give back: many small Buffers (malloc'd by node), half of them dropped.
  const kept: (Buffer | undefined)[] = Array.from({ length: 50_000 }, (_, i) => Buffer.alloc(200 + (i % 64)));
  for (let i = 0; i < kept.length; i += 2) kept[i] = undefined;
  assert.equal(trimMalloc(), glibc());
  assert.equal(trimMalloc(), glibc()); // again: still answers, nothing breaks
  assert.ok(kept[1] instanceof Buffer && kept[1].length === 201);
});
