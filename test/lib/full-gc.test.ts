// A full GC on demand (lib/full-gc.ts), without --expose-gc on node's command line: it really
// collects (an object only a WeakRef points at is gone after it), and the interval is honoured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canCollectGarbage, collectGarbage } from '../../lib/full-gc.js';

/** A WeakRef to an object nothing else holds (made in its own frame). */
const weakGarbage = (): WeakRef<object> => new WeakRef({ payload: new Array(1000).fill(7) });

test('collects an unreachable object, and skips a call inside the interval', async () => {
  assert.equal(canCollectGarbage(), true);
  const ref = weakGarbage();
  // A WeakRef keeps its target until the job that made or read it ends.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(collectGarbage(), true);
  assert.equal(ref.deref(), undefined, 'the object was collected');

  const again = weakGarbage();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(collectGarbage(60_000), false, 'the last collection ended under a minute ago');
  // (not read before this: deref() would keep it alive until the end of this job)
  assert.equal(collectGarbage(0), true);
  assert.equal(again.deref(), undefined);
});
