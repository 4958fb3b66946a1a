// A full garbage collection on demand, for a process that knows when a burst of allocation is
// coming and would rather start it from a compacted heap.
//
// Why (issue 11: memory): V8 lets the old generation grow to 1.5 × what survived its last full
// GC (cli/heap-growth.ts) before collecting again, so at any moment up to half the live heap
// again can be garbage. The aggregate role's peak is a window close, which comes once a minute
// at a known moment (the close gate, pipeline/aggregate/close-gate.ts): collecting just before
// it means the close's own allocations start from the live heap, not from whatever
// accumulated since the last collection. It costs a stop-the-world full GC per close: ≈ 20 ms
// over the state of 100 000 servers with 11 open windows each (`fullGcMs` of
// bench/aggregation-memory.ts; the role's heap holds its other objects and some garbage too),
// and is rate-limited so a backlog read, which closes a window every fraction of a second, does
// not spend its time collecting.
//
// node exposes gc() only with --expose-gc. Set at run time, V8 installs gc() in the contexts made
// after it, so the function is taken from a fresh one. node calls setting V8 flags after start
// unsupported, so this checks that it got a function (and test/lib/full-gc.test.ts that it
// collects); where it does not, collecting does nothing.
import v8 from 'node:v8';
import vm from 'node:vm';

type Collect = () => void;

let collect: Collect | null | undefined;
/** When the last collection this module made ended (performance.now()). */
let lastEnd = Number.NEGATIVE_INFINITY;

function load(): Collect | null {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as Collect;
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn: unknown = vm.runInNewContext('gc');
    return typeof fn === 'function' ? (fn as Collect) : null;
  } catch {
    return null;
  }
}

/** Whether this process can collect on demand. */
export function canCollectGarbage(): boolean {
  if (collect === undefined) collect = load();
  return collect !== null;
}

/**
 * A full collection now, unless the last one this made ended less than `minIntervalMs` ago.
 * Returns whether it collected.
 */
export function collectGarbage(minIntervalMs = 0): boolean {
  if (!canCollectGarbage()) return false;
  const now = performance.now();
  if (now - lastEnd < minIntervalMs) return false;
  (collect as Collect)();
  lastEnd = performance.now();
  return true;
}
