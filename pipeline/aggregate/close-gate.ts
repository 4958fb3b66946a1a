// One window close at a time across the partitions this process owns (issue 11: memory).
//
// Every partition's watermark passes a minute within the same second at the fleet's pace, so
// without this all owned partitions emit their closing windows at once and their commits hold
// ≈ 600 000 rollup parts together (100 000 servers, six partitions: docs/performance.md). A
// slice that will close many windows (role.ts: GATED_CLOSE_ROWS) first takes the gate and holds
// it until the commit carrying that close has settled; the next partition's close waits for it.
//
// It only orders when slices are applied, never what they compute: a partition's output
// depends on its own records in offset order, whichever partition goes first. Slices that
// close nothing or little pass freely, and closes of idle partitions (the tick) are not gated.
export class CloseGate {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  /**
   * Waits for the closes taken before, then holds the gate until the returned release is
   * called (more calls do nothing).
   */
  async take(): Promise<() => void> {
    let open!: () => void;
    const mine = new Promise<void>((resolve) => (open = resolve));
    const before = this.tail;
    this.tail = before.then(() => mine);
    this.waiting++;
    await before;
    this.waiting--;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      open();
    };
  }

  /** Closes waiting for the gate (introspection: tests). */
  get queued(): number {
    return this.waiting;
  }
}
