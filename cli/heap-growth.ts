// How far V8 lets the old generation grow past what survived the last full GC. By default it
// picks a factor up to 4 from its GC and allocation speeds: the aggregate role, whose live
// heap is its state (≈ 130 MiB at 100 000 servers) plus records briefly held across a commit's
// awaits, then carried ≈ 300 MiB of dead objects into its peak. A fixed factor keeps the heap
// proportional to the live state, however many servers there are — unlike
// --max-old-space-size, which must be sized per deployment and ends the process when the
// state outgrows it. Measured at 100 000 servers (docs/performance.md, "The aggregate role's
// own memory"): ×2 took the peak RSS from ≈ 670 to ≈ 460 MiB at 3 open windows per server for
// ≈ 6 % more CPU, and from 1 356 to 958 MiB at the steady state of 11 windows for 16 % more.
// Since the state became small (changelog per window, slab rows), the aggregate command sets
// ×1.5: at the steady state's catch-up 350 – 374 MiB instead of 362 – 405, at the fleet's own
// pace 414 – 423 instead of 437 – 472 (docs/performance.md, 2026-12-06 rows).
import v8 from 'node:v8';

const FLAG = /^--heap[-_]growing[-_]percent(=|$)/;

/**
 * The V8 flag to set for a growth of `percent` per full GC, or undefined when the process was
 * started with its own (an operator's choice on node's command line wins; NODE_OPTIONS cannot
 * carry this flag).
 */
export function heapGrowthFlag(percent: number, execArgv: readonly string[]): string | undefined {
  if (execArgv.some((f) => FLAG.test(f))) return undefined;
  return `--heap-growing-percent=${percent}`;
}

/**
 * Sets the growth for this process. V8 reads the flag at every full GC, so setting it at start,
 * before the state is built, takes effect: measured the same as passing it to node.
 */
export function limitHeapGrowth(percent: number): void {
  const flag = heapGrowthFlag(percent, process.execArgv);
  if (flag !== undefined) v8.setFlagsFromString(flag);
}
